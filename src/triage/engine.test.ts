import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Asset, ChangeVerdict, IncomingAlert, Incident, Service, Silence } from '../core/index.ts';
import { resolveConfig, type TriageConfig } from '../config/index.ts';
import { attackFromTags } from '../detect/index.ts';
import { slaFor } from '../incidents/index.ts';
import { TriageEngine, type TriageOutput } from './engine.ts';
import { InventoryIndex } from './inventory-index.ts';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const min = (n: number) => T0 + n * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

function configOf(triage: Record<string, unknown> = {}): TriageConfig {
  return resolveConfig({ triage }).triage as TriageConfig;
}

function engineOf(triage: Record<string, unknown> = {}, inventory = new InventoryIndex()): TriageEngine {
  const config = configOf(triage);
  return new TriageEngine(config, {
    inventory: () => inventory,
    sla: (priority, detectedAt) => slaFor(priority, config.sla, detectedAt),
    now: () => new Date('2026-03-02T12:00:00Z'),
  });
}

let counter = 0;
function alert(rule: string, at: number, options: Partial<IncomingAlert> & { host?: string; user?: string; tags?: string[]; level?: IncomingAlert['rule']['level'] } = {}): IncomingAlert {
  const host = options.host ?? 'web-1';
  const tags = options.tags ?? [];
  return {
    fingerprint: options.fingerprint ?? `${rule}|${host}|${options.user ?? ''}`,
    source: options.source ?? 'sigma',
    rule: { id: rule, title: `Rule ${rule}`, level: options.level ?? 'medium', tags },
    labels: options.labels ?? {},
    entities: options.entities ?? { hosts: host ? [host] : [], users: options.user ? [options.user] : [], ips: [], services: [] },
    attack: attackFromTags(tags),
    event_ids: [`e${++counter}`],
    first_seen: iso(at),
    last_seen: iso(at),
    count: 1,
    status: options.status ?? 'firing',
    ...(options.resolved_at ? { resolved_at: options.resolved_at } : {}),
    ...(options.indicator ? { indicator: options.indicator } : {}),
  };
}

/** The latest version of every incident across outputs. */
function incidentsOf(...outputs: TriageOutput[]): Map<string, Incident> {
  const map = new Map<string, Incident>();
  for (const out of outputs) for (const incident of out.incidents) map.set(incident.id, incident);
  return map;
}

const ledgerSum = (outputs: TriageOutput[], stage: string, reason = '') =>
  outputs.flatMap((o) => o.ledger).filter((d) => d.stage === stage && d.reason === reason).reduce((sum, d) => sum + d.count, 0);

test('dedup: repeats of one fingerprint make one alert with a count, first and last seen', () => {
  const engine = engineOf();
  const out = engine.process([alert('r1', min(0)), alert('r1', min(5)), alert('r1', min(9))]);
  assert.equal(out.alerts.length, 1);
  const [a] = out.alerts;
  assert.equal(a!.count, 3);
  assert.equal(a!.first_seen, iso(min(0)));
  assert.equal(a!.last_seen, iso(min(9)));
  assert.equal(a!.event_ids.length, 3);
  assert.equal(ledgerSum([out], 'detections'), 3);
  assert.equal(ledgerSum([out], 'alerts'), 1);
  assert.equal(ledgerSum([out], 'dropped', 'dedup'), 2);
  const incidents = incidentsOf(out);
  assert.equal(incidents.size, 1);
  assert.equal([...incidents.values()][0]!.occurrence_count, 3);
});

test('dedup keys from config replace the detector fingerprint', () => {
  const engine = engineOf({ dedup_keys: ['rule_id'] });
  const out = engine.process([alert('r1', min(0), { host: 'a' }), alert('r1', min(1), { host: 'b' })]);
  assert.equal(out.alerts.length, 1);
  assert.equal(out.alerts[0]!.count, 2);
});

