import { backoffDelay, parseRetryAfter } from '../../lib/index.ts';

export { parseRetryAfter };

/**
 * Pulling threat-intel feeds: plain HTTP(S) downloads with conditional requests, and TAXII 2.1
 * collections with paging. Nothing here parses indicator formats: the caller gets the raw body
 * (or the STIX objects of a TAXII envelope) and hands it to the STIX / MISP / CSV / lines importers.
 */

export interface FeedConfig {
  name: string;
  kind: 'http' | 'taxii';
  /** http: the feed's URL. taxii: the API root, e.g. `https://host/api1/`. */
  url: string;
  /** How the caller should parse what is pulled (not used here). */
  format?: 'stix' | 'misp' | 'csv' | 'lines';
  interval_ms: number;
  /** Extra request headers; an `Authorization` header here wins over username/password and api_key. */
  headers?: Record<string, string>;
  /** taxii: the collection id. */
  collection?: string;
  /** Basic auth (also taken from `user:pass@` in the URL, which is never sent as part of the URL). */
  username?: string;
  password?: string;
  /** Sent as `Authorization: Bearer <key>` (format 'misp': `Authorization: <key>`, MISP's convention), unless Basic auth or an explicit Authorization header is configured. */
  api_key?: string;
  /** taxii: objects per page (`limit`), default 1000. */
  page_size?: number;
  /** Per request, default 30 s. */
  timeout_ms?: number;
  /** Largest accepted response body (per request / TAXII page), default 256 MiB. */
  max_body_bytes?: number;
}

/** What the caller persists between pulls of one feed. */
export interface FeedCursor {
  etag: string | null;
  last_modified: string | null;
  /** taxii: the `X-TAXII-Date-Added-Last` of the latest pull. */
  added_after: string | null;
}

export const EMPTY_FEED_CURSOR: FeedCursor = Object.freeze({ etag: null, last_modified: null, added_after: null }) as FeedCursor;

export const DEFAULT_FEED_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_FEED_BYTES = 256 * 1024 * 1024;
export const DEFAULT_TAXII_PAGE_SIZE = 1000;
/** Upper bound on pages per TAXII pull (a server that never stops saying `more` cannot loop us forever). */
export const TAXII_MAX_PAGES = 10_000;
export const TAXII_ACCEPT = 'application/taxii+json;version=2.1';

/** A pull that failed: HTTP status when the server answered, and how long it asked us to wait. */
export class FeedError extends Error {
  status?: number;
  retryAfterMs?: number;

