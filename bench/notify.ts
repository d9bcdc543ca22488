/**
 * Notifications per second through the outbox to a local receiver:
 * - outbox: deliveries already in the outbox, sent by the sender to a signed webhook;
 * - end to end: alerts into `vigil serve`, each its own incident, each notification routed by a
 *   policy into the outbox and sent, counted when the receiver has every idempotency key.
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Delivery } from '../src/core/index.ts';
import { OutboxSender } from '../src/notify/index.ts';
import { createChannel } from '../src/notify/integrations/index.ts';
import { silentLogger } from '../src/lib/index.ts';
import { SqliteStore } from '../src/store/sqlite/index.ts';
import { freePort, report, startServer } from './lib.ts';

const OUTBOX = Number(process.env.BENCH_NOTIFY_DELIVERIES ?? 5000);
const INCIDENTS = Number(process.env.BENCH_NOTIFY_INCIDENTS ?? 2000);

/** The receiver: answers 200 at once and counts distinct idempotency keys. */
async function receiver(): Promise<{ port: number; keys: Set<string>; close(): Promise<void> }> {
  const port = await freePort();
  const keys = new Set<string>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      keys.add(String(req.headers['idempotency-key']));
      res.writeHead(200).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, keys, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

const waitUntil = async (done: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

// 1. The outbox alone.
{
  const sink = await receiver();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-notify-'));
  const store = await SqliteStore.open(join(dir, 'vigil.db'), { cacheMb: 64, synchronous: 'full', maxPending: 100_000, maxBatch: 2000, queryTimeoutMs: 10_000 });
  try {
    const now = new Date().toISOString();
    const deliveries: Delivery[] = Array.from({ length: OUTBOX }, (_, i) => ({
      id: `bench-${i}`,
      channel: 'hook',
      policy: 'bench',
      incident_id: `INC-${i + 1}`,
      event: 'opened',
      priority: 'P2',
      status: 'pending',
      attempts: 0,
      next_attempt_at: now,
      last_error: null,
      created_at: now,
      sent_at: null,
      message: {
        key: `bench-${i}`,
        event: 'opened',
        text: `[P2] INC-${i + 1} opened: Benchmark incident ${i}`,
        incident: { id: `INC-${i + 1}`, title: `Benchmark incident ${i}`, status: 'new', priority: 'P2', severity: 'high', score: 60, summary: 'P2 (score 60)', assignee: null, services: ['payments'], hosts: [`host-${i}`], users: [], alert_count: 1, kill_chain: [], change: null, detected_at: now, url: `http://127.0.0.1/#/incidents/INC-${i + 1}` },
        at: now,
      },
    }));
    await store.enqueueDeliveries(deliveries);
    const channels = new Map([['hook', createChannel({ name: 'hook', type: 'webhook', url: `http://127.0.0.1:${sink.port}/hook`, secret: 'bench-secret' })]]);
    const sender = new OutboxSender(store, { channels: () => channels, maxAttempts: 5, timeoutMs: 10_000, now: () => new Date(), logger: silentLogger() });
    const started = performance.now();
    sender.kick();
    await waitUntil(() => sink.keys.size >= OUTBOX, 300_000);
    await sender.idle();
    const seconds = (performance.now() - started) / 1000;
    await sender.stop();
    report({ bench: 'notify.outbox', deliveries: OUTBOX, channel: 'signed webhook', seconds: Math.round(seconds * 100) / 100, notifications_per_s: Math.round(OUTBOX / seconds) });
  } finally {
    await store.close();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// 2. End to end through vigil serve.
{
  const sink = await receiver();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-notify-e2e-'));
  const config = join(dir, 'vigil.yaml');
  writeFileSync(
    config,
    `triage:\n  route: { group_wait: "0" }\nnotify:\n  channels:\n    - { name: hook, type: webhook, url: "http://127.0.0.1:${sink.port}/hook", secret: "bench-secret" }\n  policies:\n    - { name: everything, channels: [hook] }\n`,
  );
  const server = await startServer(['--config', config]);
  try {
    const started = performance.now();
    for (let i = 0; i < INCIDENTS; i += 500) {
      const alerts = Array.from({ length: Math.min(500, INCIDENTS - i) }, (_, k) => ({ rule: { id: `bench-${i + k}`, title: `Benchmark ${i + k}`, level: 'high' }, entities: { hosts: [`host-${i + k}`] } }));
      const answer = await fetch(`${server.url}/api/v1/alerts`, { method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
      if (answer.status !== 200) throw new Error(`alerts: ${answer.status} ${await answer.text()}`);
    }
    await waitUntil(() => sink.keys.size >= INCIDENTS, 300_000);
    const seconds = (performance.now() - started) / 1000;
    report({ bench: 'notify.end_to_end', incidents: INCIDENTS, notifications: sink.keys.size, seconds: Math.round(seconds * 100) / 100, notifications_per_s: Math.round(INCIDENTS / seconds), path: 'alerts → triage → notification records → policies → outbox → signed webhook' });
  } finally {
    await server.stop();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
