/**
 * Freeze policies: validation, when a policy forbids changes (as UTC intervals, computed in the
 * policy's time zone) and how a planned change fares against a set of policies.
 */
import { CHANGE_TYPES, type Change, type ChangeType, type FreezeAction, type FreezePolicy, type PolicyFinding, type Weekday, type WeeklyRange, badRequest, VigilError } from '../core/index.ts';
import { isPlainObject } from '../lib/index.ts';

const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const ACTIONS: readonly FreezeAction[] = ['block', 'require_approval', 'warn'];
const MINUTE = 60_000;
const DAY = 86_400_000;
const DAY_MINUTES = 1440;
/** Longest window we compute intervals for: a year of calendar days is plenty for planning. */
const MAX_WINDOW_MS = 366 * DAY;

type BlockedEntry = NonNullable<FreezePolicy['blocked']>[number];
type DateBlock = Extract<BlockedEntry, { dates: unknown }>;
type Span = [number, number];

export interface PolicyLookup {
  assetTags(name: string): string[];
  assetServices(name: string): string[];
  serviceTier(name: string): number | null;
}

// ---------------------------------------------------------------------------------------------
// Validation

const invalid = (path: string, reason: string) => new VigilError('invalid_policy', `${path}: ${reason}`, 400, path);


function objectAt(v: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(v)) throw invalid(path, 'must be an object');
  const unknown = Object.keys(v).filter((k) => !keys.includes(k));
  if (unknown.length === 1) throw invalid(`${path}.${unknown[0]}`, `unknown key (expected ${keys.join(', ')})`);
  if (unknown.length > 1) throw invalid(path, `unknown keys ${unknown.join(', ')} (expected ${keys.join(', ')})`);
  return v;
}

function arrayAt(v: unknown, path: string, nonEmpty: string): unknown[] {
  if (!Array.isArray(v)) throw invalid(path, 'must be an array');
  if (v.length === 0) throw invalid(path, nonEmpty);
  return v;
}

function stringAt(v: unknown, path: string, max = 200): string {
  if (typeof v !== 'string' || v.trim() === '') throw invalid(path, 'must be a non-empty string');
  if (v.length > max) throw invalid(path, `must be at most ${max} characters`);
  return v;
}

function oneOf<T extends string>(v: unknown, path: string, options: readonly T[]): T {
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) throw invalid(path, `must be one of ${options.join(', ')}`);
  return v as T;
}

function integerAt(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw invalid(path, `must be an integer from ${min} to ${max}`);
  return v;
}

