import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertJsonPost, closeServers, context, makeIncident, makeMessage, rejection, serve } from '../testkit.ts';
import { createMattermostChannel, escapeMarkdown, mattermostPayload, type MattermostChannelConfig } from './index.ts';

after(closeServers);

const incident = makeIncident({
  status: 'investigating',
  priority: 'P2',
  score: 77,
  summary: 'critical asset db-1',
  assignee: 'bob',
  services: ['payments', 'auth'],
  hosts: ['db-1'],
  alert_count: 1,
  kill_chain: [],
});

const message = makeMessage({ event: 'updated', text: 'INC-42 updated: 1 new alert', incident });

const config = (base: string, extra: Partial<MattermostChannelConfig> = {}): MattermostChannelConfig => ({ type: 'mattermost', webhook_url: `${base}/hooks/xxx-generatedkey-xxx`, ...extra });

const EXPECTED = {
  text: 'INC-42 updated: 1 new alert',
  channel: 'security',
  username: 'vigil',
  attachments: [
    {
      fallback: '[P2] INC-42: Brute force then login on db-1: INC-42 updated: 1 new alert',
      color: '#f5700a',
      title: '[P2] INC-42: Brute force then login on db-1',
      title_link: 'https://vigil.example.com/incidents/INC-42',
      fields: [
        { short: true, title: 'Status', value: 'investigating' },
        { short: true, title: 'Severity', value: 'high' },
        { short: true, title: 'Assignee', value: 'bob' },
        { short: true, title: 'Services', value: 'payments, auth' },
        { short: true, title: 'Hosts', value: 'db-1' },
        { short: true, title: 'Kill chain', value: '—' },
        { short: false, title: 'Score', value: '77: critical asset db-1' },
      ],
      footer: 'Vigil · Updated · 1 alert · detected 2024-05-01T11:58:00.000Z',
    },
  ],
  props: {
    card: [
      '### \\[P2\\] INC-42: Brute force then login on db-1',
      '',
      'INC-42 updated: 1 new alert',
      '',
      '- **Status:** investigating',
      '- **Severity:** high',
      '- **Assignee:** bob',
      '- **Services:** payments, auth',
      '- **Hosts:** db-1',
      '- **Kill chain:** —',
      '- **Score:** 77: critical asset db-1',
      '',
      '[Open in Vigil](https://vigil.example.com/incidents/INC-42)',
      '',
      '_Vigil · Updated · 1 alert · detected 2024-05-01T11:58:00.000Z_',
    ].join('\n'),
  },
};

