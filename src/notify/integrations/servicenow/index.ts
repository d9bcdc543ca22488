import { isClosedStatus, type NotifyIncident, type NotifyMessage, type Priority, type ThreadRef } from '../../../core/index.ts';
import { DeliveryError, type Channel, type SendContext } from '../../channel.ts';
import { apiRequest, basicAuthHeaders, fieldFailure, isCredentialSafeUrl, nonEmpty, readJson } from '../http.ts';
import { list, oneLine } from '../text.ts';

/**
 * ServiceNow (Table API). The first message of an incident creates a record (an `incident` by
 * default); later ones add a work note to it, move it to In Progress when the incident is taken
 * up, and resolve it when the incident is resolved.
 */
export interface ServiceNowChannelConfig {
  type: 'servicenow';
  /** https://<instance>.service-now.com */
  url: string;
  username: string;
  password: string;
  /** Default 'incident'. */
  table?: string;
  /** Group (sys_id or name) the records are assigned to. */
  assignment_group?: string;
  /** Caller (sys_id or user name) the records are opened for. */
  caller_id?: string;
  /** Resolution code set when resolving. Default 'Solution provided'. */
  close_code?: string;
}

/** Incident state choice values of the incident table. */
export const SERVICENOW_STATE = { in_progress: '2', resolved: '6' } as const;

const SHORT_DESCRIPTION_MAX = 160;
const WORKING_STATUSES = new Set(['acknowledged', 'investigating', 'contained']);

function validate(config: ServiceNowChannelConfig, name: string): void {
  const fail = fieldFailure(name, 'servicenow');
  if (!config || typeof config !== 'object') fail('config');
  if (!nonEmpty(config.url)) fail('url');
  if (!isCredentialSafeUrl(config.url)) fail('url', 'must be an https URL such as https://<instance>.service-now.com');
  if (!nonEmpty(config.username)) fail('username');
  if (!nonEmpty(config.password)) fail('password');
  if (config.table !== undefined && !/^[A-Za-z0-9_]+$/.test(config.table)) fail('table', 'must be a table name (letters, digits, _)');
  for (const field of ['assignment_group', 'caller_id', 'close_code'] as const) {
    if (config[field] !== undefined && !nonEmpty(config[field])) fail(field, 'must not be empty');
  }
}

/** 1 (high) for P1, 2 for P2/P3, 3 (low) for P4/P5: used for both urgency and impact. */
export function urgencyOf(priority: Priority): '1' | '2' | '3' {
  return priority === 'P1' ? '1' : priority === 'P2' || priority === 'P3' ? '2' : '3';
}

export function shortDescriptionOf(message: NotifyMessage): string {
  const incident = message.incident;
  return oneLine(incident ? `[Vigil ${incident.priority}] ${incident.id} ${incident.title}` : `[Vigil] ${message.text}`, SHORT_DESCRIPTION_MAX);
}

function facts(incident: NotifyIncident): string[] {
  const lines = [
    `Priority: ${incident.priority} (score ${incident.score}, severity ${incident.severity})`,
    `Status: ${incident.status}`,
    `Assignee: ${incident.assignee ?? 'unassigned'}`,
  ];
  if (incident.services.length) lines.push(`Services: ${list(incident.services)}`);
  if (incident.hosts.length) lines.push(`Hosts: ${list(incident.hosts)}`);
  if (incident.users.length) lines.push(`Users: ${list(incident.users)}`);
  lines.push(`Alerts: ${incident.alert_count}`);
  if (incident.kill_chain.length) lines.push(`Kill chain: ${list(incident.kill_chain, ' → ')}`);
  if (incident.change) lines.push(`Related change: ${incident.change.id ?? 'unknown'} (${incident.change.verdict}): ${incident.change.reason}`);
  lines.push(`Detected: ${incident.detected_at}`);
  return lines;
}

