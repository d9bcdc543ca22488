import type { FastifyError, FastifyInstance } from 'fastify';
import { VigilError } from '../core/index.ts';

export interface ErrorBody {
  error: { code: string; message: string; field?: string; [detail: string]: unknown };
}

export const errorBody = (code: string, message: string, field?: string, details?: Record<string, unknown>): ErrorBody => ({
  error: { code, message, ...(field ? { field } : {}), ...(details ?? {}) },
});

/** One error mapper: every failure leaves as `{ error: { code, message, field? } }` with the right status. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError & { validation?: Array<{ instancePath: string; message?: string; params?: Record<string, unknown> }> }, request, reply) => {
    if (error instanceof VigilError) {
      if (error.status === 503 && typeof error.details?.retry_after === 'number') reply.header('retry-after', String(error.details.retry_after));
      return reply.status(error.status).send(errorBody(error.code, error.message, error.field, error.details));
    }
    if (error.validation && error.validation.length > 0) {
      const first = error.validation[0]!;
      const context = (error as { validationContext?: string }).validationContext ?? 'body';
      const missing = first.params?.missingProperty as string | undefined;
      const path = [context, ...first.instancePath.split('/').filter(Boolean), ...(missing ? [missing] : [])].join('.');
      return reply.status(400).send(errorBody('validation_failed', `${path}: ${first.message ?? 'invalid'}`, path));
    }
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.status(413).send(errorBody('payload_too_large', error.message, 'body'));
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.status(415).send(errorBody('unsupported_media_type', error.message, 'content-type'));
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return reply.status(400).send(errorBody('bad_request', error.message, 'body'));
    }
    if ((error as { code?: string }).code?.startsWith('Z_')) {
      return reply.status(400).send(errorBody('bad_encoding', `body could not be decompressed: ${error.message}`, 'content-encoding'));
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(error.statusCode).send(errorBody('bad_request', error.message));
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send(errorBody('internal', 'internal error'));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}
