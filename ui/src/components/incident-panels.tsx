import { useMemo, useState } from 'preact/hooks';
import { ago, KILL_CHAIN, time } from '../format.ts';
import { href } from '../router.ts';
import { KillChainStrip, Section } from './common.tsx';
import type { NotificationRecord } from '../../../src/core/index.ts';
import type { Alert, Incident, RelatedChange, TimelineEntry } from '../types.ts';

/**
 * The incident page's read-only panels: score breakdown, kill chain, timeline, entities, related
 * changes, notifications. Every value from the API is rendered as JSX text (escaped).
 */

/** An alert and a timeline entry as the incident page reads them (entries carry their store sequence). */
export type DetailAlert = Alert;
export type DetailTimelineEntry = TimelineEntry & { seq?: number };

/** GET /api/v1/incidents/{id}: the incident with its alerts, progression, timeline and notifications. */
export interface IncidentDetail extends Incident {
  alerts: DetailAlert[];
  kill_chain_progression?: Array<{ phase: string; first_seen: string; rule: string; alert_id: string }>;
  timeline: DetailTimelineEntry[];
  notifications?: NotificationRecord[];
}

const FACTOR_NAMES: Record<string, string> = {
  rule_level: 'Rule level',
  asset_criticality: 'Asset criticality',
  service_tier: 'Service tier',
  kill_chain: 'Kill chain',
  indicator_confidence: 'Threat-intel confidence',
  rarity: 'Rarity',
};

const round = (n: number, digits: number) => (Number.isFinite(n) ? Number(n.toFixed(digits)).toString() : '—');

