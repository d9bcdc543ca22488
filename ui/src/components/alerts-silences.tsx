import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type Page } from '../api.ts';
import { ago, time } from '../format.ts';
import { ErrorBox } from './common.tsx';
import { CaretLine, errorPosition } from './search-error-at.tsx';
import type { Matcher, Silence as CoreSilence, SilenceState } from '../../../src/core/index.ts';

/** Silences: the list with their state, expiring one, and creating one with the API's field errors shown at the field. */

/** A silence as the API lists it: the core's record with its state now. */
export type Silence = CoreSilence & { state: SilenceState };

/** As Alertmanager writes it (and the API reads it back): name="value", quotes and backslashes escaped. */
export function formatMatcher(m: Matcher): string {
  const value = m.value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `${m.name}${m.op}"${value}"`;
}

const STATE_ORDER: Record<string, number> = { active: 0, pending: 1, expired: 2 };

/** A request to fill the form (e.g. "silence alerts like this one"), new each time by its nonce. */
export interface SilenceDraft {
  matchers: string;
  comment?: string;
  nonce: number;
}

type FieldName = 'matchers' | 'duration' | 'comment';

interface FieldError {
  field: FieldName | null;
  message: string;
  line?: number;
  /** The matcher text the API read, for the caret. */
  text?: string;
  position?: number | null;
}

function fieldErrorOf(error: unknown, lines: string[]): FieldError {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof ApiError) || !error.field) return { field: null, message };
  const m = /^matchers(?:\[(\d+)\])?/.exec(error.field);
  if (m) {
    const line = m[1] === undefined ? undefined : Number(m[1]);
    const text = line === undefined ? undefined : lines[line];
    return { field: 'matchers', message: line === undefined ? message : message.replace(/^matchers\[\d+\]:\s*/, ''), line, text, position: text === undefined ? null : errorPosition(error) };
  }
  if (error.field === 'duration' || error.field === 'ends_at' || error.field === 'starts_at') return { field: 'duration', message };
  if (error.field === 'comment') return { field: 'comment', message };
  return { field: null, message };
}

