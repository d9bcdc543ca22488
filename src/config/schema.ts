import { Type, type Static } from 'typebox';

const strict = { additionalProperties: false } as const;
const section = <T extends Record<string, any>>(properties: T) =>
  Type.Optional(Type.Object(properties, { ...strict, default: {} }));
const int = (min: number, max: number, def: number, description: string) =>
  Type.Optional(Type.Integer({ minimum: min, maximum: max, default: def, description }));

const DURATION = '^(0|(\\d+(\\.\\d+)?(ms|s|m|h|d|w))+)$';
const duration = (def: string | undefined, description: string) =>
  Type.Optional(Type.String({ pattern: DURATION, ...(def === undefined ? {} : { default: def }), description: `${description} (e.g. 30s, 5m, 4h)` }));
const matchers = (description: string) =>
  Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: `${description}; Alertmanager matchers such as 'severity="critical"', 'rule_id=~"win_.*"'` }));

/**
 * One node of the triage route tree, Alertmanager-style. Children inherit what they do not set.
 * Nested up to four levels (a fixed depth keeps the schema simple and defaults working).
 */
function routeSchema(depth: number, root: boolean): ReturnType<typeof Type.Object> {
  const properties = {
    name: Type.Optional(Type.String({ description: 'Shown on incidents and in the noise ledger' })),
    matchers: matchers('Which alerts this route takes (all must match)'),
    group_by: Type.Optional(Type.Array(Type.String(), root ? { default: ['rule_id'], description: "Labels whose values make one group (one incident); '...' groups by every label" } : { description: "Labels whose values make one group (one incident); '...' groups by every label" })),
    group_wait: duration(root ? '30s' : undefined, 'Wait before the first notification of a new incident, to collect its first alerts'),
    group_interval: duration(root ? '5m' : undefined, 'Wait before notifying about new alerts in an incident already notified'),
    repeat_interval: duration(root ? '4h' : undefined, 'Wait before repeating a notification for an incident that has not changed'),
    group_window: duration(root ? '4h' : undefined, 'An incident stops taking alerts by its group once none joined for this long (event time)'),
    correlate_entities: Type.Optional(Type.Boolean(root ? { default: true, description: 'Alerts sharing a host, user or IP with an open incident join it' } : { description: 'Alerts sharing a host, user or IP with an open incident join it' })),
    continue: Type.Optional(Type.Boolean({ description: 'Accepted for Alertmanager compatibility; an alert joins one incident, through the first route that matches' })),
    ...(depth > 0 ? { routes: Type.Optional(Type.Array(routeSchema(depth - 1, false))) } : {}),
  };
  return Type.Object(properties, root ? { ...strict, default: {} } : strict);
}

const weight = (def: number, description: string) => Type.Optional(Type.Number({ minimum: 0, maximum: 1000, default: def, description }));
const slaTarget = (ack: number, resolve: number) =>
  Type.Optional(
    Type.Object(
      {
        ack_minutes: Type.Optional(Type.Integer({ minimum: 1, default: ack })),
        resolve_minutes: Type.Optional(Type.Integer({ minimum: 1, default: resolve })),
      },
      { ...strict, default: {} },
    ),
  );

