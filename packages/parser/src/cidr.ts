// Syntax check for `|cidr` values (IPv4 or IPv6 network, prefix optional); matching is @tsigma/eval's job.

const IPV4_OCTET = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;
const IPV6_GROUP = /^[0-9A-Fa-f]{1,4}$/;

/** True when `text` is an IPv4 or IPv6 address with an optional `/prefix` in range. */
export function isValidCidr(text: string): boolean {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const prefix = slash < 0 ? undefined : text.slice(slash + 1);
  const v4 = address.includes(':') ? false : isIpv4(address);
  if (!v4 && !isIpv6(address)) return false;
  if (prefix === undefined) return true;
  if (!/^[0-9]{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (v4 ? 32 : 128);
}

function isIpv4(address: string): boolean {
  const octets = address.split('.');
  return octets.length === 4 && octets.every((o) => IPV4_OCTET.test(o));
}

function isIpv6(address: string): boolean {
  let groups = 8;
  let body = address;
  // An embedded IPv4 tail (::ffff:10.0.0.1) stands for two groups.
  const lastColon = body.lastIndexOf(':');
  if (lastColon >= 0 && body.slice(lastColon + 1).includes('.')) {
    if (!isIpv4(body.slice(lastColon + 1))) return false;
    body = body.slice(0, lastColon + 1) + '0';
    groups = 7;
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  const parts = (s: string): string[] => (s === '' ? [] : s.split(':'));
  if (halves.length === 1) {
    const all = parts(body);
    return all.length === groups && all.every((g) => IPV6_GROUP.test(g));
  }
  const head = parts(halves[0] as string);
  const tail = parts(halves[1] as string);
  return head.length + tail.length < groups && [...head, ...tail].every((g) => IPV6_GROUP.test(g));
}
