import { type Change, type ChangeStatus, VigilError } from '../core/index.ts';

/** Where each state may go next. Completed, rolled back and cancelled are final; a failed change can still be rolled back. */
export const CHANGE_TRANSITIONS: Record<ChangeStatus, readonly ChangeStatus[]> = {
  draft: ['requested', 'cancelled'],
  requested: ['approved', 'cancelled'],
  approved: ['in_progress', 'cancelled'],
  in_progress: ['completed', 'failed', 'rolled_back'],
  completed: [],
  failed: ['rolled_back'],
  rolled_back: [],
  cancelled: [],
};

export type ChangeTimelineKind =
  | 'created'
  | 'requested'
  | 'approved'
  | 'approval'
  | 'started'
  | 'completed'
  | 'failed'
  | 'rolled_back'
  | 'cancelled'
  | 'updated'
  | 'policy';

export interface ChangeTimelineEntry {
  change_id: string;
  /** Wall-clock time of the entry (ISO). */
  at: string;
  kind: ChangeTimelineKind;
  /** 'system' or the person (token name) who did it. */
  actor: string;
  text: string;
  data?: Record<string, unknown>;
}

export interface ChangeLifecycleResult {
  change: Change;
  /** Entries to append. */
  timeline: ChangeTimelineEntry[];
}

export const canTransition = (from: ChangeStatus, to: ChangeStatus): boolean => (CHANGE_TRANSITIONS[from] ?? []).includes(to);

/** States from which a move to `to` is allowed (the "allowed from" of an error). */
const sourcesOf = (to: ChangeStatus): ChangeStatus[] =>
  (Object.keys(CHANGE_TRANSITIONS) as ChangeStatus[]).filter((from) => CHANGE_TRANSITIONS[from].includes(to));

function refuse(change: Change, verb: string, to: ChangeStatus): VigilError {
  const from = sourcesOf(to);
  return new VigilError(
    'invalid_transition',
    `cannot ${verb} ${change.id}: it is ${change.status}; allowed from: ${from.length ? from.join(', ') : 'none'}`,
    409,
    'status',
    { status: change.status, allowed_from: from },
  );
}

const withNote = (text: string, note?: string) => (note ? `${text}: ${note}` : text);

/** The common move: check, set the state and times, and say who did it. */
function move(change: Change, to: ChangeStatus, verb: string, actor: string, now: Date, text: string, note?: string): ChangeLifecycleResult {
  if (!canTransition(change.status, to)) throw refuse(change, verb, to);
  const at = now.toISOString();
  const next: Change = { ...change, status: to, updated_at: at };
  if (to === 'in_progress') next.started_at = at;
  // A rollback after a failure ends later than the failure: the change is over when the rollback is.
  if (to === 'completed' || to === 'failed' || to === 'rolled_back') next.ended_at = at;
  const from = change.status;
  const entry: ChangeTimelineEntry = {
    change_id: change.id,
    at,
    kind: to === 'in_progress' ? 'started' : (to as ChangeTimelineKind),
    actor,
    text: withNote(`${text} by ${actor} (was ${from})`, note),
    data: note ? { from, to, note } : { from, to },
  };
  return { change: next, timeline: [entry] };
}

/** A draft is submitted for approval. */
export const request = (change: Change, actor: string, now: Date, note?: string): ChangeLifecycleResult =>
  move(change, 'requested', 'request', actor, now, 'requested', note);

/**
 * Records one person's approval. Approvals count once per person and never from the implementer
 * (the point is a second pair of eyes); once enough distinct people approved, the change is approved.
 */
export function approve(change: Change, approver: string, now: Date, comment?: string): ChangeLifecycleResult {
  if (change.status !== 'requested') throw refuse(change, 'approve', 'approved');
  if (change.implementer !== null && approver === change.implementer) {
    throw new VigilError('self_approval', `${approver} implements ${change.id} and cannot approve it`, 409, 'approver');
  }
  if (change.approvals.some((a) => a.by === approver)) {
    throw new VigilError('duplicate_approval', `${approver} has already approved ${change.id}; approvals count once per person`, 409, 'approver');
  }
  const at = now.toISOString();
  const approvals = [...change.approvals, comment ? { by: approver, at, comment } : { by: approver, at }];
  const count = new Set(approvals.map((a) => a.by)).size;
  const required = change.approvals_required;
  const timeline: ChangeTimelineEntry[] = [
    {
      change_id: change.id,
      at,
      kind: 'approval',
      actor: approver,
      text: withNote(`approved by ${approver} (${count} of ${required})`, comment),
      data: comment ? { count, required, comment } : { count, required },
    },
  ];
  let next: Change = { ...change, approvals, updated_at: at };
  if (count >= required) {
    next = { ...next, status: 'approved' };
    timeline.push({
      change_id: change.id,
      at,
      kind: 'approved',
      actor: approver,
      text: `change approved: ${count} of ${required} approvals (${approvals.map((a) => a.by).join(', ')})`,
      data: { from: 'requested', to: 'approved', approvers: approvals.map((a) => a.by) },
    });
  }
  return { change: next, timeline };
}

/** Work begins: records when it actually started. */
export const start = (change: Change, actor: string, now: Date, note?: string): ChangeLifecycleResult =>
  move(change, 'in_progress', 'start', actor, now, 'started', note);

export const complete = (change: Change, actor: string, now: Date, note?: string): ChangeLifecycleResult =>
  move(change, 'completed', 'complete', actor, now, 'completed', note);

export const fail = (change: Change, actor: string, now: Date, note?: string): ChangeLifecycleResult =>
  move(change, 'failed', 'fail', actor, now, 'marked failed', note);

export const rollback = (change: Change, actor: string, now: Date, note?: string): ChangeLifecycleResult =>
  move(change, 'rolled_back', 'roll back', actor, now, 'rolled back', note);

export const cancel = (change: Change, actor: string, now: Date, note?: string): ChangeLifecycleResult =>
  move(change, 'cancelled', 'cancel', actor, now, 'cancelled', note);
