import {
  badRequest,
  CHANGE_STATUSES,
  VigilError,
  type Alert,
  type Change,
  type ChangeConflict,
  type ChangeVerdict,
  type FreezePolicy,
  type Incident,
  type IncomingAlert,
  type ObservedChange,
  type PolicyFinding,
} from '../core/index.ts';
import type { VigilConfig } from '../config/index.ts';
import {
  approve,
  cancel,
  changesCalendar,
  complete,
  evaluatePolicies,
  fail,
  findConflicts,
  forbiddenIntervals,
  request as requestChange,
  rollback,
  start,
  validateChangeInput,
  validateChangePatch,
  validatePolicy,
  alertsOfObservedChange,
  ChangeIndex,
  type ChangeTimelineEntry,
  type ObservedChangeInput,
} from '../changes/index.ts';
import { parseDuration, sha256Hex } from '../lib/index.ts';
import type { Page, Store } from '../store/index.ts';
import type { InventoryIndex } from '../triage/index.ts';
import type { AuditTrail } from './audit.ts';
import { timeParam } from './search-params.ts';
import { InventoryCache } from './inventory-cache.ts';

const ENDED = new Set(['completed', 'failed', 'rolled_back', 'cancelled']);
const MAX_CALENDAR_MS = 62 * 86_400_000;

export type ChangeAction = 'request' | 'approve' | 'start' | 'complete' | 'fail' | 'rollback' | 'cancel';

/** Each action's lifecycle step (pure: the change after it, and its timeline entries). */
const STEPS: Record<ChangeAction, (change: Change, actor: string, now: Date, note?: string) => { change: Change; timeline: ChangeTimelineEntry[] }> = {
  request: requestChange,
  approve,
  start,
  complete,
  fail,
  rollback,
  cancel,
};

/** A freeze window as the calendar shows it. */
export interface FreezeWindow {
  policy: string;
  action: string;
  start: string;
  end: string;
}

/**
 * Change records and freeze policies: requests checked against the policies (422 names the
 * policy and the overlap), approvals by named people, conflicts flagged on both changes, the
 * calendar. Every change through the API is an audit record.
 */
export class ChangeService {
  /** Every change that can explain alerts, and recent observed changes, for verdicts at ingest speed. */
  readonly index: ChangeIndex;
  private readonly lookbackMs = 4 * 3_600_000;

  constructor(
    private readonly store: Store,
    private readonly config: VigilConfig,
    private readonly audit: AuditTrail,
    private readonly clock: () => Date = () => new Date(),
    private readonly inventory: InventoryCache = new InventoryCache(store),
  ) {
    this.index = new ChangeIndex(() => this.inventory.current(), { marginMs: parseDuration(config.changes.verdict_margin), lookbackMs: this.lookbackMs });
  }

  /** Loads the index: the changes that can explain alerts, and the observed changes of the last hours. */
  async start(): Promise<void> {
    this.configPolicies();
    await this.inventory.fresh();
    for (let page = await this.store.searchChanges({ statuses: ['approved', 'in_progress', 'completed', 'failed', 'rolled_back'], limit: 1000 }); ; ) {
      for (const change of page.items) this.index.upsert(change);
      if (!page.next_cursor) break;
      page = await this.store.searchChanges({ statuses: ['approved', 'in_progress', 'completed', 'failed', 'rolled_back'], limit: 1000, after: Number(page.next_cursor) });
    }
    const since = this.clock().getTime() - this.lookbackMs;
    for (let page = await this.store.searchChangeEvents({ from: since, limit: 1000 }); ; ) {
      for (const observed of page.items) this.index.observe(observed);
      if (!page.next_cursor) break;
      page = await this.store.searchChangeEvents({ from: since, limit: 1000, after: Number(page.next_cursor) });
    }
  }

  /** Triage's question for every alert (synchronous: the index is in memory). */
  verdict(alert: Alert, atMs: number): ChangeVerdict {
    return this.index.verdict(alert, atMs);
  }

  /** The policies of vigil.yaml, checked (a bad one stops `vigil serve`, naming it). */
  configPolicies(): FreezePolicy[] {
    return this.config.changes.policies.map((raw, i) => ({ ...validatePolicy(raw, `changes.policies[${i}]`), origin: 'config' as const }));
  }

  async policies(): Promise<FreezePolicy[]> {
    const fromConfig = this.configPolicies();
    const names = new Set(fromConfig.map((p) => p.name));
    return [...fromConfig, ...(await this.store.listPolicies()).filter((p) => !names.has(p.name))];
  }

  private lookup(index: InventoryIndex) {
    return {
      assetTags: (name: string) => index.asset(name)?.tags ?? [],
      assetServices: (name: string) => index.asset(name)?.services ?? [],
      serviceTier: (name: string) => index.service(name)?.tier ?? null,
    };
  }

