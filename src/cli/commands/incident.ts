/**
 * `vigil incident ...`: the triage queue of a running server. Incidents live in the server's triage
 * state, so these commands never open the data folder themselves (a second process would disagree with it).
 */
import type { Alert, Incident, TimelineEntry } from '../../core/index.ts';
import { remoteTarget, UsageError, type GlobalOptions } from '../context.ts';
import { RemoteError, type RemoteClient } from '../remote.ts';

/** The server these commands talk to; without --url/VIGIL_URL it is a usage mistake (exit 2). */
export function requireServer(options: GlobalOptions, command: string): RemoteClient {
  const client = remoteTarget(options);
  if (!client) throw new UsageError(`${command} talks to a running server: pass --url (or set VIGIL_URL) and --token (or VIGIL_TOKEN)`);
  return client;
}

/**
 * Runs a change against the server. A missing object (404) or a refused change (409) is the
 * command's answer, not a usage mistake: the server's message goes to stderr and the exit code is 1.
 */
export async function attempt<T>(label: string /* the object's id */, fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; code: number }> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    if (error instanceof RemoteError && (error.status === 404 || error.status === 409)) {
      const message = error.message.replace(/^\d{3} /, '');
      process.stderr.write(`vigil: ${message.includes(label) ? message : `${label}: ${message}`}\n`);
      return { ok: false, code: 1 };
    }
    throw error;
  }
}

const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

const dash = (value: string | null | undefined): string => (value === null || value === undefined || value === '' ? '-' : value);
const list = (values: readonly string[] | undefined): string => (values && values.length ? values.join(', ') : '-');

/** Cuts text to `width` characters, ending in an ellipsis when it was longer. */
export const truncate = (text: string, width: number): string => {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= width ? flat : `${flat.slice(0, Math.max(0, width - 1))}…`;
};

export interface IncidentListOptions extends GlobalOptions {
  status?: string;
  query?: string;
  sort?: string;
  limit?: number;
  cursor?: string;
}

export async function incidentList(options: IncidentListOptions): Promise<number> {
  const client = requireServer(options, 'vigil incident list');
  const page = await client.listIncidents({ status: options.status, q: options.query, sort: options.sort, limit: options.limit, cursor: options.cursor });
  if (options.json) {
    out(JSON.stringify(page));
    return 0;
  }
  if (page.items.length === 0) {
    out(`no incidents (status ${options.status ?? 'open'}${options.query ? `, query ${options.query}` : ''})`);
    return 0;
  }
  const rows = page.items.map((i) => [i.id, i.priority, i.score.toFixed(1), i.status, dash(i.assignee), String(i.alert_count)]);
  const headers = ['ID', 'PRIO', 'SCORE', 'STATUS', 'ASSIGNEE', 'ALERTS'];
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const used = widths.reduce((sum, w) => sum + w + 2, 0);
  const titleWidth = Math.max(20, (process.stdout.columns || 120) - used);
  const line = (cells: string[], title: string) => `${cells.map((cell, c) => (c === 2 || c === 5 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ')}  ${title}`;
  out(line(headers, 'TITLE'));
  page.items.forEach((incident, n) => out(line(rows[n]!, truncate(incident.title, titleWidth))));
  if (page.next_cursor) process.stderr.write(`more incidents: add --cursor ${page.next_cursor}\n`);
  return 0;
}

function alertRow(alert: Alert): string[] {
  return [truncate(`${alert.rule.id} ${alert.rule.title}`, 60), alert.rule.level, String(alert.count), alert.status, dash(alert.suppressed_by)];
}

