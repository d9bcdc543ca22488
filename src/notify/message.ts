import { isClosedStatus, priorityRank, type Incident, type NotificationRecord, type NotifyEvent, type NotifyIncident, type NotifyMessage } from '../core/index.ts';


/**
 * The event a notification record stands for: triage's `updated` is an escalation when the
 * priority rose since the incident's previous notification.
 */
export function eventOf(record: NotificationRecord, previous: NotificationRecord | null, incident: Incident | null): NotifyEvent {
  if (record.reason === 'updated' && previous && priorityRank(record.priority) < priorityRank(previous.priority)) return 'escalated';
  if (record.reason === 'state_changed' && incident && isClosedStatus(incident.status)) return 'resolved';
  return record.reason;
}

/** The incident as messages show it; `baseUrl` makes the link absolute. */
export function notifyIncident(incident: Incident, baseUrl: string): NotifyIncident {
  const cause = incident.related_changes?.[0];
  return {
    id: incident.id,
    title: incident.title,
    status: incident.status,
    priority: incident.priority,
    severity: incident.severity,
    score: incident.score,
    summary: incident.score_explanation?.summary ?? '',
    assignee: incident.assignee,
    services: incident.services,
    hosts: incident.entities.hosts.slice(0, 20),
    users: incident.entities.users.slice(0, 20),
    alert_count: incident.alert_count,
    kill_chain: incident.kill_chain,
    change: cause ? { id: cause.id, verdict: cause.verdict, reason: cause.reason } : null,
    detected_at: incident.detected_at,
    url: `${baseUrl.replace(/\/+$/, '')}/#/incidents/${encodeURIComponent(incident.id)}`,
  };
}

const WORDS: Record<NotifyEvent, string> = {
  opened: 'opened',
  updated: 'updated',
  escalated: 'escalated',
  state_changed: 'changed state',
  resolved: 'resolved',
  repeat: 'still open',
};

/** One message for one channel: the key is the delivery's id, the same on every retry. */
export function buildMessage(key: string, event: NotifyEvent, incident: NotifyIncident, at: string): NotifyMessage {
  const state = event === 'state_changed' ? ` (now ${incident.status.replace('_', ' ')}${incident.assignee ? `, ${incident.assignee}` : ''})` : '';
  return { key, event, text: `[${incident.priority}] ${incident.id} ${WORDS[event]}${state}: ${incident.title}`, incident, at };
}
