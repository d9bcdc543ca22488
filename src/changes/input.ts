import { CHANGE_TYPES, type Change, type ChangeRisk, type ChangeType, VigilError } from '../core/index.ts';
import { isPlainObject } from '../lib/index.ts';

/** What a client may set on a change; the server owns the rest (id, status, approvals, findings, times). */
export type ChangeFields = Pick<
  Change,
  'title' | 'description' | 'type' | 'risk' | 'assets' | 'services' | 'window' | 'implementer' | 'requester' | 'backout_plan' | 'emergency' | 'links'
>;

/** A new change: its fields, who created it, and whether it starts as a draft (else it is requested at once). */
export type ChangeInput = Omit<
  Change,
  'id' | 'status' | 'approvals' | 'approvals_required' | 'warnings' | 'conflicts' | 'started_at' | 'ended_at' | 'created_at' | 'updated_at'
> & { draft: boolean };

export type ChangePatch = Partial<ChangeFields>;

export const CHANGE_RISKS: readonly ChangeRisk[] = ['low', 'medium', 'high', 'critical'];

const PATCH_KEYS = ['title', 'description', 'type', 'risk', 'assets', 'services', 'window', 'implementer', 'requester', 'backout_plan', 'emergency', 'links'];
const INPUT_KEYS = new Set([...PATCH_KEYS, 'draft']);
const MAX_TITLE = 512;
// Same names the inventory accepts, so assets and services can be looked up there.
const NAME = /^[\w.@:/-]{1,128}$/;
// RFC 3339 date-time; the offset is required so no server time zone sneaks into a change window.
const ISO_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
const NAIVE_ISO = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;

const invalid = (field: string, reason: string) => new VigilError('invalid_change', `${field}: ${reason}`, 400, field);


function rejectUnknownKeys(b: Record<string, unknown>, known: Set<string>): void {
  for (const key of Object.keys(b)) {
    if (known.has(key)) continue;
    if (key === 'status') throw invalid(key, 'cannot be set here; use the request, approve, start, complete, fail, rollback and cancel actions');
    const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    throw invalid(key, known.has(snake) ? `unknown field; did you mean '${snake}'?` : 'unknown field');
  }
}

function title(v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') throw invalid('title', 'required: a non-empty string');
  if (v.length > MAX_TITLE) throw invalid('title', `at most ${MAX_TITLE} characters (got ${v.length})`);
  return v;
}

function text(v: unknown, field: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw invalid(field, 'expected a string');
  return v;
}

function changeType(v: unknown): ChangeType {
  if (typeof v !== 'string' || !(CHANGE_TYPES as readonly string[]).includes(v)) {
    throw invalid('type', `${v === undefined ? 'required: ' : ''}one of ${CHANGE_TYPES.join(', ')}`);
  }
  return v as ChangeType;
}

function risk(v: unknown): ChangeRisk {
  if (typeof v !== 'string' || !(CHANGE_RISKS as readonly string[]).includes(v)) throw invalid('risk', `one of ${CHANGE_RISKS.join(', ')}`);
  return v as ChangeRisk;
}

function names(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalid(field, 'expected a list of names');
  v.forEach((n, i) => {
    if (typeof n !== 'string' || !NAME.test(n)) throw invalid(`${field}[${i}]`, 'expected a name of 1-128 letters, digits or . _ @ : / -');
  });
  return [...new Set(v as string[])];
}

function person(v: unknown, field: string): string | null {
  if (v === null) return null;
  if (typeof v !== 'string' || v.trim() === '') throw invalid(field, 'expected a name, or null');
  return v;
}

function time(v: unknown, field: string): number {
  if (typeof v === 'string' && NAIVE_ISO.test(v)) {
    throw invalid(field, `an offset is required (add Z or +hh:mm, e.g. ${v.replace(' ', 'T')}Z); a time without one is ambiguous`);
  }
  const m = typeof v === 'string' ? ISO_WITH_OFFSET.exec(v) : null;
  const ms = m ? Date.parse(v as string) : NaN;
  // Date.parse rolls 2026-02-30 over to March: check the day exists.
  const [year, month, day] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  if (!m || Number.isNaN(ms) || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) {
    throw invalid(field, `expected an ISO 8601 time with an offset, e.g. 2026-03-03T14:00:00Z (got ${JSON.stringify(v)})`);
  }
  return ms;
}

