/**
 * The observables of an event that indicators are matched against: values of ECS fields (nested
 * objects: event.source.ip) and of configured extra fields, each with the kind of indicator it
 * can match. Paths are split once; a walk allocates only the returned observables.
 */
import type { ObservableKind } from './indicator-set.ts';

export interface ObservableField {
  path: string;
  kind: ObservableKind;
}

export interface Observable {
  field: string;
  kind: ObservableKind;
  value: string;
}

const f = (kind: ObservableKind, ...paths: string[]): ObservableField[] => paths.map((path) => ({ path, kind }));

/** The ECS fields read by default. A filename field (file.path) yields its base name. */
export const DEFAULT_OBSERVABLE_FIELDS: ReadonlyArray<Readonly<ObservableField>> = Object.freeze([
  ...f('ip', 'source.ip', 'destination.ip', 'client.ip', 'server.ip', 'host.ip', 'related.ip'),
  ...f('domain', 'dns.question.name', 'destination.domain', 'source.domain', 'url.domain', 'server.domain', 'client.domain'),
  ...f('url', 'url.full', 'url.original'),
  ...f(
    'hash',
    'file.hash.md5',
    'file.hash.sha1',
    'file.hash.sha256',
    'process.hash.md5',
    'process.hash.sha1',
    'process.hash.sha256',
    'process.parent.hash.md5',
    'process.parent.hash.sha1',
    'process.parent.hash.sha256',
    'related.hash',
  ),
  ...f('email', 'email.from.address', 'email.to.address', 'user.email', 'source.user.email'),
  ...f('user', 'user.name', 'source.user.name', 'destination.user.name', 'user.target.name', 'related.user'),
  ...f('filename', 'file.name', 'process.name', 'file.path'),
].map((x) => Object.freeze(x)));

interface CompiledField {
  field: string;
  kind: ObservableKind;
  /** Read from event.original, trying the whole remaining dotted key before nesting. */
  original: boolean;
  segs: string[];
  /** rests[i] = segs.slice(i).join('.'). */
  rests: string[];
  /** A filename observable is always a base name (file.path, original.Image…). */
  baseName: boolean;
}

function compile(path: string, kind: ObservableKind): CompiledField {
  const original = path === 'original' || path.startsWith('original.');
  const rest = original ? path.slice('original'.length + 1) : path;
  const segs = rest === '' ? [] : rest.split('.');
  const rests = segs.map((_, i) => segs.slice(i).join('.'));
  return { field: path, kind, original, segs, rests, baseName: kind === 'filename' };
}

const DEFAULT_COMPILED: CompiledField[] = DEFAULT_OBSERVABLE_FIELDS.map((x) => compile(x.path, x.kind));
const compiledExtra = new WeakMap<ReadonlyArray<{ path: string; kind: ObservableKind }>, CompiledField[]>();

/** Told of each observable value as it is found (no object per value: this runs for every event). */
export type ObservableVisitor = (field: string, kind: ObservableKind, value: string) => void;

function push(value: unknown, cf: CompiledField, out: ObservableVisitor): void {
  if (typeof value === 'string') {
    let v = value;
    if (cf.baseName) {
      const cut = Math.max(v.lastIndexOf('/'), v.lastIndexOf('\\'));
      if (cut >= 0) v = v.slice(cut + 1);
    }
    if (v.length > 0) out(cf.field, cf.kind, v);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const el: unknown = value[i];
      if (typeof el === 'string') push(el, cf, out);
    }
  }
}

function walk(node: unknown, cf: CompiledField, i: number, out: ObservableVisitor): void {
  const segs = cf.segs;
  if (i === segs.length) {
    push(node, cf, out);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (let k = 0; k < node.length; k++) walk(node[k], cf, i, out);
    return;
  }
  const obj = node as Record<string, unknown>;
  const last = i === segs.length - 1;
  if (cf.original) {
    // A key may itself contain dots (Windows "Event.System..." flattened keys): whole key first.
    if (!last) {
      const whole = obj[cf.rests[i]!];
      if (whole !== undefined) {
        push(whole, cf, out);
        return;
      }
    }
    const next = obj[segs[i]!];
    if (next !== undefined) walk(next, cf, i + 1, out);
    return;
  }
  const next = obj[segs[i]!];
  if (next !== undefined) walk(next, cf, i + 1, out);
  else if (!last) {
    // A flattened ECS key ("source.ip": ...) at this level.
    const whole = obj[cf.rests[i]!];
    if (whole !== undefined) push(whole, cf, out);
  }
}

function collect(event: Record<string, unknown>, fields: CompiledField[], out: ObservableVisitor): void {
  for (let k = 0; k < fields.length; k++) {
    const cf = fields[k]!;
    if (cf.original) {
      const orig = event.original;
      if (orig !== undefined && orig !== null) walk(orig, cf, 0, out);
    } else walk(event, cf, 0, out);
  }
}

/**
 * Visits the observables of an event: the DEFAULT_OBSERVABLE_FIELDS, then `extraFields` (dotted
 * paths; `original.X` reads event.original, where X may be a key containing dots). An array yields
 * one observable per string element; non-string values and empty strings are skipped. Pass the
 * same extraFields array on every call: its compiled form is cached per array.
 */
export function forEachObservable(event: Record<string, unknown>, extraFields: ReadonlyArray<{ path: string; kind: ObservableKind }> | undefined, visit: ObservableVisitor): void {
  if (event === null || typeof event !== 'object') return;
  collect(event, DEFAULT_COMPILED, visit);
  if (extraFields !== undefined && extraFields.length > 0) {
    let compiled = compiledExtra.get(extraFields);
    if (compiled === undefined) {
      compiled = extraFields.map((x) => compile(x.path, x.kind));
      compiledExtra.set(extraFields, compiled);
    }
    collect(event, compiled, visit);
  }
}

/** The observables of an event as a list (see forEachObservable). */
export function eventObservables(
  event: Record<string, unknown>,
  extraFields?: ReadonlyArray<{ path: string; kind: ObservableKind }>,
): Array<{ field: string; kind: ObservableKind; value: string }> {
  const out: Observable[] = [];
  forEachObservable(event, extraFields, (field, kind, value) => out.push({ field, kind, value }));
  return out;
}
