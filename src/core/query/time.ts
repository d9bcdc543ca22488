import { VigilError } from '../errors.ts';

/** A time bound that could not be read. */
export class TimeParseError extends VigilError {
  constructor(readonly value: string, reason?: string) {
    super(
      'invalid_time',
      `invalid time ${JSON.stringify(value)}${reason ? ` (${reason})` : ''}: expected ISO 8601 (2024-01-31, ` +
        `2024-01-31T12:00:00Z, 2024-01-31T14:00:00+02:00), epoch milliseconds, or date math (now, now-15m, now-7d/d)`,
    );
    this.name = 'TimeParseError';
  }
}

export interface ParseTimeOptions {
  /**
   * Round up instead of down, as Elasticsearch does for `gt` and `lte` bounds: `now/d` becomes the
   * last millisecond of today, and a date without a time the last millisecond of that day
   * (`2024-01-31` → 2024-01-31T23:59:59.999Z; a time without seconds → hh:mm:59.999).
   */
  roundUp?: boolean;
}

type Unit = 'y' | 'M' | 'w' | 'd' | 'h' | 'm' | 's';
const FIXED_MS: Record<'w' | 'd' | 'h' | 'm' | 's', number> = {
  w: 7 * 86_400_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
};
const MAX_MS = 8.64e15;

const ISO =
  /^(\d{4})-(\d{2})(?:-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:\s*([Zz]|[+-]\d{2}(?::?\d{2})?))?)?)?$/;

function daysInMonth(year: number, month0: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month0 + 1, 0);
  return d.getUTCDate();
}

function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const dt = new Date(0);
  dt.setUTCFullYear(y, mo, d);
  dt.setUTCHours(h, mi, s, ms);
  return dt.getTime();
}

function parseIso(value: string, text: string, roundUp: boolean): number | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const [, ys, mos, ds, hs, mis, ss, fs, off] = m;
  const y = Number(ys);
  const mo = Number(mos) - 1;
  if (mo < 0 || mo > 11) throw new TimeParseError(value, 'month out of range');
  const dim = daysInMonth(y, mo);
  if (ds === undefined) {
    // yyyy-MM
    return roundUp ? utc(y, mo + 1, 1) - 1 : utc(y, mo, 1);
  }
  const d = Number(ds);
  if (d < 1 || d > dim) throw new TimeParseError(value, 'day out of range');
  if (hs === undefined) return roundUp ? utc(y, mo, d, 23, 59, 59, 999) : utc(y, mo, d);
  const h = Number(hs);
  const mi = Number(mis);
  if (h > 23) throw new TimeParseError(value, 'hour out of range');
  if (mi > 59) throw new TimeParseError(value, 'minute out of range');
  let s = 0;
  let ms = 0;
  if (ss === undefined) {
    if (roundUp) {
      s = 59;
      ms = 999;
    }
  } else {
    s = Number(ss);
    if (s > 59) throw new TimeParseError(value, 'second out of range');
    if (fs === undefined) {
      if (roundUp) ms = 999;
    } else {
      ms = Number(fs.slice(0, 3).padEnd(3, '0'));
    }
  }
  let t = utc(y, mo, d, h, mi, s, ms);
  if (off !== undefined && off !== 'Z' && off !== 'z') {
    const sign = off[0] === '-' ? -1 : 1;
    const digits = off.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) throw new TimeParseError(value, 'offset out of range');
    t -= sign * (oh * 60 + om) * 60_000;
  }
  return t;
}

