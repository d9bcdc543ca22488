import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { NotifyMessage } from '../../../core/index.ts';
import { assertJsonPost, closeServers, context, makeIncident, makeMessage, rejection, SEND_NOW as NOW, serve } from '../testkit.ts';
import { renderTemplate } from '../text.ts';
import { createWebhookChannel, signWebhook, verifyWebhook, type WebhookChannelConfig } from './index.ts';

after(closeServers);

const NOW_SECONDS = '1714564800';

const incident = makeIncident();
const message = makeMessage({ key: '01HXKEY0000000000000000001', incident });

const config = (url: string, extra: Partial<WebhookChannelConfig> = {}): WebhookChannelConfig => ({ type: 'webhook', url, ...extra });

const hmac = (secret: string, data: string): string => createHmac('sha256', secret).update(data).digest('hex');

describe('webhook channel: request', () => {
  it('POSTs the JSON form with the signature, timestamp, idempotency key and user agent', async () => {
    const server = await serve((_req, res) => res.writeHead(204).end());
    const channel = createWebhookChannel(config(`${server.base}/hooks/vigil?team=sec`, { secret: 's3cret', headers: { Authorization: 'Bearer abc' } }), 'soc');
    assert.equal(channel.name, 'soc');
    assert.equal(channel.type, 'webhook');
    const result = await channel.send(message, null, context());
    assert.deepEqual(result, {});
    assert.equal(server.requests.length, 1);
    const req = assertJsonPost(server.requests[0], '/hooks/vigil?team=sec');
    assert.equal(req.headers['x-vigil-timestamp'], NOW_SECONDS);
    assert.equal(req.headers['idempotency-key'], message.key);
    assert.equal(req.headers.authorization, 'Bearer abc');
    assert.equal(req.headers['x-vigil-signature'], `sha256=${hmac('s3cret', `${NOW_SECONDS}.${req.body}`)}`);
    assert.deepEqual(JSON.parse(req.body), {
      event: 'opened',
      text: 'INC-42 opened: Brute force then login on db-1',
      incident,
      at: '2024-05-01T11:59:30.000Z',
      key: '01HXKEY0000000000000000001',
    });
    assert.ok(verifyWebhook('s3cret', req.headers, req.body, NOW));
  });

  it('sends no signature without a secret, and carries a digest when there is one', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end('ok'));
    const channel = createWebhookChannel(config(`${server.base}/in`), 'plain');
    const digest: NotifyMessage = {
      key: 'digest-1',
      event: 'digest',
      text: '2 notifications held back',
      incident: null,
      digest: [
        { incident_id: 'INC-1', title: 'a', priority: 'P2', event: 'opened', at: '2024-05-01T11:00:00.000Z' },
        { incident_id: 'INC-2', title: 'b', priority: 'P4', event: 'resolved', at: '2024-05-01T11:30:00.000Z' },
      ],
      at: '2024-05-01T11:59:00.000Z',
    };
    await channel.send(digest, null, context());
    const req = server.requests[0]!;
    assert.equal(req.headers['x-vigil-signature'], undefined);
    assert.equal(req.headers['x-vigil-timestamp'], NOW_SECONDS);
    assert.equal(req.headers['idempotency-key'], 'digest-1');
    assert.deepEqual(JSON.parse(req.body), { event: 'digest', text: '2 notifications held back', incident: null, digest: digest.digest, at: digest.at, key: 'digest-1' });
  });

  it('sends a CloudEvents 1.0 structured-mode envelope when format is cloudevents', async () => {
    const server = await serve((_req, res) => res.writeHead(202).end());
    const channel = createWebhookChannel(config(`${server.base}/ce`, { format: 'cloudevents', secret: 'k' }), 'ce');
    await channel.send({ ...message, event: 'escalated' }, null, context());
    const req = server.requests[0]!;
    assert.equal(req.headers['content-type'], 'application/cloudevents+json');
    assert.equal(req.headers['x-vigil-signature'], `sha256=${hmac('k', `${NOW_SECONDS}.${req.body}`)}`);
    assert.deepEqual(JSON.parse(req.body), {
      specversion: '1.0',
      id: message.key,
      source: 'vigil',
      type: 'io.vigil.incident.escalated',
      subject: 'INC-42',
      time: message.at,
      datacontenttype: 'application/json',
      data: { event: 'escalated', text: message.text, incident, at: message.at, key: message.key },
    });
  });

  it('leaves subject out of a CloudEvent without an incident', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const channel = createWebhookChannel(config(`${server.base}/ce`, { format: 'cloudevents' }), 'ce');
    await channel.send({ key: 't-1', event: 'test', text: 'Test from Vigil', incident: null, at: message.at }, null, context());
    const body = JSON.parse(server.requests[0]!.body) as Record<string, unknown>;
    assert.equal(body.type, 'io.vigil.incident.test');
    assert.equal(Object.hasOwn(body, 'subject'), false);
  });

  it('renders a text template', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const channel = createWebhookChannel(config(server.base, { template: { text: '{{incident.priority}} {{incident.id}} ({{event}}) {{incident.nope}}!' } }), 't');
    await channel.send(message, null, context());
    assert.equal((JSON.parse(server.requests[0]!.body) as { text: string }).text, 'P1 INC-42 (opened) !');
  });

  it('keeps the Idempotency-Key across retries while the timestamp follows the clock', async () => {
    const server = await serve((_req, res, n) => (n === 1 ? res.writeHead(500).end('boom') : res.writeHead(200).end()));
    const channel = createWebhookChannel(config(server.base, { secret: 'x' }), 'retry');
    const first = await rejection(channel.send(message, null, context()));
    assert.equal(first.retryable, true);
    assert.equal(first.status, 500);
    await channel.send(message, null, context(2000, new Date(NOW.getTime() + 30_000)));
    assert.equal(server.requests.length, 2);
    assert.equal(server.requests[0]!.headers['idempotency-key'], message.key);
    assert.equal(server.requests[1]!.headers['idempotency-key'], message.key);
    assert.equal(server.requests[1]!.headers['x-vigil-timestamp'], String(Number(NOW_SECONDS) + 30));
    assert.equal(server.requests[0]!.body, server.requests[1]!.body);
  });
});

