import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, canWrite, liveEvents, type Principal } from '../api.ts';
import { ago, slaClock, time } from '../format.ts';
import { href, navigate } from '../router.ts';
import { ErrorBox, PriorityBadge, Section, SeverityBadge, StatusBadge } from '../components/common.tsx';
import { AlertsPanel } from '../components/incident-alerts.tsx';
import { EntitiesPanel, KillChainPanel, NotificationsPanel, RelatedChangesPanel, ScorePanel, TimelinePanel, type IncidentDetail } from '../components/incident-panels.tsx';
import { NotePanel, ObservablesPanel, TasksPanel, type IncidentOps } from '../components/incident-work.tsx';
import { OPEN_STATUSES, type Incident } from '../types.ts';
import './incident.css';

const STATUSES = ['new', 'acknowledged', 'investigating', 'contained', 'resolved', 'closed', 'false_positive'];
const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'];
const label = (status: string) => status.replace(/_/g, ' ');

/**
 * One incident: what it is and why it has its priority, how far the intruder got, what happened
 * (timeline), the alerts and their events down to the original record, and the analyst's work
 * (state, assignee, severity, notes, tasks, observables, merge and split). Live: it reloads when
 * triage or another analyst changes it.
 */
export function IncidentPage({ id, me }: { id: string; me: Principal }) {
  const [incident, setIncident] = useState<IncidentDetail | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [errors, setErrors] = useState<Record<string, unknown>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const [now, setNow] = useState(Date.now());
  const writable = canWrite(me);
  const path = `/api/v1/incidents/${encodeURIComponent(id)}`;
  const request = useRef(0);
  /** A message to show on the next incident's page (after a split). */
  const carried = useRef<string | null>(null);

  const load = useCallback(async () => {
    const mine = ++request.current;
    try {
      const detail = await api.get<IncidentDetail>(path);
      if (mine !== request.current) return;
      setIncident(detail);
      setLoadError(null);
    } catch (e) {
      if (mine === request.current) setLoadError(e);
    } finally {
      if (mine === request.current) setLoading(false);
    }
  }, [path]);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    setIncident(null);
    setLoading(true);
    setLoadError(null);
    setErrors({});
    setNotice(carried.current ?? '');
    carried.current = null;
    void load();
  }, [load]);

  // Live: triage and other analysts change the incident; reload (debounced) when it does.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = liveEvents((type, data) => {
      if (type !== 'incident' || !data || typeof data !== 'object') return;
      const changed = data as { id?: string; merged_into?: string | null };
      if (changed.id !== id && changed.merged_into !== id) return;
      clearTimeout(timer);
      timer = setTimeout(() => void loadRef.current(), 300);
    });
    const tick = setInterval(() => setNow(Date.now()), 30_000);
    return () => {
      stop();
      clearTimeout(timer);
      clearInterval(tick);
    };
  }, [id]);

  const act = async (key: string, done: string, action: () => Promise<unknown>, reload = true): Promise<boolean> => {
    setBusy(key);
    setNotice('');
    setErrors((old) => ({ ...old, [key]: null }));
    try {
      await action();
      setNotice(done);
      if (reload) await load();
      return true;
    } catch (e) {
      setErrors((old) => ({ ...old, [key]: e }));
      return false;
    } finally {
      setBusy(null);
    }
  };
  const ops: IncidentOps = {
    act: (key, done, action) => act(key, done, action),
    post: (sub, body) => api.post(`${path}/${sub}`, body),
    patchTask: (taskId, body) => api.patch(`${path}/tasks/${encodeURIComponent(taskId)}`, body),
  };
  const patch = (key: string, body: Record<string, unknown>, done: string) => act(key, done, () => api.patch<Incident>(path, body));

  const split = (alertIds: string[]) =>
    act(
      'split',
      '',
      async () => {
        const created = await api.post<Incident>(`${path}/split`, { alert_ids: alertIds });
        carried.current = `Split ${alertIds.length} alert${alertIds.length === 1 ? '' : 's'} out of ${id} into ${created.id}`;
        navigate(`/incidents/${encodeURIComponent(created.id)}`);
      },
      false,
    );

  if (!incident) {
    return (
      <div class="incident-page">
        <p>
          <a href={href('/queue')}>← Queue</a>
        </p>
        {loading ? (
          <p class="loading" role="status">
            Loading {id}…
          </p>
        ) : (
          <>
            <h1>{id}</h1>
            <ErrorBox error={loadError ?? 'Incident not found'} />
          </>
        )}
      </div>
    );
  }

  const isOpen = OPEN_STATUSES.includes(incident.status);
  const clock = isOpen ? slaClock(incident.acknowledged_at ? incident.sla?.resolve_due : incident.sla?.ack_due, now) : null;
  const breached = Boolean(incident.sla?.breached || clock?.breached);
  const writeBusy = busy !== null;

  return (
    <div class="incident-page">
      <p class="crumbs">
        <a href={href('/queue')}>← Queue</a>
      </p>
      <header class="incident-head">
        <h1>
          <span class="id">{incident.id}</span> {incident.title}
        </h1>
        <div class="badges">
          <span class="prio">
            <span class="sr-only">Priority </span>
            <PriorityBadge priority={incident.priority} /> <span class="score">score {Math.round(incident.score)}</span>
          </span>
          <span>
            <span class="sr-only">Severity </span>
            <SeverityBadge severity={incident.severity} />
          </span>
          {incident.severity_source === 'analyst' && <span class="sub">(set by an analyst)</span>}
          <span>
            <span class="sr-only">Status </span>
            <StatusBadge status={incident.status} />
          </span>
          {incident.flapping && <span class="badge flapping">flapping: notifications held</span>}
        </div>
        {incident.merged_into && (
          <p class="merged" role="note">
            Merged into <a href={href(`/incidents/${encodeURIComponent(incident.merged_into)}`)}>{incident.merged_into}</a>.
          </p>
        )}
        <dl class="facts">
          <div>
            <dt>Assignee</dt>
            <dd>{incident.assignee ?? <span class="muted">unassigned</span>}</dd>
          </div>
          <div>
            <dt>SLA</dt>
            <dd>
              {clock ? (
                <span class={breached ? 'sla breached' : 'sla'}>
                  {incident.acknowledged_at ? 'resolve: ' : 'acknowledge: '}
                  {clock.text}
                </span>
              ) : (
                <span class="muted">{isOpen ? 'no target' : 'stopped'}</span>
              )}
              {incident.sla?.breached && <span class="sla breached"> · breached{incident.sla.breaches?.length ? ` (${incident.sla.breaches.join(', ')})` : ''}</span>}
            </dd>
          </div>
          <div>
            <dt>Detected</dt>
            <dd>
              <time dateTime={incident.detected_at}>{time(incident.detected_at)}</time> <span class="sub">{ago(incident.detected_at, now)}</span>
            </dd>
          </div>
          <div>
            <dt>First seen</dt>
            <dd>
              <time dateTime={incident.first_seen}>{time(incident.first_seen)}</time>
            </dd>
          </div>
          <div>
            <dt>First evidence</dt>
            <dd>{incident.first_evidence_at ? <time dateTime={incident.first_evidence_at}>{time(incident.first_evidence_at)}</time> : <span class="muted">—</span>}</dd>
          </div>
          <div>
            <dt>Last seen</dt>
            <dd>
              <time dateTime={incident.last_seen}>{time(incident.last_seen)}</time> <span class="sub">{ago(incident.last_seen, now)}</span>
            </dd>
          </div>
          <div>
            <dt>Alerts</dt>
            <dd>
              {incident.alert_count} <span class="sub">({incident.occurrence_count} occurrences)</span>
            </dd>
          </div>
          {incident.acknowledged_at && (
            <div>
              <dt>Acknowledged</dt>
              <dd>
                <time dateTime={incident.acknowledged_at}>{time(incident.acknowledged_at)}</time>
              </dd>
            </div>
          )}
          {incident.resolved_at && (
            <div>
              <dt>Resolved</dt>
              <dd>
                <time dateTime={incident.resolved_at}>{time(incident.resolved_at)}</time>
              </dd>
            </div>
          )}
        </dl>
      </header>

      <p class="notice" role="status" aria-live="polite">
        {notice}
      </p>
      {loadError !== null && <ErrorBox error={loadError} />}

      {writable && <ActionsPanel incident={incident} busy={writeBusy} errors={errors} patch={patch} merge={(source) => act('merge', `Merged ${source} into ${incident.id}`, () => api.post(`${path}/merge`, { source }))} />}

      <div class="grid2">
        <div class="col">
          <ScorePanel incident={incident} />
          <KillChainPanel incident={incident} />
        </div>
        <div class="col">
          {writable && <NotePanel ops={ops} busy={writeBusy} error={errors.note} />}
          <EntitiesPanel incident={incident} />
          <RelatedChangesPanel changes={incident.related_changes ?? []} />
        </div>
      </div>
      <AlertsPanel key={incident.id} alerts={incident.alerts ?? []} writable={writable} busy={writeBusy} error={errors.split} onSplit={split} />
      <div class="grid2">
        <div class="col">
          <TimelinePanel entries={incident.timeline ?? []} now={now} />
        </div>
        <div class="col">
          <TasksPanel tasks={incident.tasks ?? []} writable={writable} ops={ops} busy={writeBusy} error={errors.tasks} />
          <ObservablesPanel observables={incident.observables ?? []} writable={writable} ops={ops} busy={writeBusy} error={errors.observables} />
          <NotificationsPanel notifications={incident.notifications ?? []} />
        </div>
      </div>
    </div>
  );
}

