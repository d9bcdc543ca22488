/**
 * In-memory indicator sets for matching event fields at ingest (DESIGN.md section 5: constant time
 * per field):
 *
 * - exact sets, canonical value → id, for url, md5, sha1, sha256, email, user, filename and IPv6
 *   addresses; IPv4 addresses are keyed by their 32-bit value (no string kept per address);
 * - a domain suffix set: an observed domain matches an indicator for itself or any parent domain
 *   (sub.evil.example matches evil.example; notevil.example and evil.example.com do not). The
 *   label suffixes of the observed name are hashed in one right-to-left pass and each is looked
 *   up in place (findRange), without allocating unless it matches;
 * - a binary CIDR trie over address bits in typed arrays (12 bytes a node), one root for IPv4 and
 *   one for IPv6, returning every matching network, most specific first. IPv4-mapped IPv6 networks
 *   with a prefix of 96 or more are stored as IPv4 networks and an IPv4 address is also looked up
 *   as ::ffff:a.b.c.d in the IPv6 root, so 1.2.3.4 matches ::ffff:0:0/96 and ::/0 alike.
 *
 * Memory: the sets are typed-array hash tables (string-table.ts), not Maps of strings, so a
 * million indicators are a few dozen objects for the garbage collector to mark, not millions.
 * When an id is `indicatorId(type, value)` (the normal case) it is not stored: the value's
 * presence in the table is the entry, and the id is rebuilt on a hit. Any other entry (another
 * id, several ids for one value) is kept in a small Map beside the table, flagged in the table.
 * A network's ids are kept in a string table too.
 *
 * Values passed to add() must already be canonical (canonical.ts); observed values passed to
 * match() are canonicalised cheaply (trim, lowercase, base name, IPv4-mapped → IPv4; full
 * canonicalisation only for URLs and for non-ASCII domains and emails).
 */
import { domainToASCII } from 'node:url';
import { type IndicatorType, isIndicatorType } from '../../core/index.ts';
import { parseCidr, parseIp } from '../sigma/index.ts';
import { canonicalIndicatorValue, formatIpv4, formatIpv6, isV4Mapped } from './canonical.ts';
import { HASH_PRIME, HASH_SEED_X, HASH_SEED_Y, hashFinish, StringTable, Uint32Table } from './string-table.ts';

export type ObservableKind = 'ip' | 'domain' | 'url' | 'hash' | 'email' | 'user' | 'filename';

/** What match() returns when nothing matches: shared and frozen, never modify it. */
export const NO_MATCH: string[] = Object.freeze([] as string[]) as string[];

/** 0: the one id is `${type}:${value}`; otherwise the id, or several ids for one value. */
type Entry = 0 | string | Array<0 | string>;

type StringMapType = Exclude<IndicatorType, 'cidr' | 'ip'>;

function entryAdd(e: Entry | undefined, id: 0 | string): Entry {
  if (e === undefined) return id;
  if (Array.isArray(e)) {
    if (!e.includes(id)) e.push(id);
    return e;
  }
  return e === id ? e : [e, id];
}

function entryRemove(e: Entry, id: 0 | string): Entry | undefined {
  if (!Array.isArray(e)) return e === id ? undefined : e;
  const i = e.indexOf(id);
  if (i < 0) return e;
  e.splice(i, 1);
  return e.length === 1 ? e[0]! : e;
}

function entryHas(e: Entry | undefined, id: 0 | string): boolean {
  if (e === undefined) return false;
  return Array.isArray(e) ? e.includes(id) : e === id;
}

function emit(e: Entry, type: string, key: string, out: string[] | null): string[] {
  const o = out ?? [];
  if (e === 0) o.push(`${type}:${key}`);
  else if (typeof e === 'string') o.push(e);
  else for (const x of e) o.push(x === 0 ? `${type}:${key}` : x);
  return o;
}

