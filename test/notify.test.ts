/**
 * Notifications through the real binary: the interface's vigil.yaml fragment, signed webhooks with
 * idempotency keys, Slack, retries (500, timeout, 429 + Retry-After), rate limits and digests,
 * escalation, Slack slash commands and buttons, PagerDuty and Jira callbacks, and a kill -9 in the
 * middle of sending.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startServer, tempDir, waitFor, type TestServer } from './harness.ts';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

/** A local receiver for every channel: records requests; `plan` decides each answer. */
async function receiver(plan: (request: Received, count: number) => { status: number; headers?: Record<string, string>; body?: string; hang?: boolean; delayMs?: number } = () => ({ status: 200 })) {
  const port = await freePort();
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const request = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      received.push(request);
      const answer = plan(request, received.filter((r) => r.path === request.path).length);
      if (answer.hang) return; // never answers: the sender's timeout must cut it
      const send = () => res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(answer.body ?? '{}');
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, received, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

const slackSign = (secret: string, timestamp: number, body: string) => `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;

describe('notifications', () => {
  const dir = tempDir();
  let server: TestServer;
  let tools: Awaited<ReturnType<typeof receiver>>;
  let hookFailures = 0;
  let vaultIncident = '';

  before(async () => {
    // The generic hook fails its first messages in three ways before it works: 500, a hang, 429.
    tools = await receiver((request) => {
      if (request.path === '/hook' && request.body.includes('Retry me')) {
        const count = ++hookFailures;
        if (count === 1) return { status: 500 };
        if (count === 2) return { status: 200, hang: true };
        if (count === 3) return { status: 429, headers: { 'retry-after': '1' } };
      }
      if (request.path === '/jira/rest/api/3/issue') return { status: 201, body: JSON.stringify({ id: '10001', key: 'SEC-1', self: 'x' }) };
      if (request.path === '/slack') return { status: 200, body: 'ok' };
      return { status: 200 };
    });
    const base = `http://127.0.0.1:${tools.port}`;
    // The interface's fragment as written (but the port), plus a rate-limited channel, escalation and Jira.
    writeFileSync(
      join(dir, 'vigil.yaml'),
      `triage:
  route: { group_wait: 1s }
notify:
  send_timeout: 1s
  channels:
    - { name: soc-hook, type: webhook, url: "${base}/hook", secret: "change-me" }
    - { name: soc-slack, type: slack, webhook_url: "${base}/slack" }
    - { name: noisy, type: webhook, url: "${base}/noisy", rate_limit: { max: 2, per: 4s } }
    - { name: oncall, type: webhook, url: "${base}/oncall" }
    - { name: tickets, type: jira, url: "${base}/jira", email: "bot@example.com", api_token: "t0ken", project: SEC }
  policies:
    - { name: all-urgent, when: { priority: [P1, P2] }, channels: [soc-hook] }
    - { name: tier1, when: { priority: [P1, P2], service_tier: 1 }, channels: [soc-slack] }
    - { name: lab, when: { service: [lab] }, channels: [noisy] }
    - { name: crown, when: { service: [vault] }, channels: [tickets], escalation: [{ after: 2s, channels: [oncall] }] }
integrations:
  slack: { signing_secret: "slack-signing-secret" }
  pagerduty: { webhook_secret: "pd-secret" }
  jira: { webhook_secret: "jira-secret" }
`,
    );
    server = await startServer({ config: join(dir, 'vigil.yaml'), syslog: false });
    const post = (path: string, body: unknown) => server.api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    for (const service of [{ name: 'payments', tier: 1 }, { name: 'intranet', tier: 3 }, { name: 'lab', tier: 4 }, { name: 'vault', tier: 2 }]) assert.equal((await post('/api/v1/services', service)).status, 201);
    for (const asset of [
      ...['pay-db-1', 'pay-app-1', 'pay-app-2', 'pay-app-3'].map((name) => ({ name, kind: 'server', criticality: 5, services: ['payments'] })),
      { name: 'wiki-1', kind: 'server', criticality: 5, services: ['intranet'] },
      { name: 'vault-1', kind: 'server', criticality: 5, services: ['vault'] },
    ]) assert.equal((await post('/api/v1/assets', asset)).status, 201);
  });

  after(async () => {
    server?.cleanup();
    await tools?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Sends one alert; answers with the incident it went into. */
  const alert = async (rule: string, host: string, level = 'critical', tags = ['attack.execution', 'attack.command-and-control']) => {
    const answer = await server.api('/api/v1/alerts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rule: { id: rule.toLowerCase().replace(/\W+/g, '-'), title: rule, level }, entities: { hosts: [host] }, tags }) });
    assert.equal(answer.status, 200);
    const id = (await answer.json()).incidents[0] as string;
    return (await (await server.api(`/api/v1/incidents/${id}`)).json()) as { id: string; priority: string; status: string; first_seen: string; detected_at: string };
  };
  const hits = (path: string, incident?: string) => tools.received.filter((r) => r.path === path && (!incident || r.body.includes(incident)));

  it('routes a P1 on a tier-1 service to the signed webhook and to Slack; elsewhere only to the webhook', async () => {
    const payments = await alert('Payments breach', 'pay-db-1');
    const wiki = await alert('Wiki breach', 'wiki-1');
    assert.match(payments.priority, /P1|P2/, JSON.stringify(payments));
    await waitFor(async () => (hits('/hook', payments.id).length > 0 && hits('/slack', payments.id).length > 0 && hits('/hook', wiki.id).length > 0 ? true : null), 60_000, 'the first notifications');
    assert.equal(hits('/slack', wiki.id).length, 0, 'not tier 1: no Slack');
    const hook = hits('/hook', payments.id)[0]!;
    const timestamp = String(hook.headers['x-vigil-timestamp']);
    assert.match(timestamp, /^\d{10}$/);
    assert.ok(Math.abs(Number(timestamp) - Date.now() / 1000) < 120);
    assert.equal(hook.headers['x-vigil-signature'], `sha256=${createHmac('sha256', 'change-me').update(`${timestamp}.${hook.body}`).digest('hex')}`);
    assert.ok(hook.headers['idempotency-key']);
    const body = JSON.parse(hook.body);
    assert.equal(body.incident.id, payments.id);
    assert.equal(body.event, 'opened');
    const slack = JSON.parse(hits('/slack', payments.id)[0]!.body);
    assert.ok(Array.isArray(slack.blocks) && slack.blocks.length > 0, 'Block Kit');
    assert.match(slack.text, new RegExp(payments.id));
  });

  it('retries a failing webhook (500, a timeout, 429 with Retry-After) with one idempotency key, then delivers', async () => {
    const incident = await alert('Retry me', 'pay-app-1');
    const delivered = await waitFor(async () => {
      const page = await (await server.api(`/api/v1/notify/deliveries?incident=${incident.id}&channel=soc-hook`)).json();
      return page.items.find((d: { status: string }) => d.status === 'sent') ?? null;
    }, 60_000, 'the retried delivery');
    assert.equal(delivered.attempts, 4);
    const attempts = hits('/hook', 'Retry me');
    assert.equal(attempts.length, 4);
    assert.equal(new Set(attempts.map((a) => a.headers['idempotency-key'])).size, 1, 'the same key on every attempt');
    assert.ok(attempts[3]!.at - attempts[2]!.at >= 950, 'Retry-After: 1 was honoured');
    assert.equal(hookFailures, 4);
  });

  it('folds what is over a channel’s rate limit into one digest', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await server.api('/api/v1/alerts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rule: { id: `lab-${i}`, title: `Lab noise ${i}`, level: 'low' }, entities: { services: ['lab'], hosts: [`lab-${i}`] } }) })).status, 200);
    const digest = await waitFor(async () => hits('/noisy').find((r) => JSON.parse(r.body).event === 'digest') ?? null, 60_000, 'the digest');
    const parsed = JSON.parse(digest.body);
    const single = hits('/noisy').filter((r) => JSON.parse(r.body).event !== 'digest');
    assert.equal(single.length + parsed.digest.length, 5, `${single.length} single + ${parsed.digest.length} in the digest`);
    assert.ok(single.length <= 2 * 2, 'at most the limit per window');
    assert.ok(parsed.digest.length >= 1);
  });

  it('escalates an unacknowledged incident after its delay, not an acknowledged one; opens a Jira issue', async () => {
    const incident = await alert('Vault dump', 'vault-1');
    vaultIncident = incident.id;
    await waitFor(async () => (hits('/jira/rest/api/3/issue').length > 0 ? true : null), 30_000, 'the Jira issue');
    const issue = JSON.parse(hits('/jira/rest/api/3/issue')[0]!.body);
    assert.equal(issue.fields.project.key, 'SEC');
    assert.equal(issue.fields.description.type, 'doc', 'Atlassian Document Format');
    assert.equal(hits('/jira/rest/api/3/issue')[0]!.headers.authorization, `Basic ${Buffer.from('bot@example.com:t0ken').toString('base64')}`);
    const escalated = await waitFor(async () => hits('/oncall', incident.id)[0] ?? null, 30_000, 'the escalation');
    assert.equal(JSON.parse(escalated.body).event, 'escalated');
    assert.ok(escalated.at - Date.parse(incident.first_seen) >= 1900, 'not before its delay (event time of the alert + 2 s)');
  });

  it('takes /vigil ack from Slack when signed, and refuses bad signatures and replays', async () => {
    const incident = await alert('Slack ack', 'pay-app-2');
    const body = new URLSearchParams({ token: 'x', team_id: 'T1', user_id: 'U1', user_name: 'alice', command: '/vigil', text: `ack ${incident.id}`, response_url: `http://127.0.0.1:${tools.port}/slack-response`, channel_id: 'C1' }).toString();
    const send = (timestamp: number, signature: string) =>
      fetch(`${server.url}/api/v1/integrations/slack/commands`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature }, body });
    const now = Math.floor(Date.now() / 1000);
    assert.equal((await send(now, slackSign('wrong-secret', now, body))).status, 401);
    assert.equal((await send(now - 600, slackSign('slack-signing-secret', now - 600, body))).status, 401, 'a replay older than 5 minutes');
    const answer = await send(now, slackSign('slack-signing-secret', now, body));
    assert.equal(answer.status, 200);
    const reply = await answer.json();
    assert.match(reply.text, new RegExp(`${incident.id} acknowledged by alice`));
    const after = await (await server.api(`/api/v1/incidents/${incident.id}`)).json();
    assert.equal(after.status, 'acknowledged');
    const audit = await (await server.api('/api/v1/audit?limit=1000')).json();
    assert.ok(audit.items.some((r: { actor: string; object_id: string }) => r.actor === 'slack:alice' && r.object_id === incident.id));
    // A button click on the message does the same.
    const payload = JSON.stringify({ type: 'block_actions', user: { id: 'U2', username: 'bob' }, actions: [{ action_id: 'vigil_resolve', value: incident.id }], response_url: `http://127.0.0.1:${tools.port}/slack-response` });
    const form = new URLSearchParams({ payload }).toString();
    const ts = Math.floor(Date.now() / 1000);
    const click = await fetch(`${server.url}/api/v1/integrations/slack/interactions`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSign('slack-signing-secret', ts, form) }, body: form });
    assert.equal(click.status, 200);
    assert.equal((await (await server.api(`/api/v1/incidents/${incident.id}`)).json()).status, 'resolved');
  });

  it('moves incidents when PagerDuty acknowledges and Jira closes', async () => {
    const incident = await alert('PD ack', 'pay-app-3');
    const event = JSON.stringify({ event: { id: 'E1', event_type: 'incident.acknowledged', resource_type: 'incident', occurred_at: new Date().toISOString(), agent: { id: 'P1', type: 'user_reference', summary: 'Dana Oncall' }, data: { id: 'Q1', type: 'incident', incident_key: incident.id } } });
    const pd = (signature: string) => fetch(`${server.url}/api/v1/integrations/pagerduty/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-pagerduty-signature': signature }, body: event });
    assert.equal((await pd('v1=00')).status, 401);
    assert.equal((await pd(`v1=${createHmac('sha256', 'pd-secret').update(event).digest('hex')}`)).status, 200);
    assert.equal((await (await server.api(`/api/v1/incidents/${incident.id}`)).json()).status, 'acknowledged');

    const vault = { id: vaultIncident };
    const jira = JSON.stringify({ webhookEvent: 'jira:issue_updated', timestamp: Date.now(), user: { displayName: 'Sam Jira', accountId: 'A1' }, issue: { key: 'SEC-1', fields: { status: { name: 'Done', statusCategory: { key: 'done' } }, labels: ['vigil'] } }, changelog: { items: [{ field: 'status', fromString: 'In Progress', toString: 'Done' }] } });
    const answer = await fetch(`${server.url}/api/v1/integrations/jira/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature': `sha256=${createHmac('sha256', 'jira-secret').update(jira).digest('hex')}` }, body: jira });
    assert.equal(answer.status, 200);
    assert.equal((await (await server.api(`/api/v1/incidents/${vault.id}`)).json()).status, 'resolved');
  });
});

