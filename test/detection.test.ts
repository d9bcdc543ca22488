/** Live detection in `vigil serve`: rules from vigil.yaml, alerts after the store, reload, restart. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ndjson, startServer, tempDir, waitFor, type TestServer } from './harness.ts';

const RULE = (id: string, title: string, value: string) => `title: ${title}
id: ${id}
status: test
level: high
tags: [attack.execution, attack.t1059.001]
logsource: { product: windows, category: process_creation }
detection:
  selection:
    Image|endswith: '\\\\${value}'
    CommandLine|contains: '-enc'
  condition: selection
`;

const sysmon = (image: string, commandLine: string, host = 'ws-1') => ({
  EventID: 1,
  Channel: 'Microsoft-Windows-Sysmon/Operational',
  Computer: host,
  TimeCreated_SystemTime: '2026-03-03T10:00:00.000Z',
  Image: image,
  CommandLine: commandLine,
  User: 'CORP\\alice',
});

describe('live detection', () => {
  const dir = tempDir();
  const rules = join(dir, 'rules');
  const dataDir = join(dir, 'data');
  let server: TestServer;
  before(async () => {
    mkdirSync(rules);
    writeFileSync(join(rules, 'ps.yml'), RULE('5f0c3a7e-1b2d-4c3e-8f9a-0b1c2d3e4f50', 'Encoded PowerShell', 'powershell.exe'));
    writeFileSync(join(dir, 'vigil.yaml'), `rules:\n  paths: ["${rules}"]\n`);
    server = await startServer({ dataDir, config: join(dir, 'vigil.yaml'), syslog: false });
  });
  after(() => {
    server?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (records: unknown[]) =>
    server.api('/api/v1/events', { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: ndjson(records) });

  it('turns a matching event into an alert with ATT&CK context and entities', async () => {
    const answer = await post([
      sysmon('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'powershell.exe -nop -enc SQBFAFgA'),
      sysmon('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'powershell.exe -File backup.ps1'),
      sysmon('C:\\Windows\\System32\\cmd.exe', 'cmd.exe /c echo -enc'),
    ]);
    assert.equal(answer.status, 202);
    await server.settle();
    const alerts = await (await server.api('/api/v1/alerts?q=rule.id:5f0c3a7e-1b2d-4c3e-8f9a-0b1c2d3e4f50')).json();
    assert.equal(alerts.items.length, 1);
    const alert = alerts.items[0];
    assert.equal(alert.rule.title, 'Encoded PowerShell');
    assert.equal(alert.rule.level, 'high');
    assert.equal(alert.status, 'firing');
    assert.deepEqual(alert.attack.tactics, ['execution']);
    assert.deepEqual(alert.attack.techniques, ['T1059.001']);
    assert.equal(alert.attack.kill_chain_phase, 'exploitation');
    assert.deepEqual(alert.entities.hosts, ['ws-1']);
    assert.equal(alert.first_seen, '2026-03-03T10:00:00.000Z', 'alert times are event times');
    const event = await (await server.api(`/api/v1/events/${alert.event_ids[0]}`)).json();
    assert.match(event.original.CommandLine, /-enc/);
    const one = await (await server.api(`/api/v1/alerts/${alert.id}`)).json();
    assert.equal(one.id, alert.id);
    const metrics = await (await server.api('/metrics')).text();
    assert.match(metrics, /^vigil_alerts_raised_total\{source="sigma"\} 1$/m);
    assert.match(metrics, /^vigil_detection_pending 0$/m);
  });

  it("lists rules with hit counts, last hit and Vigil's own rules", async () => {
    const rules = await (await server.api('/api/v1/rules')).json();
    const mine = rules.items.find((r: any) => r.id === '5f0c3a7e-1b2d-4c3e-8f9a-0b1c2d3e4f50');
    assert.equal(mine.hits, 1);
    assert.equal(mine.last_hit, '2026-03-03T10:00:00.000Z');
    assert.equal(mine.kind, 'detection');
    assert.ok(rules.items.some((r: any) => r.title === 'Security Event Log Cleared'), 'built-in rules are loaded');
    assert.ok(rules.items.some((r: any) => r.kind === 'correlation'));
    assert.deepEqual(rules.rejected, []);
  });

  it('reloads rules when a file changes, without a restart', async () => {
    writeFileSync(join(rules, 'cmd.yml'), RULE('6a1d4b8f-2c3e-4d5f-9a0b-1c2d3e4f5a61', 'Encoded Cmd', 'cmd.exe'));
    await waitFor(async () => {
      const list = await (await server.api('/api/v1/rules')).json();
      return list.items.some((r: any) => r.id === '6a1d4b8f-2c3e-4d5f-9a0b-1c2d3e4f5a61') || null;
    }, 10_000, 'the new rule to load');
    await post([sysmon('C:\\Windows\\System32\\cmd.exe', 'cmd.exe /c start -enc x', 'ws-2')]);
    await server.settle();
    const alerts = await (await server.api('/api/v1/alerts?q=rule.id:6a1d4b8f-2c3e-4d5f-9a0b-1c2d3e4f5a61')).json();
    assert.equal(alerts.items.length, 1);
    assert.deepEqual(alerts.items[0].entities.hosts, ['ws-2']);
  });

  it('neither loses nor repeats detections across a SIGKILL and restart', async () => {
    const before = (await (await server.api('/api/v1/alerts?limit=1000')).json()).items.length;
    await post([sysmon('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'powershell -enc AAAA', 'ws-3')]);
    server.child.kill('SIGKILL');
    await new Promise((resolve) => server.child.once('exit', resolve));
    server = await startServer({ dataDir, config: join(dir, 'vigil.yaml'), syslog: false });
    await server.settle();
    const afterRestart = (await (await server.api('/api/v1/alerts?limit=1000')).json()).items;
    assert.equal(afterRestart.length, before + 1, 'the event accepted before the kill was detected once');
    assert.equal(afterRestart.filter((a: any) => a.entities.hosts[0] === 'ws-3').length, 1);
  });
});
