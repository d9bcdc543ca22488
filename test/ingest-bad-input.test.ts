/**
 * End-to-end: bad input to `POST /api/v1/events` against the real binary.
 *
 * Contract (issue + DESIGN §4, §8): a bad record is rejected alone, with its reason, answered in the
 * 202 body by index and kept in the dead-letter store; the good records beside it are all stored and
 * searchable. A body that cannot be read as a whole is a 400 that names the position; a body over
 * `ingest.max_body_bytes` (counted after gzip decoding) is a 413; an unknown Content-Encoding is a
 * 415; errors are `{ error: { code, message, field? } }`. Nothing of it takes the server down.
 *
 * One server for the whole file, with `ingest.max_body_bytes` lowered to 1 MiB (large enough for a
 * 10,000-field record and a 100,000-deep document, small enough to go over cheaply).
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { deflateSync, gzipSync } from 'node:zlib';
import { ndjson, startServer, tempDir, type TestServer } from './harness.ts';

const LIMIT = 1024 * 1024;
const NDJSON = 'application/x-ndjson';
const JSON_TYPE = 'application/json';

interface IngestAnswer {
  accepted: number;
  rejected: Array<{ index: number; error: string }>;
}
interface ErrorAnswer {
  error: { code: string; message: string; field?: string; position?: number; line?: number; column?: number };
}
interface DeadLetter {
  id: number;
  received_at: string;
  reason: string;
  payload: string;
  encoding?: 'utf8' | 'base64';
}
interface Good {
  message: string;
  case: string;
  seq: number;
}

let server: TestServer;
let configDir: string;

before(async () => {
  configDir = tempDir('vigil-bad-input-config-');
  const config = join(configDir, 'vigil.yaml');
  writeFileSync(config, `ingest:\n  max_body_bytes: ${LIMIT}\n`);
  server = await startServer({ config, syslog: false });
});

after(async () => {
  if (server) {
    await server.stop();
    server.cleanup();
  }
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// helpers

/** Good records tagged with a case id, so a search finds exactly them. */
const goods = (caseId: string, n: number, from = 0): Good[] =>
  Array.from({ length: n }, (_, i) => ({ message: `good record ${caseId} #${from + i}`, case: caseId, seq: from + i }));

async function post(
  body: string | Buffer,
  options: { type?: string | null; encoding?: string } = {},
): Promise<{ status: number; json: unknown; headers: Headers }> {
  const headers: Record<string, string> = {};
  const type = options.type === undefined ? NDJSON : options.type;
  if (type !== null) headers['content-type'] = type;
  if (options.encoding) headers['content-encoding'] = options.encoding;
  const response = await server.api('/api/v1/events', { method: 'POST', body, headers });
  const text = await response.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    /* keep the text: the assertion on it will say what came back */
  }
  return { status: response.status, json, headers: response.headers };
}

/** Posts and expects 202; returns the ingest answer. */
async function ingest(body: string | Buffer, options: { type?: string | null; encoding?: string } = {}): Promise<IngestAnswer> {
  const { status, json } = await post(body, options);
  assert.equal(status, 202, `expected 202, got ${status}: ${JSON.stringify(json)}`);
  const answer = json as IngestAnswer;
  assert.equal(typeof answer.accepted, 'number');
  assert.ok(Array.isArray(answer.rejected));
  return answer;
}

/** Posts and expects an error status with the error shape; returns the error. */
async function refused(status: number, body: string | Buffer, options: { type?: string | null; encoding?: string } = {}): Promise<ErrorAnswer['error']> {
  const answer = await post(body, options);
  assert.equal(answer.status, status, `expected ${status}, got ${answer.status}: ${JSON.stringify(answer.json)}`);
  assertErrorShape(answer.json);
  return (answer.json as ErrorAnswer).error;
}

