import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AhoCorasick } from './aho-corasick.ts';
import { randomString, rng } from './fixtures.ts';

function naive(patterns: readonly string[], text: string): number[] {
  const low = text.toLowerCase();
  const out: number[] = [];
  patterns.forEach((p, i) => {
    if (low.includes(p.toLowerCase())) out.push(i);
  });
  return out;
}

describe('AhoCorasick', () => {
  it('finds overlapping, nested and repeated patterns once each', () => {
    const ac = new AhoCorasick(['he', 'she', 'his', 'hers', 'e', 'xyz']);
    assert.deepEqual(ac.findAll('ushers'), [0, 1, 3, 4]);
    assert.deepEqual(ac.findAll('hehehe'), [0, 4]);
    assert.deepEqual(ac.findAll(''), []);
    assert.deepEqual(ac.findAll('nothing here'), [0, 4]);
  });

  it('is case-insensitive on both sides, including non-ASCII', () => {
    const ac = new AhoCorasick(['\\Windows\\System32\\', 'ÄBC', 'straße', 'Ω']);
    assert.deepEqual(ac.findAll('C:\\WINDOWS\\system32\\cmd.exe'), [0]);
    assert.deepEqual(ac.findAll('xx äbc yy'), [1]);
    assert.deepEqual(ac.findAll('STRASSE STRAßE'), [2]);
    assert.deepEqual(ac.findAll('ω'), [3]);
    // 'İ' lower-cases to two code units ('i' + U+0307): positions after it shift.
    const b = new AhoCorasick(['i̇x', 'ab']);
    assert.deepEqual(b.findAll('İXAB'), [0, 1]);
  });

  it('reports duplicate patterns and the empty pattern', () => {
    const ac = new AhoCorasick(['ab', 'ab', '', 'b']);
    assert.deepEqual(ac.findAll('xab'), [0, 1, 2, 3]);
    assert.deepEqual(ac.findAll('zz'), [2]);
  });

  it('reports each pattern once per session across several scans, and again after begin()', () => {
    const ac = new AhoCorasick(['cmd', 'powershell', 'exe']);
    const hits: number[] = [];
    const sink = { hit: (p: number) => hits.push(p) };
    ac.begin();
    ac.scan('cmd.exe', sink);
    ac.scan('CMD.EXE /c powershell', sink);
    assert.deepEqual(hits.sort(), [0, 1, 2]);
    assert.equal(ac.exhausted, true);
    ac.begin();
    assert.equal(ac.exhausted, false);
    hits.length = 0;
    ac.scan('cmd', sink);
    assert.deepEqual(hits, [0]);
  });

  for (const denseCells of [undefined, 0, 64]) {
    it(`agrees with a naive substring scan on random data (property, dense cells: ${denseCells ?? 'default'})`, () => {
      const alphabets = ['ab', 'abc', 'aAbB\\.', 'abcdefghij', 'aäÄßSsİiΣσς.\\'];
      for (let seed = 1; seed <= 300; seed++) {
        const r = rng(seed);
        const alphabet = alphabets[seed % alphabets.length];
        const nPat = 1 + Math.floor(r() * 40);
        const patterns = Array.from({ length: nPat }, () => randomString(r, alphabet, 1, 6));
        const ac = new AhoCorasick(patterns, { denseCells });
        for (let k = 0; k < 20; k++) {
          const text = randomString(r, alphabet, 0, 80);
          assert.deepEqual(ac.findAll(text), naive(patterns, text), `seed ${seed}: ${JSON.stringify(patterns)} in ${JSON.stringify(text)}`);
        }
      }
    });
  }

  it('handles a large pattern set (thousands of literals, long texts)', () => {
    const r = rng(42);
    const patterns = Array.from({ length: 5000 }, () => randomString(r, 'abcdefghijklmnopqrstuvwxyz\\.-', 3, 20));
    const ac = new AhoCorasick(patterns);
    const sparse = new AhoCorasick(patterns, { denseCells: 0 });
    for (let k = 0; k < 30; k++) {
      const text = randomString(r, 'abcdefghijklmnopqrstuvwxyzABC\\.- ', 0, 3000);
      const want = naive(patterns, text);
      assert.deepEqual(ac.findAll(text), want);
      assert.deepEqual(sparse.findAll(text), want);
    }
    assert.ok(ac.states > 1000 && ac.bytes > 0);
  });
});
