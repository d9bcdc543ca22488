import { isClosedStatus, VigilError, type Incident } from '../core/index.ts';
import type { VigilConfig } from '../config/index.ts';
import type { Logger } from '../lib/index.ts';
import { jiraInbound, pagerDutyInbound, slackInbound } from '../notify/integrations/index.ts';
import type { ChangeService } from './changes.ts';
import type { IncidentViews } from './incident-views.ts';
import type { NotifyService } from './notify.ts';
import type { TriageService } from './triage.ts';

const { slackReply } = slackInbound;

/** Slack wants an answer within 3 seconds: past this, answer at once and follow up on response_url. */
const SLACK_ANSWER_MS = 2500;

export interface InboundRequest {
  raw: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

export interface InboundAnswer {
  status: number;
  body: unknown;
}

const header = (request: InboundRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * The facts coming back from the tools: Slack slash commands and buttons, PagerDuty and Jira
 * webhooks, each verified by its signature, each action an audit record naming the person in the
 * tool (`slack:alice`, `pagerduty:Alice Example`, `jira:Alice Example`).
 */
export class ChatOps {
  constructor(
    private readonly config: VigilConfig,
    private readonly triage: TriageService,
    private readonly changes: ChangeService,
    private readonly views: IncidentViews,
    private readonly notify: NotifyService,
    private readonly logger: Logger,
    private readonly clock: () => Date = () => new Date(),
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  private slackVerified(request: InboundRequest): InboundAnswer | null {
    const secret = this.config.integrations.slack.signing_secret;
    if (!secret) return { status: 503, body: { error: { code: 'not_configured', message: 'integrations.slack.signing_secret is not set' } } };
    const verdict = slackInbound.verifySlackRequest(secret, { timestamp: header(request, 'x-slack-request-timestamp'), signature: header(request, 'x-slack-signature') }, request.raw, this.clock());
    return verdict.ok ? null : { status: 401, body: { error: { code: 'bad_signature', message: verdict.reason } } };
  }

  /** `POST /api/v1/integrations/slack/commands`. */
  async slackCommand(request: InboundRequest): Promise<InboundAnswer> {
    const refused = this.slackVerified(request);
    if (refused) return refused;
    const command = slackInbound.parseSlashCommand(request.raw);
    if (!command.ok) return { status: 400, body: { error: { code: 'bad_request', message: command.error } } };
    const actor = `slack:${command.user.name || command.user.id}`;
    return { status: 200, body: await this.answerInTime(this.run(slackInbound.parseVigilCommand(command.text), actor, command.user.name || command.user.id), command.responseUrl) };
  }

  /** `POST /api/v1/integrations/slack/interactions` (the buttons on Vigil's messages). */
  async slackInteraction(request: InboundRequest): Promise<InboundAnswer> {
    const refused = this.slackVerified(request);
    if (refused) return refused;
    const interaction = slackInbound.parseInteraction(request.raw);
    if (!interaction.ok) return { status: 400, body: { error: { code: 'bad_request', message: interaction.error } } };
    const actor = `slack:${interaction.user.name || interaction.user.id}`;
    const replies: string[] = [];
    for (const action of interaction.actions) replies.push((await this.run(slackInbound.toCommand(action), actor, interaction.user.name || interaction.user.id)).text);
    const reply = slackReply(replies.join('\n'));
    // Buttons answer on response_url; the HTTP answer only acknowledges the click.
    if (interaction.responseUrl) void this.followUp(interaction.responseUrl, { ...reply, replace_original: false });
    return { status: 200, body: reply };
  }

  /** The reply if it is ready within Slack's 3 seconds; else a holding answer and the reply later on response_url. */
  private async answerInTime(work: Promise<slackInbound.SlackReply>, responseUrl: string): Promise<slackInbound.SlackReply> {
    const timer = new Promise<null>((resolve) => setTimeout(() => resolve(null), SLACK_ANSWER_MS).unref());
    const first = await Promise.race([work, timer]);
    if (first) return first;
    void work.then((reply) => {
      if (responseUrl) void this.followUp(responseUrl, reply);
    });
    return slackReply('Working on it…');
  }

  private async followUp(url: string, body: unknown): Promise<void> {
    try {
      const response = await this.fetchImpl(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
      if (!response.ok) this.logger.warn({ status: response.status }, 'Slack response_url refused the follow-up');
    } catch (error) {
      this.logger.warn({ err: error }, 'Slack response_url follow-up failed');
    }
  }

  /** Runs a /vigil command as `actor`; every answer names what it acted on. */
  async run(command: slackInbound.VigilCommand, actor: string, user: string): Promise<slackInbound.SlackReply> {
    try {
      switch (command.action) {
        case 'help':
          return slackReply(slackInbound.VIGIL_HELP);
        case 'error':
          return slackReply(`${command.message}\n${slackInbound.VIGIL_HELP}`);
        case 'ack': {
          const incident = await this.triage.patchIncident(command.incident, { status: 'acknowledged' }, actor);
          return slackReply(`${incident.id} acknowledged by ${user}: ${incident.title}`, { inChannel: true });
        }
        case 'resolve': {
          const incident = await this.triage.patchIncident(command.incident, { status: 'resolved', ...(command.reason ? { reason: command.reason } : {}) }, actor);
          return slackReply(`${incident.id} resolved by ${user}: ${incident.title}`, { inChannel: true });
        }
        case 'assign': {
          const incident = await this.triage.patchIncident(command.incident, { assignee: command.user }, actor);
          return slackReply(`${incident.id} assigned to ${command.user} by ${user}: ${incident.title}`, { inChannel: true });
        }
        case 'note': {
          await this.triage.addNote(command.incident, command.text, actor);
          return slackReply(`Note added to ${command.incident}.`);
        }
        case 'status': {
          const page = await this.views.list({ status: 'open', q: `assignee:"${user.replace(/"/g, '')}"`, sort: '-score', limit: 20 });
          if (page.items.length === 0) return slackReply(`No open incidents are assigned to ${user}.`);
          return slackReply([`Open incidents assigned to ${user}:`, ...page.items.map((i: Incident) => `• [${i.priority}] ${i.id} ${i.status}: ${i.title}`)].join('\n'));
        }
        case 'change': {
          const change = await this.changes.act(command.change, command.step, actor);
          return slackReply(`${change.id} ${command.step === 'start' ? 'started' : 'completed'} by ${user}: ${change.title}`, { inChannel: true });
        }
      }
    } catch (error) {
      if (error instanceof VigilError) return slackReply(`Could not do that: ${error.message}`);
      this.logger.error({ err: error }, 'chat command failed');
      return slackReply('Could not do that: an internal error (see the server log).');
    }
  }

  /**
   * A signed JSON callback: refused without a configured secret (503) or with a bad signature
   * (401), then parsed; `act` gets the body only when both hold.
   */
  private async signedJson(
    request: InboundRequest,
    secret: string | undefined,
    setting: string,
    verify: (secret: string, raw: Buffer) => { ok: true } | { ok: false; reason: string },
    act: (body: unknown) => Promise<InboundAnswer>,
  ): Promise<InboundAnswer> {
    if (!secret) return { status: 503, body: { error: { code: 'not_configured', message: `${setting} is not set` } } };
    const verdict = verify(secret, request.raw);
    if (!verdict.ok) return { status: 401, body: { error: { code: 'bad_signature', message: verdict.reason } } };
    let body: unknown;
    try {
      body = JSON.parse(request.raw.toString('utf8'));
    } catch {
      return { status: 400, body: { error: { code: 'bad_request', message: 'body is not JSON' } } };
    }
    return act(body);
  }

  /** `POST /api/v1/integrations/pagerduty/webhook`: an acknowledge or resolve in PagerDuty moves the incident. */
  pagerDuty(request: InboundRequest): Promise<InboundAnswer> {
    const secret = this.config.integrations.pagerduty.webhook_secret;
    return this.signedJson(request, secret, 'integrations.pagerduty.webhook_secret', (key, raw) => pagerDutyInbound.verifyPagerDutySignature(key, header(request, 'x-pagerduty-signature'), raw), async (body) => {
      const parsed = pagerDutyInbound.parsePagerDutyWebhook(body);
      if (!parsed.ok) return { status: 400, body: { error: { code: 'bad_request', message: parsed.error } } };
      const action = pagerDutyInbound.toVigilAction(parsed);
      if (action.action === 'ignore') return { status: 200, body: { ignored: action.reason } };
      const actor = `pagerduty:${parsed.agent ?? 'unknown'}`;
      return { status: 200, body: await this.moveIncident(action.incident, action.action === 'ack' ? 'acknowledged' : 'resolved', actor, `in PagerDuty by ${parsed.agent ?? 'someone'}`) };
    });
  }

  /** `POST /api/v1/integrations/jira/webhook`: closing the Jira issue Vigil opened resolves the incident. */
  jira(request: InboundRequest): Promise<InboundAnswer> {
    const secret = this.config.integrations.jira.webhook_secret;
    return this.signedJson(request, secret, 'integrations.jira.webhook_secret', (key, raw) => jiraInbound.verifyJiraSignature(key, header(request, 'x-hub-signature'), raw), async (body) => {
      const parsed = jiraInbound.parseJiraWebhook(body);
      if (!parsed.ok) return { status: 400, body: { error: { code: 'bad_request', message: parsed.error } } };
      const action = jiraInbound.toVigilAction(parsed);
      if (action.action === 'ignore') return { status: 200, body: { ignored: action.reason } };
      let incident: string | null = null;
      for (const channel of this.notify.channelsOfType('jira')) incident ??= await this.notify.incidentOfThread(channel, 'key', parsed.issueKey);
      if (!incident) return { status: 200, body: { ignored: `issue ${parsed.issueKey} is not one Vigil opened` } };
      return { status: 200, body: await this.moveIncident(incident, 'resolved', `jira:${parsed.actor ?? 'unknown'}`, `issue ${parsed.issueKey} closed in Jira`) };
    });
  }

  /** A state change from a tool; one the incident is already in (Vigil's own echo) changes nothing. */
  private async moveIncident(id: string, status: 'acknowledged' | 'resolved', actor: string, reason: string): Promise<unknown> {
    const current = await this.triage.getIncident(id);
    if (!current) return { ignored: `incident ${id} not found` };
    if (current.status === status || (status === 'acknowledged' && current.acknowledged_at) || (status === 'resolved' && isClosedStatus(current.status))) {
      return { incident: id, status: current.status, changed: false };
    }
    try {
      const incident = await this.triage.patchIncident(id, { status, reason }, actor);
      return { incident: id, status: incident.status, changed: true };
    } catch (error) {
      if (error instanceof VigilError) return { incident: id, status: current.status, changed: false, reason: error.message };
      throw error;
    }
  }
}
