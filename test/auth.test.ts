/**
 * End-to-end: authentication and authorisation on every route of the real binary.
 *
 * Contract (issue + DESIGN §8): bearer tokens stored hashed; roles viewer, analyst, admin, ingest.
 * Every route checks token and role except /healthz. Ingest routes accept ingest, analyst, admin;
 * read routes (events, alerts, rules, status, metrics, openapi, dead-letters) accept viewer, analyst, admin, not
 * ingest; token management is admin only; /api/v1/whoami answers any valid token. No token or a bad
 * token is a 401 with WWW-Authenticate; a valid token without the role is a 403; errors are
 * `{ error: { code, message, field? } }`. The first start writes the admin token to a 0600 file and
 * prints it once; no secret is ever stored or logged otherwise.
 *
 * One server for the whole file, logging at debug so that a leaked secret would show.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer, vigil, waitFor, type TestServer } from './harness.ts';

type Role = 'viewer' | 'ingest' | 'analyst' | 'admin';
const ROLES: Role[] = ['viewer', 'ingest', 'analyst', 'admin'];

/** Who may call a route family, straight from the issue. */
const READ: Role[] = ['viewer', 'analyst', 'admin'];
const INGEST: Role[] = ['ingest', 'analyst', 'admin'];
const ADMIN: Role[] = ['admin'];
const WRITE: Role[] = ['analyst', 'admin'];
const ANY: Role[] = ['viewer', 'ingest', 'analyst', 'admin'];

interface Issued {
  token: string;
  record: { id: string; name: string; role: string; created_at: string; last_used_at: string | null; revoked_at: string | null };
}

let server: TestServer;
const tokens = {} as Record<Role, Issued>;
/** Every secret this file saw: none may leak. */
const secrets: string[] = [];
let seedEventId = '';
/** One token per attempt at DELETE /api/v1/tokens/:id; only admin's attempt may revoke it. */
let victim: Issued;
/** Tags of ingest probes and whether they must have been stored. */
const ingestProbes = new Map<string, boolean>();
/** Names of tokens asked for by POST /api/v1/tokens, and whether they must exist. */
const tokenProbes = new Map<string, boolean>();
let probeCounter = 0;
/** The tag of the last ingest probe sent. */
let lastIngestProbe = '';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function createToken(role: Role, name: string): Promise<Issued> {
  const response = await server.api('/api/v1/tokens', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role, name }),
  });
  assert.equal(response.status, 201, `creating ${name}: ${await response.clone().text()}`);
  const issued = (await response.json()) as Issued;
  assert.equal(typeof issued.token, 'string');
  assert.equal(issued.record.role, role);
  assert.equal(issued.record.name, name);
  assert.equal(issued.record.revoked_at, null);
  secrets.push(issued.token);
  return issued;
}

before(async () => {
  server = await startServer({ syslog: false, args: ['--log-level', 'debug'] });
  assert.ok(server.token, 'the first start wrote admin.token');
  secrets.push(server.token);
  for (const role of ROLES) tokens[role] = await createToken(role, `e2e-${role}`);
  victim = await createToken('viewer', 'e2e-victim');
  // An event to fetch by id.
  const ingest = await server.api('/api/v1/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message: 'auth seed event', case: 'auth-seed', host: { name: 'auth-host' } }),
  });
  assert.equal(ingest.status, 202);
  await server.settle();
  const found = (await (await server.api('/api/v1/events?q=case:auth-seed')).json()) as { items: Array<{ id: string }> };
  assert.equal(found.items.length, 1);
  seedEventId = found.items[0]!.id;
});

after(async () => {
  if (server) {
    await server.stop();
    server.cleanup();
  }
});

// ---------------------------------------------------------------------------------------------
// The routes

interface Route {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: () => string;
  /** null: public (no token needed). */
  allowed: Role[] | null;
  /** Body for a call made as `who` (a role, or a label for an unauthenticated attempt). */
  body?: (who: string) => { type: string; text: string };
  /** Checks an allowed call's answer. */
  check: (response: Response, role: Role) => Promise<void>;
}

const json = async (response: Response) => (await response.json()) as Record<string, unknown>;
const expectStatus = (status: number) => async (response: Response) => {
  assert.equal(response.status, status, await response.clone().text());
};