describe('webhook channel: errors', () => {
  it('500 → retryable', async () => {
    const server = await serve((_req, res) => res.writeHead(500).end('down'));
    const error = await rejection(createWebhookChannel(config(server.base), 'w').send(message, null, context()));
    assert.equal(error.retryable, true);
    assert.equal(error.status, 500);
    assert.match(error.message, /webhook channel "w": HTTP 500 down/);
  });

  it('429 with Retry-After: 7 → retryable after 7000 ms', async () => {
    const server = await serve((_req, res) => res.writeHead(429, { 'Retry-After': '7' }).end());
    const error = await rejection(createWebhookChannel(config(server.base), 'w').send(message, null, context()));
    assert.equal(error.retryable, true);
    assert.equal(error.retryAfterMs, 7000);
    assert.equal(error.status, 429);
  });

  it('400 → not retryable', async () => {
    const server = await serve((_req, res) => res.writeHead(400).end('bad'));
    const error = await rejection(createWebhookChannel(config(server.base), 'w').send(message, null, context()));
    assert.equal(error.retryable, false);
    assert.equal(error.status, 400);
  });

  it('a server that never answers → the signal aborts → retryable', async () => {
    const server = await serve(() => undefined);
    const started = Date.now();
    const error = await rejection(createWebhookChannel(config(server.base), 'w').send(message, null, context(150)));
    assert.equal(error.retryable, true);
    assert.match(error.message, /no answer in time/);
    assert.ok(Date.now() - started < 1500, 'gave up soon after the abort');
    assert.equal(server.requests.length, 1);
  });

  it('a refused connection → retryable', async () => {
    const server = await serve((_req, res) => res.end());
    const url = server.base.replace(/:\d+$/, ':1');
    const error = await rejection(createWebhookChannel(config(url), 'w').send(message, null, context()));
    assert.equal(error.retryable, true);
    assert.equal(error.status, undefined);
  });
});

describe('webhook channel: config', () => {
  it('names the missing or wrong field', () => {
    assert.throws(() => createWebhookChannel({ type: 'webhook' } as WebhookChannelConfig, 'a'), /webhook channel "a": url is required/);
    assert.throws(() => createWebhookChannel(config('ftp://x'), 'a'), /url must be an http\(s\) URL/);
    assert.throws(() => createWebhookChannel(config('not a url'), 'a'), /url is not a valid URL/);
    assert.throws(() => createWebhookChannel(config('http://x', { format: 'xml' as 'json' }), 'a'), /format must be/);
    assert.throws(() => createWebhookChannel(config('http://x', { secret: '' }), 'a'), /secret must be/);
    assert.throws(() => createWebhookChannel(config('http://x', { headers: { 'idempotency-key': 'x' } }), 'a'), /headers\.idempotency-key is set by Vigil/);
    assert.throws(() => createWebhookChannel(config('http://x', { headers: { 'X-A': 1 as unknown as string } }), 'a'), /headers\.X-A must be a string/);
    assert.throws(() => createWebhookChannel(config('http://x', { template: { body: 'x' } as never }), 'a'), /template\.body/);
    assert.doesNotThrow(() => createWebhookChannel(config('https://x.example/h', { format: 'cloudevents', secret: 'k' }), 'a'));
  });
});

