/** The CLI on a data folder and against a running server. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ndjson, startServer, tempDir, vigil, type TestServer } from './harness.ts';

describe('vigil CLI on a data folder', () => {
  const dir = tempDir();
  const data = join(dir, 'data');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('ingests NDJSON, a JSON array and syslog text, then searches them', async () => {
    const nd = join(dir, 'events.ndjson');
    writeFileSync(nd, `${ndjson([{ message: 'cli alpha', host: { name: 'c1' } }, { message: 'cli beta' }])}\n{not json\n`);
    const arr = join(dir, 'events.json');
    writeFileSync(arr, JSON.stringify([{ message: 'cli gamma' }, 42]));
    const log = join(dir, 'auth.log');
    writeFileSync(log, 'Dec 10 06:55:46 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2\n<13>1 2026-01-01T00:00:00Z box app - - - cli delta\n');
    const result = await vigil(['ingest', nd, arr, log, '--data', data, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.equal(summary.files, 3);
    assert.equal(summary.accepted, 5);
    assert.equal(summary.rejected, 2);
    assert.deepEqual(summary.errors.map((e: any) => [e.file.split('/').pop(), e.line]), [['events.ndjson', 3], ['events.json', 1]]);

    const found = await vigil(['search', 'cli', '--data', data, '--json']);
    assert.equal(found.code, 0, found.stderr);
    assert.deepEqual(JSON.parse(found.stdout).items.map((e: any) => e.message).sort(), ['cli alpha', 'cli beta', 'cli delta', 'cli gamma']);

    const ssh = await vigil(['search', 'event.outcome:failure AND source.ip:173.234.31.186', '--data', data, '--json']);
    const event = JSON.parse(ssh.stdout).items[0];
    assert.equal(event.user.name, 'webmaster');
    assert.equal(event.input.type, 'file');
    assert.equal(event.input.name, 'auth.log');
  });

  it('reads standard input', async () => {
    const result = await vigil(['ingest', '-', '--data', data], { input: ndjson([{ message: 'from stdin' }]) });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /1 accepted, 0 rejected/);
  });

  it('creates, lists and revokes tokens, never showing a secret twice', async () => {
    const created = await vigil(['token', 'create', '--role', 'viewer', '--name', 'grafana', '--data', data]);
    assert.equal(created.code, 0, created.stderr);
    const secret = created.stdout.trim();
    assert.match(secret, /^vgl_/);
    const list = await vigil(['token', 'list', '--data', data, '--json']);
    assert.ok(!list.stdout.includes(secret));
    const record = JSON.parse(list.stdout).items.find((t: any) => t.name === 'grafana');
    assert.equal(record.role, 'viewer');
    assert.equal(record.revoked_at, null);
    const revoked = await vigil(['token', 'revoke', 'grafana', '--data', data]);
    assert.equal(revoked.code, 0);
    const after = JSON.parse((await vigil(['token', 'list', '--data', data, '--json'])).stdout).items.find((t: any) => t.name === 'grafana');
    assert.ok(after.revoked_at);
    const bad = await vigil(['token', 'create', '--role', 'root', '--data', data]);
    assert.equal(bad.code, 2);
  });

  it('exits 2 on bad arguments', async () => {
    assert.equal((await vigil(['ingest', join(dir, 'missing.ndjson'), '--data', data])).code, 2);
    assert.equal((await vigil(['search'])).code, 2);
    assert.equal((await vigil(['nonsense'])).code, 2);
    const syntax = await vigil(['search', 'a AND', '--data', data]);
    assert.equal(syntax.code, 2);
    assert.match(syntax.stderr, /q: at 5/);
  });
});

describe('vigil config check', () => {
  const dir = tempDir();
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints every error with its path', async () => {
    const file = join(dir, 'vigil.yaml');
    writeFileSync(file, 'server:\n  port: seventy\n  colour: blue\ningest:\n  max_fields: 0\nsyslog:\n  port: 70000\nunknown_section: {}\n');
    const result = await vigil(['config', 'check', file]);
    assert.equal(result.code, 1);
    for (const path of ['server.port', 'server.colour', 'ingest.max_fields', 'syslog.port', 'unknown_section']) {
      assert.match(result.stdout, new RegExp(`: ${path.replace('.', '\\.')}: `), `${path} missing in ${result.stdout}`);
    }
    const json = JSON.parse((await vigil(['config', 'check', file, '--json'])).stdout);
    assert.equal(json.valid, false);
    assert.equal(json.errors.length, 5);
  });

  it('reports YAML syntax errors with line and column, and accepts a good file', async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'server:\n  port: [1, 2\n');
    const result = await vigil(['config', 'check', broken]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /line \d+, column \d+/);
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'server:\n  port: 9000\nstore:\n  retention_days: 7\n');
    const ok = await vigil(['config', 'check', good]);
    assert.equal(ok.code, 0);
    assert.match(ok.stdout, /OK/);
  });

  it('checks the triage route tree and matchers as serve builds them', async () => {
    const file = join(dir, 'triage.yaml');
    writeFileSync(file, 'triage:\n  route:\n    group_wait: 10s\n    routes:\n      - name: db\n        matchers: [\'host=~"db-(.*"\']\n');
    const result = await vigil(['config', 'check', file]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /triage\.route\.routes\[0\]\.matchers\[0\]: /);
    writeFileSync(file, 'triage:\n  route:\n    group_wait: 10s\n    routes:\n      - name: db\n        matchers: [\'host=~"db-.*"\']\n        group_by: [host]\n');
    assert.equal((await vigil(['config', 'check', file])).code, 0);
  });

  it('refuses to start serve with a freeze policy that does not compile, naming it once, and exits', async () => {
    const file = join(dir, 'bad-policy.yaml');
    writeFileSync(file, 'changes:\n  policies:\n    - { name: x, scope: {}, timezone: Mars/Olympus, allowed: [{ days: [mon], from: "08:00", to: "18:00" }], action: block }\n');
    const result = await vigil(['serve', '--config', file, '--data', join(dir, 'd2'), '--port', '0', '--syslog-port', '0']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^vigil: changes\.policies\[0\]\.timezone: unknown time zone Mars\/Olympus$/m);
  });

  it('refuses to start serve with a bad config, naming the path', async () => {
    const file = join(dir, 'bad-serve.yaml');
    writeFileSync(file, 'server:\n  port: -1\n');
    const result = await vigil(['serve', '--config', file, '--data', join(dir, 'd')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /server\.port/);
  });
});

describe('vigil CLI against a running server', () => {
  let server: TestServer;
  const dir = tempDir();
  before(async () => {
    server = await startServer({ syslog: false });
  });
  after(() => {
    server?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ingests a file over HTTP with an ingest token and maps rejected lines back to the file', async () => {
    const token = JSON.parse((await vigil(['token', 'create', '--role', 'ingest', '--url', server.url, '--token', server.token, '--json'])).stdout).token;
    const file = join(dir, 'remote.ndjson');
    writeFileSync(file, `${ndjson([{ message: 'remote one' }])}\n[1]\n${ndjson([{ message: 'remote two' }])}\n`);
    const result = await vigil(['ingest', file, '--json'], { env: { VIGIL_URL: server.url, VIGIL_TOKEN: token } });
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.equal(summary.accepted, 2);
    assert.deepEqual(summary.errors.map((e: any) => e.line), [2]);
    const denied = await vigil(['search', 'remote', '--json'], { env: { VIGIL_URL: server.url, VIGIL_TOKEN: token } });
    assert.equal(denied.code, 2, 'an ingest token may not read');
    assert.match(denied.stderr, /403/);
    const found = await vigil(['search', 'remote', '--url', server.url, '--token', server.token, '--json']);
    assert.equal(JSON.parse(found.stdout).items.length, 2);
  });

  it('says clearly when the server is unreachable', async () => {
    const result = await vigil(['search', 'x', '--url', 'http://127.0.0.1:1', '--token', 'vgl_x']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /cannot reach/);
  });
});

describe('data folder', () => {
  it('writes admin.token with mode 0600', async () => {
    const server = await startServer({ syslog: false });
    try {
      assert.equal(statSync(join(server.dataDir, 'admin.token')).mode & 0o777, 0o600);
    } finally {
      server.cleanup();
    }
  });
});
