/**
 * EventView: how Sigma rules read a normalised event, through a field mapping.
 *
 * Cheap by construction (it is built for every event): nothing is resolved until asked for.
 * `get` resolves a field through its mapping's cached path list and caches the value per view;
 * `keywords()` collects the string leaves of `original` (iteratively, bounded) plus `message`
 * once per event; `time()` parses `@timestamp` once per event. Views of the same event with
 * different mappings (one per logsource branch the event belongs to) share one EventContext,
 * hence one keyword list and one time.
 */
import type { VigilEvent } from '../../core/index.ts';
import type { EventView } from '../types.ts';
import type { FieldMapping } from './compile.ts';

/** Limits of the keyword walk over `original`. */
export const KEYWORD_LIMITS = { maxStrings: 4096, maxNodes: 20000 } as const;

const MISSING: unique symbol = Symbol('missing');

/** Per-event state shared by the views of one event. */
export class EventContext {
  private keywordList: readonly string[] | null = null;
  private timeMs = Number.NaN;
  private views: EventViewImpl[] | null = null;

  constructor(readonly event: VigilEvent) {}

  /** The view of this event through `fields` (one per mapping, reused). */
  view(fields: FieldMapping): EventView {
    const vs = this.views;
    if (vs === null) {
      const v = new EventViewImpl(this, fields);
      this.views = [v];
      return v;
    }
    for (let i = 0; i < vs.length; i++) if (vs[i].fields === fields) return vs[i];
    const v = new EventViewImpl(this, fields);
    vs.push(v);
    return v;
  }

  keywords(): readonly string[] {
    if (this.keywordList === null) this.keywordList = collectKeywords(this.event);
    return this.keywordList;
  }

  time(): number {
    if (Number.isNaN(this.timeMs)) {
      const ts = this.event['@timestamp'];
      const t = typeof ts === 'string' ? Date.parse(ts) : Number.NaN;
      this.timeMs = Number.isNaN(t) ? 0 : t;
    }
    return this.timeMs;
  }
}

class EventViewImpl implements EventView {
  private cache: Map<string, unknown> | null = null;

  constructor(
    private readonly ctx: EventContext,
    readonly fields: FieldMapping,
  ) {}

  get record(): unknown {
    return this.ctx.event;
  }

  get(field: string): unknown {
    let c = this.cache;
    if (c === null) c = this.cache = new Map();
    else {
      const hit = c.get(field);
      if (hit !== undefined) return hit === MISSING ? undefined : hit;
    }
    const v = this.fields.read(this.ctx.event, field);
    c.set(field, v === undefined ? MISSING : v);
    return v;
  }

  keywords(): readonly string[] {
    return this.ctx.keywords();
  }

  time(): number {
    return this.ctx.time();
  }
}

/** A view of `event` read through `fields`. */
export function buildEventView(event: VigilEvent, fields: FieldMapping): EventView {
  return new EventContext(event).view(fields);
}

/**
 * Every string leaf of `original` (depth first, in key order, at most KEYWORD_LIMITS.maxStrings,
 * visiting at most KEYWORD_LIMITS.maxNodes values), then `message` when it is a string that is
 * not the original itself.
 */
export function collectKeywords(event: VigilEvent): readonly string[] {
  const out: string[] = [];
  const original = event.original;
  const message = event.message;
  if (typeof original === 'string') out.push(original);
  else if (typeof original === 'object' && original !== null) {
    const stack: unknown[] = [original];
    let nodes = 0;
    while (stack.length > 0 && nodes < KEYWORD_LIMITS.maxNodes && out.length < KEYWORD_LIMITS.maxStrings) {
      const n = stack.pop();
      nodes++;
      if (typeof n === 'string') out.push(n);
      else if (typeof n === 'object' && n !== null) {
        // Never queue more than the node budget left, however wide the object.
        const room = KEYWORD_LIMITS.maxNodes - nodes - stack.length;
        if (Array.isArray(n)) {
          for (let i = Math.min(n.length, room) - 1; i >= 0; i--) stack.push(n[i]);
        } else {
          const keys = Object.keys(n);
          for (let i = Math.min(keys.length, room) - 1; i >= 0; i--) stack.push((n as Record<string, unknown>)[keys[i]]);
        }
      }
    }
  }
  if (typeof message === 'string' && message.length > 0 && message !== original) out.push(message);
  return out;
}
