import { type AlertLevel, type IndicatorInput, type IndicatorType } from '../../core/index.ts';
import { isPlainObject } from '../../lib/index.ts';
import { checkDate, emptyResult, FieldError, ImportFormatError, ipOrCidr, uniqueStrings, type ImportResult } from './import-result.ts';

type Rec = Record<string, unknown>;


/**
 * How each MISP attribute type becomes indicators: the types (and which part of a `a|b` composite
 * value) Vigil matches. `null`: not an indicator at all, skipped without a word (`link`).
 * Types not listed go to `unsupported`.
 */
type Part = { type: IndicatorType | 'ip-or-cidr'; part: 0 | 1 | null };
const ATTRIBUTE_TYPES: Record<string, Part[] | null> = {
  'ip-src': [{ type: 'ip-or-cidr', part: null }],
  'ip-dst': [{ type: 'ip-or-cidr', part: null }],
  'ip-src|port': [{ type: 'ip-or-cidr', part: 0 }],
  'ip-dst|port': [{ type: 'ip-or-cidr', part: 0 }],
  domain: [{ type: 'domain', part: null }],
  hostname: [{ type: 'domain', part: null }],
  'hostname|port': [{ type: 'domain', part: 0 }],
  'domain|ip': [
    { type: 'domain', part: 0 },
    { type: 'ip-or-cidr', part: 1 },
  ],
  url: [{ type: 'url', part: null }],
  link: null,
  md5: [{ type: 'md5', part: null }],
  sha1: [{ type: 'sha1', part: null }],
  sha256: [{ type: 'sha256', part: null }],
  'filename|md5': [{ type: 'md5', part: 1 }],
  'filename|sha1': [{ type: 'sha1', part: 1 }],
  'filename|sha256': [{ type: 'sha256', part: 1 }],
  filename: [{ type: 'filename', part: null }],
  'email-src': [{ type: 'email', part: null }],
  'email-dst': [{ type: 'email', part: null }],
  email: [{ type: 'email', part: null }],
  'target-user': [{ type: 'user', part: null }],
  'github-username': [{ type: 'user', part: null }],
};

/** threat_level_id: 1 high, 2 medium, 3 low, 4 undefined. */
const THREAT_LEVELS: Record<string, { severity: AlertLevel; confidence: number }> = {
  '1': { severity: 'high', confidence: 80 },
  '2': { severity: 'medium', confidence: 60 },
  '3': { severity: 'low', confidence: 40 },
  '4': { severity: 'low', confidence: 50 },
};

/** Confidence taxonomies: `estimative-language:confidence-in-analytic-judgment` and `misp:confidence-level`. */
const CONFIDENCE_TAGS: Record<string, number> = {
  'estimative-language:confidence-in-analytic-judgment="high"': 90,
  'estimative-language:confidence-in-analytic-judgment="moderate"': 60,
  'estimative-language:confidence-in-analytic-judgment="low"': 30,
  'misp:confidence-level="completely-confident"': 100,
  'misp:confidence-level="usually-confident"': 75,
  'misp:confidence-level="fairly-confident"': 50,
  'misp:confidence-level="rarely-confident"': 25,
  'misp:confidence-level="unconfident"': 0,
};

function confidenceFromTags(tags: string[]): number | undefined {
  for (const tag of tags) {
    const c = CONFIDENCE_TAGS[tag.trim().toLowerCase()];
    if (c !== undefined) return c;
  }
  return undefined;
}

/** MISP writes booleans as `true`, `"1"`, `"true"` or `1` depending on version and path. */
function flag(value: unknown, where: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === '1' || value === 'true') return true;
  if (value === 0 || value === '0' || value === 'false') return false;
  throw new ImportFormatError(where, `expected a boolean, got ${JSON.stringify(value)}`);
}

function array(value: unknown, where: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ImportFormatError(where, 'expected an array');
  return value;
}

function optionalString(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ImportFormatError(where, `expected a string, got ${JSON.stringify(value)}`);
  return value;
}

function tagNames(value: unknown, where: string): string[] {
  return array(value, where).map((tag, i) => {
    if (!isPlainObject(tag) || typeof tag.name !== 'string') throw new ImportFormatError(`${where}[${i}]`, 'a tag needs a name');
    return tag.name;
  });
}

interface EventContext {
  source: string;
  info: string | undefined;
  tags: string[];
  threat: { severity: AlertLevel; confidence: number } | undefined;
}

