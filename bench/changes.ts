/**
 * Alert throughput through the change verdict: the same alerts through triage without change
 * management and with 10,000 open changes over 100,000 assets. Goal: no more than 10% slower.
 *
 * Each variant is measured in processes of its own, alternating, and compared by medians: in one
 * process the second variant inherits the first one's heap (old-generation garbage, grown
 * spaces), which moved single runs by ±30% and swamped a 10% question.
 */
import { spawnSync } from 'node:child_process';
import type { Asset, Change, IncomingAlert, Service } from '../src/core/index.ts';
import { resolveConfig, type TriageConfig } from '../src/config/index.ts';
import { ChangeIndex } from '../src/changes/index.ts';
import { attackFromTags } from '../src/detect/index.ts';
import { slaFor } from '../src/incidents/index.ts';
import { InventoryIndex, TriageEngine } from '../src/triage/index.ts';
import { seededRandom } from '../src/lib/index.ts';
import { report } from './lib.ts';

const ASSETS = 100_000;
const CHANGES = 10_000;
const ALERTS = 20_000;
const DAY = Date.parse('2026-03-03T00:00:00Z');
const NOW = '2026-03-01T00:00:00Z';

const rand = seededRandom(0x5eed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

// 200 services in tiers, each depending on up to two earlier ones; 100,000 assets on them.
const services: Service[] = Array.from({ length: 200 }, (_, i) => ({
  name: `svc-${i}`,
  tier: 1 + (i % 4),
  depends_on: i < 10 ? [] : [`svc-${Math.floor(rand() * i)}`, ...(rand() < 0.5 ? [`svc-${Math.floor(rand() * i)}`] : [])],
  aliases: [],
  created_at: NOW,
  updated_at: NOW,
}));
const assets: Asset[] = Array.from({ length: ASSETS }, (_, i) => ({
  name: `host-${i}`,
  kind: 'server',
  criticality: 1 + (i % 5),
  tags: [],
  services: [pick(services).name],
  aliases: [],
  created_at: NOW,
  updated_at: NOW,
}));
const inventory = new InventoryIndex(assets, services);

const types = ['firewall', 'network', 'deploy', 'config', 'database', 'access'] as const;
// Open changes spread over a month around the day of the alerts, one to four hours each.
const changes: Change[] = Array.from({ length: CHANGES }, (_, i) => {
  const start = DAY - 15 * 86_400_000 + Math.floor(rand() * 30 * 86_400_000);
  const hours = 1 + Math.floor(rand() * 4);
  return {
    id: `CHG-${i + 1}`,
    title: `Change ${i + 1}`,
    description: '',
    type: pick(types),
    risk: 'medium',
    assets: Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(assets).name),
    services: rand() < 0.2 ? [pick(services).name] : [],
    window: { start: new Date(start).toISOString(), end: new Date(start + hours * 3_600_000).toISOString() },
    implementer: 'alice',
    requester: 'bob',
    backout_plan: '',
    emergency: false,
    links: [],
    status: 'approved',
    approvals: [{ by: 'carol', at: NOW }],
    approvals_required: 1,
    warnings: [],
    conflicts: [],
    started_at: null,
    ended_at: null,
    created_by: 'bob',
    created_at: NOW,
    updated_at: NOW,
  };
});

const rules = Array.from({ length: 60 }, (_, i) => ({ id: `rule-${i}`, tags: i % 3 === 0 ? ['attack.execution'] : i % 3 === 1 ? ['attack.discovery'] : [] }));
const alerts: IncomingAlert[] = Array.from({ length: ALERTS }, (_, i) => {
  const rule = pick(rules);
  const host = pick(assets).name;
  const at = new Date(DAY + Math.floor((i / ALERTS) * 86_400_000)).toISOString();
  return {
    fingerprint: `${rule.id}|${host}`,
    source: 'sigma',
    rule: { id: rule.id, title: `Rule ${rule.id}`, level: 'medium', tags: rule.tags },
    labels: {},
    entities: { hosts: [host], users: [], ips: [], services: [] },
    attack: attackFromTags(rule.tags),
    event_ids: [],
    first_seen: at,
    last_seen: at,
    count: 1,
    status: 'firing',
  };
});

