import {
  ALERT_LEVELS,
  compareRelatedChanges,
  isOpenStatus,
  type Alert,
  type AlertLevel,
  type ChangeVerdict,
  type RelatedChange,
  type IncomingAlert,
  type Incident,
  type LedgerDelta,
  type LedgerReason,
  type LedgerStage,
  type NotificationRecord,
  type Priority,
  type Silence,
  type SlaState,
  type TimelineEntry,
  type TimelineKind,
  priorityRank,
} from '../core/index.ts';
import type { TriageConfig } from '../config/index.ts';
import { KILL_CHAIN_PHASES } from '../detect/index.ts';
import { formatDuration, newId, parseDuration, sha256Hex } from '../lib/index.ts';
import { DueQueue, RuleFrequency } from './frequency.ts';
import { Inhibitor } from './inhibit.ts';
import type { InventoryIndex } from './inventory-index.ts';
import { RouteTree, type ResolvedRoute } from './routes.ts';
import { matchLabels, phasesOf } from './labels.ts';
import { withChangeRoute } from './route-config.ts';
import { notificationReason } from './notification-policy.ts';
import { rarityValue, scoreIncident, type PriorityThresholds, type ScoreFacts, type ScoreWeights } from './score.ts';
import { SilenceIndex } from './silences.ts';

const HOUR = 3_600_000;
const MAX_EVENT_IDS = 100;
const MAX_ENTITIES = 1000;

/** What the engine needs from outside, synchronously. */
export interface TriageContext {
  inventory(): InventoryIndex;
  /** SLA targets and due times for a priority (the incidents stage owns the rules). */
  sla(priority: Priority, detectedAt: string, previous: SlaState | null): SlaState;
  /** Wall clock, for detected_at and timeline entries. */
  now(): Date;
  /** Change management's verdict on an alert at event time (absent: every alert is no-change). */
  changeVerdict?(alert: Alert, atMs: number): ChangeVerdict;
  /** An incident whose alerts are all expected changes is at most this urgent. */
  expectedChangePriority?: Priority;
  /** Watchlists holding an alert's entities (VIP users, crown jewels, known scanners). */
  watchlists?(): { of(entities: Alert['entities']): Array<{ name: string; weight: number; entity: string }> };
}

/** Everything one call changed: written in one transaction. */
export interface TriageOutput {
  alerts: Alert[];
  incidents: Incident[];
  timeline: TimelineEntry[];
  notifications: NotificationRecord[];
  ledger: LedgerDelta[];
  /** Incidents an integration acknowledged (PagerDuty `acknowledge`); the incidents stage applies them. */
  acknowledgements: Array<{ incident_id: string; by: string }>;
}

/** Whose numbers a ledger count goes to. */
type Who = { rule: string; source: string; service: string };

/** An alert with its status-change history, for flapping. */
interface AlertState {
  alert: Alert;
  toggles: number[];
}

/** An open incident with its facts kept up to date as alerts join. */
interface IncidentState {
  incident: Incident;
  alerts: Map<string, AlertState>;
  hosts: Set<string>;
  users: Set<string>;
  ips: Set<string>;
  services: Set<string>;
  phases: Set<string>;
  tactics: Set<string>;
  techniques: Set<string>;
  rules: Set<string>;
  sources: Set<string>;
  level: { index: number; rule: string };
  asset: ScoreFacts['asset'];
  service: ScoreFacts['service'];
  indicator: number | null;
  /** The alert that opened it: the ledger counts incidents and notifications under its rule. */
  primary: Who & { title: string };
  /** Alerts firing (not resolved), and of those the operations outages (no ATT&CK tactic, level high or critical). */
  firing: number;
  outages: number;
  /** Event time of the last score computation. */
  scoredAt: number;
  /** Kill-chain phases its alerts show per entity. */
  entityPhases: Map<string, { label: string; phases: Map<string, Set<string>> }>;
  /** Entities with two phases or more: only they can show a progression. */
  progressing: Set<string>;
  /** Changes that may explain it, by key, and how many of its alerts an approved change expects. */
  related: Map<string, RelatedChange>;
  expected: number;
  /** Its rarest rule when last scored, and what that finding rested on (see rarestRule). */
  rarest: RarestRule | null;
}

interface RarestRule {
  rule: string;
  count: number;
  /** The incident's rule count, the window's oldest hour and the frequency's drops then. */
  rules: number;
  oldest: number;
  drops: number;
}

/** One key per related change: its CHG id, or the unrecorded change's description. */
const changeKey = (related: RelatedChange) => related.id ?? `unrecorded:${related.reason}`;
/** Alerts about changes themselves (unauthorised, policy violations) go to their own route, not into outage incidents. */
const CHANGE_SOURCE = 'changes';

const RESCORE_EVERY_MS = 5 * 60_000;
const OUTAGE_LEVEL = ALERT_LEVELS.indexOf('high');

/** An operations alert bad enough to explain its dependants' symptoms. */
const isOutage = (alert: Alert) => alert.status === 'firing' && !alert.suppressed_by && alert.attack.tactics.length === 0 && ALERT_LEVELS.indexOf(alert.rule.level) >= OUTAGE_LEVEL;

const unique = <T>(values: Iterable<T>): T[] => [...new Set(values)];

/**
 * Triage on event time: dedup, silences, inhibition, grouping into incidents (route tree, then
 * entity correlation), flapping, scoring and notification timing. It holds the open incidents
 * and recent alerts in memory and returns, for every call, what changed, for the store to commit.
 * Event time only moves forward (the watermark), so a replay yields the same incidents.
 */
export class TriageEngine {
  private readonly routes: RouteTree;
  private readonly silences = new SilenceIndex();
  private readonly inhibitor: Inhibitor;
  private readonly frequency: RuleFrequency;
  private readonly due = new DueQueue();
  private readonly alertsByFingerprint = new Map<string, AlertState>();
  private readonly incidents = new Map<string, IncidentState>();
  private readonly groups = new Map<string, string>();
  /** Open incidents by entity key (h:, u:, i:) and by service. */
  private readonly byEntity = new Map<string, Set<string>>();
  private readonly byService = new Map<string, Set<string>>();
  /** Open incidents by the change most likely behind them. */
  private readonly byChange = new Map<string, string>();
  /** Hosts each user and IP was seen with: one seen across many hosts (a service account, a NAT) links nothing. */
  private readonly spread = new Map<string, Set<string>>();
  private readonly ignored: Set<string>;
  private readonly weights: ScoreWeights;
  private readonly thresholds: PriorityThresholds;
  private readonly windows: { correlation: number; flap: number; serviceInhibition: number; rarity: number };
  private watermark = 0;
  private nextSeq = 1;
  private sinceGc = 0;
  private out: TriageOutput = TriageEngine.emptyOutput();
  private readonly dirtyAlerts = new Map<string, Alert>();
  private readonly dirtyIncidents = new Set<IncidentState>();
  private readonly ledger = new Map<string, LedgerDelta>();
  /** Alerts that joined each incident during this call: one timeline entry per incident, not per alert. */
  private readonly joins = new Map<IncidentState, { at: number; alerts: Alert[] }>();

