import type { NotifyMessage } from '../../../core/index.ts';
import { DeliveryError, failure, type Channel, type SendContext } from '../../channel.ts';
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

const USER_AGENT = 'vigil-notify/1';
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

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}

/** POST; a non-2xx answer, a network error or an abort becomes a DeliveryError. */
async function post(context: SendContext, url: string, headers: Record<string, string>, body: string, what: string): Promise<string> {
  try {
    const response = await context.fetch(url, { method: 'POST', headers, body, signal: context.signal });
    if (!response.ok) throw await failure(response, what);
    return await response.text();
  } catch (error) {
    if (error instanceof DeliveryError) throw error;
    if (context.signal.aborted) throw new DeliveryError(`${what}: no answer in time (aborted)`, true);
    throw new DeliveryError(`${what}: ${describe(error)}`, true);
  }
}

function optionalString(raw: Record<string, unknown>, field: string, where: string): string | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`${where}: ${field} must be a non-empty string`);
  return value;
}

export function createMattermostChannel(config: MattermostChannelConfig, name: string): Channel {
  const where = `mattermost channel "${name}"`;
  if (typeof config !== 'object' || config === null) throw new Error(`${where}: config must be an object`);
  const raw = config as unknown as Record<string, unknown>;
  if (raw.type !== undefined && raw.type !== 'mattermost') throw new Error(`${where}: type must be "mattermost"`);
  const url = raw.webhook_url;
  if (typeof url !== 'string' || url.trim() === '') throw new Error(`${where}: webhook_url is required`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${where}: webhook_url is not a valid URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`${where}: webhook_url must be an http(s) URL`);
  const target = { channel: optionalString(raw, 'channel', where), username: optionalString(raw, 'username', where) };
  const template = checkTemplate(raw.template, where);

  return {
    name,
    type: 'mattermost',
    async send(message, _thread, context) {
      const body = JSON.stringify(mattermostPayload(message, template, target));
      await post(context, url, { 'Content-Type': 'application/json', 'User-Agent': USER_AGENT }, body, where);
      return {};
    },
  };
}
