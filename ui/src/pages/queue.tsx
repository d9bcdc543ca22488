import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, canWrite, liveEvents, qs, type Page, type Principal } from '../api.ts';
import { ago, slaClock } from '../format.ts';
import { href, navigate } from '../router.ts';
import { ErrorBox, KillChainStrip, PriorityBadge, SeverityBadge, StatusBadge } from '../components/common.tsx';
import { OPEN_STATUSES, type Incident } from '../types.ts';

const PAGE = 50;
const PRIORITY_RANK: Record<string, number> = { P1: 1, P2: 2, P3: 3, P4: 4, P5: 5 };
const byRank = (a: Incident, b: Incident) => (PRIORITY_RANK[a.priority] ?? 9) - (PRIORITY_RANK[b.priority] ?? 9) || b.score - a.score || a.id.localeCompare(b.id);

/** The verdict the queue shows for an incident's most likely change. */
const changeVerdict = (incident: Incident) => incident.related_changes?.[0]?.verdict ?? null;

/**
 * The analyst's queue: open incidents by priority, with what decides the order on each row;
 * filters in the address; bulk acknowledge and assign; rows update live as triage commits.
 */
export function Queue({ me, params }: { me: Principal; params: URLSearchParams }) {
  const status = params.get('status') ?? 'open';
  const q = params.get('q') ?? '';
  const priority = params.get('priority') ?? '';
  const [items, setItems] = useState<Incident[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [assignee, setAssignee] = useState('');
  const [notice, setNotice] = useState('');
  const [now, setNow] = useState(Date.now());
  const writable = canWrite(me);
  const filtersRef = useRef({ status, priority });
  filtersRef.current = { status, priority };

  const query = useMemo(() => [q, priority ? `priority:${priority}` : ''].filter(Boolean).join(' AND '), [q, priority]);

  const load = async (after?: string) => {
    setLoading(true);
    try {
      const page = await api.get<Page<Incident>>(`/api/v1/incidents${qs({ status, q: query, sort: '-score', limit: PAGE, cursor: after })}`);
      setItems((old) => (after ? [...old, ...page.items] : page.items));
      setCursor(page.next_cursor);
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    setSelected(new Set());
    void load();
  }, [status, query]);

  // Live: an incident that changed replaces its row, a new one that fits the filter joins.
  useEffect(() => {
    const stop = liveEvents((type, data) => {
      if (type !== 'incident') return;
      const incident = data as Incident;
      setItems((old) => {
        const { status: wanted, priority: wantedPriority } = filtersRef.current;
        const fits = (wanted === 'open' ? OPEN_STATUSES.includes(incident.status) : wanted === 'all' || wanted.split(',').includes(incident.status)) && (!wantedPriority || incident.priority === wantedPriority);
        const rest = old.filter((i) => i.id !== incident.id);
        return fits ? [...rest, incident] : rest;
      });
    });
    const tick = setInterval(() => setNow(Date.now()), 30_000);
    return () => {
      stop();
      clearInterval(tick);
    };
  }, []);

  const sorted = useMemo(() => [...items].sort(byRank), [items]);
  const toggle = (id: string) =>
    setSelected((old) => {
      const next = new Set(old);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const allSelected = sorted.length > 0 && sorted.every((i) => selected.has(i.id));

  const bulk = async (patch: Record<string, unknown>, what: string) => {
    const ids = [...selected];
    const failed: string[] = [];
    for (const id of ids) {
      try {
        const updated = await api.patch<Incident>(`/api/v1/incidents/${encodeURIComponent(id)}`, patch);
        setItems((old) => old.map((i) => (i.id === id ? updated : i)));
      } catch (e) {
        failed.push(`${id}: ${(e as Error).message}`);
      }
    }
    setNotice(failed.length ? `${what} failed for ${failed.join('; ')}` : `${what}: ${ids.length} incident${ids.length === 1 ? '' : 's'}`);
    setSelected(new Set());
  };

  const setFilter = (key: string, value: string) => navigate('/queue', { status, q, priority, [key]: value });

  return (
    <div class="queue">
      <h1>Queue</h1>
      <form
        class="filters"
        role="search"
        aria-label="Filter incidents"
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.target as HTMLFormElement);
          navigate('/queue', { status: String(data.get('status')), priority: String(data.get('priority')), q: String(data.get('q')) });
        }}
      >
        <label>
          Status
          <select name="status" value={status} onChange={(e) => setFilter('status', (e.target as HTMLSelectElement).value)}>
            <option value="open">open</option>
            {['new', 'acknowledged', 'investigating', 'contained', 'resolved', 'closed', 'false_positive'].map((s) => (
              <option key={s} value={s}>
                {s.replace('_', ' ')}
              </option>
            ))}
            <option value="all">all</option>
          </select>
        </label>
        <label>
          Priority
          <select name="priority" value={priority} onChange={(e) => setFilter('priority', (e.target as HTMLSelectElement).value)}>
            <option value="">any</option>
            {['P1', 'P2', 'P3', 'P4', 'P5'].map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label class="grow">
          Query
          <input name="q" type="search" value={q} placeholder='assignee:alice AND services:payments' />
        </label>
        <button type="submit">Filter</button>
      </form>

      {writable && (
        <div class="bulk" role="group" aria-label="Bulk actions on selected incidents">
          <span aria-live="polite">{selected.size} selected</span>
          <button type="button" disabled={selected.size === 0} onClick={() => bulk({ status: 'acknowledged' }, 'Acknowledged')}>
            Acknowledge
          </button>
          <label>
            Assignee
            <input value={assignee} onInput={(e) => setAssignee((e.target as HTMLInputElement).value)} placeholder="user name" />
          </label>
          <button type="button" disabled={selected.size === 0 || assignee.trim() === ''} onClick={() => bulk({ assignee: assignee.trim() }, `Assigned to ${assignee.trim()}`)}>
            Assign
          </button>
        </div>
      )}
      <p class="notice" role="status" aria-live="polite">
        {notice}
      </p>
      <ErrorBox error={error} />

      <table class="incidents">
        <caption class="sr-only">Open incidents, most urgent first</caption>
        <thead>
          <tr>
            {writable && (
              <th scope="col">
                <input type="checkbox" aria-label="Select all" checked={allSelected} onChange={() => setSelected(allSelected ? new Set() : new Set(sorted.map((i) => i.id)))} />
              </th>
            )}
            <th scope="col">Priority</th>
            <th scope="col">Incident</th>
            <th scope="col">Severity</th>
            <th scope="col">Status</th>
            <th scope="col">Assignee</th>
            <th scope="col">Services</th>
            <th scope="col">Kill chain</th>
            <th scope="col">Change</th>
            <th scope="col">SLA</th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((incident) => {
            const acknowledged = incident.acknowledged_at !== null;
            const clock = slaClock(acknowledged ? incident.sla?.resolve_due : incident.sla?.ack_due, now);
            const verdict = changeVerdict(incident);
            return (
              <tr key={incident.id} class={selected.has(incident.id) ? 'selected' : ''} data-incident={incident.id}>
                {writable && (
                  <td>
                    <input type="checkbox" aria-label={`Select ${incident.id}`} checked={selected.has(incident.id)} onChange={() => toggle(incident.id)} />
                  </td>
                )}
                <td>
                  <PriorityBadge priority={incident.priority} /> <span class="score">{Math.round(incident.score)}</span>
                </td>
                <td>
                  <a href={href(`/incidents/${encodeURIComponent(incident.id)}`)}>
                    <span class="id">{incident.id}</span> {incident.title}
                  </a>
                  <div class="sub">
                    {incident.alert_count} alert{incident.alert_count === 1 ? '' : 's'} · {[...incident.entities.hosts.slice(0, 3), ...incident.entities.users.slice(0, 2)].join(', ')}
                  </div>
                </td>
                <td>
                  <SeverityBadge severity={incident.severity} />
                </td>
                <td>
                  <StatusBadge status={incident.status} />
                </td>
                <td>{incident.assignee ?? <span class="muted">unassigned</span>}</td>
                <td>{incident.services.slice(0, 3).join(', ') || <span class="muted">—</span>}</td>
                <td>
                  <KillChainStrip phases={incident.kill_chain} compact />
                </td>
                <td>{verdict ? <span class={`verdict v-${verdict}`}>{verdict}</span> : <span class="muted">no change</span>}</td>
                <td>{clock ? <span class={clock.breached || incident.sla?.breached ? 'sla breached' : 'sla'}>{clock.text}</span> : <span class="muted">—</span>}</td>
                <td>{ago(incident.last_seen, now)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {!loading && sorted.length === 0 && <p class="empty">No incidents match.</p>}
      {cursor && (
        <button type="button" onClick={() => load(cursor)} disabled={loading}>
          More
        </button>
      )}
    </div>
  );
}