const ROUTES: Route[] = [
  {
    name: 'GET /healthz',
    method: 'GET',
    path: () => '/healthz',
    allowed: null,
    check: async (r) => {
      assert.equal(r.status, 200);
      assert.equal((await json(r)).status, 'ok');
    },
  },
  {
    name: 'GET /metrics',
    method: 'GET',
    path: () => '/metrics',
    allowed: READ,
    check: async (r) => {
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /text\/plain/);
      assert.match(await r.text(), /^# (HELP|TYPE) /m);
    },
  },
  { name: 'GET /api/v1/status', method: 'GET', path: () => '/api/v1/status', allowed: READ, check: expectStatus(200) },
  {
    name: 'GET /api/v1/openapi.json',
    method: 'GET',
    path: () => '/api/v1/openapi.json',
    allowed: READ,
    check: async (r) => {
      assert.equal(r.status, 200);
      const doc = await json(r);
      assert.match(String(doc.openapi), /^3\./);
    },
  },
  {
    name: 'GET /api/v1/whoami',
    method: 'GET',
    path: () => '/api/v1/whoami',
    allowed: ANY,
    check: async (r, role) => {
      assert.equal(r.status, 200);
      const me = await json(r);
      assert.equal(me.role, role);
      assert.equal(me.id, tokens[role].record.id);
      assert.equal(me.name, `e2e-${role}`);
    },
  },
  { name: 'GET /api/v1/events', method: 'GET', path: () => '/api/v1/events?q=case:auth-seed', allowed: READ, check: expectStatus(200) },
  {
    name: 'POST /api/v1/events',
    method: 'POST',
    path: () => '/api/v1/events',
    allowed: INGEST,
    body: (who) => {
      const tag = `authprobe-${++probeCounter}-${who.replace(/[^a-z0-9]/gi, '')}`;
      ingestProbes.set(tag, false);
      lastIngestProbe = tag;
      return { type: 'application/json', text: JSON.stringify({ message: `ingest probe ${tag}`, case: tag }) };
    },
    check: async (r) => {
      assert.equal(r.status, 202, await r.clone().text());
      const answer = await json(r);
      assert.equal(answer.accepted, 1);
      assert.deepEqual(answer.rejected, []);
    },
  },
  {
    name: 'GET /api/v1/events/:id',
    method: 'GET',
    path: () => `/api/v1/events/${seedEventId}`,
    allowed: READ,
    check: async (r) => {
      assert.equal(r.status, 200);
      assert.equal((await json(r)).id, seedEventId);
    },
  },
  { name: 'GET /api/v1/events/histogram', method: 'GET', path: () => '/api/v1/events/histogram?from=now-1h', allowed: READ, check: expectStatus(200) },
  {
    name: 'GET /api/v1/events/fields/:field/top',
    method: 'GET',
    path: () => '/api/v1/events/fields/host.name/top',
    allowed: READ,
    check: async (r) => {
      assert.equal(r.status, 200);
      assert.equal((await json(r)).field, 'host.name');
    },
  },
  { name: 'GET /api/v1/dead-letters', method: 'GET', path: () => '/api/v1/dead-letters', allowed: READ, check: expectStatus(200) },
  { name: 'GET /api/v1/alerts', method: 'GET', path: () => '/api/v1/alerts', allowed: READ, check: expectStatus(200) },
  // No alert exists: an allowed caller gets the 404 of the route, a refused one its 401/403 first.
  { name: 'GET /api/v1/alerts/:id', method: 'GET', path: () => '/api/v1/alerts/01ZZZZZZZZZZZZZZZZZZZZZZZZ', allowed: READ, check: expectStatus(404) },
  { name: 'GET /api/v1/audit', method: 'GET', path: () => '/api/v1/audit', allowed: ADMIN, check: expectStatus(200) },
  { name: 'GET /api/v1/audit/verify', method: 'GET', path: () => '/api/v1/audit/verify', allowed: ADMIN, check: expectStatus(200) },
  { name: 'GET /api/v1/assets', method: 'GET', path: () => '/api/v1/assets', allowed: READ, check: expectStatus(200) },
  { name: 'GET /api/v1/services/:name', method: 'GET', path: () => '/api/v1/services/no-such-service', allowed: READ, check: expectStatus(404) },
  {
    name: 'POST /api/v1/assets',
    method: 'POST',
    path: () => '/api/v1/assets',
    allowed: WRITE,
    body: (who) => ({ type: 'application/json', text: JSON.stringify({ name: `probe-${++probeCounter}-${who.replace(/[^a-z0-9]/gi, '')}`, kind: 'host', criticality: 1 }) }),
    check: expectStatus(201),
  },
  { name: 'PATCH /api/v1/services/:name', method: 'PATCH', path: () => '/api/v1/services/no-such-service', allowed: WRITE, body: () => ({ type: 'application/json', text: '{"tier":2}' }), check: expectStatus(404) },
  { name: 'GET /api/v1/assets/:name', method: 'GET', path: () => '/api/v1/assets/no-such-asset', allowed: READ, check: expectStatus(404) },
  { name: 'PATCH /api/v1/assets/:name', method: 'PATCH', path: () => '/api/v1/assets/no-such-asset', allowed: WRITE, body: () => ({ type: 'application/json', text: '{"criticality":2}' }), check: expectStatus(404) },
  {
    name: 'POST /api/v1/services',
    method: 'POST',
    path: () => '/api/v1/services',
    allowed: WRITE,
    body: (who) => ({ type: 'application/json', text: JSON.stringify({ name: `svc-probe-${++probeCounter}-${who.replace(/[^a-z0-9]/gi, '')}`, tier: 3 }) }),
    check: expectStatus(201),
  },
  { name: 'GET /api/v1/services', method: 'GET', path: () => '/api/v1/services', allowed: READ, check: expectStatus(200) },
  { name: 'DELETE /api/v1/services/:name', method: 'DELETE', path: () => '/api/v1/services/no-such-service', allowed: WRITE, check: expectStatus(404) },
  { name: 'DELETE /api/v1/assets/:name', method: 'DELETE', path: () => '/api/v1/assets/no-such-asset', allowed: WRITE, check: expectStatus(404) },
  { name: 'POST /api/v1/inventory/import', method: 'POST', path: () => '/api/v1/inventory/import', allowed: WRITE, body: () => ({ type: 'application/json', text: '{"services":[]}' }), check: expectStatus(200) },
  {
    name: 'POST /api/v1/alerts',
    method: 'POST',
    path: () => '/api/v1/alerts',
    allowed: INGEST,
    body: (who) => ({ type: 'application/json', text: JSON.stringify({ rule: { id: 'auth-probe', title: 'Auth probe', level: 'low' }, entities: { hosts: [`probe-${who.replace(/[^a-z0-9]/gi, '')}`] } }) }),
    check: async (r) => {
      assert.equal(r.status, 200, await r.clone().text());
      assert.equal((await json(r)).alerts, 1);
    },
  },
  {
    name: 'POST /api/v1/integrations/alertmanager',
    method: 'POST',
    path: () => '/api/v1/integrations/alertmanager',
    allowed: INGEST,
    body: () => ({
      type: 'application/json',
      text: JSON.stringify({ version: '4', groupKey: '{}:{}', status: 'firing', receiver: 'vigil', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://am', alerts: [{ status: 'firing', labels: { alertname: 'Probe' }, annotations: {}, startsAt: '2026-01-01T00:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: 'abcd' }] }),
    }),
    check: expectStatus(200),
  },
  {
    name: 'POST /api/v1/integrations/pagerduty/v2/enqueue',
    method: 'POST',
    path: () => '/api/v1/integrations/pagerduty/v2/enqueue',
    allowed: INGEST,
    body: () => ({ type: 'application/json', text: JSON.stringify({ routing_key: 'not-a-token', event_action: 'trigger', payload: { summary: 'probe', source: 'probe-host', severity: 'info' } }) }),
    check: async (r) => {
      assert.equal(r.status, 202, await r.clone().text());
      assert.equal((await json(r)).message, 'Event processed');
    },
  },
  { name: 'GET /api/v1/incidents', method: 'GET', path: () => '/api/v1/incidents', allowed: READ, check: expectStatus(200) },
  { name: 'GET /api/v1/incidents/:id', method: 'GET', path: () => '/api/v1/incidents/INC-999999', allowed: READ, check: expectStatus(404) },
  { name: 'GET /api/v1/incidents/:id/timeline', method: 'GET', path: () => '/api/v1/incidents/INC-999999/timeline', allowed: READ, check: expectStatus(404) },
  { name: 'PATCH /api/v1/incidents/:id', method: 'PATCH', path: () => '/api/v1/incidents/INC-999999', allowed: WRITE, body: () => ({ type: 'application/json', text: '{"status":"acknowledged"}' }), check: expectStatus(404) },
  { name: 'POST /api/v1/incidents/:id/notes', method: 'POST', path: () => '/api/v1/incidents/INC-999999/notes', allowed: WRITE, body: () => ({ type: 'application/json', text: '{"text":"x"}' }), check: expectStatus(404) },
  { name: 'POST /api/v1/incidents/:id/tasks', method: 'POST', path: () => '/api/v1/incidents/INC-999999/tasks', allowed: WRITE, body: () => ({ type: 'application/json', text: '{"title":"x"}' }), check: expectStatus(404) },
  { name: 'PATCH /api/v1/incidents/:id/tasks/:task_id', method: 'PATCH', path: () => '/api/v1/incidents/INC-999999/tasks/t1', allowed: WRITE, body: () => ({ type: 'application/json', text: '{"status":"done"}' }), check: expectStatus(404) },
  { name: 'POST /api/v1/incidents/:id/observables', method: 'POST', path: () => '/api/v1/incidents/INC-999999/observables', allowed: WRITE, body: () => ({ type: 'application/json', text: '{"type":"ip","value":"192.0.2.1"}' }), check: expectStatus(404) },
  { name: 'POST /api/v1/incidents/:id/merge', method: 'POST', path: () => '/api/v1/incidents/INC-999999/merge', allowed: WRITE, body: () => ({ type: 'application/json', text: '{"source":"INC-999998"}' }), check: expectStatus(404) },
  { name: 'POST /api/v1/incidents/:id/split', method: 'POST', path: () => '/api/v1/incidents/INC-999999/split', allowed: WRITE, body: () => ({ type: 'application/json', text: '{"alert_ids":["a"]}' }), check: expectStatus(404) },
  { name: 'GET /api/v1/stats/noise', method: 'GET', path: () => '/api/v1/stats/noise', allowed: READ, check: expectStatus(200) },
  { name: 'GET /api/v1/stats/response', method: 'GET', path: () => '/api/v1/stats/response', allowed: READ, check: expectStatus(200) },
  { name: 'GET /api/v1/silences', method: 'GET', path: () => '/api/v1/silences', allowed: READ, check: expectStatus(200) },
  { name: 'GET /api/v1/silences/:id', method: 'GET', path: () => '/api/v1/silences/01ZZZZZZZZZZZZZZZZZZZZZZZZ', allowed: READ, check: expectStatus(404) },
  {
    name: 'POST /api/v1/silences',
    method: 'POST',
    path: () => '/api/v1/silences',
    allowed: WRITE,
    body: (who) => ({ type: 'application/json', text: JSON.stringify({ matchers: [`host="probe-${who.replace(/[^a-z0-9]/gi, '')}"`], duration: '1h', comment: 'auth probe' }) }),
    check: expectStatus(201),
  },
  { name: 'DELETE /api/v1/silences/:id', method: 'DELETE', path: () => '/api/v1/silences/01ZZZZZZZZZZZZZZZZZZZZZZZZ', allowed: WRITE, check: expectStatus(404) },
  {
    name: 'POST /api/v1/changes',
    method: 'POST',
    path: () => '/api/v1/changes',
    allowed: WRITE,
    body: (who) => ({ type: 'application/json', text: JSON.stringify({ title: `probe ${who}`, type: 'config', assets: ['probe-host'], window: { start: '2026-03-03T10:00:00Z', end: '2026-03-03T11:00:00Z' } }) }),
    check: expectStatus(201),
  },
  { name: 'GET /api/v1/changes', method: 'GET', path: () => '/api/v1/changes', allowed: READ, check: expectStatus(200) },
  { name: 'GET /api/v1/changes/calendar', method: 'GET', path: () => '/api/v1/changes/calendar', allowed: READ, check: expectStatus(200) },
  { name: 'GET /api/v1/changes/calendar.ics', method: 'GET', path: () => '/api/v1/changes/calendar.ics', allowed: READ, check: expectStatus(200) },
  { name: 'GET /api/v1/changes/:id', method: 'GET', path: () => '/api/v1/changes/CHG-999999', allowed: READ, check: expectStatus(404) },
  { name: 'PATCH /api/v1/changes/:id', method: 'PATCH', path: () => '/api/v1/changes/CHG-999999', allowed: WRITE, body: () => ({ type: 'application/json', text: '{"title":"x"}' }), check: expectStatus(404) },
  ...(['request', 'approve', 'start', 'complete', 'fail', 'rollback', 'cancel'] as const).map(
    (action): Route => ({ name: `POST /api/v1/changes/:id/${action}`, method: 'POST', path: () => `/api/v1/changes/CHG-999999/${action}`, allowed: WRITE, body: () => ({ type: 'application/json', text: '{}' }), check: expectStatus(404) }),
  ),
  {
    name: 'POST /api/v1/change-events',
    method: 'POST',
    path: () => '/api/v1/change-events',
    allowed: INGEST,
    body: (who) => ({ type: 'application/json', text: JSON.stringify({ asset: `probe-${who.replace(/[^a-z0-9]/gi, '')}`, type: 'config', summary: 'probe', timestamp: '2026-03-03T10:00:00Z' }) }),
    check: expectStatus(200),
  },
  { name: 'GET /api/v1/change-events', method: 'GET', path: () => '/api/v1/change-events', allowed: READ, check: expectStatus(200) },
  {
    name: 'POST /api/v1/integrations/pagerduty/change/enqueue',
    method: 'POST',
    path: () => '/api/v1/integrations/pagerduty/change/enqueue',
    allowed: INGEST,
    body: () => ({ type: 'application/json', text: JSON.stringify({ routing_key: 'not-a-token', payload: { summary: 'Deploy probe', source: 'probe-host', timestamp: '2026-03-03T10:00:00Z' } }) }),
    check: expectStatus(202),
  },
  { name: 'GET /api/v1/change-policies', method: 'GET', path: () => '/api/v1/change-policies', allowed: READ, check: expectStatus(200) },
  {
    name: 'POST /api/v1/change-policies',
    method: 'POST',
    path: () => '/api/v1/change-policies',
    allowed: WRITE,
    body: (who) => ({ type: 'application/json', text: JSON.stringify({ name: `probe-${who.replace(/[^a-z0-9]/gi, '')}`, scope: { types: ['database'] }, timezone: 'UTC', blocked: [{ days: ['sun'], from: '00:00', to: '24:00' }], action: 'warn' }) }),
    check: expectStatus(201),
  },
  { name: 'DELETE /api/v1/change-policies/:name', method: 'DELETE', path: () => '/api/v1/change-policies/no-such-policy', allowed: WRITE, check: expectStatus(404) },
  {
    name: 'POST /api/v1/intel/indicators',
    method: 'POST',
    path: () => '/api/v1/intel/indicators?retro_hunt=false',
    allowed: WRITE,
    body: (who) => ({ type: 'application/json', text: JSON.stringify({ type: 'domain', value: `probe-${who.replace(/[^a-z0-9]/gi, '')}.example`, source: 'auth-probe' }) }),
    check: expectStatus(201),
  },
  { name: 'GET /api/v1/intel/indicators', method: 'GET', path: () => '/api/v1/intel/indicators?source=auth-probe', allowed: READ, check: expectStatus(200) },
  { name: 'GET /api/v1/intel/indicators/:id', method: 'GET', path: () => `/api/v1/intel/indicators/${encodeURIComponent('domain:nothing.example')}`, allowed: READ, check: expectStatus(404) },
  { name: 'DELETE /api/v1/intel/indicators/:id', method: 'DELETE', path: () => `/api/v1/intel/indicators/${encodeURIComponent('domain:nothing.example')}`, allowed: WRITE, check: expectStatus(404) },
  {
    name: 'DELETE /api/v1/intel/indicators',
    method: 'DELETE',
    path: () => '/api/v1/intel/indicators',
    allowed: WRITE,
    body: () => ({ type: 'application/json', text: JSON.stringify({ ids: ['domain:nothing.example'] }) }),
    check: async (r) => {
      assert.equal(r.status, 200);
      assert.equal((await json(r)).deleted, 0);
    },
  },
  {
    name: 'POST /api/v1/intel/import',
    method: 'POST',
    path: () => '/api/v1/intel/import?format=lines&source=auth-probe&retro_hunt=false',
    allowed: WRITE,
    body: () => ({ type: 'text/plain', text: '198.51.100.99\n' }),
    check: expectStatus(201),
  },
  { name: 'GET /api/v1/intel/feeds', method: 'GET', path: () => '/api/v1/intel/feeds', allowed: READ, check: expectStatus(200) },
  { name: 'POST /api/v1/intel/feeds/:name/pull', method: 'POST', path: () => '/api/v1/intel/feeds/no-such-feed/pull', allowed: WRITE, check: expectStatus(404) },
  { name: 'GET /api/v1/intel/hunts', method: 'GET', path: () => '/api/v1/intel/hunts', allowed: READ, check: expectStatus(200) },
  { name: 'GET /api/v1/intel/hunts/:id', method: 'GET', path: () => '/api/v1/intel/hunts/hunt-none', allowed: READ, check: expectStatus(404) },
  {
    name: 'POST /api/v1/intel/hunts',
    method: 'POST',
    path: () => '/api/v1/intel/hunts',
    allowed: WRITE,
    body: () => ({ type: 'application/json', text: JSON.stringify({ indicators: ['ip:198.51.100.99'] }) }),
    check: expectStatus(202),
  },
  { name: 'GET /api/v1/watchlists', method: 'GET', path: () => '/api/v1/watchlists', allowed: READ, check: expectStatus(200) },
  { name: 'GET /api/v1/notify/channels', method: 'GET', path: () => '/api/v1/notify/channels', allowed: READ, check: expectStatus(200) },
  { name: 'POST /api/v1/notify/channels/:name/test', method: 'POST', path: () => '/api/v1/notify/channels/no-such-channel/test', allowed: ADMIN, check: expectStatus(404) },
  { name: 'GET /api/v1/notify/policies', method: 'GET', path: () => '/api/v1/notify/policies', allowed: READ, check: expectStatus(200) },
  {
    name: 'POST /api/v1/notify/policies',
    method: 'POST',
    path: () => '/api/v1/notify/policies',
    allowed: ADMIN,
    // No channel is configured in this server: the policy is refused for naming one, after the role check.
    body: () => ({ type: 'application/json', text: JSON.stringify({ name: 'probe', channels: ['none'] }) }),
    check: expectStatus(400),
  },
  { name: 'DELETE /api/v1/notify/policies/:name', method: 'DELETE', path: () => '/api/v1/notify/policies/no-such-policy', allowed: ADMIN, check: expectStatus(404) },
  { name: 'GET /api/v1/notify/deliveries', method: 'GET', path: () => '/api/v1/notify/deliveries', allowed: READ, check: expectStatus(200) },
  { name: 'GET /api/v1/notify/deliveries/:id', method: 'GET', path: () => '/api/v1/notify/deliveries/none', allowed: READ, check: expectStatus(404) },
  { name: 'POST /api/v1/notify/deliveries/:id/resend', method: 'POST', path: () => '/api/v1/notify/deliveries/none/resend', allowed: WRITE, check: expectStatus(404) },
  {
    name: 'GET /api/v1/attack/matrix',
    method: 'GET',
    path: () => '/api/v1/attack/matrix',
    allowed: READ,
    check: async (r) => {
      assert.equal(r.status, 200);
      const matrix = await json(r);
      assert.equal((matrix.tactics as Array<{ id: string }>)[0]!.id, 'TA0043');
    },
  },
  { name: 'GET /api/v1/changes/:id/explains', method: 'GET', path: () => '/api/v1/changes/CHG-999999/explains', allowed: READ, check: expectStatus(404) },
  {
    name: 'GET /api/v1/stream',
    method: 'GET',
    path: () => '/api/v1/stream',
    allowed: READ,
    check: async (r) => {
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /text\/event-stream/);
      await r.body?.cancel();
    },
  },
  { name: 'GET /api/v1/watchlists/:name', method: 'GET', path: () => '/api/v1/watchlists/no-such-list', allowed: READ, check: expectStatus(404) },
  {
    name: 'PUT /api/v1/watchlists/:name',
    method: 'PUT',
    path: () => '/api/v1/watchlists/probe-scanners',
    allowed: WRITE,
    body: () => ({ type: 'application/json', text: JSON.stringify({ kind: 'ip', entries: ['198.51.100.7'] }) }),
    check: async (r) => assert.ok(r.status === 201 || r.status === 200, String(r.status)),
  },
  { name: 'DELETE /api/v1/watchlists/:name', method: 'DELETE', path: () => '/api/v1/watchlists/no-such-list', allowed: WRITE, check: expectStatus(404) },
  {
    name: 'GET /api/v1/rules',
    method: 'GET',
    path: () => '/api/v1/rules',
    allowed: READ,
    check: async (r) => {
      assert.equal(r.status, 200);
      assert.ok(((await json(r)).items as unknown[]).length > 0);
    },
  },
  {
    name: 'GET /api/v1/tokens',
    method: 'GET',
    path: () => '/api/v1/tokens',
    allowed: ADMIN,
    check: async (r) => {
      assert.equal(r.status, 200);
      assert.ok(Array.isArray((await json(r)).items));
    },
  },
  {
    name: 'POST /api/v1/tokens',
    method: 'POST',
    path: () => '/api/v1/tokens',
    allowed: ADMIN,
    body: (who) => {
      const name = `made-by-${++probeCounter}-${who.replace(/[^a-z0-9]/gi, '')}`;
      tokenProbes.set(name, false);
      return { type: 'application/json', text: JSON.stringify({ role: 'viewer', name }) };
    },
    check: async (r) => {
      assert.equal(r.status, 201, await r.clone().text());
      const issued = (await r.json()) as Issued;
      secrets.push(issued.token);
      tokenProbes.set(issued.record.name, true);
      assert.equal(issued.record.role, 'viewer');
      assert.ok(!('hash' in issued.record), 'the record of a new token has no hash');
    },
  },
  {
    name: 'DELETE /api/v1/tokens/:id',
    method: 'DELETE',
    path: () => `/api/v1/tokens/${victim.record.id}`,
    allowed: ADMIN,
    check: async (r) => {
      assert.equal(r.status, 200, await r.clone().text());
      const record = await json(r);
      assert.equal(record.id, victim.record.id);
      assert.equal(typeof record.revoked_at, 'string');
    },
  },
];

/** Calls a route with exactly the given Authorization header (or none). */
async function call(route: Route, authorization: string | null, who: string, extraQuery = ''): Promise<Response> {
  const headers: Record<string, string> = {};
  if (authorization !== null) headers.authorization = authorization;
  let body: string | undefined;
  if (route.body) {
    const b = route.body(who);
    headers['content-type'] = b.type;
    body = b.text;
  }
  let path = route.path();
  if (extraQuery) path += (path.includes('?') ? '&' : '?') + extraQuery;
  return fetch(server.url + path, { method: route.method, headers, body });
}

async function assertUnauthorized(response: Response, what: string): Promise<void> {
  const text = await response.text();
  assert.equal(response.status, 401, `${what}: expected 401, got ${response.status}: ${text}`);
  const challenge = response.headers.get('www-authenticate');
  assert.ok(challenge, `${what}: a 401 carries WWW-Authenticate`);
  assert.match(challenge, /^Bearer\b/i, what);
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'unauthorized', what);
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 0);
}

