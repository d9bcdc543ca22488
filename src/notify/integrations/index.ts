import type { Channel } from '../channel.ts';
import { createEmailChannel } from './email/index.ts';
import { createJiraChannel } from './jira/index.ts';
import { createMattermostChannel } from './mattermost/index.ts';
import { createPagerDutyChannel } from './pagerduty/index.ts';
import { createServiceNowChannel } from './servicenow/index.ts';
import { createSlackChannel } from './slack/index.ts';
import { createTeamsChannel } from './teams/index.ts';
import { createWebhookChannel } from './webhook/index.ts';

type Factory = (config: never, name: string) => Channel;

/** Each channel type's integration. */
const FACTORIES: Record<string, Factory> = {
  webhook: createWebhookChannel as Factory,
  slack: createSlackChannel as Factory,
  mattermost: createMattermostChannel as Factory,
  teams: createTeamsChannel as Factory,
  pagerduty: createPagerDutyChannel as Factory,
  email: createEmailChannel as Factory,
  jira: createJiraChannel as Factory,
  servicenow: createServiceNowChannel as Factory,
};

/** A configured channel (`notify.channels[]` in vigil.yaml) as the integration of its type. */
export function createChannel(config: Record<string, unknown> & { name: string; type: string }): Channel {
  const factory = Object.hasOwn(FACTORIES, config.type) ? FACTORIES[config.type] : undefined;
  if (!factory) throw new Error(`type: ${JSON.stringify(config.type)} is not a channel type (${Object.keys(FACTORIES).join(', ')})`);
  return factory(config as never, config.name);
}

/** What comes back from the tools: each integration's signature checks and parsers. */
export * as slackInbound from './slack/inbound.ts';
export * as pagerDutyInbound from './pagerduty/inbound.ts';
export * as jiraInbound from './jira/inbound.ts';
