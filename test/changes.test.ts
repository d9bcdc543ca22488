/** Change management through the real binary: the bank's night, freeze policies, approvals, conflicts, the calendar, GitHub. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { FIREWALL_HOURS_CONFIG, startServer, tempDir, waitFor, type TestServer } from './harness.ts';

const CONFIG = `${FIREWALL_HOURS_CONFIG}integrations:
  github: { secret: "gh-webhook-secret" }
`;

// The night of the incident: Tuesday 3 March 2026 (London is on UTC in March).
const asaLine = (time: string, command: string) => `<165>Mar  3 ${time} fw-edge-1 %ASA-5-111008: User 'admin' executed the '${command}' command.`;

function outage(startsAt: string, instance: string, fingerprint: string) {
  return {
    version: '4',
    groupKey: '{}:{alertname="PaymentsApiDown"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'vigil',
    groupLabels: { alertname: 'PaymentsApiDown' },
    commonLabels: { alertname: 'PaymentsApiDown' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'PaymentsApiDown', instance, severity: 'critical', service: 'payments' },
        annotations: { summary: 'Payments API is not answering' },
        startsAt,
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus:9090/graph',
        fingerprint,
      },
    ],
  };
}

async function setUp(server: TestServer): Promise<void> {
  const post = (path: string, body: unknown) => server.api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  for (const body of [
    { name: 'edge-network', tier: 1 },
    { name: 'payments', tier: 1, depends_on: ['edge-network'] },
  ]) assert.equal((await post('/api/v1/services', body)).status, 201);
  for (const body of [
    { name: 'fw-edge-1', kind: 'firewall', criticality: 5, services: ['edge-network'], tags: ['firewall'] },
    { name: 'pay-app-1', kind: 'server', criticality: 4, services: ['payments'] },
  ]) assert.equal((await post('/api/v1/assets', body)).status, 201);
}

async function tokenFor(server: TestServer, name: string): Promise<string> {
  const response = await server.api('/api/v1/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'analyst', name }) });
  return ((await response.json()) as { token: string }).token;
}

async function sendLines(server: TestServer, lines: string[]): Promise<void> {
  const answer = await server.api('/api/v1/events', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: lines.join('\n') });
  assert.equal(answer.status, 202, await answer.clone().text());
  await server.settle();
}

describe("the bank's night, replayed on event time", () => {
  const dir = tempDir();
  let recorded: TestServer;
  let unrecorded: TestServer;
  before(async () => {
    writeFileSync(join(dir, 'vigil.yaml'), CONFIG);
    [recorded, unrecorded] = await Promise.all([
      startServer({ dataDir: join(dir, 'a'), config: join(dir, 'vigil.yaml'), syslog: false }),
      startServer({ dataDir: join(dir, 'b'), config: join(dir, 'vigil.yaml'), syslog: false }),
    ]);
    await Promise.all([setUp(recorded), setUp(unrecorded)]);
  });
  after(() => {
    recorded?.cleanup();
    unrecorded?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('(a) recorded and approved: the config lines and the outage form one incident caused by the change', async () => {
    const server = recorded;
    const post = (path: string, body: unknown, token?: string) =>
      server.api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...(token ? { token } : {}) });
    const change = { title: 'Night maintenance on the edge firewall', type: 'firewall', assets: ['fw-edge-1'], services: [], window: { start: '2026-03-03T02:00:00Z', end: '2026-03-03T03:00:00Z' }, implementer: 'alice', emergency: true };
    const created = await post('/api/v1/changes', change);
    assert.equal(created.status, 201, await created.clone().text());
    const { id } = await created.json();
    for (const approver of ['bob', 'carol']) assert.equal((await post(`/api/v1/changes/${id}/approve`, {}, await tokenFor(server, approver))).status, 200);
    assert.equal((await (await server.api(`/api/v1/changes/${id}`)).json()).status, 'approved');

    // The maintenance itself: command accounting lines from the firewall, then the application's outage alert.
    await sendLines(server, [asaLine('02:13:05', 'no access-list inside_in extended permit tcp any host 10.1.1.10 eq 443'), asaLine('02:13:40', 'write memory')]);
    assert.equal((await post('/api/v1/integrations/alertmanager', outage('2026-03-03T02:15:00Z', 'pay-app-1:8080', 'c0ffee0000000001'))).status, 200);

    const events = await (await server.api('/api/v1/change-events')).json();
    assert.equal(events.items.length, 2);
    for (const observed of events.items) {
      assert.equal(observed.matched_change, id);
      assert.equal(observed.asset, 'fw-edge-1');
      assert.equal(observed.actor, 'admin');
      assert.equal(observed.type, 'firewall');
      for (const field of ['source', 'timestamp', 'summary']) assert.ok(field in observed, field);
    }
    const outageAlert = (await (await server.api('/api/v1/alerts?q=source:alertmanager')).json()).items[0];
    assert.equal(outageAlert.change_verdict, 'expected-change');
    const incident = await (await server.api(`/api/v1/incidents/${outageAlert.incident_id}`)).json();
    assert.deepEqual(incident.alerts.map((a: { source: string }) => a.source).sort(), ['alertmanager', 'sigma']);
    assert.equal(incident.related_changes[0].id, id);
    assert.equal(incident.related_changes[0].verdict, 'expected-change');
    for (const field of ['id', 'title', 'verdict', 'score', 'reason']) assert.ok(field in incident.related_changes[0], field);
    assert.match(incident.title, new RegExp(`likely caused by ${id}`));
    assert.ok(incident.timeline.some((e: { kind: string; text: string }) => e.kind === 'related_change' && e.text.includes(`likely caused by ${id}`)));
    // Expected: routed to the implementer at low priority, not paged as a security incident.
    assert.equal(incident.assignee, 'alice');
    assert.ok(['P4', 'P5'].includes(incident.priority), incident.priority);
    // Nothing unauthorised.
    assert.equal((await (await server.api('/api/v1/alerts?q=source:changes')).json()).items.length, 0);
  });

  it('(b) nothing recorded: an unauthorised-change alert, a policy-violation alert, and the outage names the unrecorded change', async () => {
    const server = unrecorded;
    await sendLines(server, [asaLine('02:13:05', 'no access-list inside_in extended permit tcp any host 10.1.1.10 eq 443')]);
    const post = (path: string, body: unknown) => server.api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await post('/api/v1/integrations/alertmanager', outage('2026-03-03T02:15:00Z', 'pay-app-1:8080', 'c0ffee0000000001'))).status, 200);

    const events = await (await server.api('/api/v1/change-events')).json();
    assert.equal(events.items.length, 1);
    assert.equal(events.items[0].matched_change, null);
    const changeAlerts = (await (await server.api('/api/v1/alerts?q=source:changes')).json()).items;
    assert.deepEqual(changeAlerts.map((a: { rule: { id: string } }) => a.rule.id).sort(), ['vigil-change-policy-violation', 'vigil-unauthorised-change']);
    const violation = changeAlerts.find((a: { rule: { id: string } }) => a.rule.id === 'vigil-change-policy-violation');
    assert.equal(violation.labels.policy, 'firewall-business-hours');
    assert.match(violation.description, /firewall-business-hours/);
    const changeIncident = await (await server.api(`/api/v1/incidents/${violation.incident_id}`)).json();
    assert.equal(changeIncident.grouping.route, 'change-management', 'change alerts go to the change owners, not the attack queue');

    const outageAlert = (await (await server.api('/api/v1/alerts?q=source:alertmanager')).json()).items[0];
    assert.equal(outageAlert.change_verdict, 'unauthorised-change');
    const incident = await (await server.api(`/api/v1/incidents/${outageAlert.incident_id}`)).json();
    const cause = incident.related_changes[0];
    assert.equal(cause.id, null);
    assert.equal(cause.verdict, 'unauthorised-change');
    assert.match(cause.reason, /unrecorded firewall change on fw-edge-1 at 2026-03-03 02:13 UTC by admin/);
    assert.match(incident.title, /likely caused by an unrecorded firewall change on fw-edge-1 at 2026-03-03 02:13 UTC by admin/);
    assert.ok(incident.alerts.some((a: { source: string }) => a.source === 'sigma'), 'the firewall line and the outage are one incident');
  });
});

describe('change records, policies, conflicts, calendar and GitHub', () => {
  const dir = tempDir();
  let server: TestServer;
  before(async () => {
    writeFileSync(join(dir, 'vigil.yaml'), CONFIG);
    server = await startServer({ dataDir: join(dir, 'data'), config: join(dir, 'vigil.yaml'), syslog: false });
    await setUp(server);
  });
  after(() => {
    server?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  const post = (path: string, body: unknown, token?: string) =>
    server.api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...(token ? { token } : {}) });
  const firewallChange = (start: string, end: string, extra: Record<string, unknown> = {}) => ({ title: 'Firewall rule update', type: 'firewall', assets: ['fw-edge-1'], services: [], window: { start, end }, implementer: 'alice', emergency: false, ...extra });

  it('refuses a firewall change at 23:00 naming the policy, and accepts it as an emergency with two approvals', async () => {
    const refused = await post('/api/v1/changes', firewallChange('2026-03-10T23:00:00Z', '2026-03-11T00:00:00Z'));
    assert.equal(refused.status, 422);
    const error = (await refused.json()).error;
    assert.equal(error.code, 'freeze_policy');
    assert.equal(error.policy, 'firewall-business-hours');
    assert.match(error.message, /23:00 to 00:00 local/);

    const emergency = await post('/api/v1/changes', firewallChange('2026-03-10T23:00:00Z', '2026-03-11T00:00:00Z', { emergency: true }));
    assert.equal(emergency.status, 201);
    const change = await emergency.json();
    assert.equal(change.status, 'requested');
    assert.equal(change.approvals_required, 2);
    const bob = await tokenFor(server, 'bob');
    assert.equal((await post(`/api/v1/changes/${change.id}/approve`, {}, bob)).status, 200);
    const twice = await post(`/api/v1/changes/${change.id}/approve`, {}, bob);
    assert.equal(twice.status, 409, 'one person counts once');
    const alice = await tokenFor(server, 'alice');
    assert.equal((await post(`/api/v1/changes/${change.id}/approve`, {}, alice)).status, 409, 'the implementer does not approve their own change');
    const approved = await post(`/api/v1/changes/${change.id}/approve`, {}, await tokenFor(server, 'carol'));
    assert.equal((await approved.json()).status, 'approved');
    const started = await post(`/api/v1/changes/${change.id}/start`, {});
    assert.equal((await started.json()).status, 'in_progress');
    assert.equal((await post(`/api/v1/changes/${change.id}/approve`, {}, await tokenFor(server, 'dave'))).status, 409);
    assert.equal((await (await post(`/api/v1/changes/${change.id}/complete`, {})).json()).status, 'completed');
    const audit = await (await server.api('/api/v1/audit?limit=1000')).json();
    const actions = audit.items.filter((r: { object_id: string }) => r.object_id === change.id).map((r: { action: string; actor: string }) => `${r.action}:${r.actor}`);
    assert.deepEqual(actions, ['change.create:admin', 'change.approve:bob', 'change.approve:carol', 'change.start:admin', 'change.complete:admin']);
  });

  it('flags conflicts on both changes: the same asset, and a service that depends on another', async () => {
    const a = await (await post('/api/v1/changes', firewallChange('2026-03-12T10:00:00Z', '2026-03-12T12:00:00Z'))).json();
    const b = await (await post('/api/v1/changes', firewallChange('2026-03-12T11:00:00Z', '2026-03-12T13:00:00Z', { title: 'Second firewall change' }))).json();
    assert.equal(b.conflicts[0].change_id, a.id);
    assert.equal(b.conflicts[0].on, 'fw-edge-1');
    const first = await (await server.api(`/api/v1/changes/${a.id}`)).json();
    assert.equal(first.conflicts[0].change_id, b.id);
    const deploy = await (await post('/api/v1/changes', { title: 'Deploy payments', type: 'deploy', assets: [], services: ['payments'], window: { start: '2026-03-12T11:30:00Z', end: '2026-03-12T11:45:00Z' }, implementer: 'dan' })).json();
    const dependency = deploy.conflicts.find((c: { change_id: string }) => c.change_id === a.id);
    assert.match(dependency.reason, /payments depends on edge-network/);
    const touching = await (await post('/api/v1/changes', firewallChange('2026-03-12T13:00:00Z', '2026-03-12T14:00:00Z', { title: 'After' }))).json();
    assert.deepEqual(touching.conflicts, [], 'windows that only touch do not conflict');
  });

  it('serves the calendar with freeze windows, and an iCalendar feed a real parser reads back', async () => {
    const calendar = await (await server.api('/api/v1/changes/calendar?from=2026-03-09T00:00:00Z&to=2026-03-16T00:00:00Z')).json();
    assert.ok(calendar.changes.length >= 4);
    // Monday 18:00 London to Tuesday 08:00 is frozen for firewall changes.
    assert.ok(calendar.freezes.some((f: { policy: string; start: string; end: string }) => f.policy === 'firewall-business-hours' && f.start === '2026-03-09T18:00:00.000Z' && f.end === '2026-03-10T08:00:00.000Z'));
    assert.ok(calendar.conflicts.length >= 1);
    const feed = await fetch(`${server.url}/api/v1/changes/calendar.ics?from=2026-03-09T00:00:00Z&to=2026-03-16T00:00:00Z&token=${encodeURIComponent(server.token)}`);
    assert.equal(feed.status, 200);
    assert.match(feed.headers.get('content-type') ?? '', /^text\/calendar/);
    const component = new ICAL.Component(ICAL.parse(await feed.text()));
    const events = component.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    const summaries = events.map((e) => e.summary);
    assert.ok(summaries.some((s) => /^\[CHG-\d+\] Second firewall change/.test(s)), summaries.join(' | '));
    const second = events.find((e) => e.summary.includes('Second firewall change'))!;
    assert.equal(second.startDate.toJSDate().toISOString(), '2026-03-12T11:00:00.000Z');
    assert.ok(summaries.some((s) => s.startsWith('Freeze: firewall-business-hours')));
    assert.equal((await fetch(`${server.url}/api/v1/changes/calendar.ics`)).status, 401);
  });

  it('verifies GitHub deliveries: a wrong signature is 401 and stores nothing; a deployment becomes an observed change', async () => {
    await post('/api/v1/assets', { name: 'shop-web', kind: 'application', criticality: 3, services: ['payments'], aliases: ['production', 'acme/shop'] });
    const body = JSON.stringify({
      action: 'created',
      deployment_status: { state: 'success', creator: { login: 'octocat' }, created_at: '2026-03-13T09:00:00Z', updated_at: '2026-03-13T09:00:05Z', target_url: 'https://ci.example.com/1' },
      deployment: { sha: 'a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0', environment: 'production', ref: 'main', creator: { login: 'octocat' } },
      repository: { name: 'shop', full_name: 'acme/shop', default_branch: 'main' },
      sender: { login: 'octocat' },
    });
    const before = (await (await server.api('/api/v1/change-events')).json()).items.length;
    const send = (signature: string) =>
      fetch(`${server.url}/api/v1/integrations/github`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'deployment_status', 'x-github-delivery': 'd-1', 'x-hub-signature-256': signature }, body });
    const wrong = await send(`sha256=${createHmac('sha256', 'not-the-secret').update(body).digest('hex')}`);
    assert.equal(wrong.status, 401);
    assert.equal((await (await server.api('/api/v1/change-events')).json()).items.length, before, 'nothing stored');
    const right = await send(`sha256=${createHmac('sha256', 'gh-webhook-secret').update(body).digest('hex')}`);
    assert.equal(right.status, 202, await right.clone().text());
    const events = (await (await server.api('/api/v1/change-events?asset=shop-web')).json()).items;
    assert.equal(events.length, 1);
    assert.equal(events[0].source, 'github');
    assert.equal(events[0].type, 'deploy');
    assert.equal(events[0].actor, 'octocat');
    assert.equal(events[0].matched_change, null);
    const unauthorised = await waitFor(
      async () => ((await (await server.api('/api/v1/alerts?q=rule.id:vigil-unauthorised-change')).json()).items as Array<{ entities: { hosts: string[] } }>).find((a) => a.entities.hosts[0] === 'shop-web') ?? null,
      5000,
      'an unauthorised-change alert for the deploy',
    );
    assert.ok(unauthorised);
  });
});
