/** `vigil incident ...` and `vigil silence ...` against a running server. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, vigil, waitFor, type TestServer } from './harness.ts';

describe('vigil incident and silence commands', () => {
  let server: TestServer;
  let remote: string[];
  before(async () => {
    server = await startServer({ syslog: false });
    remote = ['--url', server.url, '--token', server.token];
  });
  after(() => server?.cleanup());

  /** Sends one alert and returns the incident it opened. Distinct rules and hosts keep incidents apart. */
  async function openIncident(rule: string, title: string, host: string): Promise<string> {
    const response = await server.api('/api/v1/alerts', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ rule: { id: rule, title, level: 'high' }, entities: { hosts: [host] }, tags: ['attack.execution'] }]),
    });
    assert.equal(response.status, 200, await response.clone().text());
    const answer = await response.json();
    assert.equal(answer.incidents.length, 1, JSON.stringify(answer));
    return answer.incidents[0];
  }

  const incident = async (id: string) => {
    const response = await server.api(`/api/v1/incidents/${id}`);
    assert.equal(response.status, 200);
    return response.json();
  };

  const patch = async (id: string, body: object) => {
    const response = await server.api(`/api/v1/incidents/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(response.status, 200, await response.clone().text());
  };

  it('lists incidents as a table and as JSON', async () => {
    const id = await openIncident('r-list', 'Suspicious thing', 'web-1');
    assert.match(id, /^INC-\d+$/);
    const table = await waitFor(async () => {
      const result = await vigil(['incident', 'list', ...remote]);
      return result.stdout.includes(id) ? result : null;
    }, 10_000, `${id} in the list`);
    assert.equal(table.code, 0, table.stderr);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    assert.match(header!, /^ID\s+PRIO\s+SCORE\s+STATUS\s+ASSIGNEE\s+ALERTS\s+TITLE$/);
    const row = rows.find((r) => r.startsWith(`${id} `));
    assert.ok(row, table.stdout);
    const detail = await incident(id);
    assert.match(row!, new RegExp(`^${id}\\s+${detail.priority}\\s+${detail.score.toFixed(1).replace('.', '\\.')}\\s+new\\s+-\\s+1\\s+Suspicious thing on web-1$`));

    const json = await vigil(['incident', 'list', '--status', 'new', '--query', 'entities.hosts:web-1', '--limit', '5', '--json', ...remote]);
    assert.equal(json.code, 0, json.stderr);
    const page = JSON.parse(json.stdout);
    assert.deepEqual(page.items.map((i: any) => i.id), [id]);
    assert.equal(page.items[0].title, 'Suspicious thing on web-1');
    assert.equal(page.items[0].status, 'new');

    const none = await vigil(['incident', 'list', '--status', 'closed', ...remote]);
    assert.equal(none.code, 0, none.stderr);
    assert.ok(!none.stdout.includes(id), none.stdout);

    const bad = await vigil(['incident', 'list', '--limit', 'zero', ...remote]);
    assert.equal(bad.code, 2);
  });

  it('shows the score explanation, SLA, alerts and the timeline', async () => {
    const id = await openIncident('r-show', 'Odd process', 'app-7');
    const detail = await incident(id);
    const result = await vigil(['incident', 'show', id, ...remote]);
    assert.equal(result.code, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, new RegExp(`^${id}  Odd process on app-7\\n`));
    assert.ok(out.includes(`Priority:   ${detail.priority} (score ${detail.score})`), out);
    assert.ok(out.includes(detail.score_explanation.summary), out);
    assert.equal(detail.score_explanation.parts.length, 6);
    for (const part of detail.score_explanation.parts) {
      assert.match(out, new RegExp(`\\n  ${part.factor}\\s+${part.points.toFixed(1).replace('.', '\\.')}  ${part.reason.replace(/[()]/g, '\\$&')}\\n`), `${part.factor} missing`);
    }
    assert.match(out, /\nStatus:\s+new\n/);
    assert.match(out, /\nSeverity:\s+high\n/);
    assert.ok(out.includes(`SLA:        ack due ${detail.sla.ack_due}, resolve due ${detail.sla.resolve_due}; not breached`), out);
    assert.match(out, /\nEntities:\s+hosts: app-7; users: -; ips: -\n/);
    assert.match(out, /\nKill chain:\s+exploitation\n/);
    assert.match(out, /\nAlerts \(1\):\n\s+RULE\s+LEVEL\s+COUNT\s+STATUS\s+SUPPRESSED_BY\n\s+r-show Odd process\s+high\s+1\s+firing\s+-\n/);
    assert.match(out, /\nTimeline \(1\):\n\s+TIME\s+ACTOR\s+TEXT\n/);
    assert.ok(out.includes(`${detail.timeline[0].at}  system  opened by Odd process`), out);

    const json = await vigil(['incident', 'show', id, '--json', ...remote]);
    const document = JSON.parse(json.stdout);
    assert.equal(document.id, id);
    assert.equal(document.alerts[0].rule.id, 'r-show');
    assert.equal(document.timeline[0].kind, 'opened');

    const missing = await vigil(['incident', 'show', 'INC-99999', ...remote]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /incident 'INC-99999' not found/);
  });

  it('acknowledges, then resolves with a reason', async () => {
    const id = await openIncident('r-ack', 'Beacon', 'ws-3');
    const ack = await vigil(['incident', 'ack', id, ...remote]);
    assert.equal(ack.code, 0, ack.stderr);
    assert.equal(ack.stdout, `${id} is acknowledged, assignee -\n`);
    const acked = await incident(id);
    assert.equal(acked.status, 'acknowledged');
    assert.ok(acked.acknowledged_at);

    const resolved = await vigil(['incident', 'resolve', id, '--reason', 'reimaged the box', ...remote]);
    assert.equal(resolved.code, 0, resolved.stderr);
    assert.match(resolved.stdout, new RegExp(`^${id} is resolved`));
    const after = await incident(id);
    assert.equal(after.status, 'resolved');
    assert.ok(after.resolved_at);
    const change = after.timeline.filter((t: any) => t.kind === 'state_changed').pop();
    assert.equal(change.data.to, 'resolved');
    assert.equal(change.data.reason, 'reimaged the box');
  });

  it('assigns and adds a note that lands in the timeline', async () => {
    const id = await openIncident('r-assign', 'Lateral movement', 'dc-2');
    const assigned = await vigil(['incident', 'assign', id, 'alice', ...remote]);
    assert.equal(assigned.code, 0, assigned.stderr);
    assert.equal(assigned.stdout, `${id} assigned to alice (new)\n`);
    assert.equal((await incident(id)).assignee, 'alice');

    const noted = await vigil(['incident', 'note', id, 'checked', 'the', 'box:', 'clean', ...remote]);
    assert.equal(noted.code, 0, noted.stderr);
    assert.match(noted.stdout, new RegExp(`^${id}: note added by admin at `));
    const notes = (await incident(id)).timeline.filter((t: any) => t.kind === 'note');
    assert.equal(notes.length, 1);
    assert.equal(notes[0].text, 'checked the box: clean');
    assert.equal(notes[0].actor, 'admin');

    const shown = await vigil(['incident', 'show', id, ...remote]);
    assert.match(shown.stdout, /\nAssignee:\s+alice\n/);
    assert.match(shown.stdout, /  admin\s+checked the box: clean\n/);

    const missing = await vigil(['incident', 'note', 'INC-99999', 'hello', ...remote]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /incident 'INC-99999' not found/);
  });

  it('refuses a forbidden state change with the server message and exit 1', async () => {
    const id = await openIncident('r-closed', 'Old finding', 'legacy-1');
    await patch(id, { status: 'resolved' });
    await patch(id, { status: 'closed' });
    const result = await vigil(['incident', 'ack', id, ...remote]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, `vigil: ${id}: cannot go from 'closed' to 'acknowledged'; allowed: none\n`);
    assert.equal((await incident(id)).status, 'closed');

    const resolve = await vigil(['incident', 'resolve', id, ...remote]);
    assert.equal(resolve.code, 1);
    assert.match(resolve.stderr, /cannot go from 'closed' to 'resolved'/);
  });

  it('adds, lists and expires a silence', async () => {
    const added = await vigil(['silence', 'add', '--matcher', 'host="web-9"', '--matcher', 'rule_id=~"r-.*"', '--duration', '2h', '--comment', 'patch night', '--json', ...remote]);
    assert.equal(added.code, 0, added.stderr);
    const silence = JSON.parse(added.stdout);
    assert.deepEqual(silence.matchers, [
      { name: 'host', op: '=', value: 'web-9' },
      { name: 'rule_id', op: '=~', value: 'r-.*' },
    ]);
    assert.equal(silence.comment, 'patch night');
    assert.equal(Date.parse(silence.ends_at) - Date.parse(silence.starts_at), 2 * 3_600_000);

    const later = await vigil(['silence', 'add', '--matcher', 'user="bob"', '--starts-at', '2099-01-01T00:00:00Z', '--ends-at', '2099-01-02T00:00:00Z', '--comment', 'future', ...remote]);
    assert.equal(later.code, 0, later.stderr);
    const laterId = /^silence (\S+) created: user="bob" from 2099-01-01T00:00:00.000Z until 2099-01-02T00:00:00.000Z\n$/.exec(later.stdout)?.[1];
    assert.ok(laterId, later.stdout);

    const states = async () => Object.fromEntries((await (await server.api('/api/v1/silences')).json()).items.map((s: any) => [s.id, s.state]));
    assert.deepEqual(await states(), { [silence.id]: 'active', [laterId]: 'pending' });

    const listed = await vigil(['silence', 'list', ...remote]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^ID\s+STATE\s+STARTS\s+ENDS\s+CREATED_BY\s+MATCHERS\s+COMMENT\n/);
    assert.match(listed.stdout, new RegExp(`\\n${silence.id}\\s+active\\s+\\S+\\s+\\S+\\s+admin\\s+host="web-9",rule_id=~"r-\\.\\*"\\s+patch night\\n`));
    assert.match(listed.stdout, new RegExp(`\\n${laterId}\\s+pending\\s+`));

    const expired = await vigil(['silence', 'expire', silence.id, ...remote]);
    assert.equal(expired.code, 0, expired.stderr);
    assert.match(expired.stdout, new RegExp(`^silence ${silence.id} expired at `));
    assert.deepEqual(await states(), { [silence.id]: 'expired', [laterId]: 'pending' });

    const active = await vigil(['silence', 'list', '--json', ...remote]);
    assert.deepEqual(JSON.parse(active.stdout).items.map((s: any) => s.id), [laterId]);
    const all = await vigil(['silence', 'list', '--all', ...remote]);
    assert.match(all.stdout, new RegExp(`\\n${silence.id}\\s+expired\\s+`));
    assert.match(all.stdout, new RegExp(`\\n${laterId}\\s+pending\\s+`));

    const again = await vigil(['silence', 'expire', silence.id, ...remote]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /has already expired/);
    const missing = await vigil(['silence', 'expire', 'NOPE', ...remote]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /silence 'NOPE' not found/);
  });

  it('refuses a silence without a comment, an end, or with a bad matcher', async () => {
    const before = (await (await server.api('/api/v1/silences')).json()).items.length;
    const noComment = await vigil(['silence', 'add', '--matcher', 'host="web-1"', '--duration', '2h', ...remote]);
    assert.equal(noComment.code, 2);
    assert.match(noComment.stderr, /--comment/);
    const noEnd = await vigil(['silence', 'add', '--matcher', 'host="web-1"', '--comment', 'x', ...remote]);
    assert.equal(noEnd.code, 2);
    assert.match(noEnd.stderr, /--duration .*--ends-at/);
    const badMatcher = await vigil(['silence', 'add', '--matcher', 'host~web', '--duration', '2h', '--comment', 'x', ...remote]);
    assert.equal(badMatcher.code, 2);
    assert.match(badMatcher.stderr, /matchers\[0\]/);
    const blank = await vigil(['silence', 'add', '--matcher', 'host="web-1"', '--duration', '2h', '--comment', ' ', ...remote]);
    assert.equal(blank.code, 2);
    assert.match(blank.stderr, /comment: required/);
    assert.equal((await (await server.api('/api/v1/silences')).json()).items.length, before);
  });

  it('needs --url: incidents live in the server', async () => {
    for (const args of [['incident', 'list'], ['incident', 'ack', 'INC-1'], ['silence', 'list']]) {
      const result = await vigil(args, { env: { VIGIL_URL: '', VIGIL_TOKEN: '' } });
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, /pass --url/);
    }
  });
});
