import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { backoffDelay } from '../../lib/index.ts';
import {
  EMPTY_FEED_CURSOR,
  FeedError,
  FeedScheduler,
  TAXII_ACCEPT,
  parseRetryAfter,
  pullHttpFeed,
  pullTaxiiCollection,
  redactFeedUrl,
  type FeedConfig,
  type FeedCursor,
  type FeedStatus,
} from './feeds.ts';

interface Seen {
  url: string;
  headers: IncomingMessage['headers'];
}

interface TestServer {
  base: string;
  port: number;
  requests: Seen[];
  close: () => Promise<void>;
}

const servers: TestServer[] = [];

async function serve(handler: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<TestServer> {
  const requests: Seen[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    handler(req, res, requests.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const handle: TestServer = {
    base: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(handle);
  return handle;
}

after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const httpFeed = (url: string, extra: Partial<FeedConfig> = {}): FeedConfig => ({ name: 'test-feed', kind: 'http', url, format: 'lines', interval_ms: 600_000, ...extra });

async function rejection(promise: Promise<unknown>): Promise<FeedError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof FeedError, `expected a FeedError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the promise to reject');
}

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 1500): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Timers of up to 200 ms run for real; longer ones are only recorded (a test never waits for them). */
function fastTimers() {
  const delays: number[] = [];
  const handles: ReturnType<typeof setTimeout>[] = [];
  return {
    delays,
    handles,
    setTimer: (fn: () => void, ms: number) => {
      delays.push(ms);
      const handle = setTimeout(fn, ms <= 200 ? ms : 2_000_000_000);
      handles.push(handle);
      return handle;
    },
    clearTimer: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
}

/** A scheduler pull that uses pullHttpFeed and counts non-empty lines. */
function linesPull(onStart?: () => void) {
  let cursor: FeedCursor = { ...EMPTY_FEED_CURSOR };
  return async (feed: FeedConfig) => {
    onStart?.();
    const result = await pullHttpFeed(feed, cursor);
    if (result.status === 'not_modified') return { indicators: 0, notModified: true };
    cursor = result.cursor;
    return { indicators: result.body.split('\n').filter(Boolean).length, notModified: false };
  };
}

describe('pullHttpFeed', () => {
  it('sends If-None-Match with the stored ETag and reports 304 as not_modified', async () => {
    const server = await serve((req, res) => {
      if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304).end();
        return;
      }
      res.writeHead(200, { etag: '"v1"', 'content-type': 'text/plain' }).end('1.2.3.4\n5.6.7.8\n');
    });
    const feed = httpFeed(`${server.base}/ips.txt`);
    const first = await pullHttpFeed(feed, EMPTY_FEED_CURSOR);
    assert.equal(first.status, 'updated');
    assert.ok(first.status === 'updated');
    assert.equal(first.body, '1.2.3.4\n5.6.7.8\n');
    assert.deepEqual(first.cursor, { etag: '"v1"', last_modified: null, added_after: null });
    assert.equal(server.requests[0]!.headers['if-none-match'], undefined);

    const second = await pullHttpFeed(feed, first.cursor);
    assert.deepEqual(second, { status: 'not_modified' });
    assert.equal(server.requests.length, 2);
    assert.equal(server.requests[1]!.headers['if-none-match'], '"v1"');
  });

  it('sends If-Modified-Since with the stored Last-Modified', async () => {
    const stamp = 'Wed, 21 Oct 2015 07:28:00 GMT';
    const server = await serve((req, res) => {
      if (req.headers['if-modified-since'] === stamp) {
        res.writeHead(304).end();
        return;
      }
      res.writeHead(200, { 'last-modified': stamp }).end('evil.example\n');
    });
    const feed = httpFeed(`${server.base}/domains.txt`);
    const first = await pullHttpFeed(feed, { etag: null, last_modified: null, added_after: 'kept' });
    assert.ok(first.status === 'updated');
    assert.deepEqual(first.cursor, { etag: null, last_modified: stamp, added_after: 'kept' });
    assert.equal(server.requests[0]!.headers['if-modified-since'], undefined);
    const second = await pullHttpFeed(feed, first.cursor);
    assert.equal(second.status, 'not_modified');
    assert.equal(server.requests[1]!.headers['if-modified-since'], stamp);
  });

  it('throws a FeedError with status and Retry-After (seconds or HTTP date)', async () => {
    const server = await serve((req, res, n) => {
      if (n === 1) res.writeHead(503, { 'retry-after': '120' }).end('busy');
      else res.writeHead(429, { 'retry-after': new Date(Date.now() + 30_000).toUTCString() }).end('slow down');
    });
    const feed = httpFeed(`${server.base}/x`);
    const first = await rejection(pullHttpFeed(feed, EMPTY_FEED_CURSOR));
    assert.equal(first.status, 503);
    assert.equal(first.retryAfterMs, 120_000);
    assert.match(first.message, /HTTP 503.*busy/);
    const second = await rejection(pullHttpFeed(feed, EMPTY_FEED_CURSOR));
    assert.equal(second.status, 429);
    assert.ok(second.retryAfterMs !== undefined && second.retryAfterMs > 25_000 && second.retryAfterMs <= 30_000, `retryAfterMs ${second.retryAfterMs}`);
  });

  it('parses Retry-After values', () => {
    assert.equal(parseRetryAfter('7'), 7000);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')), 10_000);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 08:00:00 GMT')), 0);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(null), undefined);
  });

  it('refuses bodies over the size limit, streamed or declared', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/declared') {
        res.writeHead(200, { 'content-length': '1000' }).end('x'.repeat(1000));
        return;
      }
      res.writeHead(200);
      for (let i = 0; i < 10; i++) res.write('y'.repeat(100));
      res.end();
    });
    const streamed = await rejection(pullHttpFeed(httpFeed(`${server.base}/streamed`, { max_body_bytes: 500 }), EMPTY_FEED_CURSOR));
    assert.match(streamed.message, /larger than the limit of 500 bytes/);
    const declared = await rejection(pullHttpFeed(httpFeed(`${server.base}/declared`, { max_body_bytes: 999 }), EMPTY_FEED_CURSOR));
    assert.match(declared.message, /larger than the limit of 999 bytes/);
    const fits = await pullHttpFeed(httpFeed(`${server.base}/streamed`, { max_body_bytes: 1000 }), EMPTY_FEED_CURSOR);
    assert.ok(fits.status === 'updated');
    assert.equal(fits.body.length, 1000);
  });

  it('times out', async () => {
    const server = await serve(() => {
      // never answers
    });
    const started = Date.now();
    const error = await rejection(pullHttpFeed(httpFeed(`${server.base}/slow`, { timeout_ms: 150 }), EMPTY_FEED_CURSOR));
    assert.match(error.message, /timed out after 150 ms/);
    assert.equal(error.status, undefined);
    assert.ok(Date.now() - started < 1500);
  });

  it('reports an unreachable server as a FeedError without status', async () => {
    const server = await serve((_req, res) => res.end());
    await server.close();
    const error = await rejection(pullHttpFeed(httpFeed(`${server.base}/gone`), EMPTY_FEED_CURSOR));
    assert.equal(error.status, undefined);
    assert.match(error.message, /failed: .*ECONNREFUSED/);
  });

  it('sends Basic auth (from the URL or config), api keys and custom headers', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    await pullHttpFeed(httpFeed(`http://bob:pa%3Ass@127.0.0.1:${server.port}/a`), EMPTY_FEED_CURSOR);
    await pullHttpFeed(httpFeed(`${server.base}/b`, { username: 'carol', password: 'pw' }), EMPTY_FEED_CURSOR);
    await pullHttpFeed(httpFeed(`${server.base}/c`, { api_key: 'abc123' }), EMPTY_FEED_CURSOR);
    await pullHttpFeed(httpFeed(`${server.base}/d`, { api_key: 'abc123', format: 'misp' }), EMPTY_FEED_CURSOR);
    await pullHttpFeed(httpFeed(`${server.base}/e`, { api_key: 'abc123', headers: { Authorization: 'Token zzz', 'X-Extra': '1' } }), EMPTY_FEED_CURSOR);
    const auth = server.requests.map((r) => r.headers.authorization);
    assert.deepEqual(auth, [
      `Basic ${Buffer.from('bob:pa:ss').toString('base64')}`,
      `Basic ${Buffer.from('carol:pw').toString('base64')}`,
      'Bearer abc123',
      'abc123',
      'Token zzz',
    ]);
    assert.equal(server.requests[0]!.url, '/a');
    assert.equal(server.requests[4]!.headers['x-extra'], '1');
  });
});