  constructor(
    private readonly config: TriageConfig,
    private readonly context: TriageContext,
  ) {
    this.routes = new RouteTree(withChangeRoute(config.route));
    this.inhibitor = new Inhibitor(config.inhibit_rules);
    this.windows = {
      correlation: parseDuration(config.correlation.window),
      flap: parseDuration(config.flapping.window),
      serviceInhibition: parseDuration(config.service_inhibition.window),
      rarity: parseDuration(config.score.rarity_window),
    };
    this.frequency = new RuleFrequency(this.windows.rarity);
    this.ignored = new Set(config.correlation.ignore.map((v) => v.toLowerCase()));
    this.weights = config.score.weights as ScoreWeights;
    this.thresholds = config.score.priorities as PriorityThresholds;
  }

  static emptyOutput(): TriageOutput {
    return { alerts: [], incidents: [], timeline: [], notifications: [], ledger: [], acknowledgements: [] };
  }

  /** Event time the engine has reached (ms). */
  get clock(): number {
    return this.watermark;
  }

  openIncidentCount(): number {
    return this.incidents.size;
  }

  // ---- state ---------------------------------------------------------------------------------

  /**
   * Restores the state the store holds: open incidents with their alerts, recent alerts without
   * an incident (suppressed), rule frequencies and the next incident number.
   */
  load(state: {
    incidents: Array<{ incident: Incident; alerts: Alert[] }>;
    looseAlerts: Alert[];
    silences: Silence[];
    ruleCounts: Array<{ rule_id: string; hour: number; count: number }>;
    nextSeq: number;
  }): void {
    this.nextSeq = Math.max(this.nextSeq, state.nextSeq);
    this.silences.set(state.silences);
    for (const row of state.ruleCounts) this.frequency.add(row.rule_id, row.hour, row.count);
    for (const alert of state.looseAlerts) this.remember({ alert, toggles: [] });
    for (const { incident, alerts } of state.incidents) {
      if (!isOpenStatus(incident.status)) continue;
      this.adopt(incident, alerts);
    }
    this.takeOutput();
  }

  private remember(state: AlertState, labels?: Record<string, string>): void {
    const { alert } = state;
    this.alertsByFingerprint.set(alert.fingerprint, state);
    this.noteSpread(alert);
    const t = Date.parse(alert.last_seen);
    if (t > this.watermark) this.watermark = t;
    if (alert.status === 'firing') this.inhibitor.noteFiring(alert.id, labels ?? matchLabels(alert), Date.parse(alert.first_seen));
  }

  /** Takes an incident (from the store, or rebuilt after a merge or split) under management. */
  private adopt(incident: Incident, alerts: Alert[]): IncidentState {
    // Counts are recomputed from the alerts as they are attached.
    const state = this.newState({ ...incident, occurrence_count: 0, alert_count: 0 }, alerts[0]);
    this.incidents.set(incident.id, state);
    if (incident.grouping.key) this.groups.set(incident.grouping.key, incident.id);
    for (const alert of alerts) {
      this.remember({ alert, toggles: [] });
      this.attach(state, this.alertsByFingerprint.get(alert.fingerprint)!, false);
    }
    if (incident.grouping.notify_due_at !== null) this.due.push(incident.grouping.notify_due_at, incident.id);
    return state;
  }

  setSilences(silences: Silence[]): void {
    this.silences.set(silences);
  }

  /** A person changed the incident (state, assignee...): keep the copy in memory, or let it go once closed. */
  updateIncident(incident: Incident): void {
    const state = this.incidents.get(incident.id);
    if (!state) return;
    if (!isOpenStatus(incident.status)) {
      this.forget(state);
      return;
    }
    const sla = incident.priority === state.incident.priority ? incident.sla : this.context.sla(incident.priority, incident.detected_at, incident.sla);
    state.incident = { ...incident, sla, grouping: state.incident.grouping };
  }

  getIncident(id: string): Incident | null {
    const state = this.incidents.get(id);
    return state ? this.snapshot(state) : null;
  }

  private forget(state: IncidentState): void {
    const id = state.incident.id;
    this.incidents.delete(id);
    if (state.incident.grouping.key && this.groups.get(state.incident.grouping.key) === id) this.groups.delete(state.incident.grouping.key);
    for (const key of this.incidentEntityKeys(state)) this.unindexEntity(key, id);
    for (const service of state.services) this.byService.get(service)?.delete(id);
    for (const [key, incidentId] of this.byChange) if (incidentId === id) this.byChange.delete(key);
    for (const alertState of state.alerts.values()) {
      if (this.alertsByFingerprint.get(alertState.alert.fingerprint) === alertState) this.alertsByFingerprint.delete(alertState.alert.fingerprint);
      this.inhibitor.forget(alertState.alert.id);
    }
  }

  // ---- the pipeline --------------------------------------------------------------------------

  /** Triage a batch of alerts, in order. */
  process(incoming: IncomingAlert[]): TriageOutput {
    for (const alert of incoming) this.processOne(alert);
    this.flush(this.watermark);
    if (++this.sinceGc >= 50) this.gc();
    return this.takeOutput();
  }

  /** Move event time forward without alerts (live operation, when every source is quiet): notifications fall due. */
  advance(toMs: number): TriageOutput {
    if (toMs > this.watermark) this.watermark = toMs;
    this.flush(this.watermark);
    return this.takeOutput();
  }

  private fingerprintOf(alert: IncomingAlert): string {
    const keys = this.config.dedup_keys;
    if (keys.length === 0) return alert.fingerprint;
    const labels = matchLabels({ ...alert, status: 'firing' });
    return sha256Hex(keys.map((k) => `${k}=${labels[k] ?? ''}`).join('\u0000')).slice(0, 32);
  }

  private processOne(incoming: IncomingAlert): void {
    const t = Date.parse(incoming.status === 'resolved' ? (incoming.resolved_at ?? incoming.last_seen) : incoming.last_seen);
    const at = Number.isFinite(t) ? t : this.watermark;
    if (at > this.watermark) {
      this.flush(at);
      this.watermark = at;
    }
    const fingerprint = this.fingerprintOf(incoming);
    const service = incoming.entities.services[0] ?? incoming.labels.service ?? '';
    const who = { rule: incoming.rule.id, source: incoming.source, service };
    const isReport = !incoming.acknowledge && incoming.status === 'firing';
    if (isReport) this.count(at, who, 'detections', '', incoming.count);

    let existing = this.alertsByFingerprint.get(fingerprint);
    if (existing && existing.alert.incident_id && !this.incidents.has(existing.alert.incident_id)) {
      // Its incident was closed: this is a new episode.
      this.alertsByFingerprint.delete(fingerprint);
      existing = undefined;
    }
    if (!existing) {
      if (!isReport) {
        this.count(at, who, 'dropped', 'unknown', 1);
        return;
      }
      this.admit(incoming, fingerprint, at, who);
      return;
    }
    this.repeat(existing, incoming, at, who);
  }

