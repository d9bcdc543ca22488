import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { VigilEvent } from '../../core/index.ts';
import { RuleSet, formatRejection, loadRoutingFile, type Detection, type RoutingConfig } from '../../detect/index.ts';
import { loadConfigFile, type VigilConfig } from '../../config/index.ts';
import { newId } from '../../lib/index.ts';
import { normalizeRecord } from '../../normalize/index.ts';
import { readRecords, type FileFormat } from '../../sources/file/index.ts';
import { UsageError } from '../context.ts';
import { ProgressBar } from '../progress.ts';

export interface HuntOptions {
  rules: string[];
  events: string[];
  format?: 'table' | 'jsonl';
  config?: string;
  inputFormat?: FileFormat;
}

/** Event files under the given paths: files as given, folders searched for .ndjson/.jsonl/.json/.log/.txt. */
export function expandEventPaths(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        const child = join(path, entry);
        if (statSync(child).isDirectory()) walk(child);
        else if (/\.(ndjson|jsonl|json|log|txt)$/i.test(entry)) out.push(child);
      }
    } else out.push(path);
  };
  for (const path of paths) {
    if (path === '-') out.push(path);
    else walk(path);
  }
  return out;
}

const LEVELS = ['critical', 'high', 'medium', 'low', 'informational'] as const;

/**
 * `vigil hunt`: offline hunting over event files, like Chainsaw or Hayabusa. Exit 0 when it ran,
 * whatever it found; 2 on bad arguments or unreadable rules.
 */
export async function hunt(options: HuntOptions): Promise<number> {
  if (!options.rules?.length) throw new UsageError('hunt needs --rules PATH...');
  if (!options.events?.length) throw new UsageError('hunt needs --events FILE...');
  const format = options.format ?? 'table';
  if (format !== 'table' && format !== 'jsonl') throw new UsageError('--format must be table or jsonl');
  for (const path of [...options.rules, ...options.events.filter((f) => f !== '-')]) {
    if (!existsSync(path)) throw new UsageError(`cannot read ${path}`);
  }
  const eventFiles = expandEventPaths(options.events);
  // --config: a vigil.yaml (its rules.routing and rules.placeholders apply), or a routing file itself.
  let routing: RoutingConfig | undefined;
  let placeholders: Record<string, string[]> | undefined;
  if (options.config) {
    let vigilConfig: VigilConfig | null = null;
    try {
      vigilConfig = loadConfigFile(options.config);
    } catch {
      vigilConfig = null;
    }
    try {
      if (vigilConfig) {
        placeholders = vigilConfig.rules.placeholders;
        if (vigilConfig.rules.routing) routing = loadRoutingFile(vigilConfig.rules.routing);
      } else routing = loadRoutingFile(options.config);
    } catch (error) {
      throw new UsageError(`--config ${options.config}: ${(error as Error).message}`);
    }
  }

  const started = performance.now();
  const set = RuleSet.load({ paths: options.rules, routing, placeholders, latenessMs: 24 * 3_600_000 });
  for (const rejection of set.rejections) process.stderr.write(`rejected: ${formatRejection(rejection)}\n`);
  if (set.size === 0 && set.rules.length === 0) throw new UsageError(`no usable rules under ${options.rules.join(', ')}`);

  // Where each event came from, for the output's file and line.
  const origin = new WeakMap<VigilEvent, { file: string; line: number }>();
  const counts: Record<string, number> = {};
  let events = 0;
  let detections = 0;
  const rows: string[][] = [];
  const emit = (detection: Detection) => {
    detections++;
    const alert = detection.alert;
    counts[alert.rule.level] = (counts[alert.rule.level] ?? 0) + 1;
    const first = detection.events[0];
    const where = first ? origin.get(first) : undefined;
    if (format === 'jsonl') {
      const out: Record<string, unknown> = {
        rule_id: alert.rule.id,
        title: alert.rule.title,
        level: alert.rule.level,
        tags: alert.rule.tags,
        file: where?.file ?? null,
        line: where?.line ?? null,
        timestamp: detection.correlation ? alert.last_seen : (first?.['@timestamp'] ?? alert.last_seen),
      };
      if (detection.correlation) {
        out.correlation = true;
        out.group = alert.correlation?.group ?? {};
        out.events = detection.events.map((e) => origin.get(e)).filter(Boolean);
      }
      process.stdout.write(`${JSON.stringify(out)}\n`);
    } else {
      rows.push([
        detection.correlation ? alert.last_seen : String(first?.['@timestamp'] ?? alert.last_seen),
        alert.rule.level,
        alert.rule.title,
        where ? `${basename(where.file)}:${where.line}` : '',
        alert.entities.hosts.slice(0, 2).join(','),
      ]);
    }
  };

  const totalBytes = eventFiles.reduce((sum, f) => sum + (f === '-' ? 0 : statSync(f).size), 0);
  const bar = new ProgressBar(totalBytes, 'hunt');
  let doneBytes = 0;
  const receivedAt = new Date();
  for (const file of eventFiles) {
    const path = file === '-' ? 'stdin' : resolve(file);
    const input = { type: 'file', name: file === '-' ? 'stdin' : basename(file), address: path };
    let fileBytes = 0;
    for await (const batch of readRecords(file, { format: options.inputFormat, onProgress: (p) => (fileBytes = p.bytes) })) {
      for (const record of batch) {
        if ('error' in record) {
          process.stderr.write(`${file}:${record.line}: skipped: ${record.error}\n`);
          continue;
        }
        const normalized = normalizeRecord(record.raw, { input, receivedAt });
        if (!normalized.ok) {
          process.stderr.write(`${file}:${record.line}: skipped: ${normalized.error}\n`);
          continue;
        }
        const event = { ...normalized.value, id: newId(), input } as VigilEvent;
        origin.set(event, { file: path, line: record.line });
        events++;
        for (const detection of set.process(event)) emit(detection);
      }
      bar.update(doneBytes + fileBytes, `${events} events, ${detections} detections`);
    }
    doneBytes += fileBytes;
  }
  for (const detection of set.flush()) emit(detection);
  bar.done();

  const seconds = (performance.now() - started) / 1000;
  if (format === 'table') {
    rows.sort((a, b) => a[0]!.localeCompare(b[0]!));
    for (const row of rows) process.stdout.write(`${row[0]!.padEnd(25)} ${row[1]!.padEnd(13)} ${row[2]!.slice(0, 70).padEnd(70)} ${row[3]!.padEnd(30)} ${row[4]}\n`);
  }
  const byLevel = LEVELS.filter((l) => counts[l]).map((l) => `${l} ${counts[l]}`).join(', ');
  process.stderr.write(
    `${set.size} rules (${set.rejections.length} rejected), ${events} events, ${detections} detections${byLevel ? ` (${byLevel})` : ''} in ${seconds.toFixed(2)}s\n`,
  );
  return 0;
}