async function assertForbidden(response: Response, what: string): Promise<void> {
  const text = await response.text();
  assert.equal(response.status, 403, `${what}: expected 403, got ${response.status}: ${text}`);
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'forbidden', what);
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 0);
}

async function assertPublic(response: Response): Promise<void> {
  assert.equal(response.status, 200, await response.clone().text());
  assert.equal(((await response.json()) as { status: string }).status, 'ok');
}

/** Whether a token still authenticates. */
const tokenWorks = async (token: string): Promise<boolean> =>
  (await fetch(`${server.url}/api/v1/whoami`, { headers: { authorization: `Bearer ${token}` } })).status === 200;

// ---------------------------------------------------------------------------------------------

describe('no token: 401 with WWW-Authenticate on every route but /healthz', () => {
  for (const route of ROUTES) {
    test(route.name, async () => {
      const response = await call(route, null, 'anon');
      if (route.allowed === null) return assertPublic(response);
      await assertUnauthorized(response, `${route.name} without a token`);
    });
  }

  test('a token in the query string does not count', async () => {
    const status = ROUTES.find((r) => r.name === 'GET /api/v1/status')!;
    for (const key of ['token', 'access_token']) {
      await assertUnauthorized(await call(status, null, 'anon', `${key}=${encodeURIComponent(server.token)}`), `?${key}=`);
    }
  });

  test('HEAD on GET routes checks the token too', async () => {
    for (const route of ROUTES.filter((r) => r.method === 'GET')) {
      const response = await fetch(server.url + route.path(), { method: 'HEAD' });
      if (route.allowed === null) assert.equal(response.status, 200, route.name);
      else {
        assert.equal(response.status, 401, `HEAD ${route.name}`);
        assert.ok(response.headers.get('www-authenticate'), `HEAD ${route.name}: WWW-Authenticate`);
      }
    }
  });
});

