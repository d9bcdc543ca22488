import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { time } from '../format.ts';
import { ErrorBox, JsonBlock, SeverityBadge } from './common.tsx';
import type { DetailAlert } from './incident-panels.tsx';

/**
 * The incident's alerts: each a disclosure showing its details and its events (fetched one by
 * one, with the original record). Event data is attacker-controlled: it is only ever rendered
 * as JSX text or inside a <pre> as text, never as HTML.
 */

const EVENT_PAGE = 10;
const MAX_FIELDS = 300;

type StoredEvent = Record<string, unknown> & { id: string; '@timestamp'?: string; message?: unknown; original?: unknown };
type EventState = { state: 'loading' } | { state: 'ok'; event: StoredEvent } | { state: 'error'; error: unknown };

const text = (value: unknown): string => (typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value));

/** Dotted field paths and their values as text (the original record is shown on its own). */
function flatten(value: unknown, prefix: string, out: Array<[string, string]>): void {
  if (out.length >= MAX_FIELDS) return;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out.push([prefix, '{}']);
    for (const [key, inner] of entries) {
      if (!prefix && key === 'original') continue;
      flatten(inner, prefix ? `${prefix}.${key}` : key, out);
    }
  } else if (prefix) {
    out.push([prefix, text(value)]);
  }
}

