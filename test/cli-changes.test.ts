/** `vigil change ...` against a running server with a freeze policy, and `vigil change policy check` offline. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIREWALL_HOURS_CONFIG, startServer, tempDir, vigil, type TestServer } from './harness.ts';

const POLICY = {
  name: 'firewall-business-hours',
  scope: { types: ['firewall'] },
  timezone: 'Europe/London',
  allowed: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '18:00' }],
  action: 'block',
  emergency: { approvals: 2 },
};

// Tuesday 10 March 2026: London is on UTC, so 10:00Z is 10:00 local and 23:00Z is 23:00 local.
const DAY = { start: '2026-03-10T11:00:00Z', end: '2026-03-10T13:00:00Z' };
const NIGHT = { start: '2026-03-10T23:00:00Z', end: '2026-03-10T23:30:00Z' };
const NIGHT_MESSAGE = 'change window 2026-03-10T23:00:00Z–2026-03-10T23:30:00Z falls outside firewall-business-hours (mon-fri 08:00-18:00 Europe/London) from 23:00 to 23:30 local';
const OFFLINE = { env: { VIGIL_URL: '', VIGIL_TOKEN: '' } };

describe('vigil change commands', () => {
  const dir = tempDir();
  const configFile = join(dir, 'vigil.yaml');
  let server: TestServer;
  let remote: string[];
  let bob: string;
  /** Made through the API: the change the CLI's daytime change collides with. */
  let baseline: string;
  let dayChange: string;
  let emergencyChange: string;

  const json = async (path: string, init: RequestInit = {}) => {
    const response = await server.api(path, { ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } });
    assert.ok(response.ok, `${path}: ${response.status} ${await response.clone().text()}`);
    return response.json();
  };
  const change = (id: string) => json(`/api/v1/changes/${id}`);
  const allChanges = async () => (await json('/api/v1/changes')).items as Array<{ id: string; status: string }>;

  before(async () => {
    writeFileSync(configFile, FIREWALL_HOURS_CONFIG);
    server = await startServer({ config: configFile, syslog: false, dataDir: join(dir, 'data') });
    remote = ['--url', server.url, '--token', server.token];
    // The server read the policy from the file.
    assert.deepEqual((await json('/api/v1/change-policies')).items.map((p: { name: string }) => p.name), ['firewall-business-hours']);
    bob = (await json('/api/v1/tokens', { method: 'POST', body: JSON.stringify({ role: 'analyst', name: 'bob' }) })).token;
    const created = await json('/api/v1/changes', {
      method: 'POST',
      body: JSON.stringify({ title: 'Baseline rule tidy-up', type: 'firewall', assets: ['fw-edge-1'], window: { start: '2026-03-10T10:00:00Z', end: '2026-03-10T12:00:00Z' } }),
    });
    baseline = created.id;
  });
  after(() => {
    server?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a daytime change, names the conflict, and refuses 23:00 with the policy', async () => {
    const day = await vigil([
      'change', 'create', '--title', 'Open 443 to the payments VIP', '--type', 'firewall', '--asset', 'fw-edge-1', '--service', 'payments',
      '--start', DAY.start, '--end', DAY.end, '--implementer', 'carol', '--risk', 'high', '--backout-plan', 'remove the rule', ...remote,
    ]);
    assert.equal(day.code, 0, day.stderr);
    const lines = day.stdout.trimEnd().split('\n');
    const id = /^(CHG-\d+) requested \(approvals 0\/1\)$/.exec(lines[0]!)?.[1];
    assert.ok(id, day.stdout);
    dayChange = id;
    assert.deepEqual(lines.slice(1), [`conflict: ${baseline} on fw-edge-1: both change fw-edge-1 (overlap 2026-03-10T11:00:00.000Z–2026-03-10T12:00:00.000Z)`]);
    const stored = await change(id);
    assert.equal(stored.status, 'requested');
    assert.equal(stored.title, 'Open 443 to the payments VIP');
    assert.deepEqual([stored.assets, stored.services, stored.window, stored.implementer, stored.risk, stored.backout_plan], [['fw-edge-1'], ['payments'], DAY, 'carol', 'high', 'remove the rule']);
    assert.deepEqual(stored.warnings, []);

    const before = (await allChanges()).length;
    const night = await vigil(['change', 'create', '--title', 'Night push', '--type', 'firewall', '--asset', 'fw-edge-1', '--start', NIGHT.start, '--end', NIGHT.end, ...remote]);
    assert.equal(night.code, 1, night.stderr);
    assert.equal(night.stdout, '');
    assert.equal(night.stderr, `vigil: ${NIGHT_MESSAGE}\n`);
    assert.equal((await allChanges()).length, before, 'a refused change is not stored');

    const emergency = await vigil([
      'change', 'create', '--title', 'Block the attacker range', '--type', 'firewall', '--asset', 'fw-edge-1', '--start', NIGHT.start, '--end', NIGHT.end,
      '--emergency', '--description', 'active exploitation\nfrom 203.0.113.0/24', ...remote,
    ]);
    assert.equal(emergency.code, 0, emergency.stderr);
    const [first, ...rest] = emergency.stdout.trimEnd().split('\n');
    emergencyChange = /^(CHG-\d+) requested \(approvals 0\/2\)$/.exec(first!)?.[1] ?? assert.fail(emergency.stdout);
    assert.deepEqual(rest, [`warning: ${NIGHT_MESSAGE}; emergency change: needs 2 approvals`]);
    const stored2 = await change(emergencyChange);
    assert.equal(stored2.emergency, true);
    assert.equal(stored2.approvals_required, 2);
    assert.equal(stored2.description, 'active exploitation\nfrom 203.0.113.0/24');
  });

  it('lists changes as a table, and filtered as JSON', async () => {
    const table = await vigil(['change', 'list', ...remote]);
    assert.equal(table.code, 0, table.stderr);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    assert.match(header!, /^ID\s+STATUS\s+TYPE\s+WINDOW\s+ASSETS\s+IMPLEMENTER\s+APPROVALS\s+CONFLICTS\s+TITLE$/);
    assert.equal(rows.length, 3, table.stdout);
    const row = (id: string) => rows.find((r) => r.startsWith(`${id} `)) ?? assert.fail(`${id} missing: ${table.stdout}`);
    assert.match(row(baseline), /^CHG-\d+\s+requested\s+firewall\s+2026-03-10T10:00:00Z–2026-03-10T12:00:00Z\s+fw-edge-1\s+-\s+0\/1\s+1\s+Baseline rule tidy-up$/);
    assert.match(row(dayChange), /^CHG-\d+\s+requested\s+firewall\s+2026-03-10T11:00:00Z–2026-03-10T13:00:00Z\s+fw-edge-1\s+carol\s+0\/1\s+1\s+Open 443 to the payments VIP$/);
    assert.match(row(emergencyChange), /^CHG-\d+\s+requested\s+firewall\s+2026-03-10T23:00:00Z–2026-03-10T23:30:00Z\s+fw-edge-1\s+-\s+0\/2\s+0\s+Block the attacker range$/);

    // Only windows overlapping [12:30, 23:15): the baseline ended at 12:00.
    const filtered = await vigil(['change', 'list', '--from', '2026-03-10T12:30:00Z', '--to', '2026-03-10T23:15:00Z', '--status', 'requested', '--limit', '1', '--json', ...remote]);
    assert.equal(filtered.code, 0, filtered.stderr);
    const page = JSON.parse(filtered.stdout);
    assert.deepEqual(page.items.map((c: { id: string }) => c.id), [dayChange]);
    assert.ok(page.next_cursor, 'a second page holds the emergency change');
  });

  it('shows every field, the conflict and the timeline', async () => {
    const shown = await vigil(['change', 'show', dayChange, ...remote]);
    assert.equal(shown.code, 0, shown.stderr);
    const out = shown.stdout;
    assert.ok(out.startsWith(`${dayChange}  Open 443 to the payments VIP\n`), out);
    for (const [name, value] of [
      ['Status', 'requested (approvals 0/1)'],
      ['Type', 'firewall'],
      ['Risk', 'high'],
      ['Emergency', 'no'],
      ['Window', `${DAY.start}–${DAY.end}`],
      ['Assets', 'fw-edge-1'],
      ['Services', 'payments'],
      ['Implementer', 'carol'],
      ['Requester', 'admin'],
      ['Backout plan', '  remove the rule'],
    ]) {
      assert.match(out, new RegExp(`\\n${name}:\\s+${value!.trim().replace(/[()]/g, '\\$&')}\\n`), `${name} in ${out}`);
    }
    assert.match(out, /\nDescription:\s+-\n/);
    assert.match(out, /\nApprovals \(0\/1\):\n\nWarnings \(0\):\n\nConflicts \(1\):\n/);
    assert.match(out, new RegExp(`\\n  CHANGE\\s+ON\\s+OVERLAP\\s+REASON\\n  ${baseline}\\s+fw-edge-1\\s+2026-03-10T11:00:00.000Z–2026-03-10T12:00:00.000Z\\s+both change fw-edge-1\\n`));
    assert.match(out, /\nTimeline \(1\):\n  TIME\s+ACTOR\s+KIND\s+TEXT\n  \S+\s+admin\s+created\s+requested by admin\n$/);

    const missing = await vigil(['change', 'show', 'CHG-9999', ...remote]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, "vigil: change 'CHG-9999' not found\n");
  });

  it('approves with two people (the same person counts once), starts and completes', async () => {
    const first = await vigil(['change', 'approve', emergencyChange, '--comment', 'seen the exploit traffic', '--token', bob, '--url', server.url]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, `${emergencyChange} requested (approvals 1/2: bob)\n`);

    const twice = await vigil(['change', 'approve', emergencyChange, '--token', bob, '--url', server.url]);
    assert.equal(twice.code, 1);
    assert.equal(twice.stdout, '');
    assert.equal(twice.stderr, `vigil: bob has already approved ${emergencyChange}; approvals count once per person\n`);
    assert.equal((await change(emergencyChange)).approvals.length, 1);

    const second = await vigil(['change', 'approve', emergencyChange, ...remote]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, `${emergencyChange} approved (approvals 2/2: bob, admin)\n`);

    const started = await vigil(['change', 'start', emergencyChange, ...remote]);
    assert.equal(started.code, 0, started.stderr);
    const afterStart = await change(emergencyChange);
    assert.equal(afterStart.status, 'in_progress');
    assert.equal(started.stdout, `${emergencyChange} in_progress (started ${afterStart.started_at})\n`);

    const completed = await vigil(['change', 'complete', emergencyChange, ...remote]);
    assert.equal(completed.code, 0, completed.stderr);
    const done = await change(emergencyChange);
    assert.equal(done.status, 'completed');
    assert.equal(completed.stdout, `${emergencyChange} completed (ended ${done.ended_at})\n`);
    assert.deepEqual(done.approvals.map((a: { by: string; comment?: string }) => [a.by, a.comment]), [['bob', 'seen the exploit traffic'], ['admin', undefined]]);
    assert.deepEqual(done.timeline.map((t: { kind: string }) => t.kind), ['created', 'policy', 'approval', 'approval', 'approved', 'started', 'completed']);
  });

  it('checks policy files offline and shows what blocks a change (exit 3)', async () => {
    const good = await vigil(['change', 'policy', 'check', configFile], OFFLINE);
    assert.equal(good.code, 0, good.stderr);
    assert.equal(good.stdout, 'OK firewall-business-hours: mon-fri 08:00-18:00 Europe/London\n');

    const badFile = join(dir, 'policies.json');
    writeFileSync(badFile, JSON.stringify([{ ...POLICY, name: 'db-weekends', scope: { types: ['database'] }, allowed: undefined, blocked: [{ days: ['sat', 'sun'], from: '00:00', to: '24:00' }] }, { ...POLICY, name: 'bad-tz', timezone: 'Mars/Olympus' }]));
    const bad = await vigil(['change', 'policy', 'check', badFile], OFFLINE);
    assert.equal(bad.code, 1, bad.stderr);
    assert.equal(bad.stdout, 'OK db-weekends: blocked sat-sun 00:00-24:00 Europe/London\nERROR [1].timezone: unknown time zone Mars/Olympus (policy bad-tz)\n');

    const night = JSON.stringify({ type: 'firewall', assets: ['fw-1'], window: NIGHT });
    const blocked = await vigil(['change', 'policy', 'check', configFile, '--change', night], OFFLINE);
    assert.equal(blocked.code, 3, blocked.stderr);
    assert.equal(
      blocked.stdout,
      [
        'OK firewall-business-hours: mon-fri 08:00-18:00 Europe/London',
        '',
        `change firewall on fw-1, window ${NIGHT.start}–${NIGHT.end}:`,
        `BLOCK ${NIGHT_MESSAGE}`,
        'blocked by firewall-business-hours',
        '',
      ].join('\n'),
    );
  });

  it('needs --url for everything but policy check', async () => {
    const result = await vigil(['change', 'list'], OFFLINE);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /vigil change list talks to a running server: pass --url/);
  });
});
