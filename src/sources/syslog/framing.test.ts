import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { datagramFrame, FrameParser, HEAD_BYTES, MAX_OCTET_COUNT, type Frame } from './framing.ts';
import { seededRandom } from '../../lib/index.ts';

type Split = 'whole' | 'bytes' | number[];

/** Feed input to a fresh parser cut at the given offsets; returns frames (end() included). */
function parse(input: Buffer, max: number, split: Split, opts: { end?: boolean } = {}): { frames: Frame[]; parser: FrameParser } {
  const frames: Frame[] = [];
  const parser = new FrameParser(max, (f) => frames.push(f));
  let cuts: number[];
  if (split === 'whole') cuts = [];
  else if (split === 'bytes') cuts = Array.from({ length: input.length - 1 }, (_, i) => i + 1);
  else cuts = split;
  let prev = 0;
  for (const c of [...cuts, input.length]) {
    // Copy each piece: the parser must not rely on chunks being views of one buffer.
    parser.push(Buffer.from(input.subarray(prev, c)));
    prev = c;
  }
  if (opts.end !== false) parser.end();
  return { frames, parser };
}

/** Deterministic PRNG so a failure can be replayed. */
const rng = seededRandom;

function randomCuts(n: number, rand: () => number): number[] {
  const cuts = new Set<number>();
  const k = Math.floor(rand() * Math.min(n, 40));
  for (let i = 0; i < k; i++) cuts.add(1 + Math.floor(rand() * (n - 1)));
  return [...cuts].sort((a, b) => a - b);
}

/**
 * The same frames must come out however the input is cut: in one piece, byte by byte, cut once at
 * every possible offset, and in 200 random cuttings.
 */
function assertEverySplit(input: Buffer, max: number, expected: Partial<Frame>[], opts: { end?: boolean } = {}): void {
  const check = (split: Split, label: string) => {
    const { frames } = parse(input, max, split, opts);
    const got = frames.map((f) => {
      const o: Partial<Frame> = { text: f.text };
      if (f.error !== undefined) o.error = f.error;
      if (f.fatal) o.fatal = true;
      return o;
    });
    assert.deepEqual(got, expected, `split ${label}`);
  };
  check('whole', 'whole');
  check('bytes', 'byte by byte');
  for (let i = 1; i < input.length; i++) check([i], `at ${i}`);
  const rand = rng(input.length);
  for (let r = 0; r < 200; r++) {
    const cuts = randomCuts(input.length, rand);
    check(cuts, `random ${JSON.stringify(cuts)}`);
  }
}

const oc = (msg: string | Buffer) => {
  const b = Buffer.isBuffer(msg) ? msg : Buffer.from(msg);
  return Buffer.concat([Buffer.from(`${b.length} `), b]);
};
const cat = (...parts: (string | Buffer)[]) => Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p))));

