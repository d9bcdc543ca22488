import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import type { NotifyMessage } from '../../../core/index.ts';
import { assertJsonPost, closeServers, context, makeIncident, makeMessage, rejection, type SeenRequest, serve } from '../testkit.ts';
import { createPagerDutyChannel, pagerDutyAction, pagerDutyEvents, type PagerDutyChannelConfig } from './index.ts';

after(closeServers);

const ROUTING_KEY = 'R0UTINGKEY00000000000000000000AB';

const incident = makeIncident({
  severity: 'critical',
  score: 95,
  summary: 'critical asset db-1',
  services: ['payments', 'auth'],
  users: [],
  alert_count: 4,
  change: { id: 'CHG-7', verdict: 'unauthorised-change', reason: 'deploy outside window' },
});

const message = makeMessage({ incident });

const accepted = (req: SeenRequest, res: ServerResponse): void => {
  res.writeHead(202, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: req.json.dedup_key }));
};

const config = (base: string): PagerDutyChannelConfig => ({ type: 'pagerduty', routing_key: ROUTING_KEY, url: `${base}/v2/enqueue` });

const EXPECTED_TRIGGER = {
  routing_key: ROUTING_KEY,
  event_action: 'trigger',
  dedup_key: 'INC-42',
  payload: {
    summary: '[P1] INC-42: Brute force then login on db-1',
    source: 'db-1',
    severity: 'critical',
    timestamp: '2024-05-01T11:58:00.000Z',
    group: 'payments',
    class: 'lateral-movement',
    custom_details: {
      text: 'INC-42 opened: Brute force then login on db-1',
      priority: 'P1',
      score: 95,
      summary: 'critical asset db-1',
      status: 'new',
      assignee: null,
      url: 'https://vigil.example.com/incidents/INC-42',
      services: ['payments', 'auth'],
      hosts: ['db-1', 'web-2'],
      kill_chain: ['initial-access', 'lateral-movement'],
      alert_count: 4,
      change: 'CHG-7 (unauthorised-change): deploy outside window',
    },
  },
  links: [{ href: 'https://vigil.example.com/incidents/INC-42', text: 'Open in Vigil' }],
  client: 'Vigil',
  client_url: 'https://vigil.example.com/incidents/INC-42',
};

describe('pagerduty channel: requests', () => {
  it('triggers with the full payload, dedup_key = incident id', async () => {
    const server = await serve(accepted);
    const channel = createPagerDutyChannel(config(server.base), 'pd');
    assert.equal(channel.name, 'pd');
    assert.equal(channel.type, 'pagerduty');
    assert.deepEqual(await channel.send(message, null, context()), { thread: { dedup_key: 'INC-42' } });
    assert.equal(server.requests.length, 1);
    const req = assertJsonPost(server.requests[0], '/v2/enqueue');
    assert.equal(req.headers.authorization, undefined);
    assert.deepEqual(req.json, EXPECTED_TRIGGER);
  });

  it('acknowledges on state_changed to acknowledged, with only routing_key, event_action and dedup_key', async () => {
    const server = await serve(accepted);
    await createPagerDutyChannel(config(server.base), 'pd').send({ ...message, event: 'state_changed', incident: { ...incident, status: 'acknowledged' } }, { dedup_key: 'INC-42' }, context());
    assert.deepEqual(server.requests[0]!.json, { routing_key: ROUTING_KEY, event_action: 'acknowledge', dedup_key: 'INC-42' });
  });

  it('resolves on resolved, with only routing_key, event_action and dedup_key', async () => {
    const server = await serve(accepted);
    await createPagerDutyChannel(config(server.base), 'pd').send({ ...message, event: 'resolved', incident: { ...incident, status: 'resolved' } }, null, context());
    assert.deepEqual(server.requests[0]!.json, { routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: 'INC-42' });
  });

  it('maps events and statuses to actions', () => {
    for (const event of ['opened', 'updated', 'escalated', 'repeat'] as const) assert.equal(pagerDutyAction(event, 'new'), 'trigger', event);
    assert.equal(pagerDutyAction('state_changed', 'acknowledged'), 'acknowledge');
    assert.equal(pagerDutyAction('state_changed', 'investigating'), 'acknowledge');
    assert.equal(pagerDutyAction('state_changed', 'new'), 'trigger');
    assert.equal(pagerDutyAction('resolved', 'resolved'), 'resolve');
    assert.equal(pagerDutyAction('state_changed', 'closed'), 'resolve');
    assert.equal(pagerDutyAction('state_changed', 'false_positive'), 'resolve');
    assert.equal(pagerDutyAction('updated', 'closed'), 'resolve');
  });

  it('maps priority to severity, falls back to source vigil, leaves out group / class / links when empty', () => {
    const severities = (['P1', 'P2', 'P3', 'P4', 'P5'] as const).map((priority) => {
      const [event] = pagerDutyEvents({ ...message, incident: { ...incident, priority } }, ROUTING_KEY);
      return event && 'payload' in event ? event.payload.severity : null;
    });
    assert.deepEqual(severities, ['critical', 'error', 'warning', 'info', 'info']);
    const [bare] = pagerDutyEvents({ ...message, incident: { ...incident, hosts: [], services: [], kill_chain: [], change: null, url: '/incidents/INC-42' } }, ROUTING_KEY);
    assert.ok(bare && bare.event_action === 'trigger');
    assert.equal(bare.payload.source, 'vigil');
    assert.deepEqual(Object.keys(bare.payload).sort(), ['custom_details', 'severity', 'source', 'summary', 'timestamp']);
    assert.equal(bare.links, undefined);
    assert.equal(bare.client_url, undefined);
    assert.equal(bare.payload.custom_details.change, null);
  });

  it('keeps the summary within 1024 characters and uses the title template', () => {
    const [long] = pagerDutyEvents(message, ROUTING_KEY, { title: 'x'.repeat(600) + '{{incident.title}}'.repeat(20) });
    assert.ok(long && long.event_action === 'trigger');
    assert.ok(long.payload.summary.length <= 1024, `summary of ${long.payload.summary.length} characters`);
    assert.ok(long.payload.summary.endsWith('…'));
    const [templated] = pagerDutyEvents(message, ROUTING_KEY, { title: '{{incident.priority}} on {{incident.hosts}}' });
    assert.ok(templated && templated.event_action === 'trigger');
    assert.equal(templated.payload.summary, 'P1 on db-1, web-2');
  });

  it('sends one event per digest entry', async () => {
    const server = await serve(accepted);
    const digest: NotifyMessage = {
      key: 'd-1',
      event: 'digest',
      text: '3 held back',
      incident: null,
      digest: [
        { incident_id: 'INC-1', title: 'Port scan', priority: 'P3', event: 'opened', at: '2024-05-01T11:00:00.000Z' },
        { incident_id: 'INC-2', title: 'Malware', priority: 'P2', event: 'state_changed', at: '2024-05-01T11:10:00.000Z' },
        { incident_id: 'INC-3', title: 'Old', priority: 'P4', event: 'resolved', at: '2024-05-01T11:30:00.000Z' },
      ],
      at: '2024-05-01T11:59:00.000Z',
    };
    assert.deepEqual(await createPagerDutyChannel(config(server.base), 'pd').send(digest, null, context()), {});
    assert.deepEqual(
      server.requests.map((r) => r.json),
      [
        {
          routing_key: ROUTING_KEY,
          event_action: 'trigger',
          dedup_key: 'INC-1',
          payload: { summary: '[P3] INC-1: Port scan', source: 'vigil', severity: 'warning', timestamp: '2024-05-01T11:00:00.000Z', custom_details: { priority: 'P3', event: 'opened', text: '3 held back' } },
          client: 'Vigil',
        },
        { routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: 'INC-3' },
      ],
    );
  });

  it('a test message triggers an info alert of its own', () => {
    const events = pagerDutyEvents({ key: 't-9', event: 'test', text: 'Test from Vigil', incident: null, at: '2024-05-01T12:00:00.000Z' }, ROUTING_KEY);
    assert.deepEqual(events, [
      {
        routing_key: ROUTING_KEY,
        event_action: 'trigger',
        dedup_key: 'vigil-test-t-9',
        payload: { summary: 'Vigil: Test from Vigil', source: 'vigil', severity: 'info', timestamp: '2024-05-01T12:00:00.000Z', custom_details: { event: 'test', text: 'Test from Vigil' } },
        client: 'Vigil',
      },
    ]);
  });
});