describe('notifications survive kill -9', () => {
  const dir = tempDir();
  let tools: Awaited<ReturnType<typeof receiver>>;
  after(async () => {
    await tools?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every message once (by idempotency key) after a kill -9 in the middle of sending', async () => {
    // A slow receiver (each answer takes 300 ms), so the kill lands while messages are in flight.
    tools = await receiver(() => ({ status: 200, delayMs: 300 }));
    writeFileSync(join(dir, 'vigil.yaml'), `notify:\n  channels:\n    - { name: hook, type: webhook, url: "http://127.0.0.1:${tools.port}/hook" }\n  policies:\n    - { name: everything, channels: [hook] }\n`);
    const dataDir = join(dir, 'data');
    let server = await startServer({ dataDir, config: join(dir, 'vigil.yaml'), syslog: false });
    const alerts = Array.from({ length: 30 }, (_, i) => ({ rule: { id: `kill-${i}`, title: `Kill test ${i}`, level: 'high' }, entities: { hosts: [`h-${i}`] } }));
    assert.equal((await server.api('/api/v1/alerts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) })).status, 200);
    // Killed as soon as the first messages arrive, with the rest still in the outbox.
    await waitFor(async () => (tools.received.length >= 3 ? true : null), 60_000, 'the first deliveries');
    await server.stop('SIGKILL');
    assert.ok(tools.received.length < 30, 'the kill landed in the middle of sending');
    const before = tools.received.length;
    server = await startServer({ dataDir, config: join(dir, 'vigil.yaml'), syslog: false });
    try {
      await waitFor(async () => {
        const keys = new Set(tools.received.map((r) => r.headers['idempotency-key']));
        return keys.size >= 30 ? true : null;
      }, 60_000, 'every message after the restart');
      const keys = tools.received.map((r) => String(r.headers['idempotency-key']));
      const unique = new Set(keys);
      assert.equal(unique.size, 30, 'each incident notified');
      const incidents = new Set(tools.received.map((r) => JSON.parse(r.body).incident.id));
      assert.equal(incidents.size, 30);
      // Only what was in flight or not yet recorded at the kill goes twice (at most 16 in flight plus a
      // group commit of 32), and then under the same key, so a receiver that honours it takes it once.
      assert.ok(keys.length - unique.size <= 48, `${keys.length - unique.size} repeated (before the kill: ${before})`);
      // Every outcome recorded (the receiver counts a request when it arrives, before it answers).
      await waitFor(async () => ((await (await server.api('/api/v1/notify/deliveries?status=sent&limit=100')).json()).items.length === 30 ? true : null), 10_000, 'every delivery recorded as sent');
    } finally {
      server.cleanup();
    }
  });
});

describe('vigil notify test', () => {
  const dir = tempDir();
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('sends a test message through a configured channel, and says when it was not taken', async () => {
    const { vigil } = await import('./harness.ts');
    let answer = 200;
    const tools = await receiver(() => ({ status: answer }));
    try {
      const config = join(dir, 'vigil.yaml');
      writeFileSync(config, `notify:\n  channels:\n    - { name: soc-hook, type: webhook, url: "http://127.0.0.1:${tools.port}/hook", secret: "change-me" }\n`);
      const ok = await vigil(['notify', 'test', 'soc-hook', '--config', config, '--data', join(dir, 'data')]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /soc-hook: test message delivered/);
      const body = JSON.parse(tools.received[0]!.body);
      assert.equal(body.event, 'test');
      const timestamp = String(tools.received[0]!.headers['x-vigil-timestamp']);
      assert.equal(tools.received[0]!.headers['x-vigil-signature'], `sha256=${createHmac('sha256', 'change-me').update(`${timestamp}.${tools.received[0]!.body}`).digest('hex')}`);
      answer = 400;
      const refused = await vigil(['notify', 'test', 'soc-hook', '--config', config, '--data', join(dir, 'data')]);
      assert.equal(refused.code, 1);
      assert.match(refused.stdout, /not delivered: .*400/);
      const unknown = await vigil(['notify', 'test', 'nowhere', '--config', config, '--data', join(dir, 'data')]);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /no channel named nowhere/);
    } finally {
      await tools.close();
    }
  });
});
