/**
 * Windows event log records → ECS, in the shapes exporters produce:
 *
 *  - `event`: XML converted to JSON, `{ Event: { System: {...}, EventData: {...} } }` (also without
 *    the `Event` wrapper). Both conventions are read: xmltodict / python-evtx (`@Name`, `#text`,
 *    `EventData.Data: [{ "@Name": "X", "#text": "v" }]`), the Rust evtx_dump (`#attributes`,
 *    `EventData: { X: "v" }`), xml2js (`$`, `_`) and plain attributes (`TimeCreated.SystemTime`).
 *  - `flat`: the winlogbeat-like / Sigma flattening of the corpus in /work/shared/data/windows-events:
 *    `EventID`, `Channel`, `Computer`, `Provider_Name`, `TimeCreated_SystemTime`... with the
 *    EventData fields at the top level (`Image`, `CommandLine`, `TargetUserName`...).
 *  - `winlogbeat`: `winlog.event_id`, `winlog.channel`, `winlog.event_data` (nested or dotted). The
 *    record passes through like generic JSON and the mapping below only fills fields it lacks.
 *
 * Output: event.code and winlog.event_id (the EventID as a string, as winlogbeat 8 has it),
 * winlog.channel / provider_name / provider_guid / computer_name / record_id / process.pid /
 * process.thread.id / user.identifier / activity_id / keywords / level / task / opcode / version,
 * winlog.event_data (every data field, original names and values), host.name (Computer),
 * event.provider, log.level, and per event the ECS fields below. Original field names stay
 * reachable in `winlog.event_data` and in `original`; they are not copied to the top level.
 *
 * Mapping notes: `-` and empty values are "no value" and are not mapped. Hex ids (`0x1fc`)
 * become numbers for *.pid. Sysmon `Hashes` become lower-case `process.hash.*` (event 1) or
 * `file.hash.*` (6, 7, 15, 23, 26, 29) with IMPHASH as `*.pe.imphash`. `DOMAIN\user` values are
 * split into user.domain / user.name. For Security events the audit keywords also give
 * event.outcome (0x...0020... success, 0x...0010... failure) when the event table does not.
 */
import type { NormalizeContext, NormalizedEvent } from '../core/index.ts';
import { err, ok, type Result } from '../core/index.ts';
import { parseTimestamp, toIso } from './time.ts';
import {
  basename, child, cloneJson, dirname, finish, getOwn, getPath, isObj, q, receivedMs, setOwn,
  setPath, skeleton, str, toInt, toIp, toPort, type Draft, type NormalizeOptions, type Obj,
} from './util.ts';

export type WindowsShape = 'event' | 'flat' | 'winlogbeat';

/** Which Windows shape an object record has, or null when it is not a Windows event. */
export function windowsShape(o: Obj): WindowsShape | null {
  const ev = getOwn(o, 'Event');
  if (isObj(ev) && isObj(getOwn(ev, 'System'))) return 'event';
  const sys = getOwn(o, 'System');
  if (isObj(sys) && getOwn(sys, 'EventID') !== undefined) return 'event';
  if (getOwn(o, 'EventID') !== undefined &&
    (getOwn(o, 'Channel') !== undefined || getOwn(o, 'Provider_Name') !== undefined ||
      getOwn(o, 'TimeCreated_SystemTime') !== undefined)) return 'flat';
  const wl = getOwn(o, 'winlog');
  if (isObj(wl) && (getOwn(wl, 'event_id') !== undefined || getOwn(wl, 'channel') !== undefined)) return 'winlogbeat';
  if (getOwn(o, 'winlog.event_id') !== undefined || getOwn(o, 'winlog.channel') !== undefined) return 'winlogbeat';
  return null;
}

/** System fields common to all shapes. */
interface WinSystem {
  eventId: string | null;
  channel: string | null;
  computer: string | null;
  provider: string | null;
  providerGuid: string | null;
  time: unknown;
  recordId: unknown;
  level: number | null;
  task: unknown;
  opcode: unknown;
  keywords: string | null;
  version: unknown;
  pid: number | null;
  tid: number | null;
  userSid: string | null;
  activityId: string | null;
  message: string | null;
}

// ---------------------------------------------------------------------------------------------
// XML-as-JSON helpers

/** An XML attribute in any of the conventions: `Name`, `@Name`, `#attributes.Name`, `$.Name`. */
function attr(node: unknown, name: string): unknown {
  if (!isObj(node)) return undefined;
  let v = getOwn(node, name);
  if (v !== undefined) return v;
  v = getOwn(node, '@' + name);
  if (v !== undefined) return v;
  const a = getOwn(node, '#attributes') ?? getOwn(node, '$');
  return isObj(a) ? getOwn(a, name) : undefined;
}

/** An element's text: the value itself, or `#text` / `_` / `value`. */
function text(node: unknown): unknown {
  if (!isObj(node)) return node;
  const t = getOwn(node, '#text');
  if (t !== undefined) return t;
  const u = getOwn(node, '_');
  if (u !== undefined) return u;
  return getOwn(node, 'value') ?? getOwn(node, 'Value');
}

