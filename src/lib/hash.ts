import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

export const hmacSha256Hex = (secret: string | Buffer, data: string | Buffer): string =>
  createHmac('sha256', secret).update(data).digest('hex');

/** Constant-time comparison of two strings (false when lengths differ). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/**
 * Whether `hex` is the HMAC-SHA256 of the parts (in order) with the secret, compared in constant
 * time. Only exactly 64 hex digits count: Node's hex decoder silently drops an odd trailing nibble.
 * An empty secret never matches (anyone could compute it).
 */
export function hmacSha256Matches(secret: string, parts: ReadonlyArray<string | Buffer>, hex: string): boolean {
  if (!secret || !SHA256_HEX.test(hex)) return false;
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return timingSafeEqual(Buffer.from(hex, 'hex'), mac.digest());
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A random base62 string with about 5.95 bits per character. */
export function randomToken(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; i < bytes.length && out.length < length; i++) {
    const b = bytes[i]!;
    if (b < 248) out += ALPHABET[b % 62];
  }
  return out.length === length ? out : out + randomToken(length - out.length);
}
