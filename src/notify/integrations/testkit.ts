/**
 * Test support for the channel tests (`<name>/<name>.test.ts`), not shipped behaviour: nothing
 * outside a test imports it. It gives a real HTTP server on 127.0.0.1:0 that records every request
 * and answers it (from a function or from a queue of replies, or never), a SendContext, a sample
 * NotifyIncident / NotifyMessage with plain defaults, and `rejection` for sends expected to fail.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NotifyIncident, NotifyMessage } from '../../core/index.ts';
import { DeliveryError, type SendContext } from '../channel.ts';

/** A request the test server received. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The raw body. */
  body: string;
  /** The body parsed as JSON; `{}` when it is not JSON (the test then looks at body). */
  json: Record<string, unknown>;
}

/** A scripted answer: the status, headers and body (JSON unless a string); `hang` never answers. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Never answer. */
  hang?: boolean;
}

/** Answers (or not) the `n`th request (from 1). */
export type Responder = (req: SeenRequest, res: ServerResponse, n: number) => void;

export interface TestServer {
  /** `http://127.0.0.1:<port>`. */
  base: string;
  requests: SeenRequest[];
  /** The queue the default responder answers from, first in first out. */
  replies: Reply[];
  /** Forgets the requests and the queued replies. */
  reset(): void;
  close(): Promise<void>;
}

/** What the default responder answers when no reply is queued. */
const NO_REPLY: Reply = { status: 599, body: { error: 'no reply queued' } };

const open = new Set<TestServer>();

/** Writes a scripted reply (a JSON content type when there is a body); a hanging one writes nothing. */
export function writeReply(res: ServerResponse, reply: Reply): void {
  if (reply.hang) return;
  const body = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  res.writeHead(reply.status, { ...(body ? { 'content-type': 'application/json' } : {}), ...reply.headers });
  res.end(body);
}

/** Answers `body` as JSON (`application/json; charset=utf-8`, like Slack's Web API). */
export function sendJson(res: ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}

/**
 * Starts a server that records every request and answers it with `respond`, by default with the
 * next reply queued in `replies`. closeServers() (in an `after` hook) closes every one still open.
 */
export async function serve(respond?: Responder): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const replies: Reply[] = [];
  const answer: Responder = respond ?? ((_req, res) => writeReply(res, replies.shift() ?? NO_REPLY));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        // not JSON: left empty, the test looks at body
      }
      const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, json };
      requests.push(seen);
      answer(seen, res, requests.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const test: TestServer = {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    replies,
    reset() {
      requests.length = 0;
      replies.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        open.delete(test);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  open.add(test);
  return test;
}

/** Closes every server serve() started that is still open (hung requests included). */
export async function closeServers(): Promise<void> {
  await Promise.all([...open].map((server) => server.close()));
}

/** The wall clock of test sends. */
export const SEND_NOW = new Date('2024-05-01T12:00:00.000Z');

/**
 * A SendContext with the real fetch: `limit` is a timeout in ms after which the send aborts, or
 * the AbortSignal to use.
 */
export function context(limit: number | AbortSignal = 2000, now: Date = SEND_NOW): SendContext {
  return { fetch, now: () => now, signal: typeof limit === 'number' ? AbortSignal.timeout(limit) : limit };
}

/** A P1 incident INC-42 on db-1 / web-2 (url follows the id); `overrides` replaces any field. */
export function makeIncident(overrides: Partial<NotifyIncident> = {}): NotifyIncident {
  const id = overrides.id ?? 'INC-42';
  return {
    id,
    title: 'Brute force then login on db-1',
    status: 'new',
    priority: 'P1',
    severity: 'high',
    score: 91,
    summary: 'critical asset db-1, lateral movement',
    assignee: null,
    services: ['payments'],
    hosts: ['db-1', 'web-2'],
    users: ['alice'],
    alert_count: 3,
    kill_chain: ['initial-access', 'lateral-movement'],
    change: null,
    detected_at: '2024-05-01T11:58:00.000Z',
    url: `https://vigil.example.com/incidents/${id}`,
    ...overrides,
  };
}

/** The `opened` message (key k-1) of makeIncident(); `overrides` replaces any field. */
export function makeMessage(overrides: Partial<NotifyMessage> = {}): NotifyMessage {
  return {
    key: 'k-1',
    event: 'opened',
    text: 'INC-42 opened: Brute force then login on db-1',
    incident: makeIncident(),
    at: '2024-05-01T11:59:30.000Z',
    ...overrides,
  };
}

/**
 * message(event, text, changes) about `incident` at `at`, keyed `k-<event>`: the incident with
 * `changes` applied, or none when `changes` is null.
 */
export function messagesAbout(incident: NotifyIncident, at: string) {
  return (event: NotifyMessage['event'], text: string, changes: Partial<NotifyIncident> | null = {}): NotifyMessage =>
    makeMessage({ key: `k-${event}`, event, text, incident: changes === null ? null : { ...incident, ...changes }, at });
}

/** The DeliveryError a send fails with; fails the test when it succeeds or throws anything else. */
/** Asserts `req` is Vigil's JSON POST to `url` (method, path and query, content type, user agent) and returns it. */
export function assertJsonPost(req: SeenRequest | undefined, url: string): SeenRequest {
  assert.ok(req, `a request to ${url}`);
  assert.equal(req.method, 'POST');
  assert.equal(req.url, url);
  assert.equal(req.headers['content-type'], 'application/json');
  assert.equal(req.headers['user-agent'], 'vigil-notify/1');
  return req;
}

export async function rejection(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DeliveryError, `expected a DeliveryError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the send to fail');
}