/** The score's summary and each part: factor, value, weight, points and why. */
export function ScorePanel({ incident }: { incident: IncidentDetail }) {
  const explanation = incident.score_explanation;
  const parts = explanation?.parts ?? [];
  const max = Math.max(1, ...parts.map((p) => p.points));
  return (
    <Section title="Priority and score" id="score">
      <p class="score-summary">{explanation?.summary ?? `${incident.priority} (score ${Math.round(incident.score)})`}</p>
      {parts.length > 0 && (
        <table class="score-parts">
          <caption class="sr-only">Score breakdown: what each factor adds to the 0-100 score</caption>
          <thead>
            <tr>
              <th scope="col">Factor</th>
              <th scope="col">Value</th>
              <th scope="col">Weight</th>
              <th scope="col">Points</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {parts.map((part) => (
              <tr key={part.factor} data-factor={part.factor}>
                <th scope="row">
                  {FACTOR_NAMES[part.factor] ?? part.factor} <code class="factor">{part.factor}</code>
                </th>
                <td>{round(part.value, 2)}</td>
                <td>{round(part.weight, 2)}</td>
                <td class="points">
                  <span class="bar" aria-hidden="true" style={{ width: `${Math.round((Math.max(0, part.points) / max) * 60)}px` }} />
                  {round(part.points, 1)}
                </td>
                <td>{part.reason}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              <td colSpan={2} />
              <td class="points">{round(explanation.score, 1)}</td>
              <td>{explanation.priority}</td>
            </tr>
          </tfoot>
        </table>
      )}
    </Section>
  );
}

/** Tactic → kill-chain phase, as Vigil's ATT&CK table maps it (src/detect/attack), for the per-entity view. */
const TACTIC_PHASE: Record<string, string> = {
  reconnaissance: 'reconnaissance',
  'resource-development': 'weaponization',
  'initial-access': 'delivery',
  execution: 'exploitation',
  persistence: 'installation',
  'privilege-escalation': 'installation',
  stealth: 'installation',
  'defense-evasion': 'installation',
  'defense-impairment': 'installation',
  'command-and-control': 'command-and-control',
  'credential-access': 'actions-on-objectives',
  discovery: 'actions-on-objectives',
  'lateral-movement': 'actions-on-objectives',
  collection: 'actions-on-objectives',
  exfiltration: 'actions-on-objectives',
  impact: 'actions-on-objectives',
};

function phasesOf(alert: DetailAlert): string[] {
  const phases = new Set<string>();
  for (const tactic of alert.attack?.tactics ?? []) {
    const phase = TACTIC_PHASE[tactic.toLowerCase().replace(/_/g, '-')];
    if (phase) phases.add(phase);
  }
  if (alert.attack?.kill_chain_phase) phases.add(alert.attack.kill_chain_phase);
  return KILL_CHAIN.filter((p) => phases.has(p));
}

/** The phases seen, in order; when and by which rule each was first reached; and per entity. */
export function KillChainPanel({ incident }: { incident: IncidentDetail }) {
  const progression = incident.kill_chain_progression ?? [];
  const perEntity = useMemo(() => {
    const byEntity = new Map<string, { kind: string; name: string; phases: Set<string>; alerts: number }>();
    for (const alert of incident.alerts) {
      const phases = phasesOf(alert);
      const entities: Array<[string, string]> = [
        ...(alert.entities?.hosts ?? []).map((n): [string, string] => ['host', n]),
        ...(alert.entities?.users ?? []).map((n): [string, string] => ['user', n]),
        ...(alert.entities?.ips ?? []).map((n): [string, string] => ['ip', n]),
      ];
      for (const [kind, name] of entities) {
        const key = `${kind}:${name}`;
        let row = byEntity.get(key);
        if (!row) byEntity.set(key, (row = { kind, name, phases: new Set(), alerts: 0 }));
        row.alerts += 1;
        for (const p of phases) row.phases.add(p);
      }
    }
    return [...byEntity.values()]
      .filter((r) => r.phases.size > 0)
      .map((r) => ({ ...r, ordered: KILL_CHAIN.filter((p) => r.phases.has(p)) }))
      .sort((a, b) => b.ordered.length - a.ordered.length || a.name.localeCompare(b.name));
  }, [incident.alerts]);

  return (
    <Section title="Kill-chain progression" id="killchain">
      <KillChainStrip phases={incident.kill_chain ?? []} />
      {progression.length > 0 ? (
        <ol class="progression" aria-label="Phases reached, in order">
          {progression.map((step) => (
            <li key={step.phase}>
              <strong>{step.phase.replace(/-/g, ' ')}</strong> <span class="muted">first seen</span> <time dateTime={step.first_seen}>{time(step.first_seen)}</time>{' '}
              <span class="muted">by</span> {step.rule}
            </li>
          ))}
        </ol>
      ) : (
        <p class="muted">No kill-chain phase seen in this incident's alerts.</p>
      )}
      {perEntity.length > 0 && (
        <table class="entity-progression">
          <caption>Per entity</caption>
          <thead>
            <tr>
              <th scope="col">Entity</th>
              <th scope="col">Phases</th>
              <th scope="col">Alerts</th>
            </tr>
          </thead>
          <tbody>
            {perEntity.map((row) => (
              <tr key={`${row.kind}:${row.name}`}>
                <th scope="row">
                  <span class="muted">{row.kind}</span> {row.name}
                </th>
                <td>
                  <PhaseStrip phases={row.ordered} label={`Phases on ${row.kind} ${row.name}`} /> <span class="sub">{row.ordered.length} phase{row.ordered.length === 1 ? '' : 's'}</span>
                </td>
                <td>{row.alerts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

/** A compact strip for one entity (its own label, so the incident's strip stays the one "Kill chain" list). */
function PhaseStrip({ phases, label }: { phases: string[]; label: string }) {
  const seen = new Set(phases);
  return (
    <ol class="killchain compact" aria-label={`${label}: ${phases.join(', ') || 'none'}`}>
      {KILL_CHAIN.map((phase) => (
        <li key={phase} class={seen.has(phase) ? 'seen' : ''} title={phase}>
          {phase.slice(0, 1).toUpperCase()}
        </li>
      ))}
    </ol>
  );
}

const KIND_LABELS: Record<string, string> = {
  opened: 'opened',
  alert_joined: 'alert joined',
  alert_resolved: 'alert resolved',
  priority_changed: 'priority',
  state_changed: 'state',
  assigned: 'assigned',
  severity_changed: 'severity',
  note: 'note',
  task: 'task',
  observable: 'observable',
  notification: 'notification',
  merged: 'merged',
  split: 'split',
  sla_breached: 'SLA breached',
  flapping: 'flapping',
  related_change: 'related change',
  updated: 'updated',
};

/** The timeline, written by the system and by people (told apart by actor), filterable. */
export function TimelinePanel({ entries, now }: { entries: DetailTimelineEntry[]; now: number }) {
  const [who, setWho] = useState<'all' | 'people' | 'system'>('all');
  const [order, setOrder] = useState<'oldest' | 'newest'>('oldest');
  const shown = useMemo(() => {
    const filtered = entries.filter((e) => who === 'all' || (who === 'system' ? e.actor === 'system' : e.actor !== 'system'));
    return order === 'newest' ? [...filtered].reverse() : filtered;
  }, [entries, who, order]);
  const people = entries.filter((e) => e.actor !== 'system').length;
  return (
    <Section title="Timeline" id="timeline">
      <div class="inline-form" role="group" aria-label="Timeline display">
        <label>
          Show entries
          <select value={who} onChange={(e) => setWho((e.target as HTMLSelectElement).value as typeof who)}>
            <option value="all">all ({entries.length})</option>
            <option value="people">by people ({people})</option>
            <option value="system">by the system ({entries.length - people})</option>
          </select>
        </label>
        <label>
          Order
          <select value={order} onChange={(e) => setOrder((e.target as HTMLSelectElement).value as typeof order)}>
            <option value="oldest">oldest first</option>
            <option value="newest">newest first</option>
          </select>
        </label>
      </div>
      {shown.length === 0 ? (
        <p class="empty">No entries.</p>
      ) : (
        <ol class="timeline" aria-label="Timeline entries">
          {shown.map((entry, i) => {
            const human = entry.actor !== 'system';
            return (
              <li key={entry.seq ?? `${entry.at}-${i}`} class={`tl-entry ${human ? 'tl-human' : 'tl-system'} tl-${entry.kind}`} data-kind={entry.kind} data-actor={entry.actor}>
                <div class="tl-meta">
                  <span class={`tl-actor ${human ? 'human' : 'system'}`}>
                    <span class="sr-only">{human ? 'Person: ' : 'System entry'}</span>
                    {human ? entry.actor : 'system'}
                  </span>{' '}
                  <span class="tl-kind">{KIND_LABELS[entry.kind] ?? entry.kind}</span>{' '}
                  <time dateTime={entry.at} title={entry.event_time && entry.event_time !== entry.at ? `event time ${time(entry.event_time)}` : undefined}>
                    {time(entry.at)}
                  </time>{' '}
                  <span class="muted">({ago(entry.at, now)})</span>
                </div>
                <div class={entry.kind === 'note' ? 'tl-text note-text' : 'tl-text'}>{entry.text}</div>
              </li>
            );
          })}
        </ol>
      )}
    </Section>
  );
}

const searchLink = (q: string) => href('/search', { q });
const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** Hosts, users, IPs and services, with a search pivot for each, plus ATT&CK and rules. */
export function EntitiesPanel({ incident }: { incident: IncidentDetail }) {
  const groups: Array<[string, string[], ((v: string) => string) | null]> = [
    ['Hosts', incident.entities?.hosts ?? [], (v) => `host.name:${quote(v)}`],
    ['Users', incident.entities?.users ?? [], (v) => `user.name:${quote(v)}`],
    ['IPs', incident.entities?.ips ?? [], (v) => `source.ip:${quote(v)} OR destination.ip:${quote(v)}`],
    ['Services', incident.services ?? [], null],
    ['Tactics', incident.tactics ?? [], null],
    ['Techniques', incident.techniques ?? [], null],
    ['Rules', incident.rules ?? [], null],
    ['Sources', incident.sources ?? [], null],
  ];
  return (
    <Section title="Entities" id="entities">
      <dl class="entities">
        {groups.map(([label, values, query]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>
              {values.length === 0 ? (
                <span class="muted">none</span>
              ) : (
                <ul class="chips">
                  {values.map((value) => (
                    <li key={value}>{query ? <a href={searchLink(query(value))} title={`Search events for ${value}`}>{value}</a> : value}</li>
                  ))}
                </ul>
              )}
            </dd>
          </div>
        ))}
      </dl>
    </Section>
  );
}

/** Changes that may explain the incident, most likely first, with the reason. */
export function RelatedChangesPanel({ changes }: { changes: IncidentDetail['related_changes'] }) {
  return (
    <Section title="Related changes" id="changes">
      {changes.length === 0 ? (
        <p class="muted">No change found near this incident.</p>
      ) : (
        <ul class="related-changes">
          {changes.map((change, i) => (
            <li key={change.id ?? `unrecorded-${i}`}>
              <div>
                {change.id ? (
                  <a href={href(`/changes/${encodeURIComponent(change.id)}`)}>
                    <span class="id">{change.id}</span> {change.title}
                  </a>
                ) : (
                  <span>
                    <span class="muted">unrecorded change:</span> {change.title}
                  </span>
                )}{' '}
                <span class={`verdict v-${change.verdict}`}>{change.verdict}</span> <span class="score">score {round(change.score, 2)}</span>
              </div>
              <div class="sub">{change.reason}</div>
              {change.implementer && <div class="sub">implementer: {change.implementer}</div>}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

/** Notification decisions (delivery belongs to the channels). */
export function NotificationsPanel({ notifications }: { notifications: NotificationRecord[] }) {
  if (notifications.length === 0) return null;
  return (
    <Section title="Notifications" id="notifications">
      <ul class="plain">
        {notifications.map((n) => (
          <li key={n.id}>
            <strong>{n.reason}</strong> {n.priority} · {n.alert_count} alert{n.alert_count === 1 ? '' : 's'} · route {n.route} · <span class="muted">due</span>{' '}
            <time dateTime={n.due_at}>{time(n.due_at)}</time>
          </li>
        ))}
      </ul>
    </Section>
  );
}
