import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it, type TestContext } from 'node:test';
import type { NormalizeContext } from '../core/index.ts';
import { normalizeRecord } from './index.ts';
import { normalizeWindows, windowsShape } from './windows.ts';

const CORPUS = '/work/shared/data/windows-events';
const ctx: NormalizeContext = { input: { type: 'file', name: 'evtx' }, receivedAt: new Date('2025-01-05T00:00:00.000Z') };
type Rec = Record<string, any>;

const fileCache = new Map<string, Rec[] | null>();
/** A corpus record by file and EventRecordID; skips the test when the corpus is absent. */
function record(t: TestContext, file: string, recordId: number): Rec | null {
  let recs = fileCache.get(file);
  if (recs === undefined) {
    try {
      recs = readFileSync(`${CORPUS}/${file}`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);
    } catch {
      recs = null;
    }
    fileCache.set(file, recs);
  }
  if (!recs) {
    t.skip('windows-events corpus not present');
    return null;
  }
  const r = recs.find((o) => o.EventRecordID === recordId);
  assert.ok(r, `record ${recordId} in ${file}`);
  return r;
}

function norm(o: Rec): Rec {
  const r = normalizeRecord({ kind: 'object', value: o }, ctx);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.value as Rec;
}

const PANACHE = 'automated-testing-tools/PanacheSysmon_vs_AtomicRedTeam01.ndjson';
const RDP = 'command-and-control/DE_RDP_Tunnel_5156.ndjson';

