import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { time } from '../format.ts';
import { navigate } from '../router.ts';
import { CHANGE_RISKS, CHANGE_TYPES, HOUR_MS, localInputFromMs, splitList, utcFromLocalInput, type Change } from './changes-model.tsx';

interface Refusal {
  message: string;
  policy?: string;
  action?: string;
  overlap?: Array<{ start: string; end: string }>;
  field?: string;
}

const textOf = (data: FormData, name: string) => String(data.get(name) ?? '').trim();

/** Request a change: the window is typed in UTC; a freeze policy's refusal (422) names the policy. */
export function CreateChangeForm() {
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  // A sensible default window: the next whole hour, for an hour.
  const [defaults] = useState(() => {
    const start = Math.ceil(Date.now() / HOUR_MS) * HOUR_MS;
    return { start: localInputFromMs(start), end: localInputFromMs(start + HOUR_MS) };
  });

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const start = utcFromLocalInput(textOf(data, 'start'));
    const end = utcFromLocalInput(textOf(data, 'end'));
    if (!start) return setRefusal({ message: 'Start: enter a date and time (UTC).', field: 'start' });
    if (!end) return setRefusal({ message: 'End: enter a date and time (UTC).', field: 'end' });
    if (Date.parse(end) <= Date.parse(start)) return setRefusal({ message: 'End: must be after the start.', field: 'end' });
    const implementer = textOf(data, 'implementer');
    const body = {
      title: textOf(data, 'title'),
      type: textOf(data, 'type'),
      risk: textOf(data, 'risk') || 'medium',
      assets: splitList(textOf(data, 'assets')),
      services: splitList(textOf(data, 'services')),
      window: { start, end },
      ...(implementer ? { implementer } : {}),
      emergency: data.get('emergency') === 'on',
      description: textOf(data, 'description'),
      backout_plan: textOf(data, 'backout_plan'),
    };
    setBusy(true);
    setRefusal(null);
    try {
      const created = await api.post<Change>('/api/v1/changes', body);
      navigate(`/changes/${encodeURIComponent(created.id)}`);
    } catch (e) {
      if (e instanceof ApiError) {
        const details = e.details ?? {};
        setRefusal({
          message: e.message,
          field: e.field,
          policy: typeof details.policy === 'string' ? details.policy : undefined,
          action: typeof details.action === 'string' ? details.action : undefined,
          overlap: Array.isArray(details.overlap) ? (details.overlap as Refusal['overlap']) : undefined,
        });
      } else setRefusal({ message: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };

  // The server names the field: title, type, assets[2], window, window.end...
  const invalid = (...fields: string[]) => {
    const field = refusal?.field;
    return field && fields.some((f) => field === f || field.startsWith(`${f}[`)) ? true : undefined;
  };

  return (
    <form class="change-form" onSubmit={submit} aria-describedby={refusal ? 'change-form-error' : undefined}>
      <div class="row">
        <label class="grow">
          Title
          <input name="title" required maxLength={512} aria-invalid={invalid('title')} />
        </label>
        <label>
          Type
          <select name="type" required aria-invalid={invalid('type')}>
            {CHANGE_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          Risk
          <select name="risk">
            {CHANGE_RISKS.map((r) => (
              <option key={r} value={r} selected={r === 'medium'}>
                {r}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div class="row">
        <label class="grow">
          Assets
          <input name="assets" placeholder="fw-edge-1, fw-edge-2" aria-invalid={invalid('assets')} aria-describedby="change-form-list-hint" />
        </label>
        <label class="grow">
          Services
          <input name="services" placeholder="payments" aria-invalid={invalid('services')} aria-describedby="change-form-list-hint" />
        </label>
      </div>
      <p id="change-form-list-hint" class="hint">
        Assets and services: names separated by commas.
      </p>
      <div class="row">
        <label>
          Start
          <input name="start" type="datetime-local" required defaultValue={defaults.start} aria-invalid={invalid('window', 'window.start', 'start')} aria-describedby="change-form-utc" />
        </label>
        <label>
          End
          <input name="end" type="datetime-local" required defaultValue={defaults.end} aria-invalid={invalid('window', 'window.end', 'end')} aria-describedby="change-form-utc" />
        </label>
        <span id="change-form-utc" class="hint">
          Times are UTC.
        </span>
        <label>
          Implementer
          <input name="implementer" placeholder="user name" aria-invalid={invalid('implementer')} />
        </label>
        <label class="check">
          <input name="emergency" type="checkbox" /> Emergency
        </label>
      </div>
      <div class="row">
        <label class="grow">
          Description
          <textarea name="description" rows={3} />
        </label>
        <label class="grow">
          Backout plan
          <textarea name="backout_plan" rows={3} />
        </label>
      </div>
      {refusal && (
        <div id="change-form-error" role="alert" class="error">
          {refusal.policy ? (
            <>
              <strong>Refused by freeze policy {refusal.policy}</strong>
              {refusal.action && <> ({refusal.action.replace('_', ' ')})</>}: {refusal.message}
              {refusal.overlap && refusal.overlap.length > 0 && (
                <ul>
                  {refusal.overlap.map((o, i) => (
                    <li key={i}>
                      {time(o.start)} – {time(o.end)}
                    </li>
                  ))}
                </ul>
              )}
            </>
          ) : (
            refusal.message
          )}
        </div>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {busy ? 'Requesting…' : 'Request change'}
      </button>
    </form>
  );
}
