/**
 * Sigma benchmark: every SigmaHQ Windows rule over the real Windows event corpus, on one core.
 * Figures: events/s of the indexed engine (logsource routing + literal prefilter + closures), of
 * the naive baseline (every compiled rule's closure on every event), and of routing without the
 * prefilter; the ratio; and the whole `vigil hunt` command end to end (loading rules included).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { VigilEvent } from '../src/core/index.ts';
import { RuleSet } from '../src/detect/index.ts';
import { newId } from '../src/lib/index.ts';
import { normalizeRecord } from '../src/normalize/index.ts';
import { report, VIGIL_BIN } from './lib.ts';

const SIGMA = new URL('../../shared/data/sigma/rules/windows', import.meta.url).pathname;
const EVENTS = new URL('../../shared/data/windows-events', import.meta.url).pathname;

if (!existsSync(SIGMA) || !existsSync(EVENTS)) {
  report({ bench: 'sigma.hunt', skipped: `needs ${SIGMA} and ${EVENTS} (../shared/data)` });
  process.exit(0);
}

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.ndjson') ? [path] : [];
  });

const input = { type: 'file', name: 'bench' };
const receivedAt = new Date();
const events: VigilEvent[] = [];
for (const file of files(EVENTS)) {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const result = normalizeRecord({ kind: 'object', value: JSON.parse(line) }, { input, receivedAt });
    if (result.ok) events.push({ ...result.value, id: newId(), input } as VigilEvent);
  }
}

let started = performance.now();
const set = RuleSet.load({ paths: [SIGMA] });
const loadSeconds = (performance.now() - started) / 1000;
const stats = set.stats().detection;
report({ bench: 'sigma.rules', rules: set.size, rejected: set.rejections.length, always_run: stats.alwaysRun, logsources: stats.logsources.length, load_seconds: Math.round(loadSeconds * 100) / 100 });

/** Runs a strategy over the stream until at least `seconds` have passed; events/s and matches per pass. */
function measure(strategy: 'indexed' | 'routed-naive' | 'naive', seconds: number): { rate: number; matches: number } {
  let matches = 0;
  for (const event of events) matches += set.matches(event, strategy).length; // warm-up pass
  let processed = 0;
  const t0 = performance.now();
  do {
    for (const event of events) set.matches(event, strategy);
    processed += events.length;
  } while (performance.now() - t0 < seconds * 1000);
  return { rate: processed / ((performance.now() - t0) / 1000), matches };
}

const indexed = measure('indexed', 3);
const routed = measure('routed-naive', 2);
const naive = measure('naive', 2);
if (indexed.matches !== naive.matches || indexed.matches !== routed.matches) {
  throw new Error(`strategies disagree: indexed ${indexed.matches}, routed ${routed.matches}, naive ${naive.matches} matches`);
}
report({
  bench: 'sigma.match',
  rules: set.size,
  events: events.length,
  matches_per_pass: indexed.matches,
  events_per_s: Math.round(indexed.rate),
  naive_events_per_s: Math.round(naive.rate),
  ratio_to_naive: Math.round((indexed.rate / naive.rate) * 10) / 10,
  routed_without_prefilter_events_per_s: Math.round(routed.rate),
  ratio_to_routed: Math.round((indexed.rate / routed.rate) * 10) / 10,
  goal: '>= 10x naive and >= 50000 events/s on one core',
});

// The command as users run it: rules loaded and compiled, files read and normalised, alerts built.
started = performance.now();
const out = execFileSync(process.execPath, [VIGIL_BIN, 'hunt', '--rules', SIGMA, '--events', EVENTS, '--format', 'jsonl'], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
const huntSeconds = (performance.now() - started) / 1000;
report({
  bench: 'sigma.hunt_command',
  rules: set.size,
  events: events.length,
  detections: out.toString().split('\n').filter(Boolean).length,
  seconds: Math.round(huntSeconds * 100) / 100,
  events_per_s_including_startup: Math.round(events.length / huntSeconds),
});
