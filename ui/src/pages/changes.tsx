import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, canWrite, qs, type Principal } from '../api.ts';
import { time } from '../format.ts';
import { href, navigate } from '../router.ts';
import { ErrorBox, Section, StatusBadge } from '../components/common.tsx';
import { WeekCalendar } from '../components/changes-calendar.tsx';
import { CreateChangeForm } from '../components/changes-form.tsx';
import { ChangeDetailView } from '../components/changes-detail.tsx';
import { DAY_MS, conflictingIds, isoDay, mondayOf, weekStart, type CalendarView } from '../components/changes-model.tsx';
import './changes.css';

/**
 * Change management: the week calendar (#/changes?week=YYYY-MM-DD, UTC, Monday first) with freeze
 * windows and conflicts, the request form, and a change's own page (#/changes/CHG-n).
 */
export function ChangesPage({ me, path, params }: { me: Principal; path: string; params: URLSearchParams }) {
  const rest = path.replace(/^\/changes\/?/, '');
  if (rest) return <ChangeDetailView id={decodeURIComponent(rest)} me={me} />;
  return <WeekView me={me} params={params} />;
}

function WeekView({ me, params }: { me: Principal; params: URLSearchParams }) {
  const week = weekStart(params.get('week'));
  const [view, setView] = useState<CalendarView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    let stale = false;
    setLoading(true);
    api
      .get<CalendarView>(`/api/v1/changes/calendar${qs({ from: new Date(week).toISOString(), to: new Date(week + 7 * DAY_MS).toISOString() })}`)
      .then((answer) => {
        if (stale) return;
        setView(answer);
        setError(null);
      })
      .catch((e) => !stale && setError(e))
      .finally(() => !stale && setLoading(false));
    return () => {
      stale = true;
    };
  }, [week]);

  const conflicts = useMemo(() => (view ? conflictingIds(view) : new Set<string>()), [view]);
  const sorted = useMemo(() => (view ? [...view.changes].sort((a, b) => Date.parse(a.window.start) - Date.parse(b.window.start) || a.id.localeCompare(b.id, 'en', { numeric: true })) : []), [view]);
  const goWeek = (ms: number) => navigate('/changes', { week: isoDay(ms) });
  const thisWeek = mondayOf(Date.now());
  const weekEnd = week + 7 * DAY_MS;

  return (
    <div class="changes">
      <h1>Changes</h1>
      <div class="week-nav" role="group" aria-label="Choose the week">
        <button type="button" onClick={() => goWeek(week - 7 * DAY_MS)}>
          ← Previous week
        </button>
        <button type="button" onClick={() => goWeek(thisWeek)}>
          This week
        </button>
        <button type="button" onClick={() => goWeek(week + 7 * DAY_MS)}>
          Next week →
        </button>
        <h2 class="week-title" aria-live="polite">
          Week of {isoDay(week)} – {isoDay(weekEnd - DAY_MS)} (UTC)
        </h2>
      </div>
      <ErrorBox error={error} />

      {view && (
        <div class="calendar-wrap" aria-busy={loading ? 'true' : 'false'}>
          <WeekCalendar view={view} week={week} />
          <p class="legend" aria-hidden="true">
            <span class="swatch freeze-swatch" /> freeze window <span class="swatch change-swatch" /> change <span class="swatch conflict-swatch" /> conflict
          </p>
        </div>
      )}
      {loading && !view && <p class="loading">Loading the calendar…</p>}

      {view && (
        <Section title={`Changes this week (${sorted.length})`} id="week-changes">
          {sorted.length === 0 ? (
            <p class="empty">No change is planned this week.</p>
          ) : (
            <table class="week-list">
              <caption class="sr-only">Changes whose window falls in the week of {isoDay(week)}, by start time</caption>
              <thead>
                <tr>
                  <th scope="col">Change</th>
                  <th scope="col">Status</th>
                  <th scope="col">Type</th>
                  <th scope="col">Window (UTC)</th>
                  <th scope="col">Assets and services</th>
                  <th scope="col">Conflict</th>
                </tr>
              </thead>
              <tbody>
                {sorted.map((c) => {
                  const conflict = conflicts.has(c.id);
                  const withIds = [...new Set([...c.conflicts.map((x) => x.change_id), ...view.conflicts.filter((x) => x.change === c.id).map((x) => x.change_id), ...view.conflicts.filter((x) => x.change_id === c.id).map((x) => x.change)])];
                  return (
                    <tr key={c.id} class={conflict ? 'conflict' : undefined} data-change={c.id}>
                      <td>
                        <a href={href(`/changes/${encodeURIComponent(c.id)}`)}>
                          <span class="id">{c.id}</span> {c.title}
                        </a>
                        {c.emergency && <span class="badge emergency">emergency</span>}
                      </td>
                      <td>
                        <StatusBadge status={c.status} />
                      </td>
                      <td>{c.type}</td>
                      <td>
                        {time(c.window.start)} – {time(c.window.end)}
                      </td>
                      <td>{[...c.assets, ...c.services].join(', ') || <span class="muted">—</span>}</td>
                      <td>
                        {conflict ? (
                          <>
                            <span class="badge conflict-badge">conflict</span>{' '}
                            {withIds.map((other, i) => (
                              <span key={other}>
                                {i > 0 && ', '}
                                <a href={href(`/changes/${encodeURIComponent(other)}`)}>{other}</a>
                              </span>
                            ))}
                          </>
                        ) : (
                          <span class="muted">none</span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          {view.freezes.length > 0 && (
            <>
              <h3>Freeze windows</h3>
              <ul class="plain freeze-list">
                {view.freezes.map((f, i) => (
                  <li key={i}>
                    <strong>{f.policy}</strong> <span class="badge">{f.action.replace('_', ' ')}</span> {time(f.start)} – {time(f.end)}
                  </li>
                ))}
              </ul>
            </>
          )}
        </Section>
      )}

      {canWrite(me) && (
        <Section title="Request a change" id="new-change">
          <CreateChangeForm />
        </Section>
      )}
    </div>
  );
}
