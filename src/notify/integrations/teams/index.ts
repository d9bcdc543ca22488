import type { NotifyMessage } from '../../../core/index.ts';
import type { Channel } from '../../channel.ts';
import { JSON_HEADERS, channelWhere, configRecord, postJson, requireHttpUrl } from '../http.ts';
import {
  ACTION_LABELS,
  PRIORITY_CARD_COLOURS,
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
 * Microsoft Teams through a Power Automate "workflow" webhook (the successor of the retired
 * Office 365 connectors): POST `{ type: 'message', attachments: [Adaptive Card 1.4] }`. The card
 * has the title (coloured by priority), the one-line text, a FactSet of the incident's fields, a
 * context line and an "Open in Vigil" button. The workflow answers 202 Accepted (any 2xx is
 * success). A workflow cannot edit its posts: each message is a new card.
 */

export interface TeamsChannelConfig {
  type: 'teams';
  webhook_url: string;
  template?: MessageTemplate;
}

export type CardElement = Record<string, unknown>;

export interface AdaptiveCard {
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  type: 'AdaptiveCard';
  version: '1.4';
  body: CardElement[];
  actions?: Array<{ type: 'Action.OpenUrl'; title: string; url: string }>;
  msteams: { width: 'Full' };
}

export interface TeamsPayload {
  type: 'message';
  attachments: Array<{ contentType: 'application/vnd.microsoft.card.adaptive'; contentUrl: null; content: AdaptiveCard }>;
}


/** Breaks Markdown links (`[text](url)`) in text that came from log lines: no phishing links in the card. */
export function defuseLinks(value: string): string {
  return value.replace(/\]\(/g, ']\u200b(');
}

const textBlock = (text: string, extra: Record<string, unknown> = {}): CardElement => ({ type: 'TextBlock', text: defuseLinks(text), wrap: true, ...extra });

export function adaptiveCard(message: NotifyMessage, template?: MessageTemplate): AdaptiveCard {
  const incident = message.incident;
  const body: CardElement[] = [
    textBlock(messageTitle(message, template), { weight: 'Bolder', size: 'Medium', ...(incident ? { color: PRIORITY_CARD_COLOURS[incident.priority] } : {}) }),
    textBlock(truncate(messageText(message, template), 2000)),
  ];
  if (incident) {
    body.push({ type: 'FactSet', facts: incidentFields(incident).map((f) => ({ title: f.label, value: defuseLinks(f.value) })) });
  }
  if (message.digest?.length) {
    for (const line of digestLines(message.digest)) body.push(textBlock(line, { spacing: 'None' }));
  }
  body.push(textBlock(contextLine(message), { size: 'Small', isSubtle: true }));
  const card: AdaptiveCard = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    msteams: { width: 'Full' },
  };
  if (incident && isAbsoluteUrl(incident.url)) card.actions = [{ type: 'Action.OpenUrl', title: ACTION_LABELS.open, url: incident.url }];
  return card;
}

export function teamsPayload(message: NotifyMessage, template?: MessageTemplate): TeamsPayload {
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: adaptiveCard(message, template) }],
  };
}

export function createTeamsChannel(config: TeamsChannelConfig, name: string): Channel {
  const where = channelWhere('teams', name);
  const raw = configRecord(config, 'teams', where);
  const url = requireHttpUrl(raw, 'webhook_url', where);
  const template = checkTemplate(raw.template, where);

  return {
    name,
    type: 'teams',
    async send(message, _thread, context) {
      const body = JSON.stringify(teamsPayload(message, template));
      await postJson(context, url, body, JSON_HEADERS, where);
      return {};
    },
  };
}
