import { Type, type Static } from 'typebox';

const strict = { additionalProperties: false } as const;
const section = <T extends Record<string, any>>(properties: T) =>
  Type.Optional(Type.Object(properties, { ...strict, default: {} }));
const int = (min: number, max: number, def: number, description: string) =>
  Type.Optional(Type.Integer({ minimum: min, maximum: max, default: def, description }));

/** Schema of vigil.yaml: every key optional, with its default. */
export const ConfigSchema = Type.Object(
  {
    data: Type.Optional(Type.String({ default: './data', description: 'Data folder (SQLite file, admin token)' })),
    server: section({
      host: Type.Optional(Type.String({ default: '127.0.0.1', description: 'HTTP listen address' })),
      port: int(0, 65535, 8714, 'HTTP port (0 picks a free one)'),
    }),
    log: section({
      level: Type.Optional(
        Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), {
          default: 'info',
        }),
      ),
    }),
    ingest: section({
      max_body_bytes: int(1024, 1 << 30, 16 * 1024 * 1024, 'Largest accepted HTTP body, after gzip decoding (413 above)'),
      max_fields: int(1, 1_000_000, 1000, 'Most leaf fields in one record (the record is rejected above)'),
      max_depth: int(1, 1000, 20, 'Deepest object/array nesting in one record'),
      max_pending: int(1000, 10_000_000, 200_000, 'Records accepted but not yet committed before ingest answers 503'),
      batch_max_records: int(1, 100_000, 20_000, 'Most records in one group commit'),
    }),
    syslog: section({
      host: Type.Optional(Type.String({ default: '127.0.0.1' })),
      port: int(0, 65535, 5514, 'UDP and TCP syslog port; 0 turns syslog off'),
      max_message_bytes: int(480, 64 * 1024 * 1024, 65536, 'Longest syslog message; longer ones are dead-lettered'),
    }),
    store: section({
      retention_days: int(0, 36500, 30, 'Delete events ingested more than this many days ago (0 keeps everything)'),
      retention_check_minutes: int(1, 1440, 60, 'How often retention runs'),
      cache_mb: int(8, 65536, 128, 'SQLite page cache per connection'),
      synchronous: Type.Optional(
        Type.Union([Type.Literal('full'), Type.Literal('normal')], {
          default: 'full',
          description: "'full': a 2xx means fsynced to disk; 'normal': survives a crash of Vigil, not of the machine",
        }),
      ),
    }),
    rules: section({
      paths: Type.Optional(Type.Array(Type.String(), { default: [], description: 'Sigma rule files and folders, watched and reloaded on change' })),
      builtin: Type.Optional(Type.Boolean({ default: true, description: "Also load Vigil's own rules (the rules/ folder it ships)" })),
      placeholders: Type.Optional(
        Type.Record(Type.String(), Type.Array(Type.String()), { default: {}, description: 'Values of %placeholders% for the expand modifier' }),
      ),
      routing: Type.Optional(Type.String({ description: 'Logsource routing and field mapping (YAML) replacing the built-in one' })),
      lateness_seconds: int(0, 86_400, 60, 'How late (event time) an event may arrive and still count in correlation windows'),
      reload: Type.Optional(Type.Boolean({ default: true, description: 'Reload rules when their files change' })),
    }),
    search: section({
      max_limit: int(1, 10_000, 1000, 'Largest page a search may ask for'),
      default_limit: int(1, 10_000, 100, 'Page size when none is given'),
      timeout_ms: int(100, 600_000, 30_000, 'A search running longer is stopped'),
    }),
  },
  strict,
);

export type VigilConfig = Required<{
  [K in keyof Static<typeof ConfigSchema>]-?: Required<NonNullable<Static<typeof ConfigSchema>[K]>>;
}>;