function table(headers: string[], rows: string[][], indent = '  ', rightAligned: number[] = []): string[] {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const format = (cells: string[]) =>
    indent +
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell : rightAligned.includes(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [format(headers), ...rows.map(format)];
}

export async function incidentShow(id: string, options: GlobalOptions): Promise<number> {
  const client = requireServer(options, 'vigil incident show');
  const result = await attempt(id, () => client.getIncident(id));
  if (!result.ok) return result.code;
  const incident = result.value;
  if (options.json) {
    out(JSON.stringify(incident));
    return 0;
  }
  const field = (name: string, value: string) => out(`${`${name}:`.padEnd(12)}${value}`);
  out(`${incident.id}  ${incident.title}`);
  field('Priority', `${incident.priority} (score ${incident.score})`);
  const explanation = incident.score_explanation;
  if (explanation) {
    out(`  ${explanation.summary}`);
    const parts = explanation.parts.map((p) => [p.factor, p.points.toFixed(1), p.reason]);
    for (const row of table(['FACTOR', 'POINTS', 'REASON'], parts, '  ', [1])) out(row);
  }
  field('Status', incident.status + (incident.merged_into ? ` (merged into ${incident.merged_into})` : ''));
  field('Assignee', dash(incident.assignee));
  field('Severity', incident.severity);
  const sla = incident.sla;
  if (sla) {
    const breach = sla.breached ? `BREACHED (${sla.breaches.join(', ') || 'yes'})` : 'not breached';
    field('SLA', `ack due ${dash(sla.ack_due)}, resolve due ${dash(sla.resolve_due)}; ${breach}`);
  }
  field('First seen', incident.first_seen);
  field('Last seen', incident.last_seen);
  field('Detected', incident.detected_at);
  const e = incident.entities;
  field('Entities', `hosts: ${list(e?.hosts)}; users: ${list(e?.users)}; ips: ${list(e?.ips)}`);
  field('Services', list(incident.services));
  field('Kill chain', list(incident.kill_chain));
  out();
  const alerts = incident.alerts ?? [];
  out(`Alerts (${incident.alert_count}${alerts.length < incident.alert_count ? `, ${alerts.length} shown` : ''}):`);
  if (alerts.length) for (const row of table(['RULE', 'LEVEL', 'COUNT', 'STATUS', 'SUPPRESSED_BY'], alerts.map(alertRow), '  ', [2])) out(row);
  out();
  const timeline: TimelineEntry[] = incident.timeline ?? [];
  out(`Timeline (${timeline.length}):`);
  for (const row of table(['TIME', 'ACTOR', 'TEXT'], timeline.map((t) => [t.at, t.actor, t.text.replace(/\n/g, ' ⏎ ')]))) out(row);
  if (incident.notifications?.length) {
    out();
    out(`Notifications (${incident.notifications.length}):`);
    for (const row of table(['DUE', 'REASON', 'ROUTE', 'ALERTS'], incident.notifications.map((n) => [n.due_at, n.reason, n.route, String(n.alert_count)]))) out(row);
  }
  return 0;
}

const summary = (incident: Incident): string => `${incident.id} is ${incident.status}, assignee ${dash(incident.assignee)}`;

async function change(id: string, options: GlobalOptions, command: string, patch: Parameters<RemoteClient['patchIncident']>[1], describe: (i: Incident) => string): Promise<number> {
  const client = requireServer(options, command);
  const result = await attempt(id, () => client.patchIncident(id, patch));
  if (!result.ok) return result.code;
  if (options.json) out(JSON.stringify(result.value));
  else out(describe(result.value));
  return 0;
}

export function incidentAck(id: string, options: GlobalOptions): Promise<number> {
  return change(id, options, 'vigil incident ack', { status: 'acknowledged' }, (i) => `${summary(i)}`);
}

export function incidentAssign(id: string, user: string, options: GlobalOptions): Promise<number> {
  if (!user.trim()) throw new UsageError('incident assign needs a user name');
  return change(id, options, 'vigil incident assign', { assignee: user }, (i) => `${i.id} assigned to ${dash(i.assignee)} (${i.status})`);
}

export function incidentResolve(id: string, options: GlobalOptions & { reason?: string }): Promise<number> {
  return change(id, options, 'vigil incident resolve', { status: 'resolved', ...(options.reason ? { reason: options.reason } : {}) }, (i) => `${summary(i)}${options.reason ? ` (reason: ${options.reason})` : ''}`);
}

export async function incidentNote(id: string, words: string[], options: GlobalOptions): Promise<number> {
  const text = words.join(' ');
  if (!text.trim()) throw new UsageError('incident note needs some text');
  const client = requireServer(options, 'vigil incident note');
  const result = await attempt(id, () => client.addIncidentNote(id, text));
  if (!result.ok) return result.code;
  if (options.json) out(JSON.stringify(result.value));
  else out(`${id}: note added by ${result.value.actor} at ${result.value.at}`);
  return 0;
}
