import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, canWrite, qs, type Page, type Principal } from '../api.ts';
import { ago, time } from '../format.ts';
import { href, navigate } from '../router.ts';
import { ErrorBox, SeverityBadge } from '../components/common.tsx';
import { ErrorAt } from '../components/search-error-at.tsx';
import { NoisePanel, PERIODS, GROUPS } from '../components/alerts-noise.tsx';
import { formatMatcher, SilencesPanel, type Silence, type SilenceDraft } from '../components/alerts-silences.tsx';
import type { Alert } from '../types.ts';
import './alerts.css';

const PAGE = 50;
const NONE = '(none)';

/** Why an alert was muted, in words, from its `suppressed_by` (silence:<id>, inhibit:<rule>, inhibit:service:<service>:<incident>). */
function SuppressionReason({ reason, silences }: { reason: string | null; silences: Map<string, Silence> }) {
  if (!reason) return <span class="muted">—</span>;
  let text;
  if (reason.startsWith('silence:')) {
    const id = reason.slice('silence:'.length);
    const silence = silences.get(id);
    text = (
      <>
        Silenced
        {silence ? (
          <>
            {' '}
            by {silence.created_by}: “{silence.comment}”
            <div class="sub">
              {silence.matchers.map(formatMatcher).join(', ')} · {silence.state}, until {time(silence.ends_at)}
            </div>
          </>
        ) : null}
      </>
    );
  } else if (reason.startsWith('inhibit:service:')) {
    const rest = reason.slice('inhibit:service:'.length);
    const cut = rest.lastIndexOf(':');
    const service = cut >= 0 ? rest.slice(0, cut) : rest;
    const incident = cut >= 0 ? rest.slice(cut + 1) : '';
    text = (
      <>
        Inhibited: service <strong>{service}</strong>, which this alert's service depends on, has an open incident
        {incident && (
          <>
            {' '}
            <a href={href(`/incidents/${encodeURIComponent(incident)}`)}>{incident}</a>
          </>
        )}
      </>
    );
  } else if (reason.startsWith('inhibit:')) {
    text = (
      <>
        Inhibited by rule <strong>{reason.slice('inhibit:'.length)}</strong> (a firing alert mutes this one)
      </>
    );
  } else {
    text = <>Suppressed</>;
  }
  return (
    <div class="reason">
      {text}
      <div class="sub">
        <code>{reason}</code>
      </div>
    </div>
  );
}

/** Matchers that silence alerts like this one: same rule, same host. */
function draftMatchers(alert: Alert): string {
  const matchers = [formatMatcher({ name: 'rule_id', op: '=', value: alert.rule.id })];
  if (alert.entities.hosts[0]) matchers.push(formatMatcher({ name: 'host', op: '=', value: alert.entities.hosts[0] }));
  return matchers.join('\n');
}

/**
 * Alerts and noise: the alert stream (suppressed alerts on request, with the reason), the noise
 * ledger as a funnel per period, rule, source and service, and the silences. State in the address.
 */
