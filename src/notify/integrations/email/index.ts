import nodemailer from 'nodemailer';
import type { NotifyMessage, ThreadRef } from '../../../core/index.ts';
import { DeliveryError, type Channel, type SendContext } from '../../channel.ts';
import { nonEmpty } from '../http.ts';
import { htmlBody, subject, textBody } from './render.ts';

/**
 * E-mail over SMTP (nodemailer). Every message carries a Message-ID made from its key, so a retry
 * of the same message is recognisably the same mail; later messages of an incident answer the
 * first one (In-Reply-To / References) so mail clients show them as one thread.
 */
export interface EmailChannelConfig {
  type: 'email';
  smtp: {
    host: string;
    port: number;
    /** Implicit TLS from the first byte (port 465). Defaults to true on port 465, false elsewhere. */
    secure?: boolean;
    user?: string;
    password?: string;
    /** true: refuse to send unless the server upgrades with STARTTLS; false: never upgrade; unset: upgrade when offered. */
    starttls?: boolean;
  };
  from: string;
  to: string[];
}


function validate(config: EmailChannelConfig, name: string): void {
  const fail = (field: string, why = 'is required'): never => {
    throw new Error(`notify channel ${name} (email): ${field} ${why}`);
  };
  if (!config || typeof config !== 'object') fail('config');
  if (!config.smtp || typeof config.smtp !== 'object') fail('smtp');
  if (!nonEmpty(config.smtp.host)) fail('smtp.host');
  if (config.smtp.port === undefined || config.smtp.port === null) fail('smtp.port');
  if (!Number.isInteger(config.smtp.port) || config.smtp.port < 1 || config.smtp.port > 65535) fail('smtp.port', 'must be a port number (1-65535)');
  if (config.smtp.password !== undefined && !nonEmpty(config.smtp.user)) fail('smtp.user', 'is required with smtp.password');
  if (config.smtp.user !== undefined && !nonEmpty(config.smtp.password)) fail('smtp.password', 'is required with smtp.user');
  if (!nonEmpty(config.from)) fail('from');
  if (!Array.isArray(config.to) || config.to.length === 0) fail('to', 'needs at least one address');
  if (!config.to.every(nonEmpty)) fail('to', 'must hold addresses only');
}

/**
 * `<key@vigil>`. Characters a Message-ID may not hold (RFC 5322 dot-atom-text) are percent-encoded,
 * and so are `%` and `.` so that two keys never give the same id.
 */
export function messageIdFor(key: string): string {
  const local = Array.from(new TextEncoder().encode(key), (byte) => {
    const c = String.fromCharCode(byte);
    return /[A-Za-z0-9!#$&'*+/=?^_`{|}~-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
  return `<${local}@vigil>`;
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

/** Errors that no retry fixes: bad credentials or configuration, a refused envelope without a reply code. */
const PERMANENT_CODES = new Set(['EAUTH', 'ENOAUTH', 'ECONFIG', 'EENVELOPE', 'EREQUIRETLS', 'EOAUTH2']);

function toDeliveryError(error: unknown, signal: AbortSignal): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const err = (error instanceof Error ? error : new Error(String(error))) as SmtpError;
  if (signal.aborted || err.code === 'EABORT' || err.name === 'AbortError') {
    return new DeliveryError(`email: send aborted (${err.message})`, true);
  }
  const code = typeof err.responseCode === 'number' ? err.responseCode : undefined;
  const detail = [err.code, err.command && `after ${err.command}`].filter(Boolean).join(' ');
  const message = `email: ${err.message}${detail ? ` [${detail}]` : ''}`;
  if (code !== undefined && code >= 400) {
    // RFC 5321: 4yz transient, 5yz permanent; 503 (bad sequence) is a session problem a new connection fixes.
    return new DeliveryError(message, code < 500 || code === 503, undefined, code);
  }
  return new DeliveryError(message, !PERMANENT_CODES.has(err.code ?? ''), undefined, code);
}

export function createEmailChannel(config: EmailChannelConfig, name: string): Channel {
  validate(config, name);
  const { smtp } = config;
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure ?? smtp.port === 465,
    requireTLS: smtp.starttls === true,
    ignoreTLS: smtp.starttls === false,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password } : undefined,
  });
  const to = [...config.to];

  return {
    name,
    type: 'email',
    async send(message: NotifyMessage, thread: ThreadRef | null, context: SendContext) {
      const messageId = messageIdFor(message.key);
      const first = typeof thread?.message_id === 'string' && thread.message_id !== '' ? thread.message_id : null;
      try {
        await transport.sendMail({
          from: config.from,
          to,
          subject: subject(message),
          text: textBody(message),
          html: htmlBody(message),
          messageId,
          date: context.now(),
          ...(first && first !== messageId ? { inReplyTo: first, references: [first] } : {}),
          headers: { 'X-Vigil-Event': message.event, ...(message.incident ? { 'X-Vigil-Incident': message.incident.id } : {}) },
          signal: context.signal,
        });
      } catch (error) {
        throw toDeliveryError(error, context.signal);
      }
      if (!message.incident) return {};
      return { thread: first ? { message_id: first } : { message_id: messageId } };
    },
  };
}
