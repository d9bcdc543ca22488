/**
 * Label matchers as Alertmanager writes them: `name="value"`, `!=`, `=~` (regex, anchored),
 * `!~`. Silences and inhibition rules are made of them.
 */
export interface Matcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface Silence {
  /** ULID. */
  id: string;
  matchers: Matcher[];
  /** Active from starts_at (inclusive) to ends_at (exclusive), on alert event time (ISO). */
  starts_at: string;
  ends_at: string;
  created_by: string;
  comment: string;
  created_at: string;
  updated_at: string;
  /** Set when expired early by a person. */
  expired_at?: string | null;
}

export type SilenceState = 'pending' | 'active' | 'expired';
