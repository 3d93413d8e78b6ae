// Synthetic data for the NATS bench: 100 Sigma rules in the shape of common SigmaHQ process-creation rules,
// and process-creation events of which a fixed share matches one rule.

/** Rules generated; the issue asks for 100. */
export const RULE_COUNT = 100;
/** One event in MATCH_EVERY carries a matching command line. */
const MATCH_EVERY = 20;

/** YAML text of rule `i`: a mix of contains, endswith and multi-selection conditions like SigmaHQ rules use. */
export function ruleYaml(i: number): string {
  const id = `b0000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const kind = i % 3;
  const detection =
    kind === 0
      ? `    selection:\n        CommandLine|contains: 'tool${i}.exe'\n    condition: selection`
      : kind === 1
        ? `    selection:\n        Image|endswith: '\\\\bin${i}.exe'\n    condition: selection`
        : `    selection_img:\n        Image|endswith: '\\\\powershell.exe'\n    selection_cli:\n        CommandLine|contains|all:\n            - '-enc'\n            - 'payload${i}'\n    filter:\n        User: 'SYSTEM'\n    condition: all of selection_* and not filter`;
  return `title: Synthetic Rule ${i}\nid: ${id}\nstatus: test\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n${detection}\nlevel: medium\n`;
}

/** Event `n`: JSON text; every MATCH_EVERY-th event matches rule `n % RULE_COUNT`. */
export function eventJson(n: number): string {
  const i = n % RULE_COUNT;
  const match = n % MATCH_EVERY === 0;
  const kind = i % 3;
  const image =
    match && kind === 1
      ? `C:\\Windows\\bin${i}.exe`
      : match && kind === 2
        ? 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'
        : 'C:\\Windows\\System32\\svchost.exe';
  const cli =
    match && kind === 0
      ? `cmd /c tool${i}.exe /q`
      : match && kind === 2
        ? `powershell -enc payload${i}`
        : `svchost.exe -k netsvcs -p -s Schedule ${n}`;
  return JSON.stringify({
    EventID: 1,
    UtcTime: '2026-01-01 12:00:00.000',
    Computer: `host${n % 50}.corp.example`,
    User: 'CORP\\user',
    Image: image,
    CommandLine: cli,
    ParentImage: 'C:\\Windows\\System32\\services.exe',
    ProcessId: 1000 + (n % 5000),
    seq: n,
  });
}