test('grouping by route: group_by labels decide the incident; the first matching child route wins', () => {
  const engine = engineOf({
    route: {
      group_by: ['rule_id'],
      correlate_entities: false,
      routes: [{ name: 'ops', matchers: ['source="alertmanager"'], group_by: ['alertname', 'cluster'] }],
    },
  });
  const out = engine.process([
    alert('r1', min(0), { host: 'a' }),
    alert('r1', min(1), { host: 'b' }),
    alert('r2', min(2), { host: 'a' }),
    alert('disk', min(3), { source: 'alertmanager', labels: { alertname: 'DiskFull', cluster: 'eu' }, host: 'n1' }),
    alert('disk', min(4), { source: 'alertmanager', labels: { alertname: 'DiskFull', cluster: 'eu' }, host: 'n2' }),
    alert('disk', min(5), { source: 'alertmanager', labels: { alertname: 'DiskFull', cluster: 'us' }, host: 'n3' }),
  ]);
  const incidents = [...incidentsOf(out).values()];
  assert.deepEqual(
    incidents.map((i) => [i.grouping.route, i.alert_count, i.entities.hosts.join(',')]),
    [
      ['root', 2, 'a,b'],
      ['root', 1, 'a'],
      ['ops', 2, 'n1,n2'],
      ['ops', 1, 'n3'],
    ],
  );
  assert.equal(ledgerSum([out], 'dropped', 'grouped'), 2);
});

test('entity correlation: different rules on one host within the window join one incident; outside it they do not', () => {
  const engine = engineOf({ correlation: { window: '1h' } });
  const out = engine.process([
    alert('phish', min(0), { host: 'ws-7', tags: ['attack.initial-access'] }),
    alert('exec', min(20), { host: 'ws-7', tags: ['attack.execution'] }),
    alert('persist', min(50), { host: 'ws-7', tags: ['attack.persistence'] }),
    alert('late', min(200), { host: 'ws-7' }),
    alert('other', min(21), { host: 'ws-8' }),
  ]);
  const incidents = [...incidentsOf(out).values()];
  assert.equal(incidents.length, 3);
  const chain = incidents.find((i) => i.rules.includes('phish'))!;
  assert.deepEqual(chain.rules, ['phish', 'exec', 'persist']);
  assert.deepEqual(chain.kill_chain, ['delivery', 'exploitation', 'installation']);
  assert.equal(ledgerSum([out], 'dropped', 'correlated'), 2);
});

test('entity correlation ignores common values and fleet-wide incidents', () => {
  const engine = engineOf({ correlation: { max_entities: 3 } });
  const out = engine.process([
    // A fleet-wide incident: one rule on five hosts.
    ...['h1', 'h2', 'h3', 'h4', 'h5'].map((h, i) => alert('scan', min(i), { host: h })),
    // A different rule on h2 must not join the fleet incident through h2.
    alert('exec', min(10), { host: 'h2' }),
    // SYSTEM is too common to link anything.
    alert('a', min(11), { host: '', user: 'SYSTEM' }),
    alert('b', min(12), { host: '', user: 'SYSTEM' }),
  ]);
  const incidents = [...incidentsOf(out).values()];
  assert.equal(incidents.length, 4);
  assert.equal(incidents.find((i) => i.rules.includes('scan'))!.alert_count, 5);
  assert.equal(incidents.find((i) => i.rules.includes('exec'))!.alert_count, 1);
});

test('an incident exists at once; group_wait delays only its first notification, group_interval the next, repeat_interval the reminder', () => {
  const engine = engineOf({ route: { group_wait: '30s', group_interval: '5m', repeat_interval: '1h' } });
  const first = engine.process([alert('r1', min(0), { host: 'a' })]);
  assert.equal(incidentsOf(first).size, 1, 'incident exists before any notification');
  assert.equal(first.notifications.length, 0);
  const joined = engine.process([alert('r1', T0 + 20_000, { host: 'b' })]);
  assert.equal(joined.notifications.length, 0, 'still inside group_wait');
  const opened = engine.advance(T0 + 30_000);
  assert.equal(opened.notifications.length, 1);
  assert.equal(opened.notifications[0]!.reason, 'opened');
  assert.equal(opened.notifications[0]!.alert_count, 2, 'the first notification covers what arrived during group_wait');
  const third = engine.process([alert('r1', min(1), { host: 'c' })]);
  assert.equal(third.notifications.length, 0, 'a new alert waits for group_interval');
  assert.equal(engine.advance(T0 + 30_000 + 299_000).notifications.length, 0);
  const update = engine.advance(T0 + 30_000 + 300_000);
  assert.deepEqual(update.notifications.map((n) => [n.reason, n.alert_count]), [['updated', 3]]);
  const reminder = engine.advance(T0 + 30_000 + 300_000 + 3_600_000);
  assert.deepEqual(reminder.notifications.map((n) => n.reason), ['repeat']);
  assert.equal(ledgerSum([first, joined, opened, third, update, reminder], 'notified'), 3);
});

