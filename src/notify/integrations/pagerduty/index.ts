import type { NotifyMessage, Priority } from '../../../core/index.ts';
import { DeliveryError, failure, type Channel, type SendContext } from '../../channel.ts';
import { ACTION_LABELS, PRODUCT, changeLine, checkTemplate, isAbsoluteUrl, messageText, messageTitle, oneLine, truncate, type MessageTemplate } from '../text.ts';

/**
 * PagerDuty Events API v2 (POST https://events.pagerduty.com/v2/enqueue). The incident id is the
 * dedup_key, so every message of one incident lands on the same PagerDuty alert:
 *   opened / updated / escalated / repeat          → trigger (with the full payload)
 *   state_changed to acknowledged / investigating / contained → acknowledge
 *   state_changed back to new                      → trigger
 *   resolved, or status resolved / closed / false_positive → resolve
 * acknowledge and resolve carry only routing_key, event_action and dedup_key. A digest sends one
 * event per entry (same dedup keys, so retries are harmless); a test message triggers an alert
 * of its own (dedup_key vigil-test-<key>). PagerDuty answers 202 { status: 'success', dedup_key }.
 */

export interface PagerDutyChannelConfig {
  type: 'pagerduty';
  /** The Events API v2 integration key of the service. */
  routing_key: string;
  /** Default https://events.pagerduty.com/v2/enqueue (https://events.eu.pagerduty.com/v2/enqueue in the EU). */
  url?: string;
  template?: MessageTemplate;
}

export const DEFAULT_PAGERDUTY_URL = 'https://events.pagerduty.com/v2/enqueue';
const USER_AGENT = 'vigil-notify/1';
const MAX_SUMMARY = 1024;

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';
export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';

export const PAGERDUTY_SEVERITY: Record<Priority, PagerDutySeverity> = {
  P1: 'critical',
  P2: 'error',
  P3: 'warning',
  P4: 'info',
  P5: 'info',
};

export interface PagerDutyTrigger {
  routing_key: string;
  event_action: 'trigger';
  dedup_key: string;
  payload: {
    summary: string;
    source: string;
    severity: PagerDutySeverity;
    timestamp: string;
    group?: string;
    class?: string;
    custom_details: Record<string, unknown>;
  };
  links?: Array<{ href: string; text: string }>;
  client: string;
  client_url?: string;
}

export interface PagerDutyStateEvent {
  routing_key: string;
  event_action: 'acknowledge' | 'resolve';
  dedup_key: string;
}

export type PagerDutyEvent = PagerDutyTrigger | PagerDutyStateEvent;

const CLOSED_STATUSES = new Set(['resolved', 'closed', 'false_positive']);
const WORKED_ON_STATUSES = new Set(['acknowledged', 'investigating', 'contained']);
const TRIGGER_EVENTS = new Set(['opened', 'updated', 'escalated', 'repeat']);

/** What a message of an incident does to its PagerDuty alert. */
export function pagerDutyAction(event: NotifyMessage['event'] | string, status: string): PagerDutyAction {
  if (event === 'resolved' || CLOSED_STATUSES.has(status)) return 'resolve';
  if (event === 'state_changed' && WORKED_ON_STATUSES.has(status)) return 'acknowledge';
  return 'trigger';
}

