import { useMemo } from 'preact/hooks';
import { ago, time, num } from '../format.ts';
import { SeverityBadge } from './common.tsx';
import { techniquesOf, type RuleRejection, type RuleSummary } from './detection-model.tsx';

export type RuleSortKey = 'title' | 'level' | 'status' | 'hits' | 'last_hit';
export interface RuleSort {
  key: RuleSortKey;
  desc: boolean;
}

const LEVEL_RANK: Record<string, number> = { critical: 5, high: 4, medium: 3, low: 2, informational: 1 };

function compare(a: RuleSummary, b: RuleSummary, key: RuleSortKey): number {
  switch (key) {
    case 'hits':
      return a.hits - b.hits;
    case 'last_hit':
      return (a.last_hit ? Date.parse(a.last_hit) : 0) - (b.last_hit ? Date.parse(b.last_hit) : 0);
    case 'level':
      return (LEVEL_RANK[a.level] ?? 0) - (LEVEL_RANK[b.level] ?? 0);
    case 'status':
      return a.status.localeCompare(b.status);
    default:
      return a.title.localeCompare(b.title);
  }
}

/** Words of the filter must all occur in the rule's title, id, level, status, tags or file. */
export function matches(rule: RuleSummary, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = [rule.title, rule.id, rule.level, rule.status, rule.kind ?? '', rule.file ?? '', rule.enabled ? 'enabled' : 'disabled', ...rule.tags].join(' ').toLowerCase();
  return words.every((w) => text.includes(w));
}

const COLUMNS: Array<{ key: RuleSortKey | null; label: string; numeric?: boolean }> = [
  { key: 'title', label: 'Rule' },
  { key: 'level', label: 'Level' },
  { key: 'status', label: 'Status' },
  { key: null, label: 'Enabled' },
  { key: 'hits', label: 'Hits', numeric: true },
  { key: 'last_hit', label: 'Last hit' },
  { key: null, label: 'ATT&CK' },
];

export function RulesTable({ rules, filter, sort, onSort }: { rules: RuleSummary[]; filter: string; sort: RuleSort; onSort: (sort: RuleSort) => void }) {
  const shown = useMemo(() => {
    const list = rules.filter((r) => matches(r, filter));
    list.sort((a, b) => (sort.desc ? -1 : 1) * compare(a, b, sort.key) || a.title.localeCompare(b.title));
    return list;
  }, [rules, filter, sort]);

  return (
    <>
      <p class="muted" role="status" aria-live="polite">
        {shown.length === rules.length ? `${rules.length} rules` : `${shown.length} of ${rules.length} rules match`}
      </p>
      <table class="rules">
        <caption class="sr-only">Detection rules with status, hit count and last hit; column headers sort</caption>
        <thead>
          <tr>
            {COLUMNS.map((col) => {
              const active = col.key !== null && sort.key === col.key;
              return (
                <th key={col.label} scope="col" class={col.numeric ? 'num' : undefined} aria-sort={active ? (sort.desc ? 'descending' : 'ascending') : undefined}>
                  {col.key ? (
                    <button
                      type="button"
                      class="sort"
                      onClick={() => onSort({ key: col.key!, desc: active ? !sort.desc : col.key === 'hits' || col.key === 'last_hit' || col.key === 'level' })}
                    >
                      {col.label}
                      <span aria-hidden="true">{active ? (sort.desc ? ' ▼' : ' ▲') : ' ↕'}</span>
                      <span class="sr-only">{active ? `, sorted ${sort.desc ? 'descending' : 'ascending'}` : ', sort'}</span>
                    </button>
                  ) : (
                    col.label
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {shown.map((rule) => {
            const techniques = [...new Set(techniquesOf(rule.tags).map((t) => t.full))];
            const tactics = rule.tags.filter((t) => /^attack\.[a-z][a-z-]+$/i.test(t) && !/^attack\.(g|s)\d{4}$/i.test(t)).map((t) => t.slice(7));
            const other = rule.tags.filter((t) => !t.toLowerCase().startsWith('attack.'));
            return (
              <tr key={rule.id} data-rule={rule.id} class={rule.enabled ? undefined : 'disabled'}>
                <td>
                  {rule.title}
                  <div class="sub id">{rule.id}</div>
                </td>
                <td>
                  <SeverityBadge severity={rule.level} />
                </td>
                <td>
                  <span class={`badge rule-status rule-${rule.status}`}>{rule.status}</span>
                </td>
                <td>{rule.enabled ? 'yes' : <span class="muted">no</span>}</td>
                <td class="num">{num(rule.hits)}</td>
                <td>{rule.last_hit ? <span title={time(rule.last_hit)}>{ago(rule.last_hit)}</span> : <span class="muted">never</span>}</td>
                <td>
                  {techniques.map((t) => (
                    <span key={t} class="badge technique">
                      {t}
                    </span>
                  ))}
                  {tactics.length > 0 && <div class="sub">{tactics.join(', ')}</div>}
                  {other.length > 0 && <div class="sub">{other.join(', ')}</div>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {shown.length === 0 && <p class="empty">No rule matches the filter.</p>}
    </>
  );
}

export function RejectedTable({ rejected }: { rejected: RuleRejection[] }) {
  if (rejected.length === 0) return <p class="muted">Every rule was accepted.</p>;
  return (
    <table class="rejected">
      <caption class="sr-only">Rules that were rejected, with the reason</caption>
      <thead>
        <tr>
          <th scope="col">File</th>
          <th scope="col">Rule id</th>
          <th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {rejected.map((r, i) => (
          <tr key={`${r.file}-${r.rule_id ?? ''}-${i}`}>
            <td class="path">{r.file}</td>
            <td class="id">{r.rule_id ?? '—'}</td>
            <td>
              {r.reason}
              {r.kind && <div class="sub">{r.kind}</div>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
