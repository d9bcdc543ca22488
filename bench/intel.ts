/**
 * Threat-intel benchmark, end to end through `vigil serve`:
 * - import rate: 1,000,000 indicators (ip, cidr, domain, sha256, url) from one CSV file, `vigil intel import`;
 * - ingest with intel: events over HTTP until detection has read them all (stored, Sigma rules and
 *   indicator matching), on a server holding the 1,000,000 indicators and on one holding none,
 *   alternated in the same run; goal: intel costs less than 15% of the throughput;
 * - retro-hunt: a new indicator searched for through 1,000,000 stored events.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import { report, securityEvent, startServer, VIGIL_BIN, type ServerHandle } from './lib.ts';

const INDICATORS = Number(process.env.BENCH_INTEL_INDICATORS ?? 1_000_000);
const EVENTS = Number(process.env.BENCH_INTEL_EVENTS ?? 100_000);
const HUNT_EVENTS = Number(process.env.BENCH_INTEL_HUNT_EVENTS ?? 1_000_000);
const BATCH = 1000;

const hex = (i: number, length: number) => (i.toString(16).padStart(8, '0').repeat(Math.ceil(length / 8)) + '0'.repeat(length)).slice(0, length);

/** 40% IPv4, 10% CIDR, 30% domains, 15% sha256, 5% URLs, all distinct; a few hundred of the IPs are the benchmark events' sources. */
function indicatorCsv(count: number): string {
  const rows = ['type,value,confidence'];
  for (let i = 0; i < count; i++) {
    const r = i % 20;
    const n = Math.floor(i / 20);
    if (r === 0 && n % 200 === 0) rows.push(`ip,10.0.${(n >> 8) & 255}.${n & 255},70`);
    else if (r < 8) rows.push(`ip,${45 + (i >> 24)}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255},60`);
    else if (r < 10) rows.push(`cidr,${92 + r}.${(n >> 12) & 255}.${(n >> 4) & 255}.${(n & 15) << 4}/28,50`);
    else if (r < 16) rows.push(`domain,d${i}.bad-${i % 997}.example,60`);
    else if (r < 19) rows.push(`sha256,${hex(i, 64)},80`);
    else rows.push(`url,http://u${i}.drop.example/p/${i},60`);
  }
  return `${rows.join('\n')}\n`;
}

async function postAll(server: ServerHandle, bodies: Buffer[], clients = 2): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const target = new URL('/api/v1/events', server.url);
  const post = (body: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const req = request(target, { method: 'POST', agent, headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/x-ndjson', 'content-length': body.length } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 503 ? resolve(-1) : res.statusCode === 202 ? resolve(0) : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        while ((await post(body)) < 0) await new Promise((r) => setTimeout(r, 20));
      }
    }),
  );
  agent.destroy();
}

async function status(server: ServerHandle): Promise<{ pipeline: { pending: number; detected_position: number } }> {
  return (await (await fetch(`${server.url}/api/v1/status`, { headers: { authorization: `Bearer ${server.token}` } })).json()) as never;
}