/** Only web links from outside senders become links (no javascript: or data: URLs). */
const safeHref = (link: string): string | null => {
  try {
    const url = new URL(link, location.href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
};

function EventView({ id, state }: { id: string; state: EventState | undefined }) {
  if (!state || state.state === 'loading') return <li class="event muted">Loading event {id}…</li>;
  if (state.state === 'error') {
    return (
      <li class="event">
        <span class="id">{id}</span> <ErrorBox error={state.error} />
      </li>
    );
  }
  const event = state.event;
  const fields: Array<[string, string]> = [];
  flatten(event, '', fields);
  return (
    <li class="event" data-event={event.id}>
      <h4>
        Event <span class="id">{event.id}</span> <time dateTime={text(event['@timestamp'])}>{time(text(event['@timestamp']))}</time>
      </h4>
      {event.message !== undefined && <p class="event-message">{text(event.message)}</p>}
      <div class="event-body">
        <table class="fields">
          <caption class="sr-only">Fields of event {event.id}</caption>
          <tbody>
            {fields.map(([key, value]) => (
              <tr key={key}>
                <th scope="row">{key}</th>
                <td>{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div>
          <h5>Original record</h5>
          <JsonBlock value={event.original ?? null} label={`Original record of event ${event.id}`} />
        </div>
      </div>
    </li>
  );
}

function AlertDetail({ alert, events, shown, onMore, domId }: { alert: DetailAlert; events: Record<string, EventState>; shown: number; onMore: () => void; domId: string }) {
  const ids = alert.event_ids ?? [];
  const labels = Object.entries(alert.labels ?? {});
  const annotations = Object.entries(alert.annotations ?? {});
  return (
    <div class="alert-detail" id={domId}>
      {alert.description && <p class="description">{alert.description}</p>}
      <dl class="kv">
        <div>
          <dt>Alert</dt>
          <dd>
            <span class="id">{alert.id}</span> · status {alert.status}
            {alert.flapping ? ' · flapping' : ''} · rule <span class="id">{alert.rule.id}</span>
          </dd>
        </div>
        {(alert.attack?.tactics?.length ?? 0) > 0 && (
          <div>
            <dt>ATT&amp;CK</dt>
            <dd>
              {alert.attack.tactics.join(', ')}
              {alert.attack.techniques.length > 0 ? ` · ${alert.attack.techniques.join(', ')}` : ''}
              {alert.attack.kill_chain_phase ? ` · phase ${alert.attack.kill_chain_phase}` : ''}
            </dd>
          </div>
        )}
        {alert.indicator && (
          <div>
            <dt>Indicator</dt>
            <dd>
              {[alert.indicator.type, alert.indicator.value].filter(Boolean).join(' ')} · confidence {alert.indicator.confidence}
              {alert.indicator.source ? ` · ${alert.indicator.source}` : ''}
            </dd>
          </div>
        )}
        {alert.correlation && (
          <div>
            <dt>Correlation</dt>
            <dd>
              {alert.correlation.type} · value {alert.correlation.value} · {time(alert.correlation.window?.start)} – {time(alert.correlation.window?.end)} · {text(alert.correlation.group)}
            </dd>
          </div>
        )}
        {alert.retro_hunt && (
          <div>
            <dt>Retro-hunt</dt>
            <dd>{alert.retro_hunt}</dd>
          </div>
        )}
        {(alert.watchlists?.length ?? 0) > 0 && (
          <div>
            <dt>Watchlists</dt>
            <dd>{alert.watchlists!.join(', ')}</dd>
          </div>
        )}
        {labels.length > 0 && (
          <div>
            <dt>Labels</dt>
            <dd>
              <ul class="chips">
                {labels.map(([k, v]) => (
                  <li key={k}>
                    {k}={v}
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        )}
        {annotations.length > 0 && (
          <div>
            <dt>Annotations</dt>
            <dd>
              <ul class="plain">
                {annotations.map(([k, v]) => (
                  <li key={k}>
                    <strong>{k}</strong>: {v}
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        )}
        {(alert.links?.length ?? 0) > 0 && (
          <div>
            <dt>Links</dt>
            <dd>
              <ul class="plain">
                {alert.links!.map((link, i) => {
                  const safe = safeHref(link.href);
                  return (
                    <li key={i}>
                      {safe ? (
                        <a href={safe} target="_blank" rel="noopener noreferrer">
                          {link.text || link.href}
                        </a>
                      ) : (
                        <span>
                          {link.text ? `${link.text}: ` : ''}
                          {link.href}
                        </span>
                      )}
                    </li>
                  );
                })}
              </ul>
            </dd>
          </div>
        )}
        {(alert.related_changes?.length ?? 0) > 0 && (
          <div>
            <dt>Changes</dt>
            <dd>
              <ul class="plain">
                {alert.related_changes!.map((c, i) => (
                  <li key={c.id ?? i}>
                    {c.id ?? 'unrecorded'} <span class={`verdict v-${c.verdict}`}>{c.verdict}</span> {c.reason}
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        )}
      </dl>
      <h4>
        Events <span class="muted">({ids.length === 0 ? 'none stored' : `${Math.min(shown, ids.length)} of ${ids.length}${ids.length >= 100 ? '+' : ''}`})</span>
      </h4>
      {ids.length === 0 ? (
        <>
          <p class="muted">This alert came from outside (or its events were not kept); here is the alert as stored.</p>
          <JsonBlock value={alert} label={`Alert ${alert.id} as stored`} />
        </>
      ) : (
        <>
          <ol class="events" aria-label={`Events of alert ${alert.rule.title}`}>
            {ids.slice(0, shown).map((eventId) => (
              <EventView key={eventId} id={eventId} state={events[eventId]} />
            ))}
          </ol>
          {shown < ids.length && (
            <button type="button" onClick={onMore}>
              Show {Math.min(EVENT_PAGE, ids.length - shown)} more events
            </button>
          )}
        </>
      )}
    </div>
  );
}

export function AlertsPanel({
  alerts,
  writable,
  busy,
  error,
  onSplit,
}: {
  alerts: DetailAlert[];
  writable: boolean;
  busy: boolean;
  error: unknown;
  onSplit: (alertIds: string[]) => Promise<boolean>;
}) {
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [shown, setShown] = useState<Record<string, number>>({});
  const [events, setEvents] = useState<Record<string, EventState>>({});
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const requested = useRef(new Set<string>());

  // Fetch the events the open alerts show and that are not fetched yet.
  useEffect(() => {
    const wanted: string[] = [];
    for (const alert of alerts) {
      if (!expanded.has(alert.id)) continue;
      for (const id of (alert.event_ids ?? []).slice(0, shown[alert.id] ?? EVENT_PAGE)) if (!requested.current.has(id)) wanted.push(id);
    }
    if (wanted.length === 0) return;
    for (const id of wanted) requested.current.add(id);
    setEvents((old) => ({ ...old, ...Object.fromEntries(wanted.map((id) => [id, { state: 'loading' } as EventState])) }));
    for (const id of wanted) {
      api
        .get<StoredEvent>(`/api/v1/events/${encodeURIComponent(id)}`)
        .then((event) => setEvents((old) => ({ ...old, [id]: { state: 'ok', event } })))
        .catch((e: unknown) => {
          requested.current.delete(id);
          setEvents((old) => ({ ...old, [id]: { state: 'error', error: e } }));
        });
    }
  }, [alerts, expanded, shown]);

  // Alerts that left (split or merged away) drop out of the selection.
  useEffect(() => {
    setSelected((old) => {
      const present = new Set(alerts.map((a) => a.id));
      const next = new Set([...old].filter((id) => present.has(id)));
      return next.size === old.size ? old : next;
    });
  }, [alerts]);

  const toggle = (set: Set<string>, id: string) => {
    const next = new Set(set);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  };
  const columns = writable ? 11 : 10;

  return (
    <section class="panel" aria-labelledby="alerts-h">
      <h2 id="alerts-h">Alerts ({alerts.length})</h2>
      {writable && (
        <div class="inline-form" role="group" aria-label="Split alerts into a new incident">
          <span aria-live="polite">{selected.size} selected</span>
          <button
            type="button"
            disabled={busy || selected.size === 0}
            onClick={async () => {
              if (await onSplit([...selected])) setSelected(new Set());
            }}
          >
            Split selected alerts
          </button>
          <span class="sub">moves them out into a new incident</span>
        </div>
      )}
      <ErrorBox error={error} />
      {alerts.length === 0 ? (
        <p class="empty">No alerts.</p>
      ) : (
        <div class="table-scroll">
          <table class="alerts">
            <caption class="sr-only">Alerts of this incident; open one to see its events</caption>
            <thead>
              <tr>
                {writable && (
                  <th scope="col">
                    <span class="sr-only">Select</span>
                  </th>
                )}
                <th scope="col">Rule</th>
                <th scope="col">Level</th>
                <th scope="col">Source</th>
                <th scope="col">First seen</th>
                <th scope="col">Last seen</th>
                <th scope="col">Count</th>
                <th scope="col">Entities</th>
                <th scope="col">Change</th>
                <th scope="col">Suppressed by</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {alerts.map((alert) => {
                const open = expanded.has(alert.id);
                const domId = `alert-${alert.id}-detail`;
                const entities = [...(alert.entities?.hosts ?? []), ...(alert.entities?.users ?? []), ...(alert.entities?.ips ?? []), ...(alert.entities?.services ?? [])];
                return (
                  <Fragment key={alert.id}>
                    <tr class={selected.has(alert.id) ? 'selected' : ''} data-alert={alert.id}>
                      {writable && (
                        <td>
                          <input
                            type="checkbox"
                            aria-label={`Select alert ${alert.rule.title} (${alert.id})`}
                            checked={selected.has(alert.id)}
                            onChange={() => setSelected((old) => toggle(old, alert.id))}
                          />
                        </td>
                      )}
                      <td>
                        <button
                          type="button"
                          class="disclosure"
                          aria-expanded={open}
                          aria-controls={open ? domId : undefined}
                          onClick={() => setExpanded((old) => toggle(old, alert.id))}
                        >
                          <span class="caret" aria-hidden="true">
                            {open ? '▾' : '▸'}
                          </span>{' '}
                          {alert.rule.title}
                        </button>
                      </td>
                      <td>
                        <SeverityBadge severity={alert.rule.level} />
                      </td>
                      <td>{alert.source}</td>
                      <td>
                        <time dateTime={alert.first_seen}>{time(alert.first_seen)}</time>
                      </td>
                      <td>
                        <time dateTime={alert.last_seen}>{time(alert.last_seen)}</time>
                      </td>
                      <td>{alert.count}</td>
                      <td>{entities.length ? entities.slice(0, 6).join(', ') + (entities.length > 6 ? ` +${entities.length - 6}` : '') : <span class="muted">—</span>}</td>
                      <td>{alert.change_verdict && alert.change_verdict !== 'no-change' ? <span class={`verdict v-${alert.change_verdict}`}>{alert.change_verdict}</span> : <span class="muted">{alert.change_verdict ?? '—'}</span>}</td>
                      <td>{alert.suppressed_by ?? <span class="muted">—</span>}</td>
                      <td>{alert.status}</td>
                    </tr>
                    {open && (
                      <tr class="alert-detail-row">
                        <td colSpan={columns}>
                          <AlertDetail
                            alert={alert}
                            events={events}
                            shown={shown[alert.id] ?? EVENT_PAGE}
                            domId={domId}
                            onMore={() => setShown((old) => ({ ...old, [alert.id]: (old[alert.id] ?? EVENT_PAGE) + EVENT_PAGE }))}
                          />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
