/** Threat intel through the real binary: indicators, imports, a feed, matching at ingest, a retro-hunt with dwell time, watchlists. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startServer, tempDir, waitFor, type TestServer } from './harness.ts';

const FIXTURES = new URL('./fixtures/intel/', import.meta.url).pathname;
const DAY = 86_400_000;

const ndjson = (records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n');

describe('threat intelligence', () => {
  const dir = tempDir();
  const rules = join(dir, 'rules');
  let server: TestServer;
  let feed: Server;
  let feedPort = 0;
  const feedRequests: Array<{ ifNoneMatch: string | undefined }> = [];

  before(async () => {
    // A feed server that speaks conditional GET: the second pull gets 304.
    feedPort = await freePort();
    feed = createServer((request, response) => {
      feedRequests.push({ ifNoneMatch: request.headers['if-none-match'] });
      if (request.headers['if-none-match'] === '"v1"') {
        response.writeHead(304).end();
        return;
      }
      response.writeHead(200, { etag: '"v1"', 'content-type': 'text/plain' }).end('# community blocklist\n192.0.2.66\nbad-feed.example\n');
    });
    await new Promise<void>((resolve) => feed.listen(feedPort, '127.0.0.1', resolve));
    mkdirSync(rules);
    writeFileSync(
      join(rules, 'vip-logon.yml'),
      "title: VIP process start\nid: 7d1c2b3a-4e5f-4a6b-9c8d-0e1f2a3b4c5d\nlogsource: { product: windows, category: process_creation }\ndetection:\n  sel:\n    User|expand: '%vip-users%'\n  condition: sel\nlevel: low\ntags: [attack.execution]\n",
    );
    writeFileSync(
      join(dir, 'vigil.yaml'),
      `rules:\n  paths: ["${rules}"]\nintel:\n  retro_hunt_days: 90\n  feeds:\n    - { name: community, url: "http://127.0.0.1:${feedPort}/list.txt", format: lines, interval: 1h, confidence: 70 }\n`,
    );
    server = await startServer({ config: join(dir, 'vigil.yaml'), syslog: false });
  });
  after(async () => {
    server?.cleanup();
    await new Promise((resolve) => feed?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (path: string, body: unknown) => server.api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const events = async (records: unknown[]) => {
    const answer = await server.api('/api/v1/events', { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: ndjson(records) });
    assert.equal(answer.status, 202);
    await server.settle();
  };
  const intelAlerts = async (q = 'source:intel') => (await (await server.api(`/api/v1/alerts?q=${encodeURIComponent(q)}&limit=100`)).json()).items as any[];

  it('pulls the configured feed at start, then gets 304 for an unchanged feed', async () => {
    const status = await waitFor(async () => {
      const feeds = (await (await server.api('/api/v1/intel/feeds')).json()).items as any[];
      return feeds[0]?.last_success ? feeds[0] : null;
    }, 10_000, 'the feed pull');
    assert.equal(status.name, 'community');
    assert.equal(status.last_error, null);
    const one = await (await server.api(`/api/v1/intel/indicators/${encodeURIComponent('ip:192.0.2.66')}`)).json();
    assert.equal(one.source, 'feed:community');
    assert.equal(one.confidence, 70);
    const again = await (await server.api('/api/v1/intel/feeds/community/pull', { method: 'POST' })).json();
    assert.equal(again.not_modified_count, 1);
    assert.equal(feedRequests.at(-1)!.ifNoneMatch, '"v1"');
  });

  it('adds indicators in bulk, reports each bad one alone, and makes values canonical', async () => {
    const answer = await post('/api/v1/intel/indicators', {
      indicators: [
        { type: 'domain', value: 'Evil.EXAMPLE.', source: 'analyst', confidence: 90, tags: ['c2'] },
        { type: 'sha256', value: 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855', source: 'analyst' },
        { type: 'cidr', value: '2001:db8:bad::/48', source: 'analyst', severity: 'critical' },
        { type: 'ip', value: '198.51.100.300', source: 'analyst' },
        { type: 'url', value: 'http://x.example/', source: 'analyst', confidence: 101 },
        { type: 'domain', value: 'expired.example', source: 'analyst', valid_until: new Date(Date.now() - DAY).toISOString() },
      ],
    });
    assert.equal(answer.status, 201);
    const report = await answer.json();
    assert.equal(report.added, 4);
    assert.deepEqual(
      report.rejected.map((r: any) => [r.where, r.field]),
      [
        ['[3]', 'value'],
        ['[4]', 'confidence'],
      ],
    );
    const domain = await (await server.api(`/api/v1/intel/indicators/${encodeURIComponent('domain:evil.example')}`)).json();
    assert.equal(domain.value, 'evil.example');
    assert.equal(domain.severity, 'high', 'severity follows confidence when not given');
    const cidr = await server.api(`/api/v1/intel/indicators/${encodeURIComponent('cidr:2001:db8:bad::/48')}`);
    assert.equal(cidr.status, 200);
    const list = await (await server.api('/api/v1/intel/indicators?type=sha256')).json();
    assert.equal(list.items[0].value, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('matches events at ingest: subdomains, v6 networks and upper-case hashes; not lookalikes or expired indicators', async () => {
    const now = new Date().toISOString();
    await events([
      { '@timestamp': now, host: { name: 'ws-7' }, dns: { question: { name: 'beacon.Evil.example' } }, message: 'dns query' },
      { '@timestamp': now, host: { name: 'ws-8' }, dns: { question: { name: 'notevil.example' } }, message: 'dns lookalike' },
      { '@timestamp': now, host: { name: 'ws-8' }, dns: { question: { name: 'evil.example.com' } }, message: 'dns lookalike 2' },
      { '@timestamp': now, host: { name: 'srv-2' }, source: { ip: '2001:db8:bad:1::5' }, destination: { ip: '10.0.0.5' }, message: 'inbound v6' },
      { '@timestamp': now, host: { name: 'ws-9' }, file: { hash: { sha256: 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855' } }, message: 'file seen' },
      { '@timestamp': now, host: { name: 'ws-9' }, dns: { question: { name: 'expired.example' } }, message: 'expired indicator' },
    ]);
    const alerts = await intelAlerts();
    const byHost = new Map(alerts.map((a) => [a.entities.hosts[0], a]));
    assert.deepEqual([...byHost.keys()].sort(), ['srv-2', 'ws-7', 'ws-9']);
    const dns = byHost.get('ws-7');
    assert.equal(dns.indicator.value, 'evil.example');
    assert.equal(dns.indicator.confidence, 90);
    assert.equal(dns.indicator.source, 'analyst');
    assert.equal(dns.annotations.matched_field, 'dns.question.name');
    assert.deepEqual(dns.attack.tactics, ['command-and-control']);
    assert.equal(byHost.get('srv-2').rule.level, 'critical');
    const domain = await (await server.api(`/api/v1/intel/indicators/${encodeURIComponent('domain:evil.example')}`)).json();
    assert.equal(domain.sightings, 1);
    assert.equal(domain.last_sighting, now);
    // Triage used the confidence: the incident's score names it.
    const incident = await (await server.api(`/api/v1/incidents/${dns.incident_id}`)).json();
    assert.match(incident.score_explanation.summary, /indicator confidence 90/);
  });

  it('retro-hunts a new indicator through stored events and sets first evidence and dwell time', async () => {
    const old = new Date(Date.now() - 60 * DAY).toISOString();
    const tooOld = new Date(Date.now() - 120 * DAY).toISOString();
    await events([
      { '@timestamp': tooOld, host: { name: 'db-1' }, destination: { ip: '203.0.113.77' }, message: 'before the hunt window' },
      { '@timestamp': old, host: { name: 'db-1' }, destination: { ip: '203.0.113.77' }, message: 'exfil, unnoticed' },
    ]);
    assert.equal((await intelAlerts('source:intel AND labels.host:db-1')).length, 0, 'nothing known yet');
    const answer = await post('/api/v1/intel/indicators', { type: 'ip', value: '203.0.113.77', source: 'isac', confidence: 80 });
    const report = await answer.json();
    assert.match(report.retro_hunt, /^hunt-/);
    const hunt = await waitFor(async () => {
      const h = await (await server.api(`/api/v1/intel/hunts/${report.retro_hunt}`)).json();
      return h.status === 'done' ? h : null;
    }, 15_000, 'the retro-hunt');
    assert.equal(hunt.matches, 1);
    assert.ok(hunt.scanned >= 1 && hunt.total >= hunt.scanned, JSON.stringify(hunt));
    await waitFor(async () => ((await intelAlerts('source:intel AND labels.host:db-1')).length === 1 ? true : null), 5000, 'the retro-hunt alert');
    const [alert] = await intelAlerts('source:intel AND labels.host:db-1');
    assert.equal(alert.first_seen, old, 'the alert keeps the event time');
    assert.equal(alert.retro_hunt, report.retro_hunt);
    const incident = await (await server.api(`/api/v1/incidents/${alert.incident_id}`)).json();
    assert.equal(incident.first_evidence_at, old);
    const stats = await (await server.api(`/api/v1/stats/response?from=${encodeURIComponent(new Date(Date.now() - DAY).toISOString())}`)).json();
    const dwell = stats.overall?.dwell ?? stats.all?.dwell ?? stats.dwell;
    assert.ok(dwell, JSON.stringify(stats).slice(0, 400));
    assert.ok(dwell.count >= 1);
    // The longest dwell is about 60 days (seconds).
    const sixtyDays = 60 * 86_400;
    assert.ok(Math.abs(dwell.max_seconds - sixtyDays) < 3600, JSON.stringify(dwell));
  });

  it('imports a STIX bundle with its unsupported patterns reported; a malformed bundle imports nothing', async () => {
    const before = (await (await server.api('/api/v1/intel/indicators?limit=10000')).json()).items.length;
    const answer = await server.api('/api/v1/intel/import?format=stix&source=community-stix', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: readFileSync(join(FIXTURES, 'stix-bundle.json')),
    });
    assert.equal(answer.status, 201);
    const report = await answer.json();
    assert.ok(report.added >= 5, JSON.stringify(report));
    assert.ok(report.unsupported.some((u: any) => /FOLLOWEDBY/i.test(u.reason)), JSON.stringify(report.unsupported));
    const middle = (await (await server.api('/api/v1/intel/indicators?limit=10000')).json()).items.length;
    assert.equal(middle, before + report.added);
    const bad = await server.api('/api/v1/intel/import?format=stix&source=broken', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: readFileSync(join(FIXTURES, 'stix-bundle-malformed.json')),
    });
    assert.equal(bad.status, 422);
    const error = (await bad.json()).error;
    assert.equal(error.code, 'import_format');
    assert.match(error.message, /nothing imported/);
    const afterBad = (await (await server.api('/api/v1/intel/indicators?limit=10000')).json()).items.length;
    assert.equal(afterBad, middle);
  });

  it('takes watchlists into rules (placeholders), labels and scores', async () => {
    const rulesBefore = (await (await server.api('/api/v1/rules')).json()).items.map((r: any) => r.id);
    assert.ok(!rulesBefore.includes('7d1c2b3a-4e5f-4a6b-9c8d-0e1f2a3b4c5d'), 'the rule needs the watchlist');
    const put = await server.api('/api/v1/watchlists/vip-users', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'user', entries: ['CORP\\ceo'], description: 'Executives', weight: 1 }),
    });
    assert.equal(put.status, 201);
    await waitFor(async () => ((await (await server.api('/api/v1/rules')).json()).items.some((r: any) => r.id === '7d1c2b3a-4e5f-4a6b-9c8d-0e1f2a3b4c5d') ? true : null), 5000, 'the rule to load');
    const sysmon = (user: string) => ({
      EventID: 1,
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      Computer: 'exec-laptop',
      TimeCreated_SystemTime: new Date().toISOString(),
      Image: 'C:\\Windows\\explorer.exe',
      CommandLine: 'explorer.exe',
      User: user,
    });
    await events([sysmon('CORP\\ceo'), sysmon('CORP\\intern')]);
    const alerts = (await (await server.api('/api/v1/alerts?q=rule.id:7d1c2b3a-4e5f-4a6b-9c8d-0e1f2a3b4c5d')).json()).items as any[];
    assert.equal(alerts.length, 1);
    assert.deepEqual(alerts[0].watchlists, ['vip-users']);
    assert.equal(alerts[0].labels.watchlist, 'vip-users');
    const incident = await (await server.api(`/api/v1/incidents/${alerts[0].incident_id}`)).json();
    const asset = incident.score_explanation.parts.find((p: any) => p.factor === 'asset_criticality');
    assert.match(asset.reason, /watchlist vip-users/);
    assert.equal(asset.value, 1);
  });

  it('deletes indicators and stops matching them', async () => {
    const gone = await server.api(`/api/v1/intel/indicators/${encodeURIComponent('domain:evil.example')}`, { method: 'DELETE' });
    assert.equal(gone.status, 204);
    await events([{ '@timestamp': new Date().toISOString(), host: { name: 'ws-11' }, dns: { question: { name: 'x.evil.example' } }, message: 'after delete' }]);
    assert.equal((await intelAlerts('source:intel AND labels.host:ws-11')).length, 0);
    const audit = await (await server.api('/api/v1/audit?limit=1000')).json();
    assert.ok(audit.items.some((r: any) => r.action === 'intel.indicators.delete'));
  });
});

describe('vigil intel import', () => {
  const dir = tempDir();
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('imports into the data folder; the server loads the indicators and runs the queued retro-hunt at start', async () => {
    const { vigil } = await import('./harness.ts');
    const dataDir = join(dir, 'data');
    const old = new Date(Date.now() - 10 * DAY).toISOString();
    // An event stored before anyone knew the address was bad.
    const events = join(dir, 'events.ndjson');
    writeFileSync(events, `${JSON.stringify({ '@timestamp': old, host: { name: 'web-3' }, source: { ip: '198.51.100.23' }, message: 'login' })}\n`);
    assert.equal((await vigil(['ingest', events, '--data', dataDir])).code, 0);
    const list = join(dir, 'ips.txt');
    writeFileSync(list, '# ISAC list\n198.51.100.23\n198.51.100.24  # second\nnot-a-value-at-all\n');
    const result = await vigil(['intel', 'import', list, '--format', 'lines', '--source', 'isac', '--data', dataDir]);
    assert.equal(result.code, 1, 'a rejected line makes the exit code 1');
    assert.match(result.stdout, /2 added/);
    assert.match(result.stdout, /rejected line 4/);
    assert.match(result.stdout, /retro-hunt hunt-/);
    const broken = await vigil(['intel', 'import', join(FIXTURES, 'stix-bundle-malformed.json'), '--format', 'stix', '--source', 'x', '--data', dataDir]);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /nothing imported/);

    const server = await startServer({ dataDir, syslog: false });
    try {
      const hunts = await waitFor(async () => {
        const items = (await (await server.api('/api/v1/intel/hunts')).json()).items as any[];
        return items[0]?.status === 'done' ? items : null;
      }, 10_000, 'the queued hunt');
      assert.equal(hunts[0].matches, 1);
      await waitFor(async () => {
        const alerts = (await (await server.api('/api/v1/alerts?q=source:intel')).json()).items as any[];
        return alerts.length === 1 && alerts[0].first_seen === old ? true : null;
      }, 5000, 'the retro-hunt alert');
      // And live matching has the imported indicators.
      await server.api('/api/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ '@timestamp': new Date().toISOString(), host: { name: 'web-4' }, source: { ip: '198.51.100.24' }, message: 'login' }) });
      await server.settle();
      const live = (await (await server.api('/api/v1/alerts?q=source:intel')).json()).items as any[];
      assert.equal(live.length, 2);
    } finally {
      server.cleanup();
    }
  });
});
