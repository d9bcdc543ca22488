// Syslog framing: RFC 6587 over TCP (octet counting and non-transparent framing, detected per
// frame) and RFC 5426 over UDP (one datagram = one message).
//
// The parser works on Buffers and decodes only complete frames, so a multi-byte UTF-8 character
// split across TCP chunks decodes correctly. Memory is bounded: a frame longer than maxBytes is
// never buffered; only its first HEAD_BYTES are kept, the rest is discarded as it arrives.
//
// Decisions (see also the README section in index.ts):
// - At the start of a frame, LF, CR and NUL are skipped (blank lines, a trailer some senders add
//   after an octet-counted frame).
// - A frame starting with 1-9 followed by more digits and a space is octet-counted
//   (`MSG-LEN SP SYSLOG-MSG`). Digits followed by anything else (or more than MAX_COUNT_DIGITS
//   digits) are the start of a newline-terminated frame instead. Anything else (normally `<`)
//   starts a newline-terminated frame, ended by LF or NUL; a CR before the LF is removed.
// - An octet-counted frame's content has one trailing LF (or CRLF) or NUL removed, like a
//   datagram's, so the same message looks the same whatever the framing.
// - An announced length above MAX_OCTET_COUNT cannot be a real message: the stream cannot be
//   resynchronised (we do not know where the next frame starts), so the parser reports a fatal
//   frame and ignores everything after it; the listener then closes the connection. Skipping an
//   oversize but plausible count (up to MAX_OCTET_COUNT) keeps the connection in sync.

export const HEAD_BYTES = 1024;
/** Largest announced octet count treated as a (skippable) frame; above it the stream is broken. */
export const MAX_OCTET_COUNT = 1024 * 1024 * 1024;
/** More digits than this without a space: not a length prefix, a line that starts with digits. */
export const MAX_COUNT_DIGITS = 32;

export interface Frame {
  /** The decoded message, or for a bad frame a bounded head of it. */
  text: string;
  /** Size of the frame's content in bytes (as announced, or as seen for LF framing). */
  bytes: number;
  /** Set when the frame was bad (oversize, truncated, bogus count); text then holds a head. */
  error?: string;
  /** The stream cannot continue after this frame; the parser ignores further input. */
  fatal?: boolean;
}

export type FrameHandler = (frame: Frame) => void;

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const SP = 0x20;

const IDLE = 0;
const COUNT = 1;
const OCTETS = 2;
const SKIP_OCTETS = 3;
const LINE = 4;
const SKIP_LINE = 5;
const DEAD = 6;

export function oversizeError(maxBytes: number): string {
  return `message exceeds ${maxBytes} bytes`;
}

/** Decode as UTF-8 with U+FFFD for invalid sequences; an incomplete last character is dropped. */
function decodeHead(parts: Buffer[], limit: number): string {
  const buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  const head = buf.length > limit ? buf.subarray(0, limit) : buf;
  // stream: true holds back a trailing incomplete sequence instead of replacing it.
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(head, { stream: true });
}

/** Length of buf[start, end) without one trailing LF / CRLF / NUL. */
function trimTrailer(buf: Buffer, start: number, end: number): number {
  if (end > start) {
    const last = buf[end - 1];
    if (last === NUL) return end - 1;
    if (last === LF) return end - 1 > start && buf[end - 2] === CR ? end - 2 : end - 1;
  }
  return end;
}

/**
 * chunk[from, to) to hold across chunks. A view pins the whole chunk, so a small tail of a big
 * chunk (a partial line waiting for its end, maybe on thousands of idle connections) is copied.
 */
function retainable(chunk: Buffer, from: number, to: number): Buffer {
  return (to - from) * 2 < chunk.length ? Buffer.from(chunk.subarray(from, to)) : chunk.subarray(from, to);
}

/** One UDP datagram as a frame: one trailing LF / CRLF / NUL removed, size limit applied. */
export function datagramFrame(buf: Buffer, maxBytes: number): Frame {
  const end = trimTrailer(buf, 0, buf.length);
  if (end > maxBytes) {
    return {
      text: decodeHead([buf.subarray(0, end)], Math.min(HEAD_BYTES, maxBytes)),
      bytes: end,
      error: oversizeError(maxBytes),
    };
  }
  return { text: buf.toString('utf8', 0, end), bytes: end };
}

/**
 * Incremental RFC 6587 frame parser for one TCP connection. Feed it chunks with push(); it calls
 * onFrame for every complete frame, in order. Call end() when the connection closes to get a
 * trailing unterminated frame.
 */
