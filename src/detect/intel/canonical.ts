/**
 * Canonical indicator values (DESIGN.md section 5, intel): one spelling per observable, so that
 * `indicatorId(type, canonical value)` identifies an indicator whatever form a feed states it in,
 * and so that observed event values can be compared by exact lookup.
 *
 * - ip: dotted quad without leading zeros ("010.1.1.1" is read as decimal 10.1.1.1), IPv6 in
 *   RFC 5952 form; an IPv4-mapped IPv6 address becomes its IPv4 form; zone ids and brackets dropped.
 * - cidr: `network/prefix` with host bits cleared; an IPv4-mapped IPv6 network with a prefix of 96
 *   or more becomes the IPv4 network (::ffff:10.0.0.0/104 → 10.0.0.0/8, ::ffff:0:0/96 → 0.0.0.0/0).
 * - domain: lowercase, one trailing dot stripped, IDN as punycode; IP literals are rejected.
 * - url: WHATWG serialisation (http, https, ftp only), fragment dropped, default port dropped,
 *   host without trailing dot, IPv4-mapped IPv6 host as IPv4; "evil.example/x" means http://.
 * - md5, sha1, sha256: lowercase hex of the exact length.
 * - email: lowercase, domain part canonical as a domain.
 * - user: trimmed, lowercase (a `DOMAIN\` prefix is kept).
 * - filename: base name after the last / or \, lowercase.
 */
import { domainToASCII } from 'node:url';
import type { IndicatorType } from '../../core/index.ts';
import { parseIp } from '../sigma/index.ts';

export type CanonicalResult = { ok: true; value: string } | { ok: false; reason: string };

/** Longest value accepted, before and after canonicalisation. */
export const MAX_INDICATOR_VALUE_LENGTH = 2048;

const HASH_LENGTHS = { md5: 32, sha1: 40, sha256: 64 } as const;

const words = new Uint32Array(4);

function fail(reason: string): CanonicalResult {
  return { ok: false, reason };
}

function ok(value: string): CanonicalResult {
  if (value.length > MAX_INDICATOR_VALUE_LENGTH) return fail(`canonical value is longer than ${MAX_INDICATOR_VALUE_LENGTH} characters`);
  return { ok: true, value };
}

export function canonicalIndicatorValue(type: IndicatorType, raw: string): { ok: true; value: string } | { ok: false; reason: string } {
  if (typeof raw !== 'string') return fail('value is not a string');
  if (raw.length > MAX_INDICATOR_VALUE_LENGTH) return fail(`value is longer than ${MAX_INDICATOR_VALUE_LENGTH} characters`);
  switch (type) {
    case 'ip':
      return canonicalIp(raw);
    case 'cidr':
      return canonicalCidr(raw);
    case 'domain':
      return canonicalDomain(raw);
    case 'url':
      return canonicalUrl(raw);
    case 'md5':
    case 'sha1':
    case 'sha256':
      return canonicalHash(type, raw);
    case 'email':
      return canonicalEmail(raw);
    case 'user': {
      const v = raw.trim().toLowerCase();
      return v === '' ? fail('empty user name') : ok(v);
    }
    case 'filename': {
      const v = baseName(raw.trim()).trim().toLowerCase();
      return v === '' ? fail('empty file name (a path ending in a separator has no base name)') : ok(v);
    }
    default:
      return fail(`unknown indicator type ${JSON.stringify(type)}`);
  }
}

/** The part of a path after its last / or \. */
export function baseName(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut < 0 ? path : path.slice(cut + 1);
}

/** Dotted quad of an unsigned 32-bit address. */
export function formatIpv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** RFC 5952 text of an IPv6 address given as 4 big-endian 32-bit words. */
export function formatIpv6(w: Uint32Array): string {
  const g = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 4; i++) {
    g[2 * i] = w[i]! >>> 16;
    g[2 * i + 1] = w[i]! & 0xffff;
  }
  // Longest run of two or more zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return g.map((x) => x.toString(16)).join(':');
  const head = g.slice(0, bestStart).map((x) => x.toString(16)).join(':');
  const tail = g.slice(bestStart + bestLen).map((x) => x.toString(16)).join(':');
  return `${head}::${tail}`;
}