  /** A report of an alert triage already holds: count it, follow its status, maybe lift its suppression. */
  private repeat(state: AlertState, incoming: IncomingAlert, at: number, who: Who): void {
    const alert = state.alert;
    const incident = alert.incident_id ? this.incidents.get(alert.incident_id) : undefined;
    if (incoming.acknowledge) {
      if (incident) this.out.acknowledgements.push({ incident_id: incident.incident.id, by: incoming.source });
      return;
    }
    if (incoming.status === 'resolved') {
      if (alert.status === 'resolved') return;
      if (incident) this.countFiring(incident, alert, -1);
      alert.status = 'resolved';
      alert.resolved_at = new Date(at).toISOString();
      this.toggle(state, at, incident);
      this.inhibitor.noteResolved(alert.id, at);
      this.touchAlert(alert);
      if (incident) {
        incident.incident.grouping.last_alert_at = Math.max(incident.incident.grouping.last_alert_at, at);
        this.entry(incident, 'alert_resolved', `alert resolved: ${alert.rule.title}`, at, { alert_id: alert.id });
        this.scheduleUpdate(incident, at);
        this.touch(incident);
      }
      return;
    }
    this.count(at, who, 'dropped', 'dedup', incoming.count);
    alert.count += incoming.count;
    // Rarity counts firings: a re-send of the same still-firing alert (Alertmanager) is not one.
    if (incoming.last_seen > alert.last_seen) {
      this.frequency.add(alert.rule.id, at, incoming.count);
      alert.last_seen = incoming.last_seen;
      this.reconsiderChange(alert, at, incident);
    }
    if (incoming.first_seen < alert.first_seen) alert.first_seen = incoming.first_seen;
    if (alert.event_ids.length < MAX_EVENT_IDS && incoming.event_ids.length > 0) {
      alert.event_ids = unique([...alert.event_ids, ...incoming.event_ids]).slice(0, MAX_EVENT_IDS);
    }
    if (alert.status === 'resolved') {
      alert.status = 'firing';
      alert.resolved_at = null;
      if (incident) this.countFiring(incident, alert, +1);
      this.toggle(state, at, incident);
      this.inhibitor.noteFiring(alert.id, matchLabels(alert), at);
      if (incident) this.scheduleUpdate(incident, at);
    }
    this.touchAlert(alert);
    if (incident) {
      incident.incident.occurrence_count += incoming.count;
      if (at > incident.incident.grouping.last_alert_at) incident.incident.grouping.last_alert_at = at;
      if (alert.last_seen > incident.incident.last_seen) incident.incident.last_seen = alert.last_seen;
      // Rarity drifts as a rule keeps firing: keep the score current without scoring every repeat.
      if (at - incident.scoredAt >= RESCORE_EVERY_MS) this.rescore(incident, at);
      this.touch(incident);
      return;
    }
    if (alert.suppressed_by) {
      // Suppressed until now: if what muted it has ended, it goes on to grouping like a new alert.
      const reason = this.suppression(alert, at);
      if (reason) {
        alert.suppressed_by = reason;
        return;
      }
      alert.suppressed_by = null;
      this.group(state, at, who);
    }
  }

  /** A new alert: suppressed with its reason, or into an incident. */
  private admit(incoming: IncomingAlert, fingerprint: string, at: number, who: Who): void {
    const { acknowledge: _ack, ...fields } = incoming;
    const alert: Alert = {
      ...fields,
      id: newId(),
      fingerprint,
      entities: {
        hosts: unique(incoming.entities.hosts),
        users: unique(incoming.entities.users),
        ips: unique(incoming.entities.ips),
        services: unique([...incoming.entities.services, ...this.assetServices(incoming.entities)]),
      },
      event_ids: incoming.event_ids.slice(0, MAX_EVENT_IDS),
      suppressed_by: null,
      incident_id: null,
      flapping: false,
      resolved_at: null,
      created_at: this.context.now().toISOString(),
    };
    const listed = this.context.watchlists?.().of(alert.entities);
    if (listed && listed.length > 0) {
      // A label too, so silences and routes can match it (watchlist=~".*known-scanners.*").
      alert.watchlists = listed.map((l) => l.name);
      alert.labels = { ...alert.labels, watchlist: alert.watchlists.join(',') };
    }
    const verdict = this.context.changeVerdict?.(alert, at);
    if (verdict) {
      alert.change_verdict = verdict.verdict;
      alert.related_changes = verdict.related;
    }
    // Derived once: remembering, silences, inhibition and routing all read them.
    const labels = matchLabels(alert);
    const state: AlertState = { alert, toggles: [] };
    this.remember(state, labels);
    this.frequency.add(alert.rule.id, at, incoming.count);
    this.count(at, who, 'alerts', '', 1);
    // A person's silence holds whatever the cause.
    const silence = this.silences.match(labels, at);
    if (silence) {
      alert.suppressed_by = `silence:${silence.id}`;
      this.count(at, who, 'dropped', 'silenced', 1);
      this.touchAlert(alert);
      return;
    }
    // Alerts a change explains form that change's incident, before an inhibition could hide them
    // and apart from the same rules' noise elsewhere: the context is the point.
    const top = alert.related_changes?.[0];
    if (top && alert.source !== CHANGE_SOURCE) {
      const key = changeKey(top);
      const byChange = this.byChange.get(key);
      const incident = byChange ? this.incidents.get(byChange) : undefined;
      if (incident && at - incident.incident.grouping.last_alert_at <= incident.incident.grouping.group_window_ms) {
        this.count(at, who, 'dropped', 'correlated', 1);
        this.attach(incident, state, true, at);
        return;
      }
      const route = this.routes.resolve(labels);
      this.open(state, route, { key: `change:${key}`, labels: { change: top.id ?? 'unrecorded' } }, at, who);
      return;
    }
    const inhibited = this.inhibition(alert, at, labels);
    if (inhibited) {
      alert.suppressed_by = inhibited;
      this.count(at, who, 'dropped', 'inhibited', 1);
      this.touchAlert(alert);
      return;
    }
    this.group(state, at, who, labels);
  }

  private assetServices(entities: IncomingAlert['entities']): string[] {
    const inventory = this.context.inventory();
    const out: string[] = [];
    for (const name of [...entities.hosts, ...entities.ips]) {
      const asset = inventory.asset(name);
      if (asset) out.push(...asset.services);
    }
    return out;
  }

  /** Why the alert is muted at event time `at` (a silence, an inhibition rule, a failing dependency), or null. */
  private suppression(alert: Alert, at: number, labels = matchLabels(alert)): string | null {
    const silence = this.silences.match(labels, at);
    return silence ? `silence:${silence.id}` : this.inhibition(alert, at, labels);
  }

  /** Which inhibition mutes the alert (a rule, or an outage of a service it depends on), or null. */
  private inhibition(alert: Alert, at: number, labels: Record<string, string>): string | null {
    const inhibited = this.inhibitor.inhibitedBy(labels, at, alert.id);
    if (inhibited) return `inhibit:${inhibited.rule}`;
    // A dependency's outage explains its dependants' symptoms, not their security detections.
    if (this.config.service_inhibition.enabled && alert.attack.tactics.length === 0) {
      const inventory = this.context.inventory();
      for (const service of alert.entities.services) {
        for (const dependency of inventory.dependencies(service)) {
          for (const id of this.byService.get(dependency) ?? []) {
            const upstream = this.incidents.get(id);
            if (upstream && upstream.outages > 0 && at - upstream.incident.grouping.last_alert_at <= this.windows.serviceInhibition) {
              return `inhibit:service:${dependency}:${id}`;
            }
          }
        }
      }
    }
    return null;
  }