function addCalendar(t: number, months: number): number {
  const d = new Date(t);
  const y = d.getUTCFullYear();
  const total = d.getUTCMonth() + months;
  const ny = y + Math.floor(total / 12);
  const nm = ((total % 12) + 12) % 12;
  const day = Math.min(d.getUTCDate(), daysInMonth(ny, nm));
  return utc(ny, nm, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

function roundDown(t: number, unit: Unit): number {
  const d = new Date(t);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth();
  const day = d.getUTCDate();
  switch (unit) {
    case 'y':
      return utc(y, 0, 1);
    case 'M':
      return utc(y, mo, 1);
    case 'w': {
      const sinceMonday = (d.getUTCDay() + 6) % 7; // ISO weeks start on Monday
      return utc(y, mo, day - sinceMonday);
    }
    case 'd':
      return utc(y, mo, day);
    case 'h':
      return utc(y, mo, day, d.getUTCHours());
    case 'm':
      return utc(y, mo, day, d.getUTCHours(), d.getUTCMinutes());
    case 's':
      return utc(y, mo, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
  }
}

function add(t: number, n: number, unit: Unit): number {
  if (unit === 'y') return addCalendar(t, n * 12);
  if (unit === 'M') return addCalendar(t, n);
  return t + n * FIXED_MS[unit];
}

const STEP = /^(?:([+-])(\d{1,9})([yMwdhHms])|\/([yMwdhHms]))/;

function applyMath(value: string, t: number, math: string, roundUp: boolean): number {
  let rest = math;
  while (rest.length > 0) {
    const m = STEP.exec(rest);
    if (!m) throw new TimeParseError(value, `cannot read date math at ${JSON.stringify(rest)}`);
    if (m[4] !== undefined) {
      const unit = (m[4] === 'H' ? 'h' : m[4]) as Unit;
      t = roundDown(t, unit);
      if (roundUp) t = add(t, 1, unit) - 1;
    } else {
      const unit = (m[3] === 'H' ? 'h' : m[3]) as Unit;
      t = add(t, (m[1] === '-' ? -1 : 1) * Number(m[2]), unit);
    }
    if (!Number.isFinite(t)) throw new TimeParseError(value, 'out of range');
    rest = rest.slice(m[0].length);
  }
  return t;
}

/**
 * Reads a time bound:
 * - ISO 8601: `2024-01-31`, `2024-01`, `2024-01-31T12:00`, `2024-01-31T12:00:00.123Z`,
 *   `2024-01-31T14:00:00+02:00`; without an offset the time is UTC;
 * - epoch milliseconds: `1706702400000`;
 * - date math relative to `now`: `now`, `now-24h`, `now-15m`, `now+1h`, `now-7d/d`, `now/w`, with
 *   units y M w d h (or H) m s, `/unit` rounding down (up with `roundUp`); months and years are
 *   calendar steps, clamped to the month's end; weeks start on Monday; all in UTC;
 * - Elasticsearch anchors: `2024-01-31||+1M/d`.
 * Throws TimeParseError naming the value.
 */
export function parseTime(value: string, now: Date, options: ParseTimeOptions = {}): Date {
  if (typeof value !== 'string') throw new TimeParseError(String(value), 'not a string');
  const roundUp = options.roundUp === true;
  const text = value.trim();
  if (text === '') throw new TimeParseError(value, 'empty');
  let t: number;
  const anchor = text.indexOf('||');
  if (/^now/i.test(text)) {
    t = now.getTime();
    if (!Number.isFinite(t)) throw new TimeParseError(value, 'invalid reference time');
    t = applyMath(value, t, text.slice(3), roundUp);
  } else if (anchor >= 0) {
    const base = text.slice(0, anchor);
    const math = text.slice(anchor + 2);
    const b = /^\d+$/.test(base) ? Number(base) : parseIso(value, base, roundUp && math === '');
    if (b === null) throw new TimeParseError(value);
    t = applyMath(value, b, math, roundUp);
  } else if (/^-?\d+$/.test(text)) {
    t = Number(text);
  } else {
    const iso = parseIso(value, text, roundUp);
    if (iso === null) throw new TimeParseError(value);
    t = iso;
  }
  if (!Number.isFinite(t) || Math.abs(t) > MAX_MS) throw new TimeParseError(value, 'out of range');
  return new Date(t);
}