export function SilencesPanel({ writable, draft, onLoaded }: { writable: boolean; draft: SilenceDraft | null; onLoaded?: (silences: Silence[]) => void }) {
  const [items, setItems] = useState<Silence[]>([]);
  const [loading, setLoading] = useState(true);
  const [listError, setListError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const [matchers, setMatchers] = useState('');
  const [duration, setDuration] = useState('2h');
  const [comment, setComment] = useState('');
  const [fieldError, setFieldError] = useState<FieldError | null>(null);
  const [saving, setSaving] = useState(false);
  const [expiring, setExpiring] = useState<string | null>(null);
  const matchersRef = useRef<HTMLTextAreaElement>(null);
  const durationRef = useRef<HTMLInputElement>(null);
  const commentRef = useRef<HTMLTextAreaElement>(null);

  const load = async () => {
    setLoading(true);
    try {
      const page = await api.get<Page<Silence>>('/api/v1/silences');
      setItems(page.items);
      setListError(null);
      onLoaded?.(page.items);
    } catch (e) {
      setListError(e);
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    void load();
  }, []);

  // A draft from the alert stream fills the form and takes the focus there.
  useEffect(() => {
    if (!draft) return;
    setMatchers(draft.matchers);
    if (draft.comment !== undefined) setComment(draft.comment);
    setFieldError(null);
    matchersRef.current?.focus();
    matchersRef.current?.scrollIntoView({ block: 'center' });
  }, [draft?.nonce]);

  const lines = matchers
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

  const create = async (e: Event) => {
    e.preventDefault();
    setNotice('');
    setSaving(true);
    try {
      const created = await api.post<Silence>('/api/v1/silences', { matchers: lines, duration: duration.trim(), comment });
      setFieldError(null);
      setNotice(`Silence ${created.id} created (${created.state}, until ${time(created.ends_at)}).`);
      setMatchers('');
      setComment('');
      await load();
    } catch (error) {
      const fe = fieldErrorOf(error, lines);
      setFieldError(fe);
      const target = fe.field === 'matchers' ? matchersRef.current : fe.field === 'duration' ? durationRef.current : fe.field === 'comment' ? commentRef.current : null;
      target?.focus();
    } finally {
      setSaving(false);
    }
  };

  const expire = async (silence: Silence) => {
    setNotice('');
    setExpiring(silence.id);
    try {
      await api.del(`/api/v1/silences/${encodeURIComponent(silence.id)}`);
      setNotice(`Silence ${silence.id} expired.`);
      await load();
    } catch (e) {
      setListError(e);
    } finally {
      setExpiring(null);
    }
  };

  const sorted = [...items].sort((a, b) => (STATE_ORDER[a.state] ?? 3) - (STATE_ORDER[b.state] ?? 3) || b.ends_at.localeCompare(a.ends_at));
  const errorFor = (field: FieldName) => (fieldError?.field === field ? fieldError : null);
  const describe = (field: FieldName, hint?: string) => [hint, errorFor(field) ? `silence-${field}-error` : undefined].filter(Boolean).join(' ') || undefined;

  const matchersError = errorFor('matchers');
  return (
    <section class="panel silences" aria-labelledby="silences-h">
      <h2 id="silences-h">Silences</h2>
      <p class="notice" role="status" aria-live="polite">
        {notice}
      </p>
      <ErrorBox error={listError} />
      <table class="silence-table" aria-busy={loading ? 'true' : 'false'}>
        <caption class="sr-only">Silences: active first, then pending, then expired</caption>
        <thead>
          <tr>
            <th scope="col">State</th>
            <th scope="col">Matchers</th>
            <th scope="col">Comment</th>
            <th scope="col">Starts</th>
            <th scope="col">Ends</th>
            <th scope="col">Created by</th>
            {writable && (
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {sorted.map((s) => (
            <tr key={s.id} class={`silence-${s.state}`} data-silence={s.id}>
              <td>
                <span class={`badge silence-state state-${s.state}`}>{s.state}</span>
              </td>
              <td>
                <ul class="matchers">
                  {s.matchers.map((m, i) => (
                    <li key={i}>
                      <code>{formatMatcher(m)}</code>
                    </li>
                  ))}
                </ul>
                <div class="sub id">{s.id}</div>
              </td>
              <td class="comment">{s.comment}</td>
              <td title={time(s.starts_at)}>{time(s.starts_at)}</td>
              <td>
                {time(s.ends_at)}
                <div class="sub">{s.state === 'expired' ? (s.expired_at ? `expired by hand ${ago(s.expired_at)}` : `ended ${ago(s.ends_at)}`) : `ends ${ago(s.ends_at)}`}</div>
              </td>
              <td>{s.created_by}</td>
              {writable && (
                <td>
                  {s.state !== 'expired' && (
                    <button type="button" onClick={() => expire(s)} disabled={expiring === s.id} aria-label={`Expire silence ${s.matchers.map(formatMatcher).join(', ')} (${s.id})`}>
                      Expire
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {!loading && items.length === 0 && <p class="empty">No silences.</p>}

      {writable ? (
        <form class="silence-form" aria-labelledby="silence-form-h" onSubmit={create} noValidate>
          <h3 id="silence-form-h">New silence</h3>
          {fieldError && fieldError.field === null && (
            <p class="error" role="alert">
              {fieldError.message}
            </p>
          )}
          <div class="silence-fields">
            <label class="matchers-field">
              Matchers (one per line)
              <textarea
                ref={matchersRef}
                name="matchers"
                rows={3}
                value={matchers}
                onInput={(e) => setMatchers((e.target as HTMLTextAreaElement).value)}
                placeholder={'host="db-1"\nseverity=~"high|critical"'}
                spellcheck={false}
                aria-invalid={matchersError ? 'true' : undefined}
                aria-describedby={describe('matchers', 'silence-matchers-hint')}
              />
            </label>
            <label>
              Duration
              <input
                ref={durationRef}
                name="duration"
                value={duration}
                onInput={(e) => setDuration((e.target as HTMLInputElement).value)}
                placeholder="2h"
                size={8}
                aria-invalid={errorFor('duration') ? 'true' : undefined}
                aria-describedby={describe('duration')}
              />
            </label>
            <label class="comment-field">
              Comment
              <textarea
                ref={commentRef}
                name="comment"
                rows={3}
                value={comment}
                onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)}
                placeholder="Why these alerts are muted"
                aria-invalid={errorFor('comment') ? 'true' : undefined}
                aria-describedby={describe('comment')}
              />
            </label>
          </div>
          <p id="silence-matchers-hint" class="hint">
            Label matchers as Alertmanager writes them: <code>name="value"</code>, <code>!=</code>, <code>=~</code> (regular expression), <code>!~</code>. Duration like <code>30m</code>,{' '}
            <code>2h</code>, <code>1d</code>.
          </p>
          {matchersError && (
            <div class="error error-at" id="silence-matchers-error" role="alert">
              <p>
                {matchersError.line !== undefined ? `Line ${matchersError.line + 1}: ` : ''}
                {matchersError.message}
              </p>
              {matchersError.text !== undefined && matchersError.position != null && <CaretLine text={matchersError.text} position={matchersError.position} />}
            </div>
          )}
          {errorFor('duration') && (
            <p class="error" id="silence-duration-error" role="alert">
              {errorFor('duration')!.message}
            </p>
          )}
          {errorFor('comment') && (
            <p class="error" id="silence-comment-error" role="alert">
              {errorFor('comment')!.message}
            </p>
          )}
          <button type="submit" class="primary" disabled={saving}>
            Create silence
          </button>
        </form>
      ) : (
        <p class="muted">Creating and expiring silences needs the analyst or admin role.</p>
      )}
    </section>
  );
}
