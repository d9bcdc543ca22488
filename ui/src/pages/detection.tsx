import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { ErrorBox, Section } from '../components/common.tsx';
import { AttackMatrixView } from '../components/detection-matrix.tsx';
import { RejectedTable, RulesTable, type RuleSort } from '../components/detection-rules.tsx';
import type { AttackMatrix, RuleRejection, RuleSummary, RulesAnswer } from '../components/detection-model.tsx';
import './detection.css';
import { num } from '../format.ts';

/** Detection: the rules with status, hit counts and last hit; ATT&CK coverage; rules that were rejected. */
export function DetectionPage() {
  const [rules, setRules] = useState<RuleSummary[] | null>(null);
  const [rejected, setRejected] = useState<RuleRejection[]>([]);
  const [matrix, setMatrix] = useState<AttackMatrix | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [matrixError, setMatrixError] = useState<unknown>(null);
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<RuleSort>({ key: 'hits', desc: true });
  const [onlyCovered, setOnlyCovered] = useState(true);
  const filterRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    api
      .get<RulesAnswer>('/api/v1/rules')
      .then((answer) => {
        setRules(answer.items);
        setRejected(answer.rejected ?? []);
      })
      .catch(setError);
    api
      .get<AttackMatrix>('/api/v1/attack/matrix')
      .then(setMatrix)
      .catch((e) => setMatrixError(e instanceof ApiError && e.status === 404 ? new Error('This server does not serve the ATT&CK matrix (GET /api/v1/attack/matrix).') : e));
  }, []);

  // A covered cell shows its rules: the filter takes the technique id (its tags read attack.t1059...).
  const pick = useCallback((technique: string) => {
    setFilter(technique.toLowerCase());
    filterRef.current?.focus();
    filterRef.current?.scrollIntoView({ block: 'center' });
  }, []);

  const stats = useMemo(() => {
    if (!rules) return null;
    return { total: rules.length, enabled: rules.filter((r) => r.enabled).length, withHits: rules.filter((r) => r.hits > 0).length, hits: rules.reduce((sum, r) => sum + r.hits, 0) };
  }, [rules]);

  // The same element while its inputs stay the same: typing in the filter does not re-diff hundreds of cells.
  const matrixView = useMemo(() => (matrix && rules ? <AttackMatrixView matrix={matrix} rules={rules} onlyCovered={onlyCovered} onPick={pick} /> : null), [matrix, rules, onlyCovered, pick]);

  return (
    <div class="detection">
      <h1>Detection</h1>
      <ErrorBox error={error} />
      {stats && (
        <p class="detection-stats">
          <strong>{stats.total}</strong> rules · <strong>{stats.enabled}</strong> enabled · <strong>{stats.withHits}</strong> with hits · <strong>{num(stats.hits)}</strong> hits in all ·{' '}
          <strong>{rejected.length}</strong> rejected
        </p>
      )}

      <Section title="ATT&CK coverage" id="attack-coverage">
        <div class="matrix-controls">
          <label class="check">
            <input type="checkbox" checked={onlyCovered} onChange={(e) => setOnlyCovered((e.target as HTMLInputElement).checked)} /> Only covered
          </label>
          <p class="matrix-legend" aria-hidden="true">
            <span class="cell-swatch cov-none" /> no rule <span class="cell-swatch cov-rule" /> rule enabled <span class="cell-swatch cov-hit heat-1" /> rule with hits
            <span class="cell-swatch cov-hit heat-3" /> many hits · cells show rules · hits
          </p>
        </div>
        <ErrorBox error={matrixError} />
        {!matrix && !matrixError && <p class="loading">Loading the matrix…</p>}
        {matrixView}
      </Section>

      <Section title="Rules" id="rules">
        <div class="filters">
          <label class="grow">
            Filter rules
            <input ref={filterRef} type="search" value={filter} placeholder="title, id, level, tag (t1059, credential-access)…" onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
          </label>
          {filter && (
            <button type="button" onClick={() => setFilter('')}>
              Clear filter
            </button>
          )}
        </div>
        {rules ? <RulesTable rules={rules} filter={filter} sort={sort} onSort={setSort} /> : !error && <p class="loading">Loading rules…</p>}
      </Section>

      <Section title={`Rejected rules (${rejected.length})`} id="rejected-rules">
        <RejectedTable rejected={rejected} />
      </Section>
    </div>
  );
}
