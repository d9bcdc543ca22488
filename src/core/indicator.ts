import type { AlertLevel } from './alert.ts';

/**
 * Threat-intelligence indicators (DESIGN.md section 3): an observable known to be bad, where it
 * came from, how sure its source is and how long it is valid.
 */
export const INDICATOR_TYPES = ['ip', 'cidr', 'domain', 'url', 'md5', 'sha1', 'sha256', 'email', 'user', 'filename'] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

export function isIndicatorType(value: unknown): value is IndicatorType {
  return typeof value === 'string' && (INDICATOR_TYPES as readonly string[]).includes(value);
}

/** An indicator as an importer or a client states it, before its value is made canonical. */
export interface IndicatorInput {
  type: IndicatorType;
  value: string;
  /** Feed, file or person it came from. */
  source: string;
  /** 0-100. */
  confidence?: number;
  severity?: AlertLevel;
  tags?: string[];
  /** ISO 8601; null or absent: valid from the start / forever. */
  valid_from?: string | null;
  valid_until?: string | null;
  description?: string;
  /** The id it has at its source (STIX id, MISP attribute uuid), when it has one. */
  external_id?: string;
}

/** A stored indicator: the canonical value is its identity together with the type. */
export interface Indicator {
  /** `<type>:<canonical value>`: one indicator per observable, whatever number of sources state it. */
  id: string;
  type: IndicatorType;
  value: string;
  source: string;
  confidence: number;
  severity: AlertLevel;
  tags: string[];
  valid_from: string | null;
  valid_until: string | null;
  description: string;
  external_id: string | null;
  created_at: string;
  updated_at: string;
  /** How many events matched it, and the event time of the latest. */
  sightings: number;
  last_sighting: string | null;
}

/** The key indicators are stored and matched under. */
export function indicatorId(type: IndicatorType, canonicalValue: string): string {
  return `${type}:${canonicalValue}`;
}

/**
 * A named list of entities (VIP users, crown-jewel hosts, known scanners). Rules use it as a
 * placeholder (`%name%`), triage scores incidents touching it, silences match its label.
 */
export interface Watchlist {
  name: string;
  description: string;
  /** What its entries are; `any` matches hosts, users and IPs alike. */
  kind: 'user' | 'host' | 'ip' | 'any';
  entries: string[];
  /** Added to an incident's score factor when one of its entities is on the list (0-1). */
  weight: number;
  created_at: string;
  updated_at: string;
}

export const WATCHLIST_KINDS: ReadonlyArray<Watchlist['kind']> = ['user', 'host', 'ip', 'any'];

/** A search of stored events for indicators that arrived after the events did. */
export interface RetroHunt {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  /** Why it runs: the indicators that were new or changed (ids, capped in the record). */
  indicator_ids: string[];
  indicator_count: number;
  /** Event-time range searched, ISO. */
  from: string;
  to: string;
  /** Events the range holds (known once counted), events read so far, matches found. */
  total: number | null;
  scanned: number;
  matches: number;
  alerts: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
}
