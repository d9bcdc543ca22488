import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HASH_PRIME,
  HASH_SEED_X,
  HASH_SEED_Y,
  hashFinish,
  hashRange,
  hashRangeLowerAscii,
  StringTable,
  Uint32Table,
} from './string-table.ts';

/** Two distinct strings with the same 32-bit hash (birthday search over short keys). */
function collidingPair(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const s = `k${i.toString(36)}`;
    const h = hashRange(s);
    const other = seen.get(h);
    if (other !== undefined) return [other, s];
    seen.set(h, s);
  }
}

test('hashRange: ranges, right-to-left folding and case folding', () => {
  const s = 'www.Evil.example';
  assert.equal(hashRange(s, 4, 8), hashRange('Evil'));
  assert.equal(hashRange(s, 0, s.length), hashRange(s));
  assert.notEqual(hashRange('ab'), hashRange('ba'));
  assert.notEqual(hashRange(''), hashRange('\u0000'));
  // every suffix in one right-to-left pass, as the domain matcher does
  let x = HASH_SEED_X;
  let y = HASH_SEED_Y;
  for (let i = s.length - 1; i >= 0; i--) {
    const t = Math.imul(x ^ s.charCodeAt(i), HASH_PRIME);
    x = y;
    y = t;
    assert.equal(hashFinish(x, y, s.length - i), hashRange(s, i, s.length), `suffix at ${i}`);
  }
  assert.equal(hashRangeLowerAscii('WWW.Evil.EXAMPLE'), hashRange('www.evil.example'));
  // only ASCII letters fold
  assert.notEqual(hashRangeLowerAscii('Ä'), hashRange('ä'));
  for (const v of ['', 'a', 'ab', 'abc', 'x'.repeat(65)]) assert.ok(hashRange(v) >= 0 && hashRange(v) <= 0xffffffff);
});

test('add, find, idempotent add, valueAt, size', () => {
  const t = new StringTable();
  const a = t.add('evil.example');
  const b = t.add('other.example');
  assert.notEqual(a, b);
  assert.equal(t.add('evil.example'), a);
  assert.equal(t.size, 2);
  assert.equal(t.find('evil.example'), a);
  assert.equal(t.find('other.example'), b);
  assert.equal(t.find('evil.exampl'), -1);
  assert.equal(t.find('Evil.example'), -1);
  assert.equal(t.has('other.example'), true);
  assert.equal(t.valueAt(a), 'evil.example');
  assert.equal(t.valueAt(b), 'other.example');
  assert.equal(t.equalsAt(a, 'evil.example'), true);
  assert.equal(t.equalsAt(a, 'other.example'), false);
  // the empty string is a key like any other
  assert.equal(t.find(''), -1);
  const e = t.add('');
  assert.equal(t.find(''), e);
  assert.equal(t.valueAt(e), '');
  assert.equal(t.size, 3);
  assert.throws(() => t.valueAt(99), RangeError);
});

test('collisions: a tiny table, distinct strings with the same full hash', () => {
  const [p, q] = collidingPair();
  assert.notEqual(p, q);
  assert.equal(hashRange(p), hashRange(q));
  const t = new StringTable({ capacity: 2 });
  assert.equal(t.capacity, 2);
  const ip = t.add(p);
  assert.equal(t.find(q), -1, 'same hash, other string: not found');
  const iq = t.add(q);
  assert.notEqual(ip, iq);
  assert.equal(t.find(p), ip);
  assert.equal(t.find(q), iq);
  assert.equal(t.valueAt(iq), q);
  assert.equal(t.remove(p), true);
  assert.equal(t.find(p), -1);
  assert.equal(t.find(q), iq, 'found past the tombstone of its colliding neighbour');
  // many keys through a table that starts at two slots: probing chains and growth
  for (let i = 0; i < 300; i++) t.add(`key-${i}`);
  for (let i = 0; i < 300; i++) assert.equal(t.valueAt(t.find(`key-${i}`)), `key-${i}`);
  assert.equal(t.find('key-300'), -1);
  assert.equal(t.size, 301);
});

test('growth keeps every entry index and string', () => {
  const t = new StringTable({ capacity: 8 });
  const idx: number[] = [];
  for (let i = 0; i < 5000; i++) idx.push(t.add(`d${i}.bad-${i % 97}.example`));
  assert.equal(t.size, 5000);
  assert.ok(t.capacity >= 5000 / 0.7, `capacity ${t.capacity}`);
  assert.ok((t.capacity & (t.capacity - 1)) === 0, 'power of two');
  assert.equal(new Set(idx).size, 5000);
  for (let i = 0; i < 5000; i++) {
    assert.equal(t.find(`d${i}.bad-${i % 97}.example`), idx[i]);
    assert.equal(t.valueAt(idx[i]!), `d${i}.bad-${i % 97}.example`);
  }
  assert.deepEqual([...t.indices()], [...idx].sort((a, b) => a - b));
  assert.equal([...t.values()].length, 5000);
});

