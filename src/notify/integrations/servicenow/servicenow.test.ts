import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { context, makeIncident, messagesAbout, rejection, serve, type TestServer } from '../testkit.ts';
import { createServiceNowChannel, urgencyOf, type ServiceNowChannelConfig } from './index.ts';

const incident = makeIncident({
  id: 'INC-12',
  title: 'Brute force on web-1',
  severity: 'critical',
  score: 92,
  summary: 'Critical asset',
  hosts: ['web-1', 'web-2'],
  users: ['bob'],
  alert_count: 7,
  kill_chain: ['initial_access', 'execution'],
  detected_at: '2024-03-04T09:58:00.000Z',
});

const message = messagesAbout(incident, '2024-03-04T10:00:00.000Z');

const AUTH = `Basic ${Buffer.from('vigil.bot:pa:ss').toString('base64')}`;
const SYS_ID = '9d385017c611228701d22104cc95c371';

describe('servicenow channel', () => {
  let snow: TestServer;
  let config: ServiceNowChannelConfig;
  before(async () => {
    snow = await serve();
    const url = snow.base;
    config = { type: 'servicenow', url, username: 'vigil.bot', password: 'pa:ss', assignment_group: 'Security Operations', caller_id: 'vigil.bot' };
  });
  after(() => snow.close());
  beforeEach(() => snow.reset());

  it('creates an incident record for the first message', async () => {
    snow.replies.push({ status: 201, body: { result: { sys_id: SYS_ID, number: 'INC0010001', state: '1' } } });
    const channel = createServiceNowChannel(config, 'snow');
    assert.equal(channel.name, 'snow');
    assert.equal(channel.type, 'servicenow');
    const result = await channel.send(message('opened', 'New P1 incident INC-12'), null, context());
    assert.deepEqual(result, { thread: { sys_id: SYS_ID, number: 'INC0010001' } });

    assert.equal(snow.requests.length, 1);
    const [req] = snow.requests;
    assert.equal(req!.method, 'POST');
    assert.equal(req!.url, '/api/now/table/incident');
    assert.equal(req!.headers.authorization, AUTH);
    assert.equal(req!.headers.accept, 'application/json');
    assert.equal(req!.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(req!.body), {
      short_description: '[Vigil P1] INC-12 Brute force on web-1',
      description: [
        'New P1 incident INC-12',
        '',
        'INC-12: Brute force on web-1',
        'Critical asset',
        '',
        'Priority: P1 (score 92, severity critical)',
        'Status: new',
        'Assignee: unassigned',
        'Services: payments',
        'Hosts: web-1, web-2',
        'Users: bob',
        'Alerts: 7',
        'Kill chain: initial_access → execution',
        'Detected: 2024-03-04T09:58:00.000Z',
        '',
        'Open in Vigil: https://vigil.example.com/incidents/INC-12',
      ].join('\n'),
      urgency: '1',
      impact: '1',
      category: 'security',
      correlation_id: 'INC-12',
      correlation_display: 'Vigil',
      assignment_group: 'Security Operations',
      caller_id: 'vigil.bot',
    });
  });

  it('uses the configured table, leaves out unset optional fields and cuts short_description to 160', async () => {
    snow.replies.push({ status: 201, body: { result: { sys_id: 'abc', number: 'SIR0001' } } });
    const channel = createServiceNowChannel({ type: 'servicenow', url: config.url, username: 'vigil.bot', password: 'pa:ss', table: 'sn_si_incident' }, 'snow');
    const result = await channel.send(message('opened', 'x', { priority: 'P3', title: 'T'.repeat(300) }), null, context());
    assert.deepEqual(result, { thread: { sys_id: 'abc', number: 'SIR0001' } });
    assert.equal(snow.requests[0]!.url, '/api/now/table/sn_si_incident');
    const body = JSON.parse(snow.requests[0]!.body);
    assert.equal(body.short_description.length, 160);
    assert.ok(body.short_description.startsWith('[Vigil P3] INC-12 TTT'));
    assert.equal(body.urgency, '2');
    assert.equal(body.impact, '2');
    assert.equal('assignment_group' in body, false);
    assert.equal('caller_id' in body, false);
  });

  it('maps priorities to urgency and impact', () => {
    assert.deepEqual((['P1', 'P2', 'P3', 'P4', 'P5'] as const).map(urgencyOf), ['1', '2', '2', '3', '3']);
  });

  it('adds a work note for a later message', async () => {
    snow.replies.push({ status: 200, body: { result: { sys_id: SYS_ID } } });
    const thread = { sys_id: SYS_ID, number: 'INC0010001' };
    const result = await createServiceNowChannel(config, 'snow').send(message('updated', '3 new alerts', { alert_count: 10 }), thread, context());
    assert.deepEqual(result, { thread });
    assert.equal(snow.requests.length, 1);
    const [req] = snow.requests;
    assert.equal(req!.method, 'PATCH');
    assert.equal(req!.url, `/api/now/table/incident/${SYS_ID}`);
    assert.equal(req!.headers.authorization, AUTH);
    assert.equal(req!.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(req!.body), {
      work_notes: '3 new alerts\n\nPriority: P1 (score 92) · Status: new · Assignee: unassigned · Alerts: 10\nOpen in Vigil: https://vigil.example.com/incidents/INC-12',
    });
  });

  it('moves the record to In Progress when the incident is acknowledged', async () => {
    snow.replies.push({ status: 200, body: { result: {} } });
    await createServiceNowChannel(config, 'snow').send(message('state_changed', 'Acknowledged by alice', { status: 'acknowledged', assignee: 'alice' }), { sys_id: SYS_ID, number: 'INC0010001' }, context());
    const body = JSON.parse(snow.requests[0]!.body);
    assert.equal(body.state, '2');
    assert.match(body.work_notes, /^Acknowledged by alice\n/);
    assert.equal('close_code' in body, false);
  });

  it('resolves the record when the incident is resolved', async () => {
    snow.replies.push({ status: 200, body: { result: {} } });
    await createServiceNowChannel(config, 'snow').send(message('resolved', 'Resolved by alice', { status: 'resolved' }), { sys_id: SYS_ID, number: 'INC0010001' }, context());
    assert.equal(snow.requests[0]!.method, 'PATCH');
    const body = JSON.parse(snow.requests[0]!.body);
    assert.deepEqual(
      { state: body.state, close_code: body.close_code, close_notes: body.close_notes },
      { state: '6', close_code: 'Solution provided', close_notes: 'Resolved by alice\nResolved in Vigil (resolved): https://vigil.example.com/incidents/INC-12' },
    );
    assert.match(body.work_notes, /^Resolved by alice\n/);
  });

  it('updates urgency and impact when the incident is escalated', async () => {
    snow.replies.push({ status: 200, body: { result: {} } });
    await createServiceNowChannel(config, 'snow').send(message('escalated', 'Now P1'), { sys_id: SYS_ID, number: 'INC0010001' }, context());
    const body = JSON.parse(snow.requests[0]!.body);
    assert.equal(body.urgency, '1');
    assert.equal(body.impact, '1');
    assert.equal('state' in body, false);
  });

  it('keeps no thread for a message without an incident', async () => {
    snow.replies.push({ status: 201, body: { result: { sys_id: 'x1', number: 'INC0000002' } } });
    const result = await createServiceNowChannel(config, 'snow').send(message('test', 'Test from Vigil', null), null, context());
    assert.deepEqual(result, {});
    const body = JSON.parse(snow.requests[0]!.body);
    assert.equal(body.short_description, '[Vigil] Test from Vigil');
    assert.equal(body.description, 'Test from Vigil');
    assert.equal('correlation_id' in body, false);
  });

  it('turns a 500 into a retryable error', async () => {
    snow.replies.push({ status: 500, body: { error: { message: 'Transaction cancelled' } } });
    const error = await rejection(createServiceNowChannel(config, 'snow').send(message('opened', 'x'), null, context()));
    assert.equal(error.retryable, true);
    assert.equal(error.status, 500);
    assert.match(error.message, /Transaction cancelled/);
  });

  it('honours 429 with Retry-After', async () => {
    snow.replies.push({ status: 429, headers: { 'retry-after': '12' }, body: {} });
    const error = await rejection(createServiceNowChannel(config, 'snow').send(message('updated', 'x'), { sys_id: SYS_ID, number: 'n' }, context()));
    assert.equal(error.retryable, true);
    assert.equal(error.status, 429);
    assert.equal(error.retryAfterMs, 12_000);
  });

  it('does not retry 400 or 401', async () => {
    snow.replies.push({ status: 400, body: { error: { message: 'Invalid field' } } }, { status: 401, body: { error: { message: 'User Not Authenticated' } } });
    const bad = await rejection(createServiceNowChannel(config, 'snow').send(message('opened', 'x'), null, context()));
    assert.equal(bad.retryable, false);
    assert.equal(bad.status, 400);
    const denied = await rejection(createServiceNowChannel(config, 'snow').send(message('opened', 'x'), null, context()));
    assert.equal(denied.retryable, false);
    assert.equal(denied.status, 401);
    assert.match(denied.message, /User Not Authenticated/);
  });

  it('does not retry a created record whose answer names no sys_id', async () => {
    snow.replies.push({ status: 201, body: { result: { number: 'INC1' } } });
    const error = await rejection(createServiceNowChannel(config, 'snow').send(message('opened', 'x'), null, context()));
    assert.equal(error.retryable, false);
  });

  it('aborts a request to a server that never answers, retryably', async () => {
    snow.replies.push({ status: 0, hang: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const started = Date.now();
    const error = await rejection(createServiceNowChannel(config, 'snow').send(message('opened', 'x'), null, context(controller.signal)));
    assert.equal(error.retryable, true);
    assert.match(error.message, /aborted/);
    assert.ok(Date.now() - started < 5000);
    assert.equal(snow.requests.length, 1);
  });

  it('names the missing or bad field of a configuration', () => {
    const good: ServiceNowChannelConfig = { type: 'servicenow', url: 'https://acme.service-now.com', username: 'u', password: 'p' };
    const cases: Array<[unknown, RegExp]> = [
      [{ ...good, url: '' }, /\burl is required/],
      [{ ...good, url: 'http://acme.service-now.com' }, /\burl must be an https URL/],
      [{ ...good, username: undefined }, /\busername\b/],
      [{ ...good, password: '' }, /\bpassword\b/],
      [{ ...good, table: 'incident/../x' }, /\btable\b/],
      [{ ...good, assignment_group: '' }, /\bassignment_group\b/],
    ];
    for (const [bad, pattern] of cases) {
      assert.throws(() => createServiceNowChannel(bad as ServiceNowChannelConfig, 'snow-x'), (e: unknown) => e instanceof Error && pattern.test(e.message) && /snow-x/.test(e.message), String(pattern));
    }
    assert.doesNotThrow(() => createServiceNowChannel(good, 'snow-x'));
  });
});
