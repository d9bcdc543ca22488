import type { NotifyIncident, NotifyMessage } from '../../../core/index.ts';

/**
 * Atlassian Document Format (the rich text Jira Cloud REST v3 takes for descriptions and comments):
 * a `doc` of block nodes (paragraph, heading, bulletList > listItem > paragraph) holding inline
 * nodes (text with marks, hardBreak). Text nodes may not be empty, so empty values are left out.
 */
export type AdfMark = { type: 'strong' } | { type: 'link'; attrs: { href: string } };
export interface AdfText {
  type: 'text';
  text: string;
  marks?: AdfMark[];
}
export interface AdfHardBreak {
  type: 'hardBreak';
}
export type AdfInline = AdfText | AdfHardBreak;
export interface AdfParagraph {
  type: 'paragraph';
  content: AdfInline[];
}
export interface AdfHeading {
  type: 'heading';
  attrs: { level: 1 | 2 | 3 | 4 | 5 | 6 };
  content: AdfInline[];
}
export interface AdfListItem {
  type: 'listItem';
  content: AdfParagraph[];
}
export interface AdfBulletList {
  type: 'bulletList';
  content: AdfListItem[];
}
export type AdfBlock = AdfParagraph | AdfHeading | AdfBulletList;
export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: AdfBlock[];
}

const MAX_LIST = 20;

/** Text with its line breaks as hardBreak nodes; no empty text nodes. */
function inline(value: string, marks?: AdfMark[]): AdfInline[] {
  const out: AdfInline[] = [];
  value.split(/\r\n|\r|\n/).forEach((line, i) => {
    if (i > 0) out.push({ type: 'hardBreak' });
    if (line !== '') out.push(marks ? { type: 'text', text: line, marks } : { type: 'text', text: line });
  });
  while (out.length && out[out.length - 1]!.type === 'hardBreak') out.pop();
  while (out.length && out[0]!.type === 'hardBreak') out.shift();
  return out;
}

const paragraph = (content: AdfInline[]): AdfParagraph | null => (content.length ? { type: 'paragraph', content } : null);

const item = (label: string, value: string): AdfListItem | null => {
  const content = [{ type: 'text', text: `${label}: `, marks: [{ type: 'strong' }] } as AdfText, ...inline(value)];
  return content.length > 1 ? { type: 'listItem', content: [{ type: 'paragraph', content }] } : null;
};

const bulletList = (items: Array<AdfListItem | null>): AdfBulletList | null => {
  const content = items.filter((i): i is AdfListItem => i !== null);
  return content.length ? { type: 'bulletList', content } : null;
};

function list(values: string[], separator = ', '): string {
  const shown = values.slice(0, MAX_LIST).join(separator);
  return values.length > MAX_LIST ? `${shown}${separator}and ${values.length - MAX_LIST} more` : shown;
}

export function isAbsoluteUrl(url: string): boolean {
  return /^https?:\/\/[^/\s]/i.test(url);
}

function link(incident: NotifyIncident): AdfParagraph | null {
  if (isAbsoluteUrl(incident.url)) {
    return { type: 'paragraph', content: [{ type: 'text', text: `Open ${incident.id} in Vigil`, marks: [{ type: 'link', attrs: { href: incident.url } }] }] };
  }
  return paragraph(inline(incident.url ? `Vigil: ${incident.url}` : ''));
}

function detailItems(incident: NotifyIncident, kind: 'issue' | 'comment'): Array<AdfListItem | null> {
  const items = [
    item('Priority', `${incident.priority} (score ${incident.score}, severity ${incident.severity})`),
    item('Status', incident.status),
    item('Assignee', incident.assignee ?? 'unassigned'),
    item('Alerts', String(incident.alert_count)),
  ];
  if (kind === 'comment') return items;
  items.push(
    incident.services.length ? item('Services', list(incident.services)) : null,
    incident.hosts.length ? item('Hosts', list(incident.hosts)) : null,
    incident.users.length ? item('Users', list(incident.users)) : null,
    incident.kill_chain.length ? item('Kill chain', list(incident.kill_chain, ' → ')) : null,
    incident.change ? item('Related change', `${incident.change.id ?? 'unknown'} (${incident.change.verdict}): ${incident.change.reason}`) : null,
    item('Detected', incident.detected_at),
  );
  return items;
}

/**
 * The message as an ADF document: for a new issue (`issue`) the incident's title, the message, the
 * score summary, every fact and a link to Vigil; for a comment the message, the facts that change
 * and the link.
 */
export function toAdf(message: NotifyMessage, kind: 'issue' | 'comment' = 'issue'): AdfDoc {
  const blocks: Array<AdfBlock | null> = [];
  const incident = message.incident;
  if (incident && kind === 'issue') {
    const title = inline(`${incident.id}: ${incident.title}`);
    if (title.length) blocks.push({ type: 'heading', attrs: { level: 3 }, content: title });
  }
  blocks.push(paragraph(inline(message.text)));
  if (incident) {
    if (kind === 'issue' && incident.summary) blocks.push(paragraph(inline(incident.summary)));
    blocks.push(bulletList(detailItems(incident, kind)));
    blocks.push(link(incident));
  }
  if (message.digest?.length) {
    blocks.push(bulletList(message.digest.map((d) => item(`${d.priority} ${d.incident_id}`, `${d.title} (${d.event} at ${d.at})`))));
  }
  const content = blocks.filter((b): b is AdfBlock => b !== null);
  // A doc needs at least one block; an empty paragraph is valid ADF.
  return { type: 'doc', version: 1, content: content.length ? content : [{ type: 'paragraph', content: [] }] };
}
