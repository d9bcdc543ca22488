import type { Channel } from '../channel.ts';
import { createEmailChannel, type EmailChannelConfig } from './email/index.ts';
import { createJiraChannel, type JiraChannelConfig } from './jira/index.ts';
import { createMattermostChannel, type MattermostChannelConfig } from './mattermost/index.ts';
import { createPagerDutyChannel, type PagerDutyChannelConfig } from './pagerduty/index.ts';
import { createServiceNowChannel, type ServiceNowChannelConfig } from './servicenow/index.ts';
import { createSlackChannel, type SlackChannelConfig } from './slack/index.ts';
import { createTeamsChannel, type TeamsChannelConfig } from './teams/index.ts';
import { createWebhookChannel, type WebhookChannelConfig } from './webhook/index.ts';

/** A configured channel (`notify.channels[]` in vigil.yaml) as the integration of its type. */
export function createChannel(config: Record<string, unknown> & { name: string; type: string }): Channel {
  const { name } = config;
  switch (config.type) {
    case 'webhook':
      return createWebhookChannel(config as unknown as WebhookChannelConfig, name);
    case 'slack':
      return createSlackChannel(config as unknown as SlackChannelConfig, name);
    case 'mattermost':
      return createMattermostChannel(config as unknown as MattermostChannelConfig, name);
    case 'teams':
      return createTeamsChannel(config as unknown as TeamsChannelConfig, name);
    case 'pagerduty':
      return createPagerDutyChannel(config as unknown as PagerDutyChannelConfig, name);
    case 'email':
      return createEmailChannel(config as unknown as EmailChannelConfig, name);
    case 'jira':
      return createJiraChannel(config as unknown as JiraChannelConfig, name);
    case 'servicenow':
      return createServiceNowChannel(config as unknown as ServiceNowChannelConfig, name);
    default:
      throw new Error(`type: ${JSON.stringify(config.type)} is not a channel type (webhook, slack, mattermost, teams, pagerduty, email, jira, servicenow)`);
  }
}

/** What comes back from the tools: each integration's signature checks and parsers. */
export * as slackInbound from './slack/inbound.ts';
export * as pagerDutyInbound from './pagerduty/inbound.ts';
export * as jiraInbound from './jira/inbound.ts';
