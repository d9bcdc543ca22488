import { badRequest, notFound, VigilError, type Delivery, type NotifyMessage, type TimelineEntry } from '../core/index.ts';
import type { VigilConfig } from '../config/index.ts';
import { newId, parseDuration, type Logger } from '../lib/index.ts';
// Integrations are adapters: only the composition root builds them (DESIGN.md section 2).
import { createChannel } from '../notify/integrations/index.ts';
import {
  NotifyRouter,
  OutboxSender,
  parsePolicy,
  parseQuietHours,
  parseRateLimit,
  PolicyError,
  type Channel,
  type ChannelRules,
  type NotifyPolicy,
} from '../notify/index.ts';
import type { DeliverySearch, Page, Store } from '../store/index.ts';
import type { AuditTrail } from './audit.ts';
import type { InventoryCache } from './inventory-cache.ts';

export interface TestResult {
  channel: string;
  ok: boolean;
  error: string | null;
}

/** The channel of a `notify.channels[]` entry: its own settings, without the delivery rules. */
export function channelOf(settings: Record<string, unknown> & { name: string; type: string }): Channel {
  const { quiet_hours: _quiet, rate_limit: _rate, ...own } = settings;
  return createChannel(own as Record<string, unknown> & { name: string; type: string });
}

/** A test message straight through a channel (the API's and `vigil notify test`'s). */
export async function sendTestMessage(channel: Channel, actor: string, timeoutMs: number, now: () => Date = () => new Date(), fetchImpl: typeof fetch = fetch): Promise<TestResult> {
  const message: NotifyMessage = { key: `test-${newId()}`, event: 'test', text: `Test message from Vigil, sent by ${actor}`, incident: null, at: now().toISOString() };
  try {
    await channel.send(message, null, { fetch: fetchImpl, now, signal: AbortSignal.timeout(timeoutMs) });
    return { channel: channel.name, ok: true, error: null };
  } catch (error) {
    return { channel: channel.name, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** A channel as the API lists it: never its secrets. */
export interface ChannelSummary {
  name: string;
  type: string;
  quiet_hours: boolean;
  rate_limit: string | null;
}

/**
 * Notifications from committed records to the tools: policies route them to channels through
 * the outbox (written before sending, delivered with retries and idempotency keys), people see
 * and resend deliveries. Built from `notify` in vigil.yaml plus policies made through the API.
 */
export class NotifyService {
  private readonly channels = new Map<string, Channel>();
  private readonly rules = new Map<string, ChannelRules>();
  private readonly summaries: ChannelSummary[] = [];
  private configPolicies: NotifyPolicy[] = [];
  private apiPolicies: NotifyPolicy[] = [];
  private readonly router: NotifyRouter;
  readonly sender: OutboxSender;
  private timer: NodeJS.Timeout | null = null;
  private routing: Promise<unknown> | null = null;
  private reroute = false;

  constructor(
    private readonly store: Store,
    private readonly config: VigilConfig,
    private readonly audit: AuditTrail,
    private readonly logger: Logger,
    inventory: InventoryCache,
    baseUrl: string,
    private readonly clock: () => Date = () => new Date(),
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    for (const [i, raw] of config.notify.channels.entries()) {
      const where = `notify.channels[${i}]`;
      const settings = raw as Record<string, unknown> & { name: string; type: string };
      const { quiet_hours: quiet, rate_limit: rate } = settings;
      if (this.channels.has(settings.name)) throw new VigilError('config', `${where}.name: a channel named ${settings.name} is already configured`, 400, `${where}.name`);
      try {
        this.channels.set(settings.name, channelOf(settings));
        const rules = { quiet: parseQuietHours(quiet, `${where}.quiet_hours`), rate: parseRateLimit(rate, `${where}.rate_limit`) };
        this.rules.set(settings.name, rules);
        this.summaries.push({ name: settings.name, type: settings.type, quiet_hours: rules.quiet !== null, rate_limit: rules.rate ? `${rules.rate.max} per ${(rate as { per: string }).per}` : null });
      } catch (error) {
        throw new VigilError('config', `${where}: ${(error as Error).message}`, 400, where);
      }
    }
    const names = new Set(this.channels.keys());
    this.configPolicies = config.notify.policies.map((p, i) => {
      try {
        return parsePolicy(p, `notify.policies[${i}]`, names);
      } catch (error) {
        if (error instanceof PolicyError) throw new VigilError('config', error.message, 400, error.field);
        throw error;
      }
    });
    this.router = new NotifyRouter(store, {
      policies: () => [...this.configPolicies, ...this.apiPolicies],
      rules: (channel) => this.rules.get(channel) ?? { quiet: null, rate: null },
      services: async (names) => {
        const index = await inventory.fresh();
        return names.map((name) => {
          const service = index.service(name);
          return { name, tier: service?.tier ?? null, team: service?.team ?? null };
        });
      },
      baseUrl,
      now: clock,
    });
    this.sender = new OutboxSender(store, {
      channels: () => this.channels,
      maxAttempts: config.notify.max_attempts,
      timeoutMs: parseDuration(config.notify.send_timeout),
      now: clock,
      fetch: fetchImpl,
      logger,
      onFailed: (delivery) => this.recordFailure(delivery),
    });
  }

  async start(): Promise<void> {
    const names = new Set(this.channels.keys());
    this.apiPolicies = [];
    for (const stored of await this.store.listNotifyPolicies()) {
      try {
        this.apiPolicies.push(parsePolicy(stored, 'policy', names));
      } catch (error) {
        this.logger.warn({ err: error }, 'a stored notification policy names a channel no longer configured; skipped');
      }
    }
    await this.route();
    this.sender.start();
    this.timer = setInterval(() => this.kick(), 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.routing;
    await this.sender.stop();
  }

  /** New notification records were committed: route them now. */
  kick(): void {
    if (this.routing) {
      this.reroute = true;
      return;
    }
    this.routing = this.route()
      .catch((error) => this.logger.error({ err: error }, 'notification routing failed; retrying'))
      .finally(() => {
        this.routing = null;
        if (this.reroute) {
          this.reroute = false;
          this.kick();
        }
      });
  }

  private async route(): Promise<void> {
    if (this.channels.size === 0) return;
    const queued = await this.router.catchUp();
    if (queued > 0) this.sender.kick();
  }

  /** Resolves once everything routed is sent or waiting for its time (tests). */
  async idle(): Promise<void> {
    while (this.routing) await this.routing;
    await this.sender.idle();
  }

  private async recordFailure(delivery: Delivery): Promise<void> {
    if (!delivery.incident_id) return;
    const entry: TimelineEntry = {
      incident_id: delivery.incident_id,
      at: this.clock().toISOString(),
      kind: 'notification_failed',
      actor: 'system',
      text: `notification to ${delivery.channel} failed: ${delivery.last_error ?? 'unknown error'} (delivery ${delivery.id})`,
      data: { delivery_id: delivery.id, channel: delivery.channel },
    };
    await this.store.write({ events: [], deadLetters: [], timeline: [entry] });
  }

  // ---- API --------------------------------------------------------------------------------------

  listChannels(): ChannelSummary[] {
    return this.summaries;
  }

  /** Sends a test message to a channel now (not through the outbox) and says how it went. */
  test(name: string, actor: string): Promise<TestResult> {
    const channel = this.channels.get(name);
    if (!channel) throw notFound(`channel '${name}'`);
    return sendTestMessage(channel, actor, parseDuration(this.config.notify.send_timeout), this.clock, this.fetchImpl);
  }

  policies(): Array<NotifyPolicy & { source: 'config' | 'api' }> {
    return [...this.configPolicies.map((p) => ({ ...p, source: 'config' as const })), ...this.apiPolicies.map((p) => ({ ...p, source: 'api' as const }))];
  }

  async putPolicy(body: unknown, actor: string): Promise<NotifyPolicy> {
    let policy: NotifyPolicy;
    try {
      policy = parsePolicy(body, 'policy', new Set(this.channels.keys()));
    } catch (error) {
      if (error instanceof PolicyError) throw badRequest(error.message, error.field.replace(/^policy\.?/, '') || 'body');
      throw error;
    }
    if (this.configPolicies.some((p) => p.name === policy.name)) throw new VigilError('conflict', `policy '${policy.name}' is defined in vigil.yaml`, 409, 'name');
    const before = this.apiPolicies.find((p) => p.name === policy.name) ?? null;
    await this.store.putNotifyPolicy(policy.name, body);
    this.apiPolicies = [...this.apiPolicies.filter((p) => p.name !== policy.name), policy];
    await this.audit.record({ actor, action: before ? 'notify.policy.update' : 'notify.policy.create', object_type: 'notify_policy', object_id: policy.name, before, after: policy });
    return policy;
  }

  async deletePolicy(name: string, actor: string): Promise<void> {
    if (this.configPolicies.some((p) => p.name === name)) throw new VigilError('conflict', `policy '${name}' is defined in vigil.yaml`, 409, 'name');
    const before = this.apiPolicies.find((p) => p.name === name);
    if (!before || !(await this.store.deleteNotifyPolicy(name))) throw notFound(`policy '${name}'`);
    this.apiPolicies = this.apiPolicies.filter((p) => p.name !== name);
    await this.audit.record({ actor, action: 'notify.policy.delete', object_type: 'notify_policy', object_id: name, before, after: null });
  }

  deliveries(params: { status?: string; channel?: string; incident?: string; limit?: number; cursor?: string }): Promise<Page<Delivery>> {
    const request: DeliverySearch = { limit: Math.min(params.limit ?? 100, 1000) };
    if (params.status) request.status = params.status as DeliverySearch['status'];
    if (params.channel) request.channel = params.channel;
    if (params.incident) request.incident_id = params.incident;
    if (params.cursor) request.before = Number(params.cursor);
    return this.store.searchDeliveries(request);
  }

  async delivery(id: string): Promise<Delivery> {
    const delivery = await this.store.getDelivery(id);
    if (!delivery) throw notFound(`delivery '${id}'`);
    return delivery;
  }

  /** Sends a delivery again now, under a new idempotency key (receivers would drop the old one). */
  async resend(id: string, actor: string): Promise<Delivery> {
    const delivery = await this.delivery(id);
    if (delivery.status === 'pending') throw new VigilError('conflict', `delivery '${id}' is ${delivery.status}`, 409, 'id');
    const resends = Number(/:resend(\d+)$/.exec(delivery.message.key)?.[1] ?? 0) + 1;
    const again: Delivery = {
      ...delivery,
      status: 'pending',
      attempts: 0,
      last_error: null,
      condition: undefined,
      next_attempt_at: this.clock().toISOString(),
      message: { ...delivery.message, key: `${delivery.id}:resend${resends}` },
    };
    await this.store.saveDelivery(again);
    await this.audit.record({ actor, action: 'notify.delivery.resend', object_type: 'delivery', object_id: id, before: { status: delivery.status }, after: { status: 'pending' } });
    this.sender.kick();
    return again;
  }

  /** The incident a channel's thread (a Jira issue key) belongs to. */
  incidentOfThread(channel: string, key: string, value: string): Promise<string | null> {
    return this.store.findThread(channel, key, value);
  }

  channelsOfType(type: string): string[] {
    return this.summaries.filter((s) => s.type === type).map((s) => s.name);
  }
}