function assertErrorShape(json: unknown): void {
  assert.ok(json && typeof json === 'object' && 'error' in json, `not an error body: ${JSON.stringify(json)}`);
  const error = (json as ErrorAnswer).error;
  assert.equal(typeof error.code, 'string');
  assert.ok(error.code.length > 0);
  assert.equal(typeof error.message, 'string');
  assert.ok(error.message.length > 0);
  if (error.field !== undefined) assert.equal(typeof error.field, 'string');
}

/** Stored events whose `case` is exactly `caseId`, after the pipeline settled. */
async function stored(caseId: string): Promise<Array<Record<string, unknown>>> {
  await server.settle();
  const events: Array<Record<string, unknown>> = [];
  let cursor: string | null = null;
  do {
    const query = `limit=1000&q=${encodeURIComponent(`case:"${caseId}"`)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const response = await server.api(`/api/v1/events?${query}`);
    assert.equal(response.status, 200);
    const page = (await response.json()) as { items: Array<Record<string, unknown>>; next_cursor: string | null };
    events.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return events.filter((e) => e.case === caseId);
}

/** Asserts the stored events of the case are exactly `expected` (by seq), and their originals intact. */
async function assertStored(caseId: string, expected: Good[]): Promise<void> {
  const events = await stored(caseId);
  const seqs = events.map((e) => e.seq as number).sort((a, b) => a - b);
  assert.deepEqual(seqs, expected.map((g) => g.seq).sort((a, b) => a - b), `stored events of case ${caseId}`);
  const bySeq = new Map(events.map((e) => [e.seq as number, e]));
  for (const good of expected) {
    const event = bySeq.get(good.seq)!;
    assert.deepEqual(event.original, good, `original of ${caseId} #${good.seq}`);
    assert.equal(event.message, good.message);
  }
}

async function deadLetters(): Promise<DeadLetter[]> {
  const response = await server.api('/api/v1/dead-letters?limit=1000');
  assert.equal(response.status, 200);
  const page = (await response.json()) as { items: DeadLetter[] };
  return page.items;
}

/** The dead letter kept for a rejection: same reason, and a payload the caller recognises. */
async function assertDeadLetter(reason: string, payload: (dl: DeadLetter) => boolean, what: string): Promise<DeadLetter> {
  const all = await deadLetters();
  const found = all.find((dl) => dl.reason === reason && payload(dl));
  assert.ok(found, `no dead letter for ${what} with reason ${JSON.stringify(reason)}; have:\n${all.map((d) => `  ${d.reason} | ${d.payload.slice(0, 80)}`).join('\n')}`);
  assert.ok(!Number.isNaN(Date.parse(found.received_at)), 'dead letter has a received_at');
  return found;
}

const deepObject = (depth: number, caseId: string): string => `${'{"a":'.repeat(depth)}"${caseId}"${'}'.repeat(depth)}`;
const deepArray = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

/**
 * POST through node:http in chunks (without Content-Length unless `framing` gives it). Writes all of `body` but does not end the
 * request: a server that enforces its limit answers on its own; one that does not is given the end
 * of the body after `graceMs` and answers then. (Stopping after the last chunk avoids writing to a
 * socket the server already closed, which would lose its answer to EPIPE.)
 */