describe('signWebhook / verifyWebhook', () => {
  const body = '{"event":"opened"}';
  const headers = (timestamp: string, secret = 'k', payload = body): Record<string, string> => ({
    'X-Vigil-Timestamp': timestamp,
    'X-Vigil-Signature': signWebhook(secret, timestamp, payload),
  });

  it('signs sha256=<hex HMAC of "<timestamp>.<body>">', () => {
    assert.equal(signWebhook('k', 1714564800, body), `sha256=${hmac('k', `1714564800.${body}`)}`);
    assert.equal(signWebhook('k', '1714564800', Buffer.from(body)), `sha256=${hmac('k', `1714564800.${body}`)}`);
  });

  it('accepts a good signature within the window, with any header case or a Headers object', () => {
    assert.equal(verifyWebhook('k', headers(NOW_SECONDS), body, NOW), true);
    const lower = { 'x-vigil-timestamp': NOW_SECONDS, 'x-vigil-signature': signWebhook('k', NOW_SECONDS, body) };
    assert.equal(verifyWebhook('k', lower, body, NOW.getTime()), true);
    assert.equal(verifyWebhook('k', new Headers(lower), Buffer.from(body), NOW), true);
    assert.equal(verifyWebhook('k', headers(String(Number(NOW_SECONDS) - 300)), body, NOW), true);
    assert.equal(verifyWebhook(['old', 'k'], headers(NOW_SECONDS), body, NOW), true);
  });

  it('rejects a changed body, a wrong secret, a stale or future timestamp and missing headers', () => {
    assert.equal(verifyWebhook('k', headers(NOW_SECONDS), `${body} `, NOW), false);
    assert.equal(verifyWebhook('other', headers(NOW_SECONDS), body, NOW), false);
    assert.equal(verifyWebhook('k', headers(String(Number(NOW_SECONDS) - 301)), body, NOW), false);
    assert.equal(verifyWebhook('k', headers(String(Number(NOW_SECONDS) + 301)), body, NOW), false);
    assert.equal(verifyWebhook('k', headers(String(Number(NOW_SECONDS) - 30)), body, NOW, 10), false);
    assert.equal(verifyWebhook('k', { 'X-Vigil-Signature': signWebhook('k', NOW_SECONDS, body) }, body, NOW), false);
    assert.equal(verifyWebhook('k', { 'X-Vigil-Timestamp': NOW_SECONDS }, body, NOW), false);
    const tampered = headers(NOW_SECONDS);
    tampered['X-Vigil-Timestamp'] = String(Number(NOW_SECONDS) - 1);
    assert.equal(verifyWebhook('k', tampered, body, NOW), false);
    assert.equal(verifyWebhook('k', { ...headers(NOW_SECONDS), 'X-Vigil-Timestamp': 'abc' }, body, NOW), false);
  });
});

describe('renderTemplate (shared by every channel)', () => {
  it('fills dotted paths into the message; unknown paths and nulls become empty', () => {
    assert.equal(renderTemplate('{{incident.id}} {{incident.title}} {{incident.priority}} {{event}}', message), 'INC-42 Brute force then login on db-1 P1 opened');
    assert.equal(renderTemplate('{{ text }} <{{incident.url}}>', message), 'INC-42 opened: Brute force then login on db-1 <https://vigil.example.com/incidents/INC-42>');
    assert.equal(renderTemplate('[{{incident.assignee}}|{{incident.nothing}}|{{nope.deeper}}|{{incident.change.reason}}]', message), '[|||]');
    assert.equal(renderTemplate('{{incident.hosts}} / {{incident.score}} / {{incident.hosts.1}}', message), 'db-1, web-2 / 91 / web-2');
  });

  it('renders objects as JSON, leaves non-placeholders alone and ignores inherited properties', () => {
    const withChange: NotifyMessage = { ...message, incident: { ...incident, change: { id: 'CHG-1', verdict: 'expected-change', reason: 'r' } } };
    assert.equal(renderTemplate('{{incident.change}}', withChange), '{"id":"CHG-1","verdict":"expected-change","reason":"r"}');
    assert.equal(renderTemplate('{{incident.change.id}}', withChange), 'CHG-1');
    assert.equal(renderTemplate('{{constructor}}{{incident.toString}}{{text.length}}', message), '');
    assert.equal(renderTemplate('{incident.id} {{ incident.id }} {{bad path}}', message), '{incident.id} INC-42 {{bad path}}');
    const digest: NotifyMessage = { key: 'd', event: 'digest', text: 't', incident: null, digest: [{ incident_id: 'INC-9', title: 'nine', priority: 'P3', event: 'opened', at: 'x' }], at: 'y' };
    assert.equal(renderTemplate('{{digest.0.incident_id}} {{digest.0.title}} {{incident.id}}', digest), 'INC-9 nine ');
  });
});