const TriageSchema = Type.Object(
  {
    dedup_keys: Type.Optional(
      Type.Array(Type.String(), {
        default: [],
        description: "Labels that make an alert's identity; empty keeps each detector's fingerprint (Sigma: rule and entities; Alertmanager: its fingerprint)",
      }),
    ),
    route: Type.Optional(routeSchema(4, true)),
    correlation: Type.Optional(
      Type.Object(
        {
          window: duration('2h', 'Alerts sharing an entity within this time (event time) join one incident'),
          entities: Type.Optional(Type.Array(Type.Union([Type.Literal('hosts'), Type.Literal('users'), Type.Literal('ips')]), { default: ['hosts', 'users', 'ips'] })),
          max_entities: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 5, description: 'An incident touching more hosts, users and IPs than this is fleet-wide and takes no alerts by entity' })),
          ignore: Type.Optional(
            Type.Array(Type.String(), {
              default: ['SYSTEM', 'LOCAL SERVICE', 'NETWORK SERVICE', 'root', 'localhost', '127.0.0.1', '::1', '-', 'unknown', 'N/A'],
              description: 'Entity values too common to link alerts (compared without case)',
            }),
          ),
        },
        { ...strict, default: {} },
      ),
    ),
    inhibit_rules: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.Optional(Type.String()),
            source_matchers: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
            target_matchers: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
            equal: Type.Optional(Type.Array(Type.String(), { default: [] })),
          },
          strict,
        ),
        { default: [], description: 'A firing alert matching source_matchers mutes alerts matching target_matchers that have the same values of the equal labels' },
      ),
    ),
    service_inhibition: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean({ default: true, description: 'An open incident on a service mutes the alerts of the services that depend on it' })),
          window: duration('1h', 'How long after its latest alert (event time) an incident keeps muting its dependants'),
        },
        { ...strict, default: {} },
      ),
    ),
    flapping: Type.Optional(
      Type.Object(
        {
          window: duration('1h', 'Window (event time) over which firing/resolved changes are counted'),
          threshold: Type.Optional(Type.Integer({ minimum: 2, maximum: 1000, default: 4, description: 'This many changes within the window mark an alert flapping' })),
        },
        { ...strict, default: {} },
      ),
    ),
    score: Type.Optional(
      Type.Object(
        {
          weights: Type.Optional(
            Type.Object(
              {
                rule_level: weight(15, 'Highest rule level among the alerts'),
                asset_criticality: weight(15, 'Highest criticality of the assets involved'),
                service_tier: weight(10, 'Most critical tier of the services involved'),
                kill_chain: weight(40, 'Distinct kill-chain phases seen on one entity'),
                indicator_confidence: weight(5, 'Threat-intel confidence, when an alert carries one'),
                rarity: weight(15, 'How seldom the rules fire'),
              },
              { ...strict, default: {} },
            ),
          ),
          priorities: Type.Optional(
            Type.Object(
              {
                P1: Type.Optional(Type.Number({ default: 75 })),
                P2: Type.Optional(Type.Number({ default: 55 })),
                P3: Type.Optional(Type.Number({ default: 40 })),
                P4: Type.Optional(Type.Number({ default: 20 })),
              },
              { ...strict, default: {}, description: 'Lowest score of each priority (P5 below P4)' },
            ),
          ),
          rarity_window: duration('7d', 'Rule frequency is measured over this time (event time)'),
          default_criticality: Type.Optional(Type.Integer({ minimum: 1, maximum: 5, default: 2, description: 'Criticality of hosts not in the inventory' })),
        },
        { ...strict, default: {} },
      ),
    ),
    sla: Type.Optional(
      Type.Object(
        { P1: slaTarget(15, 240), P2: slaTarget(30, 480), P3: slaTarget(240, 2880), P4: slaTarget(1440, 10080), P5: slaTarget(4320, 43200) },
        { ...strict, default: {}, description: 'Time to acknowledge and to resolve per priority; a miss is flagged on the incident' },
      ),
    ),
  },
  { ...strict, default: {} },
);

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
    triage: Type.Optional(TriageSchema),
    changes: section({
      policies: Type.Optional(
        Type.Array(Type.Record(Type.String(), Type.Unknown()), {
          default: [],
          description: 'Freeze policies, the same shape as POST /api/v1/change-policies (checked by vigil config check)',
        }),
      ),
      verdict_margin: duration('30m', 'An alert this close to an approved change window, before or after, is still expected'),
      expected_priority: Type.Optional(
        Type.Union(['P1', 'P2', 'P3', 'P4', 'P5'].map((p) => Type.Literal(p)), {
          default: 'P4',
          description: 'An incident whose alerts are all explained by an approved change is at most this urgent',
        }),
      ),
    }),
    intel: section({
      retro_hunt_days: int(0, 3650, 90, 'A new or changed indicator is searched for in stored events of this many days back (0: no retro-hunts)'),
      default_confidence: int(0, 100, 50, 'Confidence of an indicator whose source states none'),
      match_fields: Type.Optional(
        Type.Array(
          Type.Object(
            {
              path: Type.String({ minLength: 1, description: "A dotted field path; 'original.X' reads the record as received" }),
              kind: Type.Union(['ip', 'domain', 'url', 'hash', 'email', 'user', 'filename'].map((k) => Type.Literal(k))),
            },
            strict,
          ),
          { default: [], description: 'Fields matched against indicators besides the ECS ones (source.ip, dns.question.name, file.hash.*...)' },
        ),
      ),
      feeds: Type.Optional(
        Type.Array(
          Type.Object(
            {
              name: Type.String({ minLength: 1, maxLength: 100 }),
              kind: Type.Optional(Type.Union([Type.Literal('http'), Type.Literal('taxii')], { default: 'http' })),
              url: Type.String({ pattern: '^https?://', description: 'The file to pull (http), or the TAXII 2.1 API root (taxii)' }),
              format: Type.Optional(Type.Union(['stix', 'misp', 'csv', 'lines'].map((f) => Type.Literal(f)), { description: 'How an http feed is written (taxii: always STIX)' })),
              type: Type.Optional(Type.String({ description: "For 'lines' and 'csv' without a type column: the indicators' type (else inferred per value)" })),
              collection: Type.Optional(Type.String({ description: 'TAXII collection id' })),
              interval: duration('1h', 'How often the feed is pulled'),
              confidence: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'Confidence of its indicators when they state none' })),
              headers: Type.Optional(Type.Record(Type.String(), Type.String())),
              username: Type.Optional(Type.String()),
              password: Type.Optional(Type.String()),
              api_key: Type.Optional(Type.String()),
              page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
            },
            strict,
          ),
          { default: [] },
        ),
      ),
    }),
    notify: section({
      public_url: Type.Optional(Type.String({ pattern: '^https?://', description: "Vigil's address as people reach it: links in messages point there (default: the listen address)" })),
      channels: Type.Optional(
        Type.Array(
          Type.Object(
            {
              name: Type.String({ minLength: 1, maxLength: 100 }),
              type: Type.Union(['webhook', 'slack', 'mattermost', 'teams', 'pagerduty', 'email', 'jira', 'servicenow'].map((t) => Type.Literal(t))),
            },
            { additionalProperties: true, description: 'Each type takes its own settings (url, webhook_url, secret, token, routing_key, smtp...); see README' },
          ),
          { default: [] },
        ),
      ),
      policies: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()), { default: [], description: 'Who hears about what: {name, when: {priority, service, service_tier, team, verdict, event}, channels, escalation}' })),
      send_timeout: duration('10s', 'How long one delivery attempt may take'),
      max_attempts: int(1, 100, 10, 'Attempts before a delivery is given up (retryable failures only)'),
    }),
    integrations: section({
      github: section({
        secret: Type.Optional(Type.String({ description: "The webhook's secret: X-Hub-Signature-256 is checked with it (deliveries are refused without one)" })),
      }),
      slack: section({
        signing_secret: Type.Optional(Type.String({ description: 'Slack app signing secret: slash commands and buttons are checked with it (refused without one)' })),
      }),
      pagerduty: section({
        webhook_secret: Type.Optional(Type.String({ description: 'PagerDuty webhook v3 signing secret (X-PagerDuty-Signature)' })),
      }),
      jira: section({
        webhook_secret: Type.Optional(Type.String({ description: 'Jira webhook secret (X-Hub-Signature)' })),
      }),
    }),
  },
  strict,
);

