import type { Delivery, Incident, NotificationRecord, Priority } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { isQuiet, quietEnd, RateWindows, type QuietHours, type RateLimit } from './limits.ts';
import { buildMessage, eventOf, notifyIncident } from './message.ts';
import { policyMatches, route, type NotifyPolicy, type PolicyFacts } from './policy.ts';

/** A channel's delivery rules (the sending itself is the Channel's). */
export interface ChannelRules {
  quiet: QuietHours | null;
  rate: RateLimit | null;
}

export interface RouterOptions {
  policies: () => readonly NotifyPolicy[];
  rules: (channel: string) => ChannelRules;
  /** Tier and owning team of services, from the inventory. */
  services: (names: string[]) => Promise<PolicyFacts['services']>;
  baseUrl: string;
  now: () => Date;
}

export const NOTIFY_CHECKPOINT = 'notify';

/**
 * Turns committed notification records (triage's opened / updated / repeat / resolved, and state
 * changes) into outbox deliveries: the policies pick the channels, quiet hours hold, rate limits
 * fold into digests, escalation steps wait for an acknowledgement. The deliveries and the
 * checkpoint commit together, so a crash neither loses nor doubles a message.
 */
export class NotifyRouter {
  private readonly windows = new RateWindows();

  constructor(
    private readonly store: Store,
    private readonly options: RouterOptions,
  ) {}

  /** Routes every record after the checkpoint; returns how many deliveries it queued. */
  async catchUp(batch = 500): Promise<number> {
    let queued = 0;
    for (;;) {
      const after = await this.store.checkpoint(NOTIFY_CHECKPOINT);
      const records = await this.store.notificationsAfter(after, batch);
      if (records.length === 0) return queued;
      const deliveries: Delivery[] = [];
      for (const { position, record } of records) deliveries.push(...(await this.deliveriesFor(position, record)));
      await this.store.enqueueDeliveries(deliveries, { name: NOTIFY_CHECKPOINT, position: records[records.length - 1]!.position });
      queued += deliveries.length;
      if (records.length < batch) return queued;
    }
  }

  private async deliveriesFor(position: number, record: NotificationRecord): Promise<Delivery[]> {
    const incident = await this.store.getIncident(record.incident_id);
    if (!incident) return [];
    // Only an update may be an escalation: the previous notification matters for nothing else.
    const previous = record.reason === 'updated' ? await this.store.previousNotification(record.incident_id, position) : null;
    const event = eventOf(record, previous, incident);
    const facts: PolicyFacts = {
      event,
      priority: record.priority,
      services: await this.options.services(incident.services),
      verdict: incident.related_changes?.[0]?.verdict ?? 'no-change',
    };
    const policies = this.options.policies();
    const at = Date.parse(record.due_at);
    const shown = notifyIncident({ ...incident, priority: record.priority }, this.options.baseUrl);
    const out: Delivery[] = [];
    for (const target of route(policies, facts)) {
      out.push(...this.place(this.delivery(`${record.id}:${target.channel}`, target.channel, target.policy, incident, record.priority, event, at, shown)));
    }
    // Escalation: from the first notification on, later steps wait for an acknowledgement.
    if (event === 'opened') {
      for (const policy of policies) {
        if (policy.escalation.length === 0 || !policyMatches(policy, facts)) continue;
        policy.escalation.forEach((step, i) => {
          for (const channel of step.channels) {
            const delivery = this.delivery(`${record.id}:${policy.name}:esc${i}:${channel}`, channel, policy.name, incident, record.priority, 'escalated', at + step.after_ms, shown);
            delivery.condition = 'unacknowledged';
            delivery.message.text = `${delivery.message.text} (not acknowledged after ${step.after})`;
            out.push(delivery);
          }
        });
      }
    }
    return out;
  }

  private delivery(id: string, channel: string, policy: string | null, incident: Incident, priority: Priority, event: Delivery['event'], at: number, shown: ReturnType<typeof notifyIncident>): Delivery {
    const now = this.options.now().toISOString();
    return {
      id,
      channel,
      policy,
      incident_id: incident.id,
      event,
      priority,
      status: 'pending',
      attempts: 0,
      next_attempt_at: new Date(at).toISOString(),
      last_error: null,
      created_at: now,
      sent_at: null,
      message: buildMessage(id, event as Exclude<Delivery['event'], 'test' | 'digest'>, shown, new Date(at).toISOString()),
    };
  }

  /** Quiet hours hold a delivery; past the rate limit it folds into the window's digest. */
  private place(delivery: Delivery): Delivery[] {
    const rules = this.options.rules(delivery.channel);
    const at = Date.parse(delivery.next_attempt_at);
    if (rules.quiet && !rules.quiet.except.includes(delivery.priority as Priority) && isQuiet(rules.quiet, at)) {
      delivery.status = 'held';
      delivery.next_attempt_at = new Date(quietEnd(rules.quiet, at)).toISOString();
      return [delivery];
    }
    if (!rules.rate) return [delivery];
    const admitted = this.windows.admit(delivery.channel, rules.rate, at);
    if (admitted.ok) return [delivery];
    const digestId = `digest:${delivery.channel}:${admitted.windowStart}`;
    delivery.status = 'folded';
    delivery.digest_id = digestId;
    delivery.next_attempt_at = new Date(admitted.windowEnd).toISOString();
    const end = new Date(admitted.windowEnd).toISOString();
    // The digest row is the same for every message of the window (ignored when already queued).
    const digest: Delivery = {
      id: digestId,
      channel: delivery.channel,
      policy: null,
      incident_id: null,
      event: 'digest',
      priority: null,
      status: 'pending',
      attempts: 0,
      next_attempt_at: end,
      last_error: null,
      created_at: this.options.now().toISOString(),
      sent_at: null,
      message: { key: digestId, event: 'digest', text: 'Digest', incident: null, digest: [], at: end },
    };
    return [delivery, digest];
  }
}