function ActionsPanel({
  incident,
  busy,
  errors,
  patch,
  merge,
}: {
  incident: IncidentDetail;
  busy: boolean;
  errors: Record<string, unknown>;
  patch: (key: string, body: Record<string, unknown>, done: string) => Promise<boolean>;
  merge: (source: string) => Promise<boolean>;
}) {
  const [status, setStatus] = useState('');
  const [reason, setReason] = useState('');
  const [assignee, setAssignee] = useState(incident.assignee ?? '');
  const [severity, setSeverity] = useState(incident.severity);
  const [source, setSource] = useState('');

  // Follow the server's values when they change (a reload, another analyst).
  useEffect(() => setAssignee(incident.assignee ?? ''), [incident.id, incident.assignee]);
  useEffect(() => setSeverity(incident.severity), [incident.id, incident.severity]);
  useEffect(() => setStatus(''), [incident.id, incident.status]);

  const others = STATUSES.filter((s) => s !== incident.status);
  const withReason = (body: Record<string, unknown>) => (reason.trim() ? { ...body, reason: reason.trim() } : body);

  return (
    <Section title="Actions" id="actions">
      <div class="actions">
        <form
          class="inline-form"
          aria-label="Change state"
          onSubmit={async (e) => {
            e.preventDefault();
            if (!status) return;
            if (await patch('status', withReason({ status }), `Status set to ${label(status)}`)) setReason('');
          }}
        >
          <button
            type="button"
            class="primary"
            disabled={busy}
            onClick={async () => {
              if (await patch('status', withReason({ status: 'acknowledged' }), 'Acknowledged')) setReason('');
            }}
          >
            Acknowledge
          </button>
          <label>
            Status
            <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
              <option value="" disabled>
                choose…
              </option>
              {others.map((s) => (
                <option key={s} value={s}>
                  {label(s)}
                </option>
              ))}
            </select>
          </label>
          <label class="grow">
            Reason (optional)
            <input value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} placeholder="why, for the timeline" />
          </label>
          <button type="submit" disabled={busy || !status}>
            Set status
          </button>
        </form>
        <ErrorBox error={errors.status} />

        <div class="action-row">
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              const name = assignee.trim();
              void patch('assignee', { assignee: name || null }, name ? `Assigned to ${name}` : 'Unassigned');
            }}
          >
            <label>
              Assignee
              <input value={assignee} onInput={(e) => setAssignee((e.target as HTMLInputElement).value)} placeholder="user name (empty: nobody)" />
            </label>
            <button type="submit" disabled={busy}>
              Assign
            </button>
          </form>

          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void patch('severity', { severity }, `Severity set to ${severity}`);
            }}
          >
            <label>
              Severity
              <select value={severity} onChange={(e) => setSeverity((e.target as HTMLSelectElement).value as typeof severity)}>
                {SEVERITIES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" disabled={busy}>
              Set severity
            </button>
          </form>

          <form
            class="inline-form"
            onSubmit={async (e) => {
              e.preventDefault();
              const from = source.trim();
              if (!from) return;
              if (await merge(from)) setSource('');
            }}
          >
            <label>
              Merge incident
              <input value={source} onInput={(e) => setSource((e.target as HTMLInputElement).value)} placeholder="INC-n" aria-describedby="merge-hint" />
            </label>
            <button type="submit" disabled={busy || source.trim() === ''}>
              Merge
            </button>
            <span id="merge-hint" class="sub">
              its alerts join {incident.id}
            </span>
          </form>
        </div>
        <ErrorBox error={errors.assignee} />
        <ErrorBox error={errors.severity} />
        <ErrorBox error={errors.merge} />
      </div>
    </Section>
  );
}
