import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, qs, type Page } from '../api.ts';
import { href, navigate } from '../router.ts';
import { time, num } from '../format.ts';
import { ErrorBox } from '../components/common.tsx';
import { ErrorAt } from '../components/search-error-at.tsx';
import { Histogram, type HistogramBucket } from '../components/search-histogram.tsx';
import { ResultTable, type EventRecord } from '../components/search-results.tsx';
import { addClause, FACET_FIELDS, facetClause, Facets, type Facet, type FacetValue } from '../components/search-facets.tsx';
import './search.css';

const PAGE = 50;

/** Time range presets: `from` relative to now, `to` open (now). */
const PRESETS: Array<{ key: string; label: string; from: string }> = [
  { key: '15m', label: 'Last 15 minutes', from: 'now-15m' },
  { key: '1h', label: 'Last hour', from: 'now-1h' },
  { key: '24h', label: 'Last 24 hours', from: 'now-24h' },
  { key: '7d', label: 'Last 7 days', from: 'now-7d' },
  { key: '30d', label: 'Last 30 days', from: 'now-30d' },
  { key: 'all', label: 'All time', from: '' },
];

const INTERVALS: Array<[string, string]> = [
  ['', 'automatic'],
  ['1m', '1 minute'],
  ['5m', '5 minutes'],
  ['1h', '1 hour'],
  ['1d', '1 day'],
];

function presetOf(from: string, to: string): string {
  if (to !== '') return 'custom';
  return PRESETS.find((p) => p.from === from)?.key ?? 'custom';
}

interface SearchState {
  q: string;
  from: string;
  to: string;
  sort: string;
  interval: string;
}

const paramsOf = (s: SearchState): Record<string, string | undefined> => ({
  q: s.q || undefined,
  from: s.from || undefined,
  to: s.to || undefined,
  sort: s.sort || undefined,
  interval: s.interval || undefined,
});

/** Which input an API error is about (the query, the range, the bucket size), to show it there. */
const errorField = (error: unknown): string | null => (error instanceof ApiError && error.status === 400 ? (error.field ?? null) : null);

/**
 * Event search: the query language with its error positions, a time range, matches over time,
 * the results with every record expandable, and facets that narrow the query. State lives in the
 * address (#/search?q=...&from=...&to=...), so a search can be shared and gone back to.
 */
