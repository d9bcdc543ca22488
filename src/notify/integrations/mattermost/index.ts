import type { NotifyMessage } from '../../../core/index.ts';
import type { Channel } from '../../channel.ts';
import { JSON_HEADERS, channelWhere, configRecord, optionalString, postJson, requireHttpUrl } from '../http.ts';
import {
  ACTION_LABELS,
  NEUTRAL_COLOUR,
  PRIORITY_COLOURS,
  checkTemplate,
  contextLine,
  digestLines,
  incidentFields,
  isAbsoluteUrl,
  messageText,
  messageTitle,
  truncate,
  type MessageTemplate,
} from '../text.ts';

/**
 * Mattermost incoming webhook: `{ text, channel?, username?, attachments, props: { card } }`.
 * The text is one Markdown line, the attachment carries the incident (colour bar by priority,
 * title linking to Vigil, fields) and props.card the same facts for the message's card view.
 * Mattermost answers 200 "ok". A webhook cannot edit its posts: each message is a new post.
 */

export interface MattermostChannelConfig {
  type: 'mattermost';
  webhook_url: string;
  /** Channel name to post to instead of the webhook's own (if the webhook allows it). */
  channel?: string;
  /** Display name instead of the webhook's (if the server allows overriding it). */
  username?: string;
  template?: MessageTemplate;
}

export interface MattermostAttachment {
  fallback: string;
  color: string;
  title: string;
  title_link?: string;
  text?: string;
  fields: Array<{ short: boolean; title: string; value: string }>;
  footer: string;
}

export interface MattermostPayload {
  text: string;
  channel?: string;
  username?: string;
  attachments: MattermostAttachment[];
  props: { card: string };
}

/** Mattermost's post limit is 16383 characters; the card and attachment stay well under it. */
const MAX_TEXT = 4000;

/**
 * Markdown special characters escaped, and @mentions defused (a zero-width space after the @):
 * titles come from log lines, and whoever wrote one must not be able to ping @all.
 */
export function escapeMarkdown(value: string): string {
  return value
    .replace(/([\\`*_~[\]<>|])/g, '\\$1')
    .replace(/^(\s*)(#+|[+-]|\d+\.)(?=\s|$)/gm, '$1\\$2')
    .replace(/(^|[\s(])@(?=\w)/g, '$1@\u200b');
}

export function mattermostPayload(message: NotifyMessage, template?: MessageTemplate, config: { channel?: string; username?: string } = {}): MattermostPayload {
  const text = truncate(messageText(message, template), 2000);
  const title = messageTitle(message, template);
  const incident = message.incident;
  const attachment: MattermostAttachment = {
    fallback: `${title}: ${text}`,
    color: incident ? PRIORITY_COLOURS[incident.priority] : NEUTRAL_COLOUR,
    title,
    fields: [],
    footer: contextLine(message),
  };
  const card: string[] = [`### ${escapeMarkdown(title)}`, '', escapeMarkdown(text)];
  if (incident) {
    if (isAbsoluteUrl(incident.url)) attachment.title_link = incident.url;
    const fields = incidentFields(incident);
    attachment.fields = fields.map((f) => ({ short: f.short, title: f.label, value: escapeMarkdown(f.value) }));
    card.push('', ...fields.map((f) => `- **${f.label}:** ${escapeMarkdown(f.value)}`));
    if (isAbsoluteUrl(incident.url)) card.push('', `[${ACTION_LABELS.open}](${incident.url})`);
  }
  if (message.digest?.length) {
    const lines = digestLines(message.digest).map((line) => `- ${escapeMarkdown(line)}`);
    attachment.text = truncate(lines.join('\n'), MAX_TEXT);
    card.push('', ...lines);
  }
  card.push('', `_${escapeMarkdown(contextLine(message))}_`);
  const payload: MattermostPayload = { text: escapeMarkdown(text), attachments: [attachment], props: { card: truncate(card.join('\n'), MAX_TEXT) } };
  if (config.channel) payload.channel = config.channel;
  if (config.username) payload.username = config.username;
  return payload;
}

export function createMattermostChannel(config: MattermostChannelConfig, name: string): Channel {
  const where = channelWhere('mattermost', name);
  const raw = configRecord(config, 'mattermost', where);
  const url = requireHttpUrl(raw, 'webhook_url', where);
  const target = { channel: optionalString(raw, 'channel', where), username: optionalString(raw, 'username', where) };
  const template = checkTemplate(raw.template, where);

  return {
    name,
    type: 'mattermost',
    async send(message, _thread, context) {
      const body = JSON.stringify(mattermostPayload(message, template, target));
      await postJson(context, url, body, JSON_HEADERS, where);
      return {};
    },
  };
}
