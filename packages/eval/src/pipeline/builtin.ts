// Builtin pipelines (spec 04 §10): `windows` (SigmaHQ rules on EVTX-shaped JSON), `sysmon` and `ecs_windows`.
// Each is declared as pySigma-style plain data and validated by the same item parser as user pipelines.

import { parseTransformationItems } from './parse-items.js';
import type { Pipeline } from './types.js';
import {
  ANTIVIRUS_EVENT_IDS,
  CATEGORY_EXTRA,
  DEFENDER_CHANNEL,
  SERVICE_CHANNELS,
  SYSMON_EVENT_IDS,
  windowsCategoryRoutes,
} from '../windows-logsources.js';

type RawItem = Record<string, unknown>;

function one<T>(list: T[]): T | T[] {
  return list.length === 1 ? (list[0] as T) : list;
}

function sysmonItems(): RawItem[] {
  const items: RawItem[] = Object.entries(SYSMON_EVENT_IDS).map(([category, ids]) => ({
    id: `sysmon_${category}`,
    type: 'add_condition',
    conditions: { EventID: one(ids) },
    rule_conditions: [{ type: 'logsource', product: 'windows', category }],
  }));
  items.push({
    id: 'sysmon_logsource',
    type: 'change_logsource',
    product: 'windows',
    service: 'sysmon',
    rule_conditions: [{ type: 'logsource', product: 'windows' }],
  });
  return items;
}

// ---------------------------------------------------------------------------------------------
// windows (spec 04 §10.1)

const S = 'Event.System.';

/** Part C: Sigma names of the EVTX System header and unnamed data, each with its EVTX paths (flat name last). */
function systemFieldMapping(): Record<string, string[]> {
  const mapping: Record<string, string[]> = { EventID: [`${S}EventID.#text`, `${S}EventID`, 'EventID'] };
  for (const n of ['Channel', 'Computer', 'Level', 'Task', 'Opcode', 'Keywords', 'Version', 'EventRecordID']) {
    mapping[n] = [`${S}${n}`, n];
  }
  const attributeFields: [string, string[]][] = [
    ['Provider', ['Name', 'Guid', 'EventSourceName']],
    ['Execution', ['ProcessID', 'ThreadID']],
    ['Security', ['UserID']],
    ['Correlation', ['ActivityID', 'RelatedActivityID']],
    ['TimeCreated', ['SystemTime']],
  ];
  for (const [element, attrs] of attributeFields) {
    for (const a of attrs) {
      const name = `${element}_${a}`;
      mapping[name] = [`${S}${element}.#attributes.${a}`, `${S}${element}_attributes.${a}`, name];
    }
  }
  mapping['Data'] = ['Event.EventData.Data.#text', 'Event.EventData.Data', 'Event.UserData.Data.#text', 'Event.UserData.*.Data', 'Data'];
  return mapping;
}

/** Rule conditions of parts C and D: Windows rules, antivirus rules (any product) and correlations. */
const WINDOWS_SCOPE = {
  rule_cond_expr: 'win or av or corr',
  rule_conditions: {
    win: { type: 'logsource', product: 'windows' },
    av: { type: 'logsource', category: 'antivirus' },
    corr: { type: 'is_sigma_correlation_rule' },
  },
};