function postChunked(body: Buffer, chunkSize = 64 * 1024, graceMs = 5_000, framing: Record<string, string> = { 'transfer-encoding': 'chunked' }): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(`${server.url}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': NDJSON, ...framing },
    });
    req.on('response', (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        let json: unknown = text;
        try {
          json = JSON.parse(text);
        } catch {
          /* keep text */
        }
        resolve({ status: res.statusCode ?? 0, json });
        req.destroy();
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    void (async () => {
      for (let offset = 0; offset < body.length && !answered && !req.destroyed; offset += chunkSize) {
        await new Promise<void>((r) => req.write(body.subarray(offset, offset + chunkSize), () => r()));
      }
      const timer = setTimeout(() => {
        if (!answered && !req.destroyed) req.end();
      }, graceMs);
      req.once('close', () => clearTimeout(timer));
    })();
  });
}

// ---------------------------------------------------------------------------------------------

describe('POST /api/v1/events with bad input: nothing lost beside it', () => {
  test('malformed NDJSON lines are rejected alone, by index, with a reason, and dead-lettered', async () => {
    const c = 'ndjson-malformed';
    const good = goods(c, 5);
    const bad = ['{"message": "truncated', 'this is not json at all', '{"a":1,}', '{"user":"bob","action":oops}'];
    // good0, bad0, good1, bad1, good2, bad2, good3, bad3, good4
    const lines = [
      JSON.stringify(good[0]),
      bad[0],
      JSON.stringify(good[1]),
      bad[1],
      JSON.stringify(good[2]),
      bad[2],
      JSON.stringify(good[3]),
      bad[3],
      JSON.stringify(good[4]),
    ];
    const answer = await ingest(lines.join('\n') + '\n');
    assert.equal(answer.accepted, 5);
    assert.deepEqual(answer.rejected.map((r) => r.index), [1, 3, 5, 7]);
    for (const rejection of answer.rejected) {
      assert.ok(rejection.error.length > 0);
      assert.match(rejection.error, new RegExp(`line ${rejection.index + 1}\\b`), 'the reason names the line');
      assert.match(rejection.error, /JSON/);
      await assertDeadLetter(rejection.error, (dl) => dl.payload === lines[rejection.index], `line ${rejection.index + 1}`);
    }
    await assertStored(c, good);
  });

  test('a malformed NDJSON line is reported at the column where it stops being JSON', async () => {
    const c = 'ndjson-column';
    const good = goods(c, 2);
    const bad = '{"user":"bob","action":oops}';
    const answer = await ingest(ndjson([good[0]]) + '\n' + bad + '\n' + ndjson([good[1]]));
    assert.equal(answer.accepted, 2);
    assert.equal(answer.rejected.length, 1);
    assert.equal(answer.rejected[0]!.index, 1);
    // JSON.parse stops at the `o` of `oops`: 0-based offset 23, column 24.
    const column = bad.indexOf('oops') + 1;
    assert.match(answer.rejected[0]!.error, new RegExp(`column ${column}\\b`), `expected column ${column}: ${answer.rejected[0]!.error}`);
    await assertStored(c, good);
  });

  test('dead letters keep an NDJSON line exactly as it was received', async () => {
    const c = 'ndjson-verbatim';
    const good = goods(c, 2);
    const bad = ['[1, 2, 3]', '  42  ', 'null', '{"x": oops, "case": "ndjson-verbatim"}'];
    const lines = [JSON.stringify(good[0]), ...bad, JSON.stringify(good[1])];
    const answer = await ingest(lines.join('\n'));
    assert.equal(answer.accepted, 2);
    assert.deepEqual(answer.rejected.map((r) => r.index), [1, 2, 3, 4]);
    for (const rejection of answer.rejected) {
      await assertDeadLetter(rejection.error, (dl) => dl.payload === lines[rejection.index], `line ${rejection.index + 1} (${JSON.stringify(lines[rejection.index])})`);
    }
    await assertStored(c, good);
  });

  test('a JSON body that is not JSON at all is a 400 at position 0, and nothing is stored', async () => {
    const error = await refused(400, 'this is not json, case: json-not-json', { type: JSON_TYPE });
    assert.equal(error.position, 0);
    assert.match(error.message, /position 0\b/);
    assert.equal(error.field, 'body');
    assert.equal((await stored('json-not-json')).length, 0);
  });

  test('a JSON body broken in the middle is a 400 naming the exact position, line and column', async () => {
    const c = 'json-broken';
    // A good record, then a broken one: JSON.parse stops at the `l` of `login`.
    const body = `[${JSON.stringify(goods(c, 1)[0])},\n {"case": "${c}", "user": "alice", "action": login}]`;
    const position = body.indexOf('login');
    const line = 2;
    const column = position - body.indexOf('\n'); // 1-based column on line 2
    const error = await refused(400, body, { type: JSON_TYPE });
    assert.equal(error.position, position, `position: ${error.message}`);
    assert.match(error.message, new RegExp(`position ${position}\\b`));
    assert.equal(error.line, line);
    assert.equal(error.column, column);
    assert.equal((await stored(c)).length, 0, 'a body refused with 400 stores nothing');
  });

  test('a truncated JSON body is a 400 naming the end of the text', async () => {
    const body = `{"case": "json-truncated", "message": {"a": [1, 2, {"b": "c"`;
    const error = await refused(400, body, { type: JSON_TYPE });
    assert.equal(error.position, body.length, `position: ${error.message}`);
    assert.match(error.message, new RegExp(`position ${body.length}\\b`));
    assert.equal((await stored('json-truncated')).length, 0);
  });

  test('invalid UTF-8 in NDJSON lines: each such line rejected alone with its byte offset, payload kept as base64', async () => {
    const c = 'ndjson-utf8';
    const good = goods(c, 5);
    const line = (s: string) => Buffer.from(s, 'utf8');
    const badLines: Array<{ bytes: Buffer; at: number }> = [
      // a stray 0xFF
      { bytes: Buffer.concat([line(`{"message":"caf`), Buffer.from([0xff, 0xfe]), line(`","case":"${c}"}`)]), at: 15 },
      // an overlong encoding of '/'
      { bytes: Buffer.concat([line(`{"m":"`), Buffer.from([0xc0, 0xaf]), line(`"}`)]), at: 6 },
      // a UTF-16 surrogate encoded as UTF-8
      { bytes: Buffer.concat([line(`{"m":"ab`), Buffer.from([0xed, 0xa0, 0x80]), line(`"}`)]), at: 8 },
      // a sequence cut by the end of the line
      { bytes: Buffer.concat([line(`{"m":"x`), Buffer.from([0xe2, 0x82])]), at: 7 },
    ];
    const parts: Buffer[] = [];
    const lineStarts: number[] = [];
    let offset = 0;
    const push = (b: Buffer) => {
      lineStarts.push(offset);
      parts.push(b, Buffer.from('\n'));
      offset += b.length + 1;
    };
    for (let i = 0; i < 4; i++) {
      push(line(JSON.stringify(good[i])));
      push(badLines[i]!.bytes);
    }
    push(line(JSON.stringify(good[4])));
    const answer = await ingest(Buffer.concat(parts));
    assert.equal(answer.accepted, 5);
    assert.deepEqual(answer.rejected.map((r) => r.index), [1, 3, 5, 7]);
    for (let k = 0; k < 4; k++) {
      const rejection = answer.rejected[k]!;
      const { bytes, at } = badLines[k]!;
      const lineNo = rejection.index + 1;
      assert.match(rejection.error, /UTF-8/);
      assert.match(rejection.error, new RegExp(`line ${lineNo}\\b`));
      // The offset may be given within the line or within the body; either names the bad byte.
      const inBody = lineStarts[rejection.index]! + at;
      assert.match(rejection.error, new RegExp(`byte (${at}|${inBody})\\b`), `offset of line ${lineNo}: ${rejection.error}`);
      const dl = await assertDeadLetter(rejection.error, (d) => d.encoding === 'base64' && Buffer.from(d.payload, 'base64').equals(bytes), `line ${lineNo}`);
      assert.equal(dl.encoding, 'base64');
    }
    await assertStored(c, good);
  });

  test('invalid UTF-8 in a single JSON body is a 400 naming the byte', async () => {
    const c = 'json-utf8';
    const head = Buffer.from(`[${JSON.stringify(goods(c, 1)[0])}, {"case":"${c}","message":"caf`);
    const body = Buffer.concat([head, Buffer.from([0xff]), Buffer.from('"}]')]);
    const error = await refused(400, body, { type: JSON_TYPE });
    assert.equal(error.position, head.length);
    assert.match(error.message, new RegExp(`byte ${head.length}\\b`));
    assert.match(error.message, /UTF-8/);
    assert.equal((await stored(c)).length, 0);
  });

  test('a body over ingest.max_body_bytes is a 413 and nothing of it is stored', async () => {
    const c = 'over-limit';
    const records = goods(c, Math.ceil((LIMIT * 1.2) / 60));
    const body = Buffer.from(ndjson(records));
    assert.ok(body.length > LIMIT);
    // The server answers as soon as it reads Content-Length; the client, still sending, must get
    // that answer rather than a reset.
    const answer = await postChunked(body, 64 * 1024, 5_000, { 'content-length': String(body.length) });
    assert.equal(answer.status, 413, JSON.stringify(answer.json));
    assertErrorShape(answer.json);
    assert.equal((answer.json as ErrorAnswer).error.code, 'payload_too_large');
    assert.equal((await stored(c)).length, 0);
  });

  test('a chunked body (no Content-Length) over the limit is a 413 too, and nothing is stored', async () => {
    const c = 'over-limit-chunked';
    // Just over the limit: the server must answer once it has more than the limit, without the end.
    let body = Buffer.from(ndjson(goods(c, Math.ceil(LIMIT / 60))));
    assert.ok(body.length > LIMIT);
    body = body.subarray(0, body.lastIndexOf(0x0a, LIMIT + 32 * 1024));
    assert.ok(body.length > LIMIT);
    const answer = await postChunked(body);
    assert.equal(answer.status, 413, JSON.stringify(answer.json));
    assertErrorShape(answer.json);
    assert.equal((await stored(c)).length, 0);
  });

  test('a body of exactly ingest.max_body_bytes is accepted whole', async () => {
    const c = 'at-limit';
    const records = goods(c, Math.floor(LIMIT / 80));
    let text = ndjson(records);
    assert.ok(text.length < LIMIT);
    // Pad the last record's message so the body is exactly at the limit.
    const last = records[records.length - 1]!;
    last.message += 'x'.repeat(LIMIT - text.length);
    text = ndjson(records);
    assert.equal(Buffer.byteLength(text), LIMIT);
    const answer = await ingest(text);
    assert.equal(answer.accepted, records.length);
    assert.deepEqual(answer.rejected, []);
    const events = await stored(c);
    assert.equal(events.length, records.length);
    assert.equal(events.find((e) => e.seq === last.seq)?.message, last.message);
  });

  test('a gzip body that decompresses above the limit (zip bomb) is a 413, nothing stored, server fine', async () => {
    const c = 'zip-bomb';
    const line = JSON.stringify(goods(c, 1)[0]) + '\n';
    const decoded = Buffer.from(line.repeat(Math.ceil((LIMIT * 16) / line.length)));
    const body = gzipSync(decoded, { level: 9 });
    assert.ok(body.length < LIMIT / 8, `compressed ${body.length} bytes`);
    assert.ok(decoded.length > LIMIT * 15);
    const error = await refused(413, body, { encoding: 'gzip' });
    assert.equal(error.code, 'payload_too_large');
    assert.equal((await stored(c)).length, 0);
    assert.equal((await server.api('/healthz')).status, 200);
  });

  test('a good gzip body is accepted: every record stored', async () => {
    const c = 'gzip-good';
    const good = goods(c, 500);
    const answer = await ingest(gzipSync(ndjson(good)), { encoding: 'gzip' });
    assert.equal(answer.accepted, good.length);
    assert.deepEqual(answer.rejected, []);
    await assertStored(c, good);
  });

  test('a good deflate body and a gzip JSON array are accepted too', async () => {
    const c = 'deflate-good';
    const good = goods(c, 20);
    const a = await ingest(deflateSync(ndjson(good.slice(0, 10))), { encoding: 'deflate' });
    assert.equal(a.accepted, 10);
    const b = await ingest(gzipSync(JSON.stringify(good.slice(10))), { type: JSON_TYPE, encoding: 'gzip' });
    assert.equal(b.accepted, 10);
    await assertStored(c, good);
  });

  test('a corrupt gzip body is a 400 and nothing of it is stored', async () => {
    const c = 'gzip-corrupt';
    const plain = Buffer.from(ndjson(goods(c, 50)));
    const notGzip = plain; // claimed gzip, is not
    const badCrc = gzipSync(plain);
    badCrc[badCrc.length - 6] = badCrc[badCrc.length - 6]! ^ 0xff; // CRC32 trailer damaged
    const truncated = gzipSync(plain).subarray(0, 40);
    const flipped = gzipSync(plain);
    for (let i = 20; i < flipped.length - 8; i += 7) flipped[i] = flipped[i]! ^ 0x5a; // deflate stream damaged
    for (const [name, body] of [
      ['not gzip', notGzip],
      ['bad crc', badCrc],
      ['truncated', truncated],
      ['damaged stream', flipped],
    ] as const) {
      const answer = await post(body, { encoding: 'gzip' });
      assert.equal(answer.status, 400, `${name}: ${JSON.stringify(answer.json)}`);
      assertErrorShape(answer.json);
    }
    assert.equal((await stored(c)).length, 0);
  });

  test('a record with 10,000 fields is rejected alone, naming ingest.max_fields, and dead-lettered', async () => {
    const c = 'wide-record';
    const good = goods(c, 4);
    const wide: Record<string, unknown> = { case: c };
    for (let i = 0; i < 10_000; i++) wide[`field_${i}`] = i;
    // In NDJSON…
    const a = await ingest(ndjson([good[0], wide, good[1]]));
    assert.equal(a.accepted, 2);
    assert.equal(a.rejected.length, 1);
    assert.equal(a.rejected[0]!.index, 1);
    assert.match(a.rejected[0]!.error, /ingest\.max_fields/);
    // …and as an element of a JSON array.
    const b = await ingest(JSON.stringify([good[2], wide, good[3]]), { type: JSON_TYPE });
    assert.equal(b.accepted, 2);
    assert.deepEqual(b.rejected.map((r) => r.index), [1]);
    assert.match(b.rejected[0]!.error, /ingest\.max_fields/);
    const dl = await assertDeadLetter(a.rejected[0]!.error, (d) => d.payload.includes('"field_9999"'), 'the 10,000-field record');
    assert.deepEqual(JSON.parse(dl.payload), wide);
    await assertStored(c, good);
  });

  test('JSON nested 100,000 deep is rejected alone (or a 400) and the server stays up', async () => {
    const c = 'deep';
    const good = goods(c, 6);
    const depth = 100_000;
    /** An object too deep must say so; an array may instead be refused for not being a record. */
    const TOO_DEEP = /max_depth|nest|deep/i;
    const TOO_DEEP_OR_NOT_A_RECORD = /max_depth|nest|deep|expected an object or a string/i;
    const expectDeepRejected = (answer: IngestAnswer, reasons: Array<[number, RegExp]>) => {
      assert.deepEqual(answer.rejected.map((r) => r.index), reasons.map(([index]) => index));
      for (const [k, r] of answer.rejected.entries()) {
        assert.match(r.error, reasons[k]![1], `the reason for index ${r.index} should say why: ${r.error}`);
        assert.doesNotMatch(r.error, /is valid JSON/, `a contradictory reason: ${r.error}`);
      }
    };
    // NDJSON: a deep object line and a deep array line between good lines.
    const a = await ingest([JSON.stringify(good[0]), deepObject(depth, c), JSON.stringify(good[1]), deepArray(depth), JSON.stringify(good[2])].join('\n'));
    assert.equal(a.accepted, 3);
    expectDeepRejected(a, [
      [1, TOO_DEEP],
      [3, TOO_DEEP_OR_NOT_A_RECORD],
    ]);
    assert.equal((await server.api('/healthz')).status, 200);
    // A JSON array: a deep object between good records.
    const b = await ingest(`[${JSON.stringify(good[3])},${deepObject(depth, c)},${JSON.stringify(good[4])}]`, { type: JSON_TYPE });
    assert.equal(b.accepted, 2);
    expectDeepRejected(b, [[1, TOO_DEEP]]);
    await assertStored(c, good.slice(0, 5));
    assert.equal((await server.api('/healthz')).status, 200);
  });

  test('a JSON array nested 100,000 deep as the body is rejected or a 400, never a 5xx', async () => {
    const answer = await post(deepArray(100_000), { type: JSON_TYPE });
    assert.ok(answer.status === 202 || answer.status === 400, `expected 202 or 400, got ${answer.status}: ${JSON.stringify(answer.json)}`);
    if (answer.status === 202) {
      const body = answer.json as IngestAnswer;
      assert.equal(body.accepted, 0);
      assert.deepEqual(body.rejected.map((r) => r.index), [0]);
    } else assertErrorShape(answer.json);
    assert.equal((await server.api('/healthz')).status, 200);
  });

  test('a deep array inside a JSON array costs only itself: the good records beside it are stored', async () => {
    const c = 'deep-array-element';
    const good = goods(c, 2);
    const answer = await post(`[${JSON.stringify(good[0])},${deepArray(100_000)},${JSON.stringify(good[1])}]`, { type: JSON_TYPE });
    assert.equal(answer.status, 202, `expected 202 with index 1 rejected, got ${answer.status}: ${JSON.stringify(answer.json)}`);
    const body = answer.json as IngestAnswer;
    assert.equal(body.accepted, 2);
    assert.deepEqual(body.rejected.map((r) => r.index), [1]);
    await assertStored(c, good);
  });

  test('the dead letter of a too-deep NDJSON line keeps its payload', async () => {
    const c = 'deep-payload';
    const depth = 5_000;
    const deepLine = deepObject(depth, c);
    const answer = await ingest([JSON.stringify(goods(c, 1)[0]), deepLine].join('\n'));
    assert.equal(answer.accepted, 1);
    assert.deepEqual(answer.rejected.map((r) => r.index), [1]);
    const all = await deadLetters();
    const dl = all.find((d) => d.reason === answer.rejected[0]!.error && d.received_at && (d.payload === deepLine || d.payload.includes(c) || d.payload.startsWith('[unserialisable')));
    assert.ok(dl, 'a dead letter for the deep line');
    assert.ok(dl.payload === deepLine, `payload kept: expected the ${deepLine.length}-character line, got ${JSON.stringify(dl.payload.slice(0, 80))}`);
  });

  test('the dead letters of too-deep elements of a JSON array keep their payload', async () => {
    const c = 'deep-element-payload';
    const depth = 5_000;
    const element = deepObject(depth, c);
    const array = deepArray(depth);
    const answer = await ingest(`[${JSON.stringify(goods(c, 1)[0])},${element},${array}]`, { type: JSON_TYPE });
    assert.equal(answer.accepted, 1);
    assert.deepEqual(answer.rejected.map((r) => r.index), [1, 2]);
    const all = await deadLetters();
    for (const [k, expected] of [element, array].entries()) {
      const reason = answer.rejected[k]!.error;
      const dl = all.find((d) => d.reason === reason);
      assert.ok(dl, `a dead letter with reason ${reason}`);
      // The same JSON value: the text may differ only in insignificant whitespace.
      assert.ok(dl.payload.replace(/\s+/g, '') === expected, `element ${k + 1}: payload kept, got ${JSON.stringify(dl.payload.slice(0, 80))}`);
    }
  });

  test('a JSON array mixing objects, strings, numbers and null: numbers and null rejected by index, strings become events', async () => {
    const c = 'mixed-array';
    const good = goods(c, 2);
    const rawLines = [`raw log line mixedraw-one from ${c}`, `another raw line mixedraw-two from ${c}`];
    const body = [good[0], rawLines[0], 42, null, -3.5, good[1], rawLines[1], 0];
    const answer = await ingest(JSON.stringify(body), { type: JSON_TYPE });
    assert.equal(answer.accepted, 4);
    assert.deepEqual(answer.rejected.map((r) => r.index), [2, 3, 4, 7]);
    assert.match(answer.rejected[0]!.error, /number/);
    assert.match(answer.rejected[1]!.error, /null/);
    for (const rejection of answer.rejected) {
      await assertDeadLetter(rejection.error, (d) => d.payload === JSON.stringify(body[rejection.index]), `element ${rejection.index}`);
    }
    await assertStored(c, good);
    for (const [i, word] of ['mixedraw-one', 'mixedraw-two'].entries()) {
      const response = await server.api(`/api/v1/events?q=${encodeURIComponent(word)}`);
      assert.equal(response.status, 200);
      const items = ((await response.json()) as { items: Array<Record<string, unknown>> }).items;
      assert.equal(items.length, 1, `raw line ${word} stored once`);
      assert.equal(items[0]!.message, rawLines[i]);
      assert.equal(items[0]!.original, rawLines[i]);
    }
  });

  test('an empty body is a 400, whatever its type or encoding', async () => {
    for (const [name, body, options] of [
      ['empty JSON', '', { type: JSON_TYPE }],
      ['empty NDJSON', '', { type: NDJSON }],
      ['empty, no Content-Type', Buffer.alloc(0), { type: null }],
      ['whitespace JSON', '  \n\t ', { type: JSON_TYPE }],
      ['gzip of nothing', gzipSync(Buffer.alloc(0)), { type: JSON_TYPE, encoding: 'gzip' }],
    ] as Array<[string, string | Buffer, { type?: string | null; encoding?: string }]>) {
      const answer = await post(body, options);
      assert.equal(answer.status, 400, `${name}: ${JSON.stringify(answer.json)}`);
      assertErrorShape(answer.json);
    }
  });

  test('an unsupported Content-Encoding is a 415 naming the header, and nothing is stored', async () => {
    const c = 'bad-encoding';
    const plain = ndjson(goods(c, 3));
    for (const encoding of ['br', 'compress', 'zstd', 'gzip, br']) {
      const error = await refused(415, plain, { encoding });
      assert.equal(error.field, 'content-encoding', `${encoding}: ${error.message}`);
      assert.match(error.message, /content-encoding/i);
    }
    assert.equal((await stored(c)).length, 0);
  });

  test('good records sent at the same time as bad bodies are all stored', async () => {
    const c = 'concurrent';
    const good = goods(c, 300);
    const answers = await Promise.all([
      ingest(ndjson(good.slice(0, 100))),
      post(Buffer.from(ndjson(goods(`${c}-bad`, Math.ceil((LIMIT * 1.2) / 60)))), {}),
      ingest(gzipSync(ndjson(good.slice(100, 200))), { encoding: 'gzip' }),
      post('{"not": json', { type: JSON_TYPE }),
      post(gzipSync(Buffer.alloc(LIMIT * 4, 0x20)), { encoding: 'gzip' }),
      ingest(JSON.stringify(good.slice(200)), { type: JSON_TYPE }),
    ]);
    assert.equal((answers[1] as { status: number }).status, 413);
    assert.equal((answers[3] as { status: number }).status, 400);
    assert.equal((answers[4] as { status: number }).status, 413);
    await assertStored(c, good);
    assert.equal((await stored(`${c}-bad`)).length, 0);
  });

  test('after all of it the server process is alive and answers', async () => {
    assert.equal(server.child.exitCode, null, `server exited: ${server.output()}`);
    assert.equal(server.child.signalCode, null);
    assert.equal((await server.api('/healthz', { token: null })).status, 200);
    const response = await server.api('/api/v1/status');
    assert.equal(response.status, 200);
    const status = (await response.json()) as { pipeline: { pending: number } };
    assert.equal(typeof status.pipeline.pending, 'number');
  });
});
