import type { NotifyMessage, ThreadRef } from '../../../core/index.ts';
import { DeliveryError, type Channel, type SendContext } from '../../channel.ts';
import { JSON_HEADERS, USER_AGENT, channelWhere, checkHttpUrl, configRecord, optionalString, postJson } from '../http.ts';
import {
  ACTION_LABELS,
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
import { ACK_ACTION_ID, RESOLVE_ACTION_ID } from './inbound.ts';

/**
 * Slack, two ways:
 *  - an incoming webhook (`webhook_url`): every message is a new post (webhooks cannot edit);
 *  - the Web API (`token` + `channel`): the first message of an incident is posted with
 *    chat.postMessage and its { ts, channel } kept as the thread; later ones edit it in place with
 *    chat.update, and a resolution or escalation also gets a short reply in the thread.
 * Both send Block Kit: a title section linking to the incident, a section of fields, a context
 * line and Acknowledge / Resolve buttons (action_id vigil_ack / vigil_resolve, value = incident
 * id) that Slack interactivity sends back to ./inbound.ts.
 */

export interface SlackWebhookConfig {
  type: 'slack';
  webhook_url: string;
  template?: MessageTemplate;
}

export interface SlackApiConfig {
  type: 'slack';
  /** A bot token (xoxb-…) with chat:write. */
  token: string;
  /** Channel id (C…) or name the first message of an incident goes to. */
  channel: string;
  /** Default https://slack.com/api. */
  api_url?: string;
  template?: MessageTemplate;
}

export type SlackChannelConfig = SlackWebhookConfig | SlackApiConfig;

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api';

/** Slack API errors worth trying again; every other `ok: false` is permanent. */
const RETRYABLE_API_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
/** Events that also get a reply in the incident's thread when its message is updated. */
const REPLY_EVENTS: ReadonlySet<NotifyMessage['event']> = new Set(['resolved', 'escalated']);
const OPEN_STATUSES = new Set(['new', 'acknowledged', 'investigating', 'contained']);

export type SlackBlock = Record<string, unknown>;
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** Slack's three control characters (mrkdwn). */
export function escapeSlack(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function link(url: string, label: string): string {
  if (!isAbsoluteUrl(url)) return escapeSlack(label);
  return `<${url.replace(/\|/g, '%7C').replace(/>/g, '%3E')}|${escapeSlack(label)}>`;
}

const mrkdwn = (text: string, max = 3000): { type: 'mrkdwn'; text: string } => ({ type: 'mrkdwn', text: truncate(text, max) });
const plain = (text: string): { type: 'plain_text'; text: string } => ({ type: 'plain_text', text: truncate(text, 75) });

/** The Block Kit form of a message: `{ text (notification fallback), blocks }`. */
export function slackMessage(message: NotifyMessage, template?: MessageTemplate): SlackMessage {
  const text = truncate(messageText(message, template), 2000);
  const title = messageTitle(message, template);
  const blocks: SlackBlock[] = [];
  const incident = message.incident;
  if (incident) {
    blocks.push({ type: 'section', text: mrkdwn(`*${link(incident.url, title)}*\n${escapeSlack(text)}`) });
    blocks.push({ type: 'section', fields: incidentFields(incident).map((f) => mrkdwn(`*${f.label}*\n${escapeSlack(f.value)}`, 2000)) });
    blocks.push({ type: 'context', elements: [mrkdwn(escapeSlack(contextLine(message)))] });
    const buttons: SlackBlock[] = [];
    if (incident.status === 'new') buttons.push({ type: 'button', action_id: ACK_ACTION_ID, text: plain(ACTION_LABELS.ack), style: 'primary', value: incident.id });
    if (OPEN_STATUSES.has(incident.status)) buttons.push({ type: 'button', action_id: RESOLVE_ACTION_ID, text: plain(ACTION_LABELS.resolve), value: incident.id });
    if (buttons.length) blocks.push({ type: 'actions', block_id: 'vigil_actions', elements: buttons });
  } else {
    blocks.push({ type: 'section', text: mrkdwn(`*${escapeSlack(title)}*\n${escapeSlack(text)}`) });
    if (message.digest?.length) {
      blocks.push({ type: 'section', text: mrkdwn(digestLines(message.digest).map((line) => `• ${escapeSlack(line)}`).join('\n')) });
    }
    blocks.push({ type: 'context', elements: [mrkdwn(escapeSlack(contextLine(message)))] });
  }
  return { text: escapeSlack(text), blocks };
}

interface ApiAnswer {
  ok: boolean;
  error?: string;
  ts?: string;
  channel?: string;
}

export function createSlackChannel(config: SlackChannelConfig, name: string): Channel {
  const where = channelWhere('slack', name);
  const raw = configRecord(config, 'slack', where);
  const template = checkTemplate(raw.template, where);
  const webhookUrl = optionalString(raw, 'webhook_url', where);
  const token = optionalString(raw, 'token', where);
  const channel = optionalString(raw, 'channel', where);

  if (webhookUrl !== undefined) {
    if (token !== undefined) throw new Error(`${where}: set either webhook_url or token + channel, not both`);
    const url = checkHttpUrl(webhookUrl, 'webhook_url', where);
    return {
      name,
      type: 'slack',
      async send(message, _thread, context) {
        const body = JSON.stringify(slackMessage(message, template));
        await postJson(context, url, body, JSON_HEADERS, where);
        return {};
      },
    };
  }

  if (token === undefined) throw new Error(`${where}: webhook_url or token is required`);
  if (channel === undefined) throw new Error(`${where}: channel is required (with token)`);
  const target: string = channel;
  const apiUrl = checkHttpUrl(optionalString(raw, 'api_url', where) ?? DEFAULT_SLACK_API_URL, 'api_url', where).replace(/\/+$/, '');

  async function call(context: SendContext, method: string, payload: Record<string, unknown>): Promise<ApiAnswer> {
    const what = `${where} ${method}`;
    const headers = { 'Content-Type': 'application/json; charset=utf-8', Authorization: `Bearer ${token}`, 'User-Agent': USER_AGENT };
    const text = await postJson(context, `${apiUrl}/${method}`, JSON.stringify(payload), headers, what);
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      throw new DeliveryError(`${what}: answer is not JSON: ${text.slice(0, 200)}`, true);
    }
    if (typeof answer !== 'object' || answer === null || typeof (answer as ApiAnswer).ok !== 'boolean') {
      throw new DeliveryError(`${what}: answer without "ok": ${text.slice(0, 200)}`, true);
    }
    return answer as ApiAnswer;
  }

  const refused = (method: string, answer: ApiAnswer): DeliveryError => {
    const code = answer.error ?? 'unknown_error';
    return new DeliveryError(`${where} ${method}: Slack error ${code}`, RETRYABLE_API_ERRORS.has(code));
  };

  async function postNew(context: SendContext, payload: SlackMessage): Promise<ThreadRef> {
    const answer = await call(context, 'chat.postMessage', { channel: target, text: payload.text, blocks: payload.blocks });
    if (!answer.ok) throw refused('chat.postMessage', answer);
    if (!answer.ts) throw new DeliveryError(`${where} chat.postMessage: answer without ts`, false);
    // Slack answers with the channel id, which chat.update needs (a name is not enough).
    return { ts: answer.ts, channel: answer.channel ?? target };
  }

  return {
    name,
    type: 'slack',
    async send(message, thread, context) {
      const payload = slackMessage(message, template);
      if (!message.incident) {
        await postNew(context, payload);
        return {};
      }
      if (thread?.ts && thread.channel) {
        const answer = await call(context, 'chat.update', { channel: thread.channel, ts: thread.ts, text: payload.text, blocks: payload.blocks });
        if (answer.ok) {
          if (REPLY_EVENTS.has(message.event)) {
            const reply: Record<string, unknown> = { channel: thread.channel, thread_ts: thread.ts, text: payload.text };
            // An escalation is news for the whole channel, not only the thread.
            if (message.event === 'escalated') reply.reply_broadcast = true;
            const replied = await call(context, 'chat.postMessage', reply);
            if (!replied.ok) throw refused('chat.postMessage', replied);
          }
          return { thread: { ts: thread.ts, channel: thread.channel } };
        }
        // The original message was deleted: start again with a new one.
        if (answer.error !== 'message_not_found') throw refused('chat.update', answer);
      }
      return { thread: await postNew(context, payload) };
    },
  };
}