  /** Into the incident of its group, or of an entity it shares, or a new one. */
  private group(state: AlertState, at: number, who: Who, labels = matchLabels(state.alert)): void {
    const alert = state.alert;
    const route = this.routes.resolve(labels);
    const group = this.routes.groupKey(route, labels);
    const byGroup = this.groups.get(group.key);
    const grouped = byGroup ? this.incidents.get(byGroup) : undefined;
    // A detection with an ATT&CK tactic belongs with the story already unfolding on its host or
    // user before it belongs with the same rule elsewhere in the fleet.
    if (route.correlateEntities && phasesOf(alert).length > 0) {
      const story = this.relatedIncident(alert, at, true);
      if (story && story !== grouped) {
        this.count(at, who, 'dropped', 'correlated', 1);
        this.attach(story, state, true, at);
        return;
      }
    }
    if (grouped && at - grouped.incident.grouping.last_alert_at <= grouped.incident.grouping.group_window_ms) {
      this.count(at, who, 'dropped', 'grouped', 1);
      this.attach(grouped, state, true, at);
      return;
    }
    // A detection with a tactic joins stories (tried above), never an operations incident by entity.
    if (route.correlateEntities && phasesOf(alert).length === 0) {
      const related = this.relatedIncident(alert, at);
      if (related) {
        this.count(at, who, 'dropped', 'correlated', 1);
        this.attach(related, state, true, at);
        return;
      }
    }
    this.open(state, route, group, at, who);
  }

  /**
   * The open, entity-scoped incident sharing most entities with the alert within the window;
   * with `attackOnly`, only incidents that carry an ATT&CK tactic themselves.
   */
  private relatedIncident(alert: Alert, at: number, attackOnly = false): IncidentState | null {
    let best: IncidentState | null = null;
    let bestShared = 0;
    const shared = new Map<string, number>();
    for (const key of this.entityKeys(alert)) {
      for (const id of this.byEntity.get(key) ?? []) shared.set(id, (shared.get(id) ?? 0) + 1);
    }
    for (const [id, count] of shared) {
      const candidate = this.incidents.get(id);
      if (!candidate || (attackOnly && candidate.phases.size === 0)) continue;
      if (Math.abs(at - candidate.incident.grouping.last_alert_at) > this.windows.correlation) continue;
      if (this.entityCount(candidate) > this.config.correlation.max_entities) continue;
      if (
        count > bestShared ||
        (count === bestShared && best && candidate.incident.grouping.last_alert_at > best.incident.grouping.last_alert_at)
      ) {
        best = candidate;
        bestShared = count;
      }
    }
    return best;
  }

  private unindexEntity(key: string, id: string): void {
    const ids = this.byEntity.get(key);
    if (ids?.delete(id) && ids.size === 0) this.byEntity.delete(key);
  }

  private entityCount(state: IncidentState): number {
    return state.hosts.size + state.users.size + state.ips.size;
  }

  /** Entity keys that may link alerts: configured kinds, common values left out. */
  private entityKeys(alert: Pick<Alert, 'entities'>): string[] {
    const keys: string[] = [];
    const kinds = this.config.correlation.entities;
    const add = (prefix: string, values: string[]) => {
      for (const value of values) {
        const key = `${prefix}${value.toLowerCase()}`;
        if (!this.ignored.has(value.toLowerCase()) && !this.widespread(key)) keys.push(key);
      }
    };
    if (kinds.includes('hosts')) add('h:', alert.entities.hosts);
    if (kinds.includes('users')) add('u:', alert.entities.users);
    if (kinds.includes('ips')) add('i:', alert.entities.ips);
    return keys;
  }

  /** Entity keys with the names to show, as entityKeys decides them. */
  private entityLabels(alert: Pick<Alert, 'entities'>): Array<[string, string]> {
    const keys = new Set(this.entityKeys(alert));
    const out: Array<[string, string]> = [];
    for (const [prefix, values] of [['h:', alert.entities.hosts], ['u:', alert.entities.users], ['i:', alert.entities.ips]] as const) {
      for (const value of values) if (keys.has(`${prefix}${value.toLowerCase()}`)) out.push([`${prefix}${value.toLowerCase()}`, value]);
    }
    return out;
  }

  /** Records which hosts a user or IP appears with (bounded: past the limit it is widespread anyway). */
  private noteSpread(alert: Pick<Alert, 'entities'>): void {
    if (alert.entities.hosts.length === 0) return;
    const limit = this.config.correlation.max_entities;
    for (const [prefix, values] of [['u:', alert.entities.users], ['i:', alert.entities.ips]] as const) {
      for (const value of values) {
        const key = `${prefix}${value.toLowerCase()}`;
        let hosts = this.spread.get(key);
        if (!hosts) this.spread.set(key, (hosts = new Set()));
        if (hosts.size > limit) continue;
        for (const host of alert.entities.hosts) hosts.add(host.toLowerCase());
      }
    }
  }

  private widespread(key: string): boolean {
    return (this.spread.get(key)?.size ?? 0) > this.config.correlation.max_entities;
  }

  private incidentEntityKeys(state: IncidentState): string[] {
    return this.entityKeys({ entities: { hosts: [...state.hosts], users: [...state.users], ips: [...state.ips], services: [] } });
  }

  private newState(incident: Incident, first: Alert | undefined): IncidentState {
    return {
      incident,
      alerts: new Map(),
      hosts: new Set(),
      users: new Set(),
      ips: new Set(),
      services: new Set(),
      phases: new Set(),
      tactics: new Set(),
      techniques: new Set(),
      rules: new Set(),
      sources: new Set(),
      level: { index: -1, rule: '' },
      asset: { name: '', criticality: this.config.score.default_criticality, known: false },
      service: null,
      indicator: null,
      primary: {
        rule: first?.rule.id ?? incident.rules[0] ?? '',
        source: first?.source ?? incident.sources[0] ?? '',
        service: first?.entities.services[0] ?? '',
        title: first?.rule.title ?? incident.title,
      },
      firing: 0,
      outages: 0,
      scoredAt: Number.NEGATIVE_INFINITY,
      entityPhases: new Map(),
      progressing: new Set(),
      related: new Map(),
      expected: 0,
      rarest: null,
    };
  }

