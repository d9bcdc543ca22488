import { useState } from 'preact/hooks';
import { time } from '../format.ts';
import { ErrorBox, Section } from './common.tsx';
import type { IncidentTask, Observable } from '../../../src/core/index.ts';

/** What analysts add to an incident: notes, tasks, observables (each form reports its own errors). */

/** Runs an action; true when it succeeded (the page reloads the incident and says what happened). */
export type Act = (key: string, done: string, action: () => Promise<unknown>) => Promise<boolean>;

const value = (e: Event) => (e.target as HTMLInputElement).value;

export function NotePanel({ ops, busy, error }: { ops: IncidentOps; busy: boolean; error: unknown }) {
  const [note, setNote] = useState('');
  return (
    <Section title="Add to the timeline">
      <form
        class="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          const text = note.trim();
          if (!text) return;
          if (await ops.act('note', 'Note added', () => ops.post('notes', { text }))) setNote('');
        }}
      >
        <label>
          Note
          <textarea rows={3} value={note} onInput={(e) => setNote(value(e))} placeholder="What you found, did or decided" />
        </label>
        <div>
          <button type="submit" class="primary" disabled={busy || note.trim() === ''}>
            Add note
          </button>
        </div>
        <ErrorBox error={error} />
      </form>
    </Section>
  );
}

export function TasksPanel({ tasks, writable, ops, busy, error }: { tasks: IncidentTask[]; writable: boolean; ops: IncidentOps; busy: boolean; error: unknown }) {
  const [title, setTitle] = useState('');
  const [owner, setOwner] = useState('');
  const open = tasks.filter((t) => t.status !== 'done').length;
  return (
    <Section title={`Tasks (${open} open of ${tasks.length})`} id="tasks">
      {tasks.length === 0 ? (
        <p class="muted">No tasks.</p>
      ) : (
        <ul class="tasks">
          {tasks.map((task) => (
            <li key={task.id} class={task.status === 'done' ? 'done' : ''} data-task={task.id}>
              <span class="task-title">
                <span class="sr-only">{task.status === 'done' ? 'Done: ' : 'Open: '}</span>
                <span aria-hidden="true">{task.status === 'done' ? '☑' : '☐'}</span> {task.title}
              </span>
              <span class="sub">
                {task.assignee ? `owner ${task.assignee}` : 'no owner'}
                {task.created_by ? ` · added by ${task.created_by}` : ''}
                {task.done_at ? ` · done ${time(task.done_at)}` : ''}
              </span>
              {writable &&
                (task.status === 'done' ? (
                  <button type="button" aria-label={`Reopen: ${task.title}`} disabled={busy} onClick={() => ops.act('tasks', `Task reopened: ${task.title}`, () => ops.patchTask(task.id, { status: 'open' }))}>
                    Reopen
                  </button>
                ) : (
                  <button type="button" aria-label={`Mark done: ${task.title}`} disabled={busy} onClick={() => ops.act('tasks', `Task done: ${task.title}`, () => ops.patchTask(task.id, { status: 'done' }))}>
                    Mark done
                  </button>
                ))}
            </li>
          ))}
        </ul>
      )}
      {writable && (
        <form
          class="inline-form"
          aria-label="Add a task"
          onSubmit={async (e) => {
            e.preventDefault();
            const t = title.trim();
            if (!t) return;
            const body: { title: string; assignee?: string } = { title: t };
            if (owner.trim()) body.assignee = owner.trim();
            if (await ops.act('tasks', `Task added: ${t}`, () => ops.post('tasks', body))) {
              setTitle('');
              setOwner('');
            }
          }}
        >
          <label class="grow">
            Task title
            <input value={title} onInput={(e) => setTitle(value(e))} placeholder="Reset alice's password" />
          </label>
          <label>
            Task owner (optional)
            <input value={owner} onInput={(e) => setOwner(value(e))} placeholder="user name" />
          </label>
          <button type="submit" disabled={busy || title.trim() === ''}>
            Add task
          </button>
        </form>
      )}
      <ErrorBox error={error} />
    </Section>
  );
}

const OBSERVABLE_TYPES = ['ip', 'domain', 'url', 'hash', 'email', 'user', 'host', 'filename', 'other'];

export function ObservablesPanel({ observables, writable, ops, busy, error }: { observables: Observable[]; writable: boolean; ops: IncidentOps; busy: boolean; error: unknown }) {
  const [type, setType] = useState('ip');
  const [val, setVal] = useState('');
  const [ioc, setIoc] = useState(false);
  return (
    <Section title={`Observables (${observables.length})`} id="observables">
      {observables.length === 0 ? (
        <p class="muted">No observables.</p>
      ) : (
        <table class="observables">
          <caption class="sr-only">Observables</caption>
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Value</th>
              <th scope="col">IOC</th>
              <th scope="col">Added</th>
            </tr>
          </thead>
          <tbody>
            {observables.map((o, i) => (
              <tr key={`${o.type}:${o.value}:${i}`}>
                <td>{o.type}</td>
                <td class="mono">
                  {o.value}
                  {(o.tags?.length ?? 0) > 0 && <div class="sub">{o.tags!.join(', ')}</div>}
                </td>
                <td>{o.ioc ? 'yes' : 'no'}</td>
                <td class="sub">
                  {o.added_by ?? ''} {o.added_at ? time(o.added_at) : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {writable && (
        <form
          class="inline-form"
          aria-label="Add an observable"
          onSubmit={async (e) => {
            e.preventDefault();
            const v = val.trim();
            if (!v) return;
            if (await ops.act('observables', `Observable added: ${type} ${v}`, () => ops.post('observables', { type, value: v, ...(ioc ? { ioc: true } : {}) }))) {
              setVal('');
              setIoc(false);
            }
          }}
        >
          <label>
            Observable type
            <select value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
              {OBSERVABLE_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
          <label class="grow">
            Observable value
            <input value={val} onInput={(e) => setVal(value(e))} placeholder="203.0.113.7" />
          </label>
          <label class="check">
            <input type="checkbox" checked={ioc} onChange={(e) => setIoc((e.target as HTMLInputElement).checked)} /> IOC
          </label>
          <button type="submit" disabled={busy || val.trim() === ''}>
            Add observable
          </button>
        </form>
      )}
      <ErrorBox error={error} />
    </Section>
  );
}

/** The action runner and the incident's sub-resources, so the forms need not know the address. */
export interface IncidentOps {
  act: Act;
  post: (sub: 'notes' | 'tasks' | 'observables', body: unknown) => Promise<unknown>;
  patchTask: (taskId: string, body: unknown) => Promise<unknown>;
}
