// Where Windows events of each Sigma logsource come from (spec 04 §10.1 part A; SigmaHQ tests/thor.yml): the
// `windows` pipeline turns these tables into rule conditions, and logsource routing (spec 02 §11) reads them to
// decide which rules can apply to an event of one channel and event id. One table, two readers.

const SYSMON_CHANNEL = 'Microsoft-Windows-Sysmon/Operational';
const POWERSHELL_CHANNELS = ['Microsoft-Windows-PowerShell/Operational', 'PowerShellCore/Operational'];
export const DEFENDER_CHANNEL = 'Microsoft-Windows-Windows Defender/Operational';

/** Sysmon EventIDs per Sigma category (rsigma / pySigma-pipeline-sysmon; SigmaHQ tests/thor.yml). */
export const SYSMON_EVENT_IDS: Readonly<Record<string, number[]>> = {
  process_creation: [1],
  file_change: [2],
  network_connection: [3],
  sysmon_status: [4, 16],
  process_termination: [5],
  driver_load: [6],
  image_load: [7],
  create_remote_thread: [8],
  raw_access_thread: [9],
  process_access: [10],
  file_event: [11],
  registry_event: [12, 13, 14],
  registry_add: [12],
  registry_delete: [12],
  registry_set: [13],
  registry_rename: [14],
  create_stream_hash: [15],
  pipe_created: [17, 18],
  wmi_event: [19, 20, 21],
  dns_query: [22],
  file_delete: [23],
  clipboard_capture: [24],
  process_tampering: [25],
  file_delete_detected: [26],
  file_block_executable: [27],
  file_block_shredding: [28],
  file_executable_detected: [29],
  sysmon_error: [255],
};

/** Extra conditions of routed categories besides Channel/EventID. */
export const CATEGORY_EXTRA: Readonly<Record<string, Record<string, unknown>>> = {
  registry_add: { EventType: 'CreateKey' },
  registry_delete: { EventType: ['DeleteKey', 'DeleteValue'] },
};

/** Channel(s) and EventID(s) per Windows category that EVTX logs can hold (part A). */
export function windowsCategoryRoutes(): [string, { Channel: string[]; EventID: number[] }][] {
  const routes: [string, { Channel: string[]; EventID: number[] }][] = Object.entries(SYSMON_EVENT_IDS).map(([category, ids]) => [
    category,
    { Channel: [SYSMON_CHANNEL], EventID: ids },
  ]);
  const pc = routes.find(([c]) => c === 'process_creation');
  if (pc !== undefined) pc[1] = { Channel: [SYSMON_CHANNEL, 'Security'], EventID: [1, 4688] };
  routes.push(['clipboard_change', { Channel: [SYSMON_CHANNEL], EventID: [24] }]);
  routes.push(['ps_module', { Channel: POWERSHELL_CHANNELS, EventID: [4103] }]);
  routes.push(['ps_script', { Channel: POWERSHELL_CHANNELS, EventID: [4104] }]);
  routes.push(['ps_classic_start', { Channel: ['Windows PowerShell'], EventID: [400] }]);
  routes.push(['ps_classic_provider_start', { Channel: ['Windows PowerShell'], EventID: [600] }]);
  routes.push(['ps_classic_script', { Channel: ['Windows PowerShell'], EventID: [800] }]);
  return routes;
}

/** Defender EventIDs that carry a threat name or path (SigmaHQ tests/thor.yml `antivirus`). */
export const ANTIVIRUS_EVENT_IDS = [1006, 1007, 1008, 1009, 1010, 1011, 1012, 1017, 1018, 1019, 1115, 1116];

const MS = 'Microsoft-Windows-';

/** Channel(s) per Windows service (part A; SigmaHQ tests/thor.yml). */
export const SERVICE_CHANNELS: Readonly<Record<string, string[]>> = {
  security: ['Security'],
  system: ['System'],
  application: ['Application'],
  sysmon: [SYSMON_CHANNEL],
  powershell: POWERSHELL_CHANNELS,
  'powershell-classic': ['Windows PowerShell'],
  windefend: [DEFENDER_CHANNEL],
  wmi: [`${MS}WMI-Activity/Operational`],
  taskscheduler: [`${MS}TaskScheduler/Operational`],
  ntlm: [`${MS}NTLM/Operational`],
  dhcp: [`${MS}DHCP-Server/Operational`],
  applocker: ['MSI and Script', 'EXE and DLL', 'Packaged app-Deployment', 'Packaged app-Execution'].map((c) => `${MS}AppLocker/${c}`),
  'codeintegrity-operational': [`${MS}CodeIntegrity/Operational`],
  'firewall-as': [`${MS}Windows Firewall With Advanced Security/Firewall`],
  'bits-client': [`${MS}Bits-Client/Operational`],
  'dns-client': [`${MS}DNS Client Events/Operational`],
  'dns-server': ['DNS Server'],
  'dns-server-analytic': [`${MS}DNS-Server/Analytical`],
  'dns-server-audit': [`${MS}DNS-Server/Audit`],
  'appxdeployment-server': [`${MS}AppXDeploymentServer/Operational`],
  'appxpackaging-om': [`${MS}AppxPackaging/Operational`],
  'appmodel-runtime': [`${MS}AppModel-Runtime/Admin`],
  'msexchange-management': ['MSExchange Management'],
  'iis-configuration': ['Microsoft-IIS-Configuration/Operational'],
  openssh: ['OpenSSH/Operational'],
  ldap: [`${MS}LDAP-Client/Debug`],
  'security-mitigations': [`${MS}Security-Mitigations/Kernel Mode`, `${MS}Security-Mitigations/User Mode`],
  'smbclient-security': [`${MS}SmbClient/Security`],
  'smbclient-connectivity': [`${MS}SmbClient/Connectivity`],
  'smbserver-connectivity': [`${MS}SMBServer/Connectivity`],
  'printservice-admin': [`${MS}PrintService/Admin`],
  'printservice-operational': [`${MS}PrintService/Operational`],
  'terminalservices-localsessionmanager': [`${MS}TerminalServices-LocalSessionManager/Operational`],
  'lsa-server': [`${MS}LSA/Operational`],
  capi2: [`${MS}CAPI2/Operational`],
  ntfs: [`${MS}Ntfs/Operational`],
  vhdmp: [`${MS}VHDMP/Operational`],
  sense: [`${MS}SENSE/Operational`],
  'shell-core': [`${MS}Shell-Core/Operational`],
  bitlocker: [`${MS}BitLocker/BitLocker Management`],
  'diagnosis-scripted': [`${MS}Diagnosis-Scripted/Operational`],
  'driver-framework': [`${MS}DriverFrameworks-UserMode/Operational`],
  'kernel-shimengine': [`${MS}Kernel-ShimEngine/Operational`, `${MS}Kernel-ShimEngine/Diagnostic`],
  'application-experience': [
    `${MS}Application-Experience/Program-Telemetry`,
    `${MS}Application-Experience/Program-Compatibility-Assistant`,
  ],
  'certificateservicesclient-lifecycle-system': [`${MS}CertificateServicesClient-Lifecycle-System/Operational`],
  'hyper-v-worker': [`${MS}Hyper-V-Worker`],
  'kernel-event-tracing': [`${MS}Kernel-EventTracing`],
  'servicebus-client': ['Microsoft-ServiceBus-Client/Admin', 'Microsoft-ServiceBus-Client/Operational'],
  'microsoft-servicebus-client': ['Microsoft-ServiceBus-Client/Admin', 'Microsoft-ServiceBus-Client/Operational'],
};