export class FrameParser {
  private state = IDLE;
  /** Bytes of the current frame (OCTETS, LINE) or the kept head of an oversize one (SKIP_*). */
  private parts: Buffer[] = [];
  private partsLen = 0;
  private digits = '';
  /** OCTETS / SKIP_OCTETS: bytes still to come. */
  private remaining = 0;
  /** Size of the current frame: announced (octet counting) or seen so far (SKIP_LINE). */
  private frameBytes = 0;
  private readonly headBytes: number;

  constructor(
    private readonly maxBytes: number,
    private readonly onFrame: FrameHandler,
  ) {
    if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
    this.headBytes = Math.min(HEAD_BYTES, maxBytes);
  }

  /** True once a fatal frame was reported or end() was called: input is ignored. */
  get dead(): boolean {
    return this.state === DEAD;
  }

  /** Bytes currently held for the frame in progress (bounded by maxBytes + 1). */
  get buffered(): number {
    return this.partsLen + this.digits.length;
  }

  push(chunk: Buffer): void {
    const n = chunk.length;
    let pos = 0;
    // Cached positions of the next LF / NUL at or after some point in this chunk: -2 = not
    // searched yet, -1 = none in the rest of the chunk. Keeps many-frames-per-chunk linear.
    let lfAt = -2;
    let nulAt = -2;
    const findTerm = (from: number): number => {
      if (lfAt !== -1 && lfAt < from) lfAt = chunk.indexOf(LF, from);
      if (nulAt !== -1 && nulAt < from) nulAt = chunk.indexOf(NUL, from);
      if (lfAt < 0) return nulAt;
      if (nulAt < 0) return lfAt;
      return lfAt < nulAt ? lfAt : nulAt;
    };

    while (pos < n) {
      switch (this.state) {
        case IDLE: {
          const b = chunk[pos]!;
          if (b === LF || b === CR || b === NUL) {
            pos++;
          } else if (b >= 0x31 && b <= 0x39) {
            this.state = COUNT;
            this.digits = String.fromCharCode(b);
            pos++;
          } else {
            this.state = LINE;
          }
          break;
        }

        case COUNT: {
          const b = chunk[pos]!;
          if (b >= 0x30 && b <= 0x39 && this.digits.length < MAX_COUNT_DIGITS) {
            this.digits += String.fromCharCode(b);
            pos++;
          } else if (b === SP) {
            pos++;
            const len = Number(this.digits);
            if (len > MAX_OCTET_COUNT) {
              const digits = this.digits;
              this.reset(DEAD);
              this.onFrame({
                text: digits,
                bytes: len,
                error: `invalid octet count ${digits} (above ${MAX_OCTET_COUNT}); framing lost, connection closed`,
                fatal: true,
              });
              return;
            }
            this.digits = '';
            this.frameBytes = len;
            this.remaining = len;
            this.state = len > this.maxBytes ? SKIP_OCTETS : OCTETS;
          } else {
            // Not a length prefix: a newline-terminated frame that starts with digits.
            this.parts.push(Buffer.from(this.digits, 'latin1'));
            this.partsLen = this.digits.length;
            this.digits = '';
            this.state = LINE;
          }
          break;
        }

        case OCTETS: {
          const take = Math.min(this.remaining, n - pos);
          this.remaining -= take;
          if (this.remaining === 0 && this.parts.length === 0) {
            // Whole frame inside this chunk: decode in place.
            const end = trimTrailer(chunk, pos, pos + take);
            const bytes = this.frameBytes;
            this.state = IDLE;
            this.frameBytes = 0;
            this.onFrame({ text: chunk.toString('utf8', pos, end), bytes });
          } else {
            this.parts.push(this.remaining === 0 ? chunk.subarray(pos, pos + take) : retainable(chunk, pos, pos + take));
            this.partsLen += take;
            if (this.remaining === 0) {
              const buf = Buffer.concat(this.parts, this.partsLen);
              const bytes = this.frameBytes;
              this.reset(IDLE);
              this.onFrame({ text: buf.toString('utf8', 0, trimTrailer(buf, 0, buf.length)), bytes });
            }
          }
          pos += take;
          break;
        }

        case SKIP_OCTETS: {
          const take = Math.min(this.remaining, n - pos);
          this.keepHead(chunk, pos, pos + take);
          this.remaining -= take;
          pos += take;
          if (this.remaining === 0) this.emitOversize();
          break;
        }

        case LINE: {
          const t = findTerm(pos);
          const end = t < 0 ? n : t;
          const total = this.partsLen + (end - pos);
          // maxBytes of content plus room for a CR before the LF.
          if (total > this.maxBytes + 1) {
            this.frameBytes = this.partsLen;
            this.state = SKIP_LINE;
            this.trimHead();
            this.keepHead(chunk, pos, end);
            if (t >= 0) {
              this.emitOversize();
              pos = t + 1;
            } else {
              pos = n;
            }
            break;
          }
          if (t < 0) {
            this.parts.push(retainable(chunk, pos, n));
            this.partsLen = total;
            pos = n;
            break;
          }
          if (this.parts.length === 0) {
            const stop = end > pos && chunk[end - 1] === CR ? end - 1 : end;
            if (stop - pos > this.maxBytes) {
              this.state = SKIP_LINE;
              this.keepHead(chunk, pos, stop);
              this.emitOversize();
            } else {
              this.state = IDLE;
              this.onFrame({ text: chunk.toString('utf8', pos, stop), bytes: stop - pos });
            }
          } else {
            this.parts.push(chunk.subarray(pos, end));
            this.partsLen = total;
            this.finishLine();
          }
          pos = t + 1;
          break;
        }

        case SKIP_LINE: {
          const t = findTerm(pos);
          const end = t < 0 ? n : t;
          this.keepHead(chunk, pos, end);
          if (t < 0) {
            pos = n;
          } else {
            this.emitOversize();
            pos = t + 1;
          }
          break;
        }

        default: // DEAD
          return;
      }
    }
  }

