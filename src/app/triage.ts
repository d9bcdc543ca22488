import {
  ALERT_LEVELS,
  badRequest,
  type Alert,
  type ChangeVerdict,
  INCIDENT_STATUSES,
  isOpenStatus,
  OPEN_STATUSES,
  VigilError,
  type AlertLevel,
  type IncomingAlert,
  type Incident,
  type NotificationRecord,
  type IncidentStatus,
  type Observable,
  type Priority,
  type Silence,
  type SlaState,
  type TimelineEntry,
} from '../core/index.ts';
import type { TriageConfig, VigilConfig } from '../config/index.ts';
import { assign, evaluateSla, repriceSla, setSeverity, slaFor, transition, type SlaTargets } from '../incidents/index.ts';
import { newId, parseDuration, type Logger } from '../lib/index.ts';
import type { Store } from '../store/index.ts';
import { TriageEngine, validateSilenceInput, silenceState, type TriageOutput } from '../triage/index.ts';
import type { AuditTrail } from './audit.ts';
import { InventoryCache } from './inventory-cache.ts';

const NOT_FOUND = (what: string, id: string) => new VigilError('not_found', `${what} '${id}' not found`, 404, 'id');

/** What one triage call did, as intake answers report it. */
export interface TriageSummary {
  alerts: number;
  incidents: string[];
  notifications: number;
}

export interface IncidentPatch {
  status?: IncidentStatus;
  assignee?: string | null;
  severity?: AlertLevel;
  title?: string;
  reason?: string;
}

/**
 * Triage and incidents as one service: the engine's state, the store and the audit trail move
 * together. Every change runs one at a time (engine, then commit); a failed commit reloads the
 * engine from the store, so memory never runs ahead of what is durable.
 */
const NO_WATCHLISTS = { of: () => [] };

export class TriageService {
  private engine: TriageEngine;
  private queue: Promise<unknown> = Promise.resolve();
  private intake: Array<{ alerts: IncomingAlert[]; checkpoint?: { name: string; position: number }; resolve: (summary: TriageSummary) => void; reject: (error: unknown) => void }> = [];
  private intakeScheduled = false;
  private timers: NodeJS.Timeout[] = [];
  private readonly triageConfig: TriageConfig;
  /** Whether event time may follow the wall clock now (no backlog being replayed). */
  isIdle: () => boolean = () => true;
  /** Told of every incident once its change is committed (the UI's live updates). */
  onIncidents?: (incidents: Incident[]) => void;
  /** The watchlists (threat intel); none until set. */
  watchlists: (() => { of(entities: Alert['entities']): Array<{ name: string; weight: number; entity: string }> }) | null = null;

  constructor(
    private readonly store: Store,
    config: VigilConfig,
    private readonly audit: AuditTrail,
    private readonly logger: Logger,
    private readonly clock: () => Date = () => new Date(),
    /** Change management's verdicts (issue 5); without it every alert is no-change. */
    private readonly changes?: { verdict(alert: Alert, atMs: number): ChangeVerdict; expectedPriority: Priority },
    private readonly inventory: InventoryCache = new InventoryCache(store),
  ) {
    this.triageConfig = config.triage as TriageConfig;
    this.engine = this.newEngine();
  }

  private newEngine(): TriageEngine {
    const targets = this.triageConfig.sla as SlaTargets;
    return new TriageEngine(this.triageConfig, {
      inventory: () => this.inventory.current(),
      sla: (priority: Priority, detectedAt: string, previous: SlaState | null): SlaState =>
        previous ? { ...slaFor(priority, targets, detectedAt), breached: previous.breached, breaches: previous.breaches } : slaFor(priority, targets, detectedAt),
      now: this.clock,
      watchlists: () => this.watchlists?.() ?? NO_WATCHLISTS,
      ...(this.changes ? { changeVerdict: (alert: Alert, atMs: number) => this.changes!.verdict(alert, atMs), expectedChangePriority: this.changes.expectedPriority } : {}),
    });
  }

  /** Loads the inventory and the open incidents; with `live`, event time follows the wall clock when idle and SLAs are checked. */
  async start(options: { live: boolean } = { live: false }): Promise<void> {
    await this.inventory.fresh();
    await this.reload();
    if (options.live) {
      const tick = setInterval(() => {
        if (this.isIdle()) void this.advance(this.clock().getTime()).catch((error) => this.logger.warn({ err: error }, 'triage tick failed'));
      }, 1000);
      const sla = setInterval(() => void this.checkSla().catch((error) => this.logger.warn({ err: error }, 'SLA check failed')), 30_000);
      tick.unref();
      sla.unref();
      this.timers.push(tick, sla);
    }
  }

  stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    return this.queue.then(
      () => undefined,
      () => undefined,
    );
  }

  openIncidents(): number {
    return this.engine.openIncidentCount();
  }

  private async reload(): Promise<void> {
    const now = this.clock().getTime();
    const snapshot = await this.store.triageSnapshot(now - 86_400_000, now - parseDuration(this.triageConfig.score.rarity_window));
    const engine = this.newEngine();
    engine.load(snapshot);
    this.engine = engine;
  }

  /** Runs `work` after everything before it, alone. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async commit(output: TriageOutput, checkpoint?: { name: string; position: number }): Promise<void> {
    try {
      await this.store.write({
        events: [],
        deadLetters: [],
        alerts: output.alerts,
        incidents: output.incidents,
        timeline: output.timeline,
        notifications: output.notifications,
        ledger: output.ledger,
        checkpoint,
      });
      this.announce(output.incidents);
    } catch (error) {
      this.logger.warn({ err: error }, 'triage commit failed; reloading triage state from the store');
      await this.reload().catch((reloadError) => this.logger.error({ err: reloadError }, 'triage reload failed'));
      throw error;
    }
  }

  private announce(incidents: Incident[]): void {
    if (incidents.length > 0 && this.onIncidents) {
      try {
        this.onIncidents(incidents);
      } catch (error) {
        this.logger.warn({ err: error }, 'incident listener failed');
      }
    }
  }

  // ---- intake --------------------------------------------------------------------------------

  /**
   * Triage alerts (from a detector or an integration); with a checkpoint, the detector's position
   * commits with them. Calls that arrive while a commit runs are triaged together and share the
   * next commit (group commit), so concurrent senders are not held to one fsync each.
   */
  ingest(alerts: IncomingAlert[], checkpoint?: { name: string; position: number }): Promise<TriageSummary> {
    return new Promise<TriageSummary>((resolve, reject) => {
      this.intake.push({ alerts, checkpoint, resolve, reject });
      if (!this.intakeScheduled) {
        this.intakeScheduled = true;
        void this.exclusive(() => this.drainIntake());
      }
    });
  }

  private async drainIntake(): Promise<void> {
    this.intakeScheduled = false;
    const requests = this.intake.splice(0);
    if (requests.length === 0) return;
    try {
      await this.inventory.fresh();
      const outputs = requests.map((request) => this.engine.process(request.alerts));
      const merged = mergeOutputs(outputs);
      const checkpoints = requests.map((r) => r.checkpoint).filter((c): c is { name: string; position: number } => Boolean(c));
      await this.commit(merged, checkpoints.length > 0 ? checkpoints.reduce((a, b) => (b.position > a.position ? b : a)) : undefined);
      for (const ack of merged.acknowledgements) {
        await this.changeIncident(ack.incident_id, `integration:${ack.by}`, (incident, actor, now) => transition(incident, 'acknowledged', actor, now, `acknowledged through ${ack.by}`)).catch(
          (error) => this.logger.info({ err: error, incident: ack.incident_id }, 'integration acknowledgement not applied'),
        );
      }
      requests.forEach((request, i) => {
        const output = outputs[i]!;
        request.resolve({
          alerts: request.alerts.length,
          incidents: [...new Set(output.alerts.map((a) => a.incident_id).filter((id): id is string => Boolean(id)))],
          notifications: output.notifications.length,
        });
      });
    } catch (error) {
      for (const request of requests) request.reject(error);
    }
  }

  /** Moves event time to `toMs` (when nothing is pending): notifications due by then go out. */
  advance(toMs: number): Promise<number> {
    return this.exclusive(async () => {
      if (toMs <= this.engine.clock) return 0;
      const output = this.engine.advance(toMs);
      if (output.incidents.length + output.notifications.length + output.ledger.length > 0) await this.commit(output);
      return output.notifications.length;
    });
  }

  // ---- incidents -----------------------------------------------------------------------------

  async getIncident(id: string): Promise<Incident | null> {
    return this.engine.getIncident(id) ?? (await this.store.getIncident(id));
  }

  private async mustGet(id: string): Promise<Incident> {
    const incident = await this.getIncident(id);
    if (!incident) throw NOT_FOUND('incident', id);
    return incident;
  }

  /** Applies a change made by a person (or an integration) and writes it with its timeline and audit record. */
  private async changeIncident(
    id: string,
    actor: string,
    change: (incident: Incident, actor: string, now: Date) => { incident: Incident; timeline: TimelineEntry[] },
    action = 'update',
  ): Promise<Incident> {
    const before = await this.mustGet(id);
    const now = this.clock();
    const result = change(before, actor, now);
    if (result.timeline.length === 0 && result.incident === before) return before;
    let after = result.incident;
    if (after.priority !== before.priority) after = { ...after, sla: repriceSla(after, this.triageConfig.sla as SlaTargets) };
    // A state change is news for the channels: it goes out like triage's own notifications.
    const notifications: NotificationRecord[] =
      after.status !== before.status
        ? [{ id: newId(), incident_id: id, reason: 'state_changed', due_at: now.toISOString(), created_at: now.toISOString(), priority: after.priority, alert_count: after.alert_count, route: after.grouping.route }]
        : [];
    await this.store.write({ events: [], deadLetters: [], incidents: [after], timeline: result.timeline, notifications });
    this.announce([after]);
    this.engine.updateIncident(after);
    await this.audit.record({ actor, action: `incident.${action}`, object_type: 'incident', object_id: id, before: auditView(before), after: auditView(after) });
    return after;
  }

  patchIncident(id: string, patch: IncidentPatch, actor: string): Promise<Incident> {
    return this.exclusive(async () => {
      if (patch.status !== undefined && !(INCIDENT_STATUSES as readonly string[]).includes(patch.status)) {
        throw badRequest(`status: expected one of ${INCIDENT_STATUSES.join(', ')}`, 'status');
      }
      if (patch.severity !== undefined && !ALERT_LEVELS.includes(patch.severity)) throw badRequest(`severity: expected one of ${ALERT_LEVELS.join(', ')}`, 'severity');
      return this.changeIncident(id, actor, (incident, who, now) => {
        let current = incident;
        const timeline: TimelineEntry[] = [];
        const apply = (result: { incident: Incident; timeline: TimelineEntry[] }) => {
          current = result.incident;
          timeline.push(...result.timeline);
        };
        if (patch.status !== undefined) apply(transition(current, patch.status, who, now, patch.reason));
        if (patch.assignee !== undefined && patch.assignee !== current.assignee) apply(assign(current, patch.assignee, who, now));
        if (patch.severity !== undefined && patch.severity !== current.severity) apply(setSeverity(current, patch.severity, who, now));
        if (patch.title !== undefined && patch.title !== current.title) {
          const title = patch.title.trim();
          if (!title) throw badRequest('title: must not be empty', 'title');
          timeline.push(entry(current.id, now, 'updated', who, `renamed to "${title}" by ${who}`, { from: current.title, to: title }));
          current = { ...current, title, title_source: 'analyst', updated_at: now.toISOString() };
        }
        return { incident: current, timeline };
      });
    });
  }

  addNote(id: string, text: string, actor: string): Promise<TimelineEntry> {
    return this.exclusive(async () => {
      if (!text.trim()) throw badRequest('text: must not be empty', 'text');
      let note: TimelineEntry | null = null;
      await this.changeIncident(
        id,
        actor,
        (incident, who, now) => {
          note = entry(incident.id, now, 'note', who, text);
          return { incident: { ...incident, updated_at: now.toISOString() }, timeline: [note] };
        },
        'note',
      );
      return note!;
    });
  }

  addTask(id: string, input: { title: string; assignee?: string | null }, actor: string): Promise<Incident> {
    return this.exclusive(() =>
      this.changeIncident(
        id,
        actor,
        (incident, who, now) => {
          const task = { id: newId(), title: input.title, status: 'open' as const, assignee: input.assignee ?? null, created_at: now.toISOString(), created_by: who, done_at: null };
          return {
            incident: { ...incident, tasks: [...incident.tasks, task], updated_at: now.toISOString() },
            timeline: [entry(incident.id, now, 'task', who, `task added: ${input.title}`, { task_id: task.id })],
          };
        },
        'task.add',
      ),
    );
  }

  updateTask(id: string, taskId: string, patch: { status?: 'open' | 'done'; assignee?: string | null; title?: string }, actor: string): Promise<Incident> {
    return this.exclusive(() =>
      this.changeIncident(
        id,
        actor,
        (incident, who, now) => {
          const task = incident.tasks.find((t) => t.id === taskId);
          if (!task) throw new VigilError('not_found', `task '${taskId}' not found on ${id}`, 404, 'task_id');
          const updated = {
            ...task,
            ...(patch.title !== undefined ? { title: patch.title } : {}),
            ...(patch.assignee !== undefined ? { assignee: patch.assignee } : {}),
            ...(patch.status !== undefined ? { status: patch.status, done_at: patch.status === 'done' ? now.toISOString() : null } : {}),
          };
          return {
            incident: { ...incident, tasks: incident.tasks.map((t) => (t.id === taskId ? updated : t)), updated_at: now.toISOString() },
            timeline: [entry(incident.id, now, 'task', who, `task ${updated.status === 'done' && task.status !== 'done' ? 'done' : 'updated'}: ${updated.title}`, { task_id: taskId })],
          };
        },
        'task.update',
      ),
    );
  }

  addObservable(id: string, input: Pick<Observable, 'type' | 'value'> & Partial<Pick<Observable, 'ioc' | 'tags'>>, actor: string): Promise<Incident> {
    return this.exclusive(() =>
      this.changeIncident(
        id,
        actor,
        (incident, who, now) => {
          if (incident.observables.some((o) => o.type === input.type && o.value === input.value)) {
            throw new VigilError('conflict', `observable ${input.type} '${input.value}' is already on ${id}`, 409, 'value');
          }
          const observable: Observable = { type: input.type, value: input.value, ioc: input.ioc ?? false, tags: input.tags ?? [], added_by: who, added_at: now.toISOString() };
          return {
            incident: { ...incident, observables: [...incident.observables, observable], updated_at: now.toISOString() },
            timeline: [entry(incident.id, now, 'observable', who, `observable added: ${input.type} ${input.value}${observable.ioc ? ' (IOC)' : ''}`)],
          };
        },
        'observable.add',
      ),
    );
  }

  /** Moves every alert of `sourceId` into `targetId`; the source is closed as merged. */
  merge(targetId: string, sourceId: string, actor: string): Promise<Incident> {
    return this.exclusive(async () => {
      if (targetId === sourceId) throw badRequest('source: cannot merge an incident into itself', 'source');
      const target = await this.mustGet(targetId);
      const source = await this.mustGet(sourceId);
      for (const [incident, field] of [[target, 'id'], [source, 'source']] as const) {
        if (!isOpenStatus(incident.status)) throw new VigilError('invalid_state', `${incident.id} is ${incident.status}; only open incidents can be merged`, 409, field);
      }
      const output = this.engine.merge(
        { incident: target, alerts: await this.store.incidentAlerts(targetId, 100_000) },
        { incident: source, alerts: await this.store.incidentAlerts(sourceId, 100_000) },
        actor,
      );
      await this.commit(output);
      const merged = (await this.getIncident(targetId))!;
      await this.audit.record({ actor, action: 'incident.merge', object_type: 'incident', object_id: targetId, before: { target: auditView(target), source: auditView(source) }, after: auditView(merged) });
      return merged;
    });
  }

  /** Moves the given alerts out of an incident into a new one; returns the new incident. */
  split(id: string, alertIds: string[], actor: string): Promise<Incident> {
    return this.exclusive(async () => {
      const incident = await this.mustGet(id);
      if (!isOpenStatus(incident.status)) throw new VigilError('invalid_state', `${id} is ${incident.status}; only open incidents can be split`, 409, 'id');
      const alerts = await this.store.incidentAlerts(id, 100_000);
      const known = new Set(alerts.map((a) => a.id));
      const unknown = alertIds.filter((a) => !known.has(a));
      if (alertIds.length === 0) throw badRequest('alert_ids: name at least one alert to split out', 'alert_ids');
      if (unknown.length > 0) throw badRequest(`alert_ids: not alerts of ${id}: ${unknown.slice(0, 5).join(', ')}`, 'alert_ids');
      if (alertIds.length >= alerts.length) throw badRequest(`alert_ids: splitting out every alert would leave ${id} empty`, 'alert_ids');
      const output = this.engine.split({ incident, alerts }, alertIds, actor);
      await this.commit(output);
      const created = output.incidents.find((i) => i.id !== id)!;
      await this.audit.record({ actor, action: 'incident.split', object_type: 'incident', object_id: id, before: auditView(incident), after: { split_into: created.id, alert_ids: alertIds } });
      return created;
    });
  }

  /** Flags incidents whose acknowledgement or resolution is late (wall clock). */
  checkSla(): Promise<number> {
    return this.exclusive(async () => {
      const now = this.clock();
      let breaches = 0;
      const page = await this.store.searchIncidents({ query: { type: 'all' }, statuses: [...OPEN_STATUSES], limit: 10_000, sort: '-score' });
      for (const stored of page.items) {
        const incident = this.engine.getIncident(stored.id) ?? stored;
        const { sla, newBreaches } = evaluateSla(incident, now);
        if (newBreaches.length === 0) continue;
        breaches += newBreaches.length;
        const updated = { ...incident, sla, updated_at: now.toISOString() };
        const timeline = newBreaches.map((kind) =>
          entry(incident.id, now, 'sla_breached', 'system', `SLA breached: not ${kind === 'ack' ? 'acknowledged' : 'resolved'} by ${kind === 'ack' ? sla.ack_due : sla.resolve_due} (${incident.priority})`, { breach: kind }),
        );
        await this.store.write({ events: [], deadLetters: [], incidents: [updated], timeline });
        this.announce([updated]);
        this.engine.updateIncident(updated);
      }
      return breaches;
    });
  }

  // ---- silences ------------------------------------------------------------------------------

  listSilences(): Promise<Array<Silence & { state: string }>> {
    return this.store.listSilences().then((silences) => silences.map((s) => ({ ...s, state: silenceState(s, this.clock().getTime()) })));
  }

  async getSilence(id: string): Promise<Silence & { state: string }> {
    const silence = await this.store.getSilence(id);
    if (!silence) throw NOT_FOUND('silence', id);
    return { ...silence, state: silenceState(silence, this.clock().getTime()) };
  }

  createSilence(body: unknown, actor: string): Promise<Silence & { state: string }> {
    return this.exclusive(async () => {
      const now = this.clock();
      const input = validateSilenceInput(body, now, actor);
      const silence: Silence = { ...input, id: newId(), created_at: now.toISOString(), updated_at: now.toISOString() };
      await this.store.putSilence(silence);
      this.engine.setSilences(await this.store.listSilences());
      await this.audit.record({ actor, action: 'silence.create', object_type: 'silence', object_id: silence.id, before: null, after: silence });
      return { ...silence, state: silenceState(silence, now.getTime()) };
    });
  }

  /** Ends a silence now (alerts from now on are no longer muted by it). */
  expireSilence(id: string, actor: string): Promise<Silence & { state: string }> {
    return this.exclusive(async () => {
      const before = await this.store.getSilence(id);
      if (!before) throw NOT_FOUND('silence', id);
      const now = this.clock().toISOString();
      if (silenceState(before, Date.parse(now)) === 'expired') throw new VigilError('invalid_state', `silence ${id} has already expired`, 409, 'id');
      const after: Silence = { ...before, expired_at: now, ends_at: before.ends_at < now ? before.ends_at : now, updated_at: now };
      await this.store.putSilence(after);
      this.engine.setSilences(await this.store.listSilences());
      await this.audit.record({ actor, action: 'silence.expire', object_type: 'silence', object_id: id, before, after });
      return { ...after, state: 'expired' };
    });
  }
}

