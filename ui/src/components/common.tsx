import type { ComponentChildren } from 'preact';
import { KILL_CHAIN } from '../format.ts';

/** Shared bits of the pages: badges, the kill-chain strip, error and empty states. */

export function PriorityBadge({ priority }: { priority: string }) {
  return <span class={`badge prio-${priority.toLowerCase()}`}>{priority}</span>;
}

export function SeverityBadge({ severity }: { severity: string }) {
  return <span class={`badge sev-${severity}`}>{severity}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status-${status}`}>{status.replace('_', ' ')}</span>;
}

/** The kill-chain phases in order, the ones seen marked (compact in tables, full on the incident). */
export function KillChainStrip({ phases, compact = false }: { phases: string[]; compact?: boolean }) {
  const seen = new Set(phases);
  return (
    <ol class={`killchain${compact ? ' compact' : ''}`} aria-label={`Kill chain: ${phases.length ? phases.join(', ') : 'no phase seen'}`}>
      {KILL_CHAIN.map((phase) => (
        <li key={phase} class={seen.has(phase) ? 'seen' : ''} title={phase}>
          {compact ? phase.slice(0, 1).toUpperCase() : phase.replace(/-/g, ' ')}
        </li>
      ))}
    </ol>
  );
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <p role="alert" class="error">
      {message}
    </p>
  );
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  return (
    <section class="panel" aria-labelledby={id ? `${id}-h` : undefined}>
      <h2 id={id ? `${id}-h` : undefined}>{title}</h2>
      {children}
    </section>
  );
}

/** An object shown as indented JSON text (escaped like any text). */
export function JsonBlock({ value, label }: { value: unknown; label?: string }) {
  return (
    <pre class="json" aria-label={label}>
      {typeof value === 'string' ? value : JSON.stringify(value, null, 2)}
    </pre>
  );
}
