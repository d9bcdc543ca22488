import type { Alert, AlertLevel, AttackContext, VigilEvent } from '../core/index.ts';
import { getPath, newId, sha256Hex } from '../lib/index.ts';
import type { SigmaRuleMeta } from './types.ts';

const LEVELS: readonly AlertLevel[] = ['informational', 'low', 'medium', 'high', 'critical'];
export const alertLevel = (level: string | undefined): AlertLevel => (LEVELS.includes(level as AlertLevel) ? (level as AlertLevel) : 'medium');

const text = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.flatMap(text);
  return typeof value === 'string' && value !== '' ? [value] : typeof value === 'number' ? [String(value)] : [];
};

const unique = (values: string[]): string[] => [...new Set(values)];

/** Hosts, users and addresses an event is about, from its ECS fields. */
export function entitiesOf(events: VigilEvent[]): Alert['entities'] {
  return {
    hosts: unique(events.flatMap((e) => text(getPath(e, 'host.name')))),
    users: unique(events.flatMap((e) => [...text(getPath(e, 'user.name')), ...text(getPath(e, 'user.target.name'))])),
    ips: unique(events.flatMap((e) => [...text(getPath(e, 'source.ip')), ...text(getPath(e, 'destination.ip'))])),
    services: unique(events.flatMap((e) => text(getPath(e, 'service.name')))),
  };
}

export interface AlertInput {
  source: 'sigma' | 'correlation' | string;
  rule: SigmaRuleMeta | { id: string; title: string; level?: string; tags: string[]; description?: string };
  events: VigilEvent[];
  attack: AttackContext;
  /** Event time of the first and last contributing events, ms. */
  first: number;
  last: number;
  correlation?: Alert['correlation'];
  now?: Date;
}

/**
 * An alert for a detection. The fingerprint is the rule with the entities it is about, so the
 * same rule firing on the same host and user is one alert to deduplicate, not many.
 */
export function buildAlert(input: AlertInput): Alert {
  const entities = entitiesOf(input.events);
  const fingerprint = sha256Hex(
    [input.rule.id, entities.hosts.join(','), entities.users.join(','), input.correlation ? JSON.stringify(input.correlation.group) : ''].join('|'),
  ).slice(0, 32);
  return {
    id: newId(),
    fingerprint,
    source: input.source,
    rule: { id: input.rule.id, title: input.rule.title, level: alertLevel(input.rule.level), tags: input.rule.tags },
    ...(input.rule.description ? { description: input.rule.description } : {}),
    labels: { rule_id: input.rule.id, source: input.source, ...(entities.hosts[0] ? { host: entities.hosts[0] } : {}) },
    entities,
    attack: input.attack,
    event_ids: input.events.map((e) => e.id).slice(0, 100),
    first_seen: new Date(input.first).toISOString(),
    last_seen: new Date(input.last).toISOString(),
    count: input.events.length,
    status: 'firing',
    suppressed_by: null,
    created_at: (input.now ?? new Date()).toISOString(),
    ...(input.correlation ? { correlation: input.correlation } : {}),
  };
}