const TIME = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;
const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function weeklyRange(v: unknown, path: string): WeeklyRange {
  const o = objectAt(v, path, ['days', 'from', 'to']);
  const days = arrayAt(o.days, `${path}.days`, 'needs at least one day').map((d, i) => oneOf(d, `${path}.days[${i}]`, WEEKDAYS));
  for (const key of ['from', 'to'] as const) {
    if (typeof o[key] !== 'string' || !TIME.test(o[key])) throw invalid(`${path}.${key}`, 'must be a time "HH:MM" from 00:00 to 24:00');
  }
  const from = o.from as string;
  const to = o.to as string;
  // Overnight ranges are two ranges (…-24:00 and 00:00-…): one rule per local day keeps DST handling simple.
  if (toMinutes(from) >= toMinutes(to)) throw invalid(`${path}.to`, `must be after from (${from}); split overnight ranges at 24:00`);
  return { days: WEEKDAYS.filter((d) => days.includes(d)), from, to };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function dateAt(v: unknown, path: string, yearIgnored: boolean): string {
  const m = typeof v === 'string' ? DATE.exec(v) : null;
  if (!m) throw invalid(path, 'must be a date "YYYY-MM-DD"');
  // A yearly date is checked against a leap year so 02-29 is allowed.
  const year = yearIgnored ? 2000 : Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (month < 1 || month > 12 || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) throw invalid(path, `${v as string} is not a calendar date`);
  return v as string;
}

function dateBlock(v: unknown, path: string): DateBlock {
  const o = objectAt(v, path, ['dates', 'every_year', 'label']);
  if (o.every_year !== undefined && typeof o.every_year !== 'boolean') throw invalid(`${path}.every_year`, 'must be true or false');
  const yearly = o.every_year === true;
  const d = objectAt(o.dates, `${path}.dates`, ['from', 'to']);
  const from = dateAt(d.from, `${path}.dates.from`, yearly);
  const to = dateAt(d.to, `${path}.dates.to`, yearly);
  // Yearly ranges may wrap the new year (12-24 to 01-02), so only fixed ranges must be ordered.
  if (!yearly && from > to) throw invalid(`${path}.dates.to`, `must not be before from (${from})`);
  const out: DateBlock = { dates: { from, to } };
  if (yearly) out.every_year = true;
  if (o.label !== undefined) out.label = stringAt(o.label, `${path}.label`);
  return out;
}

const unique = <T>(xs: T[]): T[] => [...new Set(xs)];

/** Check a policy strictly (unknown keys are errors) and return it normalised. */
export function validatePolicy(input: unknown, field = 'policy'): FreezePolicy {
  const o = objectAt(input, field, ['name', 'description', 'scope', 'timezone', 'allowed', 'blocked', 'action', 'emergency']);

  const name = stringAt(o.name, `${field}.name`, 100);
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw invalid(`${field}.name`, 'may contain only letters, digits, "-", "_" and "."');

  const s = objectAt(o.scope, `${field}.scope`, ['types', 'asset_tags', 'service_tiers']);
  const scope: FreezePolicy['scope'] = {};
  // An empty list would match nothing, which is surely a mistake: omitting the key matches everything.
  const emptyList = 'must not be empty (omit it to match every change)';
  if (s.types !== undefined) {
    scope.types = unique(arrayAt(s.types, `${field}.scope.types`, emptyList).map((t, i) => oneOf<ChangeType>(t, `${field}.scope.types[${i}]`, CHANGE_TYPES)));
  }
  if (s.asset_tags !== undefined) {
    scope.asset_tags = unique(arrayAt(s.asset_tags, `${field}.scope.asset_tags`, emptyList).map((t, i) => stringAt(t, `${field}.scope.asset_tags[${i}]`)));
  }
  if (s.service_tiers !== undefined) {
    scope.service_tiers = unique(arrayAt(s.service_tiers, `${field}.scope.service_tiers`, emptyList).map((t, i) => integerAt(t, `${field}.scope.service_tiers[${i}]`, 1, 4))).sort((a, b) => a - b);
  }

  if (typeof o.timezone !== 'string' || o.timezone === '') throw invalid(`${field}.timezone`, 'must be an IANA time zone such as Europe/London');
  let timezone: string;
  try {
    // The resolved name fixes the case ("europe/london" → "Europe/London").
    timezone = new Intl.DateTimeFormat(undefined, { timeZone: o.timezone }).resolvedOptions().timeZone;
  } catch (e) {
    if (e instanceof RangeError) throw invalid(`${field}.timezone`, `unknown time zone ${o.timezone}`);
    throw e;
  }

  let allowed: WeeklyRange[] | undefined;
  if (o.allowed !== undefined) {
    allowed = arrayAt(o.allowed, `${field}.allowed`, 'needs at least one range (for a total freeze, block every day 00:00-24:00)')
      .map((r, i) => weeklyRange(r, `${field}.allowed[${i}]`));
  }
  let blocked: BlockedEntry[] | undefined;
  if (o.blocked !== undefined) {
    if (!Array.isArray(o.blocked)) throw invalid(`${field}.blocked`, 'must be an array');
    blocked = o.blocked.map((b, i) => (isPlainObject(b) && 'dates' in b ? dateBlock(b, `${field}.blocked[${i}]`) : weeklyRange(b, `${field}.blocked[${i}]`)));
  }
  if (!allowed && !blocked?.length) throw invalid(field, 'needs allowed or blocked ranges, otherwise it never applies');

  const policy: FreezePolicy = { name, scope, timezone, action: oneOf(o.action, `${field}.action`, ACTIONS) };
  if (o.description !== undefined) policy.description = stringAt(o.description, `${field}.description`, 2000);
  if (allowed) policy.allowed = allowed;
  if (blocked) policy.blocked = blocked;
  if (o.emergency !== undefined) {
    const e = objectAt(o.emergency, `${field}.emergency`, ['approvals']);
    policy.emergency = { approvals: integerAt(e.approvals, `${field}.emergency.approvals`, 1, 10) };
  }
  return policy;
}

// ---------------------------------------------------------------------------------------------
// Time zones

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    if (formatters.size >= 256) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

/** Wall clock at a UTC instant, as if it were UTC (ms). */
function wallClock(timeZone: string, utcMs: number): number {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(utcMs))) p[part.type] = Number(part.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}

/** Offset (wall minus UTC, ms) in effect at an instant; constant within a second. */
const offsetAt = (timeZone: string, utcMs: number) => wallClock(timeZone, utcMs) - Math.floor(utcMs / 1000) * 1000;

/**
 * Split [start, end) into pieces of constant UTC offset. Probing daily finds every real
 * DST or zone change (none come within a day of each other); a binary search pins each to the ms.
 */