  /** Policy findings and conflicts for a change as it now stands. */
  private async assess(change: Change): Promise<{ findings: PolicyFinding[]; blocking: PolicyFinding | null; approvalsRequired: number; conflicts: ChangeConflict[]; others: Change[] }> {
    const index = await this.inventory.fresh();
    const verdict = evaluatePolicies(await this.policies(), change, this.lookup(index));
    const overlapping = await this.store.searchChanges({ from: Date.parse(change.window.start), to: Date.parse(change.window.end), statuses: [], limit: 10_000 });
    const others = overlapping.items.filter((c) => c.id !== change.id && !ENDED.has(c.status));
    const conflicts = findConflicts(change, others, (s) => index.dependencies(s), (a) => index.asset(a)?.services ?? []);
    return { ...verdict, conflicts, others };
  }

  private refuse(blocking: PolicyFinding): never {
    throw new VigilError('freeze_policy', blocking.message, 422, 'window', { policy: blocking.policy, action: blocking.action, overlap: blocking.overlap });
  }

  /** Flags the conflict on the other changes too, so both sides show it. */
  private mirrored(change: Change, conflicts: ChangeConflict[], others: Change[]): Change[] {
    const updated: Change[] = [];
    for (const other of others) {
      const mine = conflicts.find((c) => c.change_id === other.id);
      const kept = other.conflicts.filter((c) => c.change_id !== change.id);
      const next = mine ? [...kept, { ...mine, change_id: change.id }] : kept;
      if (next.length !== other.conflicts.length || mine) updated.push({ ...other, conflicts: next, updated_at: this.clock().toISOString() });
    }
    return updated;
  }

