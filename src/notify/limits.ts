import { PRIORITIES, type Priority } from '../core/index.ts';
import { parseDuration } from '../lib/index.ts';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/**
 * A channel's quiet hours: a daily local-time range (crossing midnight allowed) in a time zone,
 * optionally only on some days; what is sent then waits until they end, unless its priority is
 * one that always goes through (P1 by default).
 */
export interface QuietHours {
  timezone: string;
  from: number;
  to: number;
  days: Set<string> | null;
  except: Priority[];
}

/** A channel's rate limit: at most `max` messages per `per_ms`; the rest fold into one digest. */
export interface RateLimit {
  max: number;
  per_ms: number;
}

const minutes = (text: unknown, field: string): number => {
  const m = typeof text === 'string' ? /^(\d{1,2}):(\d{2})$/.exec(text) : null;
  if (!m || Number(m[1]) > 24 || Number(m[2]) > 59) throw new Error(`${field} must be a time HH:MM`);
  return Number(m[1]) * 60 + Number(m[2]);
};

export function parseQuietHours(input: unknown, where: string): QuietHours | null {
  if (input === undefined || input === null) return null;
  const q = input as Record<string, unknown>;
  if (typeof q !== 'object' || Array.isArray(q)) throw new Error(`${where} must be {timezone, from, to, days?, except?}`);
  const timezone = typeof q.timezone === 'string' ? q.timezone : 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new Error(`${where}.timezone: unknown time zone ${timezone}`);
  }
  const days = q.days === undefined ? null : new Set((q.days as unknown[]).map((d) => String(d).toLowerCase().slice(0, 3)));
  if (days) for (const d of days) if (!(DAYS as readonly string[]).includes(d)) throw new Error(`${where}.days: ${d} is not a day`);
  const except = (q.except ?? ['P1']) as Priority[];
  if (!Array.isArray(except) || !except.every((p) => PRIORITIES.includes(p))) throw new Error(`${where}.except must list priorities`);
  return { timezone, from: minutes(q.from, `${where}.from`), to: minutes(q.to, `${where}.to`), days, except };
}

export function parseRateLimit(input: unknown, where: string): RateLimit | null {
  if (input === undefined || input === null) return null;
  const r = input as { max?: unknown; per?: unknown };
  if (typeof r.max !== 'number' || !Number.isInteger(r.max) || r.max < 1) throw new Error(`${where}.max must be a positive integer`);
  if (typeof r.per !== 'string') throw new Error(`${where}.per must be a duration such as 1m`);
  return { max: r.max, per_ms: parseDuration(r.per) };
}

/** Local weekday and minute of the day at `at` in a time zone. */
function localTime(at: number, timezone: string): { day: string; minute: number } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(at));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '0';
  return { day: get('weekday').toLowerCase().slice(0, 3), minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

/** Whether `at` falls in the quiet hours (the day is the one the range started on). */
export function isQuiet(quiet: QuietHours, at: number): boolean {
  const { day, minute } = localTime(at, quiet.timezone);
  if (quiet.from === quiet.to) return false;
  if (quiet.from < quiet.to) return minute >= quiet.from && minute < quiet.to && (!quiet.days || quiet.days.has(day));
  // Across midnight: the evening part belongs to today, the morning part to yesterday.
  if (minute >= quiet.from) return !quiet.days || quiet.days.has(day);
  if (minute < quiet.to) {
    const yesterday = DAYS[(DAYS.indexOf(day as (typeof DAYS)[number]) + 6) % 7]!;
    return !quiet.days || quiet.days.has(yesterday);
  }
  return false;
}

/** When the quiet hours around `at` end (the first minute that is not quiet), or `at` when not quiet. */
export function quietEnd(quiet: QuietHours, at: number): number {
  if (!isQuiet(quiet, at)) return at;
  // Minute steps from the next whole minute: at most a day, DST-proof because each is checked.
  let t = Math.floor(at / 60_000) * 60_000 + 60_000;
  for (let i = 0; i < 1500 && isQuiet(quiet, t); i++) t += 60_000;
  return t;
}

/**
 * Counts messages per channel in fixed windows. `admit` says whether one more may go now; when
 * not, the message folds into the digest sent at `windowEnd`.
 */
export class RateWindows {
  private readonly windows = new Map<string, { start: number; count: number }>();

  admit(channel: string, limit: RateLimit, at: number): { ok: true } | { ok: false; windowStart: number; windowEnd: number } {
    const start = Math.floor(at / limit.per_ms) * limit.per_ms;
    let window = this.windows.get(channel);
    if (!window || window.start !== start) this.windows.set(channel, (window = { start, count: 0 }));
    if (window.count < limit.max) {
      window.count++;
      return { ok: true };
    }
    return { ok: false, windowStart: start, windowEnd: start + limit.per_ms };
  }
}
