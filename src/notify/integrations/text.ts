import type { NotifyIncident, NotifyMessage, Priority } from '../../core/index.ts';

/**
 * The wording every chat / paging / webhook channel shares, so Slack, Mattermost, Teams,
 * PagerDuty and the generic webhook all say the same thing about an incident: the title line,
 * the field labels and their order, the priority colours, the summary lines and the digest
 * listing. Channels only add their own markup (mrkdwn, Markdown, Adaptive Card JSON) and escaping.
 */

/** A channel's optional override of its text and title (see renderTemplate). */
export interface MessageTemplate {
  text?: string;
  title?: string;
}

export const EVENT_LABELS: Record<NotifyMessage['event'], string> = {
  opened: 'Opened',
  updated: 'Updated',
  escalated: 'Escalated',
  state_changed: 'State changed',
  resolved: 'Resolved',
  repeat: 'Still open',
  test: 'Test',
  digest: 'Digest',
};

export const FIELD_LABELS = {
  priority: 'Priority',
  status: 'Status',
  severity: 'Severity',
  assignee: 'Assignee',
  services: 'Services',
  hosts: 'Hosts',
  users: 'Users',
  kill_chain: 'Kill chain',
  score: 'Score',
  change: 'Related change',
  alerts: 'Alerts',
  detected: 'Detected',
} as const;
export type FieldKey = keyof typeof FIELD_LABELS;

export const ACTION_LABELS = { ack: 'Acknowledge', resolve: 'Resolve', open: 'Open in Vigil' } as const;

/** Hex colours (Slack / Mattermost attachment bars). */
export const PRIORITY_COLOURS: Record<Priority, string> = {
  P1: '#d0021b',
  P2: '#f5700a',
  P3: '#f5c20a',
  P4: '#2f80ed',
  P5: '#9b9b9b',
};

/** Adaptive Card named colours (Teams). */
export const PRIORITY_CARD_COLOURS: Record<Priority, 'attention' | 'warning' | 'accent' | 'default'> = {
  P1: 'attention',
  P2: 'warning',
  P3: 'accent',
  P4: 'default',
  P5: 'default',
};

/** Colour of a message without an incident (digest, test). */
export const NEUTRAL_COLOUR = '#9b9b9b';

export const PRODUCT = 'Vigil';
/** Shown where a value is missing. */
export const NONE = '—';
const MAX_LIST = 20;

/** One line, no control characters, at most `max` characters (… when cut). */
export function oneLine(value: string, max = 200): string {
  const flat = value.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return truncate(flat, max);
}

/** At most `max` characters, ending in … when cut. */
export function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  return max <= 1 ? value.slice(0, max) : `${value.slice(0, max - 1)}…`;
}

/** A list, at most 20 shown, "and N more" after. */
export function list(values: readonly string[], separator = ', '): string {
  if (values.length === 0) return NONE;
  const shown = values.slice(0, MAX_LIST).join(separator);
  return values.length > MAX_LIST ? `${shown}${separator}and ${values.length - MAX_LIST} more` : shown;
}

/** Only absolute http(s) URLs become links and buttons (a relative one means server.public_url is unset). */
export function isAbsoluteUrl(url: string | null | undefined): url is string {
  return typeof url === 'string' && /^https?:\/\/[^\s]+$/i.test(url);
}

export function statusLabel(status: string): string {
  return status.replace(/_/g, ' ');
}

export function changeLine(change: NonNullable<NotifyIncident['change']>): string {
  return `${change.id ?? 'unrecorded change'} (${change.verdict}): ${change.reason}`;
}

export function scoreLine(incident: NotifyIncident): string {
  return incident.summary ? `${incident.score}: ${incident.summary}` : String(incident.score);
}

/** `[P1] INC-7: Title`. */
export function incidentTitle(incident: NotifyIncident): string {
  return `[${incident.priority}] ${incident.id}: ${oneLine(incident.title)}`;
}

export function digestTitle(count: number): string {
  return `${PRODUCT} digest: ${count} notification${count === 1 ? '' : 's'}`;
}

