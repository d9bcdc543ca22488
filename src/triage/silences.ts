/**
 * Silences: time-bounded sets of matchers that mute alerts. They apply on an alert's event time,
 * so a late alert is judged by when it happened, not when it arrived.
 */
import { VigilError, type Matcher, type Silence, type SilenceState } from '../core/index.ts';
import { parseDuration } from '../lib/index.ts';
import { compileMatchers, matcherFromInput, type LabelPredicate, type Labels } from './matchers.ts';

export type SilenceInput = Omit<Silence, 'id' | 'created_at' | 'updated_at'>;

const msOf = (iso: string | null | undefined): number => (iso ? Date.parse(iso) : NaN);

/** Pending before starts_at, active in [starts_at, ends_at), expired from ends_at or from expired_at if earlier. */
export function silenceState(s: Silence, atMs: number): SilenceState {
  return stateAt(msOf(s.starts_at), msOf(s.ends_at), msOf(s.expired_at), atMs);
}

function stateAt(start: number, end: number, expired: number, at: number): SilenceState {
  // An early expiry wins even over "pending": a silence expired before it began never applies.
  if (expired <= at) return 'expired';
  if (Number.isNaN(start) || Number.isNaN(end)) return 'expired'; // unreadable times: never mute
  if (at < start) return 'pending';
  return at < end ? 'active' : 'expired';
}

interface Compiled {
  silence: Silence;
  start: number;
  end: number;
  expired: number;
  matches: LabelPredicate;
}

function compile(s: Silence): Compiled {
  let matches: LabelPredicate;
  try {
    matches = compileMatchers(s.matchers, 'matchers');
  } catch (e) {
    // A stored silence should never be invalid; say which one it is.
    if (e instanceof VigilError) throw new VigilError(e.code, `silence ${s.id}: ${e.message}`, e.status, e.field);
    throw e;
  }
  return { silence: s, start: msOf(s.starts_at), end: msOf(s.ends_at), expired: msOf(s.expired_at), matches };
}

/** The silences in force, compiled once, matched in insertion order. */
export class SilenceIndex {
  private entries = new Map<string, Compiled>();

  /** Replace every silence (all or nothing: an invalid one leaves the index as it was). */
  set(silences: Silence[]): void {
    const next = new Map<string, Compiled>();
    for (const s of silences) next.set(s.id, compile(s));
    this.entries = next;
  }

  upsert(s: Silence): void {
    this.entries.set(s.id, compile(s));
  }

  remove(id: string): boolean {
    return this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The first silence active at event time `atMs` whose matchers all match, or null. */
  match(labels: Labels, atMs: number): Silence | null {
    for (const c of this.entries.values()) {
      if (stateAt(c.start, c.end, c.expired, atMs) === 'active' && c.matches(labels)) return c.silence;
    }
    return null;
  }
}

const invalid = (field: string, message: string) => new VigilError('invalid_silence', `${field}: ${message}`, 400, field);

// RFC 3339 date-time; the offset is required so no server time zone sneaks in.
const ISO_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

function parseTime(value: unknown, field: string): number {
  const m = typeof value === 'string' ? ISO_WITH_OFFSET.exec(value) : null;
  const ms = m ? Date.parse(value as string) : NaN;
  // Date.parse rolls 2024-02-30 over to March: check the day exists.
  const [year, month, day] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  if (!m || Number.isNaN(ms) || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) {
    throw invalid(field, `expected an ISO 8601 time with an offset, e.g. 2024-05-01T12:00:00Z (got ${JSON.stringify(value)})`);
  }
  return ms;
}

const KNOWN_KEYS = new Set(['matchers', 'starts_at', 'ends_at', 'duration', 'comment', 'created_by']);
// Fields a client may echo back from a silence it read; the server owns them.
const READ_ONLY_KEYS = new Set(['id', 'created_at', 'updated_at', 'expired_at', 'status', 'state']);

/** Check a silence from the API. The creator is the authenticated caller, whatever the body says. */
export function validateSilenceInput(body: unknown, now: Date, creator: string): SilenceInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body', 'expected a JSON object');
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (KNOWN_KEYS.has(key) || READ_ONLY_KEYS.has(key)) continue;
    const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    throw invalid(key, KNOWN_KEYS.has(snake) ? `unknown field; did you mean '${snake}'?` : 'unknown field');
  }

  if (!Array.isArray(b.matchers) || b.matchers.length === 0) throw invalid('matchers', 'expected a non-empty list of matchers');
  const matchers: Matcher[] = b.matchers.map((m, i) => matcherFromInput(m, `matchers[${i}]`));
  compileMatchers(matchers, 'matchers'); // bad or catastrophic regexes fail here, naming matchers[i]

  const start = b.starts_at === undefined || b.starts_at === null ? now.getTime() : parseTime(b.starts_at, 'starts_at');
  let end: number;
  if (b.ends_at !== undefined && b.ends_at !== null) {
    if (b.duration !== undefined && b.duration !== null) throw invalid('duration', 'give ends_at or duration, not both');
    end = parseTime(b.ends_at, 'ends_at');
    // Name the real mistake: an end in the past, not a start the caller never gave.
    if (end <= now.getTime()) throw invalid('ends_at', 'the silence would end in the past');
    if (end <= start) throw invalid('ends_at', 'must be after starts_at');
  } else if (b.duration !== undefined && b.duration !== null) {
    if (typeof b.duration !== 'string') throw invalid('duration', 'expected a duration such as "2h" or "30m"');
    let ms: number;
    try {
      ms = parseDuration(b.duration);
    } catch (e) {
      throw invalid('duration', (e as Error).message);
    }
    if (ms <= 0) throw invalid('duration', 'must be longer than zero');
    end = start + ms;
  } else {
    throw invalid('ends_at', 'required (or give a duration such as "2h")');
  }
  // Like Alertmanager: a silence over before it is created is a mistake (often a time zone one).
  if (end <= now.getTime()) throw invalid(b.ends_at != null ? 'ends_at' : 'duration', 'the silence would end in the past');

  if (typeof b.comment !== 'string' || b.comment.trim() === '') throw invalid('comment', 'required: say why alerts are silenced');

  return {
    matchers,
    starts_at: new Date(start).toISOString(),
    ends_at: new Date(end).toISOString(),
    created_by: creator,
    comment: b.comment,
    expired_at: null,
  };
}