  private open(state: AlertState, route: ResolvedRoute, group: { key: string; labels: Record<string, string> }, at: number, who: Who): void {
    const alert = state.alert;
    const now = this.context.now().toISOString();
    const id = `INC-${this.nextSeq++}`;
    const incident: Incident = {
      id,
      title: alert.rule.title,
      status: 'new',
      severity: alert.rule.level,
      severity_source: 'alerts',
      score: 0,
      priority: 'P5',
      score_explanation: { score: 0, priority: 'P5', parts: [], summary: '' },
      assignee: null,
      alert_count: 0,
      occurrence_count: 0,
      entities: { hosts: [], users: [], ips: [] },
      services: [],
      kill_chain: [],
      tactics: [],
      techniques: [],
      rules: [],
      sources: [],
      first_seen: alert.first_seen,
      last_seen: alert.last_seen,
      detected_at: now,
      acknowledged_at: null,
      contained_at: null,
      resolved_at: null,
      closed_at: null,
      sla: { ack_minutes: null, resolve_minutes: null, ack_due: null, resolve_due: null, breached: false, breaches: [] },
      tasks: [],
      observables: [],
      merged_into: null,
      flapping: false,
      title_source: 'system',
      related_changes: [],
      grouping: {
        route: route.name,
        key: group.key,
        labels: group.labels,
        last_alert_at: at,
        group_wait_ms: route.groupWaitMs,
        group_interval_ms: route.groupIntervalMs,
        repeat_interval_ms: route.repeatIntervalMs,
        group_window_ms: route.groupWindowMs,
        notify_due_at: at + route.groupWaitMs,
        last_notified_at: null,
        notified_alerts: 0,
        notified_hash: null,
      },
      created_at: now,
      updated_at: now,
    };
    const incidentState = this.newState(incident, alert);
    this.incidents.set(id, incidentState);
    this.groups.set(group.key, id);
    this.count(at, who, 'incidents', '', 1);
    this.entry(incidentState, 'opened', `opened by ${alert.rule.title} (route ${route.name}, group ${formatGroup(group.labels)})`, at, { alert_id: alert.id });
    this.attach(incidentState, state, false, at);
    incident.sla = this.context.sla(incident.priority, incident.detected_at, null);
    this.due.push(incident.grouping.notify_due_at!, id);
  }

  /** Adds an alert to an incident and updates everything that follows from it. */
  private attach(state: IncidentState, alertState: AlertState, announce: boolean, at = Date.parse(alertState.alert.last_seen)): void {
    const alert = alertState.alert;
    const incident = state.incident;
    const id = incident.id;
    alert.incident_id = id;
    if (!state.alerts.has(alert.id)) this.countFiring(state, alert, +1);
    state.alerts.set(alert.id, alertState);
    incident.alert_count = state.alerts.size;
    incident.occurrence_count += alert.count;
    // What a retro-hunt found is evidence from before, not a detection then: it moves the first
    // evidence (dwell time) and leaves first_seen (time to detect) alone.
    if (!alert.retro_hunt && alert.first_seen < incident.first_seen) incident.first_seen = alert.first_seen;
    if (!incident.first_evidence_at || alert.first_seen < incident.first_evidence_at) incident.first_evidence_at = alert.first_seen;
    if (alert.last_seen > incident.last_seen) incident.last_seen = alert.last_seen;
    if (at > incident.grouping.last_alert_at) incident.grouping.last_alert_at = at;
    if (alert.flapping) incident.flapping = true;

    const inventory = this.context.inventory();
    const wasScoped = this.entityCount(state) <= this.config.correlation.max_entities;
    const addEntity = (set: Set<string>, value: string, prefix: string) => {
      if (set.has(value) || set.size >= MAX_ENTITIES) return;
      set.add(value);
      // A fleet-wide incident takes no alerts by entity: indexing its hosts would only cost memory.
      if (this.entityCount(state) <= this.config.correlation.max_entities && !this.ignored.has(value.toLowerCase())) {
        const key = `${prefix}${value.toLowerCase()}`;
        let ids = this.byEntity.get(key);
        if (!ids) this.byEntity.set(key, (ids = new Set()));
        ids.add(id);
      }
      // Its services are already among the alert's: admission added the assets' services.
      if (prefix !== 'u:') {
        const asset = inventory.asset(value);
        if (asset && (!state.asset.known || asset.criticality > state.asset.criticality)) state.asset = { name: asset.name, criticality: asset.criticality, known: true };
      }
    };
    for (const host of alert.entities.hosts) addEntity(state.hosts, host, 'h:');
    for (const user of alert.entities.users) addEntity(state.users, user, 'u:');
    for (const ip of alert.entities.ips) addEntity(state.ips, ip, 'i:');
    for (const service of alert.entities.services) this.addService(state, service);
    if (alert.watchlists?.length) {
      // Someone on a watchlist counts as an asset as critical as the list's weight says.
      for (const listed of this.context.watchlists?.().of(alert.entities) ?? []) {
        const criticality = 1 + Math.round(4 * listed.weight);
        if (!state.asset.known || criticality > state.asset.criticality) state.asset = { name: `${listed.entity} (watchlist ${listed.name})`, criticality, known: true };
      }
    }
    if (wasScoped && this.entityCount(state) > this.config.correlation.max_entities) {
      // Fleet-wide now: leave the entity index so it no longer pulls in alerts by entity.
      for (const key of this.incidentEntityKeys(state)) this.unindexEntity(key, id);
    }

    const phases = phasesOf(alert);
    for (const phase of phases) state.phases.add(phase);
    for (const tactic of alert.attack.tactics) state.tactics.add(tactic);
    for (const technique of alert.attack.techniques) state.techniques.add(technique);
    state.rules.add(alert.rule.id);
    state.sources.add(alert.source);
    const level = ALERT_LEVELS.indexOf(alert.rule.level);
    if (level > state.level.index) state.level = { index: level, rule: alert.rule.title };
    if (alert.indicator && (state.indicator === null || alert.indicator.confidence > state.indicator)) state.indicator = alert.indicator.confidence;

    // Phases its alerts show on each of its entities: progression is counted on one entity.
    if (phases.length > 0) {
      for (const [key, label] of this.entityLabels(alert)) {
        let seen = state.entityPhases.get(key);
        if (!seen) state.entityPhases.set(key, (seen = { label, phases: new Map() }));
        for (const phase of phases) {
          let rules = seen.phases.get(phase);
          if (!rules) seen.phases.set(phase, (rules = new Set()));
          rules.add(alert.rule.id);
        }
        if (seen.phases.size > 1) state.progressing.add(key);
      }
    }

    if (alert.change_verdict === 'expected-change') state.expected++;
    if (alert.related_changes?.length) this.relate(state, alert, at);

    if (announce) {
      this.noteJoin(state, alert, at);
      this.scheduleUpdate(state, at);
    }
    this.touchAlert(alert);
    this.rescore(state, at);
  }

  /**
   * A new occurrence may happen under different changes than the first (an approved window over,
   * an unrecorded change since): the alert's verdict follows its latest occurrence.
   */
  private reconsiderChange(alert: Alert, at: number, incident: IncidentState | undefined): void {
    const verdict = this.context.changeVerdict?.(alert, at);
    if (!verdict) return;
    const before = alert.related_changes?.[0];
    const after = verdict.related[0];
    if ((before ? changeKey(before) : null) === (after ? changeKey(after) : null) && alert.change_verdict === verdict.verdict) return;
    if (incident && alert.change_verdict === 'expected-change') incident.expected--;
    alert.change_verdict = verdict.verdict;
    alert.related_changes = verdict.related;
    if (!incident) return;
    if (verdict.verdict === 'expected-change') incident.expected++;
    if (verdict.related.length > 0) this.relate(incident, alert, at);
    this.rescore(incident, at);
  }