function windowsItems(): RawItem[] {
  const items: RawItem[] = [];
  const routeIds: string[] = [];
  for (const [category, route] of windowsCategoryRoutes()) {
    const id = `windows_route_${category}`;
    routeIds.push(id);
    items.push({
      id,
      type: 'add_condition',
      conditions: { Channel: one(route.Channel), EventID: one(route.EventID), ...CATEGORY_EXTRA[category] },
      rule_conditions: [{ type: 'logsource', product: 'windows', category }],
    });
  }
  routeIds.push('windows_route_antivirus');
  items.push({
    id: 'windows_route_antivirus',
    type: 'add_condition',
    conditions: { Channel: DEFENDER_CHANNEL, EventID: ANTIVIRUS_EVENT_IDS },
    rule_conditions: [{ type: 'logsource', category: 'antivirus' }],
  });
  for (const [service, channels] of Object.entries(SERVICE_CHANNELS)) {
    const id = `windows_route_${service}`;
    routeIds.push(id);
    items.push({
      id,
      type: 'add_condition',
      conditions: { Channel: one(channels) },
      rule_conditions: [{ type: 'logsource', product: 'windows', service }],
    });
  }
  // Categories only ETW can observe (file_access, file_rename, …) get no routing; the attribute tells users why.
  const routed: Record<string, unknown> = Object.fromEntries(
    routeIds.map((id, i) => [`r${i}`, { type: 'processing_item_applied', processing_item_id: id }]),
  );
  items.push({
    id: 'windows_unrouted',
    type: 'set_custom_attribute',
    attribute: 'tsigma.windows_unrouted',
    value: 'true',
    rule_cond_expr: `win and not (${Object.keys(routed).join(' or ')})`,
    rule_conditions: { win: { type: 'logsource', product: 'windows' }, ...routed },
  });
  items.push(
    {
      id: 'windows_fields_process_creation',
      type: 'field_name_mapping',
      alternatives: 'first',
      mapping: {
        Image: ['Event.EventData.Image', 'Event.EventData.NewProcessName', 'Image'],
        ParentImage: ['Event.EventData.ParentImage', 'Event.EventData.ParentProcessName', 'ParentImage'],
      },
      rule_conditions: [{ type: 'logsource', product: 'windows', category: 'process_creation' }],
    },
    {
      id: 'windows_fields_defender',
      type: 'field_name_mapping',
      alternatives: 'first',
      mapping: {
        Signature: ['Event.EventData.Threat Name', 'Signature'],
        ThreatName: ['Event.EventData.Threat Name', 'Event.EventData.ThreatName', 'ThreatName'],
        Filename: ['Event.EventData.Path', 'Filename'],
        SourceName: ['Event.EventData.Source Name', 'Event.EventData.SourceName', 'SourceName'],
        ProcessName: ['Event.EventData.Process Name', 'Event.EventData.ProcessName', 'ProcessName'],
        NewValue: ['Event.EventData.New Value', 'Event.EventData.NewValue', 'NewValue'],
        OldValue: ['Event.EventData.Old Value', 'Event.EventData.OldValue', 'OldValue'],
        Feature_Name: ['Event.EventData.Feature Name', 'Event.EventData.Feature_Name', 'Feature_Name'],
      },
      rule_cond_expr: 'av or wd',
      rule_conditions: {
        av: { type: 'logsource', category: 'antivirus' },
        wd: { type: 'logsource', product: 'windows', service: 'windefend' },
      },
    },
    { id: 'windows_fields_system', type: 'field_name_mapping', alternatives: 'first', mapping: systemFieldMapping(), ...WINDOWS_SCOPE },
    {
      id: 'windows_fields_eventdata',
      type: 'field_name_prefix',
      alternatives: 'first',
      prefix: ['Event.EventData.', 'Event.UserData.', 'Event.UserData.*.', ''],
      field_name_conditions: [{ type: 'exclude_fields', match_type: 'regex', fields: ['^Event\\.'] }],
      ...WINDOWS_SCOPE,
    },
    {
      id: 'windows_timestamp',
      type: 'set_custom_attribute',
      attribute: 'tsigma.timestamp_field',
      value: `${S}TimeCreated.#attributes.SystemTime`,
      rule_conditions: [{ type: 'logsource', product: 'windows' }],
    },
  );
  return items;
}

// ---------------------------------------------------------------------------------------------
// ecs_windows (spec 04 §10, from pySigma's Elasticsearch backend)

const PE = (prefix: string): Record<string, string> => ({
  Company: `${prefix}.company`,
  Description: `${prefix}.description`,
  Product: `${prefix}.product`,
  FileVersion: `${prefix}.file_version`,
});

const CODE_SIGNATURE = {
  Signed: 'file.code_signature.signed',
  SignatureStatus: 'file.code_signature.status',
  Signature: 'file.code_signature.subject_name',
  Imphash: 'file.pe.imphash',
};