describe('windows: flat corpus shape, Sysmon', () => {
  it('1 process creation', (t) => {
    const o = record(t, PANACHE, 3572);
    if (!o) return;
    const e = norm(o);
    assert.equal(e.original, o);
    assert.equal(e['@timestamp'], '2019-07-19T14:42:51.446Z');
    assert.deepEqual(e.event, {
      kind: 'event', code: '1', provider: 'Microsoft-Windows-Sysmon', action: 'process-created', category: ['process'], type: ['start'],
    });
    assert.deepEqual(e.host, { name: 'MSEDGEWIN10' });
    assert.deepEqual(e.log, { level: 'information' });
    assert.deepEqual(e.user, { name: 'SYSTEM', domain: 'NT AUTHORITY' });
    assert.deepEqual(e.process, {
      executable: 'C:\\Windows\\System32\\consent.exe', name: 'consent.exe', pid: 5828,
      entity_id: '{747F3D96-D6EB-5D31-0000-0010E0252500}', command_line: 'consent.exe 4516 288 0000023C0CA21C70',
      working_directory: 'C:\\Windows\\system32\\',
      parent: {
        executable: 'C:\\Windows\\System32\\svchost.exe', name: 'svchost.exe', pid: 4516,
        entity_id: '{747F3D96-D4B9-5D31-0000-0010F70B0700}', command_line: 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Appinfo',
      },
      hash: {
        sha1: '9329b2362078de27242dd4534f588af3264bf0bf', md5: '27992d7ebe51aec655a088de88bad5c9',
        sha256: '8f112431143a22baaafb448eefd63bf90e7691c890ac69a296574fd07ba03ec6',
      },
      pe: {
        imphash: '522d83761201075834f05037f5307949', company: 'Microsoft Corporation',
        description: 'Consent UI for administrative applications', product: 'Microsoft® Windows® Operating System',
        file_version: '10.0.17763.1 (WinBuild.160101.0800)',
      },
    });
    const { event_data, ...winlog } = e.winlog;
    assert.deepEqual(winlog, {
      event_id: '1', channel: 'Microsoft-Windows-Sysmon/Operational', provider_name: 'Microsoft-Windows-Sysmon',
      provider_guid: '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}', computer_name: 'MSEDGEWIN10', record_id: '3572',
      process: { pid: 2796, thread: { id: 3592 } }, user: { identifier: 'S-1-5-18' }, keywords: '0x8000000000000000',
      level: 4, task: 1, opcode: 0, version: 5,
    });
    // original Windows field names, untouched, for Sigma; no System fields among them
    assert.equal(event_data.Image, 'C:\\Windows\\System32\\consent.exe');
    assert.equal(event_data.Hashes, o.Hashes);
    assert.equal(event_data.IntegrityLevel, 'System');
    assert.equal(event_data.EventID, undefined);
    assert.equal(event_data.TimeCreated_SystemTime, undefined);
    assert.equal(Object.keys(event_data).length, 21);
    assert.equal(e.vigil, undefined);
  });

  it('3 network connection', (t) => {
    const o = record(t, PANACHE, 3757);
    if (!o) return;
    const e = norm(o);
    assert.deepEqual(e.event.category, ['network']);
    assert.deepEqual(e.event.type, ['connection', 'start']);
    assert.equal(e.event.action, 'network-connection');
    assert.deepEqual(e.source, { ip: '10.0.2.15', port: 49727, domain: 'MSEDGEWIN10.home' });
    assert.deepEqual(e.destination, { ip: '172.217.17.132', port: 80, domain: 'ams15s30-in-f4.1e100.net' });
    assert.deepEqual(e.network, { transport: 'tcp', type: 'ipv4', direction: 'egress' });
    assert.deepEqual(e.user, { name: 'IEUser', domain: 'MSEDGEWIN10' });
    assert.deepEqual(e.rule, { name: 'Suspicious NetCon' });
    assert.equal(e.process.name, 'powershell.exe');
  });

  it('7 image load', (t) => {
    const o = record(t, PANACHE, 3646);
    if (!o) return;
    const e = norm(o);
    assert.deepEqual(e.event.category, ['library']);
    assert.equal(e.event.action, 'image-loaded');
    assert.equal(e.process.executable, 'C:\\Windows\\System32\\wbengine.exe');
    assert.equal(e.file.path, 'C:\\Windows\\System32\\taskschd.dll');
    assert.equal(e.file.name, 'taskschd.dll');
    assert.equal(e.file.directory, 'C:\\Windows\\System32');
    assert.equal(e.file.extension, 'dll');
    assert.equal(e.file.hash.sha256, '15817a5cb717d4846ae753a27cd8859bce63004143083027fa5ec9324dfc5188');
    assert.equal(e.file.pe.imphash, '5694d579c32f1a7eb5fa54148c174c38');
    assert.deepEqual(e.file.code_signature, { signed: true, subject_name: 'Microsoft Windows', status: 'Valid', valid: true });
    assert.equal(e.process.hash, undefined);
  });

  it('10 process access, 11 file create, 13 registry value set', (t) => {
    const a = record(t, PANACHE, 4112);
    if (!a) return;
    const pa = norm(a);
    assert.deepEqual(pa.event.type, ['access']);
    assert.equal(pa.event.action, 'process-accessed');
    assert.deepEqual(pa.process, {
      executable: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', name: 'powershell.exe', pid: 5840,
      entity_id: '{747F3D96-DD47-5D31-0000-001015874900}', thread: { id: 3272 },
    });
    assert.equal(pa.winlog.event_data.TargetImage, 'C:\\Windows\\system32\\lsass.exe');
    assert.equal(pa.winlog.event_data.GrantedAccess, '0x1010');

    const fc = norm(record(t, PANACHE, 3575)!);
    assert.deepEqual(fc.event.category, ['file']);
    assert.deepEqual(fc.event.type, ['creation']);
    assert.deepEqual(fc.file, {
      path: 'C:\\Users\\IEUser\\AppData\\Local\\Temp\\phvj2yfb\\phvj2yfb.dll', name: 'phvj2yfb.dll',
      directory: 'C:\\Users\\IEUser\\AppData\\Local\\Temp\\phvj2yfb', extension: 'dll',
    });

    const rg = norm(record(t, PANACHE, 3578)!);
    assert.deepEqual(rg.event.category, ['registry']);
    assert.deepEqual(rg.event.type, ['change']);
    assert.equal(rg.event.action, 'registry-value-set');
    assert.deepEqual(rg.registry, {
      path: 'HKLM\\System\\CurrentControlSet\\Services\\AtomicTestService\\Start', hive: 'HKLM',
      key: 'System\\CurrentControlSet\\Services\\AtomicTestService', value: 'Start',
      data: { strings: ['DWORD (0x00000003)'], type: 'SZ_DWORD' },
    });
  });

  it('22 DNS query', (t) => {
    const o = record(t, 'privilege-escalation/Sysmon_UACME_64.ndjson', 1084);
    if (!o) return;
    const e = norm(o);
    assert.equal(e.event.action, 'dns-query');
    assert.deepEqual(e.dns, { question: { name: 'wpad' }, response_code: 'NXDOMAIN' });
    assert.equal(e.host.name, 'DESKTOP-NTSSLJD');
  });
});