  /** Takes in the changes an alert relates to; a new most-likely change is said on the timeline. */
  private relate(state: IncidentState, alert: Alert, at: number): void {
    const before = state.incident.related_changes[0];
    let changed = false;
    for (const related of alert.related_changes ?? []) {
      const key = changeKey(related);
      const known = state.related.get(key);
      if (!known || known.score < related.score) {
        state.related.set(key, related);
        changed = true;
      }
    }
    // Most alerts of a change's incident name the same change: nothing to re-rank.
    if (!changed) return;
    const sorted = [...state.related.values()].sort(compareRelatedChanges);
    // Keep a short list: an incident of many alerts would otherwise sort hundreds of candidates per alert.
    if (sorted.length > 20) for (const dropped of sorted.slice(20)) state.related.delete(changeKey(dropped));
    state.incident.related_changes = sorted.slice(0, 5);
    const top = state.incident.related_changes[0]!;
    if (alert.source !== CHANGE_SOURCE) this.byChange.set(changeKey(top), state.incident.id);
    if (!before || changeKey(before) !== changeKey(top)) {
      this.entry(state, 'related_change', `likely caused by ${describeCause(top)}`, at, { change_id: top.id, verdict: top.verdict, score: top.score });
    }
  }

  private countFiring(state: IncidentState, alert: Alert, delta: 1 | -1): void {
    if (alert.status !== 'firing' || alert.suppressed_by) return;
    state.firing += delta;
    if (isOutage(alert)) state.outages += delta;
  }

  private addService(state: IncidentState, name: string): void {
    if (state.services.has(name)) return;
    state.services.add(name);
    let ids = this.byService.get(name);
    if (!ids) this.byService.set(name, (ids = new Set()));
    ids.add(state.incident.id);
    const service = this.context.inventory().service(name);
    if (service && (!state.service || service.tier < state.service.tier)) state.service = { name: service.name, tier: service.tier };
  }

  private rescore(state: IncidentState, at: number): void {
    const incident = state.incident;
    let killChain: ScoreFacts['killChain'] = null;
    state.scoredAt = at;
    const rarity = new Map<string, number>();
    const rarityOf = (rule: string) => {
      let value = rarity.get(rule);
      if (value === undefined) rarity.set(rule, (value = rarityValue(this.frequency.count(rule, at))));
      return value;
    };
    for (const key of state.progressing) {
      const seen = state.entityPhases.get(key)!;
      // A user or address found widespread since it joined no longer tells one entity's story.
      if (this.widespread(key)) continue;
      // Each phase counts as much as its rarest rule is rare: noisy rules meeting on a host by
      // chance do not make a progression; rules that seldom fire do.
      let weight = 0;
      for (const rules of seen.phases.values()) weight += Math.max(...[...rules].map(rarityOf));
      if (!killChain || weight > killChain.weight) {
        killChain = { entity: seen.label, phases: KILL_CHAIN_PHASES.filter((p) => seen.phases.has(p)), weight: Math.round(weight * 100) / 100 };
      }
    }
    if (!killChain && state.phases.size > 0) {
      // One phase per entity is no progression (worth nothing); name one for the explanation.
      const [, seen] = state.entityPhases.entries().next().value ?? [];
      if (seen) killChain = { entity: seen.label, phases: KILL_CHAIN_PHASES.filter((p) => seen.phases.has(p)), weight: 1 };
    }
    const rarest = this.rarestRule(state, at);
    const explanation = scoreIncident(
      {
        level: { level: ALERT_LEVELS[Math.max(0, state.level.index)] as AlertLevel, rule: state.level.rule },
        asset: state.asset.known ? state.asset : { name: '', criticality: this.config.score.default_criticality, known: false },
        service: state.service,
        killChain,
        indicatorConfidence: state.indicator,
        rarity: { rule: rarest.rule, count: Number.isFinite(rarest.count) ? rarest.count : 1, window: formatDuration(this.windows.rarity) },
      },
      this.weights,
      this.thresholds,
    );
    const cap = this.context.expectedChangePriority;
    const cause = incident.related_changes[0];
    if (cap && cause && state.expected > 0 && state.expected === state.alerts.size) {
      // Every alert is what an approved change was expected to cause: the implementer's, not a page.
      if (!incident.assignee && cause.implementer) incident.assignee = cause.implementer;
      if (priorityRank(explanation.priority) < priorityRank(cap)) {
        // scoreIncident's summary starts "<priority> (score <score>): ".
        const reasons = explanation.summary.slice(`${explanation.priority} (score ${explanation.score}): `.length);
        explanation.priority = cap;
        explanation.summary = `${cap} (score ${explanation.score}, capped): every alert is expected from ${cause.id}; ${reasons}`;
      }
    }
    const before = incident.priority;
    incident.score = explanation.score;
    incident.score_explanation = explanation;
    if (incident.severity_source === 'alerts' && state.level.index >= 0) incident.severity = ALERT_LEVELS[state.level.index] as AlertLevel;
    if (explanation.priority !== before) {
      incident.priority = explanation.priority;
      incident.sla = this.context.sla(explanation.priority, incident.detected_at, incident.sla);
      if (incident.alert_count > 1) {
        this.entry(state, 'priority_changed', `priority ${before} → ${explanation.priority}: ${explanation.summary}`, at, { from: before, to: explanation.priority, score: explanation.score });
        // Escalation is news: do not wait for group_interval.
        if (priorityRank(explanation.priority) < priorityRank(before) && incident.grouping.last_notified_at !== null) this.setDue(state, at);
      }
    }
    if (incident.title_source === 'system') incident.title = this.titleOf(state);
    this.touch(state);
  }

  /**
   * The incident's least frequent rule. Counts only grow until an hour falls out of the window,
   * so while no rule joined, no hour fell out and the last minimum's own count stands, that rule
   * is still the minimum: found again without counting every rule of a many-rule incident per alert.
   */
  private rarestRule(state: IncidentState, at: number): { rule: string; count: number } {
    const known = state.rarest;
    const oldest = this.frequency.oldestHour(at);
    if (known && known.rules === state.rules.size && known.oldest === oldest) {
      const count = this.frequency.count(known.rule, at);
      if (count === known.count && this.frequency.drops === known.drops) return known;
    }
    let rarest = { rule: '', count: Number.POSITIVE_INFINITY };
    for (const rule of state.rules) {
      const count = this.frequency.count(rule, at);
      if (count < rarest.count) rarest = { rule, count };
    }
    state.rarest = { ...rarest, rules: state.rules.size, oldest, drops: this.frequency.drops };
    return rarest;
  }

  private titleOf(state: IncidentState): string {
    // An alert about a change already names it.
    if (state.primary.source === CHANGE_SOURCE) return state.primary.title;
    const cause = state.incident.related_changes[0];
    const title = this.baseTitle(state);
    return cause ? `${title} — likely caused by ${describeCause(cause)}` : title;
  }

  private baseTitle(state: IncidentState): string {
    const base = state.primary.title;
    const hosts = state.hosts.size;
    if (state.rules.size > 1) {
      const users = [...state.users].filter((u) => !this.ignored.has(u.toLowerCase()));
      const where = hosts === 1 ? [...state.hosts][0] : users.length === 1 ? users[0] : hosts > 1 ? `${hosts} hosts` : `${state.ips.size} addresses`;
      const phases = KILL_CHAIN_PHASES.filter((p) => state.phases.has(p));
      return `${state.rules.size} detections on ${where}${phases.length > 1 ? ` across ${phases.length} kill-chain phases` : ''}: ${base} and more`;
    }
    if (hosts > 1) return `${base} on ${hosts} hosts`;
    if (hosts === 1) return `${base} on ${[...state.hosts][0]}`;
    return base;
  }

