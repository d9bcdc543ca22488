import { createHmac } from 'node:crypto';
import { hmacSha256Matches } from '../../../lib/index.ts';
import type { NotifyMessage } from '../../../core/index.ts';
import type { Channel } from '../../channel.ts';
import { USER_AGENT, channelWhere, configRecord, postJson, requireHttpUrl } from '../http.ts';
import { checkTemplate, messageText, type MessageTemplate } from '../text.ts';

export { USER_AGENT } from '../http.ts';

/**
 * Generic outbound webhook: POSTs each message as JSON (or as a CloudEvents 1.0 structured-mode
 * envelope) to a URL, signed with HMAC-SHA256 when a secret is set.
 *
 * The contract receivers rely on:
 *   X-Vigil-Timestamp: <unix seconds>
 *   X-Vigil-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>   (only with a secret)
 *   Idempotency-Key:   <message.key>   (the same on every retry of one message)
 *   User-Agent:        vigil-notify/1
 * Receivers check it with verifyWebhook (constant-time compare, 5-minute replay window).
 */

export interface WebhookChannelConfig {
  type: 'webhook';
  url: string;
  secret?: string;
  /** 'json' (default) or 'cloudevents'. */
  format?: 'json' | 'cloudevents';
  /** Extra request headers (Authorization…); the contract headers above cannot be overridden. */
  headers?: Record<string, string>;
  template?: MessageTemplate;
}

export const TIMESTAMP_HEADER = 'X-Vigil-Timestamp';
export const SIGNATURE_HEADER = 'X-Vigil-Signature';
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';
export const CLOUDEVENT_SOURCE = 'vigil';

const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'host', 'user-agent', 'x-vigil-timestamp', 'x-vigil-signature', 'idempotency-key']);

/** The JSON form of a message (also the `data` of the CloudEvents form). */
export interface WebhookPayload {
  event: NotifyMessage['event'];
  text: string;
  incident: NotifyMessage['incident'];
  digest?: NotifyMessage['digest'];
  at: string;
  key: string;
}

export interface WebhookCloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  /** The incident id; absent for messages without an incident (digest, test). */
  subject?: string;
  time: string;
  datacontenttype: 'application/json';
  data: WebhookPayload;
}

export function webhookPayload(message: NotifyMessage, template?: MessageTemplate): WebhookPayload {
  return {
    event: message.event,
    text: messageText(message, template),
    incident: message.incident,
    ...(message.digest ? { digest: message.digest } : {}),
    at: message.at,
    key: message.key,
  };
}

export function webhookCloudEvent(message: NotifyMessage, template?: MessageTemplate): WebhookCloudEvent {
  const event: WebhookCloudEvent = {
    specversion: '1.0',
    id: message.key,
    source: CLOUDEVENT_SOURCE,
    type: `io.vigil.incident.${message.event}`,
    time: message.at,
    datacontenttype: 'application/json',
    data: webhookPayload(message, template),
  };
  if (message.incident) event.subject = message.incident.id;
  return event;
}

/** `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`: the X-Vigil-Signature value. */
export function signWebhook(secret: string, timestamp: number | string, body: string | Buffer): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  return `sha256=${mac}`;
}

export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/**
 * Whether a request carries a valid Vigil signature: X-Vigil-Timestamp within `toleranceSeconds`
 * of `now` (either way, against replays) and X-Vigil-Signature equal, in constant time, to
 * signWebhook(secret, timestamp, body) for the raw body. Several secrets (a rotation) may be given.
 * `now` is a Date or epoch milliseconds.
 */
export function verifyWebhook(
  secret: string | readonly string[],
  headers: WebhookHeaders,
  body: string | Buffer,
  now: Date | number,
  toleranceSeconds = 300,
): boolean {
  const timestamp = header(headers, TIMESTAMP_HEADER)?.trim();
  const signature = header(headers, SIGNATURE_HEADER)?.trim();
  if (!timestamp || !signature || !/^\d{1,15}$/.test(timestamp)) return false;
  const nowSeconds = Math.floor((typeof now === 'number' ? now : now.getTime()) / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false;
  if (!signature.startsWith('sha256=')) return false;
  const hex = signature.slice('sha256='.length);
  // No early exit: every secret is compared.
  return (typeof secret === 'string' ? [secret] : secret).map((s) => hmacSha256Matches(s, [`${timestamp}.`, body], hex)).includes(true);
}

export function createWebhookChannel(config: WebhookChannelConfig, name: string): Channel {
  const where = channelWhere('webhook', name);
  const raw = configRecord(config, 'webhook', where);
  const url = requireHttpUrl(raw, 'url', where);
  if (raw.secret !== undefined && (typeof raw.secret !== 'string' || raw.secret === '')) throw new Error(`${where}: secret must be a non-empty string`);
  const secret = raw.secret as string | undefined;
  const format = raw.format ?? 'json';
  if (format !== 'json' && format !== 'cloudevents') throw new Error(`${where}: format must be "json" or "cloudevents"`);
  const extra: Record<string, string> = {};
  if (raw.headers !== undefined) {
    if (typeof raw.headers !== 'object' || raw.headers === null || Array.isArray(raw.headers)) throw new Error(`${where}: headers must be an object of strings`);
    for (const [key, value] of Object.entries(raw.headers)) {
      if (typeof value !== 'string') throw new Error(`${where}: headers.${key} must be a string`);
      if (RESERVED_HEADERS.has(key.toLowerCase())) throw new Error(`${where}: headers.${key} is set by Vigil and cannot be overridden`);
      extra[key] = value;
    }
  }
  const template = checkTemplate(raw.template, where);

  return {
    name,
    type: 'webhook',
    async send(message, _thread, context) {
      const body = JSON.stringify(format === 'cloudevents' ? webhookCloudEvent(message, template) : webhookPayload(message, template));
      const timestamp = String(Math.floor(context.now().getTime() / 1000));
      const headers: Record<string, string> = {
        ...extra,
        'Content-Type': format === 'cloudevents' ? CLOUDEVENTS_CONTENT_TYPE : 'application/json',
        'User-Agent': USER_AGENT,
        [TIMESTAMP_HEADER]: timestamp,
        [IDEMPOTENCY_HEADER]: message.key,
      };
      if (secret) headers[SIGNATURE_HEADER] = signWebhook(secret, timestamp, body);
      await postJson(context, url, body, headers, where);
      return {};
    },
  };
}