  constructor(message: string, options: { status?: number; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FeedError';
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

type FetchLike = typeof fetch;

// ---------------------------------------------------------------------------------------------
// Credentials and redaction

const SECRET_PARAM = /key|token|secret|pass|auth|sig|session|cred/i;
const SECRET_HEADER = /authorization|key|token|secret|cookie|pass|auth/i;

/** The feed URL as shown to people: no `user:pass@`, secret-looking query parameters replaced. */
export function redactFeedUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<invalid url>';
  }
  parsed.username = '';
  parsed.password = '';
  for (const name of [...new Set(parsed.searchParams.keys())]) {
    if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, 'REDACTED');
  }
  return parsed.toString();
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Every secret string a feed's configuration holds, longest first (so replacement does not leave pieces). */
function secretsOf(feed: FeedConfig): string[] {
  const out = new Set<string>();
  const add = (value: string | undefined | null) => {
    if (value && value.length >= 3) out.add(value);
  };
  add(feed.password);
  add(feed.api_key);
  if (feed.username && feed.password) add(Buffer.from(`${feed.username}:${feed.password}`).toString('base64'));
  try {
    const parsed = new URL(feed.url);
    add(parsed.password);
    add(safeDecode(parsed.password));
    if (parsed.username || parsed.password) {
      add(Buffer.from(`${safeDecode(parsed.username)}:${safeDecode(parsed.password)}`).toString('base64'));
    }
    for (const [name, value] of parsed.searchParams) if (SECRET_PARAM.test(name)) add(value);
  } catch {
    // an invalid URL fails the pull before anything is sent
  }
  for (const [name, value] of Object.entries(feed.headers ?? {})) {
    if (SECRET_HEADER.test(name)) {
      add(value);
      const space = value.indexOf(' ');
      if (space > 0) add(value.slice(space + 1));
    }
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/** Removes a feed's credentials (and any `user:pass@` of a URL) from a text meant for logs or the API. */
export function scrubFeedSecrets(text: string, feed: FeedConfig): string {
  let out = text.replace(/(\/\/)[^/\s@]*@/g, '$1');
  for (const secret of secretsOf(feed)) out = out.split(secret).join('***');
  return out;
}

/** The URL to request (credentials removed) and the headers with auth applied. */
function prepareRequest(feed: FeedConfig, url: string, accept?: string): { url: URL; headers: Headers } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FeedError(`feed '${feed.name}': invalid url`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new FeedError(`feed '${feed.name}': unsupported url scheme '${parsed.protocol}'`);
  }
  const urlUser = safeDecode(parsed.username);
  const urlPass = safeDecode(parsed.password);
  parsed.username = '';
  parsed.password = '';

  const headers = new Headers();
  headers.set('user-agent', 'vigil-intel-feeds/1');
  if (accept) headers.set('accept', accept);
  const username = feed.username ?? (urlUser || undefined);
  const password = feed.password ?? (urlUser || urlPass ? urlPass : undefined);
  if (username !== undefined || password !== undefined) {
    headers.set('authorization', `Basic ${Buffer.from(`${username ?? ''}:${password ?? ''}`).toString('base64')}`);
  } else if (feed.api_key) {
    headers.set('authorization', feed.format === 'misp' ? feed.api_key : `Bearer ${feed.api_key}`);
  }
  for (const [name, value] of Object.entries(feed.headers ?? {})) headers.set(name, value);
  return { url: parsed, headers };
}

// ---------------------------------------------------------------------------------------------
// Responses


/** The body as text, refusing more than `limit` bytes (checked on Content-Length and while reading). */
async function readLimited(response: Response, limit: number, feed: FeedConfig, where: string): Promise<string> {
  const tooLarge = () => new FeedError(`feed '${feed.name}': response from ${where} is larger than the limit of ${limit} bytes`);
  const declared = Number(response.headers.get('content-length'));
  if (response.headers.has('content-length') && Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks, total));
}

/** A short, secret-free reason from an error response body (TAXII error envelope title/description, or the text). */
async function errorReason(response: Response, feed: FeedConfig): Promise<string> {
  let text = '';
  try {
    const reader = response.body?.getReader();
    if (reader) {
      const chunks: Uint8Array[] = [];
      let total = 0;
      while (total < 4096) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        total += value.byteLength;
      }
      await reader.cancel().catch(() => undefined);
      text = new TextDecoder('utf-8').decode(Buffer.concat(chunks, total).subarray(0, 4096));
    }
  } catch {
    return '';
  }
  let reason = text;
  try {
    const parsed = JSON.parse(text) as { title?: unknown; description?: unknown };
    if (parsed && typeof parsed === 'object' && typeof parsed.title === 'string') {
      reason = typeof parsed.description === 'string' ? `${parsed.title}: ${parsed.description}` : parsed.title;
    }
  } catch {
    // not JSON: the text itself
  }
  reason = scrubFeedSecrets(reason.replace(/\s+/g, ' ').trim(), feed);
  return reason.length > 200 ? `${reason.slice(0, 200)}…` : reason;
}

async function statusError(response: Response, feed: FeedConfig, where: string): Promise<FeedError> {
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  const reason = await errorReason(response, feed);
  const text = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  return new FeedError(`feed '${feed.name}': ${text} from ${where}${reason ? `: ${reason}` : ''}`, { status: response.status, retryAfterMs });
}

/** Turns fetch / abort / stream errors into a FeedError without credentials. */
function transportError(error: unknown, feed: FeedConfig, where: string, timeoutMs: number): FeedError {
  if (error instanceof FeedError) return error;
  const name = (error as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new FeedError(`feed '${feed.name}': request to ${where} timed out after ${timeoutMs} ms`);
  }
  const cause = (error as { cause?: { message?: string; code?: string } } | null)?.cause;
  const detail = cause?.message ?? cause?.code ?? (error instanceof Error ? error.message : String(error));
  return new FeedError(`feed '${feed.name}': request to ${where} failed: ${scrubFeedSecrets(detail, feed)}`);
}

// ---------------------------------------------------------------------------------------------
// HTTP feeds

/**
 * One conditional GET of an HTTP feed: `If-None-Match` / `If-Modified-Since` from the cursor;
 * 304 is `not_modified`, 2xx gives the body and the new cursor; anything else throws FeedError.
 */
