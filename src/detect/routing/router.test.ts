import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VigilEvent } from '../../core/index.ts';
import type { Logsource } from '../types.ts';
import { compileRouting, defaultCompiledRouting, logsourceKey, testCondition } from './compile.ts';
import type { RoutingConfig } from './config.ts';
import { Router } from './router.ts';

const ev = (extra: Record<string, unknown>): VigilEvent =>
  ({ id: 'E', input: { type: 'http', name: 'http' }, '@timestamp': '2024-01-01T00:00:00.000Z', original: {}, ...extra }) as VigilEvent;

const CONFIG: RoutingConfig = {
  fieldsets: { w: { prefixes: ['winlog.event_data.'] } },
  logsources: [
    { id: 'win', product: 'windows', fields: 'w', when: [{ conditions: { 'winlog.event_id': { exists: true } } }] },
    { id: 'sec', product: 'windows', service: 'security', fields: 'w', when: [{ conditions: { 'winlog.channel': 'Security' } }] },
    { id: 'sysmon', product: 'windows', service: 'sysmon', fields: 'w', when: [{ conditions: { 'winlog.channel': 'Sysmon' } }] },
    {
      id: 'pc',
      product: 'windows',
      category: 'process_creation',
      fields: 'w',
      when: [
        { conditions: { 'winlog.channel': 'Sysmon', 'winlog.event_id': 1 } },
        { conditions: { 'winlog.channel': 'Security', 'winlog.event_id': 4688 }, rename: { Image: 'NewProcessName' } },
      ],
    },
    { id: 'auth', product: 'linux', service: 'auth', when: [{ conditions: { app: ['sshd', 'su'] } }, { conditions: { app: { startswith: ['sshd(', 'su('] } } }] },
    { id: 'web', category: 'webserver', when: [{ conditions: { 'event.category': 'web' } }] },
    { id: 'notcron', product: 'linux', service: 'other', when: [{ conditions: { app: { not: ['cron', 'sshd'] }, host: { exists: true } } }] },
  ],
};

/** The specified routing, the slow way: every resolved branch's conditions tested on the event. */
export function directRoute(sources: Logsource[], e: VigilEvent): string[] {
  const routing = defaultCompiledRouting();
  const keys = new Set<string>();
  for (const s of sources) {
    const r = routing.resolve(s);
    if (r.ok && r.branches.some((b) => b.conditions.every((c) => testCondition(c, e)))) keys.add(logsourceKey(s));
  }
  return [...keys].sort();
}

const ls = (product?: string, category?: string, service?: string): Logsource => ({
  ...(product ? { product } : {}),
  ...(category ? { category } : {}),
  ...(service ? { service } : {}),
});