test('silences mute matching alerts on event time, and the alert is kept with the silence as reason; after expiry it opens an incident', () => {
  const engine = engineOf();
  const silence: Silence = {
    id: 'S1',
    matchers: [{ name: 'host', op: '=~', value: 'db-.*' }],
    starts_at: iso(min(0)),
    ends_at: iso(min(60)),
    created_by: 'alice',
    comment: 'maintenance',
    created_at: iso(min(0)),
    updated_at: iso(min(0)),
  };
  engine.setSilences([silence]);
  const during = engine.process([alert('r1', min(10), { host: 'db-1' }), alert('r1', min(11), { host: 'web-1' })]);
  const muted = during.alerts.find((a) => a.entities.hosts[0] === 'db-1')!;
  assert.equal(muted.suppressed_by, 'silence:S1');
  assert.equal(muted.incident_id, null);
  assert.equal(ledgerSum([during], 'dropped', 'silenced'), 1);
  assert.equal(incidentsOf(during).size, 1);
  // Before the silence starts (event time), the same host is not muted.
  const before = engineOf();
  before.setSilences([{ ...silence, starts_at: iso(min(30)) }]);
  assert.equal(before.process([alert('r1', min(10), { host: 'db-1' })]).alerts[0]!.suppressed_by, null);
  // A repeat after the silence ended lifts the suppression.
  const after = engine.process([alert('r1', min(61), { host: 'db-1' })]);
  const lifted = after.alerts.find((a) => a.id === muted.id)!;
  assert.equal(lifted.suppressed_by, null);
  assert.ok(lifted.incident_id);
});

test('inhibition: a firing source mutes targets with equal labels until it resolves', () => {
  const engine = engineOf({
    inhibit_rules: [{ name: 'node-down', source_matchers: ['alertname="NodeDown"'], target_matchers: ['severity=~"medium|low"'], equal: ['cluster'] }],
  });
  const am = (name: string, cluster: string, at: number, level: IncomingAlert['rule']['level'], status: 'firing' | 'resolved' = 'firing') => ({
    ...alert(name, at, { source: 'alertmanager', labels: { alertname: name, cluster }, host: `${name}-${cluster}`, level, status }),
    rule: { id: name, title: name, level, tags: [] },
  });
  const out = engine.process([am('NodeDown', 'eu', min(0), 'critical'), am('HighLatency', 'eu', min(1), 'medium'), am('HighLatency', 'us', min(2), 'medium')]);
  const eu = out.alerts.find((a) => a.labels.cluster === 'eu' && a.rule.id === 'HighLatency')!;
  const us = out.alerts.find((a) => a.labels.cluster === 'us')!;
  assert.equal(eu.suppressed_by, 'inhibit:node-down');
  assert.equal(us.suppressed_by, null);
  engine.process([am('NodeDown', 'eu', min(5), 'critical', 'resolved')]);
  const later = engine.process([am('Errors', 'eu', min(6), 'low')]);
  assert.equal(later.alerts[0]!.suppressed_by, null, 'a resolved source no longer inhibits');
});

