import { num } from '../format.ts';

/** Field facets: the most frequent values of a few fields among the matches; a value adds itself to the query. */

export const FACET_FIELDS = ['host.name', 'user.name', 'event.action', 'event.category', 'source.ip', 'event.outcome'];

export interface FacetValue {
  value: string | number | boolean | null;
  count: number;
}

export interface Facet {
  field: string;
  items: FacetValue[];
  error?: string;
}

/** `field:"value"` with the quotes and backslashes inside escaped, as the query language reads them. */
export function facetClause(field: string, value: string | number | boolean): string {
  const text = String(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return `${field}:"${text}"`;
}

/** Is there an OR outside quotes (so the query needs parentheses before another AND)? */
function hasTopLevelOr(query: string): boolean {
  const unquoted = query.replace(/"(?:[^"\\]|\\.)*"?/g, '""');
  return /(^|[\s()])or($|[\s()])/i.test(unquoted);
}

/** The query with `clause` ANDed on (unless it is already there). */
export function addClause(query: string, clause: string): string {
  const q = query.trim();
  if (q === '') return clause;
  if (q === clause || q.endsWith(` AND ${clause}`) || q.startsWith(`${clause} AND `) || q.includes(` AND ${clause} AND `)) return q;
  return hasTopLevelOr(q) ? `(${q}) AND ${clause}` : `${q} AND ${clause}`;
}

export function Facets({ facets, onPick, busy }: { facets: Facet[]; onPick: (field: string, value: string | number | boolean) => void; busy: boolean }) {
  return (
    <div class="facets" aria-busy={busy ? 'true' : 'false'}>
      {facets.map((facet) => {
        const values = facet.items.filter((item): item is FacetValue & { value: string | number | boolean } => item.value !== null && item.value !== '');
        const max = Math.max(1, ...values.map((v) => v.count));
        return (
          <section key={facet.field} class="facet" aria-labelledby={`facet-${facet.field}`}>
            <h3 id={`facet-${facet.field}`}>{facet.field}</h3>
            {facet.error ? (
              <p class="muted">{facet.error}</p>
            ) : values.length === 0 ? (
              <p class="muted">No values.</p>
            ) : (
              <ul>
                {values.map((item) => (
                  <li key={String(item.value)}>
                    <button type="button" class="facet-value" onClick={() => onPick(facet.field, item.value)} title={`Add ${facetClause(facet.field, item.value)} to the search`}>
                      <span class="sr-only">{facet.field}: </span>
                      <span class="facet-text">{String(item.value)}</span> <span class="facet-count">({num(item.count)})</span>
                      <svg class="facet-bar" viewBox="0 0 100 4" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                        <rect x="0" y="0" width={(item.count / max) * 100} height="4" />
                      </svg>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </section>
        );
      })}
    </div>
  );
}