describe('malformed or unknown token: 401 on every route but /healthz', () => {
  const variants = (): Array<[string, string]> => [
    ['empty bearer', 'Bearer'],
    ['bearer and blanks', 'Bearer    '],
    ['not a vigil token', 'Bearer not-a-token'],
    ['unknown well-formed token', `Bearer vgl_${randomBytes(30).toString('base64url').slice(0, 40)}`],
    ['admin token with one character changed', `Bearer ${server.token.slice(0, -1)}${server.token.endsWith('A') ? 'B' : 'A'}`],
    ['admin token with a suffix', `Bearer ${server.token}x`],
    ['the stored hash of the admin token', `Bearer ${sha256(server.token)}`],
    ['the admin token as Basic credentials', `Basic ${Buffer.from(`admin:${server.token}`).toString('base64')}`],
    ['the admin token without a scheme', server.token],
    ['two tokens', `Bearer ${tokens.viewer.token} ${server.token}`],
    ['a 10,000-character token', `Bearer vgl_${'a'.repeat(10_000)}`],
  ];
  for (const route of ROUTES) {
    test(route.name, async () => {
      for (const [label, header] of variants()) {
        const response = await call(route, header, `bad-${label}`);
        if (route.allowed === null) await assertPublic(response);
        else await assertUnauthorized(response, `${route.name} with ${label}`);
      }
    });
  }
});