function offsetSegments(timeZone: string, start: number, end: number): Array<{ start: number; end: number; offset: number }> {
  const STEP = DAY;
  const out: Array<{ start: number; end: number; offset: number }> = [];
  let segStart = start;
  let offset = offsetAt(timeZone, start);
  let lastGood = start; // latest instant known to have `offset`
  while (lastGood < end - 1) {
    const probe = Math.min(lastGood + STEP, end - 1);
    while (offsetAt(timeZone, probe) !== offset) {
      let lo = lastGood;
      let hi = probe;
      while (hi - lo > 1) {
        const mid = lo + Math.floor((hi - lo) / 2);
        if (offsetAt(timeZone, mid) === offset) lo = mid;
        else hi = mid;
      }
      out.push({ start: segStart, end: hi, offset });
      segStart = lastGood = hi;
      offset = offsetAt(timeZone, hi);
    }
    lastGood = probe;
  }
  out.push({ start: segStart, end, offset });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Forbidden intervals

function union(spans: Span[]): Span[] {
  const sorted = spans.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: Span[] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function complement(spans: Span[], max: number): Span[] {
  const out: Span[] = [];
  let at = 0;
  for (const [a, b] of union(spans)) {
    if (a > at) out.push([at, a]);
    at = Math.max(at, b);
  }
  if (at < max) out.push([at, max]);
  return out;
}

const isDateBlock = (b: BlockedEntry): b is DateBlock => 'dates' in b;

/** Forbidden minutes of the local day, per weekday (0 = mon), from the weekly rules. */
function weekdaySpans(policy: FreezePolicy): Span[][] {
  return WEEKDAYS.map((day) => {
    const ranges = (rs: WeeklyRange[]): Span[] => rs.filter((r) => r.days.includes(day)).map((r) => [toMinutes(r.from), toMinutes(r.to)]);
    const outside = policy.allowed ? complement(ranges(policy.allowed), DAY_MINUTES) : [];
    const weeklyBlocks = (policy.blocked ?? []).filter((b): b is WeeklyRange => !isDateBlock(b));
    return union([...outside, ...ranges(weeklyBlocks)]);
  });
}

function dateBlocked(blocks: DateBlock[], isoDate: string): boolean {
  const md = isoDate.slice(5);
  return blocks.some(({ dates: { from, to }, every_year }) => {
    if (!every_year) return from <= isoDate && isoDate <= to;
    const [f, t] = [from.slice(5), to.slice(5)];
    return f <= t ? f <= md && md <= t : md >= f || md <= t;
  });
}

/**
 * The parts of [startMs, endMs) in which a change in scope is not allowed by the policy, sorted and
 * merged. An instant is forbidden when the policy's local wall clock at that instant is outside every
 * `allowed` range or inside a `blocked` one: local times skipped by a DST jump forbid nothing, and a
 * repeated hour is judged each time it occurs.
 */
export function forbiddenIntervals(policy: FreezePolicy, startMs: number, endMs: number): Array<{ start: number; end: number }> {
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) throw badRequest('window: start and end must be valid instants', 'window');
  if (endMs - startMs > MAX_WINDOW_MS) throw badRequest('window: longer than 366 days', 'window');
  if (endMs <= startMs) return [];

  const byWeekday = weekdaySpans(policy);
  const dateBlocks = (policy.blocked ?? []).filter(isDateBlock);
  const pieces: Span[] = [];
  for (const seg of offsetSegments(policy.timezone, startMs, endMs)) {
    // Within a segment, wall = utc + offset, so each local day's rules map straight back to UTC.
    const firstDay = Math.floor((seg.start + seg.offset) / DAY);
    const lastDay = Math.floor((seg.end - 1 + seg.offset) / DAY);
    for (let day = firstDay; day <= lastDay; day++) {
      const spans = dateBlocked(dateBlocks, new Date(day * DAY).toISOString().slice(0, 10))
        ? [[0, DAY_MINUTES] as Span]
        : byWeekday[(((day + 3) % 7) + 7) % 7]; // 1970-01-01 was a Thursday
      for (const [a, b] of spans) {
        const s = Math.max(seg.start, day * DAY + a * MINUTE - seg.offset);
        const e = Math.min(seg.end, day * DAY + b * MINUTE - seg.offset);
        if (e > s) pieces.push([s, e]);
      }
    }
  }
  return union(pieces).map(([start, end]) => ({ start, end }));
}

// ---------------------------------------------------------------------------------------------
// Scope and evaluation

/** Whether a change falls under the policy; scope fields not given do not restrict. */
export function inScope(policy: FreezePolicy, change: Pick<Change, 'type' | 'assets' | 'services'>, lookup: PolicyLookup): boolean {
  const { types, asset_tags, service_tiers } = policy.scope;
  if (types && !types.includes(change.type)) return false;
  if (asset_tags && !change.assets.some((a) => lookup.assetTags(a).some((t) => asset_tags.includes(t)))) return false;
  if (service_tiers) {
    const services = new Set([...change.services, ...change.assets.flatMap((a) => lookup.assetServices(a))]);
    if (![...services].some((s) => service_tiers.includes(lookup.serviceTier(s) ?? -1))) return false;
  }
  return true;
}

function formatDays(days: Weekday[]): string {
  if (days.length === 7) return 'daily';
  const idx = WEEKDAYS.map((d) => days.includes(d));
  const runs: string[] = [];
  for (let i = 0; i < 7; i++) {
    if (!idx[i]) continue;
    let j = i;
    while (j + 1 < 7 && idx[j + 1]) j++;
    runs.push(j > i ? `${WEEKDAYS[i]}-${WEEKDAYS[j]}` : WEEKDAYS[i]);
    i = j;
  }
  return runs.join(',');
}

const formatWeekly = (r: WeeklyRange) => `${formatDays(r.days)} ${r.from}-${r.to}`;

function formatBlocked(b: BlockedEntry): string {
  if (!isDateBlock(b)) return formatWeekly(b);
  const range = b.every_year ? `${b.dates.from.slice(5)}..${b.dates.to.slice(5)} yearly` : `${b.dates.from}..${b.dates.to}`;
  return b.label ? `${range} (${b.label})` : range;
}

/** The schedule in a few words, e.g. "mon-fri 08:00-18:00 Europe/London". */
export function describeSchedule(policy: FreezePolicy): string {
  const parts: string[] = [];
  if (policy.allowed) parts.push(policy.allowed.map(formatWeekly).join(', '));
  if (policy.blocked?.length) parts.push(`${policy.allowed ? 'except' : 'blocked'} ${policy.blocked.map(formatBlocked).join(', ')}`);
  return `${parts.join(' ')} ${policy.timezone}`;
}

/** ISO without milliseconds when there are none: for messages people read. */
const shortIso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function localStamp(timeZone: string, ms: number): { date: string; time: string } {
  const iso = new Date(wallClock(timeZone, ms)).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
}

/** "from 23:00 to 00:00 local", with dates when the pieces are not all within one local day. */
function describeLocal(timeZone: string, intervals: Array<{ start: number; end: number }>): string {
  const stamps = intervals.map((i) => ({ from: localStamp(timeZone, i.start), to: localStamp(timeZone, i.end), last: localStamp(timeZone, i.end - 1) }));
  const oneDay = stamps.every((s) => s.from.date === stamps[0].from.date && s.last.date === s.from.date);
  const fmt = (s: { date: string; time: string }) => (oneDay ? s.time : `${s.date} ${s.time}`);
  const shown = stamps.slice(0, 3).map((s) => `from ${fmt(s.from)} to ${fmt(s.to)}`);
  const more = stamps.length > 3 ? ` and ${stamps.length - 3} more` : '';
  return `${shown.join(', ')}${more} local`;
}

function parseInstant(v: string, field: string): number {
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw badRequest(`${field}: not a valid date-time`, field);
  return ms;
}

/**
 * Check a planned change against the policies (in order). `blocking` is the first block that an
 * emergency does not clear; emergencies and require_approval policies raise `approvalsRequired`.
 */
export function evaluatePolicies(
  policies: FreezePolicy[],
  change: Pick<Change, 'type' | 'assets' | 'services' | 'window' | 'emergency' | 'approvals'>,
  lookup: PolicyLookup,
): { findings: PolicyFinding[]; blocking: PolicyFinding | null; approvalsRequired: number } {
  const start = parseInstant(change.window.start, 'window.start');
  const end = parseInstant(change.window.end, 'window.end');
  const findings: PolicyFinding[] = [];
  let blocking: PolicyFinding | null = null;
  let approvalsRequired = 1;

  for (const policy of policies) {
    if (!inScope(policy, change, lookup)) continue;
    const intervals = forbiddenIntervals(policy, start, end);
    if (intervals.length === 0) continue;

    const verb = !policy.blocked?.length ? 'falls outside' : !policy.allowed ? 'falls within' : 'is not allowed by';
    let message = `change window ${shortIso(start)}–${shortIso(end)} ${verb} ${policy.name} (${describeSchedule(policy)}) ${describeLocal(policy.timezone, intervals)}`;
    let clearedBy = 0;
    if (policy.action === 'block' && change.emergency && policy.emergency) {
      clearedBy = policy.emergency.approvals;
      message += `; emergency change: needs ${clearedBy} approvals`;
    } else if (policy.action === 'require_approval') {
      clearedBy = policy.emergency?.approvals ?? 2;
      message += `; needs ${clearedBy} approvals`;
    }
    const finding: PolicyFinding = {
      policy: policy.name,
      action: policy.action,
      overlap: intervals.map((i) => ({ start: new Date(i.start).toISOString(), end: new Date(i.end).toISOString() })),
      message,
    };
    findings.push(finding);
    if (clearedBy) approvalsRequired = Math.max(approvalsRequired, clearedBy);
    else if (policy.action === 'block' && !blocking) blocking = finding;
  }
  return { findings, blocking, approvalsRequired };
}
