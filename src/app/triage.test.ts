import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { IncomingAlert, VigilError } from '../core/index.ts';
import { resolveConfig } from '../config/index.ts';
import { attackFromTags } from '../detect/index.ts';
import { silentLogger } from '../lib/index.ts';
import { openLocal, type LocalServices } from './local.ts';
import { TriageService } from './triage.ts';
import { IncidentViews } from './incident-views.ts';

const T0 = Date.parse('2026-03-02T09:00:00Z');

function alert(rule: string, at: number, host: string, tags: string[] = [], level: IncomingAlert['rule']['level'] = 'medium'): IncomingAlert {
  return {
    fingerprint: `${rule}|${host}`,
    source: 'sigma',
    rule: { id: rule, title: `Rule ${rule}`, level, tags },
    labels: {},
    entities: { hosts: [host], users: [], ips: [], services: [] },
    attack: attackFromTags(tags),
    event_ids: [],
    first_seen: new Date(at).toISOString(),
    last_seen: new Date(at).toISOString(),
    count: 1,
    status: 'firing',
  };
}

/** A real data folder, a clock the test moves. */
async function setup(triage: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-triage-'));
  const config = resolveConfig({ data: dir, triage });
  let now = T0 + 60_000;
  const clock = () => new Date(now);
  const services: LocalServices = await openLocal(config);
  const triageService = new TriageService(services.store, config, services.audit, silentLogger(), clock);
  await triageService.start();
  const views = new IncidentViews(services.store, { defaultLimit: 100, maxLimit: 1000 }, clock);
  return {
    dir,
    config,
    services,
    triage: triageService,
    views,
    setNow: (ms: number) => (now = ms),
    async close() {
      await triageService.stop();
      await services.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('state transitions are enforced, forbidden ones answer 409, and times are kept', async (t) => {
  const ctx = await setup();
  t.after(() => ctx.close());
  const { incidents } = await ctx.triage.ingest([alert('r1', T0, 'web-1', [], 'high')]);
  const id = incidents[0]!;
  ctx.setNow(T0 + 5 * 60_000);
  const acked = await ctx.triage.patchIncident(id, { status: 'acknowledged', assignee: 'alice' }, 'alice');
  assert.equal(acked.status, 'acknowledged');
  assert.equal(acked.assignee, 'alice');
  assert.equal(acked.acknowledged_at, new Date(T0 + 5 * 60_000).toISOString());
  await ctx.triage.patchIncident(id, { status: 'resolved' }, 'alice');
  await ctx.triage.patchIncident(id, { status: 'closed' }, 'alice');
  await assert.rejects(
    () => ctx.triage.patchIncident(id, { status: 'acknowledged' }, 'alice'),
    (error: VigilError) => error.status === 409 && error.field === 'status' && /cannot go from 'closed' to 'acknowledged'/.test(error.message),
  );
  const stored = await ctx.services.store.getIncident(id);
  assert.equal(stored!.status, 'closed');
  const timeline = (await ctx.views.timeline(id, 100)).items.map((e) => e.kind);
  assert.deepEqual(timeline.filter((k) => k === 'state_changed').length, 3);
  assert.ok(timeline.includes('assigned'));
  // Closed: the same alert again is a new episode with a new incident.
  const again = await ctx.triage.ingest([alert('r1', T0 + 3_600_000, 'web-1', [], 'high')]);
  assert.notEqual(again.incidents[0], id);
});

test('notes, tasks and observables land on the incident and its timeline; every change is audited on the chain', async (t) => {
  const ctx = await setup();
  t.after(() => ctx.close());
  const { incidents } = await ctx.triage.ingest([alert('r1', T0, 'web-1')]);
  const id = incidents[0]!;
  await ctx.triage.addNote(id, 'looked at the proxy logs', 'bob');
  const withTask = await ctx.triage.addTask(id, { title: 'isolate web-1', assignee: 'bob' }, 'bob');
  const task = withTask.tasks[0]!;
  const done = await ctx.triage.updateTask(id, task.id, { status: 'done' }, 'bob');
  assert.equal(done.tasks[0]!.status, 'done');
  const observed = await ctx.triage.addObservable(id, { type: 'ip', value: '203.0.113.9', ioc: true }, 'bob');
  assert.equal(observed.observables[0]!.ioc, true);
  await assert.rejects(() => ctx.triage.addObservable(id, { type: 'ip', value: '203.0.113.9' }, 'bob'), (e: VigilError) => e.status === 409);
  const timeline = (await ctx.views.timeline(id, 100)).items;
  assert.ok(timeline.some((e) => e.kind === 'note' && e.actor === 'bob' && e.text === 'looked at the proxy logs'));
  assert.ok(timeline.some((e) => e.kind === 'task' && /done: isolate web-1/.test(e.text)));
  const silence = await ctx.triage.createSilence({ matchers: ['host="db-1"'], duration: '1h', comment: 'patching' }, 'carol');
  await ctx.triage.expireSilence(silence.id, 'carol');
  const audit = (await ctx.services.audit.list(100)).items;
  assert.deepEqual(
    audit.map((r) => [r.action, r.actor]),
    [
      ['incident.note', 'bob'],
      ['incident.task.add', 'bob'],
      ['incident.task.update', 'bob'],
      ['incident.observable.add', 'bob'],
      ['silence.create', 'carol'],
      ['silence.expire', 'carol'],
    ],
  );
  assert.equal((await ctx.services.audit.verify()).ok, true);
  // Tampering with an incident's audit record is caught and named.
  await ctx.services.close().catch(() => undefined);
  const db = new Database(join(ctx.dir, 'vigil.db'));
  const doc = JSON.parse(db.prepare('SELECT doc FROM audit WHERE seq = 2').pluck().get() as string);
  doc.actor = 'mallory';
  db.prepare('UPDATE audit SET doc = ? WHERE seq = 2').run(JSON.stringify(doc));
  db.close();
  const reopened = await openLocal(ctx.config);
  const verdict = await reopened.audit.verify();
  await reopened.close();
  assert.equal(verdict.ok, false);
  assert.equal(verdict.broken!.seq, 2);
});

test('SLA: a P1 not acknowledged within its target is flagged breached, once, with a timeline entry', async (t) => {
  const ctx = await setup({ sla: { P1: { ack_minutes: 10, resolve_minutes: 60 } }, score: { priorities: { P1: 10, P2: 5, P3: 3, P4: 1 } } });
  t.after(() => ctx.close());
  const { incidents } = await ctx.triage.ingest([alert('r1', T0, 'web-1', [], 'critical')]);
  const id = incidents[0]!;
  const opened = (await ctx.triage.getIncident(id))!;
  assert.equal(opened.priority, 'P1');
  assert.equal(opened.sla.ack_due, new Date(T0 + 60_000 + 10 * 60_000).toISOString());
  ctx.setNow(T0 + 5 * 60_000);
  assert.equal(await ctx.triage.checkSla(), 0);
  ctx.setNow(T0 + 12 * 60_000);
  assert.equal(await ctx.triage.checkSla(), 1);
  assert.equal(await ctx.triage.checkSla(), 0, 'reported once');
  const breached = (await ctx.services.store.getIncident(id))!;
  assert.equal(breached.sla.breached, true);
  assert.deepEqual(breached.sla.breaches, ['ack']);
  const timeline = (await ctx.views.timeline(id, 100)).items;
  assert.ok(timeline.some((e) => e.kind === 'sla_breached' && /not acknowledged/.test(e.text)));
  // A late acknowledgement keeps the breach on record.
  const acked = await ctx.triage.patchIncident(id, { status: 'acknowledged' }, 'alice');
  assert.equal(acked.sla.breached, true);
});

test('a restart reloads open incidents from the store: dedup, grouping and numbering continue', async (t) => {
  const ctx = await setup();
  t.after(() => ctx.close());
  await ctx.triage.ingest([alert('r1', T0, 'a'), alert('r1', T0 + 1000, 'b')]);
  await ctx.triage.stop();
  const second = new TriageService(ctx.services.store, ctx.config, ctx.services.audit, silentLogger(), () => new Date(T0 + 120_000));
  await second.start();
  const result = await second.ingest([alert('r1', T0 + 60_000, 'a'), alert('r1', T0 + 61_000, 'c'), alert('other', T0 + 62_000, 'zz')]);
  assert.deepEqual(result.incidents.sort(), ['INC-1', 'INC-2']);
  const incident = (await ctx.services.store.getIncident('INC-1'))!;
  assert.equal(incident.alert_count, 3);
  assert.equal(incident.occurrence_count, 4);
  await second.stop();
});

test('the noise ledger counts every stage with reasons; response stats give MTTD, MTTA and MTTR by priority', async (t) => {
  const ctx = await setup();
  t.after(() => ctx.close());
  await ctx.triage.createSilence({ matchers: ['host="db-1"'], starts_at: new Date(T0 - 60_000).toISOString(), duration: '2h', comment: 'maintenance' }, 'ops');
  const alerts = [
    alert('noisy', T0, 'h1'),
    alert('noisy', T0 + 1000, 'h1'),
    alert('noisy', T0 + 2000, 'h2'),
    alert('noisy', T0 + 3000, 'db-1'),
    alert('phish', T0 + 4000, 'ws-9', ['attack.initial-access']),
    alert('exec', T0 + 5000, 'ws-9', ['attack.execution']),
  ];
  const { incidents } = await ctx.triage.ingest(alerts);
  const noise = await ctx.views.noise({ from: new Date(T0 - 3_600_000).toISOString(), to: new Date(T0 + 3_600_000).toISOString() });
  assert.equal(noise.totals.detections, 6);
  assert.equal(noise.totals.alerts, 5);
  assert.equal(noise.totals.incidents, 2);
  assert.deepEqual(noise.totals.dropped, { dedup: 1, silenced: 1, grouped: 1, correlated: 1 });
  assert.equal(noise.compression_ratio, 3);
  assert.equal(noise.reduction, 0.6667);
  const noisy = noise.by_rule.find((r) => r.rule_id === 'noisy')!;
  assert.deepEqual([noisy.detections, noisy.alerts, noisy.incidents], [4, 3, 1]);
  // Suppressed alerts stay searchable with their reason.
  const suppressed = await ctx.services.store.searchAlerts({ query: { type: 'exists', field: 'suppressed_by', pos: 0 }, limit: 10 });
  assert.equal(suppressed.items.length, 1);
  assert.match(suppressed.items[0]!.suppressed_by!, /^silence:/);

  ctx.setNow(T0 + 10 * 60_000);
  await ctx.triage.patchIncident(incidents[0]!, { status: 'acknowledged' }, 'alice');
  ctx.setNow(T0 + 40 * 60_000);
  await ctx.triage.patchIncident(incidents[0]!, { status: 'resolved' }, 'alice');
  const stats = (await ctx.views.response({ from: new Date(T0 - 86_400_000).toISOString(), to: new Date(T0 + 86_400_000).toISOString() })) as {
    overall: { mttd: { count: number; mean_seconds: number }; mtta: { count: number; mean_seconds: number }; mttr: { count: number; mean_seconds: number } };
  };
  // Detected one minute after the first event (the test clock), acknowledged 9 minutes later, resolved after 39.
  assert.equal(stats.overall.mttd.count, 2);
  assert.equal(stats.overall.mtta.count, 1);
  assert.equal(stats.overall.mtta.mean_seconds, 540);
  assert.equal(stats.overall.mttr.mean_seconds, 2340);
});