describe('revoked token: 401 on every route but /healthz', () => {
  let revoked: Issued;

  test('revoking a token by id takes effect within the token cache time', async () => {
    revoked = await createToken('admin', 'e2e-revoked-admin');
    assert.equal(await tokenWorks(revoked.token), true, 'the new token works (and is now cached)');
    const response = await server.api(`/api/v1/tokens/${revoked.record.id}`, { method: 'DELETE' });
    assert.equal(response.status, 200, await response.clone().text());
    const record = (await response.json()) as Issued['record'];
    assert.equal(typeof record.revoked_at, 'string');
    assert.ok(!('hash' in record));
    await waitFor(async () => ((await tokenWorks(revoked.token)) ? null : true), 7_000, 'the revoked token to be refused');
    const listed = (await (await server.api('/api/v1/tokens')).json()) as { items: Issued['record'][] };
    assert.equal(typeof listed.items.find((t) => t.id === revoked.record.id)?.revoked_at, 'string');
  });

  test('revoking a token by name works too; an unknown one is a 404', async () => {
    const byName = await createToken('analyst', 'e2e-revoke-by-name');
    assert.equal(await tokenWorks(byName.token), true);
    const response = await server.api('/api/v1/tokens/e2e-revoke-by-name', { method: 'DELETE' });
    assert.equal(response.status, 200, await response.clone().text());
    await waitFor(async () => ((await tokenWorks(byName.token)) ? null : true), 7_000, 'the token revoked by name to be refused');
    const missing = await server.api('/api/v1/tokens/tok_doesnotexist', { method: 'DELETE' });
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'not_found');
  });

  test('a token revoked by another process (`vigil token revoke` on the data folder) is refused within the 5 s cache time', async () => {
    const other = await createToken('ingest', 'e2e-revoked-by-cli');
    assert.equal(await tokenWorks(other.token), true, 'the token works (and is now cached by the server)');
    const env = { VIGIL_URL: '', VIGIL_TOKEN: '', VIGIL_DATA: '' };
    const cli = await vigil(['token', 'revoke', other.record.id, '--data', server.dataDir, '--json'], { env });
    assert.equal(cli.code, 0, `vigil token revoke: ${cli.stderr}`);
    const revokedAt = Date.now();
    assert.equal(typeof (JSON.parse(cli.stdout) as Issued['record']).revoked_at, 'string');
    await waitFor(async () => ((await tokenWorks(other.token)) ? null : true), 8_000, 'the token revoked through the CLI to be refused');
    assert.ok(Date.now() - revokedAt <= 6_000, `refused only after ${Date.now() - revokedAt} ms`);
    assert.ok(!cli.stdout.includes(other.token) && !cli.stderr.includes(other.token), 'the CLI does not print the secret');
  });

  for (const route of ROUTES) {
    test(route.name, async () => {
      assert.ok(revoked, 'the revocation test ran');
      const response = await call(route, `Bearer ${revoked.token}`, 'revoked');
      if (route.allowed === null) return assertPublic(response);
      await assertUnauthorized(response, `${route.name} with a revoked admin token`);
    });
  }
});