describe('windows: flat corpus shape, Security', () => {
  it('4624 logon success', (t) => {
    const o = record(t, RDP, 227701);
    if (!o) return;
    const e = norm(o);
    assert.deepEqual(e.event, {
      kind: 'event', code: '4624', provider: 'Microsoft-Windows-Security-Auditing', action: 'logged-in',
      category: ['authentication'], type: ['start'], outcome: 'success',
    });
    assert.deepEqual(e.user, { name: 'user01', domain: 'EXAMPLE', id: 'S-1-5-21-1587066498-1489273250-1035260531-1106' });
    assert.deepEqual(e.source, { ip: '127.0.0.1', domain: 'PC01' });
    assert.deepEqual(e.winlog.logon, { type: 'CachedInteractive', id: '0x1414c8' });
    assert.equal(e.winlog.event_data.LogonType, '11');
    assert.deepEqual(e.process, { executable: 'C:\\Windows\\System32\\winlogon.exe', name: 'winlogon.exe', pid: 0x704 });
  });

  it('4625 logon failure', (t) => {
    const o = record(t, 'credential-access/CA_4624_4625_LogonType2_LogonProc_chrome.ndjson', 137222);
    if (!o) return;
    const e = norm(o);
    assert.equal(e.event.action, 'logon-failed');
    assert.equal(e.event.outcome, 'failure');
    assert.deepEqual(e.user, { name: 'IEUser', domain: 'MSEDGEWIN10' }); // NULL SID S-1-0-0 dropped
    assert.deepEqual(e.source, { domain: 'MSEDGEWIN10' }); // IpAddress "-" is no value
    assert.deepEqual(e.winlog.logon, {
      type: 'Interactive', failure: { reason: '%%2313', status: '0xc000006d', sub_status: '0xc000006a' },
    });
  });

  it('4688 process creation, 1102 log cleared, 5156 WFP connection', (t) => {
    const p = record(t, RDP, 227695);
    if (!p) return;
    const e = norm(p);
    assert.equal(e.event.action, 'process-created');
    assert.deepEqual(e.process, { executable: 'C:\\Windows\\System32\\TSTheme.exe', name: 'TSTheme.exe', pid: 0x1fc, parent: { pid: 0x278 } });
    assert.deepEqual(e.user, { name: 'PC01$', domain: 'EXAMPLE', id: 'S-1-5-18' });

    const c = norm(record(t, RDP, 227693)!);
    assert.equal(c.event.action, 'audit-log-cleared');
    assert.equal(c.event.provider, 'Microsoft-Windows-Eventlog');
    assert.equal(c.event.outcome, 'success'); // from the audit keywords 0x4020...
    assert.deepEqual(c.user, { name: 'admin01', domain: 'EXAMPLE', id: 'S-1-5-21-1587066498-1489273250-1035260531-1108' });

    const w = norm(record(t, RDP, 227694)!);
    assert.deepEqual(w.event.category, ['network']);
    assert.deepEqual(w.event.type, ['connection', 'allowed']);
    assert.deepEqual(w.source, { ip: 'fe80::80ac:4126:fa58:1b81', port: 546 });
    assert.deepEqual(w.destination, { ip: 'ff02::1:2', port: 547 });
    assert.deepEqual(w.network, { direction: 'egress', iana_number: '17', transport: 'udp' });
    assert.deepEqual(w.process, { executable: '\\device\\harddiskvolume1\\windows\\system32\\svchost.exe', name: 'svchost.exe', pid: 820 });
  });

  it('4720 user created, 4732 member added to group', (t) => {
    const u = record(t, 'defense-evasion/DE_Fake_ComputerAccount_4720.ndjson', 769629);
    if (!u) return;
    const e = norm(u);
    assert.deepEqual(e.event.category, ['iam']);
    assert.deepEqual(e.event.type, ['user', 'creation']);
    assert.equal(e.event.action, 'added-user-account');
    assert.deepEqual(e.user, {
      name: '01566S-WIN16-IR$', domain: '3B', id: 'S-1-5-18',
      target: { name: '$', domain: '3B', id: 'S-1-5-21-308926384-506822093-3341789130-107103' },
    });
    const g = norm(record(t, 'persistence/Network_Service_Guest_added_to_admins_4732.ndjson', 191029)!);
    assert.equal(g.event.action, 'added-member-to-group');
    assert.deepEqual(g.event.type, ['group', 'change']);
    assert.deepEqual(g.group, { name: 'Administrators', domain: 'Builtin', id: 'S-1-5-32-544' });
    assert.deepEqual(g.user.target, { id: 'S-1-5-21-3461203602-4096304019-2269080069-501' });
  });

  it('the whole corpus normalises without errors or warnings', (t) => {
    const manifest = (() => { try { return readFileSync(`${CORPUS}/manifest.csv`, 'utf8'); } catch { return null; } })();
    if (!manifest) return t.skip('windows-events corpus not present');
    let n = 0;
    for (const row of manifest.split('\n').slice(1)) {
      const file = row.split(',')[0];
      if (!file) continue;
      for (const line of readFileSync(`${CORPUS}/${file}`, 'utf8').split('\n')) {
        if (!line) continue;
        const o = JSON.parse(line) as Rec;
        const e = norm(o);
        assert.equal(e.vigil, undefined, line.slice(0, 200));
        assert.equal(e.event.code, String(o.EventID));
        assert.match(e['@timestamp'], /^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        n++;
      }
    }
    assert.equal(n, 8248);
  });
});

/** The corpus record rebuilt the way xmltodict renders python-evtx XML (strings, @attributes, Data list). */
function toXmltodict(o: Rec): Rec {
  const sys = new Set(['EventID', 'EventID_Qualifiers', 'Channel', 'Computer', 'EventRecordID', 'Level', 'Task', 'Opcode', 'Keywords', 'Version',
    'Provider_Name', 'Provider_Guid', 'TimeCreated_SystemTime', 'Execution_ProcessID', 'Execution_ThreadID', 'Security_UserID',
    'Correlation_ActivityID', 'Correlation_RelatedActivityID']);
  const data = Object.keys(o).filter((k) => !sys.has(k)).map((k) => (o[k] === '' ? { '@Name': k } : { '@Name': k, '#text': String(o[k]) }));
  return {
    Event: {
      '@xmlns': 'http://schemas.microsoft.com/win/2004/08/events/event',
      System: {
        Provider: { '@Name': o.Provider_Name, '@Guid': o.Provider_Guid },
        EventID: { '@Qualifiers': '', '#text': String(o.EventID) },
        Version: String(o.Version), Level: String(o.Level), Task: String(o.Task), Opcode: String(o.Opcode), Keywords: o.Keywords,
        TimeCreated: { '@SystemTime': o.TimeCreated_SystemTime.replace('T', ' ').replace('Z', '') },
        EventRecordID: String(o.EventRecordID),
        Correlation: o.Correlation_ActivityID ? { '@ActivityID': o.Correlation_ActivityID } : null,
        Execution: { '@ProcessID': String(o.Execution_ProcessID), '@ThreadID': String(o.Execution_ThreadID) },
        Channel: o.Channel, Computer: o.Computer,
        Security: o.Security_UserID ? { '@UserID': o.Security_UserID } : null,
      },
      EventData: { Data: data },
    },
  };
}

/** The corpus record rebuilt the way the Rust evtx_dump renders JSON (#attributes, EventData as a map). */
function toEvtxRs(o: Rec): Rec {
  const x = toXmltodict(o).Event;
  const data: Rec = {};
  for (const d of x.EventData.Data) data[d['@Name']] = d['#text'] ?? '';
  return {
    Event: {
      '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
      System: {
        Provider: { '#attributes': { Name: o.Provider_Name, Guid: o.Provider_Guid } },
        EventID: o.EventID, Version: o.Version, Level: o.Level, Task: o.Task, Opcode: o.Opcode, Keywords: o.Keywords,
        TimeCreated: { '#attributes': { SystemTime: o.TimeCreated_SystemTime } },
        EventRecordID: o.EventRecordID,
        Correlation: o.Correlation_ActivityID ? { '#attributes': { ActivityID: o.Correlation_ActivityID } } : null,
        Execution: { '#attributes': { ProcessID: o.Execution_ProcessID, ThreadID: o.Execution_ThreadID } },
        Channel: o.Channel, Computer: o.Computer,
        Security: o.Security_UserID ? { '#attributes': { UserID: o.Security_UserID } } : null,
      },
      EventData: data,
    },
  };
}

describe('windows: XML-as-JSON shapes give the same ECS as the flat shape', () => {
  for (const [file, id] of [[PANACHE, 3572], [PANACHE, 3757], [PANACHE, 3578], [RDP, 227701], ['credential-access/CA_4624_4625_LogonType2_LogonProc_chrome.ndjson', 137222]] as const) {
    it(`${file.split('/')[1]} #${id}`, (t) => {
      const o = record(t, file, id);
      if (!o) return;
      const { original: _a, ...flat } = norm(o);
      for (const shape of [toXmltodict(o), toEvtxRs(o)]) {
        assert.equal(windowsShape(shape), 'event');
        const { original, ...xml } = norm(shape);
        assert.equal(original, shape);
        assert.deepEqual(xml, flat);
      }
    });
  }

  it('xmltodict: single Data object, unnamed Data, UserData (1102), RenderingInfo message', () => {
    const e = norm({
      Event: {
        System: {
          Provider: { '@Name': 'Microsoft-Windows-Eventlog', '@Guid': '{FC65DDD8-D6EF-4962-83D5-6E5CFE9CE148}' },
          EventID: '1102', Level: '4', Keywords: '0x4020000000000000', TimeCreated: { '@SystemTime': '2019-02-13T18:01:41.593830Z' },
          EventRecordID: '227693', Channel: 'Security', Computer: 'PC01.example.corp',
        },
        UserData: {
          LogFileCleared: {
            '@xmlns': 'http://manifests.microsoft.com/win/2004/08/windows/eventlog',
            SubjectUserSid: 'S-1-5-21-1587066498-1489273250-1035260531-1108', SubjectUserName: 'admin01',
            SubjectDomainName: 'EXAMPLE', SubjectLogonId: '0xaf855',
          },
        },
        RenderingInfo: { Message: 'The audit log was cleared.' },
      },
    });
    assert.equal(e.event.action, 'audit-log-cleared');
    assert.deepEqual(e.user, { name: 'admin01', domain: 'EXAMPLE', id: 'S-1-5-21-1587066498-1489273250-1035260531-1108' });
    assert.equal(e.message, 'The audit log was cleared.');
    assert.deepEqual(e.winlog.event_data, {
      SubjectUserSid: 'S-1-5-21-1587066498-1489273250-1035260531-1108', SubjectUserName: 'admin01',
      SubjectDomainName: 'EXAMPLE', SubjectLogonId: '0xaf855',
    });
    const one = norm({
      System: { EventID: { '#text': 7045 }, Channel: 'System', Computer: 'srv', TimeCreated: { SystemTime: '2024-05-01T12:00:00Z' } },
      EventData: { Data: { '@Name': 'ServiceName', '#text': 'evilsvc' } },
    });
    assert.equal(one.event.code, '7045');
    assert.equal(one.event.action, 'service-installed');
    assert.deepEqual(one.service, { name: 'evilsvc' });
    const unnamed = norm({
      Event: { System: { EventID: 300, Channel: 'Application', TimeCreated: { '@SystemTime': '2024-05-01T12:00:00Z' } }, EventData: { Data: ['a', 'b'] } },
    });
    assert.deepEqual(unnamed.winlog.event_data, { Data: ['a', 'b'] });
    assert.equal(unnamed.event.action, undefined);
  });

  it('firewall rule changes 4946-4948 (XML shape)', () => {
    for (const [id, action, type] of [['4946', 'firewall-rule-added', 'creation'], ['4947', 'firewall-rule-modified', 'change'], ['4948', 'firewall-rule-deleted', 'deletion']]) {
      const e = norm({
        Event: {
          System: {
            Provider: { '@Name': 'Microsoft-Windows-Security-Auditing' }, EventID: id, Channel: 'Security', Computer: 'ws1',
            Keywords: '0x8020000000000000', TimeCreated: { '@SystemTime': '2024-05-01T12:00:00.000Z' },
          },
          EventData: { Data: [{ '@Name': 'ProfileChanged', '#text': 'Domain' }, { '@Name': 'RuleId', '#text': '{ABC}' }, { '@Name': 'RuleName', '#text': 'Allow 4444' }] },
        },
      });
      assert.equal(e.event.action, action);
      assert.deepEqual(e.event.category, ['configuration']);
      assert.deepEqual(e.event.type, [type]);
      assert.deepEqual(e.rule, { id: '{ABC}', name: 'Allow 4444' });
    }
  });
});

describe('windows: winlogbeat shape', () => {
  const beat = (): Rec => ({
    '@timestamp': '2019-07-19T14:42:51.446Z',
    event: { code: 1, kind: 'event', created: '2019-07-19T14:43:00.000Z' },
    host: { name: 'msedgewin10.lab' },
    process: { name: 'already-set.exe' },
    'winlog.channel': 'Microsoft-Windows-Sysmon/Operational',
    winlog: {
      event_id: 1, provider_name: 'Microsoft-Windows-Sysmon', computer_name: 'MSEDGEWIN10', record_id: 3572,
      event_data: { Image: 'C:\\Windows\\System32\\consent.exe', CommandLine: 'consent.exe 4516', ProcessId: '5828', User: 'NT AUTHORITY\\SYSTEM' },
    },
    message: 'Process Create:',
  });

  it('passes ECS through and fills only what is missing', () => {
    const o = beat();
    assert.equal(windowsShape(o), 'winlogbeat');
    const e = norm(o);
    assert.equal(e['@timestamp'], '2019-07-19T14:42:51.446Z');
    assert.equal(e.host.name, 'msedgewin10.lab'); // kept
    assert.equal(e.process.name, 'already-set.exe'); // kept
    assert.equal(e.process.executable, 'C:\\Windows\\System32\\consent.exe'); // filled
    assert.equal(e.process.pid, 5828);
    assert.equal(e.process.command_line, 'consent.exe 4516');
    assert.equal(e.event.code, 1); // kept as sent
    assert.equal(e.event.action, 'process-created');
    assert.deepEqual(e.event.category, ['process']);
    assert.equal(e.winlog.event_id, '1');
    assert.equal(e.winlog.channel, 'Microsoft-Windows-Sysmon/Operational');
    assert.deepEqual(e.user, { name: 'SYSTEM', domain: 'NT AUTHORITY' });
    assert.equal(e.message, 'Process Create:');
    assert.equal(e.original, o);
    assert.deepEqual(o.process, { name: 'already-set.exe' }); // the original is not modified
  });

  it('rejects a bad @timestamp and a record without an event id', () => {
    const bad = { ...beat(), '@timestamp': 'yesterday' };
    const r = normalizeRecord({ kind: 'object', value: bad }, ctx);
    assert.equal(r.ok ? '' : r.error, "@timestamp: not a valid date: 'yesterday'");
    const noId = normalizeWindows({ winlog: { channel: 'Security' } }, ctx);
    assert.equal(noId.ok ? '' : noId.error, 'winlog.event_id: missing or not a number/string');
  });
});

describe('windows: robustness', () => {
  it('missing or bad time is a warning; missing EventID is an error', () => {
    const e = norm({ EventID: 4624, Channel: 'Security', TimeCreated_SystemTime: 'garbage', TargetUserName: 'x' });
    assert.equal(e['@timestamp'], '2025-01-05T00:00:00.000Z');
    assert.deepEqual(e.vigil.warnings, ["TimeCreated.SystemTime: not a valid date: 'garbage'"]);
    assert.equal(e.user.name, 'x');
    const r = normalizeWindows({ Event: { System: { Channel: 'Security' } } }, ctx);
    assert.equal(r.ok ? '' : r.error, 'EventID: missing or not a number/string');
  });

  it('an EventID like a prototype member is not mapped through the prototype', () => {
    const e = norm({ EventID: 'constructor', Channel: 'Microsoft-Windows-Sysmon/Operational', Provider_Name: 'Microsoft-Windows-Sysmon' });
    assert.equal(e.event.code, 'constructor');
    assert.equal(e.event.action, undefined);
  });

  it('not a Windows record', () => {
    assert.equal(windowsShape({ message: 'x' }), null);
    assert.equal(windowsShape({ EventID: 1 }), null);
    const r = normalizeWindows({ message: 'x' }, ctx);
    assert.equal(r.ok, false);
  });
});