function importAttribute(attribute: unknown, where: string, ctx: EventContext, result: ImportResult): void {
  if (!isPlainObject(attribute)) throw new ImportFormatError(where, 'an attribute must be an object');
  const type = attribute.type;
  const value = attribute.value;
  if (typeof type !== 'string' || type === '') throw new ImportFormatError(`${where}.type`, 'missing or not a string');
  if (typeof value !== 'string') throw new ImportFormatError(`${where}.value`, 'missing or not a string');
  const uuid = optionalString(attribute.uuid, `${where}.uuid`);
  const comment = optionalString(attribute.comment, `${where}.comment`);
  const firstSeen = optionalString(attribute.first_seen, `${where}.first_seen`);
  const tags = tagNames(attribute.Tag, `${where}.Tag`);
  const toIds = flag(attribute.to_ids, `${where}.to_ids`);
  const deleted = flag(attribute.deleted, `${where}.deleted`);
  if (deleted || !toIds) return;

  const parts = ATTRIBUTE_TYPES[type];
  if (parts === null) return;
  if (parts === undefined) {
    result.unsupported.push({ where, reason: `attribute type ${JSON.stringify(type)} is not supported` });
    return;
  }
  try {
    const pieces = value.split('|');
    const composite = parts.some((p) => p.part !== null);
    if (composite && pieces.length !== 2) throw new FieldError(`value: ${JSON.stringify(value)} is not a "${type}" pair`);
    const base: Omit<IndicatorInput, 'type' | 'value'> = { source: ctx.source };
    const confidence = confidenceFromTags(tags) ?? confidenceFromTags(ctx.tags) ?? ctx.threat?.confidence;
    if (confidence !== undefined) base.confidence = confidence;
    if (ctx.threat) base.severity = ctx.threat.severity;
    const allTags = uniqueStrings([...ctx.tags, ...tags]);
    if (allTags.length > 0) base.tags = allTags;
    if (firstSeen !== undefined && firstSeen !== '') base.valid_from = checkDate('first_seen', firstSeen);
    const description = comment?.trim() || ctx.info?.trim();
    if (description) base.description = description;
    if (uuid) base.external_id = uuid;
    const made: IndicatorInput[] = parts.map((p) => {
      const v = (p.part === null ? value : pieces[p.part]!).trim();
      if (v === '') throw new FieldError(`value: ${JSON.stringify(value)} has an empty part`);
      return { ...base, type: p.type === 'ip-or-cidr' ? ipOrCidr(v) : p.type, value: v };
    });
    result.indicators.push(...made);
  } catch (err) {
    if (!(err instanceof FieldError)) throw err;
    result.rejected.push({ where, reason: err.message });
  }
}

function importEvent(wrapper: unknown, where: string, source: string, result: ImportResult): void {
  if (!isPlainObject(wrapper) || !('Event' in wrapper)) throw new ImportFormatError(where, 'no "Event"');
  const event = wrapper.Event;
  const at = `${where === '' ? '' : `${where}.`}Event`;
  if (!isPlainObject(event)) throw new ImportFormatError(at, 'must be an object');
  let threat: EventContext['threat'];
  if (event.threat_level_id !== undefined && event.threat_level_id !== null) {
    threat = THREAT_LEVELS[String(event.threat_level_id)];
    if (!threat) throw new ImportFormatError(`${at}.threat_level_id`, `${JSON.stringify(event.threat_level_id)} is not 1, 2, 3 or 4`);
  }
  const ctx: EventContext = {
    source,
    info: optionalString(event.info, `${at}.info`),
    tags: tagNames(event.Tag, `${at}.Tag`),
    threat,
  };
  array(event.Attribute, `${at}.Attribute`).forEach((a, i) => importAttribute(a, `${at}.Attribute[${i}]`, ctx, result));
  array(event.Object, `${at}.Object`).forEach((object, o) => {
    const w = `${at}.Object[${o}]`;
    if (!isPlainObject(object)) throw new ImportFormatError(w, 'an object must be an object');
    const attributes = array(object.Attribute, `${w}.Attribute`);
    if (flag(object.deleted, `${w}.deleted`)) return;
    attributes.forEach((a, i) => importAttribute(a, `${w}.Attribute[${i}]`, ctx, result));
  });
}

/**
 * A MISP event export: `{"Event": {...}}`, the REST search answer `{"response": [{"Event": ...}]}`
 * or an array of `{"Event": ...}`. Attributes (the event's and those of its objects) marked
 * `to_ids` become indicators; deleted ones and those not for IDS are skipped. Confidence comes
 * from a confidence tag (attribute first, then event), else from the event's threat level, which
 * also gives the severity. A malformed export throws ImportFormatError and imports nothing.
 */
export function parseMispEvent(text: string | unknown, source: string): ImportResult {
  let data: unknown = text;
  if (typeof text === 'string') {
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new ImportFormatError('misp', `not JSON: ${(err as Error).message}`);
    }
  }
  const result = emptyResult();
  if (Array.isArray(data)) {
    data.forEach((item, i) => importEvent(item, `[${i}]`, source, result));
  } else if (isPlainObject(data) && 'response' in data) {
    const response = data.response;
    if (!Array.isArray(response)) throw new ImportFormatError('response', 'expected an array of {"Event": ...}');
    response.forEach((item, i) => importEvent(item, `response[${i}]`, source, result));
  } else if (isPlainObject(data) && 'Event' in data) {
    importEvent(data, '', source, result);
  } else {
    throw new ImportFormatError('misp', 'not a MISP event export: expected {"Event": ...}, {"response": [...]} or an array of events');
  }
  return result;
}