/** The title of a message: the template's, else the incident's, else a digest or test title. */
export function messageTitle(message: NotifyMessage, template?: MessageTemplate): string {
  if (template?.title) return oneLine(renderTemplate(template.title, message), 500);
  if (message.incident) return incidentTitle(message.incident);
  if (message.digest) return digestTitle(message.digest.length);
  return `${PRODUCT}: ${oneLine(message.text)}`;
}

/** The one-line text of a message: the template's, else the message's own. */
export function messageText(message: NotifyMessage, template?: MessageTemplate): string {
  return template?.text ? renderTemplate(template.text, message) : message.text;
}

export interface SummaryField {
  key: FieldKey;
  label: string;
  value: string;
  /** Short enough to sit side by side with another field. */
  short: boolean;
}

/**
 * The incident's facts, in the order every channel shows them: Status, Severity, Assignee,
 * Services, Hosts, Kill chain, Score, Related change (only when there is one).
 */
export function incidentFields(incident: NotifyIncident): SummaryField[] {
  const field = (key: FieldKey, value: string, short = true): SummaryField => ({ key, label: FIELD_LABELS[key], value, short });
  const fields = [
    field('status', statusLabel(incident.status)),
    field('severity', incident.severity),
    field('assignee', incident.assignee ?? 'unassigned'),
    field('services', list(incident.services)),
    field('hosts', list(incident.hosts)),
    field('kill_chain', list(incident.kill_chain, ' → ')),
    field('score', scoreLine(incident), false),
  ];
  if (incident.change) fields.push(field('change', changeLine(incident.change), false));
  return fields;
}

/** `Vigil · Opened · 3 alerts · detected 2024-05-01T10:00:00.000Z`. */
export function contextLine(message: NotifyMessage): string {
  const parts = [PRODUCT, EVENT_LABELS[message.event]];
  const incident = message.incident;
  if (incident) {
    parts.push(`${incident.alert_count} alert${incident.alert_count === 1 ? '' : 's'}`, `detected ${incident.detected_at}`);
  } else {
    parts.push(message.at);
  }
  return parts.join(' · ');
}

export type DigestEntry = NonNullable<NotifyMessage['digest']>[number];

/** `[P1] INC-3 Title: escalated at 2024-05-01T10:00:00.000Z`. */
export function digestLine(entry: DigestEntry): string {
  return `[${entry.priority}] ${entry.incident_id} ${oneLine(entry.title)}: ${entry.event} at ${entry.at}`;
}

/** The digest's entries as lines, at most `max` with a last "…and N more" line. */
export function digestLines(digest: readonly DigestEntry[], max = 50): string[] {
  const lines = digest.slice(0, max).map(digestLine);
  if (digest.length > max) lines.push(`…and ${digest.length - max} more`);
  return lines;
}

const TEMPLATE_FIELD = /\{\{\s*([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\s*\}\}/g;

function templateValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : templateValue(v))).join(', ');
  return JSON.stringify(value);
}

/**
 * Fills `{{path}}` placeholders with values from the message, by dotted path: `{{event}}`,
 * `{{text}}`, `{{incident.id}}`, `{{incident.title}}`, `{{incident.priority}}`, `{{incident.url}}`,
 * `{{incident.change.reason}}`, `{{digest.0.title}}`… Lists are joined with ", ", objects become
 * JSON, and an unknown path (or a null value) becomes the empty string.
 */
export function renderTemplate(template: string, message: NotifyMessage): string {
  return template.replace(TEMPLATE_FIELD, (_match, path: string) => {
    let current: unknown = message;
    for (const part of path.split('.')) {
      if (typeof current !== 'object' || current === null || !Object.hasOwn(current, part)) return '';
      current = (current as Record<string, unknown>)[part];
    }
    return templateValue(current);
  });
}

/** Checks a channel's `template` option; throws an Error naming the field. */
export function checkTemplate(value: unknown, where: string): MessageTemplate | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where}: template must be an object with text and/or title`);
  const template = value as Record<string, unknown>;
  for (const key of Object.keys(template)) {
    if (key !== 'text' && key !== 'title') throw new Error(`${where}: template.${key} is not a known field (text, title)`);
    if (typeof template[key] !== 'string') throw new Error(`${where}: template.${key} must be a string`);
  }
  return { text: template.text as string | undefined, title: template.title as string | undefined };
}
