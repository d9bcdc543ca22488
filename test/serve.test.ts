/** The five-minute tour as a test: the real server, curl-like HTTP, the real `logger`, the CLI. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { ndjson, startServer, vigil, waitFor, type TestServer } from './harness.ts';

const exec = promisify(execFile);

describe('vigil serve', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server?.cleanup());

  it('creates an admin token on first start and prints it once', () => {
    assert.match(server.token, /^vgl_[0-9A-Za-z]{40}$/);
    assert.equal(server.output().split(server.token).length - 1, 1);
  });

  it('finds an NDJSON file posted over HTTP and a logger line, by API and by `vigil search`', async () => {
    const body = ndjson([
      { '@timestamp': '2026-03-03T02:13:00Z', host: { name: 'fw-edge-1' }, event: { action: 'config-change', category: ['configuration'] }, user: { name: 'admin' }, message: 'firewall rule 12 deleted' },
      { '@timestamp': '2026-03-03T02:14:00Z', host: { name: 'app-1' }, message: 'payment latency high', 'service.name': 'payments' },
    ]);
    const posted = await server.api('/api/v1/events', { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
    assert.equal(posted.status, 202);
    assert.deepEqual(await posted.json(), { accepted: 2, rejected: [] });

    await exec('logger', ['--server', '127.0.0.1', '--port', String(server.syslogPort), '--tcp', '--rfc5424', '-t', 'tourapp', 'tour message over tcp syslog']);
    await exec('logger', ['--server', '127.0.0.1', '--port', String(server.syslogPort), '--udp', '--rfc3164', '-t', 'tourudp', 'tour message over udp syslog']);
    const found = await waitFor(async () => {
      const page = await (await server.api('/api/v1/events?q=tour')).json();
      return page.items.length === 2 ? page : null;
    }, 10_000, 'syslog events');
    const byApp = Object.fromEntries(found.items.map((e: any) => [e.process?.name, e]));
    assert.equal(byApp.tourapp.input.name, 'syslog-tcp');
    assert.equal(byApp.tourapp.message, 'tour message over tcp syslog');
    assert.equal(byApp.tourudp.input.name, 'syslog-udp');

    const api = await (await server.api('/api/v1/events?q=host.name:fw-edge-1')).json();
    assert.equal(api.items.length, 1);
    assert.equal(api.items[0].message, 'firewall rule 12 deleted');
    assert.deepEqual(api.items[0].original.host, { name: 'fw-edge-1' }, 'the record as received is kept');

    const cli = await vigil(['search', 'firewall OR tour', '--url', server.url, '--token', server.token, '--json']);
    assert.equal(cli.code, 0, cli.stderr);
    const page = JSON.parse(cli.stdout);
    assert.deepEqual(page.items.map((e: any) => e.message).sort(), ['firewall rule 12 deleted', 'tour message over tcp syslog', 'tour message over udp syslog']);

    const local = await vigil(['search', 'payment', '--data', server.dataDir]);
    assert.equal(local.code, 0, local.stderr);
    assert.match(local.stdout, /payment latency high/);
    assert.match(local.stdout, /1 event\(s\)/);
  });

  it('accepts a JSON array, a single object, text lines and gzip', async () => {
    const array = await server.api('/api/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ message: 'arr one', host: { name: 'h1' } }, { message: 'arr two', host: { name: 'h2' } }]) });
    assert.deepEqual(await array.json(), { accepted: 2, rejected: [] });
    const single = await server.api('/api/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'single one' }) });
    assert.deepEqual(await single.json(), { accepted: 1, rejected: [] });
    const text = await server.api('/api/v1/events', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '<34>Oct 11 22:14:15 mymachine su: textline one\nplain textline two\n' });
    assert.deepEqual(await text.json(), { accepted: 2, rejected: [] });
    const gz = await server.api('/api/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
      body: gzipSync(ndjson([{ message: 'gzipped one' }, { message: 'gzipped two' }])),
    });
    assert.deepEqual(await gz.json(), { accepted: 2, rejected: [] });
    for (const [q, n] of [['arr', 2], ['single', 1], ['textline', 2], ['gzipped', 2]] as const) {
      const page = await (await server.api(`/api/v1/events?q=${q}`)).json();
      assert.equal(page.items.length, n, q);
    }
  });

  it('paginates with a cursor, sorts, filters by time and answers facets and histograms', async () => {
    const records = Array.from({ length: 25 }, (_, i) => ({ '@timestamp': new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(), host: { name: `page-${i % 3}` }, message: `paged event ${i}` }));
    assert.equal((await server.api('/api/v1/events', { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: ndjson(records) })).status, 202);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/api/v1/events?q=paged&limit=10&sort=@timestamp${cursor ? `&cursor=${cursor}` : ''}`;
      const page: any = await (await server.api(query)).json();
      seen.push(...page.items.map((e: any) => e.message));
      cursor = page.next_cursor;
    } while (cursor);
    assert.deepEqual(seen, records.map((r) => r.message));

    const ranged = await (await server.api('/api/v1/events?q=paged&from=2025-01-01T00:10:00Z&to=2025-01-01T00:20:00Z&limit=100')).json();
    assert.equal(ranged.items.length, 10);
    assert.equal(ranged.items[0].message, 'paged event 19', 'newest first by default');

    const top = await (await server.api('/api/v1/events/fields/host.name/top?q=paged')).json();
    assert.deepEqual(top.items, [{ value: 'page-0', count: 9 }, { value: 'page-1', count: 8 }, { value: 'page-2', count: 8 }]);

    const histogram = await (await server.api('/api/v1/events/histogram?q=paged&from=2025-01-01T00:00:00Z&to=2025-01-01T00:30:00Z&interval=10m')).json();
    assert.deepEqual(histogram.buckets.map((b: any) => b.count), [10, 10, 5]);
  });

  it('answers a syntax error with its position and what was expected', async () => {
    const response = await server.api('/api/v1/events?q=' + encodeURIComponent('host.name:(a OR'));
    assert.equal(response.status, 400);
    const body = await response.json();
    assert.equal(body.error.field, 'q');
    assert.equal(typeof body.error.position, 'number');
    assert.ok(Array.isArray(body.error.expected) && body.error.expected.length > 0);
    const cli = await vigil(['search', 'host.name:(a OR', '--url', server.url, '--token', server.token]);
    assert.equal(cli.code, 2);
    assert.match(cli.stderr, /400/);
  });

  it('describes every route in /api/v1/openapi.json', async () => {
    const spec = await (await server.api('/api/v1/openapi.json')).json();
    assert.match(spec.openapi, /^3\./);
    for (const path of ['/api/v1/alerts', '/api/v1/alerts/{id}', '/api/v1/rules', '/api/v1/events', '/api/v1/events/{id}', '/api/v1/events/fields/{field}/top', '/api/v1/events/histogram', '/api/v1/status', '/api/v1/tokens', '/api/v1/tokens/{id}', '/api/v1/dead-letters', '/healthz', '/metrics']) {
      assert.ok(spec.paths[path], `openapi lacks ${path}`);
    }
  });

  it('exposes Prometheus metrics and pipeline status', async () => {
    const metrics = await (await server.api('/metrics')).text();
    assert.match(metrics, /^vigil_events_accepted_total\{input="http"\} \d+/m);
    assert.match(metrics, /^vigil_events_received_total\{input="syslog-tcp"\} \d+/m);
    assert.match(metrics, /^vigil_ingest_queue_depth \d+/m);
    assert.match(metrics, /^vigil_store_write_seconds_bucket\{le="0.01"\} \d+/m);
    await server.settle();
    const status = await (await server.api('/api/v1/status')).json();
    assert.equal(status.pipeline.pending, 0);
    assert.equal(status.store.kind, 'sqlite');
  });

  it('fetches one event by id and 404s an unknown one', async () => {
    const page = await (await server.api('/api/v1/events?q=single&limit=1')).json();
    const event = await (await server.api(`/api/v1/events/${page.items[0].id}`)).json();
    assert.equal(event.message, 'single one');
    const missing = await server.api('/api/v1/events/01ZZZZZZZZZZZZZZZZZZZZZZZZ');
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).error.code, 'not_found');
  });

  it('dead-letters a 10 MB syslog line over TCP and keeps the lines around it', async () => {
    const { connect } = await import('node:net');
    const payload = Buffer.concat([
      Buffer.from('<13>1 2026-01-01T00:00:00Z h app - - - bigline before\n'),
      Buffer.alloc(10 * 1024 * 1024, 'x'),
      Buffer.from('\n<13>1 2026-01-01T00:00:01Z h app - - - bigline after\n'),
    ]);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(server.syslogPort, '127.0.0.1', () => socket.end(payload, () => resolve()));
      socket.on('error', reject);
    });
    const page = await waitFor(async () => {
      const found = await (await server.api('/api/v1/events?q=bigline&sort=@timestamp')).json();
      return found.items.length === 2 ? found : null;
    }, 10_000, 'lines around the big one');
    assert.deepEqual(page.items.map((e: any) => e.message), ['bigline before', 'bigline after']);
    const dead = await (await server.api('/api/v1/dead-letters')).json();
    const big = dead.items.find((d: any) => /exceeds 65536 bytes/.test(d.reason));
    assert.ok(big, 'the oversized message is in the dead-letter store');
    assert.ok(big.payload.length <= 2048, 'only its head is kept');
    assert.equal(big.input.name, 'syslog-tcp');
  });

  it('shuts down cleanly on SIGTERM', async () => {
    const code = await server.stop('SIGTERM');
    assert.equal(code, 0, server.output());
  });
});
