import { isUtf8 } from 'node:buffer';
import { badRequest, type IncomingRecord } from '../../core/index.ts';
import { locateJsonError } from './json-error.ts';

export type BodyFormat = 'json' | 'ndjson' | 'text';

/** Picks the body format from the Content-Type header. */
export function bodyFormat(contentType: string | undefined): BodyFormat {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type.includes('ndjson') || type.includes('jsonlines') || type.includes('json-seq') || type === 'application/jsonl') return 'ndjson';
  if (type.startsWith('text/')) return 'text';
  return 'json';
}

/** The offset of the first byte that is not valid UTF-8. */
export function firstInvalidUtf8(buffer: Uint8Array): number {
  let i = 0;
  while (i < buffer.length) {
    const b = buffer[i]!;
    let need = 0;
    let min = 0;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) (need = 1), (min = 0x80);
    else if (b >= 0xe0 && b <= 0xef) (need = 2), (min = 0x800);
    else if (b >= 0xf0 && b <= 0xf4) (need = 3), (min = 0x10000);
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = buffer[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

const toRecord = (value: unknown, index: number): IncomingRecord => {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return { raw: { kind: 'object', value: value as Record<string, unknown> } };
  if (typeof value === 'string') return { raw: { kind: 'text', value } };
  const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  return { error: `record ${index}: expected an object or a string, got ${kind}`, payload: stringifyBounded(value) };
};

/**
 * JSON text of a parsed value for a dead letter, without recursion: a value nested too deep for
 * JSON.stringify is still written out in full.
 */
export function stringifyBounded(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return stringifyIteratively(value);
  }
}

function stringifyIteratively(root: unknown): string {
  const out: string[] = [];
  // Work items: a value to write, or a literal piece of text.
  const stack: Array<{ value: unknown } | { text: string }> = [{ value: root }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if ('text' in item) {
      out.push(item.text);
      continue;
    }
    const value = item.value;
    if (Array.isArray(value)) {
      stack.push({ text: ']' });
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push({ value: value[i] });
        if (i > 0) stack.push({ text: ',' });
      }
      out.push('[');
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      stack.push({ text: '}' });
      for (let i = entries.length - 1; i >= 0; i--) {
        stack.push({ value: entries[i]![1] });
        stack.push({ text: `${JSON.stringify(entries[i]![0])}:` });
        if (i > 0) stack.push({ text: ',' });
      }
      out.push('{');
    } else {
      out.push(JSON.stringify(value) ?? 'null');
    }
  }
  return out.join('');
}

/** Why JSON.parse refused a text that the locator finds well-formed: it is nested too deeply. */
const tooDeep = (error: unknown): string => `nested too deeply to parse (${(error as Error).message})`;

function parseJsonBody(buffer: Buffer): IncomingRecord[] {
  if (!isUtf8(buffer)) {
    const at = firstInvalidUtf8(buffer);
    throw badRequest(`body is not valid UTF-8 at byte ${at}`, 'body', { position: at });
  }
  const text = buffer.toString('utf8');
  if (text.trim() === '') throw badRequest('body is empty', 'body', { position: 0 });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (parseError) {
    // A JSON content type with one object per line is NDJSON sent with the wrong header.
    const firstLine = text.slice(0, text.indexOf('\n'));
    if (text.includes('\n') && firstLine.trim().startsWith('{') && isJson(firstLine)) return parseNdjsonBody(buffer);
    const problem = locateJsonError(text);
    if (problem.line === 0) throw badRequest(`body is ${tooDeep(parseError)}`, 'body', { position: 0 });
    throw badRequest(
      `body is not valid JSON at position ${problem.position} (line ${problem.line}, column ${problem.column}): expected ${problem.expected}`,
      'body',
      { position: problem.position, line: problem.line, column: problem.column },
    );
  }
  return Array.isArray(parsed) ? parsed.map(toRecord) : [toRecord(parsed, 0)];
}

const isJson = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** Splits at LF; each line stands alone, so one bad line never costs its neighbours. */
function splitLines(buffer: Buffer): Array<{ text: string } | { invalidAt: number; bytes: Buffer }> {
  const out: Array<{ text: string } | { invalidAt: number; bytes: Buffer }> = [];
  if (isUtf8(buffer)) {
    for (const line of buffer.toString('utf8').split('\n')) out.push({ text: line.endsWith('\r') ? line.slice(0, -1) : line });
    return out;
  }
  let start = 0;
  while (start <= buffer.length) {
    let end = buffer.indexOf(0x0a, start);
    if (end === -1) end = buffer.length;
    let bytes = buffer.subarray(start, end);
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, -1);
    if (isUtf8(bytes)) out.push({ text: bytes.toString('utf8') });
    else out.push({ invalidAt: firstInvalidUtf8(bytes), bytes });
    start = end + 1;
  }
  return out;
}

function parseNdjsonBody(buffer: Buffer): IncomingRecord[] {
  const records: IncomingRecord[] = [];
  const lines = splitLines(buffer);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if ('invalidAt' in line) {
      records.push({ index, error: `line ${index + 1}: not valid UTF-8 at byte ${line.invalidAt}`, payload: line.bytes.toString('base64'), encoding: 'base64' });
      continue;
    }
    if (line.text.trim() === '') continue;
    try {
      const value = JSON.parse(line.text);
      const record = toRecord(value, index);
      if ('error' in record) records.push({ index, error: `line ${index + 1}: expected an object or a string`, payload: line.text });
      else records.push({ raw: record.raw.kind === 'object' ? { ...record.raw, text: line.text } : record.raw, index });
    } catch (parseError) {
      const problem = locateJsonError(line.text);
      if (problem.line === 0) {
        records.push({ index, error: `line ${index + 1}: ${tooDeep(parseError)}`, payload: line.text });
        continue;
      }
      records.push({ index, error: `line ${index + 1}: not valid JSON at column ${problem.position + 1}: expected ${problem.expected}`, payload: line.text });
    }
  }
  return records;
}

function parseTextBody(buffer: Buffer): IncomingRecord[] {
  const records: IncomingRecord[] = [];
  for (const line of splitLines(buffer)) {
    if ('invalidAt' in line) {
      // Log lines are often not clean UTF-8: keep them, with the bad bytes replaced.
      records.push({ raw: { kind: 'text', value: line.bytes.toString('utf8') } });
    } else if (line.text.trim() !== '') records.push({ raw: { kind: 'text', value: line.text } });
  }
  return records;
}

/** Splits a request body into records. Throws a 400 naming the position when the body as a whole is unreadable. */
export function parseBody(buffer: Buffer, format: BodyFormat): IncomingRecord[] {
  switch (format) {
    case 'ndjson':
      return parseNdjsonBody(buffer);
    case 'text':
      return parseTextBody(buffer);
    default:
      return parseJsonBody(buffer);
  }
}
