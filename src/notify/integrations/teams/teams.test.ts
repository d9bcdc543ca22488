import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertJsonPost, closeServers, context, makeIncident, makeMessage, rejection, serve } from '../testkit.ts';
import { adaptiveCard, createTeamsChannel, teamsPayload, type TeamsChannelConfig } from './index.ts';

after(closeServers);

const incident = makeIncident({
  severity: 'critical',
  score: 95,
  summary: 'critical asset db-1',
  users: [],
  alert_count: 4,
  kill_chain: ['initial-access'],
  change: { id: 'CHG-7', verdict: 'expected-change', reason: 'planned patching' },
});

const message = makeMessage({ event: 'escalated', text: 'INC-42 escalated to P1', incident });

const config = (base: string): TeamsChannelConfig => ({ type: 'teams', webhook_url: `${base}/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=s1g` });

const EXPECTED = {
  type: 'message',
  attachments: [
    {
      contentType: 'application/vnd.microsoft.card.adaptive',
      contentUrl: null,
      content: {
        $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
        type: 'AdaptiveCard',
        version: '1.4',
        body: [
          { type: 'TextBlock', text: '[P1] INC-42: Brute force then login on db-1', wrap: true, weight: 'Bolder', size: 'Medium', color: 'attention' },
          { type: 'TextBlock', text: 'INC-42 escalated to P1', wrap: true },
          {
            type: 'FactSet',
            facts: [
              { title: 'Status', value: 'new' },
              { title: 'Severity', value: 'critical' },
              { title: 'Assignee', value: 'unassigned' },
              { title: 'Services', value: 'payments' },
              { title: 'Hosts', value: 'db-1, web-2' },
              { title: 'Kill chain', value: 'initial-access' },
              { title: 'Score', value: '95: critical asset db-1' },
              { title: 'Related change', value: 'CHG-7 (expected-change): planned patching' },
            ],
          },
          { type: 'TextBlock', text: 'Vigil · Escalated · 4 alerts · detected 2024-05-01T11:58:00.000Z', wrap: true, size: 'Small', isSubtle: true },
        ],
        msteams: { width: 'Full' },
        actions: [{ type: 'Action.OpenUrl', title: 'Open in Vigil', url: 'https://vigil.example.com/incidents/INC-42' }],
      },
    },
  ],
};

describe('teams channel', () => {
  it('POSTs a message with an Adaptive Card 1.4 attachment to the workflow URL', async () => {
    const server = await serve((_req, res) => res.writeHead(202).end());
    const channel = createTeamsChannel(config(server.base), 'teams-soc');
    assert.equal(channel.name, 'teams-soc');
    assert.equal(channel.type, 'teams');
    assert.deepEqual(await channel.send(message, null, context()), {});
    assert.equal(server.requests.length, 1);
    const req = assertJsonPost(server.requests[0], '/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=s1g');
    assert.deepEqual(req.json, EXPECTED);
  });

  it('accepts 200 as well as 202', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end('{}'));
    assert.deepEqual(await createTeamsChannel(config(server.base), 't').send(message, null, context()), {});
  });

  it('has no button for a relative URL, and colours by priority', () => {
    const card = adaptiveCard({ ...message, incident: { ...incident, priority: 'P2', url: '/incidents/INC-42' } });
    assert.equal(card.actions, undefined);
    assert.equal(card.body[0]!.color, 'warning');
  });

  it('breaks Markdown links that come from incident titles', () => {
    const card = adaptiveCard({ ...message, incident: { ...incident, title: 'click [here](https://evil.example)' } });
    assert.equal(card.body[0]!.text, '[P1] INC-42: click [here]\u200b(https://evil.example)');
  });

  it('lists a digest, one line each', () => {
    const card = teamsPayload({
      key: 'd',
      event: 'digest',
      text: '2 held back',
      incident: null,
      digest: [
        { incident_id: 'INC-1', title: 'Port scan', priority: 'P3', event: 'opened', at: '2024-05-01T11:00:00.000Z' },
        { incident_id: 'INC-2', title: 'Malware', priority: 'P2', event: 'resolved', at: '2024-05-01T11:30:00.000Z' },
      ],
      at: '2024-05-01T11:59:00.000Z',
    }).attachments[0]!.content;
    assert.deepEqual(card.body, [
      { type: 'TextBlock', text: 'Vigil digest: 2 notifications', wrap: true, weight: 'Bolder', size: 'Medium' },
      { type: 'TextBlock', text: '2 held back', wrap: true },
      { type: 'TextBlock', text: '[P3] INC-1 Port scan: opened at 2024-05-01T11:00:00.000Z', wrap: true, spacing: 'None' },
      { type: 'TextBlock', text: '[P2] INC-2 Malware: resolved at 2024-05-01T11:30:00.000Z', wrap: true, spacing: 'None' },
      { type: 'TextBlock', text: 'Vigil · Digest · 2024-05-01T11:59:00.000Z', wrap: true, size: 'Small', isSubtle: true },
    ]);
    assert.equal(card.actions, undefined);
  });

  it('uses a title / text template', () => {
    const card = adaptiveCard(message, { title: 'Vigil {{incident.priority}}: {{incident.title}}', text: '{{text}} ({{incident.hosts}})' });
    assert.equal(card.body[0]!.text, 'Vigil P1: Brute force then login on db-1');
    assert.equal(card.body[1]!.text, 'INC-42 escalated to P1 (db-1, web-2)');
  });

  it('500 → retryable, 429 Retry-After: 7 → 7000 ms, 400 → not retryable', async () => {
    const server = await serve((_req, res, n) => {
      if (n === 1) res.writeHead(502).end();
      else if (n === 2) res.writeHead(429, { 'Retry-After': '7' }).end();
      else res.writeHead(400).end('{"error":{"code":"InvalidRequestContent"}}');
    });
    const channel = createTeamsChannel(config(server.base), 't');
    const down = await rejection(channel.send(message, null, context()));
    assert.deepEqual([down.retryable, down.status], [true, 502]);
    const limited = await rejection(channel.send(message, null, context()));
    assert.deepEqual([limited.retryable, limited.retryAfterMs, limited.status], [true, 7000, 429]);
    const bad = await rejection(channel.send(message, null, context()));
    assert.deepEqual([bad.retryable, bad.status], [false, 400]);
    assert.match(bad.message, /InvalidRequestContent/);
  });

  it('a hung server → the signal aborts → retryable', async () => {
    const server = await serve(() => undefined);
    const started = Date.now();
    const error = await rejection(createTeamsChannel(config(server.base), 't').send(message, null, context(150)));
    assert.equal(error.retryable, true);
    assert.match(error.message, /no answer in time/);
    assert.ok(Date.now() - started < 1500);
  });

  it('names the missing or wrong config field', () => {
    assert.throws(() => createTeamsChannel({ type: 'teams' } as TeamsChannelConfig, 't'), /teams channel "t": webhook_url is required/);
    assert.throws(() => createTeamsChannel({ type: 'teams', webhook_url: 'mailto:x@y' }, 't'), /webhook_url must be an http\(s\) URL/);
    assert.throws(() => createTeamsChannel({ type: 'teams', webhook_url: 'https://x', template: 'hi' as never }, 't'), /template must be an object/);
    assert.doesNotThrow(() => createTeamsChannel({ type: 'teams', webhook_url: 'https://x.logic.azure.com/workflows/1' }, 't'));
  });
});
