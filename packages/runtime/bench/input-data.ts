// Deterministic generators of realistic log lines for the input benchmarks; no I/O, no randomness between runs.

/** A small seeded PRNG (mulberry32) so every run benchmarks the same lines. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTS = ['web01', 'web02', 'db01', 'fw01', 'bastion', 'mail.example.com'];
const USERS = ['alice', 'bob', 'root', 'admin', 'svc_backup', 'CORP\\\\jdoe'];
const IMAGES = ['C:\\\\Windows\\\\System32\\\\cmd.exe', 'C:\\\\Windows\\\\System32\\\\whoami.exe', 'C:\\\\Program Files\\\\App\\\\app.exe'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

type Pick = <T>(items: readonly T[]) => T;

function picker(random: () => number): Pick {
  return (items) => items[Math.floor(random() * items.length)]!;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Sysmon-like process-creation events, one compact JSON object per line (~400 bytes). */
export function jsonLines(count: number, seed = 1): string[] {
  const random = seededRandom(seed);
  const pick = picker(random);
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      EventID: 1,
      UtcTime: `2024-01-15 10:${pad(i % 60)}:${pad((i * 7) % 60)}.${String(i % 1000).padStart(3, '0')}`,
      ProcessGuid: `{${(random() * 1e16).toString(16)}-0000-0000-0000-000000000000}`,
      ProcessId: Math.floor(random() * 65535),
      Image: pick(IMAGES),
      CommandLine: `${pick(IMAGES)} /c whoami /all ${i}`,
      User: pick(USERS),
      Computer: pick(HOSTS),
      Hashes: `SHA256=${(random() * 1e18).toString(16).padEnd(64, '0')}`,
    }),
  );
}

/** RFC 3164 lines as sshd, sudo and CRON write them. */
export function rfc3164Lines(count: number, seed = 2): string[] {
  const random = seededRandom(seed);
  const pick = picker(random);
  return Array.from({ length: count }, (_, i) => {
    const ts = `${pick(MONTHS)} ${String(1 + (i % 28)).padStart(2, ' ')} ${pad(i % 24)}:${pad(i % 60)}:${pad((i * 13) % 60)}`;
    const kind = i % 3;
    if (kind === 0)
      return `<86>${ts} ${pick(HOSTS)} sshd[${1000 + (i % 5000)}]: Failed password for invalid user ${pick(USERS)} from 203.0.113.${i % 255} port ${40000 + (i % 20000)} ssh2`;
    if (kind === 1) return `<38>${ts} ${pick(HOSTS)} sudo: ${pick(USERS)} : TTY=pts/${i % 9} ; PWD=/home ; USER=root ; COMMAND=/bin/bash`;
    return `<78>${ts} ${pick(HOSTS)} CRON[${i % 40000}]: (root) CMD (cd / && run-parts --report /etc/cron.hourly)`;
  });
}

/** RFC 5424 lines with structured data. */
export function rfc5424Lines(count: number, seed = 3): string[] {
  const random = seededRandom(seed);
  const pick = picker(random);
  return Array.from(
    { length: count },
    (_, i) =>
      `<165>1 2024-01-15T10:${pad(i % 60)}:${pad((i * 7) % 60)}.${String(i % 1000).padStart(3, '0')}Z ${pick(HOSTS)} evntslog ${i % 9999} ID47 ` +
      `[exampleSDID@32473 iut="${i % 10}" eventSource="Application" eventID="${1000 + (i % 100)}"] \uFEFFAn application event log entry ${i}`,
  );
}

/** logfmt lines in the Heroku router and Grafana Loki styles. */
export function logfmtLines(count: number, seed = 4): string[] {
  const random = seededRandom(seed);
  const pick = picker(random);
  return Array.from({ length: count }, (_, i) =>
    i % 2 === 0
      ? `at=info method=GET path="/api/v1/items/${i}" host=${pick(HOSTS)} request_id=${(random() * 1e16).toString(16)} fwd="198.51.100.${i % 255}" dyno=web.${i % 4} connect=${i % 5}ms service=${i % 300}ms status=200 bytes=${i % 9000} protocol=https`
      : `level=${pick(['info', 'warn', 'error'])} ts=2024-01-15T10:30:00.${String(i % 1000).padStart(3, '0')}Z caller=main.go:${i % 500} msg="request served for ${pick(USERS)}" duration=${i % 90}ms`,
  );
}

/** CEF lines (Palo Alto style) behind a syslog header, with multi-word values and escapes. */
export function cefLines(count: number, seed = 5): string[] {
  const random = seededRandom(seed);
  const pick = picker(random);
  return Array.from(
    { length: count },
    (_, i) =>
      `<134>Feb 14 19:04:54 ${pick(HOSTS)} CEF:0|Palo Alto Networks|PAN-OS|10.1.0|end|TRAFFIC|${i % 10}|rt=Feb 14 2024 19:04:54 GMT ` +
      `src=10.1.${i % 255}.${(i * 3) % 255} dst=8.8.${i % 8}.8 spt=${40000 + (i % 20000)} dpt=${pick(['53', '443', '80'])} proto=udp ` +
      `act=allow cs1Label=Rule cs1=allow dns ${i} suser=${pick(USERS)} request=http://x/?a\\=${i}`,
  );
}

/** Free-text lines for the plain format. */
export function plainLines(count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => `2024-01-15 10:30:00,${String(i % 1000).padStart(3, '0')} INFO [worker-${i % 8}] processed batch ${i} in ${i % 97} ms`,
  );
}

/** Protobuf varint of a non-negative integer. */
function varint(value: number | bigint): number[] {
  let v = BigInt(value);
  const out: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  return out;
}

function lengthDelimited(field: number, body: number[]): number[] {
  return [...varint(field * 8 + 2), ...varint(body.length), ...body];
}

function text(field: number, value: string): number[] {
  return lengthDelimited(field, [...Buffer.from(value, 'utf8')]);
}

function keyValue(key: string, anyValue: number[]): number[] {
  return [...text(1, key), ...lengthDelimited(2, anyValue)];
}

/**
 * A protobuf ExportLogsServiceRequest with one record per line (string body, two attributes, a timestamp),
 * encoded by hand the way an OTLP exporter lays it out.
 */
export function otlpProtobufRequest(lines: string[]): Buffer {
  const records = lines.flatMap((line, i) => {
    const time = Buffer.alloc(8);
    time.writeBigUInt64LE(1705314600000000000n + BigInt(i));
    const record = [
      0x09,
      ...time, // field 1, fixed64
      ...varint(2 * 8),
      ...varint(9), // severity_number
      ...lengthDelimited(5, text(1, line)),
      ...lengthDelimited(6, keyValue('host.name', text(1, `web${i % 8}`))),
      ...lengthDelimited(6, keyValue('seq', [...varint(3 * 8), ...varint(i)])),
    ];
    return lengthDelimited(2, record);
  });
  const resource = lengthDelimited(1, lengthDelimited(1, keyValue('service.name', text(1, 'bench'))));
  return Buffer.from(lengthDelimited(1, [...resource, ...lengthDelimited(2, records)]));
}
