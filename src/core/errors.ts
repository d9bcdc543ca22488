/** Errors that cross the API boundary carry a stable code, an HTTP status and, when known, the field at fault. */
export class VigilError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'VigilError';
  }
}

export const badRequest = (message: string, field?: string, details?: Record<string, unknown>) =>
  new VigilError('bad_request', message, 400, field, details);
export const notFound = (what: string) => new VigilError('not_found', `${what} not found`, 404);
export const unauthorized = (message = 'missing or invalid token') => new VigilError('unauthorized', message, 401);
export const forbidden = (message: string) => new VigilError('forbidden', message, 403);
export const conflict = (message: string) => new VigilError('conflict', message, 409);
export const overloaded = (retryAfterSeconds: number) =>
  new VigilError('overloaded', 'ingest queue is full, retry later', 503, undefined, { retry_after: retryAfterSeconds });