/** True when 4 words hold an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
export function isV4Mapped(w: Uint32Array): boolean {
  return w[0] === 0 && w[1] === 0 && w[2] === 0xffff;
}

function canonicalIp(raw: string): CanonicalResult {
  const s = raw.trim();
  if (s === '') return fail('empty IP address');
  if (s.indexOf('/') >= 0) return fail('an IP address has no /prefix (use a cidr indicator for a network)');
  const kind = parseIp(s, words);
  if (kind === 0) return fail(`not an IPv4 or IPv6 address: ${JSON.stringify(s.slice(0, 80))}`);
  if (kind === 4) return ok(formatIpv4(words[0]!));
  if (isV4Mapped(words)) return ok(formatIpv4(words[3]!));
  return ok(formatIpv6(words));
}

function maskBits(bits: number): number {
  return bits <= 0 ? 0 : bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
}

function canonicalCidr(raw: string): CanonicalResult {
  const s = raw.trim();
  if (s === '') return fail('empty CIDR network');
  const slash = s.indexOf('/');
  if (slash < 0) return fail('a CIDR network needs a /prefix length (use an ip indicator for a single address)');
  if (s.indexOf('/', slash + 1) >= 0) return fail('more than one / in a CIDR network');
  const addr = s.slice(0, slash).trim();
  const len = s.slice(slash + 1).trim();
  const kind = parseIp(addr, words);
  if (kind === 0) return fail(`not an IPv4 or IPv6 network address: ${JSON.stringify(addr.slice(0, 80))}`);
  if (!/^\d{1,3}$/.test(len)) return fail(`prefix length ${JSON.stringify(len.slice(0, 20))} is not a number`);
  let prefix = Number(len);
  const max = kind === 4 ? 32 : 128;
  if (prefix > max) return fail(`prefix length ${prefix} is out of range 0..${max} for IPv${kind}`);
  let v6 = kind === 6;
  if (v6 && prefix >= 96 && isV4Mapped(words)) {
    v6 = false;
    words[0] = words[3]!;
    prefix -= 96;
  }
  if (!v6) return ok(`${formatIpv4((words[0]! & maskBits(prefix)) >>> 0)}/${prefix}`);
  for (let w = 0; w < 4; w++) words[w] = (words[w]! & maskBits(prefix - 32 * w)) >>> 0;
  return ok(`${formatIpv6(words)}/${prefix}`);
}

function canonicalDomain(raw: string): CanonicalResult {
  let s = raw.trim().toLowerCase();
  if (s.endsWith('.')) s = s.slice(0, -1);
  if (s === '') return fail('empty domain');
  if (/[/:@\s]/.test(s)) return fail('a domain may not contain "/", ":", "@" or whitespace (use a url or email indicator)');
  const ascii = domainToASCII(s);
  if (ascii === '') return fail(`not a valid domain name: ${JSON.stringify(s.slice(0, 80))}`);
  if (parseIp(ascii, words) !== 0) return fail('an IP address is not a domain (use an ip indicator)');
  if (ascii.indexOf('.') < 0) return fail('a domain needs at least two labels (no dot)');
  if (ascii.length > 253) return fail(`domain is longer than 253 characters (${ascii.length})`);
  let start = 0;
  for (;;) {
    const dot = ascii.indexOf('.', start);
    const end = dot < 0 ? ascii.length : dot;
    if (end === start) return fail('domain has an empty label');
    if (end - start > 63) return fail(`domain label longer than 63 characters (${end - start})`);
    if (dot < 0) break;
    start = dot + 1;
  }
  return ok(ascii);
}

const ALLOWED_SCHEMES = new Set(['http:', 'https:', 'ftp:']);

function canonicalUrl(raw: string): CanonicalResult {
  const s = raw.trim();
  if (s === '') return fail('empty URL');
  let text = s;
  if (s.startsWith('//')) text = `http:${s}`;
  else {
    const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(s);
    // "evil.example:8080/x" or "localhost:8080" is a host and port, not a scheme.
    const scheme = m !== null && m[1]!.indexOf('.') < 0 && !/^[0-9]/.test(s.slice(m[0].length, m[0].length + 1));
    if (!scheme) text = `http://${s}`;
  }
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return fail(`not a valid URL: ${JSON.stringify(s.slice(0, 80))}`);
  }
  if (!ALLOWED_SCHEMES.has(u.protocol)) return fail(`URL scheme ${JSON.stringify(u.protocol.slice(0, -1))} is not http, https or ftp`);
  const host = u.hostname;
  if (host === '') return fail('URL has no host');
  if (host.startsWith('[')) {
    if (parseIp(host, words) === 6 && isV4Mapped(words)) u.hostname = formatIpv4(words[3]!);
  } else if (host.endsWith('.')) {
    const h = host.slice(0, -1);
    if (h === '' || h.endsWith('.')) return fail('URL host has an empty label');
    u.hostname = h;
  }
  u.hash = '';
  return ok(u.href);
}

function canonicalHash(type: 'md5' | 'sha1' | 'sha256', raw: string): CanonicalResult {
  const v = raw.trim().toLowerCase();
  const want = HASH_LENGTHS[type];
  if (v.length !== want) return fail(`${type} must be ${want} hex characters, got ${v.length}`);
  if (!/^[0-9a-f]+$/.test(v)) return fail(`${type} must be ${want} hex characters (0-9, a-f)`);
  return ok(v);
}

function canonicalEmail(raw: string): CanonicalResult {
  const v = raw.trim().toLowerCase();
  const at = v.indexOf('@');
  if (at < 0 || v.indexOf('@', at + 1) >= 0) return fail('an email address must contain exactly one @');
  const local = v.slice(0, at);
  if (local === '') return fail('email address has an empty local part');
  if (/\s/.test(local)) return fail('email address local part contains whitespace');
  const domain = canonicalDomain(v.slice(at + 1));
  if (!domain.ok) return fail(`email domain: ${domain.reason}`);
  return ok(`${local}@${domain.value}`);
}