describe('Router', () => {
  const routing = compileRouting(CONFIG);

  it('resolves logsources as pySigma does and reports the ones without a mapping', () => {
    const r = new Router(routing, [
      ls('windows', 'process_creation'), ls('windows', undefined, 'security'), ls('windows'),
      ls('windows', 'file_access'), ls('okta', undefined, 'okta'), ls('windows', 'process_creation', 'sysmon'),
      ls('WINDOWS', 'Process_Creation'), {},
    ]);
    assert.deepEqual(r.keys, ['windows/process_creation/*', 'windows/*/security', 'windows/*/*', 'windows/process_creation/sysmon']);
    const reasons = Object.fromEntries(r.unsupported.map((u) => [u.key, u.reason]));
    assert.match(reasons['windows/file_access/*'], /logsource windows\/file_access\/\* \(product: windows, category: file_access\) has no mapping \(no entry for its category; nearest: win\)/);
    assert.match(reasons['okta/*/okta'], /has no mapping/);
    assert.match(reasons['*/*/*'], /is empty/);
    assert.equal(r.unsupported.length, 3);
  });

  it('routes by channel and event id, with the branch field mapping', () => {
    const r = new Router(routing, [ls('windows', 'process_creation'), ls('windows', undefined, 'security'), ls('windows'), ls('windows', 'process_creation', 'sysmon')]);
    const sysmon1 = ev({ winlog: { channel: 'Sysmon', event_id: '1' } });
    assert.deepEqual(r.route(sysmon1).sort(), ['windows/*/*', 'windows/process_creation/*', 'windows/process_creation/sysmon']);
    const sec = ev({ winlog: { channel: 'Security', event_id: '4688', event_data: { NewProcessName: 'C:\\x.exe' } } });
    assert.deepEqual(r.route(sec).sort(), ['windows/*/*', 'windows/*/security', 'windows/process_creation/*']);
    const pc = r.targets(sec).find((t) => t.key === 'windows/process_creation/*');
    assert.equal(pc?.fields.read(sec, 'Image'), 'C:\\x.exe');
    assert.deepEqual(pc?.entries, ['pc']);
    // The AND of process_creation and the sysmon service: only the Sysmon branch survives.
    assert.ok(!r.route(sec).includes('windows/process_creation/sysmon'));
    assert.deepEqual(r.route(ev({ winlog: { channel: 'security', event_id: 4688 } })).sort(), ['windows/*/*', 'windows/*/security', 'windows/process_creation/*'], 'case-insensitive, numbers as strings');
    assert.deepEqual(r.route(ev({ winlog: { channel: 'Security', event_id: '4624' } })).sort(), ['windows/*/*', 'windows/*/security']);
    assert.deepEqual(r.route(ev({ message: 'plain' })), []);
    assert.equal(r.stats().signatures, 4, 'spellings of one value share a signature');
  });

  it('checks startswith per event, and handles not / exists', () => {
    const r = new Router(routing, [ls('linux', undefined, 'auth'), ls('linux', undefined, 'other')]);
    assert.deepEqual(r.route(ev({ app: 'sshd' })), ['linux/*/auth']);
    assert.deepEqual(r.route(ev({ app: 'sshd(pam_unix)', host: 'h' })).sort(), ['linux/*/auth', 'linux/*/other']);
    assert.deepEqual(r.route(ev({ app: 'su(pam_unix)' })).sort(), ['linux/*/auth']);
    assert.deepEqual(r.route(ev({ app: 'sudo(pam_unix)' })), []);
    assert.deepEqual(r.route(ev({ app: 'cron', host: 'h' })), []);
    assert.deepEqual(r.route(ev({ host: 'h' })), ['linux/*/other'], 'absent passes not');
    assert.deepEqual(r.route(ev({ app: 'CRONX', host: 'h' })), ['linux/*/other']);
  });

  it('matches array values by element, and evaluates directly when an array names two known values', () => {
    const r = new Router(routing, [ls(undefined, 'webserver'), ls('linux', undefined, 'auth')]);
    assert.deepEqual(r.route(ev({ event: { category: ['network', 'web'] } })), ['*/webserver/*']);
    assert.deepEqual(r.route(ev({ event: { category: ['network'] } })), []);
    assert.deepEqual(r.route(ev({ app: ['sshd', 'su'] })), ['linux/*/auth']);
  });

  it('routes synthetic events of every family with the default configuration, as direct evaluation does', () => {
    const routing2 = defaultCompiledRouting();
    const sources = routing2.config.logsources.map((l) => ({ product: l.product, category: l.category, service: l.service }));
    const r = new Router(routing2, sources);
    assert.equal(r.unsupported.length, 0, JSON.stringify(r.unsupported));
    const events = [
      ev({ winlog: { channel: 'Microsoft-Windows-Sysmon/Operational', event_id: '12', event_data: { EventType: 'DeleteValue' } } }),
      ev({ winlog: { channel: 'Microsoft-Windows-Sysmon/Operational', event_id: '12', event_data: { EventType: 'CreateKey' } } }),
      ev({ winlog: { channel: 'Linux-Sysmon/Operational', event_id: '1' } }),
      ev({ log: { syslog: { appname: 'sshd(pam_unix)' } }, message: 'x' }),
      ev({ log: { syslog: { appname: 'sudo', facility: { name: 'authpriv' } } } }),
      ev({ event: { category: ['process'], type: ['start'], module: 'auditd', action: 'executed' }, host: { os: { type: 'linux' } } }),
      ev({ http: { request: { method: 'GET' } }, url: { original: '/x' } }),
      ev({ original: { eventSource: 's3.amazonaws.com', awsRegion: 'eu-west-1' } }),
      ev({ msg: 'audit(123:4)', type: 'EXECVE' }),
    ];
    const expected = [
      ['windows/*/*', 'windows/*/sysmon', 'windows/registry_delete/*', 'windows/registry_event/*'],
      ['windows/*/*', 'windows/*/sysmon', 'windows/registry_add/*', 'windows/registry_event/*'],
      ['linux/*/*', 'linux/process_creation/*'],
      ['linux/*/*', 'linux/*/auth', 'linux/*/sshd', 'linux/*/syslog'],
      ['linux/*/*', 'linux/*/auth', 'linux/*/sudo', 'linux/*/syslog'],
      ['linux/*/*', 'linux/*/auditd', 'linux/process_creation/*'],
      ['*/webserver/*'],
      ['aws/*/cloudtrail'],
      ['linux/*/auditd'],
    ];
    events.forEach((e, i) => {
      assert.deepEqual(r.route(e).sort(), expected[i], `event ${i}`);
      assert.deepEqual(r.route(e).sort(), directRoute(sources, e), `event ${i} (direct)`);
    });
    assert.equal(logsourceKey({ product: ' Windows ', category: '' }), 'windows/*/*');
  });
});