/** Events per second from the first request until detection has read the last event. */
async function ingestUntilDetected(server: ServerHandle, bodies: Buffer[], events: number): Promise<number> {
  const started = performance.now();
  await postAll(server, bodies);
  for (;;) {
    if ((await status(server)).pipeline.pending === 0) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  return events / ((performance.now() - started) / 1000);
}

const bodiesFor = (from: number, count: number): Buffer[] => {
  const bodies: Buffer[] = [];
  for (let i = 0; i < count; i += BATCH) bodies.push(Buffer.from(Array.from({ length: Math.min(BATCH, count - i) }, (_, k) => JSON.stringify(securityEvent(from + i + k))).join('\n')));
  return bodies;
};

const work = mkdtempSync(join(tmpdir(), 'vigil-bench-intel-'));
const withIntelDir = join(work, 'with-intel');
try {
  // Import rate.
  const csv = join(work, 'indicators.csv');
  writeFileSync(csv, indicatorCsv(INDICATORS));
  const importStarted = performance.now();
  const imported = spawnSync(process.execPath, [VIGIL_BIN, 'intel', 'import', csv, '--format', 'csv', '--source', 'bench', '--no-retro-hunt', '--data', withIntelDir, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const importSeconds = (performance.now() - importStarted) / 1000;
  if (imported.status !== 0) throw new Error(`import failed: ${imported.stderr}${imported.stdout.slice(0, 2000)}`);
  const importReport = JSON.parse(imported.stdout) as { added: number; rejected: unknown[] };
  report({ bench: 'intel.import', indicators: INDICATORS, added: importReport.added, rejected: importReport.rejected.length, seconds: Math.round(importSeconds * 10) / 10, indicators_per_s: Math.round(importReport.added / importSeconds) });

  const loadStarted = performance.now();
  const withIntel = await startServer([], {}, undefined, withIntelDir);
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  const without = await startServer();
  try {
    // Warm-up on both (JIT, page cache), not measured.
    for (const server of [withIntel, without]) await ingestUntilDetected(server, bodiesFor(10_000_000, 20_000), 20_000);
    const rounds: { with: number[]; without: number[] } = { with: [], without: [] };
    for (let round = 0; round < 3; round++) {
      const bodies = bodiesFor(round * EVENTS, EVENTS);
      rounds.without.push(Math.round(await ingestUntilDetected(without, bodies, EVENTS)));
      rounds.with.push(Math.round(await ingestUntilDetected(withIntel, bodies, EVENTS)));
    }
    const base = Math.max(...rounds.without);
    const best = Math.max(...rounds.with);
    const alerts = (await (await fetch(`${withIntel.url}/api/v1/alerts?q=source:intel&limit=1`, { headers: { authorization: `Bearer ${withIntel.token}` } })).json()) as { items: unknown[] };
    report({
      bench: 'intel.ingest',
      indicators: INDICATORS,
      events: EVENTS,
      server_start_with_indicators_s: Math.round(loadSeconds * 10) / 10,
      without_intel_events_per_s: base,
      with_intel_events_per_s: best,
      intel_cost: Math.round((1 - best / base) * 1000) / 1000,
      goal_met: best >= base * 0.85,
      intel_alerts_raised: alerts.items.length > 0,
      runs: rounds,
      goal: 'intel costs less than 15% of ingest throughput (events stored and through detection)',
    });

    // Retro-hunt: the server without indicators gets to HUNT_EVENTS stored events, then learns one.
    const stored = 20_000 + 3 * EVENTS;
    if (HUNT_EVENTS > stored) await ingestUntilDetected(without, bodiesFor(20_000_000, HUNT_EVENTS - stored), HUNT_EVENTS - stored);
    const answer = (await (
      await fetch(`${without.url}/api/v1/intel/indicators`, {
        method: 'POST',
        headers: { authorization: `Bearer ${without.token}`, 'content-type': 'application/json' },
        body: JSON.stringify([
          // 10.0.1.0 is the source of stored event 256 (an SSH login), and of every 65,536th after it.
          { type: 'ip', value: '10.0.1.0', source: 'bench', confidence: 80 },
          { type: 'domain', value: 'nowhere.example', source: 'bench' },
        ]),
      })
    ).json()) as { retro_hunt: string };
    const huntStarted = performance.now();
    let hunt: { status: string; scanned: number; total: number; matches: number };
    for (;;) {
      hunt = (await (await fetch(`${without.url}/api/v1/intel/hunts/${answer.retro_hunt}`, { headers: { authorization: `Bearer ${without.token}` } })).json()) as never;
      if (hunt.status === 'done' || hunt.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const huntSeconds = (performance.now() - huntStarted) / 1000;
    report({ bench: 'intel.retro_hunt', stored_events: hunt.total, scanned: hunt.scanned, matches: hunt.matches, status: hunt.status, seconds: Math.round(huntSeconds * 10) / 10, events_per_s: Math.round(hunt.scanned / huntSeconds) });
  } finally {
    await withIntel.stop();
    await without.stop();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
