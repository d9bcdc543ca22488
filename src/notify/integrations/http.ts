import { DeliveryError, failure, type SendContext } from '../channel.ts';

/**
 * What the HTTP channels share: checking their configuration (required fields, URLs) and sending
 * a request with the send's abort signal so that every way it can fail becomes a DeliveryError
 * (network error or abort: retryable; an answer other than 2xx: see failure()).
 */

export const USER_AGENT = 'vigil-notify/1';

/** The headers of a plain JSON POST to a webhook. */
export const JSON_HEADERS: Readonly<Record<string, string>> = { 'Content-Type': 'application/json', 'User-Agent': USER_AGENT };

/** `<type> channel "<name>"`: how errors name a chat / webhook channel. */
export function channelWhere(type: string, name: string): string {
  return `${type} channel "${name}"`;
}

/**
 * The first checks of a chat / webhook channel's config: an object whose `type`, if set, is
 * `type`. Returns it as a plain record for the field checks below.
 */
export function configRecord(config: unknown, type: string, where: string): Record<string, unknown> {
  if (typeof config !== 'object' || config === null) throw new Error(`${where}: config must be an object`);
  const raw = config as Record<string, unknown>;
  if (raw.type !== undefined && raw.type !== type) throw new Error(`${where}: type must be "${type}"`);
  return raw;
}

/** `fail(field, why)` throws `notify channel <name> (<type>): <field> <why>` (the ticketing channels' wording). */
export function fieldFailure(name: string, type: string): (field: string, why?: string) => never {
  return (field, why = 'is required') => {
    throw new Error(`notify channel ${name} (${type}): ${field} ${why}`);
  };
}

export const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** `value` (the config field `field`) when it is a non-empty string; else throws `<where>: <field> <why>`. */
export function nonEmptyString(value: unknown, field: string, where: string, why = 'must be a non-empty string'): string {
  if (!nonEmpty(value)) throw new Error(`${where}: ${field} ${why}`);
  return value;
}

/** `config[field]`, which must be a non-empty string (`<where>: <field> is required`). */
export function requireString(config: Record<string, unknown>, field: string, where: string): string {
  return nonEmptyString(config[field], field, where, 'is required');
}

/** `config[field]` when set, which must then be a non-empty string; undefined when unset. */
export function optionalString(config: Record<string, unknown>, field: string, where: string): string | undefined {
  const value = config[field];
  return value === undefined ? undefined : nonEmptyString(value, field, where);
}

/** `value` (the config field `field`) when it is an absolute http(s) URL; else throws naming the field. */
export function checkHttpUrl(value: string, field: string, where: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${where}: ${field} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${where}: ${field} must be an http(s) URL`);
  return value;
}

/** `config[field]`, which must be set (`is required`) and an http(s) URL. */
export function requireHttpUrl(config: Record<string, unknown>, field: string, where: string): string {
  return checkHttpUrl(requireString(config, field, where), field, where);
}

/**
 * Whether a URL may carry credentials: https, or plain http to this machine only (a test server,
 * a local proxy). For the channels that send a password or API token with every request.
 */
export function isCredentialSafeUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === 'https:' || (url.protocol === 'http:' && /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i.test(url.hostname));
}

/** The headers of a JSON API with HTTP Basic authentication. */
export function basicAuthHeaders(user: string, secret: string): { Authorization: string; Accept: string; 'Content-Type': string } {
  return {
    Authorization: `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`,
    Accept: 'application/json',
    'Content-Type': 'application/json',
  };
}

/** An error's message, with its cause's (fetch hides the network error there). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}

/**
 * POSTs `body` (JSON text) and returns the answer's text. An answer other than 2xx becomes
 * failure(response, what); a network error or an abort (`<what>: no answer in time (aborted)`)
 * a retryable DeliveryError.
 */
export async function postJson(context: SendContext, url: string, body: string, headers: Readonly<Record<string, string>>, what: string): Promise<string> {
  try {
    const response = await context.fetch(url, { method: 'POST', headers, body, signal: context.signal });
    if (!response.ok) throw await failure(response, what);
    return await response.text();
  } catch (error) {
    if (error instanceof DeliveryError) throw error;
    if (context.signal.aborted) throw new DeliveryError(`${what}: no answer in time (aborted)`, true);
    throw new DeliveryError(`${what}: ${describeError(error)}`, true);
  }
}

const reasonOf = (error: unknown, context: SendContext): string => (context.signal.aborted ? 'aborted' : error instanceof Error ? error.message : String(error));

export interface ApiRequest {
  method: string;
  headers: Readonly<Record<string, string>>;
  body?: string;
}

/**
 * Sends one request of a REST API and returns the 2xx answer, unread. A network error or an abort
 * becomes a retryable `<what>: <reason>` DeliveryError, another answer failure(response, what).
 */
export async function apiRequest(context: SendContext, url: string, request: ApiRequest, what: string): Promise<Response> {
  let response: Response;
  try {
    response = await context.fetch(url, { ...request, signal: context.signal });
  } catch (error) {
    throw new DeliveryError(`${what}: ${reasonOf(error, context)}`, true);
  }
  if (!response.ok) throw await failure(response, what);
  return response;
}

/** The JSON body of an answer; an unreadable one is a DeliveryError (retryable only when aborted). */
export async function readJson<T>(response: Response, context: SendContext, what: string): Promise<T> {
  try {
    return (await response.json()) as T;
  } catch (error) {
    throw new DeliveryError(`${what}: unreadable answer (${reasonOf(error, context)})`, context.signal.aborted, undefined, response.status);
  }
}
