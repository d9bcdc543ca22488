import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import type { NotifyMessage } from '../../../core/index.ts';
import { assertJsonPost, closeServers, context, makeIncident, makeMessage, rejection, sendJson as json, serve } from '../testkit.ts';
import { createSlackChannel, slackMessage, type SlackApiConfig, type SlackChannelConfig } from './index.ts';

after(closeServers);

const incident = makeIncident({ change: { id: 'CHG-7', verdict: 'unauthorised-change', reason: 'deploy to db-1 outside any window' } });
const message = makeMessage({ incident });

const field = (text: string) => ({ type: 'mrkdwn', text });
const EXPECTED_BLOCKS = [
  {
    type: 'section',
    text: { type: 'mrkdwn', text: '*<https://vigil.example.com/incidents/INC-42|[P1] INC-42: Brute force then login on db-1>*\nINC-42 opened: Brute force then login on db-1' },
  },
  {
    type: 'section',
    fields: [
      field('*Status*\nnew'),
      field('*Severity*\nhigh'),
      field('*Assignee*\nunassigned'),
      field('*Services*\npayments'),
      field('*Hosts*\ndb-1, web-2'),
      field('*Kill chain*\ninitial-access → lateral-movement'),
      field('*Score*\n91: critical asset db-1, lateral movement'),
      field('*Related change*\nCHG-7 (unauthorised-change): deploy to db-1 outside any window'),
    ],
  },
  { type: 'context', elements: [field('Vigil · Opened · 3 alerts · detected 2024-05-01T11:58:00.000Z')] },
  {
    type: 'actions',
    block_id: 'vigil_actions',
    elements: [
      { type: 'button', action_id: 'vigil_ack', text: { type: 'plain_text', text: 'Acknowledge' }, style: 'primary', value: 'INC-42' },
      { type: 'button', action_id: 'vigil_resolve', text: { type: 'plain_text', text: 'Resolve' }, value: 'INC-42' },
    ],
  },
];


describe('slack Block Kit', () => {
  it('renders title link, fields, context and the ack / resolve buttons', () => {
    assert.deepEqual(slackMessage(message), { text: 'INC-42 opened: Brute force then login on db-1', blocks: EXPECTED_BLOCKS });
  });

  it('offers only Resolve once acknowledged, and no buttons once resolved', () => {
    const acked = slackMessage({ ...message, incident: { ...incident, status: 'acknowledged' } }).blocks.at(-1) as { type: string; elements: Array<{ action_id: string }> };
    assert.equal(acked.type, 'actions');
    assert.deepEqual(acked.elements.map((e) => e.action_id), ['vigil_resolve']);
    const resolved = slackMessage({ ...message, event: 'resolved', incident: { ...incident, status: 'resolved' } }).blocks;
    assert.deepEqual(resolved.map((b) => b.type), ['section', 'section', 'context']);
  });

  it('escapes Slack control characters and does not link a relative URL', () => {
    const rendered = slackMessage({ ...message, text: '<!channel> a & b', incident: { ...incident, title: 'x <y> & z', url: '/incidents/INC-42' } });
    assert.equal(rendered.text, '&lt;!channel&gt; a &amp; b');
    assert.deepEqual(rendered.blocks[0], { type: 'section', text: { type: 'mrkdwn', text: '*[P1] INC-42: x &lt;y&gt; &amp; z*\n&lt;!channel&gt; a &amp; b' } });
  });

  it('lists the entries of a digest', () => {
    const digest: NotifyMessage = {
      key: 'd-1',
      event: 'digest',
      text: '2 notifications held back by the rate limit',
      incident: null,
      digest: [
        { incident_id: 'INC-1', title: 'Port scan', priority: 'P3', event: 'opened', at: '2024-05-01T11:00:00.000Z' },
        { incident_id: 'INC-2', title: 'Malware <dropper>', priority: 'P2', event: 'escalated', at: '2024-05-01T11:30:00.000Z' },
      ],
      at: '2024-05-01T11:59:00.000Z',
    };
    assert.deepEqual(slackMessage(digest), {
      text: '2 notifications held back by the rate limit',
      blocks: [
        { type: 'section', text: field('*Vigil digest: 2 notifications*\n2 notifications held back by the rate limit') },
        { type: 'section', text: field('• [P3] INC-1 Port scan: opened at 2024-05-01T11:00:00.000Z\n• [P2] INC-2 Malware &lt;dropper&gt;: escalated at 2024-05-01T11:30:00.000Z') },
        { type: 'context', elements: [field('Vigil · Digest · 2024-05-01T11:59:00.000Z')] },
      ],
    });
  });

  it('applies a title / text template', () => {
    const rendered = slackMessage(message, { title: '{{incident.id}} is {{incident.priority}}', text: 'On call: {{incident.assignee}}.' });
    assert.equal(rendered.text, 'On call: .');
    assert.equal((rendered.blocks[0] as { text: { text: string } }).text.text, '*<https://vigil.example.com/incidents/INC-42|INC-42 is P1>*\nOn call: .');
  });
});

