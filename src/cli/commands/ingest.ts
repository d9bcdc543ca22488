import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { openLocal } from '../../app/index.ts';
import type { IngestRejection } from '../../core/index.ts';
import { readRecords, type FileFormat, type FileRecord } from '../../sources/file/index.ts';
import { loadConfig, remoteTarget, UsageError, type GlobalOptions } from '../context.ts';
import { ProgressBar } from '../progress.ts';

export interface IngestOptions extends GlobalOptions {
  format?: FileFormat;
}

interface Summary {
  files: number;
  records: number;
  accepted: number;
  rejected: number;
  errors: Array<{ file: string; line: number; error: string }>;
  seconds: number;
}

/** `vigil ingest FILE... | -`: into the data folder, or to a server with --url. */
export async function ingest(files: string[], options: IngestOptions): Promise<number> {
  if (files.length === 0) throw new UsageError('ingest needs at least one FILE, or - for standard input');
  if (options.format && !['auto', 'ndjson', 'json', 'lines'].includes(options.format)) throw new UsageError(`--format must be auto, ndjson, json or lines`);
  for (const file of files) {
    if (file !== '-') {
      try {
        statSync(file);
      } catch {
        throw new UsageError(`cannot read ${file}`);
      }
    }
  }
  const remote = remoteTarget(options);
  const local = remote ? null : await openLocal(loadConfig(options));
  const summary: Summary = { files: 0, records: 0, accepted: 0, rejected: 0, errors: [], seconds: 0 };
  const started = performance.now();
  const totalBytes = files.reduce((sum, f) => sum + (f === '-' ? 0 : statSync(f).size), 0);
  const bar = new ProgressBar(totalBytes, 'ingest');
  let doneBytes = 0;
  try {
    for (const file of files) {
      summary.files++;
      const input = { type: 'file', name: file === '-' ? 'stdin' : basename(file), address: file === '-' ? 'stdin' : resolve(file) };
      let fileBytes = 0;
      for await (const batch of readRecords(file, { format: options.format, onProgress: (p) => (fileBytes = p.bytes) })) {
        summary.records += batch.length;
        let rejected: IngestRejection[];
        if (remote) {
          const outcome = await sendRemote(remote, batch);
          summary.accepted += outcome.accepted;
          rejected = outcome.rejected;
        } else {
          const outcome = await local!.pipeline.ingest(batch, input);
          summary.accepted += outcome.accepted;
          rejected = outcome.rejected;
        }
        summary.rejected += rejected.length;
        for (const r of rejected) {
          if (summary.errors.length < 20) summary.errors.push({ file, line: batch.find((b) => b.index === r.index)?.line ?? r.index + 1, error: r.error });
        }
        bar.update(doneBytes + fileBytes, `${summary.accepted} events`);
      }
      doneBytes += fileBytes;
    }
  } finally {
    bar.done();
    await local?.close();
  }
  summary.seconds = Math.round((performance.now() - started) / 10) / 100;
  if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    process.stdout.write(
      `${summary.files} file(s), ${summary.records} records: ${summary.accepted} accepted, ${summary.rejected} rejected in ${summary.seconds}s` +
        (summary.seconds > 0 ? ` (${Math.round(summary.accepted / summary.seconds)} events/s)` : '') +
        '\n',
    );
    for (const e of summary.errors) process.stdout.write(`  ${e.file}:${e.line}: ${e.error}\n`);
    if (summary.rejected > summary.errors.length) process.stdout.write(`  … and ${summary.rejected - summary.errors.length} more (see /api/v1/dead-letters)\n`);
  }
  return 0;
}

/** Sends one batch to a server: parsed records as NDJSON, text lines as text. */
async function sendRemote(remote: NonNullable<ReturnType<typeof remoteTarget>>, batch: FileRecord[]) {
  const lines: string[] = [];
  const positions: number[] = [];
  const preRejected: IngestRejection[] = [];
  for (const record of batch) {
    if ('error' in record) preRejected.push({ index: record.index ?? 0, error: record.error });
    else {
      lines.push(JSON.stringify(record.raw.value));
      positions.push(record.index ?? 0);
    }
  }
  if (lines.length === 0) return { accepted: 0, rejected: preRejected };
  const outcome = await remote.ingestNdjson(lines.join('\n'));
  // The server numbers lines of this request; map them back to the file's.
  return { accepted: outcome.accepted, rejected: [...preRejected, ...outcome.rejected.map((r) => ({ ...r, index: positions[r.index] ?? r.index }))] };
}
