import { ApiError } from '../api.ts';
import '../pages/search.css';

/**
 * A syntax error shown where it is: the API's message, what it expected, and the text with the
 * offending character marked and a caret under it (all as text, never as markup).
 */

/** The 0-based position an API error points at, when it gives one. */
export function errorPosition(error: unknown): number | null {
  if (!(error instanceof ApiError)) return null;
  const position = error.details?.position;
  return typeof position === 'number' && Number.isInteger(position) && position >= 0 ? position : null;
}

export function errorExpected(error: unknown): string[] {
  if (!(error instanceof ApiError)) return [];
  const expected = error.details?.expected;
  return Array.isArray(expected) ? expected.map(String) : [];
}

/** The text with the character at `position` marked, a caret line under it (monospace). */
export function CaretLine({ text, position }: { text: string; position: number }) {
  // Tabs and newlines would break the caret's column: show them as spaces.
  const flat = text.replace(/[\t\r\n]/g, ' ');
  const at = Math.min(position, flat.length);
  const before = flat.slice(0, at);
  const char = flat.slice(at, at + 1);
  const after = flat.slice(at + 1);
  return (
    <pre class="caret-line" aria-hidden="true">
      {before}
      <mark>{char === '' ? ' ' : char}</mark>
      {after}
      {'\n'}
      {' '.repeat(at)}^
    </pre>
  );
}

/**
 * The error box for a text input the API rejected at a position: the message (role=alert),
 * a text description of the spot for screen readers, the caret picture, and what was expected.
 */
export function ErrorAt({ id, error, text, onGoTo }: { id: string; error: unknown; text: string; onGoTo?: (position: number) => void }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const position = errorPosition(error);
  const expected = errorExpected(error);
  const spot =
    position === null ? '' : position >= text.length ? `at the end (character ${position + 1})` : `at character ${position + 1}, “${text.slice(position, position + 1)}”`;
  return (
    <div class="error error-at" role="alert" id={id}>
      <p>{message}</p>
      {position !== null && (
        <>
          <p class="sr-only">The error is {spot}.</p>
          <CaretLine text={text} position={position} />
        </>
      )}
      {expected.length > 0 && (
        <p class="expected">
          Expected: {expected.map((e, i) => (
            <span key={i}>
              {i > 0 && ', '}
              <code>{e}</code>
            </span>
          ))}
        </p>
      )}
      {position !== null && onGoTo && (
        <button type="button" onClick={() => onGoTo(position)}>
          Go to the error
        </button>
      )}
    </div>
  );
}