test('tombstones: remove, rebuild past 25%, re-add reuses indexes', () => {
  const t = new StringTable({ capacity: 1024 });
  for (let i = 0; i < 600; i++) t.add(`v${i}`);
  const cap = t.capacity;
  assert.equal(cap, 1024);
  for (let i = 0; i < 200; i++) assert.equal(t.remove(`v${i}`), true);
  assert.equal(t.tombstoneCount, 200);
  assert.equal(t.remove('v0'), false, 'twice');
  assert.equal(t.remove('never'), false);
  // the 257th tombstone (> 25% of 1024 slots) triggers a rebuild
  for (let i = 200; i < 257; i++) t.remove(`v${i}`);
  assert.equal(t.tombstoneCount, 0);
  assert.equal(t.size, 343);
  for (let i = 0; i < 600; i++) assert.equal(t.find(`v${i}`) >= 0, i >= 257, `v${i}`);
  // removed indexes are handed out again
  const live = new Set(t.indices());
  const again = t.add('v0');
  assert.ok(!live.has(again));
  assert.ok(again < 600);
  assert.equal(t.valueAt(again), 'v0');
  assert.equal(t.size, 344);
});

test('removal then re-add; flags are reset, indexes of other entries stay', () => {
  const t = new StringTable({ capacity: 4 });
  const a = t.add('alpha');
  const b = t.add('beta');
  t.setFlag(a, 1);
  t.setFlag(b, 127);
  assert.equal(t.flag(a), 1);
  assert.equal(t.flag(b), 127);
  assert.throws(() => t.setFlag(a, 128), RangeError);
  assert.equal(t.remove('alpha'), true);
  assert.equal(t.isLive(a), false);
  assert.throws(() => t.valueAt(a), RangeError);
  assert.equal(t.equalsAt(a, 'alpha'), false);
  assert.throws(() => t.removeAt(a), RangeError);
  const a2 = t.add('alpha');
  assert.equal(t.flag(a2), 0, 'a re-added string starts with flag 0');
  assert.equal(t.find('beta'), b);
  assert.equal(t.flag(b), 127);
  t.removeAt(b);
  assert.equal(t.find('beta'), -1);
  assert.equal(t.size, 1);
  // remove everything, then fill again: the table still works from empty
  t.remove('alpha');
  assert.equal(t.size, 0);
  assert.deepEqual([...t.values()], []);
  for (let i = 0; i < 50; i++) t.add(`again${i}`);
  assert.equal(t.size, 50);
  assert.equal(t.valueAt(t.find('again49')), 'again49');
});

test('findRange looks substrings up without cutting them out', () => {
  const t = new StringTable();
  const evil = t.add('evil.example');
  const ex = t.add('example');
  const s = 'www.cdn.evil.example';
  assert.equal(t.findRange(s, 8, s.length), evil);
  assert.equal(t.findRange(s, 13, s.length), ex);
  assert.equal(t.findRange(s, 4, s.length), -1);
  assert.equal(t.findRange(s, 9, s.length), -1, 'vil.example');
  assert.equal(t.findRange(s, 8, s.length - 1), -1, 'evil.exampl');
  assert.equal(t.findRange(s, 8, s.length, hashRange(s, 8, s.length)), evil);
  assert.equal(t.findRange(s, 8, s.length, hashRange(s, 9, s.length)), -1, 'a wrong hash finds nothing');
  assert.equal(t.findRange('xxevil.exampleyy', 2, 14), evil, 'a range in the middle');
  // ASCII case folding for lowercase stored strings
  const u = 'WWW.CDN.Evil.EXAMPLE';
  assert.equal(t.findRange(u, 8, u.length), -1);
  assert.equal(t.findRangeLowerAscii(u, 8, u.length), evil);
  assert.equal(t.findRangeLowerAscii(u, 8, u.length, hashRangeLowerAscii(u, 8, u.length)), evil);
  assert.equal(t.findRangeLowerAscii(u, 13, u.length), ex);
  assert.equal(t.findRangeLowerAscii(u, 4, u.length), -1);
});