  // ---- flapping and notifications --------------------------------------------------------------

  private toggle(state: AlertState, at: number, incident: IncidentState | undefined): void {
    state.toggles.push(at);
    while (state.toggles.length > 0 && state.toggles[0]! < at - this.windows.flap) state.toggles.shift();
    const flapping = state.toggles.length >= this.config.flapping.threshold;
    if (flapping === (state.alert.flapping ?? false)) return;
    state.alert.flapping = flapping;
    if (!incident) return;
    const flappingNow = [...incident.alerts.values()].some((a) => a.alert.flapping);
    if (flappingNow !== incident.incident.flapping) {
      incident.incident.flapping = flappingNow;
      this.entry(
        incident,
        'flapping',
        flappingNow
          ? `alert ${state.alert.rule.title} is flapping (${state.toggles.length} changes within ${formatDuration(this.windows.flap)}); notifications held`
          : `alert ${state.alert.rule.title} stopped flapping; notifications resume`,
        at,
        { alert_id: state.alert.id },
      );
    }
  }

  /** Something changed after the first notification: the next update goes out after group_interval. */
  private scheduleUpdate(state: IncidentState, at: number): void {
    const grouping = state.incident.grouping;
    if (grouping.last_notified_at === null) return; // still inside group_wait
    const next = Math.max(at, grouping.last_notified_at + grouping.group_interval_ms);
    if (grouping.notify_due_at === null || next < grouping.notify_due_at) this.setDue(state, next);
  }

  private setDue(state: IncidentState, at: number): void {
    state.incident.grouping.notify_due_at = at;
    this.due.push(at, state.incident.id);
    this.touch(state);
  }

  /** Sends every notification due at or before `upTo` (event time), in due order. */
  private flush(upTo: number): void {
    for (let top = this.due.peek(); top && top.due <= upTo; top = this.due.peek()) {
      this.due.pop();
      const state = this.incidents.get(top.key);
      if (!state || state.incident.grouping.notify_due_at !== top.due) continue; // superseded
      this.notify(state, top.due, upTo);
    }
  }

  /**
   * Sends the notification due at `at`; `upTo` is how far event time has reached. Timers restart
   * from there, so a jump in time (an old alert, then the live clock) sends one reminder, not one
   * per missed repeat_interval.
   */
  private notify(state: IncidentState, at: number, upTo: number): void {
    const incident = state.incident;
    const grouping = incident.grouping;
    grouping.notify_due_at = null;
    this.touch(state);
    const firing = state.firing;
    if (incident.flapping) {
      this.count(at, state.primary, 'dropped', 'flapping', 1);
      this.setDue(state, Math.max(at, upTo) + grouping.group_interval_ms);
      return;
    }
    const { reason, hash } = notificationReason(incident, KILL_CHAIN_PHASES.filter((p) => state.phases.has(p)), firing, at);
    if (reason) {
      const record: NotificationRecord = {
        id: newId(),
        incident_id: incident.id,
        reason,
        due_at: new Date(at).toISOString(),
        created_at: this.context.now().toISOString(),
        priority: incident.priority,
        alert_count: incident.alert_count,
        route: grouping.route,
      };
      this.out.notifications.push(record);
      this.count(at, state.primary, 'notified', '', 1);
      this.entry(state, 'notification', `notification (${reason}) for ${incident.priority}, ${incident.alert_count} alert${incident.alert_count === 1 ? '' : 's'}`, at, { notification_id: record.id, reason });
      grouping.last_notified_at = at;
      grouping.notified_alerts = incident.alert_count;
      grouping.notified_hash = hash;
    }
    // Unacknowledged and still firing: remind after repeat_interval.
    if (firing > 0 && incident.status === 'new' && grouping.last_notified_at !== null) {
      const next = grouping.last_notified_at + grouping.repeat_interval_ms;
      this.setDue(state, next > upTo ? next : upTo + grouping.repeat_interval_ms);
    }
  }

  // ---- merge and split -----------------------------------------------------------------------

  /**
   * Moves every alert of `source` into `target`; `source` is closed as merged. Alerts are passed
   * in (from the store) because evicted ones are not in memory.
   */
  merge(target: { incident: Incident; alerts: Alert[] }, source: { incident: Incident; alerts: Alert[] }, actor: string): TriageOutput {
    const now = this.context.now();
    const existingTarget = this.incidents.get(target.incident.id);
    const existingSource = this.incidents.get(source.incident.id);
    if (existingTarget) this.forget(existingTarget);
    if (existingSource) this.forget(existingSource);
    const baseTarget = existingTarget ? existingTarget.incident : target.incident;
    const allAlerts = [...target.alerts, ...source.alerts];
    const rebuilt = this.rebuild(baseTarget, allAlerts);
    const closedSource: Incident = {
      ...(existingSource ? existingSource.incident : source.incident),
      status: 'closed',
      merged_into: target.incident.id,
      closed_at: now.toISOString(),
      updated_at: now.toISOString(),
      alert_count: 0,
      grouping: { ...source.incident.grouping, notify_due_at: null },
    };
    if (source.incident.grouping.key) this.groups.set(source.incident.grouping.key, rebuilt.incident.id);
    this.out.incidents.push(closedSource);
    this.timelineEntry(closedSource.id, 'merged', actor, `merged into ${rebuilt.incident.id} by ${actor}`, { into: rebuilt.incident.id });
    this.timelineEntry(rebuilt.incident.id, 'merged', actor, `${source.incident.id} merged in by ${actor} (${source.alerts.length} alerts)`, { from: source.incident.id });
    return this.takeOutput();
  }

  /** Moves the given alerts out of an incident into a new one. */
  split(from: { incident: Incident; alerts: Alert[] }, alertIds: string[], actor: string): TriageOutput {
    const moving = new Set(alertIds);
    const stay = from.alerts.filter((a) => !moving.has(a.id));
    const go = from.alerts.filter((a) => moving.has(a.id));
    const existing = this.incidents.get(from.incident.id);
    if (existing) this.forget(existing);
    const base = existing ? existing.incident : from.incident;
    const kept = this.rebuild(base, stay);
    const now = this.context.now().toISOString();
    const first = go[0]!;
    const fresh: Incident = {
      ...base,
      id: `INC-${this.nextSeq++}`,
      status: 'new',
      assignee: null,
      severity_source: 'alerts',
      title_source: 'system',
      alert_count: 0,
      occurrence_count: 0,
      first_seen: first.first_seen,
      last_seen: first.last_seen,
      detected_at: now,
      acknowledged_at: null,
      contained_at: null,
      resolved_at: null,
      closed_at: null,
      tasks: [],
      observables: [],
      merged_into: null,
      grouping: { ...base.grouping, key: null, notify_due_at: null, last_notified_at: null, notified_alerts: 0, notified_hash: null },
      created_at: now,
      updated_at: now,
    };
    const created = this.rebuild(fresh, go);
    created.incident.sla = this.context.sla(created.incident.priority, created.incident.detected_at, null);
    this.setDue(created, this.watermark + created.incident.grouping.group_wait_ms);
    this.timelineEntry(kept.incident.id, 'split', actor, `${go.length} alert${go.length === 1 ? '' : 's'} split out into ${created.incident.id} by ${actor}`, { into: created.incident.id, alert_ids: alertIds });
    this.timelineEntry(created.incident.id, 'split', actor, `split from ${kept.incident.id} by ${actor}`, { from: kept.incident.id, alert_ids: alertIds });
    return this.takeOutput();
  }