export type VigilConfig = Required<{
  [K in keyof Static<typeof ConfigSchema>]-?: Required<NonNullable<Static<typeof ConfigSchema>[K]>>;
}>;

type Filled<T> = { [K in keyof T]-?: NonNullable<T[K]> };
type RawTriage = Filled<NonNullable<Static<typeof ConfigSchema>['triage']>>;
/** The triage section after defaults: every section and key present (route children stay partial). */
export type TriageConfig = {
  dedup_keys: string[];
  route: RouteConfig;
  correlation: Filled<RawTriage['correlation']>;
  inhibit_rules: Array<{ name?: string; source_matchers: string[]; target_matchers: string[]; equal?: string[] }>;
  service_inhibition: Filled<RawTriage['service_inhibition']>;
  flapping: Filled<RawTriage['flapping']>;
  score: Omit<Filled<RawTriage['score']>, 'weights' | 'priorities'> & {
    weights: Filled<Filled<RawTriage['score']>['weights']>;
    priorities: Filled<Filled<RawTriage['score']>['priorities']>;
  };
  sla: { [P in 'P1' | 'P2' | 'P3' | 'P4' | 'P5']: { ack_minutes: number; resolve_minutes: number } };
};
export type RouteConfig = {
  name?: string;
  matchers?: string[];
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  group_window?: string;
  correlate_entities?: boolean;
  continue?: boolean;
  routes?: RouteConfig[];
};
