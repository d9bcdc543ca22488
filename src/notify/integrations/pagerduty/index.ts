import { isClosedStatus, type NotifyMessage, type Priority } from '../../../core/index.ts';
import type { Channel } from '../../channel.ts';
import { JSON_HEADERS, channelWhere, checkHttpUrl, configRecord, nonEmptyString, postJson, requireString } from '../http.ts';
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

const WORKED_ON_STATUSES = new Set(['acknowledged', 'investigating', 'contained']);
const TRIGGER_EVENTS = new Set(['opened', 'updated', 'escalated', 'repeat']);

/** What a message of an incident does to its PagerDuty alert. */
export function pagerDutyAction(event: NotifyMessage['event'] | string, status: string): PagerDutyAction {
  if (event === 'resolved' || isClosedStatus(status)) return 'resolve';
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

export function createPagerDutyChannel(config: PagerDutyChannelConfig, name: string): Channel {
  const where = channelWhere('pagerduty', name);
  const raw = configRecord(config, 'pagerduty', where);
  const routingKey = requireString(raw, 'routing_key', where);
  // Unset (or null): the US endpoint.
  const url = checkHttpUrl(nonEmptyString(raw.url ?? DEFAULT_PAGERDUTY_URL, 'url', where), 'url', where);
  const template = checkTemplate(raw.template, where);

  return {
    name,
    type: 'pagerduty',
    async send(message, _thread, context) {
      let dedupKey: string | undefined;
      for (const event of pagerDutyEvents(message, routingKey, template)) {
        const answer = await postJson(context, url, JSON.stringify(event), JSON_HEADERS, `${where} ${event.event_action} ${event.dedup_key}`);
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