test('inhibition through service dependencies: an outage on a service mutes the operations alerts of the services that depend on it', () => {
  const now = '2026-01-01T00:00:00Z';
  const services: Service[] = [
    { name: 'edge-network', tier: 1, depends_on: [], aliases: [], created_at: now, updated_at: now },
    { name: 'payments', tier: 1, depends_on: ['checkout-db'], aliases: [], created_at: now, updated_at: now },
    { name: 'checkout-db', tier: 2, depends_on: ['edge-network'], aliases: [], created_at: now, updated_at: now },
  ];
  const assets: Asset[] = [
    { name: 'fw-edge-1', kind: 'firewall', criticality: 5, tags: [], services: ['edge-network'], aliases: [], created_at: now, updated_at: now },
    { name: 'pay-1', kind: 'server', criticality: 4, tags: [], services: ['payments'], aliases: [], created_at: now, updated_at: now },
  ];
  const engine = engineOf({ service_inhibition: { window: '30m' } }, new InventoryIndex(assets, services));
  const out = engine.process([
    alert('link-down', min(0), { host: 'fw-edge-1', level: 'critical' }),
    alert('pay-errors', min(2), { host: 'pay-1' }),
    // A security detection is no symptom of an outage upstream: never muted this way.
    alert('webshell', min(3), { host: 'pay-1', tags: ['attack.persistence'] }),
  ]);
  const pay = out.alerts.find((a) => a.rule.id === 'pay-errors')!;
  assert.match(pay.suppressed_by!, /^inhibit:service:edge-network:INC-1$/);
  assert.equal(out.alerts.find((a) => a.rule.id === 'webshell')!.suppressed_by, null);
  // Once the upstream incident is quiet for longer than the window, dependants alert again.
  const later = engine.process([alert('pay-latency', min(40), { host: 'pay-1' })]);
  assert.equal(later.alerts[0]!.suppressed_by, null);
});

test('flapping: too many firing/resolved changes within the window mark the alert and hold notifications', () => {
  const engine = engineOf({ flapping: { window: '30m', threshold: 4 }, route: { group_wait: '0s', group_interval: '1m' } });
  const outputs = [engine.process([alert('svc', min(0))])];
  outputs.push(engine.advance(min(0)));
  for (let i = 1; i <= 4; i++) outputs.push(engine.process([alert('svc', min(i * 2), { status: i % 2 === 1 ? 'resolved' : 'firing', resolved_at: iso(min(i * 2)) })]));
  const flapping = outputs.flatMap((o) => o.alerts).filter((a) => a.flapping);
  assert.ok(flapping.length > 0, 'alert marked flapping');
  const incident = [...incidentsOf(...outputs).values()][0]!;
  assert.equal(incident.flapping, true);
  const held = engine.advance(min(30));
  assert.equal(held.notifications.length, 0);
  assert.ok(ledgerSum([held, ...outputs], 'dropped', 'flapping') >= 1);
  assert.ok(outputs.flatMap((o) => o.timeline).some((e) => e.kind === 'flapping' && /notifications held/.test(e.text)));
});

test('the score explains itself and puts a multi-stage chain on a critical asset above a noisy high rule', () => {
  const now = '2026-01-01T00:00:00Z';
  const inventory = new InventoryIndex(
    [{ name: 'db-1', kind: 'server', criticality: 5, tags: [], services: ['payments'], aliases: ['10.0.0.5'], created_at: now, updated_at: now }],
    [{ name: 'payments', tier: 1, depends_on: [], aliases: [], created_at: now, updated_at: now }],
  );
  const engine = engineOf({}, inventory);
  const noise = Array.from({ length: 200 }, (_, i) => alert('noisy', min(i % 60), { host: `h${i}`, level: 'high', tags: ['attack.discovery'] }));
  const chain = [
    alert('phish', min(10), { host: 'db-1', tags: ['attack.initial-access'] }),
    alert('exec', min(20), { host: 'db-1', tags: ['attack.execution'] }),
    alert('persist', min(25), { host: 'db-1', tags: ['attack.persistence'] }),
    alert('exfil', min(30), { host: 'db-1', tags: ['attack.exfiltration'], indicator: { confidence: 90 } }),
  ];
  const out = engine.process([...noise, ...chain].sort((a, b) => a.last_seen.localeCompare(b.last_seen)));
  const ranked = [...incidentsOf(out).values()].sort((a, b) => b.score - a.score);
  const top = ranked[0]!;
  assert.deepEqual(top.rules, ['phish', 'exec', 'persist', 'exfil']);
  assert.equal(top.priority, 'P1');
  const parts = Object.fromEntries(top.score_explanation.parts.map((p) => [p.factor, p]));
  assert.equal(parts.asset_criticality!.value, 1);
  assert.match(parts.asset_criticality!.reason, /db-1 has criticality 5/);
  assert.equal(parts.service_tier!.value, 1);
  assert.equal(parts.kill_chain!.value, 1);
  assert.match(parts.kill_chain!.reason, /4 kill-chain phases on db-1: delivery → exploitation → installation → actions-on-objectives/);
  assert.equal(parts.indicator_confidence!.value, 0.9);
  assert.equal(parts.rarity!.value, 1);
  assert.equal(parts.rule_level!.value, 0.5);
  assert.equal(top.score, Math.round(top.score_explanation.parts.reduce((s, p) => s + p.points, 0) * 10) / 10);
  assert.match(top.score_explanation.summary, /^P1 \(score [\d.]+\): 4 kill-chain phases/);
  const noisy = ranked.find((i) => i.rules.includes('noisy'))!;
  assert.ok(noisy.score < top.score);
  assert.match(noisy.score_explanation.parts.find((p) => p.factor === 'rarity')!.reason, /fired 200 times/);
});

