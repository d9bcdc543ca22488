import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Anchor, EventView } from '../types.ts';
import { CandidateIndex, type CandidateEntry } from './candidates.ts';
import { pick, randomString, rng } from './fixtures.ts';

/** A plain EventView over a map of field values and a keyword list. */
function view(fields: Record<string, unknown>, keywords: string[] = []): EventView {
  return {
    get: (f) => (Object.hasOwn(fields, f) ? fields[f] : undefined),
    keywords: () => keywords,
    time: () => 0,
    record: fields,
  };
}

/** Candidates, sorted (the index returns them in no particular order). */
const cands = (idx: CandidateIndex, v: EventView): number[] => idx.candidates(v).slice().sort((a, b) => a - b);

/** The strings a literal test sees in a value; null when the value is an object (no test applies). */
function strings(v: unknown): string[] | null {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (typeof v === 'number' || typeof v === 'boolean') return [String(v)];
  if (Array.isArray(v)) {
    const out: string[] = [];
    for (const x of v) {
      const s = strings(x);
      if (s === null) return null;
      out.push(...s);
    }
    return out;
  }
  return null;
}

/** The specified candidate set, computed the slow way. */
function expected(entries: CandidateEntry[], v: EventView): number[] {
  const out: number[] = [];
  for (const e of entries) {
    if (e.anchors === null || e.anchors.length === 0 || e.anchors.some((a) => a.literal === '')) {
      out.push(e.rule);
      continue;
    }
    const hit = e.anchors.some((a) => {
      const ss = a.field === null ? [...v.keywords()] : strings(v.get(a.field));
      if (ss === null) return true;
      return ss.some((s) => s.toLowerCase().includes(a.literal.toLowerCase()));
    });
    if (hit) out.push(e.rule);
  }
  return out.sort((a, b) => a - b);
}

describe('CandidateIndex', () => {
  it('selects rules whose anchor occurs in its field, case-insensitively, plus always-run rules', () => {
    const entries: CandidateEntry[] = [
      { rule: 10, anchors: [{ field: 'Image', literal: '\\cmd.exe' }] },
      { rule: 11, anchors: [{ field: 'CommandLine', literal: 'powershell' }, { field: 'Image', literal: 'pwsh' }] },
      { rule: 12, anchors: null },
      { rule: 13, anchors: [{ field: null, literal: 'mimikatz' }] },
      { rule: 14, anchors: [{ field: 'Image', literal: 'RUNDLL32' }] },
    ];
    const idx = new CandidateIndex(entries);
    assert.deepEqual(idx.alwaysRun, [12]);
    assert.deepEqual(cands(idx, view({ Image: 'C:\\Windows\\System32\\CMD.EXE', CommandLine: 'x' })), [10, 12]);
    assert.deepEqual(cands(idx, view({ Image: 'C:\\x\\pwsh.exe' })), [11, 12]);
    assert.deepEqual(cands(idx, view({ CommandLine: 'PowerShell -enc' })), [11, 12]);
    assert.deepEqual(cands(idx, view({}, ['a', 'sekurlsa via MimiKatz'])), [12, 13]);
    assert.deepEqual(cands(idx, view({ Image: 'rundll32.exe' }, ['mimikatz'])), [12, 13, 14]);
    assert.deepEqual(cands(idx, view({})), [12]);
    const s = idx.stats();
    assert.equal(s.rules, 5);
    assert.equal(s.alwaysRun, 1);
    assert.equal(s.anchored, 4);
    assert.equal(s.fields, 3);
    assert.equal(s.literals, 5);
  });

  it('reads numbers, booleans and arrays; an object value keeps every rule of its field', () => {
    const idx = new CandidateIndex([
      { rule: 0, anchors: [{ field: 'EventID', literal: '4688' }] },
      { rule: 1, anchors: [{ field: 'Tags', literal: 'admin' }] },
      { rule: 2, anchors: [{ field: 'Flag', literal: 'true' }] },
      { rule: 3, anchors: [{ field: 'Obj', literal: 'zzz' }] },
    ]);
    assert.deepEqual(cands(idx, view({ EventID: 4688, Tags: ['user', 'Admins'], Flag: true })), [0, 1, 2]);
    assert.deepEqual(cands(idx, view({ EventID: '4624', Tags: [['nested', 'ADMIN']] })), [1]);
    assert.deepEqual(cands(idx, view({ Obj: { a: 1 } })), [3]);
    assert.deepEqual(cands(idx, view({ Obj: null, EventID: null })), []);
  });

  it('treats empty anchor lists and empty literals as always-run (sound)', () => {
    const idx = new CandidateIndex([
      { rule: 0, anchors: [] },
      { rule: 1, anchors: [{ field: 'A', literal: '' }, { field: 'B', literal: 'x' }] },
      { rule: 2, anchors: [{ field: 'A', literal: 'y' }] },
    ]);
    assert.deepEqual(idx.alwaysRun, [0, 1]);
    assert.deepEqual(cands(idx, view({ A: 'Y' })), [0, 1, 2]);
  });

  it('is exactly the specified candidate set on random rules and events (property)', () => {
    const fields: Array<string | null> = ['Image', 'CommandLine', 'ParentImage', 'TargetObject', null];
    const alphabet = 'abcdeABCDE\\.:-ßİ';
    for (let seed = 1; seed <= 150; seed++) {
      const r = rng(seed);
      const nRules = 1 + Math.floor(r() * 60);
      const entries: CandidateEntry[] = [];
      for (let i = 0; i < nRules; i++) {
        if (r() < 0.1) {
          entries.push({ rule: i * 3, anchors: null });
          continue;
        }
        const nA = 1 + Math.floor(r() * 4);
        const anchors: Anchor[] = Array.from({ length: nA }, () => ({ field: pick(r, fields), literal: randomString(r, alphabet, 1, 4) }));
        entries.push({ rule: i * 3, anchors });
      }
      const idx = new CandidateIndex(entries);
      for (let k = 0; k < 30; k++) {
        const values: Record<string, unknown> = {};
        for (const f of fields) {
          if (f === null || r() < 0.2) continue;
          const kind = r();
          values[f] =
            kind < 0.6 ? randomString(r, alphabet, 0, 30)
            : kind < 0.75 ? [randomString(r, alphabet, 0, 10), randomString(r, alphabet, 0, 10)]
            : kind < 0.85 ? Math.floor(r() * 1000)
            : kind < 0.9 ? { x: 'abc' }
            : null;
        }
        const kws = Array.from({ length: Math.floor(r() * 4) }, () => randomString(r, alphabet, 0, 20));
        const v = view(values, kws);
        assert.deepEqual(cands(idx, v), expected(entries, v), `seed ${seed} event ${k}`);
      }
    }
  });
});
