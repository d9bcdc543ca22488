/**
 * Test helpers (not used at run time): the shared Windows event corpus as VigilEvents built with
 * the real normaliser, and a seeded random generator for property tests.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VigilEvent } from '../../core/index.ts';
import { seededRandom } from '../../lib/index.ts';
import { normalizeRecord } from '../../normalize/index.ts';

export const WINDOWS_CORPUS = process.env.VIGIL_WINDOWS_EVENTS ?? '/work/shared/data/windows-events';
export const LOGHUB = process.env.VIGIL_LOGHUB ?? '/work/shared/data/loghub-2k';

/** false when present, else the reason to skip (for `describe(..., { skip })`). */
export function skipUnless(dir: string): false | string {
  return existsSync(dir) ? false : `${dir} is absent`;
}

const input = { type: 'file', name: 'test' };
const receivedAt = new Date('2024-01-01T00:00:00Z');
let seq = 0;

/** A raw record → VigilEvent through the real normaliser (throws when it is rejected). */
export function toEvent(raw: { kind: 'object'; value: Record<string, unknown> } | { kind: 'text'; value: string }): VigilEvent {
  const r = normalizeRecord(raw, { input, receivedAt });
  if (!r.ok) throw new Error(`normalize: ${r.error}`);
  return { ...r.value, id: `E${String(seq++).padStart(8, '0')}`, input };
}

export interface CorpusEvent {
  file: string;
  raw: Record<string, unknown>;
  event: VigilEvent;
}

let cache: CorpusEvent[] | null = null;
/** Every event of the Windows corpus (cached). */
export function loadWindowsCorpus(dir = WINDOWS_CORPUS): CorpusEvent[] {
  if (cache) return cache;
  const out: CorpusEvent[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ndjson')) {
        for (const line of readFileSync(p, 'utf8').split('\n')) {
          if (!line) continue;
          const raw = JSON.parse(line) as Record<string, unknown>;
          out.push({ file: p.slice(dir.length + 1), raw, event: toEvent({ kind: 'object', value: raw }) });
        }
      }
    }
  };
  walk(dir);
  cache = out;
  return out;
}

/** Lines of a loghub sample file, as VigilEvents. */
export function loadLoghub(name: string, limit = 2000): VigilEvent[] {
  const file = join(LOGHUB, name);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .slice(0, limit)
    .map((l) => toEvent({ kind: 'text', value: l }));
}

/** Seeded randomness for property tests (the shared generator). */
export const rng = seededRandom;

export function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

export function randomString(r: () => number, alphabet: string, min: number, max: number): string {
  const chars = [...alphabet];
  const n = min + Math.floor(r() * (max - min + 1));
  let s = '';
  for (let i = 0; i < n; i++) s += pick(r, chars);
  return s;
}