test('weights from config change the score; priorities follow the configured thresholds', () => {
  const onlyLevel = engineOf({ score: { weights: { rule_level: 1, asset_criticality: 0, service_tier: 0, kill_chain: 0, indicator_confidence: 0, rarity: 0 }, priorities: { P1: 90, P2: 70, P3: 50, P4: 10 } } });
  const out = onlyLevel.process([alert('crit', min(0), { level: 'critical' }), alert('low', min(0), { level: 'low', host: 'other' })]);
  const byRule = new Map([...incidentsOf(out).values()].map((i) => [i.rules[0], i]));
  assert.equal(byRule.get('crit')!.score, 100);
  assert.equal(byRule.get('crit')!.priority, 'P1');
  assert.equal(byRule.get('low')!.score, 25);
  assert.equal(byRule.get('low')!.priority, 'P4');
});

test('event time: replaying the same alerts in batches of any size gives the same incidents and notifications', () => {
  const alerts: IncomingAlert[] = [];
  for (let i = 0; i < 300; i++) {
    const host = `h${i % 17}`;
    const rule = `r${i % 7}`;
    alerts.push(alert(rule, min(i * 3), { host, tags: i % 5 === 0 ? ['attack.execution'] : [] }));
  }
  const run = (batch: number) => {
    const engine = engineOf({ route: { group_window: '15m' }, correlation: { window: '10m' } });
    const outputs: TriageOutput[] = [];
    for (let i = 0; i < alerts.length; i += batch) outputs.push(engine.process(alerts.slice(i, i + batch)));
    outputs.push(engine.advance(min(2000)));
    const incidents = [...incidentsOf(...outputs).values()].map((i) => [i.id, i.alert_count, i.rules.join(','), i.entities.hosts.join(','), i.score]);
    const notifications = outputs.flatMap((o) => o.notifications).map((n) => [n.incident_id, n.reason, n.due_at, n.alert_count]);
    return { incidents, notifications };
  };
  const whole = run(alerts.length);
  assert.ok(whole.incidents.length > 10);
  assert.ok(whole.notifications.length > 10);
  assert.deepEqual(run(1), whole);
  assert.deepEqual(run(37), whole);
});

test('resolve and acknowledge for unknown alerts are counted, not invented', () => {
  const engine = engineOf();
  const out = engine.process([alert('x', min(0), { status: 'resolved' }), { ...alert('y', min(0)), acknowledge: true }]);
  assert.equal(out.alerts.length, 0);
  assert.equal(out.incidents.length, 0);
  assert.equal(ledgerSum([out], 'dropped', 'unknown'), 2);
});

test('an acknowledge from an integration names the incident to acknowledge', () => {
  const engine = engineOf();
  const opened = engine.process([alert('pd', min(0), { fingerprint: 'pd:abc' })]);
  const id = [...incidentsOf(opened).keys()][0]!;
  const ack = engine.process([{ ...alert('pd', min(1), { fingerprint: 'pd:abc' }), acknowledge: true, source: 'pagerduty' }]);
  assert.deepEqual(ack.acknowledgements, [{ incident_id: id, by: 'pagerduty' }]);
});

