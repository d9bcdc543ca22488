import { ALERT_LEVELS, indicatorId, isIndicatorType, type AlertLevel, type Indicator } from '../../core/index.ts';
import { canonicalIndicatorValue } from './canonical.ts';

/** What a stored indicator is before its sightings are counted. */
export type NewIndicator = Omit<Indicator, 'sightings' | 'last_sighting'>;

export interface IndicatorDefaults {
  /** Confidence when the source states none (0-100). */
  confidence: number;
}

const FIELDS = new Set(['type', 'value', 'source', 'confidence', 'severity', 'tags', 'valid_from', 'valid_until', 'description', 'external_id']);
const MAX_TAGS = 50;
const MAX_DESCRIPTION = 4000;

/**
 * Defanged values as reports and feeds write them, made live again: hxxp://, evil[.]com,
 * evil(.)com, 1.2.3[.]4, user[@]example.com, [:]//, [://].
 */
export function refang(value: string): string {
  return value
    .replace(/\[:\/\/\]/g, '://')
    .replace(/^hxxp(s?):\/\//i, 'http$1://')
    .replace(/^fxp:\/\//i, 'ftp://')
    .replace(/\[\.\]|\(\.\)|\{\.\}|\[dot\]/gi, '.')
    .replace(/\[@\]|\[at\]/gi, '@')
    .replace(/\[:\]/g, ':');
}

const REFANGED = new Set(['ip', 'cidr', 'domain', 'url', 'email']);

/** Severity from confidence, for sources that state only how sure they are. */
export function severityOfConfidence(confidence: number): AlertLevel {
  return confidence >= 80 ? 'high' : confidence >= 50 ? 'medium' : 'low';
}

function isoOrNull(value: unknown, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(Date.parse(value))) throw new IndicatorError(field, 'is not an ISO 8601 time');
  return new Date(Date.parse(value)).toISOString();
}

/** A field of an indicator that is wrong: names the field and why. */
export class IndicatorError extends Error {
  override readonly name = 'IndicatorError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field} ${reason}`);
  }
}

/**
 * Checks an indicator as a client or an importer states it and makes its value canonical (the
 * identity is `type:value`, so `Evil.EXAMPLE.` and `evil.example` are one indicator).
 * Throws IndicatorError naming the field.
 */
export function toIndicator(input: unknown, defaults: IndicatorDefaults, now: Date, fallbackSource?: string): NewIndicator {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new IndicatorError('indicator', 'must be an object');
  const body = input as Record<string, unknown>;
  for (const key of Object.keys(body)) if (!FIELDS.has(key)) throw new IndicatorError(key, 'is not a field of an indicator');
  if (!isIndicatorType(body.type)) throw new IndicatorError('type', 'must be one of ip, cidr, domain, url, md5, sha1, sha256, email, user, filename');
  if (typeof body.value !== 'string' || body.value.trim() === '') throw new IndicatorError('value', 'must be a non-empty string');
  const canonical = canonicalIndicatorValue(body.type, REFANGED.has(body.type) ? refang(body.value) : body.value);
  if (!canonical.ok) throw new IndicatorError('value', canonical.reason);
  const source = body.source ?? fallbackSource;
  if (typeof source !== 'string' || source.trim() === '' || source.length > 200) throw new IndicatorError('source', 'must be a non-empty string of at most 200 characters');
  const confidence = body.confidence ?? defaults.confidence;
  if (typeof confidence !== 'number' || !Number.isInteger(confidence) || confidence < 0 || confidence > 100) throw new IndicatorError('confidence', 'must be an integer from 0 to 100');
  const severity = body.severity ?? severityOfConfidence(confidence);
  if (typeof severity !== 'string' || !(ALERT_LEVELS as readonly string[]).includes(severity)) throw new IndicatorError('severity', `must be one of ${ALERT_LEVELS.join(', ')}`);
  const tags = body.tags ?? [];
  if (!Array.isArray(tags) || tags.length > MAX_TAGS || !tags.every((t) => typeof t === 'string' && t.length > 0 && t.length <= 200)) throw new IndicatorError('tags', `must be a list of at most ${MAX_TAGS} non-empty strings`);
  const description = body.description ?? '';
  if (typeof description !== 'string' || description.length > MAX_DESCRIPTION) throw new IndicatorError('description', `must be a string of at most ${MAX_DESCRIPTION} characters`);
  const externalId = body.external_id ?? null;
  if (externalId !== null && typeof externalId !== 'string') throw new IndicatorError('external_id', 'must be a string');
  const validFrom = isoOrNull(body.valid_from, 'valid_from');
  const validUntil = isoOrNull(body.valid_until, 'valid_until');
  if (validFrom && validUntil && validUntil <= validFrom) throw new IndicatorError('valid_until', 'must be after valid_from');
  const at = now.toISOString();
  return {
    id: indicatorId(body.type, canonical.value),
    type: body.type,
    value: canonical.value,
    source: source.trim(),
    confidence,
    severity: severity as AlertLevel,
    tags: [...new Set(tags as string[])],
    valid_from: validFrom,
    valid_until: validUntil,
    description,
    external_id: externalId,
    created_at: at,
    updated_at: at,
  };
}
