import { INDICATOR_TYPES, isIndicatorType, type IndicatorInput, type IndicatorType } from '../../core/index.ts';
import { parseCsv } from '../../lib/index.ts';
import { checkConfidence, checkDate, emptyResult, FieldError, ImportFormatError, ipOrCidr, isAlertLevel, uniqueStrings, type ImportResult } from './import-result.ts';
import { inferIndicatorType } from './lines.ts';

type Field = 'type' | 'value' | 'confidence' | 'severity' | 'tags' | 'valid_from' | 'valid_until' | 'description' | 'source' | 'external_id';

/** Header names (lower case) and the field each column gives. */
const COLUMNS: Record<string, Field> = {
  type: 'type',
  value: 'value',
  indicator: 'value',
  ioc: 'value',
  observable: 'value',
  confidence: 'confidence',
  severity: 'severity',
  tags: 'tags',
  valid_from: 'valid_from',
  valid_until: 'valid_until',
  description: 'description',
  source: 'source',
  external_id: 'external_id',
};

/** Type names other tools write, and the indicator type they mean. */
const TYPE_ALIASES: Record<string, IndicatorType> = {
  ipv4: 'ip',
  ipv6: 'ip',
  'ipv4-addr': 'ip',
  'ipv6-addr': 'ip',
  'ip-src': 'ip',
  'ip-dst': 'ip',
  ip_address: 'ip',
  hostname: 'domain',
  fqdn: 'domain',
  'domain-name': 'domain',
  'sha-1': 'sha1',
  'sha-256': 'sha256',
  'email-addr': 'email',
  'email-src': 'email',
  'email-dst': 'email',
  username: 'user',
  account: 'user',
  file_name: 'filename',
};

function typeOf(cell: string): IndicatorType {
  const t = cell.trim().toLowerCase();
  if (isIndicatorType(t)) return t;
  const alias = TYPE_ALIASES[t];
  if (alias) return alias;
  throw new FieldError(`type: ${JSON.stringify(cell)} is not an indicator type (${INDICATOR_TYPES.join(', ')})`);
}

/**
 * A CSV of indicators with a header row. Columns (any case): `type`, `value` (or `indicator`,
 * `ioc`, `observable`), `confidence`, `severity`, `tags` (`;` or `|` separated), `valid_from`,
 * `valid_until`, `description`, `source` (overrides `source`), `external_id`; others are ignored.
 * A row without a type (no column, or an empty cell) takes `defaults.type`, else the type its value
 * looks like. A bad row is rejected (`line N`, the column and why); the other rows still import.
 */
export function parseIndicatorCsv(text: string, source: string, defaults?: { type?: IndicatorType }): ImportResult {
  let rows: string[][];
  const lines: number[] = [];
  try {
    rows = parseCsv(text, lines);
  } catch (err) {
    throw new ImportFormatError('csv', (err as Error).message);
  }
  const [header, ...records] = rows;
  if (!header) throw new ImportFormatError('line 1', 'no header row');
  const lineOf = (index: number): number => lines[index]!;

  const column = new Map<Field, number>();
  header.forEach((name, i) => {
    const field = COLUMNS[name.trim().toLowerCase()];
    if (!field) return;
    const previous = column.get(field);
    if (previous !== undefined) {
      throw new ImportFormatError(`line ${lineOf(0)}`, `columns ${JSON.stringify(header[previous]!.trim())} and ${JSON.stringify(name.trim())} both give the ${field}`);
    }
    column.set(field, i);
  });
  if (!column.has('value')) throw new ImportFormatError(`line ${lineOf(0)}`, 'the header has no value column (value, indicator, ioc or observable)');

  const result = emptyResult();
  records.forEach((row, r) => {
    if (row.every((cell) => cell.trim() === '')) return;
    const cell = (field: Field): string => {
      const i = column.get(field);
      return i === undefined ? '' : (row[i] ?? '').trim();
    };
    const where = `line ${lineOf(r + 1)}`;
    try {
      const value = cell('value');
      if (value === '') throw new FieldError('value: empty');
      let type: IndicatorType | null = cell('type') !== '' ? typeOf(cell('type')) : (defaults?.type ?? inferIndicatorType(value));
      if (type === null) throw new FieldError(`value: cannot tell the indicator type of ${JSON.stringify(value)} (no type given)`);
      if (type === 'ip') type = ipOrCidr(value);
      const indicator: IndicatorInput = { type, value, source: cell('source') || source };
      if (cell('confidence') !== '') indicator.confidence = checkConfidence('confidence', cell('confidence'));
      const severity = cell('severity').toLowerCase();
      if (severity !== '') {
        if (!isAlertLevel(severity)) throw new FieldError(`severity: ${JSON.stringify(cell('severity'))} is not an alert level`);
        indicator.severity = severity;
      }
      const tags = uniqueStrings(cell('tags').split(/[;|]/));
      if (tags.length > 0) indicator.tags = tags;
      if (cell('valid_from') !== '') indicator.valid_from = checkDate('valid_from', cell('valid_from'));
      if (cell('valid_until') !== '') indicator.valid_until = checkDate('valid_until', cell('valid_until'));
      if (cell('description') !== '') indicator.description = cell('description');
      if (cell('external_id') !== '') indicator.external_id = cell('external_id');
      result.indicators.push(indicator);
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      result.rejected.push({ where, reason: err.message });
    }
  });
  return result;
}