describe('roles: allowed → the route answers, not allowed → 403', () => {
  for (const route of ROUTES) {
    describe(route.name, () => {
      // admin last: its DELETE revokes the victim token that the others must fail to revoke.
      for (const role of ROLES) {
        const allowed = route.allowed === null || route.allowed.includes(role);
        test(`${role} → ${allowed ? 'allowed' : '403'}`, async () => {
          const response = await call(route, `Bearer ${tokens[role].token}`, role);
          if (route.allowed === null) return assertPublic(response);
          if (!allowed) {
            await assertForbidden(response, `${route.name} as ${role}`);
            if (route.method === 'DELETE') assert.equal(await tokenWorks(victim.token), true, `a refused DELETE as ${role} left the token valid`);
            return;
          }
          assert.notEqual(response.status, 401, `${route.name} as ${role}`);
          // The body is read only on failure: a stream's never ends.
          if (response.status === 403) assert.fail(`${route.name} as ${role}: 403 ${await response.text()}`);
          await route.check(response, role);
          if (route.name === 'POST /api/v1/events') ingestProbes.set(lastIngestProbe, true);
        });
      }
    });
  }

  test('only allowed calls had an effect: events stored, tokens created, tokens revoked', async () => {
    await server.settle();
    for (const [tag, expected] of ingestProbes) {
      const page = (await (await server.api(`/api/v1/events?q=${encodeURIComponent(`case:"${tag}"`)}`)).json()) as { items: unknown[] };
      assert.equal(page.items.length, expected ? 1 : 0, `ingest probe ${tag} ${expected ? 'stored' : 'refused, so not stored'}`);
    }
    assert.ok([...ingestProbes.values()].filter(Boolean).length === INGEST.length, 'one stored probe per ingest-capable role');
    const names = new Set(((await (await server.api('/api/v1/tokens')).json()) as { items: Issued['record'][] }).items.map((t) => t.name));
    for (const [name, expected] of tokenProbes) assert.equal(names.has(name), expected, `token ${name} ${expected ? 'created' : 'not created'}`);
    assert.equal([...tokenProbes.values()].filter(Boolean).length, 1, 'only admin created a token');
    assert.equal(await tokenWorks(victim.token), false, "admin's DELETE revoked the victim token");
  });
});