test('merge moves the alerts and closes the source; split moves alerts out into a new incident', () => {
  const engine = engineOf({ route: { correlate_entities: false } });
  const out = engine.process([alert('a', min(0), { host: 'h1' }), alert('b', min(1), { host: 'h2' }), alert('b', min(2), { host: 'h3' })]);
  const incidents = [...incidentsOf(out).values()];
  const alertsOf = (id: string) => out.alerts.filter((a) => a.incident_id === id);
  const [first, second] = incidents;
  const merged = engine.merge({ incident: first!, alerts: alertsOf(first!.id) }, { incident: second!, alerts: alertsOf(second!.id) }, 'alice');
  const after = incidentsOf(merged);
  assert.equal(after.get(second!.id)!.status, 'closed');
  assert.equal(after.get(second!.id)!.merged_into, first!.id);
  assert.equal(after.get(first!.id)!.alert_count, 3);
  assert.deepEqual(after.get(first!.id)!.entities.hosts, ['h1', 'h2', 'h3']);
  assert.ok(merged.alerts.every((a) => a.incident_id === first!.id));
  assert.ok(merged.timeline.some((e) => e.kind === 'merged' && e.actor === 'alice'));
  // A new alert of the merged group key now joins the surviving incident.
  const join = engine.process([alert('b', min(3), { host: 'h4' })]);
  assert.equal(join.alerts[0]!.incident_id, first!.id);

  const all = [...merged.alerts, ...join.alerts];
  const moving = all.filter((a) => a.rule.id === 'b').map((a) => a.id);
  const split = engine.split({ incident: after.get(first!.id)!, alerts: all }, moving, 'bob');
  const splitIncidents = incidentsOf(split);
  const created = [...splitIncidents.values()].find((i) => i.id !== first!.id)!;
  assert.equal(created.alert_count, 3);
  assert.equal(created.status, 'new');
  assert.equal(splitIncidents.get(first!.id)!.alert_count, 1);
  assert.ok(split.timeline.some((e) => e.kind === 'split' && e.incident_id === created.id));
});

test('load restores open incidents so dedup and grouping continue after a restart', () => {
  const engine = engineOf();
  const out = engine.process([alert('r1', min(0), { host: 'a' }), alert('r1', min(1), { host: 'b' })]);
  const incident = [...incidentsOf(out).values()][0]!;
  const restarted = engineOf();
  restarted.load({ incidents: [{ incident, alerts: out.alerts }], looseAlerts: [], silences: [], ruleCounts: [{ rule_id: 'r1', hour: T0, count: 2 }], nextSeq: 2 });
  const more = restarted.process([alert('r1', min(2), { host: 'a' }), alert('r1', min(3), { host: 'c' }), alert('r9', min(3), { host: 'zz' })]);
  const alerts = more.alerts;
  assert.equal(alerts.find((a) => a.entities.hosts[0] === 'a')!.count, 2, 'repeat after restart deduplicated');
  assert.equal(alerts.find((a) => a.entities.hosts[0] === 'c')!.incident_id, incident.id, 'same group after restart');
  assert.equal(alerts.find((a) => a.entities.hosts[0] === 'zz')!.incident_id, 'INC-2', 'numbering continues');
});

test('a jump in event time sends one reminder, not one per missed repeat_interval', () => {
  const engine = engineOf({ route: { group_wait: '30s', repeat_interval: '4h' } });
  engine.process([alert('r1', min(0))]);
  const jump = engine.advance(min(0) + 365 * 86_400_000);
  assert.deepEqual(jump.notifications.map((n) => n.reason), ['opened']);
  const next = engine.advance(min(0) + 365 * 86_400_000 + 4 * 3_600_000);
  assert.deepEqual(next.notifications.map((n) => n.reason), ['repeat']);
});

test('a detection with an ATT&CK tactic joins the story on its host before the same rule elsewhere in the fleet', () => {
  const engine = engineOf();
  const out = engine.process([
    // The same noisy rule across the fleet forms one incident by rule.
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((h, i) => alert('schtask', min(i), { host: h, tags: ['attack.persistence'] })),
    alert('phish', min(10), { host: 'ws-9', tags: ['attack.initial-access'] }),
    alert('exec', min(12), { host: 'ws-9', tags: ['attack.execution'] }),
    // The attacker also creates a scheduled task: the rule has a fleet incident, but this one is part of ws-9's story.
    alert('schtask', min(14), { host: 'ws-9', tags: ['attack.persistence'] }),
  ]);
  const incidents = [...incidentsOf(out).values()];
  const story = incidents.find((i) => i.rules.includes('phish'))!;
  assert.deepEqual(story.rules, ['phish', 'exec', 'schtask']);
  assert.equal(incidents.find((i) => i.entities.hosts.includes('h1'))!.alert_count, 6);
});