const isAttrKey = (k: string): boolean => k === '#attributes' || k === '$' || k.charCodeAt(0) === 64 || k === 'xmlns';

function scalarString(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** Event data from `EventData` (Data list, single Data, or a name → value map) and `UserData`. */
function xmlEventData(eventData: unknown, userData: unknown, warnings: string[]): Obj {
  const data: Obj = {};
  const unnamed: unknown[] = [];
  if (isObj(eventData)) {
    const d = getOwn(eventData, 'Data');
    const items = Array.isArray(d) ? d : d !== undefined ? [d] : [];
    for (const it of items) {
      const name = attr(it, 'Name');
      if (typeof name === 'string' && name.length > 0) {
        const t = text(it);
        setOwn(data, name, t === undefined || t === null ? '' : isObj(t) ? '' : t);
      } else {
        const t = text(it);
        if (Array.isArray(t)) unnamed.push(...t);
        else if (t !== undefined && t !== null) unnamed.push(t);
      }
    }
    // Rust evtx_dump: EventData is already { Name: value }; other children (Binary) keep their name.
    for (const k of Object.keys(eventData)) {
      if (k === 'Data' || isAttrKey(k)) continue;
      const v = getOwn(eventData, k);
      setOwn(data, k, isObj(v) ? (text(v) ?? '') : v);
    }
  }
  if (unnamed.length > 0) setOwn(data, 'Data', unnamed.length === 1 ? unnamed[0] : unnamed);
  if (isObj(userData)) {
    // Every leaf element → a field named after it; the first one wins. Iterative, bounded.
    const stack: unknown[] = [userData];
    let budget = 10000;
    while (stack.length > 0 && budget-- > 0) {
      const n = stack.pop();
      if (!isObj(n)) continue;
      const keys = Object.keys(n);
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i];
        if (isAttrKey(k)) continue;
        const v = getOwn(n, k);
        const t = isObj(v) ? text(v) : v;
        if (isObj(v) && t === undefined) stack.push(v);
        else if (getOwn(data, k) === undefined && !Array.isArray(t)) setOwn(data, k, t ?? '');
      }
    }
    if (budget <= 0) warnings.push('winlog.user_data: too large, truncated');
  }
  return data;
}

function systemFromXml(sys: Obj, root: Obj): WinSystem {
  const eid = text(getOwn(sys, 'EventID'));
  const exec = getOwn(sys, 'Execution');
  const rendering = getOwn(root, 'RenderingInfo');
  const msg = isObj(rendering) ? text(getOwn(rendering, 'Message')) : undefined;
  const time = getOwn(sys, 'TimeCreated');
  return {
    eventId: scalarString(eid),
    channel: scalarString(text(getOwn(sys, 'Channel'))),
    computer: scalarString(text(getOwn(sys, 'Computer'))),
    provider: scalarString(attr(getOwn(sys, 'Provider'), 'Name')),
    providerGuid: scalarString(attr(getOwn(sys, 'Provider'), 'Guid')),
    time: isObj(time) ? attr(time, 'SystemTime') : time,
    recordId: text(getOwn(sys, 'EventRecordID')),
    level: toInt(text(getOwn(sys, 'Level'))),
    task: text(getOwn(sys, 'Task')),
    opcode: text(getOwn(sys, 'Opcode')),
    keywords: scalarString(text(getOwn(sys, 'Keywords'))),
    version: text(getOwn(sys, 'Version')),
    pid: toInt(attr(exec, 'ProcessID')),
    tid: toInt(attr(exec, 'ThreadID')),
    userSid: scalarString(attr(getOwn(sys, 'Security'), 'UserID')),
    activityId: scalarString(attr(getOwn(sys, 'Correlation'), 'ActivityID')),
    message: typeof msg === 'string' ? msg : null,
  };
}

const FLAT_SYSTEM = new Set([
  'EventID', 'Channel', 'Computer', 'EventRecordID', 'Level', 'Task', 'Opcode', 'Keywords', 'Version',
]);
const FLAT_SYSTEM_PREFIXES = ['Provider_', 'TimeCreated_', 'Execution_', 'Security_', 'Correlation_', 'EventID_'];

function isFlatSystemKey(k: string): boolean {
  if (FLAT_SYSTEM.has(k)) return true;
  const u = k.indexOf('_');
  if (u <= 0) return false;
  for (const p of FLAT_SYSTEM_PREFIXES) if (k.length > p.length && k.startsWith(p)) return true;
  return false;
}

