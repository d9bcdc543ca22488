/** Alerts to incidents through the real binary: intake formats as the tools send them, the queue, people's actions. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ndjson, startServer, tempDir, waitFor, type TestServer } from './harness.ts';

const RULE = `title: Encoded PowerShell
id: 0e6b3f1c-2a4d-4f5e-9a7b-1c2d3e4f5a6b
status: test
level: high
tags: [attack.execution, attack.t1059.001]
logsource: { product: windows, category: process_creation }
detection:
  selection:
    Image|endswith: '\\\\powershell.exe'
    CommandLine|contains: '-enc'
  condition: selection
`;

const now = () => new Date().toISOString();

/** Alertmanager's webhook body (version 4) exactly as Alertmanager 0.27 sends it. */
function alertmanagerBody(status: 'firing' | 'resolved', alerts: Array<{ name: string; instance: string; severity: string; fingerprint: string; startsAt: string; endsAt?: string }>) {
  return {
    receiver: 'vigil',
    status,
    alerts: alerts.map((a) => ({
      status,
      labels: { alertname: a.name, instance: a.instance, job: 'node', severity: a.severity, service: 'payments' },
      annotations: { summary: `${a.name} on ${a.instance}`, description: 'Disk is almost full.' },
      startsAt: a.startsAt,
      endsAt: a.endsAt ?? '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph?g0.expr=node_filesystem_avail_bytes&g0.tab=1',
      fingerprint: a.fingerprint,
    })),
    groupLabels: { alertname: alerts[0]!.name },
    commonLabels: { alertname: alerts[0]!.name, job: 'node' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    version: '4',
    groupKey: `{}:{alertname="${alerts[0]!.name}"}`,
    truncatedAlerts: 0,
  };
}

describe('triage through the API', () => {
  const dir = tempDir();
  let server: TestServer;
  before(async () => {
    mkdirSync(join(dir, 'rules'));
    writeFileSync(join(dir, 'rules', 'ps.yml'), RULE);
    writeFileSync(
      join(dir, 'vigil.yaml'),
      `rules:\n  paths: ["${join(dir, 'rules')}"]\ntriage:\n  route:\n    group_wait: 1s\n    routes:\n      - name: ops\n        matchers: ['source="alertmanager"']\n        group_by: [alertname]\n        correlate_entities: false\n`,
    );
    server = await startServer({ dataDir: join(dir, 'data'), config: join(dir, 'vigil.yaml'), syslog: false });
  });
  after(() => {
    server?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (path: string, body: unknown, init: { method?: string; token?: string | null } = {}) =>
    server.api(path, { method: init.method ?? 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...(init.token !== undefined ? { token: init.token } : {}) });

  it('takes the inventory shapes of the interface', async () => {
    assert.equal((await send('/api/v1/services', { name: 'edge-network', tier: 1 })).status, 201);
    assert.equal((await send('/api/v1/services', { name: 'payments', tier: 1, depends_on: ['edge-network'] })).status, 201);
    const asset = await send('/api/v1/assets', { name: 'fw-edge-1', kind: 'firewall', criticality: 5, services: ['edge-network'], tags: ['firewall'] });
    assert.equal(asset.status, 201, await asset.clone().text());
    assert.equal((await send('/api/v1/assets', { name: 'ws-42', kind: 'workstation', criticality: 4, services: [] })).status, 201);
  });

  it('turns a Sigma detection into an incident at once, listed with the interface fields', async () => {
    const event = {
      EventID: 1,
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      Computer: 'ws-42',
      TimeCreated_SystemTime: now(),
      Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      CommandLine: 'powershell.exe -nop -enc SQBFAFgA',
      User: 'CORP\\alice',
    };
    const answer = await server.api('/api/v1/events', { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: ndjson([event, event]) });
    assert.equal(answer.status, 202);
    await server.settle();
    const page = await (await server.api('/api/v1/incidents?status=open&sort=-score')).json();
    const incident = page.items.find((i: { rules: string[] }) => i.rules.includes('0e6b3f1c-2a4d-4f5e-9a7b-1c2d3e4f5a6b'));
    assert.ok(incident, JSON.stringify(page));
    assert.ok('next_cursor' in page);
    for (const field of ['id', 'title', 'score', 'score_explanation', 'priority', 'severity', 'status', 'alert_count', 'entities', 'services', 'kill_chain', 'first_seen', 'detected_at']) {
      assert.ok(field in incident, `incident has ${field}`);
    }
    assert.match(incident.id, /^INC-\d+$/);
    assert.equal(typeof incident.score, 'number');
    assert.match(incident.priority, /^P[1-5]$/);
    assert.equal(incident.severity, 'high');
    assert.equal(incident.status, 'new');
    assert.equal(incident.alert_count, 1);
    assert.equal(incident.occurrence_count, 2, 'the second event is a repeat of the same alert');
    assert.deepEqual(incident.entities.hosts, ['ws-42']);
    assert.deepEqual(incident.kill_chain, ['exploitation']);
    assert.match(incident.score_explanation.summary, /asset ws-42 has criticality 4/);
    const detail = await (await server.api(`/api/v1/incidents/${incident.id}`)).json();
    assert.deepEqual(detail.kill_chain_progression.map((p: { phase: string; rule: string }) => [p.phase, p.rule]), [['exploitation', 'Encoded PowerShell']]);
    const alerts = await (await server.api(`/api/v1/alerts?q=${encodeURIComponent(`incident_id:${incident.id}`)}`)).json();
    assert.equal(alerts.items.length, 1);
    assert.equal(alerts.items[0].count, 2);
    assert.equal(alerts.items[0].status, 'firing');
    assert.equal(alerts.items[0].suppressed_by, null);
  });

  it('takes Alertmanager webhooks as Alertmanager sends them: fingerprint dedups, resolved resolves', async () => {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const firing = alertmanagerBody('firing', [
      { name: 'DiskFull', instance: 'db-1:9100', severity: 'warning', fingerprint: 'a1b2c3d4e5f60718', startsAt },
      { name: 'DiskFull', instance: 'db-2:9100', severity: 'warning', fingerprint: 'b1b2c3d4e5f60718', startsAt },
    ]);
    for (let i = 0; i < 2; i++) {
      const answer = await send('/api/v1/integrations/alertmanager', firing);
      assert.equal(answer.status, 200, await answer.clone().text());
    }
    let alerts = await (await server.api('/api/v1/alerts?q=source:alertmanager')).json();
    assert.equal(alerts.items.length, 2);
    assert.deepEqual(alerts.items.map((a: { count: number }) => a.count), [2, 2]);
    const incidentId = alerts.items[0].incident_id;
    assert.ok(incidentId);
    assert.equal(alerts.items[1].incident_id, incidentId, 'grouped by alertname on the ops route');
    assert.deepEqual(alerts.items.map((a: { entities: { hosts: string[] } }) => a.entities.hosts[0]).sort(), ['db-1', 'db-2']);
    assert.equal(alerts.items[0].labels.alertname, 'DiskFull');
    assert.equal(alerts.items[0].rule.level, 'medium');

    const resolved = alertmanagerBody('resolved', [{ name: 'DiskFull', instance: 'db-1:9100', severity: 'warning', fingerprint: 'a1b2c3d4e5f60718', startsAt, endsAt: now() }]);
    assert.equal((await send('/api/v1/integrations/alertmanager', resolved)).status, 200);
    alerts = await (await server.api('/api/v1/alerts?q=source:alertmanager&status=resolved')).json();
    assert.equal(alerts.items.length, 1);
    assert.deepEqual(alerts.items[0].entities.hosts, ['db-1']);
    const detail = await (await server.api(`/api/v1/incidents/${incidentId}`)).json();
    assert.equal(detail.alerts.length, 2);
    assert.ok(detail.timeline.some((e: { kind: string }) => e.kind === 'alert_resolved'));
    assert.deepEqual(detail.kill_chain_progression, [], 'operations alerts carry no ATT&CK tactic');
    // A payload Alertmanager would never send is refused with the field named.
    const bad = await send('/api/v1/integrations/alertmanager', { ...firing, version: '3' });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.field, 'version');
  });

  it('answers the PagerDuty Events API v2 as PagerDuty does; acknowledge and resolve follow the dedup_key', async () => {
    const trigger = {
      routing_key: server.token,
      event_action: 'trigger',
      dedup_key: 'srv01/HTTP',
      payload: {
        summary: 'Example alert on host1.example.com',
        timestamp: '2015-07-17T08:42:58.315+0000',
        source: 'monitoringtool:cloudvendor:central-region-dc-01:852559987:cluster/api-stats-prod-003',
        severity: 'critical',
        component: 'postgres',
        group: 'prod-datapipe',
        class: 'deploy',
        custom_details: { 'ping time': '1500ms', 'load avg': 0.75 },
      },
      links: [{ href: 'https://example.com/', text: 'Link text' }],
      client: 'Sample Monitoring Service',
      client_url: 'https://monitoring.example.com',
    };
    // No Authorization header at all: the routing key carries the token, as PagerDuty senders do.
    const answer = await send('/api/v1/integrations/pagerduty/v2/enqueue', trigger, { token: null });
    assert.equal(answer.status, 202);
    assert.deepEqual(await answer.json(), { status: 'success', message: 'Event processed', dedup_key: 'srv01/HTTP' });
    const alerts = await (await server.api('/api/v1/alerts?q=source:pagerduty')).json();
    assert.equal(alerts.items.length, 1);
    assert.equal(alerts.items[0].rule.level, 'critical');
    const incidentId = alerts.items[0].incident_id;

    const ack = await send('/api/v1/integrations/pagerduty/v2/enqueue', { routing_key: server.token, event_action: 'acknowledge', dedup_key: 'srv01/HTTP' }, { token: null });
    assert.equal(ack.status, 202);
    const acked = await (await server.api(`/api/v1/incidents/${incidentId}`)).json();
    assert.equal(acked.status, 'acknowledged');
    assert.ok(acked.timeline.some((e: { actor: string }) => e.actor === 'integration:pagerduty'), JSON.stringify(acked.timeline));

    const resolve = await send('/api/v1/integrations/pagerduty/v2/enqueue', { routing_key: server.token, event_action: 'resolve', dedup_key: 'srv01/HTTP' }, { token: null });
    assert.deepEqual(await resolve.json(), { status: 'success', message: 'Event processed', dedup_key: 'srv01/HTTP' });
    const after = await (await server.api('/api/v1/alerts?q=source:pagerduty')).json();
    assert.equal(after.items[0].status, 'resolved');

    const invalid = await send('/api/v1/integrations/pagerduty/v2/enqueue', { routing_key: server.token, event_action: 'trigger', payload: { summary: 'x', source: 'y', severity: 'urgent' } }, { token: null });
    assert.equal(invalid.status, 400);
    const body = await invalid.json();
    assert.equal(body.status, 'invalid event');
    assert.equal(body.message, 'Event object is invalid');
    assert.ok(body.errors.some((e: string) => e.includes('payload.severity')), JSON.stringify(body));
    const stranger = await send('/api/v1/integrations/pagerduty/v2/enqueue', { ...trigger, routing_key: 'R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY00' }, { token: null });
    assert.equal(stranger.status, 401);
  });

  it('runs the incident: allowed transitions, 409 for forbidden ones, notes, merge and split', async () => {
    const opened = await send('/api/v1/alerts', [
      { rule: { id: 'triage-a', title: 'First thing', level: 'low' }, entities: { hosts: ['m-1'] } },
      { rule: { id: 'triage-b', title: 'Second thing', level: 'low' }, entities: { hosts: ['m-2'] } },
      { rule: { id: 'triage-b', title: 'Second thing', level: 'low' }, entities: { hosts: ['m-3'] } },
    ]);
    assert.equal(opened.status, 200, await opened.clone().text());
    const { incidents } = await opened.json();
    assert.equal(incidents.length, 2);
    const [a, b] = incidents.sort();

    const ack = await send(`/api/v1/incidents/${a}`, { status: 'acknowledged', assignee: 'alice' }, { method: 'PATCH' });
    assert.equal(ack.status, 200);
    assert.equal((await ack.json()).assignee, 'alice');
    const note = await send(`/api/v1/incidents/${a}/notes`, { text: 'checked the host' });
    assert.equal(note.status, 201);
    const closedTooEarly = await send(`/api/v1/incidents/${a}`, { status: 'closed' }, { method: 'PATCH' });
    assert.equal(closedTooEarly.status, 409);
    assert.equal((await closedTooEarly.json()).error.field, 'status');

    const merged = await send(`/api/v1/incidents/${a}/merge`, { source: b });
    assert.equal(merged.status, 200, await merged.clone().text());
    assert.equal((await merged.json()).alert_count, 3);
    const source = await (await server.api(`/api/v1/incidents/${b}`)).json();
    assert.equal(source.status, 'closed');
    assert.equal(source.merged_into, a);

    const detail = await (await server.api(`/api/v1/incidents/${a}`)).json();
    const moving = detail.alerts.filter((x: { rule: { id: string } }) => x.rule.id === 'triage-b').map((x: { id: string }) => x.id);
    const split = await send(`/api/v1/incidents/${a}/split`, { alert_ids: moving });
    assert.equal(split.status, 201);
    const created = await split.json();
    assert.equal(created.alert_count, 2);
    assert.notEqual(created.id, a);
    const timeline = await (await server.api(`/api/v1/incidents/${a}/timeline`)).json();
    assert.deepEqual(
      timeline.items.filter((e: { actor: string }) => e.actor !== 'system').map((e: { kind: string }) => e.kind),
      ['state_changed', 'assigned', 'note', 'merged', 'split'],
    );
    const audit = await (await server.api('/api/v1/audit?limit=1000')).json();
    const actions = audit.items.map((r: { action: string }) => r.action);
    for (const action of ['incident.update', 'incident.note', 'incident.merge', 'incident.split']) assert.ok(actions.includes(action), action);
  });

  it('silences mute on request and the muted alerts stay searchable with the reason', async () => {
    const created = await send('/api/v1/silences', { matchers: ['host="quiet-1"'], duration: '1h', comment: 'patching quiet-1' });
    assert.equal(created.status, 201, await created.clone().text());
    const silence = await created.json();
    assert.equal(silence.state, 'active');
    await send('/api/v1/alerts', { rule: { id: 'muted-rule', title: 'Muted', level: 'high' }, entities: { hosts: ['quiet-1'] } });
    const muted = await (await server.api('/api/v1/alerts?suppressed=true&q=rule.id:muted-rule')).json();
    assert.equal(muted.items.length, 1);
    assert.equal(muted.items[0].suppressed_by, `silence:${silence.id}`);
    assert.equal(muted.items[0].incident_id, null);
    const bad = await send('/api/v1/silences', { matchers: ['host="x"'], duration: '1h' });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.field, 'comment');
    const expired = await server.api(`/api/v1/silences/${silence.id}`, { method: 'DELETE' });
    assert.equal((await expired.json()).state, 'expired');
    await send('/api/v1/alerts', { rule: { id: 'muted-rule', title: 'Muted', level: 'high' }, entities: { hosts: ['quiet-1'] } });
    const lifted = await (await server.api('/api/v1/alerts?q=rule.id:muted-rule')).json();
    assert.equal(lifted.items[0].suppressed_by, null, 'after expiry the alert is no longer muted');
  });

  it('mutes alerts of a service whose dependency has an open incident', async () => {
    await send('/api/v1/assets', { name: 'pay-app-1', kind: 'server', criticality: 4, services: ['payments'] });
    await send('/api/v1/alerts', { rule: { id: 'edge-down', title: 'Edge link down', level: 'critical' }, entities: { hosts: ['fw-edge-1'] } });
    await send('/api/v1/alerts', { rule: { id: 'pay-errors', title: 'Payment errors', level: 'high' }, entities: { hosts: ['pay-app-1'] } });
    const pay = await (await server.api('/api/v1/alerts?q=rule.id:pay-errors')).json();
    assert.match(pay.items[0].suppressed_by, /^inhibit:service:edge-network:INC-\d+$/);
  });

  it('notifies after group_wait and reports the funnel in the noise ledger', async () => {
    const page = await (await server.api('/api/v1/incidents?sort=-score&status=all&limit=100')).json();
    const id = page.items.find((i: { status: string }) => i.status === 'new').id;
    const detail = await waitFor(
      async () => {
        const d = await (await server.api(`/api/v1/incidents/${id}`)).json();
        return d.notifications.length > 0 ? d : null;
      },
      15_000,
      'a notification after group_wait (1s)',
    );
    assert.equal(detail.notifications[0].reason, 'opened');
    const noise = await (await server.api('/api/v1/stats/noise')).json();
    assert.ok(noise.totals.events >= 2);
    assert.ok(noise.totals.detections > noise.totals.alerts);
    assert.ok(noise.totals.notified >= 1);
    for (const reason of ['dedup', 'silenced', 'inhibited']) assert.ok(noise.totals.dropped[reason] >= 1, `${reason} counted`);
    assert.equal(typeof noise.compression_ratio, 'number');
    const byRule = noise.by_rule.find((r: { rule_id: string }) => r.rule_id === 'muted-rule');
    assert.deepEqual([byRule.detections, byRule.dropped.silenced], [2, 1]);
    const stats = await (await server.api('/api/v1/stats/response?period=day')).json();
    assert.ok(stats.overall.mtta.count >= 1);
    assert.ok('P1' in stats.by_priority);
  });
});