test('a user or address seen across many hosts (a service account) links nothing and lends no kill-chain phases', () => {
  const engine = engineOf({ correlation: { max_entities: 3 } });
  const hosts = ['s1', 's2', 's3', 's4', 's5'];
  const out = engine.process([
    ...hosts.map((h, i) => alert(`deploy-${i}`, min(i), { host: h, user: 'svc-sccm', tags: [['attack.execution', 'attack.persistence', 'attack.discovery', 'attack.lateral-movement', 'attack.collection'][i]!] })),
    alert('cleared', min(10), { host: 'dc-1', user: 'svc-sccm', tags: ['attack.defense-evasion'] }),
  ]);
  const cleared = [...incidentsOf(out).values()].find((i) => i.rules.includes('cleared'))!;
  assert.equal(cleared.alert_count, 1, 'not glued to the others through the service account');
  const killChain = cleared.score_explanation.parts.find((p) => p.factor === 'kill_chain')!;
  assert.equal(killChain.value, 0);
});

test('operations incidents take no kill-chain points from security alerts on the same host', () => {
  const engine = engineOf({ route: { routes: [{ name: 'ops', matchers: ['source="alertmanager"'], group_by: ['alertname'], correlate_entities: false }] } });
  const out = engine.process([
    alert('recon', min(0), { host: 'k8s-1', tags: ['attack.discovery'] }),
    alert('curl', min(1), { host: 'k8s-1', tags: ['attack.command-and-control'] }),
    alert('nic-errors', min(2), { host: 'k8s-1', source: 'alertmanager', labels: { alertname: 'NicErrors' } }),
  ]);
  const incidents = [...incidentsOf(out).values()];
  const ops = incidents.find((i) => i.rules.includes('nic-errors'))!;
  assert.deepEqual(ops.rules, ['nic-errors']);
  assert.equal(ops.score_explanation.parts.find((p) => p.factor === 'kill_chain')!.value, 0);
  const security = incidents.find((i) => i.rules.includes('recon'))!;
  assert.ok(security.score_explanation.parts.find((p) => p.factor === 'kill_chain')!.value > 0);
});

test('scores stay current as a rule keeps firing: rarity is recomputed on repeats', () => {
  const engine = engineOf();
  const outputs = [engine.process([alert('nltest', min(0), { host: 'dc-1' })])];
  for (let i = 1; i <= 40; i++) outputs.push(engine.process([alert('nltest', min(i * 10), { host: 'dc-1' })]));
  const incident = [...incidentsOf(...outputs).values()][0]!;
  assert.match(incident.score_explanation.parts.find((p) => p.factor === 'rarity')!.reason, /fired (3\d|4\d) times/);
});

test('the rarest rule is found again when it fires elsewhere: the incident names the rule now rarest', () => {
  const engine = engineOf({ route: { group_by: ['host'] } });
  const outputs = [engine.process([alert('common', min(0), { host: 'a' }), alert('common', min(0), { host: 'b' }), alert('common', min(0), { host: 'c' })])];
  outputs.push(engine.process([alert('rare', min(1), { host: 'dc-1' }), alert('common', min(2), { host: 'dc-1' })]));
  const rarity = () => [...incidentsOf(...outputs).values()].find((i) => i.entities.hosts.includes('dc-1'))!.score_explanation.parts.find((p) => p.factor === 'rarity')!.reason;
  assert.match(rarity(), /rule rare fired 1 time in/);
  // 'rare' becomes the commoner of the two elsewhere; the next alert on dc-1 is scored on 'common'.
  outputs.push(engine.process(Array.from({ length: 10 }, (_, i) => alert('rare', min(3), { host: `x${i}` }))));
  outputs.push(engine.process([alert('common', min(4), { host: 'dc-1', fingerprint: 'common|dc-1|again' })]));
  assert.match(rarity(), /rule common fired 5 times in/);
});