describe('pullTaxiiCollection', () => {
  const objectsPath = '/api1/collections/coll-1/objects/';
  const taxiiFeed = (base: string, extra: Partial<FeedConfig> = {}): FeedConfig => ({
    name: 'taxii-feed',
    kind: 'taxii',
    url: `${base}/api1/`,
    collection: 'coll-1',
    format: 'stix',
    interval_ms: 600_000,
    ...extra,
  });
  const json = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(200, { 'content-type': 'application/taxii+json;version=2.1', ...headers }).end(JSON.stringify(body));

  it('follows more/next across three pages and takes the cursor from X-TAXII-Date-Added-Last', async () => {
    const server = await serve((req, res) => {
      const url = new URL(req.url ?? '', 'http://x');
      if (url.pathname !== objectsPath) {
        res.writeHead(404).end();
        return;
      }
      const next = url.searchParams.get('next');
      if (next === null) json(res, { more: true, next: 'p2', objects: [{ id: 'o1' }, { id: 'o2' }] }, { 'x-taxii-date-added-last': '2024-02-01T00:00:00.000Z' });
      else if (next === 'p2') json(res, { more: true, next: 'p3', objects: [{ id: 'o3' }, { id: 'o4' }] }, { 'x-taxii-date-added-last': '2024-02-02T00:00:00.000Z' });
      else if (next === 'p3') json(res, { more: false, objects: [{ id: 'o5' }] }, { 'x-taxii-date-added-last': '2024-02-03T00:00:00.000Z' });
      else res.writeHead(400).end();
    });
    const cursor: FeedCursor = { etag: null, last_modified: null, added_after: '2024-01-01T00:00:00.000Z' };
    const result = await pullTaxiiCollection(taxiiFeed(server.base, { page_size: 2 }), cursor);
    assert.equal(result.pages, 3);
    assert.equal(result.more, false);
    assert.deepEqual(
      result.objects.map((o) => (o as { id: string }).id),
      ['o1', 'o2', 'o3', 'o4', 'o5'],
    );
    assert.deepEqual(result.cursor, { etag: null, last_modified: null, added_after: '2024-02-03T00:00:00.000Z' });
    assert.equal(server.requests.length, 3);
    const queries = server.requests.map((r) => new URL(r.url, 'http://x'));
    assert.deepEqual(
      queries.map((q) => q.pathname),
      [objectsPath, objectsPath, objectsPath],
    );
    assert.deepEqual(
      queries.map((q) => q.searchParams.get('added_after')),
      ['2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z'],
    );
    assert.deepEqual(
      queries.map((q) => q.searchParams.get('limit')),
      ['2', '2', '2'],
    );
    assert.deepEqual(
      queries.map((q) => q.searchParams.get('next')),
      [null, 'p2', 'p3'],
    );
    assert.deepEqual(
      server.requests.map((r) => r.headers.accept),
      [TAXII_ACCEPT, TAXII_ACCEPT, TAXII_ACCEPT],
    );
  });

  it('omits added_after on a first pull, and keeps the old cursor when no page has the header', async () => {
    const server = await serve((_req, res) => json(res, { objects: [] }));
    const result = await pullTaxiiCollection(taxiiFeed(server.base), EMPTY_FEED_CURSOR);
    assert.equal(new URL(server.requests[0]!.url, 'http://x').searchParams.has('added_after'), false);
    assert.equal(new URL(server.requests[0]!.url, 'http://x').searchParams.get('limit'), '1000');
    assert.deepEqual(result, { objects: [], cursor: EMPTY_FEED_CURSOR, pages: 1, more: false });
  });

  it('stops when next repeats, reporting that more remains', async () => {
    const server = await serve((_req, res) => json(res, { more: true, next: 'same', objects: [{ id: 'x' }] }, { 'x-taxii-date-added-last': '2024-03-01T00:00:00Z' }));
    const result = await pullTaxiiCollection(taxiiFeed(server.base), EMPTY_FEED_CURSOR);
    assert.equal(result.pages, 2);
    assert.equal(result.more, true);
    assert.equal(server.requests.length, 2);
    assert.equal(result.cursor.added_after, '2024-03-01T00:00:00Z');
  });

  it('pages on added_after when the server says more without next', async () => {
    const stamps = ['2024-04-01T00:00:00Z', '2024-04-02T00:00:00Z'];
    const server = await serve((_req, res, n) => json(res, { more: n === 1, objects: [{ id: `o${n}` }] }, { 'x-taxii-date-added-last': stamps[n - 1]! }));
    const result = await pullTaxiiCollection(taxiiFeed(server.base), EMPTY_FEED_CURSOR);
    assert.equal(result.pages, 2);
    assert.equal(new URL(server.requests[1]!.url, 'http://x').searchParams.get('added_after'), stamps[0]);
    assert.equal(result.cursor.added_after, stamps[1]);
  });

  it('rejects a response that is not application/taxii+json', async () => {
    const server = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"objects":[]}'));
    const error = await rejection(pullTaxiiCollection(taxiiFeed(server.base), EMPTY_FEED_CURSOR));
    assert.match(error.message, /content type 'application\/json'/);
  });

  it('reports HTTP errors with the TAXII error title', async () => {
    const server = await serve((_req, res) =>
      res.writeHead(404, { 'content-type': 'application/taxii+json;version=2.1' }).end(JSON.stringify({ title: 'Collection not found', description: 'no such id' })),
    );
    const error = await rejection(pullTaxiiCollection(taxiiFeed(server.base), EMPTY_FEED_CURSOR));
    assert.equal(error.status, 404);
    assert.match(error.message, /Collection not found: no such id/);
  });

  it('needs a collection id', async () => {
    const error = await rejection(pullTaxiiCollection(taxiiFeed('http://127.0.0.1:9', { collection: undefined }), EMPTY_FEED_CURSOR));
    assert.match(error.message, /collection/);
  });
});