/** The Events API v2 events one message becomes (one, or one per digest entry). */
export function pagerDutyEvents(message: NotifyMessage, routingKey: string, template?: MessageTemplate): PagerDutyEvent[] {
  const incident = message.incident;
  if (incident) {
    const action = pagerDutyAction(message.event, incident.status);
    if (action !== 'trigger') return [{ routing_key: routingKey, event_action: action, dedup_key: incident.id }];
    const link = isAbsoluteUrl(incident.url) ? incident.url : undefined;
    const event: PagerDutyTrigger = {
      routing_key: routingKey,
      event_action: 'trigger',
      dedup_key: incident.id,
      payload: {
        summary: truncate(messageTitle(message, template), MAX_SUMMARY),
        source: incident.hosts[0] ?? 'vigil',
        severity: PAGERDUTY_SEVERITY[incident.priority],
        timestamp: incident.detected_at,
        custom_details: {
          text: messageText(message, template),
          priority: incident.priority,
          score: incident.score,
          summary: incident.summary,
          status: incident.status,
          assignee: incident.assignee,
          url: incident.url,
          services: incident.services,
          hosts: incident.hosts,
          kill_chain: incident.kill_chain,
          alert_count: incident.alert_count,
          change: incident.change ? changeLine(incident.change) : null,
        },
      },
      client: PRODUCT,
    };
    if (incident.services[0]) event.payload.group = incident.services[0];
    const stage = incident.kill_chain.at(-1);
    if (stage) event.payload.class = stage;
    if (link) {
      event.links = [{ href: link, text: ACTION_LABELS.open }];
      event.client_url = link;
    }
    return [event];
  }

  if (message.digest) {
    const events: PagerDutyEvent[] = [];
    for (const entry of message.digest) {
      // A state change says nothing of the state it went to: left to the next full message.
      if (entry.event === 'state_changed') continue;
      if (entry.event === 'resolved') {
        events.push({ routing_key: routingKey, event_action: 'resolve', dedup_key: entry.incident_id });
        continue;
      }
      events.push({
        routing_key: routingKey,
        event_action: 'trigger',
        dedup_key: entry.incident_id,
        payload: {
          summary: truncate(`[${entry.priority}] ${entry.incident_id}: ${oneLine(entry.title)}`, MAX_SUMMARY),
          source: 'vigil',
          severity: PAGERDUTY_SEVERITY[entry.priority],
          timestamp: entry.at,
          custom_details: { priority: entry.priority, event: entry.event, text: messageText(message, template) },
        },
        client: PRODUCT,
      });
    }
    return events;
  }

  return [
    {
      routing_key: routingKey,
      event_action: 'trigger',
      dedup_key: `vigil-test-${message.key}`,
      payload: {
        summary: truncate(messageTitle(message, template), MAX_SUMMARY),
        source: 'vigil',
        severity: 'info',
        timestamp: message.at,
        custom_details: { event: message.event, text: messageText(message, template) },
      },
      client: PRODUCT,
    },
  ];
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

export function createPagerDutyChannel(config: PagerDutyChannelConfig, name: string): Channel {
  const where = `pagerduty channel "${name}"`;
  if (typeof config !== 'object' || config === null) throw new Error(`${where}: config must be an object`);
  const raw = config as unknown as Record<string, unknown>;
  if (raw.type !== undefined && raw.type !== 'pagerduty') throw new Error(`${where}: type must be "pagerduty"`);
  const routingKey = raw.routing_key;
  if (typeof routingKey !== 'string' || routingKey.trim() === '') throw new Error(`${where}: routing_key is required`);
  const url = raw.url ?? DEFAULT_PAGERDUTY_URL;
  if (typeof url !== 'string' || url.trim() === '') throw new Error(`${where}: url must be a non-empty string`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${where}: url is not a valid URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`${where}: url must be an http(s) URL`);
  const template = checkTemplate(raw.template, where);
  const headers = { 'Content-Type': 'application/json', 'User-Agent': USER_AGENT };

  return {
    name,
    type: 'pagerduty',
    async send(message, _thread, context) {
      let dedupKey: string | undefined;
      for (const event of pagerDutyEvents(message, routingKey, template)) {
        const answer = await post(context, url, headers, JSON.stringify(event), `${where} ${event.event_action} ${event.dedup_key}`);
        try {
          const parsedAnswer = JSON.parse(answer) as { dedup_key?: unknown };
          dedupKey = typeof parsedAnswer.dedup_key === 'string' ? parsedAnswer.dedup_key : event.dedup_key;
        } catch {
          dedupKey = event.dedup_key;
        }
      }
      return message.incident && dedupKey ? { thread: { dedup_key: dedupKey } } : {};
    },
  };
}