describe('token management', () => {
  test('POST /api/v1/tokens refuses an unknown role and a duplicate name', async () => {
    const post = (body: unknown) =>
      server.api('/api/v1/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const unknownRole = await post({ role: 'root', name: 'e2e-root' });
    assert.equal(unknownRole.status, 400);
    const error = ((await unknownRole.json()) as { error: { code: string; message: string; field?: string } }).error;
    assert.equal(typeof error.code, 'string');
    assert.equal(typeof error.message, 'string');
    const duplicate = await post({ role: 'viewer', name: 'e2e-viewer' });
    assert.equal(duplicate.status, 409);
  });

  test('GET /api/v1/tokens lists every token with its role, never a secret or a hash', async () => {
    const response = await server.api('/api/v1/tokens');
    assert.equal(response.status, 200);
    const text = await response.text();
    const { items } = JSON.parse(text) as { items: Array<Record<string, unknown>> };
    const allowedKeys = new Set(['id', 'name', 'role', 'created_at', 'last_used_at', 'revoked_at']);
    for (const item of items) {
      for (const key of Object.keys(item)) assert.ok(allowedKeys.has(key), `token record field '${key}'`);
    }
    for (const role of ROLES) {
      assert.equal(items.find((t) => t.id === tokens[role].record.id)?.role, role);
    }
    assert.equal(items.find((t) => t.name === 'admin')?.role, 'admin', 'the first-start admin token is listed');
    assert.doesNotMatch(text, /vgl_/, 'no secret in the listing');
    assert.doesNotMatch(text, /"hash"/);
    assert.doesNotMatch(text, /\b[0-9a-f]{64}\b/, 'nothing that looks like a SHA-256 hash');
    for (const secret of secrets) {
      assert.ok(!text.includes(secret), 'a secret in the listing');
      assert.ok(!text.includes(sha256(secret)), 'a hash in the listing');
    }
  });

  test('whoami never returns a secret or a hash', async () => {
    for (const role of ROLES) {
      const text = await (await server.api('/api/v1/whoami', { token: tokens[role].token })).text();
      assert.ok(!text.includes(tokens[role].token));
      assert.ok(!text.includes(sha256(tokens[role].token)));
      assert.doesNotMatch(text, /"hash"/);
    }
  });
});

describe('secrets at rest and in the output', () => {
  test('<data>/admin.token holds the admin token with mode 0600', () => {
    const file = join(server.dataDir, 'admin.token');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(readFileSync(file, 'utf8').trim(), server.token);
  });

  test('no secret is stored in clear in the data folder (only admin.token holds one)', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.isFile() && path !== join(server.dataDir, 'admin.token')) files.push(path);
      }
    };
    walk(server.dataDir);
    assert.ok(files.length > 0, 'the data folder has the store');
    for (const file of files) {
      const content = readFileSync(file).toString('latin1');
      for (const secret of secrets) assert.ok(!content.includes(secret), `a token secret in clear in ${file}`);
    }
  });

  test('the admin secret is printed exactly once (first-start notice); no other secret or hash ever', () => {
    const output = server.output();
    assert.equal(output.split(server.token).length - 1, 1, 'the admin token appears once in the output');
    assert.match(output, /admin\.token/, 'the notice names the token file');
    assert.equal(output.split('vgl_').length - 1, 1, 'no other token-like string in the output');
    for (const secret of secrets) {
      if (secret !== server.token) assert.ok(!output.includes(secret), 'a token secret in the server output');
      assert.ok(!output.includes(sha256(secret)), 'a token hash in the server output');
    }
  });
});

describe('coverage', () => {
  test('every route the server documents is in this matrix', async () => {
    const doc = (await (await server.api('/api/v1/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((m) => ['get', 'post', 'patch', 'put', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    // GitHub signs its deliveries instead of sending a token: test/changes.test.ts checks that route's signature.
    // Signed by the tools rather than by a token; their signature checks are tested with each integration.
    const covered = new Set([
      ...ROUTES.map((r) => r.name),
      'POST /api/v1/integrations/github',
      'POST /api/v1/integrations/slack/commands',
      'POST /api/v1/integrations/slack/interactions',
      'POST /api/v1/integrations/pagerduty/webhook',
      'POST /api/v1/integrations/jira/webhook',
    ]);
    const missing = documented.filter((name) => !covered.has(name));
    assert.deepEqual(missing, [], 'routes without an authorisation check in this test');
  });
});