test('updates are sent for material changes only: escalation, a new phase, or half as many alerts again', () => {
  const engine = engineOf({ route: { group_wait: '0s', group_interval: '1m' }, correlation: { max_entities: 1 } });
  const outputs = [engine.process([alert('noise', min(0), { host: 'n0' }), alert('noise', min(0), { host: 'n1' })])];
  outputs.push(engine.advance(min(0)));
  // One more host each minute for ten minutes: 2 → 12 alerts.
  for (let i = 2; i < 12; i++) outputs.push(engine.process([alert('noise', min(i - 1), { host: `n${i}` })]));
  outputs.push(engine.advance(min(20)));
  const reasons = outputs.flatMap((o) => o.notifications).map((n) => `${n.reason}:${n.alert_count}`);
  assert.equal(reasons[0], 'opened:2');
  // 2 → 3 (x1.5) → 5 → 8 → 12: four updates, not ten.
  assert.deepEqual(reasons.slice(1), ['updated:3', 'updated:5', 'updated:8', 'updated:12']);
});

test('alerts a change explains form that change incident, apart from the same rule elsewhere, and are capped to the expected priority', () => {
  // Low thresholds: without the cap these would page as P1.
  const config = configOf({ score: { priorities: { P1: 30, P2: 20, P3: 10, P4: 5 } } });
  const related = { id: 'CHG-7', title: 'Patch db-1', verdict: 'expected-change' as const, score: 1, reason: 'CHG-7 on db-1', implementer: 'alice' };
  const engine = new TriageEngine(config, {
    inventory: () => new InventoryIndex(),
    sla: (priority, detectedAt) => slaFor(priority, config.sla, detectedAt),
    now: () => new Date('2026-03-02T12:00:00Z'),
    changeVerdict: (a) => (a.entities.hosts[0] === 'db-1' ? { verdict: 'expected-change', related: [related] } : { verdict: 'no-change', related: [] }),
    expectedChangePriority: 'P4',
  });
  const out = engine.process([
    alert('restart', min(0), { host: 'web-1', level: 'critical' }),
    alert('restart', min(1), { host: 'db-1', level: 'critical' }),
    alert('latency', min(2), { host: 'db-1', level: 'high' }),
    alert('restart', min(3), { host: 'web-2', level: 'critical' }),
  ]);
  const incidents = [...incidentsOf(out).values()];
  const fleet = incidents.find((i) => i.entities.hosts.includes('web-1'))!;
  const change = incidents.find((i) => i.entities.hosts.includes('db-1'))!;
  assert.deepEqual(fleet.entities.hosts, ['web-1', 'web-2']);
  assert.deepEqual(fleet.related_changes, []);
  assert.deepEqual(change.rules.sort(), ['latency', 'restart']);
  assert.equal(change.related_changes[0]!.id, 'CHG-7');
  assert.match(change.title, /likely caused by CHG-7 \(Patch db-1\)$/);
  assert.equal(change.priority, 'P4');
  assert.equal(change.assignee, 'alice');
  assert.match(change.score_explanation.summary, /^P4 \(score [\d.]+, capped\): every alert is expected from CHG-7/);
  assert.ok(out.alerts.filter((a) => a.entities.hosts[0] === 'db-1').every((a) => a.change_verdict === 'expected-change'));
});

test("a repeat's change verdict follows its latest occurrence: an unrecorded change later is named on the incident", () => {
  const config = configOf();
  let verdict: ChangeVerdict = { verdict: 'expected-change', related: [{ id: 'CHG-1', title: 'Patch', verdict: 'expected-change', score: 1, reason: 'CHG-1 on db-1' }] };
  const engine = new TriageEngine(config, {
    inventory: () => new InventoryIndex(),
    sla: (priority, detectedAt) => slaFor(priority, config.sla, detectedAt),
    now: () => new Date('2026-03-02T12:00:00Z'),
    changeVerdict: () => verdict,
  });
  const first = engine.process([alert('db-errors', min(0), { host: 'db-1' })]);
  assert.equal(first.alerts[0]!.change_verdict, 'expected-change');
  verdict = { verdict: 'unauthorised-change', related: [{ id: null, title: 'acl', verdict: 'unauthorised-change', score: 1, reason: 'unrecorded firewall change on db-1 at 2026-03-04 02:13 UTC by admin: acl' }] };
  const later = engine.process([alert('db-errors', min(3000), { host: 'db-1' })]);
  assert.equal(later.alerts[0]!.change_verdict, 'unauthorised-change');
  const incident = [...incidentsOf(first, later).values()][0]!;
  assert.equal(incident.related_changes[0]!.verdict, 'unauthorised-change');
  assert.ok(later.timeline.some((e) => e.kind === 'related_change' && /unrecorded firewall change on db-1/.test(e.text)));
});