describe('slack incoming webhook', () => {
  const hook = (base: string): SlackChannelConfig => ({ type: 'slack', webhook_url: `${base}/services/T000/B000/XXXX` });

  it('POSTs { text, blocks } to the webhook URL; every message is a new post', async () => {
    const server = await serve((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('ok'));
    const channel = createSlackChannel(hook(server.base), 'sec-chat');
    assert.equal(channel.type, 'slack');
    assert.equal(channel.name, 'sec-chat');
    assert.deepEqual(await channel.send(message, null, context()), {});
    assert.deepEqual(await channel.send({ ...message, event: 'updated' }, { ts: '1.2', channel: 'C1' }, context()), {});
    assert.equal(server.requests.length, 2);
    const req = assertJsonPost(server.requests[0], '/services/T000/B000/XXXX');
    assert.equal(req.headers.authorization, undefined);
    assert.deepEqual(req.json, { text: message.text, blocks: EXPECTED_BLOCKS });
    assert.equal(server.requests[1]!.url, '/services/T000/B000/XXXX');
  });

  it('404 no_service and 400 invalid_payload → not retryable', async () => {
    const server = await serve((_req, res, n) => res.writeHead(n === 1 ? 404 : 400).end(n === 1 ? 'no_service' : 'invalid_payload'));
    const channel = createSlackChannel(hook(server.base), 's');
    const gone = await rejection(channel.send(message, null, context()));
    assert.equal(gone.retryable, false);
    assert.equal(gone.status, 404);
    assert.match(gone.message, /no_service/);
    const invalid = await rejection(channel.send(message, null, context()));
    assert.equal(invalid.retryable, false);
    assert.equal(invalid.status, 400);
    assert.match(invalid.message, /invalid_payload/);
  });

  it('500 → retryable; 429 Retry-After: 7 → retryable after 7000 ms', async () => {
    const server = await serve((_req, res, n) => (n === 1 ? res.writeHead(500).end() : res.writeHead(429, { 'Retry-After': '7' }).end('rate_limited')));
    const channel = createSlackChannel(hook(server.base), 's');
    const down = await rejection(channel.send(message, null, context()));
    assert.equal(down.retryable, true);
    assert.equal(down.status, 500);
    const limited = await rejection(channel.send(message, null, context()));
    assert.equal(limited.retryable, true);
    assert.equal(limited.retryAfterMs, 7000);
  });

  it('a hung server → the signal aborts → retryable', async () => {
    const server = await serve(() => undefined);
    const started = Date.now();
    const error = await rejection(createSlackChannel(hook(server.base), 's').send(message, null, context(150)));
    assert.equal(error.retryable, true);
    assert.match(error.message, /no answer in time/);
    assert.ok(Date.now() - started < 1500);
  });
});

describe('slack Web API', () => {
  const api = (base: string, extra: Partial<SlackApiConfig> = {}): SlackChannelConfig => ({ type: 'slack', token: 'xoxb-test', channel: '#soc', api_url: `${base}/api/`, ...extra });

  it('posts the first message with chat.postMessage and keeps { ts, channel id } as the thread', async () => {
    const server = await serve((_req, res) => json(res, { ok: true, channel: 'C0123', ts: '1714564800.000100', message: {} }));
    const channel = createSlackChannel(api(server.base), 'soc');
    const result = await channel.send(message, null, context());
    assert.deepEqual(result, { thread: { ts: '1714564800.000100', channel: 'C0123' } });
    assert.equal(server.requests.length, 1);
    const req = server.requests[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/api/chat.postMessage');
    assert.equal(req.headers.authorization, 'Bearer xoxb-test');
    assert.equal(req.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(req.json, { channel: '#soc', text: message.text, blocks: EXPECTED_BLOCKS });
  });

  it('updates the message in place for a later message of the same incident', async () => {
    const server = await serve((_req, res) => json(res, { ok: true, channel: 'C0123', ts: '1714564800.000100' }));
    const channel = createSlackChannel(api(server.base), 'soc');
    const thread = { ts: '1714564800.000100', channel: 'C0123' };
    const updated: NotifyMessage = { ...message, key: 'k-2', event: 'state_changed', text: 'INC-42 acknowledged by bob', incident: { ...incident, status: 'acknowledged', assignee: 'bob' } };
    assert.deepEqual(await channel.send(updated, thread, context()), { thread });
    assert.equal(server.requests.length, 1);
    const req = server.requests[0]!;
    assert.equal(req.url, '/api/chat.update');
    assert.equal(req.headers.authorization, 'Bearer xoxb-test');
    const expected = slackMessage(updated);
    assert.deepEqual(req.json, { channel: 'C0123', ts: '1714564800.000100', text: 'INC-42 acknowledged by bob', blocks: expected.blocks });
    assert.deepEqual((expected.blocks[1] as { fields: unknown[] }).fields[2], field('*Assignee*\nbob'));
  });

  it('a resolution updates the message and replies in the thread; an escalation replies to the channel too', async () => {
    const server = await serve((_req, res) => json(res, { ok: true, channel: 'C0123', ts: '1714564999.000200' }));
    const channel = createSlackChannel(api(server.base), 'soc');
    const thread = { ts: '1714564800.000100', channel: 'C0123' };
    const resolved: NotifyMessage = { ...message, event: 'resolved', text: 'INC-42 resolved by bob', incident: { ...incident, status: 'resolved' } };
    assert.deepEqual(await channel.send(resolved, thread, context()), { thread });
    assert.deepEqual(server.requests.map((r) => r.url), ['/api/chat.update', '/api/chat.postMessage']);
    assert.deepEqual(server.requests[1]!.json, { channel: 'C0123', thread_ts: '1714564800.000100', text: 'INC-42 resolved by bob' });

    await channel.send({ ...message, event: 'escalated', text: 'INC-42 escalated to P1' }, thread, context());
    assert.deepEqual(server.requests.map((r) => r.url).slice(2), ['/api/chat.update', '/api/chat.postMessage']);
    assert.deepEqual(server.requests[3]!.json, { channel: 'C0123', thread_ts: '1714564800.000100', text: 'INC-42 escalated to P1', reply_broadcast: true });
  });

  it('posts a new message when the original was deleted (message_not_found)', async () => {
    const server = await serve((req, res) =>
      req.url === '/api/chat.update' ? json(res, { ok: false, error: 'message_not_found' }) : json(res, { ok: true, channel: 'C0123', ts: '2.0' }),
    );
    const result = await createSlackChannel(api(server.base), 'soc').send({ ...message, event: 'updated' }, { ts: '1.0', channel: 'C0123' }, context());
    assert.deepEqual(result, { thread: { ts: '2.0', channel: 'C0123' } });
    assert.deepEqual(server.requests.map((r) => r.url), ['/api/chat.update', '/api/chat.postMessage']);
    assert.equal(server.requests[1]!.json.channel, '#soc');
  });

  it('posts a digest as a new message without a thread', async () => {
    const server = await serve((_req, res) => json(res, { ok: true, channel: 'C0123', ts: '3.0' }));
    const digest: NotifyMessage = { key: 'd', event: 'digest', text: '1 held back', incident: null, digest: [{ incident_id: 'INC-1', title: 't', priority: 'P2', event: 'opened', at: 'x' }], at: 'y' };
    assert.deepEqual(await createSlackChannel(api(server.base), 'soc').send(digest, { ts: '1.0', channel: 'C0123' }, context()), {});
    assert.equal(server.requests[0]!.url, '/api/chat.postMessage');
    assert.equal(server.requests[0]!.json.channel, '#soc');
  });

  it('ok: false ratelimited → retryable; other Slack errors → not retryable', async () => {
    const server = await serve((_req, res, n) => json(res, { ok: false, error: n === 1 ? 'ratelimited' : 'channel_not_found' }));
    const channel = createSlackChannel(api(server.base), 'soc');
    const limited = await rejection(channel.send(message, null, context()));
    assert.equal(limited.retryable, true);
    assert.match(limited.message, /ratelimited/);
    const missing = await rejection(channel.send(message, null, context()));
    assert.equal(missing.retryable, false);
    assert.match(missing.message, /chat\.postMessage: Slack error channel_not_found/);
  });

  it('a failed chat.update other than message_not_found does not post a new message', async () => {
    const server = await serve((_req, res) => json(res, { ok: false, error: 'cant_update_message' }));
    const error = await rejection(createSlackChannel(api(server.base), 'soc').send(message, { ts: '1.0', channel: 'C1' }, context()));
    assert.equal(error.retryable, false);
    assert.equal(server.requests.length, 1);
  });

  it('HTTP 500 → retryable, 429 Retry-After: 7 → 7000 ms, 400 → not retryable, hung → retryable', async () => {
    const server = await serve((_req, res, n) => {
      if (n === 1) res.writeHead(500).end();
      else if (n === 2) json(res, { ok: false, error: 'ratelimited' }, 429, { 'Retry-After': '7' });
      else if (n === 3) res.writeHead(400).end('invalid');
      // the 4th never answers
    });
    const channel = createSlackChannel(api(server.base), 'soc');
    const down = await rejection(channel.send(message, null, context()));
    assert.deepEqual([down.retryable, down.status], [true, 500]);
    const limited = await rejection(channel.send(message, null, context()));
    assert.deepEqual([limited.retryable, limited.retryAfterMs], [true, 7000]);
    const bad = await rejection(channel.send(message, null, context()));
    assert.deepEqual([bad.retryable, bad.status], [false, 400]);
    const hung = await rejection(channel.send(message, null, context(150)));
    assert.equal(hung.retryable, true);
    assert.match(hung.message, /no answer in time/);
  });

  it('a 200 answer that is not JSON → retryable', async () => {
    const server = await serve((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>proxy</html>'));
    const error = await rejection(createSlackChannel(api(server.base), 'soc').send(message, null, context()));
    assert.equal(error.retryable, true);
    assert.match(error.message, /not JSON/);
  });
});

describe('slack config', () => {
  it('names the missing or wrong field', () => {
    assert.throws(() => createSlackChannel({ type: 'slack' } as unknown as SlackChannelConfig, 'a'), /slack channel "a": webhook_url or token is required/);
    assert.throws(() => createSlackChannel({ type: 'slack', token: 'x' } as unknown as SlackChannelConfig, 'a'), /channel is required/);
    assert.throws(() => createSlackChannel({ type: 'slack', webhook_url: 'nope' }, 'a'), /webhook_url is not a valid URL/);
    assert.throws(() => createSlackChannel({ type: 'slack', webhook_url: 'https://h', token: 't' } as unknown as SlackChannelConfig, 'a'), /not both/);
    assert.throws(() => createSlackChannel({ type: 'slack', token: 't', channel: 'c', api_url: 'ftp://x' }, 'a'), /api_url must be an http\(s\) URL/);
    assert.throws(() => createSlackChannel({ type: 'slack', token: '', channel: 'c' }, 'a'), /token must be a non-empty string/);
    assert.throws(() => createSlackChannel({ type: 'teams', webhook_url: 'https://h' } as unknown as SlackChannelConfig, 'a'), /type must be "slack"/);
    assert.doesNotThrow(() => createSlackChannel({ type: 'slack', token: 't', channel: 'C1' }, 'a'));
  });
});
