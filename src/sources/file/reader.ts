import { createReadStream, type ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import type { IncomingRecord } from '../../core/index.ts';
import { locateJsonError } from '../http/index.ts';

export type FileFormat = 'auto' | 'ndjson' | 'json' | 'lines';

/** A record read from a file, with the 1-based line it started on. */
export type FileRecord = IncomingRecord & { line: number };

export interface ReadProgress {
  bytes: number;
}

/** Largest JSON-array file read whole; bigger ones should be NDJSON. */
const MAX_JSON_DOCUMENT_BYTES = 512 * 1024 * 1024;

async function sniff(path: string): Promise<'ndjson' | 'json' | 'lines'> {
  if (path === '-') return 'ndjson';
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    const head = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    if (head.startsWith('[')) return 'json';
    if (head.startsWith('{')) return 'ndjson';
    return 'lines';
  } finally {
    await handle.close();
  }
}

const objectOrText = (value: unknown, line: number): FileRecord => {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return { raw: { kind: 'object', value: value as Record<string, unknown> }, line, index: line - 1 };
  if (typeof value === 'string') return { raw: { kind: 'text', value }, line, index: line - 1 };
  return { error: `line ${line}: expected an object or a string`, payload: JSON.stringify(value) ?? '', line, index: line - 1 };
};

/**
 * Reads NDJSON, a JSON array or log lines (syslog and other text), yielding records in batches
 * with their line numbers. `onProgress` gets the bytes read so far.
 */
export async function* readRecords(
  path: string,
  options: { format?: FileFormat; batchSize?: number; stdin?: NodeJS.ReadableStream; onProgress?: (p: ReadProgress) => void } = {},
): AsyncGenerator<FileRecord[]> {
  const format = !options.format || options.format === 'auto' ? await sniff(path) : options.format;
  const batchSize = options.batchSize ?? 2000;
  const stream: NodeJS.ReadableStream | ReadStream = path === '-' ? (options.stdin ?? process.stdin) : createReadStream(path, { highWaterMark: 1 << 20 });
  let bytes = 0;

  if (format === 'json') {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      bytes += buffer.length;
      if (bytes > MAX_JSON_DOCUMENT_BYTES) throw new Error(`${path}: a JSON document over ${MAX_JSON_DOCUMENT_BYTES} bytes; use NDJSON for files this large`);
      chunks.push(buffer);
      options.onProgress?.({ bytes });
    }
    const text = Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      const problem = locateJsonError(text);
      throw new Error(`${path}: not valid JSON at line ${problem.line}, column ${problem.column}: expected ${problem.expected}`);
    }
    const items = Array.isArray(parsed) ? parsed : [parsed];
    for (let i = 0; i < items.length; i += batchSize) {
      yield items.slice(i, i + batchSize).map((item, k) => ({ ...objectOrText(item, 1), index: i + k, line: 1 }));
    }
    return;
  }

  const decoder = new StringDecoder('utf8');
  let carry = '';
  let lineNumber = 0;
  let batch: FileRecord[] = [];
  const take = (rawLine: string): void => {
    lineNumber++;
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const text = lineNumber === 1 ? line.replace(/^\uFEFF/, '') : line;
    if (text.trim() === '') return;
    if (format === 'lines') {
      batch.push({ raw: { kind: 'text', value: text }, line: lineNumber, index: lineNumber - 1 });
      return;
    }
    try {
      batch.push(objectOrText(JSON.parse(text), lineNumber));
    } catch (parseError) {
      const problem = locateJsonError(text);
      const reason = problem.line === 0 ? `nested too deeply to parse (${(parseError as Error).message})` : `not valid JSON at column ${problem.position + 1}: expected ${problem.expected}`;
      batch.push({ error: `line ${lineNumber}: ${reason}`, payload: text, line: lineNumber, index: lineNumber - 1 });
    }
  };
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    bytes += buffer.length;
    options.onProgress?.({ bytes });
    const text = carry + decoder.write(buffer);
    const lines = text.split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      take(line);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  }
  const rest = carry + decoder.end();
  if (rest !== '') take(rest);
  if (batch.length > 0) yield batch;
}
