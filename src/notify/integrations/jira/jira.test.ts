import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { context, makeIncident, messagesAbout, rejection, serve, type TestServer } from '../testkit.ts';
import { createJiraChannel, toAdf, type JiraChannelConfig } from './index.ts';

const incident = makeIncident({
  id: 'INC-12',
  title: 'Brute force on web-1',
  severity: 'critical',
  score: 92,
  summary: 'Critical asset',
  assignee: 'alice',
  hosts: ['web-1'],
  users: [],
  alert_count: 7,
  kill_chain: [],
  change: { id: 'CHG-3', verdict: 'likely', reason: 'deployed 5 min before' },
  detected_at: '2024-03-04T09:58:00.000Z',
});

const message = messagesAbout(incident, '2024-03-04T10:00:00.000Z');

const AUTH = `Basic ${Buffer.from('bot@example.com:tok-123').toString('base64')}`;

describe('jira channel', () => {
  let jira: TestServer;
  let url = '';
  let config: JiraChannelConfig;
  before(async () => {
    jira = await serve();
    url = jira.base;
    config = { type: 'jira', url: `${url}/`, email: 'bot@example.com', api_token: 'tok-123', project: 'SEC', labels: ['security', 'vigil'] };
  });
  after(() => jira.close());
  beforeEach(() => jira.reset());

  it('opens an issue for the first message, with auth, JSON headers and an ADF description', async () => {
    jira.replies.push({ status: 201, body: { id: '10001', key: 'SEC-7', self: `${url}/rest/api/3/issue/10001` } });
    const channel = createJiraChannel(config, 'jira-sec');
    assert.equal(channel.name, 'jira-sec');
    assert.equal(channel.type, 'jira');
    const result = await channel.send(message('opened', 'New P1 incident'), null, context());
    assert.deepEqual(result, { thread: { key: 'SEC-7' } });

    assert.equal(jira.requests.length, 1);
    const [req] = jira.requests;
    assert.equal(req!.method, 'POST');
    assert.equal(req!.url, '/rest/api/3/issue');
    assert.equal(req!.headers.authorization, AUTH);
    assert.equal(req!.headers.accept, 'application/json');
    assert.equal(req!.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(req!.body), {
      fields: {
        project: { key: 'SEC' },
        summary: '[Vigil P1] INC-12 Brute force on web-1',
        issuetype: { name: 'Task' },
        labels: ['vigil', 'security'],
        description: {
          type: 'doc',
          version: 1,
          content: [
            { type: 'heading', attrs: { level: 3 }, content: [{ type: 'text', text: 'INC-12: Brute force on web-1' }] },
            { type: 'paragraph', content: [{ type: 'text', text: 'New P1 incident' }] },
            { type: 'paragraph', content: [{ type: 'text', text: 'Critical asset' }] },
            {
              type: 'bulletList',
              content: [
                ['Priority', 'P1 (score 92, severity critical)'],
                ['Status', 'new'],
                ['Assignee', 'alice'],
                ['Alerts', '7'],
                ['Services', 'payments'],
                ['Hosts', 'web-1'],
                ['Related change', 'CHG-3 (likely): deployed 5 min before'],
                ['Detected', '2024-03-04T09:58:00.000Z'],
              ].map(([label, value]) => ({
                type: 'listItem',
                content: [{ type: 'paragraph', content: [{ type: 'text', text: `${label}: `, marks: [{ type: 'strong' }] }, { type: 'text', text: value }] }],
              })),
            },
            {
              type: 'paragraph',
              content: [{ type: 'text', text: 'Open INC-12 in Vigil', marks: [{ type: 'link', attrs: { href: 'https://vigil.example.com/incidents/INC-12' } }] }],
            },
          ],
        },
      },
    });
  });

  it('uses the configured issue type and cuts the summary to 255 characters', async () => {
    jira.replies.push({ status: 201, body: { id: '1', key: 'SEC-8', self: 'x' } });
    const channel = createJiraChannel({ ...config, issue_type: 'Incident', labels: undefined }, 'jira');
    await channel.send(message('opened', 'x', { title: `Long ${'a'.repeat(400)}\nnext line` }), null, context());
    const fields = JSON.parse(jira.requests[0]!.body).fields;
    assert.deepEqual(fields.issuetype, { name: 'Incident' });
    assert.deepEqual(fields.labels, ['vigil']);
    assert.equal(fields.summary.length, 255);
    assert.ok(fields.summary.startsWith('[Vigil P1] INC-12 Long aaa'), fields.summary);
    assert.ok(fields.summary.endsWith('a…'), fields.summary);
  });

  it('comments on the issue for later messages', async () => {
    jira.replies.push({ status: 201, body: { id: '20000' } });
    const channel = createJiraChannel(config, 'jira');
    const result = await channel.send(message('escalated', 'Escalated to P1', { status: 'investigating' }), { key: 'SEC-7' }, context());
    assert.deepEqual(result, { thread: { key: 'SEC-7' } });
    assert.equal(jira.requests.length, 1);
    const [req] = jira.requests;
    assert.equal(req!.method, 'POST');
    assert.equal(req!.url, '/rest/api/3/issue/SEC-7/comment');
    assert.equal(req!.headers.authorization, AUTH);
    assert.equal(req!.headers['content-type'], 'application/json');
    const body = JSON.parse(req!.body);
    assert.deepEqual(Object.keys(body), ['body']);
    assert.deepEqual(body.body, toAdf(message('escalated', 'Escalated to P1', { status: 'investigating' }), 'comment'));
    assert.deepEqual(body.body.content[0], { type: 'paragraph', content: [{ type: 'text', text: 'Escalated to P1' }] });
    assert.deepEqual(body.body.content[1].content[1], {
      type: 'listItem',
      content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Status: ', marks: [{ type: 'strong' }] }, { type: 'text', text: 'investigating' }] }],
    });
  });

  it('comments and then moves the issue through the done transition when the incident is resolved', async () => {
    jira.replies.push(
      { status: 201, body: { id: '20001' } },
      { status: 200, body: { transitions: [{ id: '11', name: 'In Progress' }, { id: '31', name: 'DONE', to: { name: 'Done' } }] } },
      { status: 204 },
    );
    const channel = createJiraChannel(config, 'jira');
    const result = await channel.send(message('resolved', 'Resolved by alice', { status: 'resolved' }), { key: 'SEC-7' }, context());
    assert.deepEqual(result, { thread: { key: 'SEC-7' } });
    assert.deepEqual(
      jira.requests.map((r) => `${r.method} ${r.url}`),
      ['POST /rest/api/3/issue/SEC-7/comment', 'GET /rest/api/3/issue/SEC-7/transitions', 'POST /rest/api/3/issue/SEC-7/transitions'],
    );
    assert.equal(jira.requests[1]!.headers.authorization, AUTH);
    assert.equal(jira.requests[1]!.headers.accept, 'application/json');
    assert.equal(jira.requests[1]!.body, '');
    assert.deepEqual(JSON.parse(jira.requests[2]!.body), { transition: { id: '31' } });
    assert.equal(jira.requests[2]!.headers['content-type'], 'application/json');
  });

  it('transitions on a closed incident status too, with a configured transition name', async () => {
    jira.replies.push({ status: 201, body: {} }, { status: 200, body: { transitions: [{ id: '5', name: 'Close Issue' }] } }, { status: 204 });
    const channel = createJiraChannel({ ...config, done_transition: 'close issue' }, 'jira');
    await channel.send(message('state_changed', 'Closed', { status: 'closed' }), { key: 'SEC-9' }, context());
    assert.deepEqual(JSON.parse(jira.requests[2]!.body), { transition: { id: '5' } });
  });

  it('does not transition for an update of an open incident', async () => {
    jira.replies.push({ status: 201, body: {} });
    await createJiraChannel(config, 'jira').send(message('updated', 'New alert', { status: 'investigating' }), { key: 'SEC-7' }, context());
    assert.deepEqual(jira.requests.map((r) => `${r.method} ${r.url}`), ['POST /rest/api/3/issue/SEC-7/comment']);
  });

  it('fails, not retryably, naming a done transition the workflow lacks', async () => {
    jira.replies.push(
      { status: 201, body: {} },
      { status: 200, body: { transitions: [{ id: '11', name: 'In Progress' }] } },
      { status: 200, body: { fields: { status: { name: 'In Progress', statusCategory: { key: 'indeterminate' } } } } },
    );
    const error = await rejection(createJiraChannel(config, 'jira').send(message('resolved', 'Resolved'), { key: 'SEC-7' }, context()));
    assert.equal(error.retryable, false);
    assert.match(error.message, /"Done"/);
    assert.match(error.message, /In Progress/);
    assert.equal(jira.requests[2]!.url, '/rest/api/3/issue/SEC-7?fields=status');
  });

  it('accepts an issue that is already done when the transition is no longer offered', async () => {
    jira.replies.push(
      { status: 201, body: {} },
      { status: 200, body: { transitions: [{ id: '41', name: 'Reopen' }] } },
      { status: 200, body: { fields: { status: { name: 'Closed', statusCategory: { key: 'done' } } } } },
    );
    const result = await createJiraChannel(config, 'jira').send(message('resolved', 'Resolved'), { key: 'SEC-7' }, context());
    assert.deepEqual(result, { thread: { key: 'SEC-7' } });
    assert.equal(jira.requests.length, 3);
    assert.ok(!jira.requests.some((r) => r.method === 'POST' && r.url.endsWith('/transitions')));
  });

  it('keeps no thread for a message without an incident', async () => {
    jira.replies.push({ status: 201, body: { id: '1', key: 'SEC-1', self: 'x' } });
    const result = await createJiraChannel(config, 'jira').send(message('test', 'Test from Vigil', null), null, context());
    assert.deepEqual(result, {});
    const fields = JSON.parse(jira.requests[0]!.body).fields;
    assert.equal(fields.summary, '[Vigil] Test from Vigil');
    assert.deepEqual(fields.description, { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Test from Vigil' }] }] });
  });

  it('turns a 500 into a retryable error', async () => {
    jira.replies.push({ status: 500, body: 'boom' });
    const error = await rejection(createJiraChannel(config, 'jira').send(message('opened', 'x'), null, context()));
    assert.equal(error.retryable, true);
    assert.equal(error.status, 500);
    assert.match(error.message, /create issue/);
  });

  it('honours 429 with Retry-After', async () => {
    jira.replies.push({ status: 429, headers: { 'retry-after': '30' }, body: {} });
    const error = await rejection(createJiraChannel(config, 'jira').send(message('updated', 'x'), { key: 'SEC-7' }, context()));
    assert.equal(error.retryable, true);
    assert.equal(error.status, 429);
    assert.equal(error.retryAfterMs, 30_000);
  });

  it('does not retry 400 or 401', async () => {
    jira.replies.push({ status: 400, body: { errorMessages: [], errors: { summary: 'required' } } });
    const bad = await rejection(createJiraChannel(config, 'jira').send(message('opened', 'x'), null, context()));
    assert.equal(bad.retryable, false);
    assert.equal(bad.status, 400);
    assert.match(bad.message, /summary/);
    jira.replies.push({ status: 401, body: { errorMessages: ['unauthorized'] } });
    const denied = await rejection(createJiraChannel(config, 'jira').send(message('opened', 'x'), null, context()));
    assert.equal(denied.retryable, false);
    assert.equal(denied.status, 401);
  });

  it('does not retry a created issue whose answer names no key', async () => {
    jira.replies.push({ status: 201, body: { id: '1' } });
    const error = await rejection(createJiraChannel(config, 'jira').send(message('opened', 'x'), null, context()));
    assert.equal(error.retryable, false);
  });

  it('aborts a request to a server that never answers, retryably', async () => {
    jira.replies.push({ status: 0, hang: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const started = Date.now();
    const error = await rejection(createJiraChannel(config, 'jira').send(message('opened', 'x'), null, context(controller.signal)));
    assert.equal(error.retryable, true);
    assert.match(error.message, /aborted/);
    assert.ok(Date.now() - started < 5000);
    assert.equal(jira.requests.length, 1);
  });

  it('names the missing or bad field of a configuration', () => {
    const good: JiraChannelConfig = { type: 'jira', url: 'https://acme.atlassian.net', email: 'a@b.c', api_token: 't', project: 'SEC' };
    const cases: Array<[unknown, RegExp]> = [
      [{ ...good, url: undefined }, /\burl is required/],
      [{ ...good, url: 'http://acme.atlassian.net' }, /\burl must be an https URL/],
      [{ ...good, url: 'not a url' }, /\burl\b/],
      [{ ...good, email: '' }, /\bemail\b/],
      [{ ...good, api_token: undefined }, /\bapi_token\b/],
      [{ ...good, project: ' ' }, /\bproject\b/],
      [{ ...good, labels: ['two words'] }, /\blabels\b/],
      [{ ...good, done_transition: '' }, /\bdone_transition\b/],
    ];
    for (const [bad, pattern] of cases) {
      assert.throws(() => createJiraChannel(bad as JiraChannelConfig, 'jira-x'), (e: unknown) => e instanceof Error && pattern.test(e.message) && /jira-x/.test(e.message), String(pattern));
    }
    assert.doesNotThrow(() => createJiraChannel(good, 'jira-x'));
  });
});

describe('toAdf', () => {
  it('breaks lines with hardBreak, never emits empty text, and links only absolute URLs', () => {
    const doc = toAdf(message('updated', 'line one\n\nline two', { url: '/incidents/INC-12', summary: '' }), 'comment');
    assert.deepEqual(doc.content[0], {
      type: 'paragraph',
      content: [{ type: 'text', text: 'line one' }, { type: 'hardBreak' }, { type: 'hardBreak' }, { type: 'text', text: 'line two' }],
    });
    assert.deepEqual(doc.content.at(-1), { type: 'paragraph', content: [{ type: 'text', text: 'Vigil: /incidents/INC-12' }] });
    const texts = JSON.stringify(doc).match(/"text":""/g);
    assert.equal(texts, null);
  });

  it('lists a digest', () => {
    const doc = toAdf({ key: 'd', event: 'digest', text: '2 notifications', incident: null, at: 'x', digest: [{ incident_id: 'INC-1', title: 'A', priority: 'P2', event: 'opened', at: 't1' }] });
    assert.deepEqual(doc.content[1], {
      type: 'bulletList',
      content: [{ type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'P2 INC-1: ', marks: [{ type: 'strong' }] }, { type: 'text', text: 'A (opened at t1)' }] }] }],
    });
  });
});