/** Several calls' output as one commit: the latest version of each alert and incident, everything else in order. */
function mergeOutputs(outputs: TriageOutput[]): TriageOutput {
  if (outputs.length === 1) return outputs[0]!;
  const alerts = new Map<string, TriageOutput['alerts'][number]>();
  const incidents = new Map<string, TriageOutput['incidents'][number]>();
  const merged: TriageOutput = { alerts: [], incidents: [], timeline: [], notifications: [], ledger: [], acknowledgements: [] };
  for (const output of outputs) {
    for (const alert of output.alerts) alerts.set(alert.id, alert);
    for (const incident of output.incidents) incidents.set(incident.id, incident);
    merged.timeline.push(...output.timeline);
    merged.notifications.push(...output.notifications);
    merged.ledger.push(...output.ledger);
    merged.acknowledgements.push(...output.acknowledgements);
  }
  merged.alerts = [...alerts.values()];
  merged.incidents = [...incidents.values()];
  return merged;
}

function entry(incidentId: string, now: Date, kind: TimelineEntry['kind'], actor: string, text: string, data?: Record<string, unknown>): TimelineEntry {
  return { incident_id: incidentId, at: now.toISOString(), kind, actor, text, ...(data ? { data } : {}) };
}

/** The fields a person can change, for audit records (not the whole document with its scores). */
function auditView(incident: Incident): Record<string, unknown> {
  return {
    status: incident.status,
    assignee: incident.assignee,
    severity: incident.severity,
    title: incident.title,
    priority: incident.priority,
    tasks: incident.tasks.length,
    observables: incident.observables.length,
    merged_into: incident.merged_into,
  };
}