describe('credentials', () => {
  it('never appear in errors, status urls or last_error', async () => {
    const secrets = ['s3cr3t-pw', 'k3y-in-query', Buffer.from('alice:s3cr3t-pw').toString('base64')];
    // a hostile server echoing what it received
    const server = await serve((req, res) => res.writeHead(401).end(`denied ${req.url} ${req.headers.authorization}`));
    const url = `http://alice:s3cr3t-pw@127.0.0.1:${server.port}/feed.txt?apikey=k3y-in-query&x=1`;
    const feed = httpFeed(url);

    const error = await rejection(pullHttpFeed(feed, EMPTY_FEED_CURSOR));
    assert.equal(error.status, 401);
    // the credentials did go to the server, as Basic auth and in the query
    assert.equal(server.requests[0]!.headers.authorization, `Basic ${secrets[2]}`);
    assert.match(server.requests[0]!.url, /apikey=k3y-in-query/);
    assert.match(error.message, /HTTP 401.*denied/);
    for (const secret of secrets) assert.ok(!error.message.includes(secret), `error message leaks ${secret}: ${error.message}`);

    const scheduler = new FeedScheduler({ feeds: [feed], pull: linesPull() });
    const status = await scheduler.pullNow('test-feed');
    assert.equal(status.url, `http://127.0.0.1:${server.port}/feed.txt?apikey=REDACTED&x=1`);
    assert.ok(status.last_error?.includes('401'), String(status.last_error));
    for (const secret of secrets) {
      assert.ok(!status.last_error!.includes(secret), `last_error leaks ${secret}`);
      assert.ok(!JSON.stringify(scheduler.status()).includes(secret), `status leaks ${secret}`);
    }
    await scheduler.stop();
  });

  it('scrubs configured secrets from errors thrown by the pull function', async () => {
    const feed = httpFeed('http://127.0.0.1:9/x', { username: 'u', password: 'hunter2-pw', api_key: 'tok-123456' });
    const scheduler = new FeedScheduler({
      feeds: [feed],
      pull: async () => {
        throw new Error('bad: http://u:hunter2-pw@host/ with tok-123456');
      },
    });
    const status = await scheduler.pullNow('test-feed');
    assert.equal(status.last_error, 'bad: http://host/ with ***');
    await scheduler.stop();
  });

  it('redactFeedUrl drops userinfo and secret parameters', () => {
    assert.equal(redactFeedUrl('https://a:b@h.example/p?token=t&page=2'), 'https://h.example/p?token=REDACTED&page=2');
    assert.equal(redactFeedUrl('not a url with secret'), '<invalid url>');
  });
});