const ECS_CATEGORY_MAPPINGS: Readonly<Record<string, Record<string, string>>> = {
  process_creation: {
    CommandLine: 'process.command_line',
    Image: 'process.executable',
    OriginalFileName: 'process.pe.original_file_name',
    CurrentDirectory: 'process.working_directory',
    ProcessGuid: 'process.entity_id',
    ProcessId: 'process.pid',
    ParentProcessGuid: 'process.parent.entity_id',
    ParentProcessId: 'process.parent.pid',
    ParentImage: 'process.parent.executable',
    ParentCommandLine: 'process.parent.command_line',
    User: 'user.name',
    IntegrityLevel: 'winlog.event_data.IntegrityLevel',
    Hashes: 'winlog.event_data.Hashes',
    ...PE('process.pe'),
  },
  network_connection: {
    SourceIp: 'source.ip',
    SourceHostname: 'source.domain',
    SourcePort: 'source.port',
    DestinationIp: 'destination.ip',
    DestinationHostname: 'destination.domain',
    DestinationPort: 'destination.port',
    DestinationPortName: 'network.protocol',
    Protocol: 'network.transport',
    Image: 'process.executable',
    User: 'user.name',
    ProcessId: 'process.pid',
  },
  image_load: {
    ImageLoaded: 'file.path',
    Image: 'process.executable',
    ...CODE_SIGNATURE,
    ...PE('file.pe'),
    OriginalFileName: 'file.pe.original_file_name',
  },
  file_event: { TargetFilename: 'file.path', Image: 'process.executable', User: 'user.name' },
  registry_event: {
    TargetObject: 'registry.path',
    Details: 'winlog.event_data.Details',
    Image: 'process.executable',
    EventType: 'winlog.event_data.EventType',
  },
  dns_query: { QueryName: 'dns.question.name', QueryStatus: 'sysmon.dns.status', Image: 'process.executable' },
  pipe_created: { PipeName: 'file.name', Image: 'process.executable' },
  driver_load: { ImageLoaded: 'file.path', ...CODE_SIGNATURE },
  create_remote_thread: {
    SourceImage: 'process.executable',
    SourceProcessId: 'process.pid',
    TargetImage: 'winlog.event_data.TargetImage',
    TargetProcessId: 'winlog.event_data.TargetProcessId',
    StartFunction: 'winlog.event_data.StartFunction',
  },
  process_access: {
    SourceImage: 'process.executable',
    SourceProcessId: 'process.pid',
    TargetImage: 'winlog.event_data.TargetImage',
    TargetProcessId: 'winlog.event_data.TargetProcessId',
    GrantedAccess: 'winlog.event_data.GrantedAccess',
    CallTrace: 'winlog.event_data.CallTrace',
  },
};

function ecsWindowsItems(): RawItem[] {
  const items: RawItem[] = Object.entries(ECS_CATEGORY_MAPPINGS).map(([category, mapping]) => ({
    id: `ecs_windows_${category}`,
    type: 'field_name_mapping',
    mapping,
    rule_conditions: [{ type: 'logsource', category }],
  }));
  items.push({
    id: 'ecs_windows_system',
    type: 'field_name_mapping',
    mapping: {
      EventID: 'event.code',
      Channel: 'winlog.channel',
      Provider_Name: 'winlog.provider_name',
      ComputerName: 'winlog.computer_name',
    },
    rule_conditions: [{ type: 'logsource', product: 'windows' }],
  });
  return items;
}

// ---------------------------------------------------------------------------------------------

const BUILTINS: Readonly<Record<string, { priority: number; items: () => RawItem[] }>> = {
  windows: { priority: 5, items: windowsItems },
  sysmon: { priority: 10, items: sysmonItems },
  ecs_windows: { priority: 20, items: ecsWindowsItems },
};

/**
 * A fresh copy of a builtin pipeline, or undefined for an unknown name.
 *
 * @example
 * const engine = new Engine();
 * engine.addPipeline(builtinPipeline('windows')!);
 */
export function builtinPipeline(name: string): Pipeline | undefined {
  const def = Object.hasOwn(BUILTINS, name) ? BUILTINS[name] : undefined;
  if (def === undefined) return undefined;
  return {
    name,
    priority: def.priority,
    vars: {},
    items: parseTransformationItems(def.items(), { file: `builtin:${name}` }),
    postprocessing: [],
    finalizers: [],
    sources: [],
  };
}

/** Names accepted by {@link builtinPipeline}. */
export function builtinPipelineNames(): string[] {
  return Object.keys(BUILTINS);
}
