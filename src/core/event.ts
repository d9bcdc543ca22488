/**
 * The normalised event: ECS field names, plus the record as received in `original`.
 * Ingestion metadata lives under `input` (not ECS `source`, which is the network source).
 */
export interface InputInfo {
  /** Kind of input that received the record: http, syslog, file, webhook. */
  type: string;
  /** Configured name of the input (e.g. "http", "syslog-tcp", a file name). */
  name: string;
  /** Peer address (ip:port) or file path, when known. */
  address?: string;
}

export type EcsValue = string | number | boolean | null | EcsValue[] | { [key: string]: EcsValue };
export type EcsObject = { [key: string]: EcsValue };

/** What a normaliser produces: ECS fields and the original, before Vigil gives it an id and an input. */
export interface NormalizedEvent {
  /** Event time, ISO 8601 UTC with milliseconds. */
  '@timestamp': string;
  event?: EcsObject & {
    kind?: string;
    category?: string | string[];
    type?: string | string[];
    action?: string;
    outcome?: string;
    severity?: number;
    ingested?: string;
    dataset?: string;
    module?: string;
    code?: string;
  };
  message?: string;
  /** The record as received: the parsed JSON object, or the raw text line. */
  original: unknown;
  [ecsField: string]: unknown;
}

/** A stored event. */
export interface VigilEvent extends NormalizedEvent {
  /** ULID, sortable by ingest time. */
  id: string;
  input: InputInfo;
}

/** A record before normalisation: a parsed JSON value or a line of text. */
export type RawRecord =
  | {
      kind: 'object';
      value: Record<string, unknown>;
      /** The exact JSON text the object was parsed from, when known: stored as `original` without re-serialising. */
      text?: string;
    }
  | { kind: 'text'; value: string };

/**
 * Carries an event's original JSON text from ingest to the store (a symbol: invisible to
 * JSON.stringify and to structured clone, so it never leaks into output).
 */
export const ORIGINAL_TEXT: unique symbol = Symbol.for('vigil.originalText');

export interface NormalizeContext {
  input: InputInfo;
  /** When Vigil received the record; used when the record has no time of its own. */
  receivedAt: Date;
}