describe('FeedScheduler', () => {
  it('retries a failed pull with backoff, then resumes the interval', async () => {
    let snapshots: FeedStatus[] = [];
    const server = await serve((_req, res, n) => {
      if (n === 1) res.writeHead(500).end('boom');
      else res.writeHead(200).end('a\nb\nc\n');
    });
    const timers = fastTimers();
    let scheduler: FeedScheduler | undefined = undefined;
    scheduler = new FeedScheduler({
      feeds: [httpFeed(`${server.base}/f`)],
      pull: linesPull(() => snapshots.push(scheduler!.status()[0]!)),
      random: () => 0.75,
      baseBackoffMs: 80,
      setTimer: timers.setTimer,
      clearTimer: timers.clearTimer,
    });
    const started = Date.now();
    scheduler.start();
    await waitFor(() => scheduler!.status()[0]!.last_success !== null, 'a successful pull');
    const final = scheduler.status()[0]!;
    await scheduler.stop();

    assert.equal(server.requests.length, 2);
    assert.equal(snapshots.length, 2);
    assert.equal(snapshots[0]!.consecutive_failures, 0);
    assert.equal(snapshots[0]!.pulling, true);
    assert.equal(snapshots[1]!.consecutive_failures, 1);
    assert.match(snapshots[1]!.last_error ?? '', /HTTP 500.*boom/);
    assert.equal(final.consecutive_failures, 0);
    assert.equal(final.last_error, null);
    assert.equal(final.last_indicators, 3);
    assert.equal(final.pulling, false);
    // immediately, then backoff (attempt 0, base 80, jitter 0.75), then the normal interval
    assert.deepEqual(timers.delays, [0, backoffDelay(0, 80, 600_000, () => 0.75), 600_000]);
    assert.equal(timers.delays[1], 60);
    assert.ok(final.next_pull !== null && Date.parse(final.next_pull) >= started + 600_000);
    assert.ok(Date.now() - started < 2000);
    // stop() cleared the pending timer
    assert.equal(scheduler.status()[0]!.next_pull, null);
  });

  it('grows the backoff with consecutive failures and caps it at the interval', async () => {
    const timers = fastTimers();
    let calls = 0;
    const scheduler = new FeedScheduler({
      feeds: [httpFeed('http://127.0.0.1:9/', { interval_ms: 300 })],
      pull: async () => {
        calls++;
        throw new Error('down');
      },
      random: () => 1,
      baseBackoffMs: 50,
      setTimer: timers.setTimer,
      clearTimer: timers.clearTimer,
    });
    scheduler.start();
    await waitFor(() => calls >= 4, 'four attempts');
    await scheduler.stop();
    assert.deepEqual(timers.delays.slice(0, 5), [0, 50, 100, 200, 300]);
    assert.equal(scheduler.status()[0]!.consecutive_failures, calls);
  });

  it('honours Retry-After as a lower bound on the retry delay', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/long') res.writeHead(503, { 'retry-after': '120' }).end();
      else res.writeHead(503, { 'retry-after': '0' }).end();
    });
    const timers = fastTimers();
    const scheduler = new FeedScheduler({
      feeds: [httpFeed(`${server.base}/long`, { name: 'long' }), httpFeed(`${server.base}/short`, { name: 'short' })],
      pull: linesPull(),
      random: () => 0.5,
      baseBackoffMs: 400,
      setTimer: timers.setTimer,
      clearTimer: timers.clearTimer,
    });
    const long = await scheduler.pullNow('long');
    const short = await scheduler.pullNow('short');
    assert.equal(long.consecutive_failures, 1);
    assert.equal(short.consecutive_failures, 1);
    // not started: a manual pull does not arm timers
    assert.deepEqual(timers.delays, []);
    scheduler.start();
    await waitFor(() => server.requests.length >= 4, 'the first scheduled pulls');
    await waitFor(() => scheduler.status().every((s) => !s.pulling && s.next_pull !== null), 'retries scheduled');
    await scheduler.stop();
    const retries = timers.delays.filter((ms) => ms > 0).sort((a, b) => a - b);
    // short: Retry-After 0 does not shorten the backoff (attempt 1: 0.5 * 800); long: 120 s beats the backoff
    assert.deepEqual(retries, [400, 120_000]);
  });

  it('never runs two pulls of one feed at once, and stop() waits for a running pull', async () => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const timers = fastTimers();
    const scheduler = new FeedScheduler({
      feeds: [httpFeed('http://127.0.0.1:9/')],
      pull: async () => {
        calls++;
        await gate;
        return { indicators: 7, notModified: true };
      },
      setTimer: timers.setTimer,
      clearTimer: timers.clearTimer,
    });
    scheduler.start();
    const a = scheduler.pullNow('test-feed');
    const b = scheduler.pullNow('test-feed');
    await waitFor(() => calls === 1, 'the pull to start');
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(calls, 1);
    assert.equal(scheduler.status()[0]!.pulling, true);

    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(stopped, false);
    release();
    await stopping;
    const [sa, sb] = await Promise.all([a, b]);
    assert.equal(calls, 1);
    assert.equal(sa.not_modified_count, 1);
    assert.equal(sb.last_indicators, 7);
    assert.equal(sa.pulling, false);
    // stopped before the pull ended: nothing rescheduled
    assert.equal(scheduler.status()[0]!.next_pull, null);
    assert.deepEqual(timers.delays, [0]);
  });

  it('unrefs its timers and rejects unknown or duplicate feeds', async () => {
    const timers = fastTimers();
    const scheduler = new FeedScheduler({
      feeds: [httpFeed('http://127.0.0.1:9/', { interval_ms: 60_000 })],
      pull: async () => ({ indicators: 0, notModified: false }),
      setTimer: timers.setTimer,
      clearTimer: timers.clearTimer,
    });
    scheduler.start();
    assert.equal(timers.handles.length, 1);
    assert.equal(timers.handles[0]!.hasRef(), false);
    await scheduler.stop();
    await assert.rejects(scheduler.pullNow('nope'), /unknown feed/);
    assert.throws(() => new FeedScheduler({ feeds: [httpFeed('http://a/'), httpFeed('http://b/')], pull: async () => ({ indicators: 0, notModified: false }) }), /configured twice/);
    assert.throws(() => new FeedScheduler({ feeds: [httpFeed('http://a/', { interval_ms: 0 })], pull: async () => ({ indicators: 0, notModified: false }) }), /interval_ms/);
  });
});
