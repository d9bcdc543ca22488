import { ALERT_LEVELS, type AlertLevel, VigilError, badRequest, isOpenStatus, type Incident, type IncidentStatus, type TimelineEntry } from '../core/index.ts';

/** Where each state may go next. Nothing leads back to 'new'; 'closed' is final (reopen a resolved one before closing). */
export const TRANSITIONS: Record<IncidentStatus, readonly IncidentStatus[]> = {
  new: ['acknowledged', 'investigating', 'contained', 'resolved', 'false_positive'],
  acknowledged: ['investigating', 'contained', 'resolved', 'false_positive'],
  investigating: ['contained', 'resolved', 'false_positive'],
  contained: ['investigating', 'resolved'], // back to investigating: containment failed
  resolved: ['closed', 'investigating'], // investigating: reopened
  false_positive: ['closed', 'investigating'],
  closed: [],
};

export interface LifecycleResult {
  incident: Incident;
  /** Entries to append; empty when nothing changed. */
  timeline: TimelineEntry[];
}

const VERB: Record<IncidentStatus, string> = {
  new: 'reset to new',
  acknowledged: 'acknowledged',
  investigating: 'under investigation',
  contained: 'contained',
  resolved: 'resolved',
  closed: 'closed',
  false_positive: 'marked false positive',
};

export const isOpen = isOpenStatus;

export const canTransition = (from: IncidentStatus, to: IncidentStatus): boolean => (TRANSITIONS[from] ?? []).includes(to);

/** Moves an incident to another state. Pure: returns a new incident; a move to the current state is a no-op (so a repeated ack is harmless). */
export function transition(incident: Incident, to: IncidentStatus, actor: string, now: Date, reason?: string): LifecycleResult {
  const from = incident.status;
  if (from === to) return { incident, timeline: [] };
  if (!canTransition(from, to)) {
    const allowed = TRANSITIONS[from] ?? [];
    throw new VigilError(
      'invalid_transition',
      `cannot go from '${from}' to '${to}'; allowed: ${allowed.length ? allowed.map((s) => `'${s}'`).join(', ') : 'none'}`,
      409,
      'status',
    );
  }
  const at = now.toISOString();
  const reopened = to === 'investigating' && (from === 'resolved' || from === 'false_positive');
  const next: Incident = {
    ...incident,
    status: to,
    // No state leads into 'new', so every move is someone taking the incident up: it counts as the ack.
    acknowledged_at: incident.acknowledged_at ?? at,
    updated_at: at,
  };
  // Re-entering 'contained' after a failed containment records the containment that held.
  if (to === 'contained') next.contained_at = at;
  if (to === 'resolved' || to === 'false_positive') next.resolved_at = at;
  if (to === 'closed') next.closed_at = at;
  if (reopened) {
    next.resolved_at = null;
    next.closed_at = null;
  }
  const verb = reopened ? 'reopened' : VERB[to];
  const entry: TimelineEntry = {
    incident_id: incident.id,
    at,
    kind: 'state_changed',
    actor,
    text: `${verb} by ${actor} (was ${from})${reason ? `: ${reason}` : ''}`,
    data: reason ? { from, to, reason } : { from, to },
  };
  return { incident: next, timeline: [entry] };
}

/** Sets or clears the assignee. Does not move the state: assigning is not acknowledging. */
export function assign(incident: Incident, assignee: string | null, actor: string, now: Date): LifecycleResult {
  if (assignee !== null && assignee.trim() === '') throw badRequest('assignee must be a name, or null to unassign', 'assignee');
  const from = incident.assignee;
  if (from === assignee) return { incident, timeline: [] };
  const at = now.toISOString();
  const text = assignee === null ? `unassigned by ${actor} (was ${from})` : `assigned to ${assignee} by ${actor}${from ? ` (was ${from})` : ''}`;
  return {
    incident: { ...incident, assignee, updated_at: at },
    timeline: [{ incident_id: incident.id, at, kind: 'assigned', actor, text, data: { from, to: assignee } }],
  };
}

/** An analyst sets the severity; from then on it no longer follows the alerts' levels. */
export function setSeverity(incident: Incident, severity: AlertLevel, actor: string, now: Date): LifecycleResult {
  if (!ALERT_LEVELS.includes(severity)) throw badRequest(`severity must be one of ${ALERT_LEVELS.join(', ')}`, 'severity');
  const from = incident.severity;
  // Same level already pinned by an analyst: nothing to do. Same level still from alerts: pinning it is a change.
  if (from === severity && incident.severity_source === 'analyst') return { incident, timeline: [] };
  const at = now.toISOString();
  return {
    incident: { ...incident, severity, severity_source: 'analyst', updated_at: at },
    timeline: [
      {
        incident_id: incident.id,
        at,
        kind: 'severity_changed',
        actor,
        text: from === severity ? `severity ${severity} confirmed by ${actor}` : `severity set to ${severity} by ${actor} (was ${from})`,
        data: { from, to: severity },
      },
    ],
  };
}