describe('mattermost channel', () => {
  it('POSTs text, channel, username, a coloured attachment with fields and the card', async () => {
    const server = await serve((_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok'));
    const channel = createMattermostChannel(config(server.base, { channel: 'security', username: 'vigil' }), 'mm');
    assert.equal(channel.name, 'mm');
    assert.equal(channel.type, 'mattermost');
    assert.deepEqual(await channel.send(message, null, context()), {});
    assert.equal(server.requests.length, 1);
    const req = assertJsonPost(server.requests[0], '/hooks/xxx-generatedkey-xxx');
    assert.deepEqual(req.json, EXPECTED);
  });

  it('leaves channel and username out unless configured, and colours by priority', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end('ok'));
    await createMattermostChannel(config(server.base), 'mm').send({ ...message, incident: { ...incident, priority: 'P1', change: { id: null, verdict: 'window-violation', reason: 'r' } } }, null, context());
    const body = server.requests[0]!.json as { channel?: string; username?: string; attachments: Array<{ color: string; fields: Array<{ title: string; value: string; short: boolean }> }> };
    assert.equal(Object.hasOwn(body, 'channel'), false);
    assert.equal(Object.hasOwn(body, 'username'), false);
    assert.equal(body.attachments[0]!.color, '#d0021b');
    assert.deepEqual(body.attachments[0]!.fields.at(-1), { short: false, title: 'Related change', value: 'unrecorded change (window-violation): r' });
  });

  it('escapes Markdown and defuses @mentions coming from incident titles', () => {
    assert.equal(escapeMarkdown('@all look at *this* [x](y) `z` a_b'), '@\u200ball look at \\*this\\* \\[x\\](y) \\`z\\` a\\_b');
    assert.equal(escapeMarkdown('# not a heading'), '\\# not a heading');
    assert.equal(escapeMarkdown('mail alice@example.com'), 'mail alice@example.com');
    const payload = mattermostPayload({ ...message, text: '@channel *now*' });
    assert.equal(payload.text, '@\u200bchannel \\*now\\*');
  });

  it('lists a digest in the attachment text and has no title link without an incident', () => {
    const payload = mattermostPayload({
      key: 'd',
      event: 'digest',
      text: '2 held back',
      incident: null,
      digest: [
        { incident_id: 'INC-1', title: 'Port scan', priority: 'P3', event: 'opened', at: '2024-05-01T11:00:00.000Z' },
        { incident_id: 'INC-2', title: 'x_y', priority: 'P2', event: 'resolved', at: '2024-05-01T11:30:00.000Z' },
      ],
      at: '2024-05-01T11:59:00.000Z',
    });
    const attachment = payload.attachments[0]!;
    assert.equal(attachment.title, 'Vigil digest: 2 notifications');
    assert.equal(attachment.color, '#9b9b9b');
    assert.equal(attachment.title_link, undefined);
    assert.equal(attachment.text, '- \\[P3\\] INC-1 Port scan: opened at 2024-05-01T11:00:00.000Z\n- \\[P2\\] INC-2 x\\_y: resolved at 2024-05-01T11:30:00.000Z');
    assert.deepEqual(attachment.fields, []);
  });

  it('uses a title / text template', () => {
    const payload = mattermostPayload(message, { title: '{{incident.id}} ({{incident.priority}})', text: '{{incident.services}} affected' });
    assert.equal(payload.text, 'payments, auth affected');
    assert.equal(payload.attachments[0]!.title, 'INC-42 (P2)');
  });

  it('500 → retryable, 429 Retry-After: 7 → 7000 ms, 400 → not retryable', async () => {
    const server = await serve((_req, res, n) => {
      if (n === 1) res.writeHead(500).end('{"id":"x"}');
      else if (n === 2) res.writeHead(429, { 'Retry-After': '7' }).end();
      else res.writeHead(400).end('{"id":"web.incoming_webhook.text.app_error"}');
    });
    const channel = createMattermostChannel(config(server.base), 'mm');
    const down = await rejection(channel.send(message, null, context()));
    assert.deepEqual([down.retryable, down.status], [true, 500]);
    const limited = await rejection(channel.send(message, null, context()));
    assert.deepEqual([limited.retryable, limited.retryAfterMs, limited.status], [true, 7000, 429]);
    const bad = await rejection(channel.send(message, null, context()));
    assert.deepEqual([bad.retryable, bad.status], [false, 400]);
    assert.match(bad.message, /mattermost channel "mm": HTTP 400 .*app_error/);
  });

  it('a hung server → the signal aborts → retryable', async () => {
    const server = await serve(() => undefined);
    const started = Date.now();
    const error = await rejection(createMattermostChannel(config(server.base), 'mm').send(message, null, context(150)));
    assert.equal(error.retryable, true);
    assert.match(error.message, /no answer in time/);
    assert.ok(Date.now() - started < 1500);
  });

  it('names the missing or wrong config field', () => {
    assert.throws(() => createMattermostChannel({ type: 'mattermost' } as MattermostChannelConfig, 'mm'), /mattermost channel "mm": webhook_url is required/);
    assert.throws(() => createMattermostChannel({ type: 'mattermost', webhook_url: 'x' }, 'mm'), /webhook_url is not a valid URL/);
    assert.throws(() => createMattermostChannel({ type: 'mattermost', webhook_url: 'https://m/hooks/1', channel: '' }, 'mm'), /channel must be a non-empty string/);
    assert.throws(() => createMattermostChannel({ type: 'mattermost', webhook_url: 'https://m/hooks/1', username: 3 as unknown as string }, 'mm'), /username must be/);
    assert.doesNotThrow(() => createMattermostChannel({ type: 'mattermost', webhook_url: 'https://m/hooks/1' }, 'mm'));
  });
});
