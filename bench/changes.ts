/**
 * Alert throughput through the change verdict: the same alerts through triage without change
 * management and with 10,000 open changes over 100,000 assets. Goal: no more than 10% slower.
 */
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

// Alternate the two, best of three each, so machine noise hits both alike.
const without: number[] = [];
const withChanges: number[] = [];
let verdicts: Record<string, number> = {};
for (let round = 0; round < 3; round++) {
  without.push(run(false).perSecond);
  const result = run(true);
  withChanges.push(result.perSecond);
  verdicts = result.verdicts;
}
const base = Math.max(...without);
const best = Math.max(...withChanges);
report({
  bench: 'changes',
  what: 'verdict',
  alerts: ALERTS,
  changes: CHANGES,
  assets: ASSETS,
  without_changes_alerts_per_s: base,
  with_changes_alerts_per_s: best,
  slowdown: Math.round((1 - best / base) * 1000) / 1000,
  goal_met: best >= base * 0.9,
  verdicts,
  runs: { without, with: withChanges },
  goal: 'no more than 10% slower than triage without changes',
});