function reverseFrom(a: string[], from: number): void {
  for (let i = from, j = a.length - 1; i < j; i++, j--) {
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

// ---- entry tables ---------------------------------------------------------------------------

/** The StringTable flag of a value whose entry is not the plain 0 marker (see `side`). */
const SIDE = 1;

/**
 * Value → Entry, as a StringTable: a value in the table with flag 0 has the entry 0 (the usual
 * case, nothing else kept); any other entry is in `side` under the value, and the value's flag
 * is SIDE.
 */
class StringEntries {
  readonly keys = new StringTable();
  private readonly side = new Map<string, Entry>();

  get size(): number {
    return this.keys.size;
  }

  get(value: string): Entry | undefined {
    const i = this.keys.find(value);
    return i < 0 ? undefined : this.at(i, value);
  }

  /** The entry of table index `i`, whose value is `value`. */
  at(i: number, value: string): Entry {
    return this.keys.flag(i) === 0 ? 0 : this.side.get(value)!;
  }

  set(value: string, e: Entry): void {
    const i = this.keys.add(value);
    if (e === 0) {
      if (this.keys.flag(i) !== 0) {
        this.keys.setFlag(i, 0);
        this.side.delete(value);
      }
    } else {
      this.keys.setFlag(i, SIDE);
      this.side.set(value, e);
    }
  }

  delete(value: string): void {
    const i = this.keys.find(value);
    if (i < 0) return;
    if (this.keys.flag(i) !== 0) this.side.delete(value);
    this.keys.removeAt(i);
  }
}

/** 32-bit value → Entry, the same way over a Uint32Table. */
class Uint32Entries {
  private readonly keys = new Uint32Table();
  private readonly side = new Map<number, Entry>();

  get size(): number {
    return this.keys.size;
  }

  get(value: number): Entry | undefined {
    const v = value >>> 0;
    const slot = this.keys.find(v);
    if (slot < 0) return undefined;
    return this.keys.flagAt(slot) === 0 ? 0 : this.side.get(v)!;
  }

  set(value: number, e: Entry): void {
    const v = value >>> 0;
    const slot = this.keys.add(v);
    if (e === 0) {
      if (this.keys.flagAt(slot) !== 0) {
        this.keys.setFlagAt(slot, 0);
        this.side.delete(v);
      }
    } else {
      this.keys.setFlagAt(slot, SIDE);
      this.side.set(v, e);
    }
  }

  delete(value: number): void {
    const v = value >>> 0;
    const slot = this.keys.find(v);
    if (slot < 0) return;
    if (this.keys.flagAt(slot) !== 0) this.side.delete(v);
    this.keys.remove(v);
  }
}

// ---- text helpers ---------------------------------------------------------------------------

function isWs(c: number): boolean {
  return c <= 32;
}

/** Trim (only when needed) and lowercase; toLowerCase returns the same string when nothing changes. */
function lowerTrim(s: string): string {
  const t = s.length > 0 && (isWs(s.charCodeAt(0)) || isWs(s.charCodeAt(s.length - 1))) ? s.trim() : s;
  return t.toLowerCase();
}

// ---- CIDR trie ----------------------------------------------------------------------------

const ROOT_V4 = 0;
const ROOT_V6 = 1;

/** Binary trie over address bits; node 0 is the IPv4 root, node 1 the IPv6 root; child 0 = none. */
class CidrTrie {
  private c0: Int32Array = new Int32Array(1024);
  private c1: Int32Array = new Int32Array(1024);
  /**
   * The ids ending at the node: 0 = none; k > 0: one id, entry k - 1 of `ids`; k < 0: several,
   * `multi[-k]`.
   */
  private term: Int32Array = new Int32Array(1024);
  private used = 2;
  private freeNodes: number[] = [];
  /** The id of each network with one id (an id is registered at one network at most). */
  private readonly ids = new StringTable();
  /** Networks with several ids (rare). */
  private multi: Array<string[] | null> = [null];
  private freeMulti: number[] = [];
  /** Number of networks (nodes with ids). */
  networks = 0;
  private readonly path = new Int32Array(130);
  private readonly hits = new Int32Array(200);
  private readonly mapped = new Uint32Array(4);

  private alloc(): number {
    const reused = this.freeNodes.pop();
    if (reused !== undefined) return reused;
    if (this.used === this.c0.length) {
      const n = this.c0.length * 2;
      const g = (a: Int32Array): Int32Array => {
        const b = new Int32Array(n);
        b.set(a);
        return b;
      };
      this.c0 = g(this.c0);
      this.c1 = g(this.c1);
      this.term = g(this.term);
    }
    return this.used++;
  }

  /** Node count in use (for tests and memory estimates). */
  get nodeCount(): number {
    return this.used - this.freeNodes.length;
  }

  private static bit(w: Uint32Array, i: number): number {
    return (w[i >>> 5]! >>> (31 - (i & 31))) & 1;
  }

  insert(v6: boolean, w: Uint32Array, prefix: number, id: string): void {
    let node = v6 ? ROOT_V6 : ROOT_V4;
    for (let i = 0; i < prefix; i++) {
      const b = CidrTrie.bit(w, i);
      let next = b ? this.c1[node]! : this.c0[node]!;
      if (next === 0) {
        next = this.alloc();
        this.c0[next] = 0;
        this.c1[next] = 0;
        this.term[next] = 0;
        if (b) this.c1[node] = next;
        else this.c0[node] = next;
      }
      node = next;
    }
    const t = this.term[node]!;
    if (t === 0) {
      this.term[node] = this.ids.add(id) + 1;
      this.networks++;
      return;
    }
    if (t < 0) {
      const e = this.multi[-t]!;
      if (!e.includes(id)) e.push(id);
      return;
    }
    if (this.ids.equalsAt(t - 1, id)) return;
    const first = this.ids.valueAt(t - 1);
    this.ids.removeAt(t - 1);
    const m = this.freeMulti.pop() ?? this.multi.length;
    if (m === this.multi.length) this.multi.push([first, id]);
    else this.multi[m] = [first, id];
    this.term[node] = -m;
  }

  has(v6: boolean, w: Uint32Array, prefix: number, id: string): boolean {
    let node = v6 ? ROOT_V6 : ROOT_V4;
    for (let i = 0; i < prefix; i++) {
      node = CidrTrie.bit(w, i) ? this.c1[node]! : this.c0[node]!;
      if (node === 0) return false;
    }
    const t = this.term[node]!;
    if (t === 0) return false;
    return t < 0 ? this.multi[-t]!.includes(id) : this.ids.equalsAt(t - 1, id);
  }

  remove(v6: boolean, w: Uint32Array, prefix: number, id: string): boolean {
    const path = this.path;
    let node = v6 ? ROOT_V6 : ROOT_V4;
    path[0] = node;
    for (let i = 0; i < prefix; i++) {
      node = CidrTrie.bit(w, i) ? this.c1[node]! : this.c0[node]!;
      if (node === 0) return false;
      path[i + 1] = node;
    }
    const t = this.term[node]!;
    if (t === 0) return false;
    if (t < 0) {
      const e = this.multi[-t]!;
      const k = e.indexOf(id);
      if (k < 0) return false;
      e.splice(k, 1);
      if (e.length === 1) {
        this.multi[-t] = null;
        this.freeMulti.push(-t);
        this.term[node] = this.ids.add(e[0]!) + 1;
      }
      return true;
    }
    if (!this.ids.equalsAt(t - 1, id)) return false;
    this.ids.removeAt(t - 1);
    this.term[node] = 0;
    this.networks--;
    // Prune nodes left with no children and no ids, bottom up.
    for (let d = prefix; d > 0; d--) {
      const n = path[d]!;
      if (this.c0[n] !== 0 || this.c1[n] !== 0 || this.term[n] !== 0) break;
      const parent = path[d - 1]!;
      if (CidrTrie.bit(w, d - 1)) this.c1[parent] = 0;
      else this.c0[parent] = 0;
      this.freeNodes.push(n);
    }
    return true;
  }

  /** Terms of the networks along the path of `w`, shallowest first, appended at hits[n]. */
  private walk(root: number, w: Uint32Array, bits: number, n: number): number {
    const hits = this.hits;
    let node = root;
    for (let i = 0; ; i++) {
      const t = this.term[node]!;
      if (t !== 0) hits[n++] = t;
      if (i === bits) break;
      node = CidrTrie.bit(w, i) ? this.c1[node]! : this.c0[node]!;
      if (node === 0) break;
    }
    return n;
  }

  private emitHits(from: number, to: number, out: string[] | null): string[] | null {
    for (let k = to - 1; k >= from; k--) {
      const t = this.hits[k]!;
      out ??= [];
      if (t < 0) for (const x of this.multi[-t]!) out.push(x);
      else out.push(this.ids.valueAt(t - 1));
    }
    return out;
  }

  /** Every network containing the address, most specific first. `v4`: the address is w[0]. */
  matchInto(v4: boolean, w: Uint32Array, out: string[] | null): string[] | null {
    if (this.networks === 0) return out;
    if (!v4) return this.emitHits(0, this.walk(ROOT_V6, w, 128, 0), out);
    const n4 = this.walk(ROOT_V4, w, 32, 0);
    const m = this.mapped;
    m[0] = 0;
    m[1] = 0;
    m[2] = 0xffff;
    m[3] = w[0]!;
    const n6 = this.walk(ROOT_V6, m, 128, n4);
    if (n6 === 0) return out;
    out = this.emitHits(0, n4, out);
    return this.emitHits(n4, n6, out);
  }
}

/** A CIDR value as trie coordinates; IPv4-mapped networks of /96 or longer become IPv4. */
function cidrKey(value: string): { v6: boolean; w: Uint32Array; prefix: number } | null {
  if (value.indexOf('/') < 0) return null;
  const c = parseCidr(value);
  if (c === null) return null;
  if (c.v6 && c.prefix >= 96 && isV4Mapped(c.net)) {
    c.net[0] = c.net[3]!;
    c.net[1] = 0;
    c.net[2] = 0;
    c.net[3] = 0;
    return { v6: false, w: c.net, prefix: c.prefix - 96 };
  }
  return { v6: c.v6, w: c.net, prefix: c.prefix };
}

// ---- the set ------------------------------------------------------------------------------

const scratch = new Uint32Array(4);

/** An ip value's place: the IPv4 table under `v4` (≥ 0), else the IPv6 table under `canonical`. */
interface IpSlot {
  v4: number;
  canonical: string;
}

export class IndicatorSet {
  /** IPv4 addresses by their 32-bit value (no string kept). */
  private readonly ip4 = new Uint32Entries();
  /** IPv6 addresses by RFC 5952 text. */
  private readonly ip6 = new StringEntries();
  private readonly domain = new StringEntries();
  private readonly url = new StringEntries();
  private readonly md5 = new StringEntries();
  private readonly sha1 = new StringEntries();
  private readonly sha256 = new StringEntries();
  private readonly email = new StringEntries();
  private readonly user = new StringEntries();
  private readonly filename = new StringEntries();
  private readonly cidr = new CidrTrie();
  /** Ids that are not `${type}:${value}`. */
  private readonly explicit = new Map<string, { type: IndicatorType; value: string }>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Trie nodes in use (memory diagnostics). */
  get cidrNodeCount(): number {
    return this.cidr.nodeCount;
  }

  private mapFor(type: StringMapType): StringEntries {
    switch (type) {
      case 'domain':
        return this.domain;
      case 'url':
        return this.url;
      case 'md5':
        return this.md5;
      case 'sha1':
        return this.sha1;
      case 'sha256':
        return this.sha256;
      case 'email':
        return this.email;
      case 'user':
        return this.user;
      case 'filename':
        return this.filename;
    }
  }

  /** Where an ip value lives: the IPv4 table under its number or the IPv6 table under its text. */
  private ipSlot(value: string): IpSlot | null {
    const kind = parseIp(value, scratch);
    if (kind === 0) return null;
    if (kind === 4 || isV4Mapped(scratch)) {
      const v = kind === 4 ? scratch[0]! : scratch[3]!;
      return { v4: v, canonical: formatIpv4(v) };
    }
    const text = formatIpv6(scratch);
    return { v4: -1, canonical: text };
  }

  private ipGet(slot: IpSlot): Entry | undefined {
    return slot.v4 >= 0 ? this.ip4.get(slot.v4) : this.ip6.get(slot.canonical);
  }

  private ipSet(slot: IpSlot, e: Entry | undefined): void {
    if (slot.v4 >= 0) {
      if (e === undefined) this.ip4.delete(slot.v4);
      else this.ip4.set(slot.v4, e);
    } else if (e === undefined) this.ip6.delete(slot.canonical);
    else this.ip6.set(slot.canonical, e);
  }

  /** Where an id is registered, or undefined. */
  private locate(id: string): { type: IndicatorType; value: string } | undefined {
    const ex = this.explicit.get(id);
    if (ex !== undefined) return ex;
    const colon = id.indexOf(':');
    if (colon < 0) return undefined;
    const type = id.slice(0, colon);
    if (!isIndicatorType(type)) return undefined;
    const value = id.slice(colon + 1);
    if (type === 'cidr') {
      const k = cidrKey(value);
      return k !== null && this.cidr.has(k.v6, k.w, k.prefix, id) ? { type, value } : undefined;
    }
    if (type === 'ip') {
      const slot = this.ipSlot(value);
      // Only a canonical value is stored under an implicit id.
      return slot !== null && slot.canonical === value && entryHas(this.ipGet(slot), 0) ? { type, value } : undefined;
    }
    return entryHas(this.mapFor(type).get(value), 0) ? { type, value } : undefined;
  }

  has(id: string): boolean {
    return this.locate(id) !== undefined;
  }

  /**
   * Add an indicator under `id` with an already canonical value. Adding the same id with the same
   * type and value again does nothing; the same id with another type or value replaces it.
   * Throws on an ip or cidr value that is not an address or network.
   */
  add(id: string, type: IndicatorType, canonicalValue: string): void {
    const value = canonicalValue;
    // Validate before touching an existing registration of the id.
    const slot = type === 'ip' ? this.ipSlot(value) : null;
    if (type === 'ip' && slot === null) throw new Error(`not an IP address: ${JSON.stringify(value.slice(0, 80))}`);
    const net = type === 'cidr' ? cidrKey(value) : null;
    if (type === 'cidr' && net === null) throw new Error(`not a CIDR network: ${JSON.stringify(value.slice(0, 80))}`);
    const existing = this.locate(id);
    if (existing !== undefined) {
      if (existing.type === type && existing.value === value) return;
      this.remove(id);
    }
    let implicit =
      id.length === type.length + 1 + value.length && id.charCodeAt(type.length) === 58 && id.startsWith(type) && id.endsWith(value);
    if (slot !== null) {
      // The id is rebuilt from the canonical text on a hit: keep it when the value was not canonical.
      if (slot.canonical !== value) implicit = false;
      this.ipSet(slot, entryAdd(this.ipGet(slot), implicit ? 0 : id));
    } else if (net !== null) {
      this.cidr.insert(net.v6, net.w, net.prefix, id);
    } else {
      const map = this.mapFor(type as StringMapType);
      map.set(value, entryAdd(map.get(value), implicit ? 0 : id));
    }
    if (!implicit) this.explicit.set(id, { type, value });
    this.count++;
  }

  remove(id: string): boolean {
    const loc = this.locate(id);
    if (loc === undefined) return false;
    const { type, value } = loc;
    const isExplicit = this.explicit.delete(id);
    if (type === 'cidr') {
      const k = cidrKey(value)!;
      this.cidr.remove(k.v6, k.w, k.prefix, id);
    } else if (type === 'ip') {
      const slot = this.ipSlot(value)!;
      this.ipSet(slot, entryRemove(this.ipGet(slot)!, isExplicit ? id : 0));
    } else {
      const map = this.mapFor(type);
      const e = entryRemove(map.get(value)!, isExplicit ? id : 0);
      if (e !== undefined) map.set(value, e);
      else map.delete(value);
    }
    this.count--;
    return true;
  }

  /**
   * Ids of the indicators an observed value matches: exact matches first, then networks or parent
   * domains, most specific first. Returns the shared, frozen NO_MATCH when nothing matches.
   */
  match(kind: ObservableKind, value: string): string[] {
    if (typeof value !== 'string' || value.length === 0) return NO_MATCH;
    let out: string[] | null = null;
    switch (kind) {
      case 'ip':
        out = this.matchIp(value, null);
        break;
      case 'domain':
        out = this.matchDomain(value, null);
        break;
      case 'url':
        out = this.matchUrl(value);
        break;
      case 'hash':
        out = this.matchHash(value);
        break;
      case 'email':
        out = this.matchEmail(value);
        break;
      case 'user':
        out = this.matchExact(this.user, 'user', value);
        break;
      case 'filename':
        out = this.matchFilename(value);
        break;
    }
    return out ?? NO_MATCH;
  }

  private matchExact(map: StringEntries, type: string, value: string): string[] | null {
    if (map.size === 0) return null;
    const key = lowerTrim(value);
    const e = map.get(key);
    return e === undefined ? null : emit(e, type, key, null);
  }

  private matchHash(value: string): string[] | null {
    let v = value;
    let len = v.length;
    if (len !== 32 && len !== 40 && len !== 64) {
      if (!isWs(v.charCodeAt(0)) && !isWs(v.charCodeAt(len - 1))) return null;
      v = v.trim();
      len = v.length;
    }
    let map: StringEntries;
    let type: string;
    if (len === 32) {
      map = this.md5;
      type = 'md5';
    } else if (len === 40) {
      map = this.sha1;
      type = 'sha1';
    } else if (len === 64) {
      map = this.sha256;
      type = 'sha256';
    } else return null;
    if (map.size === 0) return null;
    const key = v.toLowerCase();
    const e = map.get(key);
    return e === undefined ? null : emit(e, type, key, null);
  }

  private matchFilename(value: string): string[] | null {
    if (this.filename.size === 0) return null;
    const cut = Math.max(value.lastIndexOf('/'), value.lastIndexOf('\\'));
    const base = cut < 0 ? value : value.slice(cut + 1);
    return base.length === 0 ? null : this.matchExact(this.filename, 'filename', base);
  }

  private matchEmail(value: string): string[] | null {
    if (this.email.size === 0) return null;
    let key = lowerTrim(value);
    for (let i = 0; i < key.length; i++) {
      if (key.charCodeAt(i) > 127) {
        // An IDN domain part: the full canonical form.
        const c = canonicalIndicatorValue('email', key);
        if (!c.ok) return null;
        key = c.value;
        break;
      }
    }
    const e = this.email.get(key);
    return e === undefined ? null : emit(e, 'email', key, null);
  }

  private matchIp(value: string, out: string[] | null): string[] | null {
    if (this.ip4.size === 0 && this.ip6.size === 0 && this.cidr.networks === 0) return out;
    const kind = parseIp(value, scratch);
    if (kind === 0) return out;
    let v4 = kind === 4;
    if (!v4 && isV4Mapped(scratch)) {
      v4 = true;
      scratch[0] = scratch[3]!;
    }
    if (v4) {
      if (this.ip4.size > 0) {
        const e = this.ip4.get(scratch[0]!);
        if (e !== undefined) out = emit(e, 'ip', formatIpv4(scratch[0]!), out);
      }
    } else if (this.ip6.size > 0) {
      // IPv6: the text form is built (allocates), IPv6 observables are the rarer ones.
      const key = formatIpv6(scratch);
      const e = this.ip6.get(key);
      if (e !== undefined) out = emit(e, 'ip', key, out);
    }
    return this.cidr.matchInto(v4, scratch, out);
  }

  private matchDomain(s: string, out: string[] | null): string[] | null {
    if (this.domain.size === 0) return out;
    let start = 0;
    let end = s.length;
    while (start < end && isWs(s.charCodeAt(start))) start++;
    while (end > start && isWs(s.charCodeAt(end - 1))) end--;
    if (end > start && s.charCodeAt(end - 1) === 46) end--;
    if (end === start) return out;
    const from = out === null ? 0 : out.length;
    const table = this.domain.keys;
    // The hash of the lowercased suffix s[i+1, end), folded right to left (string-table.ts):
    // hashFinish(x, y, end - i - 1).
    let x = HASH_SEED_X;
    let y = HASH_SEED_Y;
    let upper = false;
    for (let i = end - 1; i >= start - 1; i--) {
      let c = i < start ? 46 : s.charCodeAt(i);
      if (c === 46 && i + 1 < end) {
        // chars i+1 .. end-1 form a label suffix.
        const h = hashFinish(x, y, end - i - 1);
        const k = table.findRange(s, i + 1, end, h, upper);
        if (k >= 0) {
          let sub = s.slice(i + 1, end);
          if (upper) sub = sub.toLowerCase();
          out = emit(this.domain.at(k, sub), 'domain', sub, out);
        }
      } else if (c > 127) return this.matchDomainSlow(s, from, out);
      else if (c >= 65 && c <= 90) {
        upper = true;
        c += 32;
      }
      const t = Math.imul(x ^ c, HASH_PRIME);
      x = y;
      y = t;
    }
    if (out !== null) reverseFrom(out, from);
    return out;
  }

  /** A non-ASCII (IDN) domain: punycode it, then match as ASCII. */
  private matchDomainSlow(s: string, from: number, out: string[] | null): string[] | null {
    if (out !== null) out.length = from;
    let t = s.trim().toLowerCase();
    if (t.endsWith('.')) t = t.slice(0, -1);
    const ascii = domainToASCII(t);
    if (ascii === '' || hasNonAscii(ascii)) return out;
    return this.matchDomain(ascii, out);
  }

  private matchUrl(value: string): string[] | null {
    const hostIndicators = this.domain.size > 0 || this.ip4.size > 0 || this.ip6.size > 0 || this.cidr.networks > 0;
    if (this.url.size === 0 && !hostIndicators) return null;
    let out: string[] | null = null;
    let text = value;
    if (this.url.size > 0) {
      const c = canonicalIndicatorValue('url', value);
      if (!c.ok) return null;
      text = c.value;
      const e = this.url.get(text);
      if (e !== undefined) out = emit(e, 'url', text, null);
    }
    if (!hostIndicators) return out;
    const host = urlHost(text);
    if (host === '') return out;
    if (host.charCodeAt(0) === 91 /* [ */ || parseIp(host, scratch) !== 0) return this.matchIp(host, out);
    return this.matchDomain(host, out);
  }
}

function hasNonAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return true;
  return false;
}

/** The host of a URL (or of "host/path" without a scheme), without user info or port; '' if none. */
export function urlHost(u: string): string {
  let start = 0;
  // A scheme: a letter, then letters, digits, + - or . up to "://".
  let k = 0;
  while (k < u.length) {
    const c = u.charCodeAt(k);
    const l = c | 32;
    if ((l >= 97 && l <= 122) || (k > 0 && ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46))) k++;
    else break;
  }
  if (k > 0 && u.startsWith('://', k)) start = k + 3;
  else if (u.startsWith('//')) start = 2;
  while (start < u.length && isWs(u.charCodeAt(start))) start++;
  let end = start;
  while (end < u.length) {
    const c = u.charCodeAt(end);
    if (c === 47 || c === 63 || c === 35 || c === 92 || isWs(c)) break; // / ? # \ space
    end++;
  }
  const at = u.lastIndexOf('@', end - 1);
  if (at >= start) start = at + 1;
  if (u.charCodeAt(start) === 91) {
    const close = u.indexOf(']', start);
    return close < 0 || close >= end ? '' : u.slice(start, close + 1);
  }
  const colon = u.indexOf(':', start);
  if (colon >= 0 && colon < end) end = colon;
  return u.slice(start, end);
}
