import { NOTIFY_EVENTS, PRIORITIES, type NotifyEvent, type Priority } from '../core/index.ts';
import { parseDuration } from '../lib/index.ts';

/** Who hears about what: a condition on the incident and the event, and the channels to tell. */
export interface NotifyPolicy {
  name: string;
  when: {
    priority?: Priority[];
    /** Any of the incident's services. */
    service?: string[];
    /** The most critical tier among its services is one of these. */
    service_tier?: number[];
    /** The team owning any of its services. */
    team?: string[];
    /** The verdict of its most likely change (expected-change, unauthorised-change, window-violation, no-change). */
    verdict?: string[];
    /** Default: every event. */
    event?: NotifyEvent[];
  };
  channels: string[];
  /** Further channels, each after a delay, while nobody has acknowledged the incident. */
  escalation: Array<{ after_ms: number; after: string; channels: string[] }>;
}

/** What a policy condition is checked against. */
export interface PolicyFacts {
  event: NotifyEvent;
  priority: Priority;
  services: Array<{ name: string; tier: number | null; team: string | null }>;
  verdict: string;
}

const VERDICTS = ['expected-change', 'unauthorised-change', 'window-violation', 'no-change'];
const FIELDS = new Set(['name', 'when', 'channels', 'escalation']);
const WHEN_FIELDS = new Set(['priority', 'service', 'service_tier', 'team', 'verdict', 'event']);

/** A policy as written in vigil.yaml or sent to the API, checked; errors name the field. */
export function parsePolicy(input: unknown, where: string, channels: ReadonlySet<string>): NotifyPolicy {
  const fail = (field: string, reason: string): never => {
    throw new PolicyError(`${where}.${field}`, reason);
  };
  if (!input || typeof input !== 'object' || Array.isArray(input)) return fail('', 'must be an object');
  const body = input as Record<string, unknown>;
  for (const key of Object.keys(body)) if (!FIELDS.has(key)) fail(key, 'is not a field of a policy');
  if (typeof body.name !== 'string' || !/^[A-Za-z0-9_.-]{1,100}$/.test(body.name)) fail('name', 'must be 1-100 letters, digits, _ . -');
  const when = (body.when ?? {}) as Record<string, unknown>;
  if (typeof when !== 'object' || Array.isArray(when)) fail('when', 'must be an object');
  for (const key of Object.keys(when)) if (!WHEN_FIELDS.has(key)) fail(`when.${key}`, 'is not a condition (priority, service, service_tier, team, verdict, event)');
  const list = (field: string, allowed?: readonly (string | number)[], kind: 'string' | 'number' = 'string'): unknown[] | undefined => {
    const value = when[field];
    if (value === undefined) return undefined;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (typeof v !== kind) fail(`when.${field}`, `must be a ${kind} or a list of them`);
      if (allowed && !allowed.includes(v as string | number)) fail(`when.${field}`, `${JSON.stringify(v)} is not one of ${allowed.join(', ')}`);
    }
    return values;
  };
  const targets = body.channels;
  if (!Array.isArray(targets) || targets.length === 0 || !targets.every((c) => typeof c === 'string')) fail('channels', 'must be a non-empty list of channel names');
  for (const channel of targets as string[]) if (!channels.has(channel)) fail('channels', `no channel is named ${JSON.stringify(channel)}`);
  const escalation = body.escalation ?? [];
  if (!Array.isArray(escalation)) fail('escalation', 'must be a list of {after, channels}');
  const steps = (escalation as unknown[]).map((step, i) => {
    const s = step as { after?: unknown; channels?: unknown };
    if (!s || typeof s !== 'object' || typeof s.after !== 'string') return fail(`escalation[${i}].after`, 'must be a duration such as 15m');
    let afterMs = 0;
    try {
      afterMs = parseDuration(s.after);
    } catch {
      fail(`escalation[${i}].after`, 'must be a duration such as 15m');
    }
    if (!Array.isArray(s.channels) || s.channels.length === 0 || !s.channels.every((c) => typeof c === 'string' && channels.has(c))) {
      fail(`escalation[${i}].channels`, 'must list configured channel names');
    }
    return { after: s.after, after_ms: afterMs, channels: s.channels as string[] };
  });
  const priority = list('priority', PRIORITIES) as Priority[] | undefined;
  const tiers = list('service_tier', [1, 2, 3, 4], 'number') as number[] | undefined;
  const events = list('event', NOTIFY_EVENTS) as NotifyEvent[] | undefined;
  const verdict = list('verdict', VERDICTS) as string[] | undefined;
  const service = list('service') as string[] | undefined;
  const team = list('team') as string[] | undefined;
  return {
    name: body.name as string,
    when: {
      ...(priority ? { priority } : {}),
      ...(tiers ? { service_tier: tiers } : {}),
      ...(events ? { event: events } : {}),
      ...(verdict ? { verdict } : {}),
      ...(service ? { service } : {}),
      ...(team ? { team } : {}),
    },
    channels: targets as string[],
    escalation: steps.sort((a, b) => a.after_ms - b.after_ms),
  };
}

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** Whether a policy's condition holds; every condition given must hold. */
export function policyMatches(policy: NotifyPolicy, facts: PolicyFacts): boolean {
  const { when } = policy;
  if (when.event && !when.event.includes(facts.event)) return false;
  if (when.priority && !when.priority.includes(facts.priority)) return false;
  if (when.verdict && !when.verdict.includes(facts.verdict)) return false;
  if (when.service && !facts.services.some((s) => when.service!.some((w) => w.toLowerCase() === s.name.toLowerCase()))) return false;
  if (when.team && !facts.services.some((s) => s.team !== null && when.team!.some((w) => w.toLowerCase() === s.team!.toLowerCase()))) return false;
  if (when.service_tier) {
    const tiers = facts.services.map((s) => s.tier).filter((t): t is number => t !== null);
    if (tiers.length === 0 || !when.service_tier.includes(Math.min(...tiers))) return false;
  }
  return true;
}

/** The channels to tell, each once, with the first policy that named it. */
export function route(policies: readonly NotifyPolicy[], facts: PolicyFacts): Array<{ channel: string; policy: string }> {
  const out: Array<{ channel: string; policy: string }> = [];
  for (const policy of policies) {
    if (!policyMatches(policy, facts)) continue;
    for (const channel of policy.channels) if (!out.some((o) => o.channel === channel)) out.push({ channel, policy: policy.name });
  }
  return out;
}