export async function pullHttpFeed(
  feed: FeedConfig,
  cursor: FeedCursor,
  fetchImpl: FetchLike = fetch,
): Promise<{ status: 'not_modified' } | { status: 'updated'; body: string; cursor: FeedCursor }> {
  const { url, headers } = prepareRequest(feed, feed.url);
  if (cursor.etag) headers.set('if-none-match', cursor.etag);
  if (cursor.last_modified) headers.set('if-modified-since', cursor.last_modified);
  const where = redactFeedUrl(url.toString());
  const timeoutMs = feed.timeout_ms ?? DEFAULT_FEED_TIMEOUT_MS;
  try {
    const response = await fetchImpl(url, { method: 'GET', headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    if (response.status === 304) {
      await response.body?.cancel().catch(() => undefined);
      return { status: 'not_modified' };
    }
    if (!response.ok) throw await statusError(response, feed, where);
    const body = await readLimited(response, feed.max_body_bytes ?? DEFAULT_MAX_FEED_BYTES, feed, where);
    return {
      status: 'updated',
      body,
      cursor: {
        etag: response.headers.get('etag'),
        last_modified: response.headers.get('last-modified'),
        added_after: cursor.added_after,
      },
    };
  } catch (error) {
    throw transportError(error, feed, where, timeoutMs);
  }
}

// ---------------------------------------------------------------------------------------------
// TAXII 2.1

interface TaxiiEnvelope {
  more?: boolean;
  next?: string;
  objects?: unknown[];
}

/** `{api_root}/collections/{id}/objects/`. */
export function taxiiObjectsUrl(apiRoot: string, collection: string): string {
  const root = apiRoot.endsWith('/') ? apiRoot : `${apiRoot}/`;
  return new URL(`collections/${encodeURIComponent(collection)}/objects/`, root).toString();
}

/**
 * All objects added to a TAXII 2.1 collection since `cursor.added_after`, following `more`/`next`
 * paging. The new cursor's `added_after` is the `X-TAXII-Date-Added-Last` of the last page (or of
 * the latest page that had one; else the old value). `more` is true when the pull stopped while the
 * server still had more (page cap, or a `next` that repeats): the next pull continues from the cursor.
 */
export async function pullTaxiiCollection(
  feed: FeedConfig,
  cursor: FeedCursor,
  fetchImpl: FetchLike = fetch,
): Promise<{ objects: unknown[]; cursor: FeedCursor; pages: number; more: boolean }> {
  if (!feed.collection) throw new FeedError(`feed '${feed.name}': a taxii feed needs a collection id`);
  let objectsUrl: string;
  try {
    objectsUrl = taxiiObjectsUrl(feed.url, feed.collection);
  } catch {
    throw new FeedError(`feed '${feed.name}': invalid url`);
  }
  const pageSize = feed.page_size ?? DEFAULT_TAXII_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new FeedError(`feed '${feed.name}': page_size must be a positive integer`);
  const timeoutMs = feed.timeout_ms ?? DEFAULT_FEED_TIMEOUT_MS;
  const limit = feed.max_body_bytes ?? DEFAULT_MAX_FEED_BYTES;

  const objects: unknown[] = [];
  const seenNext = new Set<string>();
  let next: string | undefined;
  let addedAfter = cursor.added_after;
  let dateAddedLast: string | null = null;
  let pages = 0;
  let more = false;

  for (;;) {
    const { url, headers } = prepareRequest(feed, objectsUrl, TAXII_ACCEPT);
    if (addedAfter) url.searchParams.set('added_after', addedAfter);
    url.searchParams.set('limit', String(pageSize));
    if (next !== undefined) url.searchParams.set('next', next);
    const where = redactFeedUrl(url.toString());

    let envelope: TaxiiEnvelope;
    let pageDateAddedLast: string | null;
    try {
      const response = await fetchImpl(url, { method: 'GET', headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
      if (!response.ok) throw await statusError(response, feed, where);
      const contentType = response.headers.get('content-type') ?? '';
      if (!contentType.trim().toLowerCase().startsWith('application/taxii+json')) {
        await response.body?.cancel().catch(() => undefined);
        throw new FeedError(`feed '${feed.name}': ${where} answered with content type '${contentType || '(none)'}', expected application/taxii+json`, {
          status: response.status,
        });
      }
      pageDateAddedLast = response.headers.get('x-taxii-date-added-last');
      const text = await readLimited(response, limit, feed, where);
      envelope = parseEnvelope(text, feed, where);
    } catch (error) {
      throw transportError(error, feed, where, timeoutMs);
    }

    pages++;
    for (const object of envelope.objects ?? []) objects.push(object);
    if (pageDateAddedLast) dateAddedLast = pageDateAddedLast;

    if (envelope.more !== true) break;
    more = true;
    if (pages >= TAXII_MAX_PAGES) break;
    if (typeof envelope.next === 'string' && envelope.next !== '') {
      if (seenNext.has(envelope.next)) break;
      seenNext.add(envelope.next);
      next = envelope.next;
    } else if (pageDateAddedLast && pageDateAddedLast !== addedAfter) {
      // `more` without `next`: TAXII 2.1 also allows paging on added_after
      addedAfter = pageDateAddedLast;
    } else {
      break;
    }
    more = false;
  }

  return {
    objects,
    cursor: { etag: cursor.etag, last_modified: cursor.last_modified, added_after: dateAddedLast ?? cursor.added_after },
    pages,
    more,
  };
}

function parseEnvelope(text: string, feed: FeedConfig, where: string): TaxiiEnvelope {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new FeedError(`feed '${feed.name}': ${where} answered with invalid JSON`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new FeedError(`feed '${feed.name}': ${where} answered with something other than a TAXII envelope`);
  }
  const envelope = parsed as TaxiiEnvelope;
  if (envelope.objects !== undefined && !Array.isArray(envelope.objects)) {
    throw new FeedError(`feed '${feed.name}': ${where} answered with an envelope whose 'objects' is not an array`);
  }
  return envelope;
}

// ---------------------------------------------------------------------------------------------
// Scheduler

export interface FeedStatus {
  name: string;
  kind: 'http' | 'taxii';
  /** Without credentials or secret query parameters. */
  url: string;
  last_attempt: string | null;
  last_success: string | null;
  last_error: string | null;
  consecutive_failures: number;
  next_pull: string | null;
  /** What the latest successful pull reported; null before the first. */
  last_indicators: number | null;
  not_modified_count: number;
  pulling: boolean;
}

export interface FeedSchedulerOptions {
  feeds: FeedConfig[];
  /** Pulls, parses and stores one feed; throws (ideally a FeedError) when the pull failed. */
  pull: (feed: FeedConfig) => Promise<{ indicators: number; notModified: boolean }>;
  now?: () => number;
  random?: () => number;
  /** Cap on the retry delay after failures (also capped at the feed's interval); default 1 h. */
  maxBackoffMs?: number;
  /** First retry delay ceiling; doubles per consecutive failure. Default 5 s. */
  baseBackoffMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

interface FeedState {
  feed: FeedConfig;
  lastAttempt: number | null;
  lastSuccess: number | null;
  lastError: string | null;
  failures: number;
  nextPull: number | null;
  lastIndicators: number | null;
  notModified: number;
  running: Promise<void> | null;
  timer: unknown;
  timerToken: object | null;
}

/** setTimeout's largest delay; longer waits are chained. */
const MAX_TIMER_MS = 2_147_483_647;
/** A server's Retry-After is honoured up to max(interval, this). */
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/**
 * Pulls every feed at start, then every `interval_ms` after each successful pull; after a failure,
 * retries with capped exponential backoff with jitter (at least the server's Retry-After) until a
 * pull succeeds. One pull per feed at a time.
 */
export class FeedScheduler {
  private readonly states = new Map<string, FeedState>();
  private readonly pullFn: FeedSchedulerOptions['pull'];
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly maxBackoffMs: number;
  private readonly baseBackoffMs: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private active = false;

  constructor(options: FeedSchedulerOptions) {
    this.pullFn = options.pull;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.maxBackoffMs = options.maxBackoffMs ?? 3_600_000;
    this.baseBackoffMs = options.baseBackoffMs ?? 5000;
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
    for (const feed of options.feeds) {
      if (this.states.has(feed.name)) throw new Error(`feed '${feed.name}' is configured twice`);
      if (!Number.isFinite(feed.interval_ms) || feed.interval_ms <= 0) {
        throw new Error(`feed '${feed.name}': interval_ms must be a positive number`);
      }
      this.states.set(feed.name, {
        feed,
        lastAttempt: null,
        lastSuccess: null,
        lastError: null,
        failures: 0,
        nextPull: null,
        lastIndicators: null,
        notModified: 0,
        running: null,
        timer: null,
        timerToken: null,
      });
    }
  }

  /** Schedules every feed for an immediate pull; idempotent. */
  start(): void {
    if (this.active) return;
    this.active = true;
    for (const state of this.states.values()) {
      if (!state.running) this.schedule(state, 0);
    }
  }

  /** Clears the timers and waits for pulls in progress. */
  async stop(): Promise<void> {
    this.active = false;
    for (const state of this.states.values()) {
      this.cancelTimer(state);
      state.nextPull = null;
    }
    await Promise.all([...this.states.values()].map((state) => state.running));
  }

  status(): FeedStatus[] {
    return [...this.states.values()].map((state) => this.statusOf(state));
  }

  /** Pulls one feed now (joining a pull already running) and returns its status afterwards; a failure is in `last_error`. */
  async pullNow(name: string): Promise<FeedStatus> {
    const state = this.states.get(name);
    if (!state) throw new Error(`unknown feed '${name}'`);
    await this.run(state);
    return this.statusOf(state);
  }

  private statusOf(state: FeedState): FeedStatus {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      name: state.feed.name,
      kind: state.feed.kind,
      url: redactFeedUrl(state.feed.url),
      last_attempt: iso(state.lastAttempt),
      last_success: iso(state.lastSuccess),
      last_error: state.lastError,
      consecutive_failures: state.failures,
      next_pull: iso(state.nextPull),
      last_indicators: state.lastIndicators,
      not_modified_count: state.notModified,
      pulling: state.running !== null,
    };
  }

  private run(state: FeedState): Promise<void> {
    if (state.running) return state.running;
    this.cancelTimer(state);
    state.nextPull = null;
    state.lastAttempt = this.now();
    // started on a later microtask, so `state.running` is set before the pull can finish
    const pulling = Promise.resolve().then(async () => {
      let delay: number;
      try {
        const result = await this.pullFn(state.feed);
        state.failures = 0;
        state.lastError = null;
        state.lastSuccess = this.now();
        state.lastIndicators = typeof result?.indicators === 'number' ? result.indicators : 0;
        if (result?.notModified) state.notModified++;
        delay = state.feed.interval_ms;
      } catch (error) {
        state.failures++;
        state.lastError = scrubFeedSecrets(error instanceof Error ? error.message : String(error), state.feed);
        delay = this.retryDelay(state, error);
      }
      state.running = null;
      if (this.active) this.schedule(state, delay);
    });
    state.running = pulling;
    return pulling;
  }

  /** Full-jitter exponential backoff, at least the server's Retry-After. */
  private retryDelay(state: FeedState, error: unknown): number {
    const cap = Math.min(state.feed.interval_ms, this.maxBackoffMs);
    const floor = Math.min(this.baseBackoffMs / 4, 1000, cap);
    let delay = Math.max(floor, backoffDelay(state.failures - 1, this.baseBackoffMs, cap, this.random));
    const retryAfter = error instanceof FeedError ? error.retryAfterMs : undefined;
    if (retryAfter !== undefined && Number.isFinite(retryAfter)) {
      delay = Math.max(delay, Math.min(retryAfter, Math.max(state.feed.interval_ms, MAX_RETRY_AFTER_MS)));
    }
    return delay;
  }

  private schedule(state: FeedState, delayMs: number): void {
    this.cancelTimer(state);
    const delay = Math.max(0, Math.round(delayMs));
    state.nextPull = this.now() + delay;
    this.arm(state, delay);
  }

  private arm(state: FeedState, remaining: number): void {
    const step = Math.min(remaining, MAX_TIMER_MS);
    const token = {};
    state.timerToken = token;
    const handle = this.setTimer(() => {
      if (state.timerToken !== token) return;
      state.timerToken = null;
      state.timer = null;
      if (!this.active) return;
      if (remaining > step) this.arm(state, remaining - step);
      else void this.run(state);
    }, step);
    (handle as { unref?: () => unknown } | null)?.unref?.();
    if (state.timerToken === token) state.timer = handle;
  }

  private cancelTimer(state: FeedState): void {
    if (state.timer !== null && state.timer !== undefined) this.clearTimer(state.timer);
    state.timer = null;
    state.timerToken = null;
  }
}
