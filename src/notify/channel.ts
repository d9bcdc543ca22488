import { parseRetryAfter } from '../lib/index.ts';
import type { NotifyMessage, ThreadRef } from '../core/index.ts';

/**
 * The contract every integration (src/notify/integrations/<name>/) fulfils: deliver one message,
 * given what an earlier message to the same incident left (a Slack ts, a Jira issue key), and say
 * what to keep for the next one. Failures throw DeliveryError so the outbox knows whether and
 * when to try again.
 */
export interface Channel {
  readonly name: string;
  readonly type: string;
  send(message: NotifyMessage, thread: ThreadRef | null, context: SendContext): Promise<{ thread?: ThreadRef }>;
}

export interface SendContext {
  fetch: typeof fetch;
  /** Wall clock (signatures carry a timestamp). */
  now: () => Date;
  /** Aborts a send that takes too long. */
  signal: AbortSignal;
}

export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    /** Worth trying again (network error, timeout, 429, 5xx); false for 4xx and bad configuration. */
    readonly retryable: boolean,
    /** The receiver's Retry-After, when it sent one. */
    readonly retryAfterMs?: number,
    readonly status?: number,
  ) {
    super(message);
  }
}


/** Turns an HTTP answer that is not a success into a DeliveryError (429 and 5xx retryable). */
export async function failure(response: Response, what: string): Promise<DeliveryError> {
  const body = (await response.text().catch(() => '')).slice(0, 300);
  const retryable = response.status === 429 || response.status >= 500 || response.status === 408;
  return new DeliveryError(`${what}: HTTP ${response.status}${body ? ` ${body}` : ''}`, retryable, parseRetryAfter(response.headers.get('retry-after')), response.status);
}
