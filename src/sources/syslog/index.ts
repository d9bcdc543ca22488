// Syslog source: UDP and TCP listener, transport and framing only. It hands raw message text to
// the sink the composition root gives it; parsing (RFC 5424 / 3164) is the normaliser's job.
//
// UDP (RFC 5426): one datagram = one message; one trailing LF / CRLF / NUL is removed. A
// datagram over maxMessageBytes is delivered with `error` set and its first 1 KiB as text.
//
// TCP (RFC 6587), framing detected per frame, so both kinds may be mixed on one connection:
// - `1`-`9`, more digits, then SP: octet counting; exactly that many bytes follow. One trailing
//   LF / CRLF / NUL inside the counted bytes is removed.
// - anything else (normally `<`): non-transparent framing, ended by LF or NUL; CRLF accepted.
// - LF, CR and NUL between frames are skipped (blank lines are not messages).
// - A frame over maxMessageBytes is never buffered: its first 1 KiB is kept, the rest discarded
//   as it arrives (to the next LF/NUL, or exactly the announced count), and a message with
//   `error: 'message exceeds N bytes'` is delivered in its place; later frames parse normally.
// - An announced count above 1 GiB (e.g. 20 digits) means the stream is not what it claims: a
//   message with `error` set (text = the digits) is delivered and the connection is closed,
//   because there is no way to find the next frame boundary. Well-behaved senders reconnect.
// - When a connection closes mid-frame: an unterminated line is delivered as a message if the
//   peer ended the stream (FIN; simple senders omit the last LF), and with `error: 'truncated
//   frame: ...'` if the connection was lost (reset, error, idle timeout, close() grace expired);
//   a short octet-counted frame is always delivered with `error: 'truncated frame: ...'`.
// Text is decoded as UTF-8, invalid sequences become U+FFFD; a BOM is kept (the normaliser strips it).
//
// Batching and backpressure: messages from all connections and UDP are batched (batchMaxMessages
// or batchMaxDelayMs). At most 4 batches are at the sink at once; while 4 are outstanding, or a
// rejected batch waits for its retry, every TCP socket is paused and resumed when that clears.
// A rejected batch is retried after an exponential backoff (50 ms doubling to 2 s), never dropped.
// UDP cannot be paused: once 4 batches' worth of messages (or 32 MiB) wait behind the ones in
// flight, further datagrams are dropped, counted in stats().udpDropped and reported by a warning
// at most every 10 s (and at close).
//
// close(): stops accepting (TCP and UDP), half-closes connections and reads what peers still send
// for up to 1 s (then destroys them, after parsing whatever Node had already read), then flushes every received message to the sink and resolves once the sink has
// accepted all of it. It retries rejected batches like the rest of the time: a sink that never
// accepts keeps close() pending.
export {
  startSyslog,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_BATCH_MAX_MESSAGES,
  DEFAULT_BATCH_MAX_DELAY_MS,
  type SyslogMessage,
  type SyslogSink,
  type SyslogOptions,
  type SyslogListener,
  type SyslogStats,
  type SyslogLog,
} from './listener.ts';