describe('FrameParser', () => {
  it('octet counting, several frames, any split', () => {
    const m1 = '<34>1 2003-10-11T22:14:15.003Z mymachine su - ID47 - su root failed';
    const m2 = '<13>Oct 11 22:14:15 host app: with spaces  and\nan embedded LF';
    const m3 = 'x';
    assertEverySplit(cat(oc(m1), oc(m2), oc(m3)), 65536, [{ text: m1 }, { text: m2 }, { text: m3 }]);
  });

  it('octet counting: an LF trailer after the frame (some senders add one) is skipped', () => {
    assertEverySplit(cat(oc('<13>a'), '\n', oc('<13>b'), '\r\n', oc('<13>c\n')), 65536, [{ text: '<13>a' }, { text: '<13>b' }, { text: '<13>c' }]);
  });

  it('LF, CRLF and NUL trailers, blank lines skipped', () => {
    assertEverySplit(Buffer.from('<13>lf\n<13>crlf\r\n<13>nul\0\n\n\r\n<13>last\n'), 65536, [
      { text: '<13>lf' },
      { text: '<13>crlf' },
      { text: '<13>nul' },
      { text: '<13>last' },
    ]);
  });

  it('mixed framing on one connection', () => {
    const input = cat('<13>one\n', oc('<13>two\nstill two'), '<13>three\r\n', oc('<13>four'), '<13>five\0');
    assertEverySplit(input, 65536, [
      { text: '<13>one' },
      { text: '<13>two\nstill two' },
      { text: '<13>three' },
      { text: '<13>four' },
      { text: '<13>five' },
    ]);
  });

  it('digits not followed by a space start a newline-terminated frame; 0 is not a length', () => {
    assertEverySplit(Buffer.from('123abc\n2024-01-01 boot\n0 zero\n7\n'), 65536, [
      { text: '123abc' },
      { text: '2024-01-01 boot' },
      { text: '0 zero' },
      { text: '7' },
    ]);
  });

  it('a multi-byte UTF-8 character split across chunks decodes correctly', () => {
    const m1 = '<13>café € 😀 日本語';
    const m2 = '<13>Ünïcødé 🚀';
    // Byte-by-byte and every single cut put boundaries inside every multi-byte character.
    assertEverySplit(cat(m1, '\n', oc(m2)), 65536, [{ text: m1 }, { text: m2 }]);
  });

  it('invalid UTF-8 becomes U+FFFD and does not disturb framing', () => {
    const bad = Buffer.from([0x3c, 0x31, 0x33, 0x3e, 0xff, 0xfe, 0xc3, 0x28, 0x41]);
    assertEverySplit(cat(bad, '\n', oc(bad), '<13>ok\n'), 65536, [
      { text: '<13>\ufffd\ufffd\ufffd(A' },
      { text: '<13>\ufffd\ufffd\ufffd(A' },
      { text: '<13>ok' },
    ]);
  });

  it('an oversize LF frame becomes an error with a head, and the next frame is intact', () => {
    const max = 64;
    const big = '<13>' + 'A'.repeat(200);
    assertEverySplit(cat('<13>before\n', big, '\n<13>after\n'), max, [
      { text: '<13>before' },
      { text: big.slice(0, max), error: `message exceeds ${max} bytes` },
      { text: '<13>after' },
    ]);
  });

  it('an oversize octet-counted frame is skipped by its exact count, and the next frame is intact', () => {
    const max = 64;
    // The oversize payload contains LFs and things that look like frames: they must be skipped.
    const big = '<13>' + 'B'.repeat(50) + '\n<13>fake\n' + '12 <13>fake too' + 'C'.repeat(100);
    assertEverySplit(cat(oc('<13>before'), oc(big), oc('<13>after'), '<13>lf\n'), max, [
      { text: '<13>before' },
      { text: big.slice(0, max), error: `message exceeds ${max} bytes` },
      { text: '<13>after' },
      { text: '<13>lf' },
    ]);
  });

  it('the head of an oversize frame is the first 1 KiB and never ends in half a character', () => {
    const max = 4096;
    const line = '€'.repeat(2000); // 3 bytes each: 1024 is not a character boundary
    const { frames } = parse(cat(line, '\n', oc(line), '<13>ok\n'), max, 'whole');
    assert.equal(frames.length, 3);
    for (const f of frames.slice(0, 2)) {
      assert.equal(f.error, `message exceeds ${max} bytes`);
      assert.equal(f.text, '€'.repeat(Math.floor(HEAD_BYTES / 3)));
      assert.equal(f.bytes, 6000);
    }
    assert.equal(frames[2]!.text, '<13>ok');
  });

  it('size limit is exact: max bytes pass (with or without CR), max + 1 is rejected', () => {
    const max = 10;
    const ok = 'x'.repeat(max);
    const over = 'y'.repeat(max + 1);
    const err = `message exceeds ${max} bytes`;
    assertEverySplit(cat(ok, '\n', ok, '\r\n', over, '\n', over, '\r\n', oc(ok), oc(over), ok, '\n'), max, [
      { text: ok },
      { text: ok },
      { text: over.slice(0, max), error: err },
      { text: over.slice(0, max), error: err },
      { text: ok },
      { text: over.slice(0, max), error: err },
      { text: ok },
    ]);
  });

  it('a bogus octet count is fatal: error frame, then input is ignored', () => {
    const input = cat('<13>before\n', '12345678901234567890 <13>whatever\n<13>after\n');
    assertEverySplit(input, 65536, [
      { text: '<13>before' },
      {
        text: '12345678901234567890',
        error: `invalid octet count 12345678901234567890 (above ${MAX_OCTET_COUNT}); framing lost, connection closed`,
        fatal: true,
      },
    ]);
    const { parser } = parse(input, 65536, 'whole', { end: false });
    assert.equal(parser.dead, true);
  });

  it('a large but plausible count is skipped, not fatal', () => {
    const frames: Frame[] = [];
    const p = new FrameParser(100, (f) => frames.push(f));
    p.push(Buffer.from(`${MAX_OCTET_COUNT} `));
    const chunk = Buffer.alloc(1 << 20, 0x41);
    for (let i = 0; i < 1024; i++) p.push(chunk); // exactly MAX_OCTET_COUNT bytes
    p.push(Buffer.from('<13>next\n'));
    assert.equal(p.dead, false);
    assert.deepEqual(
      frames.map((f) => [f.text.length, f.error, f.bytes]),
      [
        [100, 'message exceeds 100 bytes', MAX_OCTET_COUNT],
        [8, undefined, 8],
      ],
    );
  });

  it('connection end: an unterminated line is delivered, a short counted frame is an error', () => {
    assertEverySplit(Buffer.from('<13>a\n<13>no newline'), 100, [{ text: '<13>a' }, { text: '<13>no newline' }]);
    assertEverySplit(Buffer.from('20 <13>short'), 100, [{ text: '<13>short', error: 'truncated frame: connection closed after 9 of 20 bytes' }]);
    assertEverySplit(Buffer.from('<13>a\n42'), 100, [{ text: '<13>a' }, { text: '42' }]);
    assertEverySplit(Buffer.from('<13>' + 'z'.repeat(300)), 100, [{ text: '<13>' + 'z'.repeat(96), error: 'message exceeds 100 bytes' }]);
  });

  it('connection lost (not ended by the peer): an unterminated line is reported as truncated', () => {
    for (const [input, text] of [
      ['<13>a\n<13>cut he', '<13>cut he'],
      ['<13>a\n42', '42'],
    ] as const) {
      const frames: Frame[] = [];
      const p = new FrameParser(100, (f) => frames.push(f));
      p.push(Buffer.from(input));
      p.end(false);
      assert.deepEqual(frames, [
        { text: '<13>a', bytes: 5 },
        { text, bytes: text.length, error: `truncated frame: connection lost after ${text.length} bytes, before the end of the line` },
      ]);
    }
  });

  it('nothing after end(): the parser is dead', () => {
    const frames: Frame[] = [];
    const p = new FrameParser(100, (f) => frames.push(f));
    p.push(Buffer.from('<13>a\n'));
    p.end();
    p.push(Buffer.from('<13>b\n'));
    p.end();
    assert.deepEqual(frames.map((f) => f.text), ['<13>a']);
  });

  it('a 10 MB line in 64 KiB chunks never buffers more than maxBytes + 1', () => {
    const max = 65536;
    const frames: Frame[] = [];
    const p = new FrameParser(max, (f) => frames.push(f));
    let peak = 0;
    const feed = (b: Buffer) => {
      p.push(b);
      peak = Math.max(peak, p.buffered);
    };
    feed(Buffer.from('<13>good 1\n<13>'));
    const chunk = Buffer.alloc(65536, 0x42);
    for (let i = 0; i < 160; i++) feed(chunk);
    feed(Buffer.from('\n<13>good 2\n'));
    // Same with octet counting.
    feed(Buffer.from(`${160 * 65536} `));
    for (let i = 0; i < 160; i++) feed(chunk);
    feed(Buffer.from('<13>good 3\n'));
    assert.ok(peak <= max + 1, `peak buffered ${peak}`);
    assert.deepEqual(
      frames.map((f) => [f.text.length <= HEAD_BYTES ? f.text.slice(0, 12) : 'LONG', f.error ?? null]),
      [
        ['<13>good 1', null],
        ['<13>BBBBBBBB', `message exceeds ${max} bytes`],
        ['<13>good 2', null],
        ['BBBBBBBBBBBB', `message exceeds ${max} bytes`],
        ['<13>good 3', null],
      ],
    );
    assert.equal(frames[1]!.text.length, HEAD_BYTES);
    assert.equal(frames[1]!.bytes, 4 + 160 * 65536);
  });

  it('binary garbage never throws and never buffers more than the limit', () => {
    const rand = rng(42);
    const max = 512;
    for (let round = 0; round < 50; round++) {
      const p = new FrameParser(max, (f) => {
        assert.equal(typeof f.text, 'string');
        assert.ok(Buffer.byteLength(f.text) <= max * 3 || f.error !== undefined);
      });
      for (let i = 0; i < 50 && !p.dead; i++) {
        const b = Buffer.alloc(1 + Math.floor(rand() * 2000));
        for (let j = 0; j < b.length; j++) b[j] = Math.floor(rand() * 256);
        p.push(b);
        assert.ok(p.buffered <= max + 1);
      }
      p.end();
    }
  });

  it('many small frames in one chunk are parsed in linear time', () => {
    const n = 200_000;
    const input = Buffer.from('<13>m\n'.repeat(n));
    let count = 0;
    const p = new FrameParser(65536, () => count++);
    const t0 = performance.now();
    p.push(input);
    const ms = performance.now() - t0;
    assert.equal(count, n);
    assert.ok(ms < 2000, `took ${ms} ms`);
  });
});

describe('datagramFrame', () => {
  it('strips one trailing LF, CRLF or NUL', () => {
    assert.deepEqual(datagramFrame(Buffer.from('<13>a\n'), 100), { text: '<13>a', bytes: 5 });
    assert.deepEqual(datagramFrame(Buffer.from('<13>a\r\n'), 100), { text: '<13>a', bytes: 5 });
    assert.deepEqual(datagramFrame(Buffer.from('<13>a\0'), 100), { text: '<13>a', bytes: 5 });
    assert.deepEqual(datagramFrame(Buffer.from('<13>a\n\n'), 100), { text: '<13>a\n', bytes: 6 });
    assert.deepEqual(datagramFrame(Buffer.from('<13>a b'), 100), { text: '<13>a b', bytes: 7 });
  });

  it('honours maxBytes with an error and a head', () => {
    const f = datagramFrame(Buffer.from('x'.repeat(3000)), 2000);
    assert.equal(f.error, 'message exceeds 2000 bytes');
    assert.equal(f.text, 'x'.repeat(HEAD_BYTES));
    assert.equal(f.bytes, 3000);
    assert.equal(datagramFrame(Buffer.from('x'.repeat(2000) + '\n'), 2000).error, undefined);
  });
});