test('non-ASCII strings: BMP, astral (surrogate pairs), lone surrogates, latin-1', () => {
  const t = new StringTable({ capacity: 2 });
  const values = ['bücher.example', 'пример.рф', '例え.テスト', 'emoji-😀-x', '\ud800lone', 'lone\udfff', 'café', 'cafe\u0301', '\u0000nul', '\uffff'];
  const idx = values.map((v) => t.add(v));
  assert.equal(new Set(idx).size, values.length);
  values.forEach((v, i) => {
    assert.equal(t.find(v), idx[i], v);
    assert.equal(t.valueAt(idx[i]!), v);
  });
  // 'café' (precomposed) and 'cafe\u0301' are different code units: different keys
  assert.notEqual(t.find('café'), t.find('cafe\u0301'));
  assert.equal(t.find('😀'), -1);
  const s = 'x.😀.y';
  t.add('😀.y');
  assert.equal(t.findRange(s, 2, s.length), t.find('😀.y'));
  // folding leaves non-ASCII alone
  assert.equal(t.findRangeLowerAscii('BÜCHER.EXAMPLE', 0, 14), -1);
  assert.equal(t.findRangeLowerAscii('BüCHER.EXAMPLE', 0, 14), t.find('bücher.example'));
});

test('long strings and arena compaction after many removals', () => {
  const t = new StringTable({ capacity: 4 });
  const big = 'a'.repeat(10_000) + 'Z';
  const bi = t.add(big);
  assert.equal(t.valueAt(bi), big, 'valueAt over several chunks');
  // churn: add and remove far more text than is live, so the arena is compacted repeatedly
  const keep = new Map<string, number>();
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 200; i++) t.add(`r${round}-${i}-${'x'.repeat(i % 50)}`);
    for (let i = 0; i < 200; i++) if (i % 10 !== 0) assert.equal(t.remove(`r${round}-${i}-${'x'.repeat(i % 50)}`), true);
    for (let i = 0; i < 200; i += 10) keep.set(`r${round}-${i}-${'x'.repeat(i % 50)}`, t.find(`r${round}-${i}-${'x'.repeat(i % 50)}`));
  }
  assert.equal(t.size, keep.size + 1);
  // ~22k live code units (44 kB) and 2048 slots of 16 bytes; 260 kB of text went through
  assert.ok(t.byteLength < 160_000, `arena reclaimed, ${t.byteLength} bytes`);
  for (const [v, i] of keep) {
    assert.equal(t.find(v), i, v);
    assert.equal(t.valueAt(i), v);
  }
  assert.equal(t.valueAt(bi), big);
  assert.equal(t.find(big), bi);
});

test('matches a Map under random operations', () => {
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const t = new StringTable({ capacity: 2 });
  const m = new Map<string, number>();
  for (let op = 0; op < 20_000; op++) {
    const k = `k${rnd(600)}${rnd(3) === 0 ? 'é' : ''}`;
    const r = rnd(10);
    if (r < 5) {
      const i = t.add(k);
      if (m.has(k)) assert.equal(i, m.get(k));
      m.set(k, i);
    } else if (r < 8) {
      assert.equal(t.remove(k), m.delete(k));
    } else {
      assert.equal(t.find(k), m.get(k) ?? -1);
    }
    assert.equal(t.size, m.size);
  }
  for (const [k, i] of m) assert.equal(t.valueAt(i), k);
  assert.deepEqual(new Set(t.values()), new Set(m.keys()));
});

test('Uint32Table: set of 32-bit values with flags, tombstones, growth', () => {
  const t = new Uint32Table({ capacity: 2 });
  assert.equal(t.find(0), -1);
  t.add(0);
  t.add(0xffffffff);
  t.add(-1); // the same 32 bits as 0xffffffff
  assert.equal(t.size, 2);
  assert.ok(t.has(0));
  assert.ok(t.has(0xffffffff));
  assert.ok(!t.has(1));
  const s = t.add(0x0a010203);
  assert.equal(t.flagAt(s), 0);
  t.setFlagAt(s, 1);
  assert.equal(t.flagAt(t.find(0x0a010203)), 1);
  assert.throws(() => t.setFlagAt(s, 254), RangeError);
  for (let i = 1; i < 5000; i++) t.add(Math.imul(i, 2654435761));
  assert.equal(t.flagAt(t.find(0x0a010203)), 1, 'flag survives growth');
  for (let i = 1; i < 5000; i++) assert.ok(t.has(Math.imul(i, 2654435761) >>> 0), `${i}`);
  for (let i = 1; i < 5000; i++) assert.equal(t.remove(Math.imul(i, 2654435761)), true);
  assert.equal(t.remove(Math.imul(1, 2654435761)), false);
  assert.ok(t.tombstoneCount <= t.capacity / 4, 'rebuilt when tombstones pass 25%');
  assert.equal(t.size, 3);
  assert.deepEqual([...t.values()].sort((a, b) => a - b), [0, 0x0a010203, 0xffffffff]);
  assert.ok(t.remove(0));
  const again = t.add(0);
  assert.equal(t.flagAt(again), 0);
});