  async create(body: unknown, actor: string): Promise<Change> {
    const now = this.clock();
    const { draft, ...input } = validateChangeInput(body, now, actor);
    const draftChange: Change = {
      ...input,
      id: 'CHG-0',
      status: draft ? 'draft' : 'requested',
      approvals: [],
      approvals_required: 1,
      warnings: [],
      conflicts: [],
      started_at: null,
      ended_at: null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
    const assessment = await this.assess(draftChange);
    if (!draft && assessment.blocking) this.refuse(assessment.blocking);
    const { id: _placeholder, ...fields } = { ...draftChange, warnings: assessment.findings, approvals_required: assessment.approvalsRequired, conflicts: assessment.conflicts };
    const timeline: Array<Omit<ChangeTimelineEntry, 'change_id'>> = [{ at: now.toISOString(), kind: 'created', actor, text: `${draft ? 'drafted' : 'requested'} by ${actor}` }];
    for (const finding of assessment.findings) timeline.push({ at: now.toISOString(), kind: 'policy', actor: 'system', text: finding.message, data: { policy: finding.policy, action: finding.action } });
    const created = await this.store.createChange(fields, timeline);
    this.index.upsert(created);
    const others = this.mirrored(created, created.conflicts, assessment.others);
    if (others.length > 0) await this.store.saveChanges(others, []);
    await this.audit.record({ actor, action: 'change.create', object_type: 'change', object_id: created.id, before: null, after: created });
    return created;
  }

  async get(id: string): Promise<(Change & { timeline: Array<Record<string, unknown>> }) | null> {
    const change = await this.store.getChange(id);
    return change ? { ...change, timeline: await this.store.changeTimeline(id) } : null;
  }

  /**
   * A change's verdicts: the incidents and alerts it explains (alerts from its window, widened by
   * the margin and the lookback of unrecorded changes) and the observed changes matched to it.
   */
  async explains(id: string): Promise<{ incidents: Incident[]; alerts: Alert[]; observed: ObservedChange[] }> {
    const change = await this.mustGet(id);
    const margin = parseDuration(this.config.changes.verdict_margin);
    const from = Date.parse(change.window.start) - margin;
    const to = Date.parse(change.window.end) + margin + this.lookbackMs;
    const related = await this.store.relatedToChange(id, from, to, 200);
    const observed = await this.store.searchChangeEvents({ matched: id, limit: 200 });
    return { ...related, observed: observed.items };
  }

  private async mustGet(id: string): Promise<Change> {
    const change = await this.store.getChange(id);
    if (!change) throw new VigilError('not_found', `change '${id}' not found`, 404, 'id');
    return change;
  }

  list(params: { from?: string; to?: string; status?: string; limit?: number; cursor?: string }): Promise<Page<Change>> {
    const statuses = params.status ? params.status.split(',').map((s) => s.trim()) : [];
    for (const status of statuses) if (!(CHANGE_STATUSES as readonly string[]).includes(status)) throw badRequest(`status: '${status}' is not one of ${CHANGE_STATUSES.join(', ')}`, 'status');
    const now = this.clock();
    return this.store.searchChanges({ from: timeParam(params.from, 'from', now), to: timeParam(params.to, 'to', now), statuses, limit: params.limit ?? 100, after: params.cursor ? Number(params.cursor) : undefined });
  }

  async update(id: string, body: unknown, actor: string): Promise<Change> {
    const before = await this.mustGet(id);
    if (ENDED.has(before.status) || before.status === 'in_progress') throw new VigilError('invalid_state', `${id} is ${before.status}; only changes not yet started can be edited`, 409, 'status');
    const patch = validateChangePatch(body);
    const now = this.clock();
    let after: Change = { ...before, ...patch, updated_at: now.toISOString() };
    const assessment = await this.assess(after);
    if (after.status !== 'draft' && assessment.blocking) this.refuse(assessment.blocking);
    // A new window or scope needs its approvals again.
    const rescoped = JSON.stringify([before.window, before.assets, before.services, before.type]) !== JSON.stringify([after.window, after.assets, after.services, after.type]);
    if (rescoped && after.status === 'approved') after = { ...after, status: 'requested', approvals: [] };
    after = { ...after, warnings: assessment.findings, approvals_required: assessment.approvalsRequired, conflicts: assessment.conflicts };
    const others = this.mirrored(after, after.conflicts, assessment.others);
    this.index.upsert(after);
    const entry: ChangeTimelineEntry = { change_id: id, at: now.toISOString(), kind: 'updated', actor, text: `updated by ${actor}${rescoped && before.status === 'approved' ? '; approvals reset' : ''}` };
    await this.store.saveChanges([after, ...others], [entry]);
    await this.audit.record({ actor, action: 'change.update', object_type: 'change', object_id: id, before, after });
    return after;
  }

  /** request, approve, start, complete, fail, rollback, cancel: each a lifecycle step; forbidden ones answer 409. */
  async act(id: string, action: ChangeAction, actor: string, comment?: string): Promise<Change> {
    const before = await this.mustGet(id);
    const now = this.clock();
    let subject = before;
    if (action === 'request' || action === 'approve') {
      // Refused on request or approval when the window breaks a policy.
      const assessment = await this.assess(before);
      if (assessment.blocking) this.refuse(assessment.blocking);
      subject = { ...before, warnings: assessment.findings, approvals_required: assessment.approvalsRequired };
    }
    const result = STEPS[action](subject, actor, now, comment);
    // A change that is over no longer conflicts with anything: clear it from the others.
    const released = ENDED.has(result.change.status) && result.change.conflicts.length > 0 ? await this.release(result.change) : [];
    const ended = released.length > 0 ? { ...result.change, conflicts: [] } : result.change;
    await this.store.saveChanges([ended, ...released], result.timeline);
    this.index.upsert(ended);
    await this.audit.record({ actor, action: `change.${action}`, object_type: 'change', object_id: id, before, after: ended });
    return ended;
  }

  private async release(change: Change): Promise<Change[]> {
    const released: Change[] = [];
    for (const conflict of change.conflicts) {
      const other = await this.store.getChange(conflict.change_id);
      if (other) released.push({ ...other, conflicts: other.conflicts.filter((c) => c.change_id !== change.id), updated_at: this.clock().toISOString() });
    }
    return released;
  }

  // ---- observed changes ----------------------------------------------------------------------

  /**
   * Evidence that something changed: matched to a record by asset and time; with none, an
   * unauthorised-change alert; in a freeze, a policy-violation alert. The id is derived from the
   * evidence, so the same evidence twice (a retried delivery) is one observed change.
   */
  async observe(inputs: ObservedChangeInput[]): Promise<{ observed: ObservedChange[]; alerts: IncomingAlert[] }> {
    const index = await this.inventory.fresh();
    const policies = await this.policies();
    const now = this.clock().toISOString();
    const observed: ObservedChange[] = [];
    const alerts: IncomingAlert[] = [];
    for (const input of inputs) {
      const id = sha256Hex(JSON.stringify([input.source, input.type, input.asset, input.service, input.timestamp, input.summary, input.evidence])).slice(0, 26);
      const match = this.index.match(input);
      let violations: PolicyFinding[] = [];
      if (!match || !match.inWindow) {
        const at = Date.parse(input.timestamp);
        const pseudo = { type: input.type, assets: input.asset ? [input.asset] : [], services: input.service ? [input.service] : [], window: { start: input.timestamp, end: new Date(at + 1000).toISOString() }, emergency: false, approvals: [] };
        violations = evaluatePolicies(policies, pseudo, this.lookup(index)).findings.filter((f) => f.action !== 'warn');
      }
      const record: ObservedChange = {
        ...input,
        id,
        matched_change: match?.change.id ?? null,
        ...(match && !match.inWindow ? { outside_window: true } : {}),
        violations,
        received_at: now,
      };
      await this.store.putChangeEvent(record);
      this.index.observe(record);
      observed.push(record);
      alerts.push(...alertsOfObservedChange(record, match?.change ?? null));
    }
    return { observed, alerts };
  }

  listObserved(params: { from?: string; to?: string; asset?: string; limit?: number; cursor?: string }): Promise<Page<ObservedChange>> {
    const now = this.clock();
    return this.store.searchChangeEvents({ from: timeParam(params.from, 'from', now), to: timeParam(params.to, 'to', now), asset: params.asset, limit: params.limit ?? 100, after: params.cursor ? Number(params.cursor) : undefined });
  }

  /** The inventory name a deploy's environment or repository stands for (by asset or service aliases). */
  async resolveName(names: string[]): Promise<{ asset: string | null; service: string | null }> {
    const index = await this.inventory.fresh();
    for (const name of names) {
      const asset = index.asset(name);
      if (asset) return { asset: asset.name, service: null };
      const service = index.service(name);
      if (service) return { asset: null, service: service.name };
    }
    return { asset: names[0] ?? null, service: null };
  }

  // ---- policies ------------------------------------------------------------------------------

  async createPolicy(body: unknown, actor: string): Promise<FreezePolicy> {
    const policy = validatePolicy(body, 'policy');
    if (this.configPolicies().some((p) => p.name === policy.name)) {
      throw new VigilError('conflict', `policy '${policy.name}' is defined in vigil.yaml; change it there`, 409, 'name');
    }
    const now = this.clock().toISOString();
    const existing = (await this.store.listPolicies()).find((p) => p.name === policy.name) ?? null;
    const stored: FreezePolicy = { ...policy, origin: 'api', created_at: existing?.created_at ?? now, updated_at: now };
    await this.store.putPolicy(stored);
    await this.audit.record({ actor, action: existing ? 'change_policy.update' : 'change_policy.create', object_type: 'change_policy', object_id: policy.name, before: existing, after: stored });
    return stored;
  }

  async deletePolicy(name: string, actor: string): Promise<void> {
    if (this.configPolicies().some((p) => p.name === name)) throw new VigilError('conflict', `policy '${name}' is defined in vigil.yaml; remove it there`, 409, 'name');
    const existing = (await this.store.listPolicies()).find((p) => p.name === name);
    if (!existing || !(await this.store.deletePolicy(name))) throw new VigilError('not_found', `policy '${name}' not found`, 404, 'name');
    await this.audit.record({ actor, action: 'change_policy.delete', object_type: 'change_policy', object_id: name, before: existing, after: null });
  }

  // ---- calendar ------------------------------------------------------------------------------

  private range(params: { from?: string; to?: string }): { from: number; to: number } {
    const now = this.clock();
    const from = timeParam(params.from, 'from', now, now.getTime() - 7 * 86_400_000);
    const to = timeParam(params.to, 'to', now, from + 35 * 86_400_000);
    if (to <= from) throw badRequest('to: must be after from', 'to');
    if (to - from > MAX_CALENDAR_MS) throw badRequest('to: the calendar spans at most 62 days', 'to');
    return { from, to };
  }

  /** Changes, freeze windows and conflicts over a range (default: a week back, five ahead). */
  async calendar(params: { from?: string; to?: string }): Promise<{ from: string; to: string; changes: Change[]; freezes: FreezeWindow[]; conflicts: Array<ChangeConflict & { change: string }> }> {
    const { from, to } = this.range(params);
    const changes = (await this.store.searchChanges({ from, to, statuses: [], limit: 10_000 })).items;
    const freezes: FreezeWindow[] = [];
    for (const policy of await this.policies()) {
      for (const interval of forbiddenIntervals(policy, from, to)) {
        freezes.push({ policy: policy.name, action: policy.action, start: new Date(interval.start).toISOString(), end: new Date(interval.end).toISOString() });
      }
    }
    const conflicts = changes.flatMap((c) => c.conflicts.filter((x) => c.id < x.change_id || !changes.some((o) => o.id === x.change_id)).map((x) => ({ change: c.id, ...x })));
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), changes, freezes, conflicts };
  }

  async ics(params: { from?: string; to?: string }): Promise<string> {
    const view = await this.calendar(params);
    return changesCalendar({
      name: 'Vigil changes',
      changes: view.changes,
      freezes: view.freezes.map((f) => ({ policy: f.policy, action: f.action, start: new Date(f.start), end: new Date(f.end) })),
    });
  }
}