function systemFromFlat(o: Obj): WinSystem {
  return {
    eventId: scalarString(getOwn(o, 'EventID')),
    channel: scalarString(getOwn(o, 'Channel')),
    computer: scalarString(getOwn(o, 'Computer')),
    provider: scalarString(getOwn(o, 'Provider_Name')),
    providerGuid: scalarString(getOwn(o, 'Provider_Guid')),
    time: getOwn(o, 'TimeCreated_SystemTime'),
    recordId: getOwn(o, 'EventRecordID'),
    level: toInt(getOwn(o, 'Level')),
    task: getOwn(o, 'Task'),
    opcode: getOwn(o, 'Opcode'),
    keywords: scalarString(getOwn(o, 'Keywords')),
    version: getOwn(o, 'Version'),
    pid: toInt(getOwn(o, 'Execution_ProcessID')),
    tid: toInt(getOwn(o, 'Execution_ThreadID')),
    userSid: scalarString(getOwn(o, 'Security_UserID')),
    activityId: scalarString(getOwn(o, 'Correlation_ActivityID')),
    message: null,
  };
}

function flatEventData(o: Obj, warnings: string[]): Obj {
  const data: Obj = {};
  for (const k of Object.keys(o)) {
    if (isFlatSystemKey(k)) continue;
    const v = o[k];
    setOwn(data, k, typeof v === 'object' && v !== null ? cloneJson(v, false, warnings) : v);
  }
  return data;
}

// ---------------------------------------------------------------------------------------------
// Tables

const LEVELS = ['information', 'critical', 'error', 'warning', 'information', 'verbose'];

const LOGON_TYPES: Record<string, string> = {
  '0': 'System', '2': 'Interactive', '3': 'Network', '4': 'Batch', '5': 'Service', '7': 'Unlock',
  '8': 'NetworkCleartext', '9': 'NewCredentials', '10': 'RemoteInteractive', '11': 'CachedInteractive',
  '12': 'CachedRemoteInteractive', '13': 'CachedUnlock',
};

/** [action, categories, types, outcome?] */
type Row = [string, string[], string[], string?];

const SYSMON: Record<string, Row> = {
  '1': ['process-created', ['process'], ['start']],
  '2': ['file-creation-time-changed', ['file'], ['change']],
  '3': ['network-connection', ['network'], ['connection', 'start']],
  '4': ['sysmon-service-state-changed', ['process'], ['change']],
  '5': ['process-terminated', ['process'], ['end']],
  '6': ['driver-loaded', ['driver'], ['start']],
  '7': ['image-loaded', ['library'], ['start']],
  '8': ['create-remote-thread', ['process'], ['change']],
  '9': ['raw-access-read', ['file'], ['access']],
  '10': ['process-accessed', ['process'], ['access']],
  '11': ['file-created', ['file'], ['creation']],
  '12': ['registry-key-created-or-deleted', ['registry'], ['change']],
  '13': ['registry-value-set', ['registry'], ['change']],
  '14': ['registry-renamed', ['registry'], ['change']],
  '15': ['file-stream-created', ['file'], ['creation']],
  '16': ['sysmon-config-changed', ['configuration'], ['change']],
  '17': ['pipe-created', ['file'], ['creation']],
  '18': ['pipe-connected', ['file'], ['access']],
  '19': ['wmi-event-filter', ['configuration'], ['change']],
  '20': ['wmi-event-consumer', ['configuration'], ['change']],
  '21': ['wmi-consumer-binding', ['configuration'], ['change']],
  '22': ['dns-query', ['network'], ['protocol', 'info']],
  '23': ['file-deleted', ['file'], ['deletion']],
  '24': ['clipboard-changed', ['host'], ['change']],
  '25': ['process-tampering', ['process'], ['change']],
  '26': ['file-deleted-detected', ['file'], ['deletion']],
  '27': ['file-block-executable', ['file'], ['creation'], 'failure'],
  '28': ['file-block-shredding', ['file'], ['deletion'], 'failure'],
  '29': ['file-executable-detected', ['file'], ['creation']],
  '255': ['sysmon-error', ['host'], ['error']],
};

