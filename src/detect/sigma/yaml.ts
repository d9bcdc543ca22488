/**
 * YAML documents → plain values, keeping the source text of numbers. A rule value written
 * `0x40810000`, `010` or `1.0` is a number to YAML, but Sigma compares values as strings, so
 * numbers come out as YNum (value + source text). Everything else is a plain JS value.
 */
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node } from 'yaml';

export class YNum {
  constructor(
    readonly n: number,
    readonly raw: string,
  ) {}
  toString(): string {
    return this.raw;
  }
  toJSON(): number {
    return this.n;
  }
}

export interface YamlDoc {
  /** 1-based document index in the file. */
  index: number;
  value: unknown;
  /** Parse errors of this document, with line numbers; the value is not usable when present. */
  errors: string[];
}

const MAX_DEPTH = 64;

/** Every document of a YAML stream (empty documents left out). */
export function readYamlDocuments(text: string): YamlDoc[] {
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true, strict: true });
  const out: YamlDoc[] = [];
  if (!Array.isArray(docs)) return out;
  let index = 0;
  for (const doc of docs) {
    index++;
    const errors = doc.errors.map((e) => {
      const line = e.linePos?.[0];
      const msg = e.message.split('\n')[0] ?? e.message;
      return line ? `${msg.replace(/ at line \d+, column \d+:?$/, '')} (line ${line.line})` : msg;
    });
    if (errors.length === 0 && (doc.contents === null || doc.contents === undefined)) continue;
    let value: unknown = null;
    if (errors.length === 0) {
      try {
        value = toValue(doc, doc.contents as Node, 0);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    out.push({ index, value, errors });
  }
  return out;
}

function toValue(doc: Document, node: Node | null | undefined, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new Error(`YAML nested deeper than ${MAX_DEPTH} levels`);
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return toValue(doc, node.resolve(doc) as Node | undefined, depth + 1);
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === 'number') {
      const raw = typeof node.source === 'string' ? node.source : String(v);
      return new YNum(v, raw);
    }
    if (typeof v === 'bigint') return new YNum(Number(v), String(v));
    return v;
  }
  if (isMap(node)) {
    const o: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const pair of node.items) {
      const k = pair.key as Node | null;
      let key: string;
      if (k === null || k === undefined) key = '';
      else if (isScalar(k)) key = k.value === null ? '' : typeof k.source === 'string' && typeof k.value === 'number' ? k.source : String(k.value);
      else throw new Error('YAML map keys must be scalars');
      o[key] = toValue(doc, pair.value as Node | null, depth + 1);
    }
    return o;
  }
  if (isSeq(node)) return node.items.map((n) => toValue(doc, n as Node, depth + 1));
  return null;
}

/** Deep plain copy (YNum → number) for metadata and messages. */
export function plain(v: unknown): unknown {
  if (v instanceof YNum) return v.n;
  if (Array.isArray(v)) return v.map(plain);
  if (isObject(v)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = plain(x);
    return o;
  }
  return v;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof YNum);
}
