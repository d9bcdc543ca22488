import type { NotifyIncident, NotifyMessage } from '../../../core/index.ts';

/**
 * The wording of an e-mail: subject, plain text and HTML. Every value that comes from an incident
 * (titles come from events, so from whoever wrote the log line) is escaped in the HTML.
 */

const MAX_LIST = 20;
const MAX_TITLE = 200;

/** One line, no control characters, at most `max` characters. */
export function oneLine(value: string, max = MAX_TITLE): string {
  const flat = value.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function list(values: string[], separator = ', '): string {
  const shown = values.slice(0, MAX_LIST).join(separator);
  return values.length > MAX_LIST ? `${shown}${separator}and ${values.length - MAX_LIST} more` : shown;
}

/** The incident's facts as label/value pairs; empty ones are left out. */
export function details(incident: NotifyIncident): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['Priority', `${incident.priority} (score ${incident.score}, severity ${incident.severity})`],
    ['Status', incident.status],
    ['Assignee', incident.assignee ?? 'unassigned'],
  ];
  if (incident.services.length) rows.push(['Services', list(incident.services)]);
  if (incident.hosts.length) rows.push(['Hosts', list(incident.hosts)]);
  if (incident.users.length) rows.push(['Users', list(incident.users)]);
  rows.push(['Alerts', String(incident.alert_count)]);
  if (incident.kill_chain.length) rows.push(['Kill chain', list(incident.kill_chain, ' → ')]);
  if (incident.change) rows.push(['Related change', `${incident.change.id ?? 'unknown'} (${incident.change.verdict}): ${incident.change.reason}`]);
  rows.push(['Detected', incident.detected_at]);
  return rows;
}

export function subject(message: NotifyMessage): string {
  const incident = message.incident;
  if (incident) return `[Vigil ${incident.priority}] ${incident.id} ${oneLine(incident.title)} (${message.event})`;
  return `[Vigil] ${oneLine(message.text)} (${message.event})`;
}

function digestLines(message: NotifyMessage): string[] {
  return (message.digest ?? []).map((d) => `- [${d.priority}] ${d.incident_id} ${oneLine(d.title)}: ${d.event} at ${d.at}`);
}

export function textBody(message: NotifyMessage): string {
  const lines = [message.text, ''];
  const incident = message.incident;
  if (incident) {
    lines.push(`${incident.id}: ${incident.title}`);
    if (incident.summary) lines.push(incident.summary);
    lines.push('');
    for (const [label, value] of details(incident)) lines.push(`${label}: ${value}`);
    lines.push('', `Open in Vigil: ${incident.url}`);
  }
  const digest = digestLines(message);
  if (digest.length) lines.push('Notifications:', ...digest);
  return `${lines.join('\n').trimEnd()}\n`;
}

/** Only http(s) or site-relative links become anchors. */
function safeHref(url: string): string | null {
  return /^(https?:\/\/|\/(?!\/))/i.test(url) ? url : null;
}

export function htmlBody(message: NotifyMessage): string {
  const parts = [`<p>${escapeHtml(message.text)}</p>`];
  const incident = message.incident;
  if (incident) {
    parts.push(`<h2>${escapeHtml(incident.id)}: ${escapeHtml(incident.title)}</h2>`);
    if (incident.summary) parts.push(`<p>${escapeHtml(incident.summary)}</p>`);
    const rows = details(incident).map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`);
    parts.push(`<table>${rows.join('')}</table>`);
    const href = safeHref(incident.url);
    parts.push(href ? `<p><a href="${escapeHtml(href)}">Open in Vigil</a></p>` : `<p>${escapeHtml(incident.url)}</p>`);
  }
  if (message.digest?.length) {
    const items = message.digest.map((d) => `<li>[${escapeHtml(d.priority)}] ${escapeHtml(d.incident_id)} ${escapeHtml(d.title)}: ${escapeHtml(d.event)} at ${escapeHtml(d.at)}</li>`);
    parts.push(`<ul>${items.join('')}</ul>`);
  }
  return `<!doctype html><html><body>${parts.join('\n')}</body></html>`;
}