const SECURITY: Record<string, Row> = {
  '1102': ['audit-log-cleared', ['host'], ['change']],
  '4624': ['logged-in', ['authentication'], ['start'], 'success'],
  '4625': ['logon-failed', ['authentication'], ['start'], 'failure'],
  '4634': ['logged-out', ['authentication'], ['end'], 'success'],
  '4647': ['logged-out', ['authentication'], ['end'], 'success'],
  '4648': ['logged-in-explicit', ['authentication'], ['start']],
  '4672': ['logged-in-special', ['iam'], ['admin']],
  '4688': ['process-created', ['process'], ['start']],
  '4689': ['process-exited', ['process'], ['end']],
  '4698': ['scheduled-task-created', ['configuration'], ['creation']],
  '4699': ['scheduled-task-deleted', ['configuration'], ['deletion']],
  '4702': ['scheduled-task-updated', ['configuration'], ['change']],
  '4720': ['added-user-account', ['iam'], ['user', 'creation']],
  '4722': ['enabled-user-account', ['iam'], ['user', 'change']],
  '4723': ['changed-password', ['iam'], ['user', 'change']],
  '4724': ['reset-password', ['iam'], ['user', 'change']],
  '4725': ['disabled-user-account', ['iam'], ['user', 'change']],
  '4726': ['deleted-user-account', ['iam'], ['user', 'deletion']],
  '4728': ['added-member-to-group', ['iam'], ['group', 'change']],
  '4729': ['removed-member-from-group', ['iam'], ['group', 'change']],
  '4732': ['added-member-to-group', ['iam'], ['group', 'change']],
  '4733': ['removed-member-from-group', ['iam'], ['group', 'change']],
  '4738': ['modified-user-account', ['iam'], ['user', 'change']],
  '4756': ['added-member-to-group', ['iam'], ['group', 'change']],
  '4757': ['removed-member-from-group', ['iam'], ['group', 'change']],
  '4768': ['kerberos-authentication-ticket-requested', ['authentication'], ['start']],
  '4769': ['kerberos-service-ticket-requested', ['authentication'], ['start']],
  '4776': ['credential-validated', ['authentication'], ['start']],
  '4946': ['firewall-rule-added', ['configuration'], ['creation']],
  '4947': ['firewall-rule-modified', ['configuration'], ['change']],
  '4948': ['firewall-rule-deleted', ['configuration'], ['deletion']],
  '5140': ['network-share-object-accessed', ['network', 'file'], ['access']],
  '5145': ['network-share-object-access-checked', ['network', 'file'], ['access']],
  '5156': ['network-connection-allowed', ['network'], ['connection', 'allowed']],
  '5157': ['network-connection-blocked', ['network'], ['connection', 'denied']],
  '4663': ['object-access-attempted', ['file'], ['access']],
};

const SYSTEM_CHANNEL: Record<string, Row> = {
  '104': ['log-cleared', ['host'], ['change']],
  '7045': ['service-installed', ['configuration'], ['creation']],
};

const DEFENDER: Record<string, Row> = {
  '1116': ['malware-detected', ['malware', 'intrusion_detection'], ['info']],
  '1117': ['malware-action-taken', ['malware', 'intrusion_detection'], ['info']],
};

