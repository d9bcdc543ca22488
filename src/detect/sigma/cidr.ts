/**
 * IP addresses and CIDR networks for the `cidr` modifier: IPv4 and IPv6 (with `::`, embedded
 * IPv4 and zone ids), compared by prefix bits. An IPv4-mapped IPv6 address (::ffff:a.b.c.d)
 * matches IPv4 networks and an IPv4 address matches ::ffff:0:0/96 networks.
 */

/** Parse an IPv4 or IPv6 address into 4 big-endian 32-bit words. Returns 4, 6 or 0 (not an address). */
export function parseIp(text: string, out: Uint32Array): 0 | 4 | 6 {
  const s = text.length > 0 && (text.charCodeAt(0) === 32 || text.charCodeAt(text.length - 1) === 32) ? text.trim() : text;
  if (s.length === 0 || s.length > 64) return 0;
  if (s.indexOf(':') < 0) {
    const v = parseV4(s);
    if (v < 0) return 0;
    out[0] = v;
    out[1] = 0;
    out[2] = 0;
    out[3] = 0;
    return 4;
  }
  return parseV6(s, out) ? 6 : 0;
}

/** Dotted quad → unsigned 32-bit value, or -1. */
function parseV4(s: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

function parseV6(input: string, out: Uint32Array): boolean {
  let s = input;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const groups: number[] = [];
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return false;
  const head = dbl >= 0 ? s.slice(0, dbl) : s;
  const tail = dbl >= 0 ? s.slice(dbl + 2) : '';
  const h = splitGroups(head, dbl < 0);
  const t = dbl >= 0 ? splitGroups(tail, true) : { groups: [], v4: false };
  if (h === null || t === null) return false;
  // An embedded IPv4 may only end the address.
  if (dbl >= 0 && h.v4 && head.length > 0) return false;
  const count = h.groups.length + t.groups.length;
  if (dbl >= 0) {
    if (count > 7) return false;
    groups.push(...h.groups);
    for (let i = 0; i < 8 - count; i++) groups.push(0);
    groups.push(...t.groups);
  } else {
    if (count !== 8) return false;
    groups.push(...h.groups);
  }
  for (let w = 0; w < 4; w++) out[w] = ((groups[2 * w]! << 16) | groups[2 * w + 1]!) >>> 0;
  return true;
}

function splitGroups(s: string, allowV4: boolean): { groups: number[]; v4: boolean } | null {
  if (s === '') return { groups: [], v4: false };
  const parts = s.split(':');
  const groups: number[] = [];
  let v4 = false;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (i === parts.length - 1 && allowV4 && p.indexOf('.') >= 0) {
      const v = parseV4(p);
      if (v < 0) return null;
      groups.push(Math.floor(v / 65536), v % 65536);
      v4 = true;
      continue;
    }
    if (!/^[0-9A-Fa-f]{1,4}$/.test(p)) return null;
    groups.push(parseInt(p, 16));
  }
  return { groups, v4 };
}

export interface Cidr {
  v6: boolean;
  net: Uint32Array;
  prefix: number;
}

/** Parse `a.b.c.d/n` or `x::y/n` (a bare address is a /32 or /128). Host bits are masked off. */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const addr = slash >= 0 ? text.slice(0, slash) : text;
  const net = new Uint32Array(4);
  const kind = parseIp(addr.trim(), net);
  if (kind === 0) return null;
  const max = kind === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1).trim();
    if (!/^\d{1,3}$/.test(p)) return null;
    prefix = Number(p);
    if (prefix > max) return null;
  }
  const v6 = kind === 6;
  for (let w = 0; w < 4; w++) net[w] = (net[w]! & wordMask(prefix, w, v6)) >>> 0;
  return { v6, net, prefix };
}

function wordMask(prefix: number, word: number, v6: boolean): number {
  if (!v6) return word === 0 ? maskBits(prefix) : 0;
  return maskBits(Math.max(0, Math.min(32, prefix - 32 * word)));
}

function maskBits(bits: number): number {
  return bits <= 0 ? 0 : bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
}

const scratch = new Uint32Array(4);

/** A test of address strings against one network. */
export function cidrMatcher(c: Cidr): (address: string) => boolean {
  const masks = new Uint32Array(4);
  for (let w = 0; w < 4; w++) masks[w] = wordMask(c.prefix, w, c.v6);
  const net = c.net;
  if (!c.v6) {
    const m0 = masks[0]!;
    const n0 = net[0]!;
    return (address) => {
      const k = parseIp(address, scratch);
      if (k === 4) return ((scratch[0]! & m0) >>> 0) === n0;
      // IPv4-mapped IPv6
      if (k === 6 && scratch[0] === 0 && scratch[1] === 0 && scratch[2] === 0xffff) return ((scratch[3]! & m0) >>> 0) === n0;
      return false;
    };
  }
  return (address) => {
    const k = parseIp(address, scratch);
    if (k === 0) return false;
    if (k === 4) {
      scratch[3] = scratch[0]!;
      scratch[0] = 0;
      scratch[1] = 0;
      scratch[2] = 0xffff;
    }
    for (let w = 0; w < 4; w++) if (((scratch[w]! & masks[w]!) >>> 0) !== net[w]) return false;
    return true;
  };
}