/** The record's description: the message, the incident's title, summary and facts, the link back. */
export function descriptionOf(message: NotifyMessage): string {
  const lines = [message.text];
  const incident = message.incident;
  if (incident) {
    lines.push('', `${incident.id}: ${incident.title}`);
    if (incident.summary) lines.push(incident.summary);
    lines.push('', ...facts(incident), '', `Open in Vigil: ${incident.url}`);
  }
  for (const d of message.digest ?? []) lines.push(`- [${d.priority}] ${d.incident_id} ${d.title}: ${d.event} at ${d.at}`);
  return lines.join('\n');
}

/** A work note: the message, the facts that change, the link back. */
export function workNoteOf(message: NotifyMessage): string {
  const incident = message.incident;
  if (!incident) return message.text;
  return [
    message.text,
    '',
    `Priority: ${incident.priority} (score ${incident.score}) · Status: ${incident.status} · Assignee: ${incident.assignee ?? 'unassigned'} · Alerts: ${incident.alert_count}`,
    `Open in Vigil: ${incident.url}`,
  ].join('\n');
}

export function createServiceNowChannel(config: ServiceNowChannelConfig, name: string): Channel {
  validate(config, name);
  const base = config.url.replace(/\/+$/, '');
  const table = config.table ?? 'incident';
  const closeCode = config.close_code ?? 'Solution provided';
  const headers = basicAuthHeaders(config.username, config.password);

  const call = (context: SendContext, what: string, method: string, path: string, body: unknown): Promise<Response> =>
    apiRequest(context, `${base}${path}`, { method, headers, body: JSON.stringify(body) }, `servicenow: ${what}`);

  function createBody(message: NotifyMessage): Record<string, string> {
    const incident = message.incident;
    const level = urgencyOf(incident?.priority ?? 'P5');
    const body: Record<string, string> = {
      short_description: shortDescriptionOf(message),
      description: descriptionOf(message),
      urgency: level,
      impact: level,
      category: 'security',
    };
    if (incident) body.correlation_id = incident.id;
    body.correlation_display = 'Vigil';
    if (config.assignment_group) body.assignment_group = config.assignment_group;
    if (config.caller_id) body.caller_id = config.caller_id;
    return body;
  }

  function updateBody(message: NotifyMessage): Record<string, string> {
    const incident = message.incident;
    const body: Record<string, string> = { work_notes: workNoteOf(message) };
    if (!incident) return body;
    if (message.event === 'escalated') {
      body.urgency = urgencyOf(incident.priority);
      body.impact = body.urgency;
    }
    if (message.event === 'resolved' || isClosedStatus(incident.status)) {
      body.state = SERVICENOW_STATE.resolved;
      body.close_code = closeCode;
      body.close_notes = `${message.text}\nResolved in Vigil (${incident.status}): ${incident.url}`;
    } else if (message.event === 'state_changed' && WORKING_STATUSES.has(incident.status)) {
      body.state = SERVICENOW_STATE.in_progress;
    }
    return body;
  }

  return {
    name,
    type: 'servicenow',
    async send(message: NotifyMessage, thread: ThreadRef | null, context: SendContext) {
      const sysId = typeof thread?.sys_id === 'string' && thread.sys_id !== '' ? thread.sys_id : null;
      if (sysId) {
        await call(context, `update ${thread?.number || sysId}`, 'PATCH', `/api/now/table/${table}/${encodeURIComponent(sysId)}`, updateBody(message));
        return message.incident ? { thread: { ...thread } } : {};
      }
      const response = await call(context, `create ${table} record`, 'POST', `/api/now/table/${table}`, createBody(message));
      const answer = await readJson<{ result?: { sys_id?: unknown; number?: unknown } }>(response, context, `servicenow: create ${table} record`);
      const created = answer?.result;
      if (!created || typeof created.sys_id !== 'string' || created.sys_id === '') {
        throw new DeliveryError(`servicenow: create ${table} record: the answer names no sys_id`, false, undefined, response.status);
      }
      if (!message.incident) return {};
      return { thread: { sys_id: created.sys_id, number: typeof created.number === 'string' ? created.number : '' } };
    },
  };
}