  /** An incident's facts recomputed from its alerts. */
  private rebuild(incident: Incident, alerts: Alert[]): IncidentState {
    const reset: Incident = {
      ...incident,
      alert_count: 0,
      occurrence_count: 0,
      first_seen: alerts.reduce((min, a) => (!a.retro_hunt && a.first_seen < min ? a.first_seen : min), (alerts.find((a) => !a.retro_hunt) ?? alerts[0])?.first_seen ?? incident.first_seen),
      first_evidence_at: alerts.reduce((min, a) => (a.first_seen < min ? a.first_seen : min), alerts[0]?.first_seen ?? incident.first_seen),
      last_seen: alerts.reduce((max, a) => (a.last_seen > max ? a.last_seen : max), alerts[0]?.last_seen ?? incident.last_seen),
      flapping: false,
    };
    const state = this.newState(reset, alerts[0]);
    this.incidents.set(reset.id, state);
    if (reset.grouping.key) this.groups.set(reset.grouping.key, reset.id);
    for (const alert of alerts) {
      const alertState = { alert: { ...alert, incident_id: reset.id }, toggles: [] };
      this.remember(alertState);
      this.attach(state, alertState, false);
    }
    if (alerts.length === 0) this.touch(state);
    return state;
  }

  // ---- output --------------------------------------------------------------------------------

  private entry(state: IncidentState, kind: TimelineKind, text: string, at: number, data?: Record<string, unknown>): void {
    this.out.timeline.push({ incident_id: state.incident.id, at: this.context.now().toISOString(), event_time: new Date(at).toISOString(), kind, actor: 'system', text, ...(data ? { data } : {}) });
  }

  private noteJoin(state: IncidentState, alert: Alert, at: number): void {
    const joined = this.joins.get(state);
    if (joined) {
      joined.alerts.push(alert);
      joined.at = Math.max(joined.at, at);
    } else this.joins.set(state, { at, alerts: [alert] });
  }

  /** The joins of this call as timeline entries: "alert joined: X on h" or "N alerts joined: X ×3 (h1, h2, ...), Y". */
  private writeJoins(): void {
    for (const [state, { at, alerts }] of this.joins) {
      if (this.incidents.get(state.incident.id) !== state) continue;
      const first = alerts[0]!;
      if (alerts.length === 1) {
        this.entry(state, 'alert_joined', `alert joined: ${first.rule.title}${first.entities.hosts[0] ? ` on ${first.entities.hosts[0]}` : ''}`, at, { alert_id: first.id, rule_id: first.rule.id });
        continue;
      }
      const byRule = new Map<string, Alert[]>();
      for (const alert of alerts) {
        const list = byRule.get(alert.rule.title);
        if (list) list.push(alert);
        else byRule.set(alert.rule.title, [alert]);
      }
      const parts = [...byRule].map(([title, list]) => {
        const hosts = [...new Set(list.flatMap((a) => a.entities.hosts))];
        const where = hosts.length === 0 ? '' : ` (${hosts.slice(0, 3).join(', ')}${hosts.length > 3 ? `, +${hosts.length - 3}` : ''})`;
        return `${title}${list.length > 1 ? ` ×${list.length}` : ''}${where}`;
      });
      this.entry(state, 'alert_joined', `${alerts.length} alerts joined: ${parts.join('; ')}`, at, { alert_ids: alerts.slice(0, 100).map((a) => a.id), count: alerts.length });
    }
    this.joins.clear();
  }

  private timelineEntry(incidentId: string, kind: TimelineKind, actor: string, text: string, data?: Record<string, unknown>): void {
    this.out.timeline.push({ incident_id: incidentId, at: this.context.now().toISOString(), kind, actor, text, ...(data ? { data } : {}) });
  }

  private count(at: number, who: Who, stage: LedgerStage, reason: LedgerReason | '', count: number): void {
    const hour = Math.floor(at / HOUR) * HOUR;
    const key = `${hour}\u0000${who.rule}\u0000${who.source}\u0000${who.service}\u0000${stage}\u0000${reason}`;
    const delta = this.ledger.get(key);
    if (delta) delta.count += count;
    else this.ledger.set(key, { hour, rule_id: who.rule, source: who.source, service: who.service, stage, reason, count });
  }

  private touchAlert(alert: Alert): void {
    this.dirtyAlerts.set(alert.id, alert);
  }

  private touch(state: IncidentState): void {
    this.dirtyIncidents.add(state);
  }

  private snapshot(state: IncidentState): Incident {
    const incident = state.incident;
    return {
      ...incident,
      entities: { hosts: [...state.hosts], users: [...state.users], ips: [...state.ips] },
      services: [...state.services],
      kill_chain: KILL_CHAIN_PHASES.filter((p) => state.phases.has(p)),
      tactics: [...state.tactics],
      techniques: [...state.techniques],
      rules: [...state.rules],
      sources: [...state.sources],
      score_explanation: incident.score_explanation,
      grouping: { ...incident.grouping },
      updated_at: this.context.now().toISOString(),
    };
  }

  private takeOutput(): TriageOutput {
    this.writeJoins();
    const out = this.out;
    out.alerts = [...this.dirtyAlerts.values()].map((a) => ({ ...a }));
    out.incidents.push(...[...this.dirtyIncidents].filter((s) => this.incidents.get(s.incident.id) === s).map((s) => this.snapshot(s)));
    out.ledger = [...this.ledger.values()];
    this.dirtyAlerts.clear();
    this.dirtyIncidents.clear();
    this.ledger.clear();
    this.out = TriageEngine.emptyOutput();
    return out;
  }

  /** Lets go of alerts nothing can repeat into any more, so memory stays bounded on long runs. */
  private gc(): void {
    this.sinceGc = 0;
    const horizon = this.watermark - Math.max(this.windows.correlation, this.windows.flap, 24 * HOUR);
    for (const [fingerprint, state] of this.alertsByFingerprint) {
      const alert = state.alert;
      const orphan = alert.incident_id !== null && alert.incident_id !== undefined && !this.incidents.has(alert.incident_id);
      const stale = !alert.incident_id && Date.parse(alert.last_seen) < horizon;
      if (orphan || stale) {
        this.alertsByFingerprint.delete(fingerprint);
        this.inhibitor.forget(alert.id);
      }
    }
    this.inhibitor.prune(horizon);
  }
}


/** "CHG-12 (Open RDP on the edge firewall)" or "an unrecorded firewall change on fw-edge-1 at ...". */
function describeCause(related: RelatedChange): string {
  if (related.id && related.verdict === 'expected-change') return `${related.id} (${related.title})`;
  if (related.id) return `${related.id} (${related.title}), done outside its window`;
  return `an ${related.reason.replace(/^unrecorded/, 'unrecorded')}`;
}

function formatGroup(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? parts.join(', ') : 'all';
}