describe('pagerduty channel: errors', () => {
  it('400 invalid event → not retryable', async () => {
    const server = await serve((_req, res) => res.writeHead(400, { 'Content-Type': 'application/json' }).end('{"status":"invalid event","message":"Event object is invalid","errors":["Length of \'routing_key\' is incorrect"]}'));
    const error = await rejection(createPagerDutyChannel(config(server.base), 'pd').send(message, null, context()));
    assert.equal(error.retryable, false);
    assert.equal(error.status, 400);
    assert.match(error.message, /pagerduty channel "pd" trigger INC-42: HTTP 400 .*invalid event/);
  });

  it('429 with Retry-After: 7 → retryable after 7000 ms; 500 → retryable', async () => {
    const server = await serve((_req, res, n) => (n === 1 ? res.writeHead(429, { 'Retry-After': '7' }).end('{"status":"throttle event"}') : res.writeHead(500).end()));
    const channel = createPagerDutyChannel(config(server.base), 'pd');
    const limited = await rejection(channel.send(message, null, context()));
    assert.deepEqual([limited.retryable, limited.retryAfterMs, limited.status], [true, 7000, 429]);
    const down = await rejection(channel.send(message, null, context()));
    assert.deepEqual([down.retryable, down.status], [true, 500]);
  });

  it('a hung server → the signal aborts → retryable', async () => {
    const server = await serve(() => undefined);
    const started = Date.now();
    const error = await rejection(createPagerDutyChannel(config(server.base), 'pd').send(message, null, context(150)));
    assert.equal(error.retryable, true);
    assert.match(error.message, /no answer in time/);
    assert.ok(Date.now() - started < 1500);
  });

  it('names the missing or wrong config field', () => {
    assert.throws(() => createPagerDutyChannel({ type: 'pagerduty' } as PagerDutyChannelConfig, 'pd'), /pagerduty channel "pd": routing_key is required/);
    assert.throws(() => createPagerDutyChannel({ type: 'pagerduty', routing_key: 'k', url: 'nope' }, 'pd'), /url is not a valid URL/);
    assert.throws(() => createPagerDutyChannel({ type: 'pagerduty', routing_key: 'k', url: '' }, 'pd'), /url must be a non-empty string/);
    assert.doesNotThrow(() => createPagerDutyChannel({ type: 'pagerduty', routing_key: 'k' }, 'pd'));
  });
});
