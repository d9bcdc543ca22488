import { isIP } from 'node:net';
import type { IndicatorInput, IndicatorType } from '../../core/index.ts';
import { emptyResult, ipOrCidr, type ImportResult } from './import-result.ts';
// Feeds often publish values defanged (`evil[.]com`, `hxxps://`): the type is read through that.
import { refang } from './indicator.ts';

const HEX = /^[0-9a-f]+$/i;
const URL_WITH_SCHEME = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i;
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const DOMAIN = /^(?=.{1,253}\.?$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})\.?$/i;

function isCidr(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const address = value.slice(0, slash);
  const prefix = value.slice(slash + 1);
  const version = isIP(address);
  if (version === 0 || !/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (version === 4 ? 32 : 128);
}

/**
 * The indicator type a bare value looks like: an IPv4/IPv6 address or CIDR, an MD5/SHA-1/SHA-256
 * hex digest (32/40/64 hex digits), a URL with a scheme, an e-mail address or a domain name.
 * `user` and `filename` are never guessed. Null: it looks like none of them.
 */
export function inferIndicatorType(value: string): IndicatorType | null {
  const v = refang(value.trim());
  if (v === '' || /\s/.test(v)) return null;
  if (isIP(v) !== 0) return 'ip';
  if (isCidr(v)) return 'cidr';
  if (HEX.test(v)) {
    if (v.length === 32) return 'md5';
    if (v.length === 40) return 'sha1';
    if (v.length === 64) return 'sha256';
    return null;
  }
  if (URL_WITH_SCHEME.test(v)) return 'url';
  if (EMAIL.test(v)) return 'email';
  if (DOMAIN.test(v)) return 'domain';
  return null;
}

/** A line without its comment: `#` or `;` at the start, or whitespace + `#` after the value. */
function stripComment(line: string): string {
  const t = line.trim();
  if (t.startsWith('#') || t.startsWith(';')) return '';
  const inline = t.search(/\s#/);
  return (inline < 0 ? t : t.slice(0, inline)).trim();
}

/**
 * A plain list, one value per line. With `type`, every value is of that type (an `ip` with a
 * prefix length is a `cidr`); without it, each line's type is inferred and a line whose type
 * cannot be inferred is rejected.
 */
export function parseIndicatorLines(text: string, source: string, type?: IndicatorType): ImportResult {
  const result = emptyResult();
  const lines = text.split(/\r\n|\r|\n/);
  lines.forEach((raw, i) => {
    const line = i === 0 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    const value = stripComment(line);
    if (value === '') return;
    const where = `line ${i + 1}`;
    let t: IndicatorType | null = type ?? inferIndicatorType(value);
    if (t === null) {
      result.rejected.push({ where, reason: `cannot tell the indicator type of ${JSON.stringify(value)}` });
      return;
    }
    if (t === 'ip') t = ipOrCidr(value);
    const indicator: IndicatorInput = { type: t, value, source };
    result.indicators.push(indicator);
  });
  return result;
}