export function AlertsPage({ me, params }: { me: Principal; params: URLSearchParams }) {
  const q = params.get('q') ?? '';
  const status = params.get('status') ?? '';
  const showSuppressed = params.get('suppressed') === '1';
  const period = PERIODS.some(([p]) => p === params.get('period')) ? params.get('period')! : '24h';
  const by = GROUPS.some(([g]) => g === params.get('by')) ? params.get('by')! : 'rule';
  // The group with no name (alerts without a service) travels as '(none)' in the address.
  const focusParam = params.get('focus');
  const focus = focusParam === null ? null : focusParam === NONE ? '' : focusParam;
  const writable = canWrite(me);

  const [qDraft, setQDraft] = useState(q);
  const [items, setItems] = useState<Alert[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [rerun, setRerun] = useState(0);
  const [silences, setSilences] = useState<Map<string, Silence>>(new Map());
  const [draft, setDraft] = useState<SilenceDraft | null>(null);
  const seq = useRef(0);
  const queryInput = useRef<HTMLInputElement>(null);

  const state = { q, status, suppressed: showSuppressed ? '1' : '', period: period === '24h' ? '' : period, by: by === 'rule' ? '' : by, focus: focus === null ? '' : focus === '' ? NONE : focus };
  const go = (patch: Partial<typeof state>) => {
    const next = { ...state, ...patch };
    if (location.hash === href('/alerts', next)) setRerun((n) => n + 1);
    else navigate('/alerts', next);
  };

  useEffect(() => setQDraft(q), [q]);

  const load = async (after?: string) => {
    const run = after ? seq.current : ++seq.current;
    setLoading(true);
    try {
      const page = await api.get<Page<Alert>>(`/api/v1/alerts${qs({ q, status, suppressed: showSuppressed ? 'all' : 'false', limit: PAGE, cursor: after })}`);
      if (run !== seq.current) return;
      setItems((old) => (after ? [...old, ...page.items] : page.items));
      setCursor(page.next_cursor);
      setError(null);
    } catch (e) {
      if (run !== seq.current) return;
      if (!after) {
        setItems([]);
        setCursor(null);
      }
      setError(e);
    } finally {
      if (run === seq.current) setLoading(false);
    }
  };

  useEffect(() => {
    void load();
  }, [q, status, showSuppressed, rerun]);

  const queryError = error instanceof ApiError && error.status === 400 && error.field === 'q' ? error : null;
  const suppressedCount = items.filter((a) => a.suppressed_by).length;

  return (
    <div class="alerts-page">
      <h1>Alerts and noise</h1>

      <section class="panel" aria-labelledby="alert-stream-h">
        <h2 id="alert-stream-h">Alert stream</h2>
        <form
          class="filters"
          role="search"
          aria-label="Filter alerts"
          onSubmit={(e) => {
            e.preventDefault();
            go({ q: qDraft.trim() });
          }}
        >
          <label class="grow">
            Query
            <input
              ref={queryInput}
              name="q"
              type="search"
              value={qDraft}
              onInput={(e) => setQDraft((e.target as HTMLInputElement).value)}
              placeholder="rule.level:high AND entities.hosts:web*"
              autocomplete="off"
              spellcheck={false}
              aria-invalid={queryError ? 'true' : undefined}
              aria-describedby={queryError ? 'alerts-q-error' : undefined}
            />
          </label>
          <label>
            Status
            <select value={status} onChange={(e) => go({ q: qDraft.trim(), status: (e.target as HTMLSelectElement).value })}>
              <option value="">any</option>
              <option value="firing">firing</option>
              <option value="resolved">resolved</option>
            </select>
          </label>
          <label class="checkbox">
            <input type="checkbox" checked={showSuppressed} onChange={(e) => go({ q: qDraft.trim(), suppressed: (e.target as HTMLInputElement).checked ? '1' : '' })} />
            Show suppressed
          </label>
          <button type="submit">Filter</button>
        </form>
        <ErrorAt
          id="alerts-q-error"
          error={queryError}
          text={q}
          onGoTo={(position) => {
            queryInput.current?.focus();
            queryInput.current?.setSelectionRange(position, Math.min(position + 1, queryInput.current.value.length));
          }}
        />
        <ErrorBox error={queryError ? null : error} />
        <p class="muted" role="status" aria-live="polite">
          {loading
            ? 'Loading alerts…'
            : error
              ? ''
              : `${items.length}${cursor ? '+' : ''} alert${items.length === 1 ? '' : 's'}${showSuppressed ? `, ${suppressedCount} suppressed` : ' (suppressed alerts hidden)'}`}
        </p>

        <table class="alerts-table" aria-busy={loading ? 'true' : 'false'}>
          <caption class="sr-only">Alerts, newest first{showSuppressed ? ', suppressed ones included with the reason' : ''}</caption>
          <thead>
            <tr>
              <th scope="col">Last seen</th>
              <th scope="col">Rule</th>
              <th scope="col">Level</th>
              <th scope="col">Status</th>
              <th scope="col">Entities</th>
              <th scope="col" class="num">Count</th>
              <th scope="col">Source</th>
              <th scope="col">Incident</th>
              {showSuppressed && <th scope="col">Suppressed by</th>}
              {writable && (
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {items.map((alert) => {
              const entities = [...alert.entities.hosts, ...alert.entities.users, ...alert.entities.ips, ...(alert.entities.services ?? [])];
              return (
                <tr key={alert.id} class={alert.suppressed_by ? 'suppressed' : ''} data-alert={alert.id}>
                  <td>
                    {ago(alert.last_seen)}
                    <div class="sub">{time(alert.last_seen)}</div>
                  </td>
                  <td>
                    {alert.rule.title}
                    <div class="sub id">{alert.rule.id}</div>
                  </td>
                  <td>
                    <SeverityBadge severity={alert.rule.level} />
                  </td>
                  <td>
                    <span class={`badge alert-${alert.status}`}>{alert.status}</span>
                    {alert.suppressed_by && <span class="badge muted-badge">suppressed</span>}
                  </td>
                  <td>{entities.length ? entities.slice(0, 4).join(', ') + (entities.length > 4 ? ` +${entities.length - 4}` : '') : <span class="muted">—</span>}</td>
                  <td class="num">{alert.count}</td>
                  <td>{alert.source}</td>
                  <td>
                    {alert.incident_id ? <a href={href(`/incidents/${encodeURIComponent(alert.incident_id)}`)}>{alert.incident_id}</a> : <span class="muted">—</span>}
                  </td>
                  {showSuppressed && (
                    <td>
                      <SuppressionReason reason={alert.suppressed_by} silences={silences} />
                    </td>
                  )}
                  {writable && (
                    <td>
                      <button type="button" onClick={() => setDraft({ matchers: draftMatchers(alert), nonce: Date.now() })} aria-label={`Silence alerts like ${alert.rule.title}${alert.entities.hosts[0] ? ` on ${alert.entities.hosts[0]}` : ''}`}>
                        Silence…
                      </button>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
        {!loading && !error && items.length === 0 && (
          <p class="empty">{showSuppressed ? 'No alerts match.' : 'No alerts match (suppressed alerts are hidden: tick “Show suppressed” to see them).'}</p>
        )}
        {cursor && (
          <button type="button" onClick={() => load(cursor)} disabled={loading}>
            More
          </button>
        )}
      </section>

      <NoisePanel
        period={period}
        by={by}
        focus={focus}
        onChange={(next) =>
          go({
            period: next.period === undefined ? state.period : next.period === '24h' ? '' : next.period,
            by: next.by === undefined ? state.by : next.by === 'rule' ? '' : next.by,
            focus: next.focus === undefined ? state.focus : next.focus === null ? '' : next.focus === '' ? NONE : next.focus,
          })
        }
      />

      <SilencesPanel writable={writable} draft={draft} onLoaded={(list) => setSilences(new Map(list.map((s) => [s.id, s])))} />
    </div>
  );
}