export function SearchPage({ params }: { params: URLSearchParams }) {
  const applied: SearchState = {
    q: params.get('q') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    sort: params.get('sort') ?? '',
    interval: params.get('interval') ?? '',
  };
  const key = JSON.stringify(applied);

  const [qDraft, setQDraft] = useState(applied.q);
  const [fromDraft, setFromDraft] = useState(applied.from);
  const [toDraft, setToDraft] = useState(applied.to);
  const [rerun, setRerun] = useState(0);

  const [events, setEvents] = useState<EventRecord[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [moreLoading, setMoreLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [histogram, setHistogram] = useState<{ interval_ms: number; buckets: HistogramBucket[] } | null>(null);
  const [histogramError, setHistogramError] = useState<unknown>(null);
  const [facets, setFacets] = useState<Facet[]>([]);
  const [searched, setSearched] = useState(false);
  const seq = useRef(0);
  const queryInput = useRef<HTMLInputElement>(null);

  // The address changed (a link, back, a facet): the form shows what runs.
  useEffect(() => {
    setQDraft(applied.q);
    setFromDraft(applied.from);
    setToDraft(applied.to);
  }, [applied.q, applied.from, applied.to]);

  useEffect(() => {
    const run = ++seq.current;
    const current = () => seq.current === run;
    const base = { q: applied.q, from: applied.from, to: applied.to };
    setLoading(true);
    setError(null);
    setHistogramError(null);

    const results = api.get<Page<EventRecord>>(`/api/v1/events${qs({ ...base, sort: applied.sort, limit: PAGE })}`);
    results
      .then(
      (page) => {
        if (!current()) return;
        setEvents(page.items);
        setCursor(page.next_cursor);
        setError(null);
      },
      (e) => {
        if (!current()) return;
        setEvents([]);
        setCursor(null);
        setError(e);
      },
    )
      .finally(() => {
        if (!current()) return;
        setLoading(false);
        setSearched(true);
      });

    // The histogram's range: the one asked for; an open start (all time) starts at the oldest match.
    const histogramRange = async (): Promise<{ from?: string; to?: string } | null> => {
      if (applied.from) return { from: applied.from, to: applied.to || undefined };
      const edge = (sort: string) => api.get<Page<EventRecord>>(`/api/v1/events${qs({ ...base, sort, limit: 1 })}`).then((p) => p.items[0]);
      const [oldest, newest] = await Promise.all([edge('@timestamp'), applied.to ? Promise.resolve(undefined) : edge('-@timestamp')]);
      const oldestMs = oldest ? Date.parse(String(oldest['@timestamp'])) : NaN;
      if (Number.isNaN(oldestMs)) return null;
      const newestMs = newest ? Date.parse(String(newest['@timestamp'])) : NaN;
      // At least an hour wide, so a burst at one instant still gets a readable axis.
      const start = Math.floor(oldestMs / 60_000) * 60_000;
      const last = Number.isNaN(newestMs) ? oldestMs : newestMs;
      const to = applied.to || new Date(Math.max(last + 1000, start + 3_600_000)).toISOString();
      return { from: new Date(start).toISOString(), to };
    };
    histogramRange()
      .then((range) =>
        range === null ? { interval_ms: 0, buckets: [] } : api.get<{ interval_ms: number; buckets: HistogramBucket[] }>(`/api/v1/events/histogram${qs({ q: applied.q, ...range, interval: applied.interval })}`),
      )
      .then(
        (h) => current() && setHistogram(h),
        (e) => {
          if (!current()) return;
          setHistogram(null);
          setHistogramError(e);
        },
      );

    Promise.all(
      FACET_FIELDS.map((field) =>
        api.get<{ field: string; items: FacetValue[] }>(`/api/v1/events/fields/${encodeURIComponent(field)}/top${qs({ ...base, limit: 8 })}`).then(
          (r): Facet => ({ field, items: r.items }),
          (e): Facet => ({ field, items: [], error: e instanceof Error ? e.message : String(e) }),
        ),
      ),
    ).then((list) => {
      if (current()) setFacets(list);
    });


  }, [key, rerun]);

  const more = async () => {
    if (!cursor) return;
    const run = seq.current;
    setMoreLoading(true);
    try {
      const page = await api.get<Page<EventRecord>>(`/api/v1/events${qs({ q: applied.q, from: applied.from, to: applied.to, sort: applied.sort, limit: PAGE, cursor })}`);
      if (run !== seq.current) return;
      setEvents((old) => [...old, ...page.items]);
      setCursor(page.next_cursor);
    } catch (e) {
      if (run === seq.current) setError(e);
    } finally {
      setMoreLoading(false);
    }
  };

  /** Puts a search in the address; the same search again runs again. */
  const go = (next: SearchState) => {
    const target = href('/search', paramsOf(next));
    if (location.hash === target) setRerun((n) => n + 1);
    else navigate('/search', paramsOf(next));
  };

  const submit = (e: Event) => {
    e.preventDefault();
    go({ ...applied, q: qDraft.trim(), from: fromDraft.trim(), to: toDraft.trim() });
  };

  const pickPreset = (keyName: string) => {
    if (keyName === 'custom') {
      document.getElementById('search-from')?.focus();
      return;
    }
    const preset = PRESETS.find((p) => p.key === keyName)!;
    setFromDraft(preset.from);
    setToDraft('');
    go({ ...applied, q: qDraft.trim(), from: preset.from, to: '' });
  };

  const pickFacet = (field: string, value: string | number | boolean) => {
    const q = addClause(applied.q, facetClause(field, value));
    setQDraft(q);
    go({ ...applied, q });
  };

  const goToError = (position: number) => {
    const input = queryInput.current;
    if (!input) return;
    input.focus();
    input.setSelectionRange(position, Math.min(position + 1, input.value.length));
  };

  const field = errorField(error);
  const queryError = field === 'q' ? error : null;
  const fromError = field === 'from' ? error : null;
  const toError = field === 'to' ? error : null;
  const otherError = error && !queryError && !fromError && !toError ? error : null;
  // The histogram and facets fail the same way when the query does: say it once.
  const histogramOwnError = histogramError && !(errorField(histogramError) && errorField(histogramError) === field) ? histogramError : null;
  const preset = presetOf(applied.from, applied.to);
  const total = histogram?.buckets.reduce((sum, b) => sum + b.count, 0) ?? null;
  const rangeText = preset === 'custom' ? `${applied.from || 'the beginning'} to ${applied.to || 'now'}` : PRESETS.find((p) => p.key === preset)!.label.toLowerCase();

  return (
    <div class="search-page">
      <h1>Search</h1>
      <form class="search-form" role="search" aria-label="Search events" onSubmit={submit} noValidate>
        <div class="search-row">
          <label class="grow">
            Query
            <input
              ref={queryInput}
              id="search-q"
              name="q"
              type="search"
              value={qDraft}
              onInput={(e) => setQDraft((e.target as HTMLInputElement).value)}
              placeholder="host.name:web* AND NOT event.outcome:success"
              autocomplete="off"
              spellcheck={false}
              aria-invalid={queryError ? 'true' : undefined}
              aria-describedby={queryError ? 'search-q-error search-q-help' : 'search-q-help'}
            />
          </label>
          <button type="submit" class="primary">
            Search
          </button>
        </div>
        <p id="search-q-help" class="hint">
          Field values <code>host.name:web01</code>, wildcards <code>web*</code>, <code>"quoted text"</code>, <code>AND</code> <code>OR</code> <code>NOT</code>, ranges{' '}
          <code>source.port &gt;= 1024</code>; bare words search the message.
        </p>
        <ErrorAt id="search-q-error" error={queryError} text={applied.q} onGoTo={goToError} />
        <div class="search-row">
          <label>
            Time range
            <select value={preset} onChange={(e) => pickPreset((e.target as HTMLSelectElement).value)}>
              {PRESETS.map((p) => (
                <option key={p.key} value={p.key}>
                  {p.label}
                </option>
              ))}
              <option value="custom">Custom…</option>
            </select>
          </label>
          <label>
            From
            <input
              id="search-from"
              name="from"
              value={fromDraft}
              onInput={(e) => setFromDraft((e.target as HTMLInputElement).value)}
              placeholder="now-24h or 2026-03-01T00:00:00Z"
              aria-invalid={fromError ? 'true' : undefined}
              aria-describedby={fromError ? 'search-range-error' : undefined}
            />
          </label>
          <label>
            To
            <input
              id="search-to"
              name="to"
              value={toDraft}
              onInput={(e) => setToDraft((e.target as HTMLInputElement).value)}
              placeholder="now"
              aria-invalid={toError ? 'true' : undefined}
              aria-describedby={toError ? 'search-range-error' : undefined}
            />
          </label>
          <label>
            Order
            <select value={applied.sort === '@timestamp' ? '@timestamp' : ''} onChange={(e) => go({ ...applied, q: qDraft.trim(), sort: (e.target as HTMLSelectElement).value })}>
              <option value="">newest first</option>
              <option value="@timestamp">oldest first</option>
            </select>
          </label>
          <label>
            Bucket size
            <select value={applied.interval} onChange={(e) => go({ ...applied, q: qDraft.trim(), interval: (e.target as HTMLSelectElement).value })}>
              {INTERVALS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        </div>
        {(fromError || toError) && (
          <p role="alert" class="error" id="search-range-error">
            {(error as Error).message}
          </p>
        )}
      </form>

      <ErrorBox error={otherError} />
      <p class="search-status" role="status" aria-live="polite">
        {loading
          ? 'Searching…'
          : searched && !error
            ? `${total !== null ? `${num(total)} match${total === 1 ? '' : 'es'}` : `${num(events.length)} shown`} · ${rangeText}${applied.q ? ` · ${applied.q}` : ''}`
            : ''}
      </p>

      <section class="panel" aria-labelledby="search-histogram-h">
        <h2 id="search-histogram-h">Matches over time</h2>
        <ErrorBox error={histogramOwnError} />
        {histogram && !error ? <Histogram buckets={histogram.buckets} intervalMs={histogram.interval_ms} /> : !histogramOwnError && !error && <p class="muted">…</p>}
      </section>

      <div class="search-body">
        <section class="panel search-results" aria-labelledby="search-results-h">
          <h2 id="search-results-h">Events</h2>
          {error ? <p class="muted">No results: the search could not run (see above).</p> : <ResultTable key={key + rerun} events={events} busy={loading} />}
          {!loading && searched && !error && events.length === 0 && <p class="empty">{`No events match${rangeText === 'all time' ? '' : ` in ${rangeText}`}.`}</p>}
          {cursor && !error && (
            <p>
              <button type="button" onClick={more} disabled={moreLoading}>
                More
              </button>{' '}
              <span class="muted">
                {num(events.length)} shown{events.length > 0 ? `, back to ${time(String(events[events.length - 1]!['@timestamp']))}` : ''}
              </span>
            </p>
          )}
        </section>
        <aside class="panel search-facets" aria-labelledby="search-facets-h">
          <h2 id="search-facets-h">Fields</h2>
          <p class="hint">Choose a value to add it to the search.</p>
          {!error && <Facets facets={facets} onPick={pickFacet} busy={loading} />}
        </aside>
      </div>
    </div>
  );
}