const config = resolveConfig({}).triage as TriageConfig;

// One index for all rounds, as in a running server: it lives as long as the process, and the
// per-service views it builds on first use stay until a change is upserted.
const changeIndex = new ChangeIndex(() => inventory, { marginMs: 30 * 60_000, lookbackMs: 4 * 3_600_000 });
for (const change of changes) changeIndex.upsert(change);

function run(withChanges: boolean): { perSecond: number; verdicts: Record<string, number> } {
  const index = withChanges ? changeIndex : null;
  const engine = new TriageEngine(config, {
    inventory: () => inventory,
    sla: (priority, detectedAt) => slaFor(priority, config.sla, detectedAt),
    now: () => new Date(DAY),
    ...(index ? { changeVerdict: (alert, atMs) => index!.verdict(alert, atMs), expectedChangePriority: 'P4' as const } : {}),
  });
  const verdicts: Record<string, number> = {};
  const started = performance.now();
  for (let i = 0; i < alerts.length; i += 1000) {
    const out = engine.process(alerts.slice(i, i + 1000));
    for (const alert of out.alerts) verdicts[alert.change_verdict ?? 'none'] = (verdicts[alert.change_verdict ?? 'none'] ?? 0) + 1;
  }
  return { perSecond: Math.round(alerts.length / ((performance.now() - started) / 1000)), verdicts };
}

const PAIRS = 7;
const variant = process.argv[2];

if (variant === 'with' || variant === 'without') {
  // One variant in this process: a warm-up run (compilation), then the median of five.
  const withChanges = variant === 'with';
  run(withChanges);
  const runs: number[] = [];
  let verdicts: Record<string, number> = {};
  for (let round = 0; round < 5; round++) {
    // Each run from a collected heap: otherwise whether the previous run's garbage is marked
    // during this one decides more than the code measured.
    global.gc?.();
    const result = run(withChanges);
    runs.push(result.perSecond);
    verdicts = result.verdicts;
  }
  process.stdout.write(`${JSON.stringify({ variant, alerts_per_s: [...runs].sort((a, b) => a - b)[2], runs, verdicts })}\n`);
} else {
  // Pairs run back to back and are compared pair by pair: this machine's memory speed drifts
  // by ±20% over minutes (other tenants), which a ratio of neighbours mostly cancels.
  const script = new URL(import.meta.url).pathname;
  const measure = (name: 'with' | 'without') => {
    // The same node flags as `npm start`, and gc() between runs.
    const child = spawnSync(process.execPath, ['--max-semi-space-size=32', '--expose-gc', '--import', 'tsx', script, name], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`bench variant ${name} failed: ${child.stderr}`);
    return JSON.parse(child.stdout.trim().split('\n').pop()!) as { alerts_per_s: number; verdicts: Record<string, number> };
  };
  const pairs: Array<{ without: number; with: number; ratio: number }> = [];
  let verdicts: Record<string, number> = {};
  for (let i = 0; i < PAIRS; i++) {
    // Alternate which goes first, so neither always runs on the warmer machine.
    const first = i % 2 === 0 ? measure('without') : measure('with');
    const second = i % 2 === 0 ? measure('with') : measure('without');
    const [without, withChanges] = i % 2 === 0 ? [first, second] : [second, first];
    verdicts = withChanges.verdicts;
    pairs.push({ without: without.alerts_per_s, with: withChanges.alerts_per_s, ratio: withChanges.alerts_per_s / without.alerts_per_s });
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  const ratio = median(pairs.map((p) => p.ratio));
  report({
    bench: 'changes',
    what: 'verdict',
    alerts: ALERTS,
    changes: CHANGES,
    assets: ASSETS,
    without_changes_alerts_per_s: median(pairs.map((p) => p.without)),
    with_changes_alerts_per_s: median(pairs.map((p) => p.with)),
    slowdown: Math.round((1 - ratio) * 1000) / 1000,
    goal_met: ratio >= 0.9,
    verdicts,
    pairs,
    goal: 'no more than 10% slower than triage without changes (median of paired runs)',
  });
}