function changeWindow(v: unknown): Change['window'] {
  if (!isPlainObject(v)) throw invalid('window', 'required: {"start": ISO time, "end": ISO time}');
  for (const key of Object.keys(v)) if (key !== 'start' && key !== 'end') throw invalid(`window.${key}`, 'unknown field');
  if (v.start === undefined) throw invalid('window.start', 'required');
  if (v.end === undefined) throw invalid('window.end', 'required');
  const start = time(v.start, 'window.start');
  const end = time(v.end, 'window.end');
  if (end <= start) throw invalid('window.end', 'must be after window.start');
  // Kept as given (with its offset) so people see the time they typed; compared as instants elsewhere.
  return { start: v.start as string, end: v.end as string };
}

function links(v: unknown): Change['links'] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalid('links', 'expected a list of {"href", "text"?}');
  return v.map((link, i) => {
    const field = `links[${i}]`;
    if (!isPlainObject(link)) throw invalid(field, 'expected {"href", "text"?}');
    for (const key of Object.keys(link)) if (key !== 'href' && key !== 'text') throw invalid(`${field}.${key}`, 'unknown field');
    let url: URL | null = null;
    try {
      url = typeof link.href === 'string' ? new URL(link.href) : null;
    } catch {
      url = null;
    }
    // Only web links: a javascript: or file: href would be rendered as a clickable link in the UI.
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw invalid(`${field}.href`, 'expected an http or https URL');
    if (link.text === undefined || link.text === null) return { href: link.href as string };
    if (typeof link.text !== 'string') throw invalid(`${field}.text`, 'expected a string');
    return { href: link.href as string, text: link.text };
  });
}

function emergency(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw invalid('emergency', 'expected true or false');
  return v;
}

/**
 * Checks a new change from the API. The creator is the authenticated caller, whatever the body says;
 * they are the requester unless the body names another. Past windows are allowed on purpose: an
 * emergency change is often recorded after the fact (`now` is kept for parity with other validators).
 */
export function validateChangeInput(body: unknown, now: Date, creator: string): ChangeInput {
  if (!isPlainObject(body)) throw invalid('body', 'expected a JSON object');
  rejectUnknownKeys(body, INPUT_KEYS);
  if (body.draft !== undefined && typeof body.draft !== 'boolean') throw invalid('draft', 'expected true or false');
  return {
    title: title(body.title),
    description: text(body.description, 'description'),
    type: changeType(body.type),
    risk: body.risk === undefined ? 'medium' : risk(body.risk),
    assets: names(body.assets, 'assets'),
    services: names(body.services, 'services'),
    window: changeWindow(body.window),
    implementer: body.implementer === undefined ? null : person(body.implementer, 'implementer'),
    requester: body.requester === undefined ? creator : person(body.requester, 'requester'),
    backout_plan: text(body.backout_plan, 'backout_plan'),
    emergency: emergency(body.emergency),
    links: links(body.links),
    created_by: creator,
    draft: body.draft === true,
  };
}

/** Checks a partial update: only the fields present are checked and returned. The status moves through actions, not here. */
export function validateChangePatch(body: unknown): ChangePatch {
  if (!isPlainObject(body)) throw invalid('body', 'expected a JSON object');
  rejectUnknownKeys(body, new Set(PATCH_KEYS));
  const b = body;
  const patch: ChangePatch = {};
  if (b.title !== undefined) patch.title = title(b.title);
  if (b.description !== undefined) patch.description = text(b.description, 'description');
  if (b.type !== undefined) patch.type = changeType(b.type);
  if (b.risk !== undefined) patch.risk = risk(b.risk);
  if (b.assets !== undefined) patch.assets = names(b.assets, 'assets');
  if (b.services !== undefined) patch.services = names(b.services, 'services');
  if (b.window !== undefined) patch.window = changeWindow(b.window);
  if (b.implementer !== undefined) patch.implementer = person(b.implementer, 'implementer');
  if (b.requester !== undefined) patch.requester = person(b.requester, 'requester');
  if (b.backout_plan !== undefined) patch.backout_plan = text(b.backout_plan, 'backout_plan');
  if (b.emergency !== undefined) patch.emergency = emergency(b.emergency);
  if (b.links !== undefined) patch.links = links(b.links);
  return patch;
}