  /**
   * The connection closed: report what is left of the frame in progress, then go dead.
   * `clean`: the peer ended the stream (FIN); an unterminated last line is then a message (simple
   * senders omit the final LF). Otherwise (reset, error, closed by us) it is reported as truncated.
   */
  end(clean = true): void {
    switch (this.state) {
      case COUNT:
      case LINE:
        if (clean) {
          if (this.state === COUNT) {
            this.parts = [Buffer.from(this.digits, 'latin1')];
            this.partsLen = this.digits.length;
          }
          this.finishLine();
        } else {
          const parts = this.state === COUNT ? [Buffer.from(this.digits, 'latin1')] : this.parts;
          const got = this.state === COUNT ? this.digits.length : this.partsLen;
          this.reset(DEAD);
          this.onFrame({ text: decodeHead(parts, this.headBytes), bytes: got, error: `truncated frame: connection lost after ${got} bytes, before the end of the line` });
        }
        break;
      case OCTETS: {
        const got = this.partsLen;
        const bytes = this.frameBytes;
        const text = got > 0 ? decodeHead(this.parts, this.headBytes) : '';
        this.reset(DEAD);
        this.onFrame({ text, bytes, error: `truncated frame: connection closed after ${got} of ${bytes} bytes` });
        break;
      }
      case SKIP_OCTETS:
      case SKIP_LINE:
        this.emitOversize();
        break;
      default:
        break;
    }
    this.reset(DEAD);
  }

  private finishLine(): void {
    const buf = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partsLen);
    let stop = buf.length;
    if (stop > 0 && buf[stop - 1] === CR) stop--;
    if (stop > this.maxBytes) {
      this.parts = [buf.subarray(0, this.headBytes)];
      this.partsLen = this.parts[0]!.length;
      this.frameBytes = stop;
      this.emitOversize();
      return;
    }
    this.reset(IDLE);
    this.onFrame({ text: buf.toString('utf8', 0, stop), bytes: stop });
  }

  /** Keep only the first headBytes of what parts hold (entering a SKIP state from LINE). */
  private trimHead(): void {
    if (this.partsLen === 0) return;
    // A copy (concat always copies), so the head does not pin whole TCP chunks while the rest of
    // the frame is skipped.
    const len = Math.min(this.partsLen, this.headBytes);
    this.parts = [Buffer.concat(this.parts, len)];
    this.partsLen = len;
  }

  /** Account for chunk[from, to) of an oversize frame, keeping it only while the head is short. */
  private keepHead(chunk: Buffer, from: number, to: number): void {
    if (this.state === SKIP_LINE) this.frameBytes += to - from;
    const room = this.headBytes - this.partsLen;
    if (room <= 0 || to <= from) return;
    const take = Math.min(room, to - from);
    this.parts.push(Buffer.from(chunk.subarray(from, from + take)));
    this.partsLen += take;
  }

  private emitOversize(): void {
    const text = this.partsLen > 0 ? decodeHead(this.parts, this.headBytes) : '';
    const bytes = this.frameBytes;
    this.reset(IDLE);
    this.onFrame({ text, bytes, error: oversizeError(this.maxBytes) });
  }

  private reset(state: number): void {
    this.state = state;
    this.parts = [];
    this.partsLen = 0;
    this.digits = '';
    this.remaining = 0;
    this.frameBytes = 0;
  }
}