const DNS_STATUS: Record<string, string> = { '0': 'NOERROR', '9001': 'FORMERR', '9002': 'SERVFAIL', '9003': 'NXDOMAIN', '9004': 'NOTIMP', '9005': 'REFUSED' };
const IANA_TRANSPORT: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'ipv6-icmp' };
const HASH_NAMES: Record<string, string> = { md5: 'md5', sha1: 'sha1', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512' };

// ---------------------------------------------------------------------------------------------
// Mapping

/** Writes ECS fields, honouring `fill` (winlogbeat input: keep what the record already has). */
class Out {
  constructor(readonly ev: Obj, readonly fill: boolean, readonly data: Obj) {}
  put(path: string, v: unknown): void {
    if (v === null || v === undefined) return;
    setPath(this.ev, path, v, this.fill);
  }
  /** An event-data value, or null when absent, empty or `-`. */
  d(k: string): string | null {
    return str(getOwn(this.data, k));
  }
  /** A SID, or null when absent or the NULL SID S-1-0-0 (used when there is no account). */
  sid(k: string): string | null {
    const v = this.d(k);
    return v === 'S-1-0-0' ? null : v;
  }
}

/** ECS paths per prefix, precomputed so the hot path builds no strings. */
interface Paths {
  executable: string; name: string; domain: string; imphash: string; hash: Record<string, string>;
  pe: { original_file_name: string; company: string; description: string; product: string; file_version: string };
}
function paths(prefix: string): Paths {
  const hash: Record<string, string> = {};
  for (const h of Object.keys(HASH_NAMES)) hash[h] = `${prefix}.hash.${h}`;
  return {
    executable: `${prefix}.executable`, name: `${prefix}.name`, domain: `${prefix}.domain`,
    imphash: `${prefix}.pe.imphash`, hash,
    pe: {
      original_file_name: `${prefix}.pe.original_file_name`, company: `${prefix}.pe.company`,
      description: `${prefix}.pe.description`, product: `${prefix}.pe.product`,
      file_version: `${prefix}.pe.file_version`,
    },
  };
}
const P_PROCESS = paths('process');
const P_PARENT = paths('process.parent');
const P_FILE = paths('file');
const P_USER = paths('user');

/** `DOMAIN\user` → [domain, user]; a value without a backslash is just the user. */
function splitUser(v: string): [string | null, string] {
  const i = v.indexOf('\\');
  return i < 0 ? [null, v] : [v.slice(0, i), v.slice(i + 1)];
}

function putUser(o: Out, p: Paths, raw: string | null): void {
  if (!raw) return;
  const [dom, name] = splitUser(raw);
  o.put(p.name, name);
  if (dom) o.put(p.domain, dom);
}

function putExecutable(o: Out, p: Paths, path: string | null): void {
  if (!path) return;
  o.put(p.executable, path);
  o.put(p.name, basename(path));
}

function putFile(o: Out, path: string | null): void {
  if (!path) return;
  o.put('file.path', path);
  const name = basename(path);
  o.put('file.name', name);
  const dir = dirname(path);
  if (dir) o.put('file.directory', dir);
  const dot = name.lastIndexOf('.');
  if (dot > 0 && dot < name.length - 1) o.put('file.extension', name.slice(dot + 1).toLowerCase());
}

/** Sysmon `SHA1=...,MD5=...,IMPHASH=...` → `{prefix}.hash.*` and `{prefix}.pe.imphash`. */
function putHashes(o: Out, p: Paths, hashes: string | null): void {
  if (!hashes) return;
  let start = 0;
  for (let n = 0; n < 8 && start < hashes.length; n++) {
    let end = hashes.indexOf(',', start);
    if (end < 0) end = hashes.length;
    const eq = hashes.indexOf('=', start);
    if (eq > start && eq < end) {
      const algo = hashes.slice(start, eq).trim().toLowerCase();
      const val = hashes.slice(eq + 1, end).trim().toLowerCase();
      if (algo === 'imphash') o.put(p.imphash, val);
      else if (Object.hasOwn(p.hash, algo)) o.put(p.hash[algo], val);
    }
    start = end + 1;
  }
}

function putPe(o: Out, p: Paths): void {
  o.put(p.pe.original_file_name, o.d('OriginalFileName'));
  o.put(p.pe.company, o.d('Company'));
  o.put(p.pe.description, o.d('Description'));
  o.put(p.pe.product, o.d('Product'));
  o.put(p.pe.file_version, o.d('FileVersion'));
}

function boolOf(v: string | null): boolean | null {
  if (v === null) return null;
  const l = v.toLowerCase();
  return l === 'true' ? true : l === 'false' ? false : null;
}

function mapSysmon(id: string, o: Out): void {
  // Common to most Sysmon events.
  putExecutable(o, P_PROCESS, o.d('Image'));
  o.put('process.pid', toInt(o.d('ProcessId')));
  o.put('process.entity_id', o.d('ProcessGuid'));
  putUser(o, P_USER, o.d('User'));
  o.put('rule.name', o.d('RuleName'));
  switch (id) {
    case '1':
      o.put('process.command_line', o.d('CommandLine'));
      o.put('process.working_directory', o.d('CurrentDirectory'));
      putExecutable(o, P_PARENT, o.d('ParentImage'));
      o.put('process.parent.pid', toInt(o.d('ParentProcessId')));
      o.put('process.parent.entity_id', o.d('ParentProcessGuid'));
      o.put('process.parent.command_line', o.d('ParentCommandLine'));
      putHashes(o, P_PROCESS, o.d('Hashes'));
      putPe(o, P_PROCESS);
      break;
    case '3': {
      const proto = o.d('Protocol');
      if (proto) o.put('network.transport', proto.toLowerCase());
      const v6 = boolOf(o.d('SourceIsIpv6'));
      if (v6 !== null) o.put('network.type', v6 ? 'ipv6' : 'ipv4');
      const initiated = boolOf(o.d('Initiated'));
      if (initiated !== null) o.put('network.direction', initiated ? 'egress' : 'ingress');
      o.put('source.ip', toIp(o.d('SourceIp')));
      o.put('source.port', toPort(o.d('SourcePort')));
      o.put('source.domain', o.d('SourceHostname'));
      o.put('destination.ip', toIp(o.d('DestinationIp')));
      o.put('destination.port', toPort(o.d('DestinationPort')));
      o.put('destination.domain', o.d('DestinationHostname'));
      break;
    }
    case '6':
      putFile(o, o.d('ImageLoaded'));
      putHashes(o, P_FILE, o.d('Hashes'));
      putSignature(o);
      break;
    case '7':
      putFile(o, o.d('ImageLoaded'));
      putHashes(o, P_FILE, o.d('Hashes'));
      putPe(o, P_FILE);
      putSignature(o);
      break;
    case '8':
    case '10':
      putExecutable(o, P_PROCESS, o.d('SourceImage'));
      o.put('process.pid', toInt(o.d('SourceProcessId')));
      o.put('process.entity_id', o.d('SourceProcessGuid') ?? o.d('SourceProcessGUID'));
      o.put('process.thread.id', toInt(o.d('SourceThreadId')));
      putUser(o, P_USER, o.d('SourceUser'));
      break;
    case '2':
    case '11':
    case '15':
    case '23':
    case '26':
    case '27':
    case '28':
    case '29':
      putFile(o, o.d('TargetFilename'));
      putHashes(o, P_FILE, o.d('Hashes'));
      break;
    case '12':
    case '13':
    case '14':
      mapRegistry(o);
      break;
    case '17':
    case '18':
      o.put('file.name', o.d('PipeName'));
      break;
    case '22': {
      o.put('dns.question.name', o.d('QueryName'));
      const st = o.d('QueryStatus');
      if (st !== null && Object.hasOwn(DNS_STATUS, st)) o.put('dns.response_code', DNS_STATUS[st]);
      const res = o.d('QueryResults');
      if (res) {
        const ips: string[] = [];
        for (const part of res.split(';')) {
          const t = part.trim();
          const ip = toIp(t.startsWith('::ffff:') ? t.slice(7) : t);
          if (ip) ips.push(ip);
        }
        if (ips.length > 0) o.put('dns.resolved_ip', ips);
      }
      break;
    }
  }
}

function putSignature(o: Out): void {
  const signed = boolOf(o.d('Signed'));
  if (signed !== null) o.put('file.code_signature.signed', signed);
  o.put('file.code_signature.subject_name', o.d('Signature'));
  const status = o.d('SignatureStatus');
  if (status) {
    o.put('file.code_signature.status', status);
    o.put('file.code_signature.valid', status === 'Valid');
  }
}

const REGISTRY_ACTIONS: Record<string, [string, string]> = {
  CreateKey: ['registry-key-created', 'creation'],
  DeleteKey: ['registry-key-deleted', 'deletion'],
  DeleteValue: ['registry-value-deleted', 'deletion'],
  SetValue: ['registry-value-set', 'change'],
  RenameKey: ['registry-key-renamed', 'change'],
};

function mapRegistry(o: Out): void {
  const path = o.d('TargetObject');
  const et = o.d('EventType');
  const act = et !== null && Object.hasOwn(REGISTRY_ACTIONS, et) ? REGISTRY_ACTIONS[et] : null;
  if (act) {
    // Overrides the generic Sysmon row: the EventType says what happened.
    setPath(o.ev, 'event.action', act[0], o.fill);
    setPath(o.ev, 'event.type', [act[1]], o.fill);
  }
  if (path) {
    o.put('registry.path', path);
    const first = path.indexOf('\\');
    if (first > 0) {
      o.put('registry.hive', path.slice(0, first));
      const isValue = et === 'SetValue' || et === 'DeleteValue';
      const last = path.lastIndexOf('\\');
      if (isValue && last > first) {
        o.put('registry.key', path.slice(first + 1, last));
        o.put('registry.value', path.slice(last + 1));
      } else o.put('registry.key', path.slice(first + 1));
    }
  }
  const details = o.d('Details');
  if (details) {
    o.put('registry.data.strings', [details]);
    if (details.startsWith('DWORD ')) o.put('registry.data.type', 'SZ_DWORD');
    else if (details.startsWith('QWORD ')) o.put('registry.data.type', 'SZ_QWORD');
    else if (details === 'Binary Data') o.put('registry.data.type', 'SZ_BINARY');
  }
}

function putSubject(o: Out): void {
  o.put('user.name', o.d('SubjectUserName'));
  o.put('user.domain', o.d('SubjectDomainName'));
  o.put('user.id', o.sid('SubjectUserSid'));
}

function mapSecurity(id: string, o: Out): void {
  switch (id) {
    case '4624':
    case '4625':
    case '4634':
    case '4647':
    case '4648': {
      if (id === '4648') {
        putSubject(o);
        o.put('user.target.name', o.d('TargetUserName'));
        o.put('user.target.domain', o.d('TargetDomainName'));
      } else {
        o.put('user.name', o.d('TargetUserName'));
        o.put('user.domain', o.d('TargetDomainName'));
        o.put('user.id', o.sid('TargetUserSid'));
      }
      o.put('source.ip', toIp(o.d('IpAddress')));
      const port = toPort(o.d('IpPort'));
      if (port) o.put('source.port', port);
      o.put('source.domain', o.d('WorkstationName'));
      const lt = o.d('LogonType');
      if (lt !== null) o.put('winlog.logon.type', Object.hasOwn(LOGON_TYPES, lt) ? LOGON_TYPES[lt] : lt);
      o.put('winlog.logon.id', o.d('TargetLogonId'));
      if (id === '4625') {
        o.put('winlog.logon.failure.reason', o.d('FailureReason'));
        o.put('winlog.logon.failure.status', o.d('Status'));
        o.put('winlog.logon.failure.sub_status', o.d('SubStatus'));
      }
      putExecutable(o, P_PROCESS, o.d('ProcessName'));
      o.put('process.pid', toInt(o.d('ProcessId')));
      break;
    }
    case '4688':
      putSubject(o);
      putExecutable(o, P_PROCESS, o.d('NewProcessName'));
      o.put('process.pid', toInt(o.d('NewProcessId')));
      o.put('process.command_line', o.d('CommandLine'));
      putExecutable(o, P_PARENT, o.d('ParentProcessName'));
      o.put('process.parent.pid', toInt(o.d('ProcessId')));
      break;
    case '4689':
      putSubject(o);
      putExecutable(o, P_PROCESS, o.d('ProcessName'));
      o.put('process.pid', toInt(o.d('ProcessId')));
      break;
    case '4720': case '4722': case '4723': case '4724': case '4725': case '4726': case '4738':
      putSubject(o);
      o.put('user.target.name', o.d('TargetUserName'));
      o.put('user.target.domain', o.d('TargetDomainName'));
      o.put('user.target.id', o.sid('TargetSid'));
      break;
    case '4728': case '4729': case '4732': case '4733': case '4756': case '4757':
      putSubject(o);
      o.put('group.name', o.d('TargetUserName'));
      o.put('group.domain', o.d('TargetDomainName'));
      o.put('group.id', o.sid('TargetSid'));
      o.put('user.target.id', o.sid('MemberSid'));
      o.put('user.target.name', o.d('MemberName'));
      break;
    case '4946': case '4947': case '4948':
      o.put('rule.id', o.d('RuleId'));
      o.put('rule.name', o.d('RuleName'));
      break;
    case '5156':
    case '5157': {
      const dir = o.d('Direction');
      if (dir === '%%14592' || dir === 'Inbound') o.put('network.direction', 'ingress');
      else if (dir === '%%14593' || dir === 'Outbound') o.put('network.direction', 'egress');
      o.put('source.ip', toIp(o.d('SourceAddress')));
      o.put('source.port', toPort(o.d('SourcePort')));
      o.put('destination.ip', toIp(o.d('DestAddress')));
      o.put('destination.port', toPort(o.d('DestPort')));
      const proto = o.d('Protocol');
      if (proto) {
        o.put('network.iana_number', proto);
        if (Object.hasOwn(IANA_TRANSPORT, proto)) o.put('network.transport', IANA_TRANSPORT[proto]);
      }
      putExecutable(o, P_PROCESS, o.d('Application'));
      o.put('process.pid', toInt(o.d('ProcessID')));
      break;
    }
    case '5140':
    case '5145':
      putSubject(o);
      o.put('source.ip', toIp(o.d('IpAddress')));
      o.put('source.port', toPort(o.d('IpPort')));
      break;
    default:
      putSubject(o);
  }
}

/** Map a Windows record: system fields + event data → ECS, into `o`. */
function mapWindows(sys: WinSystem, o: Out, warnings: string[]): void {
  const id = sys.eventId;
  if (id !== null) {
    o.put('event.code', id);
    o.put('winlog.event_id', id);
  }
  o.put('event.provider', sys.provider);
  o.put('winlog.channel', sys.channel);
  o.put('winlog.provider_name', sys.provider);
  o.put('winlog.provider_guid', sys.providerGuid);
  o.put('winlog.computer_name', sys.computer);
  o.put('host.name', sys.computer);
  if (sys.recordId !== undefined && sys.recordId !== null) o.put('winlog.record_id', String(sys.recordId));
  o.put('winlog.process.pid', sys.pid);
  o.put('winlog.process.thread.id', sys.tid);
  if (sys.userSid) o.put('winlog.user.identifier', sys.userSid);
  if (sys.activityId) o.put('winlog.activity_id', sys.activityId);
  o.put('winlog.keywords', sys.keywords);
  if (sys.level !== null) {
    o.put('winlog.level', sys.level);
    if (sys.level >= 0 && sys.level < LEVELS.length) o.put('log.level', LEVELS[sys.level]);
  }
  o.put('winlog.task', numOrString(sys.task));
  o.put('winlog.opcode', numOrString(sys.opcode));
  o.put('winlog.version', numOrString(sys.version));
  o.put('message', sys.message);
  if (id === null) {
    warnings.push('EventID: missing');
    return;
  }
  const ch = sys.channel ?? '';
  const prov = sys.provider ?? '';
  let row: Row | undefined;
  if (ch === 'Microsoft-Windows-Sysmon/Operational' || prov === 'Microsoft-Windows-Sysmon') {
    row = Object.hasOwn(SYSMON, id) ? SYSMON[id] : undefined;
    applyRow(o, row);
    mapSysmon(id, o);
  } else if (ch === 'Security' || prov === 'Microsoft-Windows-Security-Auditing') {
    row = Object.hasOwn(SECURITY, id) ? SECURITY[id] : undefined;
    applyRow(o, row);
    mapSecurity(id, o);
    if (!row || row[3] === undefined) {
      const outcome = auditOutcome(sys.keywords);
      if (outcome) o.put('event.outcome', outcome);
    }
  } else if (ch === 'System') {
    applyRow(o, Object.hasOwn(SYSTEM_CHANNEL, id) ? SYSTEM_CHANNEL[id] : undefined);
    if (id === '7045') {
      o.put('service.name', o.d('ServiceName'));
      putFile(o, o.d('ImagePath'));
    } else {
      o.put('user.name', o.d('SubjectUserName'));
      o.put('user.domain', o.d('SubjectDomainName'));
    }
  } else if (ch === 'Microsoft-Windows-Windows Defender/Operational') {
    applyRow(o, Object.hasOwn(DEFENDER, id) ? DEFENDER[id] : undefined);
    putUser(o, P_USER, o.d('DetectionUser'));
    putFile(o, o.d('Path'));
  }
}

/** Numbers stay numbers and numeric strings become numbers (XML exports give strings); '' is absent. */
function numOrString(v: unknown): number | string | null {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string' || v.length === 0) return null;
  return toInt(v) ?? v;
}

function applyRow(o: Out, row: Row | undefined): void {
  if (!row) return;
  o.put('event.action', row[0]);
  o.put('event.category', row[1].slice());
  o.put('event.type', row[2].slice());
  if (row[3]) o.put('event.outcome', row[3]);
}

/** Security audit keywords: bit 0x0020000000000000 success, 0x0010000000000000 failure. */
function auditOutcome(k: string | null): string | null {
  if (!k || !k.startsWith('0x') || k.length !== 18) return null;
  const nib = parseInt(k[4], 16);
  if (nib & 2) return 'success';
  if (nib & 1) return 'failure';
  return null;
}

// ---------------------------------------------------------------------------------------------
// Entry points

/**
 * Draft for an object record that `windowsShape` recognised. Fails only when the record has no
 * EventID at all (not a usable Windows event).
 */
export function windowsDraft(o: Obj, shape: WindowsShape, ctx: NormalizeContext, _opts?: NormalizeOptions): Result<Draft, string> {
  const warnings: string[] = [];
  if (shape === 'winlogbeat') return winlogbeatDraft(o, ctx, warnings);
  let sys: WinSystem;
  let data: Obj;
  if (shape === 'event') {
    const wrapped = getOwn(o, 'Event');
    const root = isObj(wrapped) ? wrapped : o;
    sys = systemFromXml(getOwn(root, 'System') as Obj, root);
    data = xmlEventData(getOwn(root, 'EventData'), getOwn(root, 'UserData'), warnings);
  } else {
    sys = systemFromFlat(o);
    data = flatEventData(o, warnings);
  }
  if (sys.eventId === null) return err('EventID: missing or not a number/string');
  let ts: number | null = null;
  if (sys.time !== undefined && sys.time !== null) {
    ts = parseTimestamp(sys.time, receivedMs(ctx));
    if (ts === null) warnings.push(`TimeCreated.SystemTime: not a valid date: ${q(sys.time)}`);
  }
  const ev = skeleton(ts ?? receivedMs(ctx));
  mapWindows(sys, new Out(ev, false, data), warnings);
  (child(ev, 'winlog') as Obj).event_data = data;
  return ok({ ev, warnings, hasTime: ts !== null });
}

/** winlogbeat documents already are ECS: pass through, then fill what the mapping adds. */
function winlogbeatDraft(o: Obj, ctx: NormalizeContext, warnings: string[]): Result<Draft, string> {
  const ev = cloneJson(o, true, warnings);
  if (!isObj(ev)) return err('record: too many values');
  const wl = getOwn(ev, 'winlog');
  if (!isObj(wl)) return err('winlog: not an object');
  const eid = getOwn(wl, 'event_id') ?? getPath(ev, 'event.code');
  const dataRaw = getOwn(wl, 'event_data');
  const data = isObj(dataRaw) ? dataRaw : {};
  const proc = getOwn(wl, 'process');
  const sys: WinSystem = {
    eventId: scalarString(eid),
    channel: scalarString(getOwn(wl, 'channel')),
    computer: scalarString(getOwn(wl, 'computer_name')),
    provider: scalarString(getOwn(wl, 'provider_name')),
    providerGuid: scalarString(getOwn(wl, 'provider_guid')),
    time: undefined,
    recordId: getOwn(wl, 'record_id'),
    level: null,
    task: getOwn(wl, 'task'),
    opcode: getOwn(wl, 'opcode'),
    keywords: null,
    version: getOwn(wl, 'version'),
    pid: toInt(getPath(proc as Obj, 'pid') ?? null),
    tid: toInt(getPath(proc as Obj, 'thread.id') ?? null),
    userSid: null,
    activityId: scalarString(getOwn(wl, 'activity_id')),
    message: null,
  };
  if (sys.eventId === null) return err('winlog.event_id: missing or not a number/string');
  // winlog.event_id as a string (winlogbeat 7 sent a number).
  setOwn(wl, 'event_id', sys.eventId);
  let ts: number | null = null;
  for (const k of ['@timestamp', 'event.created']) {
    const v = getPath(ev, k);
    if (v === undefined || v === null) continue;
    ts = parseTimestamp(v, receivedMs(ctx));
    if (ts === null) {
      if (k === '@timestamp') return err(`@timestamp: not a valid date: ${q(v)}`);
      warnings.push(`${k}: not a valid date: ${q(v)}`);
    } else break;
  }
  ev['@timestamp'] = toIso(ts ?? receivedMs(ctx));
  const event = child(ev, 'event');
  if (!event) return err('event: not an object');
  if (getOwn(event, 'kind') === undefined) event.kind = 'event';
  mapWindows(sys, new Out(ev, true, data), warnings);
  return ok({ ev, warnings, hasTime: ts !== null });
}

/** An object record in one of the Windows shapes → event. */
export function normalizeWindows(o: Obj, ctx: NormalizeContext, opts?: NormalizeOptions): Result<NormalizedEvent, string> {
  const shape = windowsShape(o);
  if (!shape) return err('record: not a Windows event (no Event.System, EventID + Channel, or winlog)');
  const d = windowsDraft(o, shape, ctx, opts);
  if (!d.ok) return d;
  return ok(finish(d.value.ev, d.value.warnings, o));
}
