import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, canWrite, qs, type Page, type Principal } from '../api.ts';
import { ago, time } from '../format.ts';
import { href } from '../router.ts';
import { ErrorBox, PriorityBadge, Section, StatusBadge } from './common.tsx';
import type { Alert, Incident } from '../types.ts';
import { CHANGE_ACTIONS, DAY_MS, isoDay, mondayOf, safeHref, type ChangeDetail, type ObservedChange } from './changes-model.tsx';

interface Explains {
  incidents: Incident[];
  alerts: Alert[];
  observed: ObservedChange[];
}

/** What the verdicts section could learn: the explains answer, or (without that route) observed changes only. */
type Verdicts = { kind: 'full'; data: Explains } | { kind: 'observed-only'; observed: ObservedChange[] };

const changeLink = (id: string) => href(`/changes/${encodeURIComponent(id)}`);
const incidentLink = (id: string) => href(`/incidents/${encodeURIComponent(id)}`);

/** Observed changes matched to this change, from the change-events list (a window around the change's own). */
async function observedFor(change: ChangeDetail): Promise<ObservedChange[]> {
  const from = new Date(Date.parse(change.window.start) - 7 * DAY_MS).toISOString();
  const to = new Date(Date.parse(change.window.end) + 7 * DAY_MS).toISOString();
  const matched: ObservedChange[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 10; pages++) {
    const page: Page<ObservedChange> = await api.get<Page<ObservedChange>>(`/api/v1/change-events${qs({ from, to, limit: 1000, cursor })}`);
    matched.push(...page.items.filter((o) => o.matched_change === change.id));
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return matched;
}

function ActionError({ error }: { error: unknown }) {
  if (!error) return null;
  const policy = error instanceof ApiError && typeof error.details?.policy === 'string' ? error.details.policy : null;
  const status = error instanceof ApiError ? error.status : null;
  return (
    <p role="alert" class="error">
      {status ? `${status}: ` : ''}
      {policy && <strong>Freeze policy {policy}: </strong>}
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}

/** One change: its record, approvals, policy findings, conflicts, timeline, lifecycle actions, and what it explains. */
export function ChangeDetailView({ id, me }: { id: string; me: Principal }) {
  const [change, setChange] = useState<ChangeDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [verdicts, setVerdicts] = useState<Verdicts | null>(null);
  const [verdictError, setVerdictError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const writable = canWrite(me);

  const loadVerdicts = async (current: ChangeDetail) => {
    try {
      const data = await api.get<Explains>(`/api/v1/changes/${encodeURIComponent(current.id)}/explains`);
      setVerdicts({ kind: 'full', data: { incidents: data.incidents ?? [], alerts: data.alerts ?? [], observed: data.observed ?? [] } });
      setVerdictError(null);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        // This server does not have the route: the observed changes can still be found.
        try {
          setVerdicts({ kind: 'observed-only', observed: await observedFor(current) });
          setVerdictError(null);
        } catch (inner) {
          setVerdictError(inner);
        }
      } else setVerdictError(e);
    }
  };

  const load = async () => {
    try {
      const detail = await api.get<ChangeDetail>(`/api/v1/changes/${encodeURIComponent(id)}`);
      setChange(detail);
      setError(null);
      void loadVerdicts(detail);
    } catch (e) {
      setError(e);
      setChange(null);
    }
  };

  useEffect(() => {
    setChange(null);
    setVerdicts(null);
    setNotice('');
    setActionError(null);
    void load();
  }, [id]);

  const act = async (action: string, label: string) => {
    setBusy(true);
    setActionError(null);
    setNotice('');
    try {
      const text = comment.trim();
      const updated = await api.post<ChangeDetail>(`/api/v1/changes/${encodeURIComponent(id)}/${action}`, text ? { comment: text } : {});
      setComment('');
      setNotice(`${label}: ${updated.id} is now ${updated.status.replace('_', ' ')}.`);
      await load();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  };

  if (error) {
    return (
      <div class="change-page">
        <p>
          <a href={href('/changes')}>← Change calendar</a>
        </p>
        <ErrorBox error={error} />
      </div>
    );
  }
  if (!change) return <p class="loading">Loading {id}…</p>;

  const week = isoDay(mondayOf(Date.parse(change.window.start) || Date.now()));
  const approvalCount = new Set(change.approvals.map((a) => a.by)).size;

  return (
    <div class="change-page">
      <p>
        <a href={href('/changes', { week })}>← Week of {week}</a>
      </p>
      <h1>
        <span class="id">{change.id}</span> {change.title}
      </h1>
      <p class="change-badges">
        <StatusBadge status={change.status} /> <span class="badge">{change.type}</span> <span class={`badge risk-${change.risk}`}>risk {change.risk}</span>
        {change.emergency && <span class="badge emergency">emergency</span>}
        {change.conflicts.length > 0 && <span class="badge conflict-badge">conflict</span>}
      </p>

      {writable && (
        <div class="panel change-actions" role="group" aria-labelledby="change-actions-h">
          <h2 id="change-actions-h">Actions</h2>
          <div class="row">
            <label class="grow">
              Comment (optional)
              <input value={comment} maxLength={4096} onInput={(e) => setComment((e.target as HTMLInputElement).value)} />
            </label>
            {CHANGE_ACTIONS.map(({ action, label, from }) => {
              const allowed = from.includes(change.status);
              return (
                <button
                  key={action}
                  type="button"
                  class={action === 'approve' && allowed ? 'primary' : undefined}
                  disabled={busy || !allowed}
                  title={allowed ? undefined : `Not possible while ${change.status.replace('_', ' ')}`}
                  onClick={() => act(action, label)}
                >
                  {label}
                </button>
              );
            })}
          </div>
          <p class="notice" role="status" aria-live="polite">
            {notice}
          </p>
          <ActionError error={actionError} />
        </div>
      )}

      <div class="grid2">
        <div>
          <Section title="Change" id="change-record">
            <dl class="facts">
              <dt>Window (UTC)</dt>
              <dd>
                {time(change.window.start)} – {time(change.window.end)}
              </dd>
              {(change.started_at || change.ended_at) && (
                <>
                  <dt>Actual</dt>
                  <dd>
                    {time(change.started_at)} – {change.ended_at ? time(change.ended_at) : 'ongoing'}
                  </dd>
                </>
              )}
              <dt>Assets</dt>
              <dd>{change.assets.join(', ') || <span class="muted">none</span>}</dd>
              <dt>Services</dt>
              <dd>{change.services.join(', ') || <span class="muted">none</span>}</dd>
              <dt>Implementer</dt>
              <dd>{change.implementer ?? <span class="muted">not named</span>}</dd>
              <dt>Requester</dt>
              <dd>{change.requester ?? <span class="muted">—</span>}</dd>
              <dt>Created</dt>
              <dd>
                {time(change.created_at)} by {change.created_by}
              </dd>
            </dl>
            {change.description && (
              <>
                <h3>Description</h3>
                <p class="prose">{change.description}</p>
              </>
            )}
            {change.backout_plan && (
              <>
                <h3>Backout plan</h3>
                <p class="prose">{change.backout_plan}</p>
              </>
            )}
            {change.links.length > 0 && (
              <>
                <h3>Links</h3>
                <ul>
                  {change.links.map((link, i) => {
                    const url = safeHref(link.href);
                    return <li key={i}>{url ? <a href={url} rel="noopener noreferrer" target="_blank">{link.text || link.href}</a> : link.text || link.href}</li>;
                  })}
                </ul>
              </>
            )}
          </Section>

          <Section title="What this change explains" id="change-verdicts">
            <ErrorBox error={verdictError} />
            {!verdicts && !verdictError && <p class="loading">Loading…</p>}
            {verdicts && <VerdictLists id={change.id} verdicts={verdicts} />}
          </Section>
        </div>

        <div>
          <Section title={`Approvals (${approvalCount} of ${change.approvals_required})`} id="change-approvals">
            {change.approvals.length === 0 ? (
              <p class="muted">No approval yet.</p>
            ) : (
              <ul class="plain">
                {change.approvals.map((a, i) => (
                  <li key={i}>
                    <strong>{a.by}</strong> <span class="muted">{time(a.at)}</span>
                    {a.comment && <div class="sub">{a.comment}</div>}
                  </li>
                ))}
              </ul>
            )}
          </Section>

          <Section title="Policy findings" id="change-findings">
            {change.warnings.length === 0 ? (
              <p class="muted">No freeze policy objects to this window.</p>
            ) : (
              <ul class="plain">
                {change.warnings.map((w, i) => (
                  <li key={i} class={`finding finding-${w.action}`}>
                    <strong>{w.policy}</strong> <span class="badge">{w.action.replace('_', ' ')}</span>
                    <div>{w.message}</div>
                    {w.overlap.length > 0 && (
                      <div class="sub">
                        {w.overlap.map((o) => `${time(o.start)} – ${time(o.end)}`).join('; ')}
                      </div>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </Section>

          <Section title="Conflicts" id="change-conflicts">
            {change.conflicts.length === 0 ? (
              <p class="muted">No conflicting change.</p>
            ) : (
              <ul class="plain">
                {change.conflicts.map((c, i) => (
                  <li key={i} class="conflict-item">
                    <span class="badge conflict-badge">conflict</span> with <a href={changeLink(c.change_id)}>{c.change_id}</a> on <strong>{c.on}</strong>
                    <div>{c.reason}</div>
                    <div class="sub">
                      {time(c.overlap.start)} – {time(c.overlap.end)}
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </Section>

          <Section title="Timeline" id="change-timeline">
            {change.timeline.length === 0 ? (
              <p class="muted">Nothing recorded.</p>
            ) : (
              <ol class="timeline">
                {change.timeline.map((t, i) => (
                  <li key={i}>
                    <span class="muted" title={time(t.at)}>
                      {time(t.at)}
                    </span>{' '}
                    <span class="badge">{t.kind.replace('_', ' ')}</span> {t.text}
                  </li>
                ))}
              </ol>
            )}
          </Section>
        </div>
      </div>
    </div>
  );
}

function VerdictLists({ id, verdicts }: { id: string; verdicts: Verdicts }) {
  const observed = verdicts.kind === 'full' ? verdicts.data.observed : verdicts.observed;
  return (
    <>
      {verdicts.kind === 'observed-only' && (
        <p class="muted" role="note">
          This server does not list the incidents and alerts a change explains; only the observed changes matched to it are shown.
        </p>
      )}
      {verdicts.kind === 'full' && (
        <>
          <h3>Incidents</h3>
          {verdicts.data.incidents.length === 0 ? (
            <p class="muted">No incident is explained by {id}.</p>
          ) : (
            <table>
              <caption class="sr-only">Incidents explained by {id}</caption>
              <thead>
                <tr>
                  <th scope="col">Incident</th>
                  <th scope="col">Priority</th>
                  <th scope="col">Status</th>
                  <th scope="col">Verdict</th>
                </tr>
              </thead>
              <tbody>
                {verdicts.data.incidents.map((incident) => {
                  const related = incident.related_changes?.find((r) => r.id === id);
                  return (
                    <tr key={incident.id}>
                      <td>
                        <a href={incidentLink(incident.id)}>
                          <span class="id">{incident.id}</span> {incident.title}
                        </a>
                      </td>
                      <td>
                        <PriorityBadge priority={incident.priority} />
                      </td>
                      <td>
                        <StatusBadge status={incident.status} />
                      </td>
                      <td>
                        {related ? <span class={`verdict v-${related.verdict}`}>{related.verdict}</span> : <span class="muted">—</span>}
                        {related?.reason && <div class="sub">{related.reason}</div>}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}

          <h3>Alerts</h3>
          {verdicts.data.alerts.length === 0 ? (
            <p class="muted">No alert is explained by {id}.</p>
          ) : (
            <table>
              <caption class="sr-only">Alerts explained by {id}</caption>
              <thead>
                <tr>
                  <th scope="col">Rule</th>
                  <th scope="col">Hosts</th>
                  <th scope="col">First seen</th>
                  <th scope="col">Verdict</th>
                  <th scope="col">Incident</th>
                </tr>
              </thead>
              <tbody>
                {verdicts.data.alerts.map((alert) => (
                  <tr key={alert.id}>
                    <td>
                      {alert.rule.title}
                      <div class="sub id">{alert.id}</div>
                    </td>
                    <td>{alert.entities.hosts.slice(0, 3).join(', ') || <span class="muted">—</span>}</td>
                    <td>
                      <span title={time(alert.first_seen)}>{ago(alert.first_seen)}</span>
                    </td>
                    <td>{alert.change_verdict ? <span class={`verdict v-${alert.change_verdict}`}>{alert.change_verdict}</span> : <span class="muted">—</span>}</td>
                    <td>{alert.incident_id ? <a href={incidentLink(alert.incident_id)}>{alert.incident_id}</a> : <span class="muted">none</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}

      <h3>Observed changes matched to {id}</h3>
      {observed.length === 0 ? (
        <p class="muted">No observed change was matched to {id}.</p>
      ) : (
        <table>
          <caption class="sr-only">Observed changes matched to {id}</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Source</th>
              <th scope="col">Where</th>
              <th scope="col">Actor</th>
              <th scope="col">Summary</th>
            </tr>
          </thead>
          <tbody>
            {observed.map((o) => (
              <tr key={o.id}>
                <td>{time(o.timestamp)}</td>
                <td>
                  {o.source}
                  <div class="sub">{o.type}</div>
                </td>
                <td>{[o.asset, o.service].filter(Boolean).join(' / ') || <span class="muted">—</span>}</td>
                <td>{o.actor ?? <span class="muted">—</span>}</td>
                <td>
                  {o.summary}
                  {o.outside_window && (
                    <div>
                      <span class="verdict v-window-violation">outside the window</span>
                    </div>
                  )}
                  {o.violations.length > 0 && <div class="sub">Breaks: {o.violations.map((v) => v.policy).join(', ')}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
