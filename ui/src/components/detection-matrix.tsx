import { useMemo } from 'preact/hooks';
import { coverageByTechnique, coverageClass, heat, plural, type AttackMatrix, type Coverage, type RuleSummary } from './detection-model.tsx';

/**
 * The ATT&CK matrix: one column per tactic, in the matrix's order; a cell per (parent) technique,
 * shaded by coverage (no rule, rule enabled, rule with hits, darker with more hits). Every cell
 * says the same in text for screen readers; covered cells are buttons that filter the rules table.
 */

interface Cell {
  id: string;
  name: string;
  cov: Coverage | undefined;
}

function describe(cell: Cell): string {
  const cov = cell.cov;
  if (!cov || cov.rules.length === 0) return 'no rule';
  const disabled = cov.rules.length - cov.enabled;
  const parts = [plural(cov.enabled, 'enabled rule'), ...(disabled > 0 ? [`${disabled} disabled`] : []), plural(cov.hits, 'hit')];
  return parts.join(', ');
}

function cellTitle(cell: Cell): string {
  const cov = cell.cov;
  const base = `${cell.id} ${cell.name}: ${describe(cell)}`;
  if (!cov || cov.rules.length === 0) return base;
  const subs = cov.subtechniques.length ? `\nSub-techniques: ${cov.subtechniques.join(', ')}` : '';
  return `${base}${subs}\n${cov.rules.map((r) => `• ${r.title} (${r.hits} hits${r.enabled ? '' : ', disabled'})`).join('\n')}`;
}

function MatrixCell({ cell, maxHits, onPick }: { cell: Cell; maxHits: number; onPick: (technique: string) => void }) {
  const cls = coverageClass(cell.cov);
  const level = cls === 'cov-hit' ? heat(cell.cov!.hits, maxHits) : 0;
  const covered = cls !== 'cov-none';
  const content = (
    <>
      <span class="tid">{cell.id}</span>
      <span class="tname">{cell.name}</span>
      {covered && (
        <span class="tcount" aria-hidden="true">
          {cell.cov!.rules.length} · {cell.cov!.hits}
        </span>
      )}
      <span class="sr-only">: {describe(cell)}</span>
    </>
  );
  return (
    <li class={`cell ${cls}${level ? ` heat-${level}` : ''}`} data-technique={cell.id} title={cellTitle(cell)}>
      {covered ? (
        <button type="button" class="cell-btn" onClick={() => onPick(cell.id)} aria-describedby="matrix-pick-hint">
          {content}
        </button>
      ) : (
        <span class="cell-body">{content}</span>
      )}
    </li>
  );
}

export function AttackMatrixView({ matrix, rules, onlyCovered, onPick }: { matrix: AttackMatrix; rules: RuleSummary[]; onlyCovered: boolean; onPick: (technique: string) => void }) {
  const coverage = useMemo(() => coverageByTechnique(rules), [rules]);

  // Parent techniques per tactic, computed once per matrix (hundreds of cells).
  const columns = useMemo(() => {
    const parents = matrix.techniques.filter((t) => !t.subtechnique && !t.id.includes('.'));
    return matrix.tactics.map((tactic) => ({ tactic, techniques: parents.filter((t) => t.tactics.includes(tactic.shortname)) }));
  }, [matrix]);

  const view = useMemo(() => {
    const known = new Set(matrix.techniques.filter((t) => !t.id.includes('.')).map((t) => t.id));
    let maxHits = 0;
    for (const cov of coverage.values()) maxHits = Math.max(maxHits, cov.hits);
    const cols = columns.map(({ tactic, techniques }) => {
      const cells: Cell[] = techniques.map((t) => ({ id: t.id, name: t.name, cov: coverage.get(t.id) }));
      const covered = cells.filter((c) => (c.cov?.enabled ?? 0) > 0);
      return { tactic, total: cells.length, covered: covered.length, withHits: covered.filter((c) => c.cov!.hits > 0).length, cells: onlyCovered ? cells.filter((c) => c.cov && c.cov.rules.length > 0) : cells };
    });
    const coveredIds = [...coverage.keys()].filter((id) => known.has(id) && coverage.get(id)!.enabled > 0);
    const unknown = [...coverage.keys()].filter((id) => !known.has(id)).sort();
    return { cols, maxHits, totalTechniques: known.size, covered: coveredIds.length, withHits: coveredIds.filter((id) => coverage.get(id)!.hits > 0).length, unknown };
  }, [columns, coverage, onlyCovered]);

  const bare = view.cols.filter((c) => c.covered === 0).map((c) => c.tactic.name);
  const summary = `${view.covered} of ${view.totalTechniques} techniques covered by enabled rules, ${view.withHits} of them with hits. ${bare.length ? `Tactics without coverage: ${bare.join(', ')}.` : 'Every tactic has coverage.'}`;

  return (
    <div class="matrix-wrap">
      <p class="matrix-summary">{summary}</p>
      <p id="matrix-pick-hint" class="sr-only">
        Shows the rules for this technique in the rules table.
      </p>
      <div class="attack-matrix" role="region" aria-label="ATT&CK coverage matrix" tabIndex={0}>
        {view.cols.map((col) => (
          <section key={col.tactic.id} class="tactic" aria-labelledby={`tactic-${col.tactic.id}`}>
            <h3 id={`tactic-${col.tactic.id}`} title={`${col.tactic.id} ${col.tactic.name}`}>
              {col.tactic.name}
              <span class="tactic-count">
                {col.covered}/{col.total}
                <span class="sr-only"> techniques covered</span>
              </span>
            </h3>
            {col.cells.length === 0 ? (
              <p class="muted cell-empty">{onlyCovered ? 'none covered' : 'no technique'}</p>
            ) : (
              <ul>
                {col.cells.map((cell) => (
                  <MatrixCell key={cell.id} cell={cell} maxHits={view.maxHits} onPick={onPick} />
                ))}
              </ul>
            )}
          </section>
        ))}
      </div>
      {view.unknown.length > 0 && (
        <p class="muted">
          Techniques named by rules but not in this matrix: {view.unknown.join(', ')}.
        </p>
      )}
    </div>
  );
}
