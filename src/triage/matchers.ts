/**
 * Alertmanager label matchers: parsing (`name="value"`, `!=`, `=~`, `!~`), the API object form,
 * compiling to predicates and formatting back. A missing label equals the empty string, so
 * `foo=""` matches alerts without foo and `foo!=""` requires it.
 */
import { VigilError, type Matcher } from '../core/index.ts';
import { compileRegex, SigmaRuleError } from '../detect/index.ts';

export type Labels = Record<string, string>;
export type LabelPredicate = (labels: Labels) => boolean;

/** Prometheus label names, plus dots (Vigil labels such as `host.name`). */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_.]*$/;

const invalid = (field: string, message: string, position?: number) =>
  new VigilError('invalid_matcher', `${field}: ${message}`, 400, field, position === undefined ? undefined : { position });

/** A label's value, '' when missing. `hasOwn` so labels named `constructor` or `__proto__` stay labels. */
export function labelValue(labels: Labels, name: string): string {
  return Object.hasOwn(labels, name) ? (labels[name] ?? '') : '';
}

const NAME_AT = /[a-zA-Z_][a-zA-Z0-9_.]*/y;
const OPS = ['=~', '!~', '!=', '='] as const; // two-character operators first

/** Parse one matcher string. Errors (VigilError 400 `invalid_matcher`) give the 0-based position. */
export function parseMatcher(text: string, field = 'matcher'): Matcher {
  if (typeof text !== 'string') throw invalid(field, 'a matcher must be a string such as severity="critical"');
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  skipSpace();
  NAME_AT.lastIndex = i;
  const name = NAME_AT.exec(text)?.[0];
  if (!name) throw invalid(field, `expected a label name at position ${i} in '${text}'`, i);
  i += name.length;
  skipSpace();
  const op = OPS.find((o) => text.startsWith(o, i));
  if (!op) throw invalid(field, `expected =, !=, =~ or !~ after label '${name}' at position ${i} in '${text}'`, i);
  i += op.length;
  skipSpace();

  let value: string;
  if (text[i] === '"') {
    const open = i++;
    value = '';
    for (;;) {
      if (i >= text.length) throw invalid(field, `unterminated quoted value opened at position ${open} in '${text}'`, open);
      const c = text[i]!;
      if (c === '"') break;
      if (c === '\\' && i + 1 < text.length) {
        const next = text[i + 1]!;
        // Alertmanager's escapes; any other backslash is kept, so regexes like "\d+" need no doubling.
        value += next === '"' || next === '\\' ? next : next === 'n' ? '\n' : c + next;
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    i++;
    skipSpace();
    if (i < text.length) throw invalid(field, `unexpected text after the quoted value at position ${i} in '${text}'`, i);
  } else {
    value = text.slice(i).trimEnd();
    const quote = value.indexOf('"');
    if (quote >= 0) throw invalid(field, `unexpected double quote at position ${i + quote} in '${text}'; quote the whole value`, i + quote);
  }
  return { name, op, value };
}

/** Parse a list of matcher strings; errors name `${field}[i]`. */
export function parseMatchers(list: string[], field: string): Matcher[] {
  if (!Array.isArray(list)) throw invalid(field, 'expected a list of matchers');
  return list.map((text, i) => parseMatcher(text, `${field}[${i}]`));
}

/** The Alertmanager API object form `{name, value, isRegex, isEqual}` (isEqual defaults to true, as in Alertmanager). */
export function matcherFromApi(obj: unknown, field = 'matcher'): Matcher {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw invalid(field, 'expected a matcher string or an object {name, value, isRegex, isEqual}');
  const { name, value, isRegex, isEqual = true } = obj as Record<string, unknown>;
  if (typeof name !== 'string' || !LABEL_NAME.test(name)) throw invalid(`${field}.name`, `expected a label name matching ${LABEL_NAME.source}`);
  if (typeof value !== 'string') throw invalid(`${field}.value`, 'expected a string');
  if (typeof isRegex !== 'boolean') throw invalid(`${field}.isRegex`, 'expected true or false');
  if (typeof isEqual !== 'boolean') throw invalid(`${field}.isEqual`, 'expected true or false');
  const op = isRegex ? (isEqual ? '=~' : '!~') : isEqual ? '=' : '!=';
  return { name, op, value };
}

/** A matcher given either as text or in the API object form. */
export function matcherFromInput(input: unknown, field: string): Matcher {
  return typeof input === 'string' ? parseMatcher(input, field) : matcherFromApi(input, field);
}

// Leading flag groups move in front of the anchors: `^(?:(?i)x)$` is not valid JS or Sigma regex.
const LEADING_FLAGS = /^(?:\(\?[a-zA-Z]+\))+/;

/** Compile an `=~` value to a full-match test, anchored like Alertmanager (`^(?:pattern)$`). */
function compileAnchored(pattern: string, field: string): (value: string) => boolean {
  const flags = LEADING_FLAGS.exec(pattern)?.[0] ?? '';
  // (?m) would also loosen our own anchors (Go scopes it inside the group; hoisted, it would not be).
  if (flags.includes('m')) throw invalid(field, `regular expression /${pattern}/: the (?m) flag is not supported in matchers`);
  const flagsOff = { i: false, m: false, s: false };
  try {
    // Compile the bare pattern first: it proves the parentheses balance, so `a)|(b` cannot escape the anchors.
    compileRegex(pattern, flagsOff, field);
    const re = compileRegex(`${flags}^(?:${pattern.slice(flags.length)})$`, flagsOff, field);
    return (value) => re.test(value);
  } catch (e) {
    if (e instanceof SigmaRuleError) throw invalid(field, e.detail);
    throw e;
  }
}

/** One predicate that is true when every matcher matches (an empty list matches everything). */
export function compileMatchers(matchers: Matcher[], field = 'matchers'): LabelPredicate {
  const tests = matchers.map((m, i): LabelPredicate => {
    const { name, value } = m;
    switch (m.op) {
      case '=':
        return (labels) => labelValue(labels, name) === value;
      case '!=':
        return (labels) => labelValue(labels, name) !== value;
      case '=~': {
        const re = compileAnchored(value, `${field}[${i}]`);
        return (labels) => re(labelValue(labels, name));
      }
      case '!~': {
        const re = compileAnchored(value, `${field}[${i}]`);
        return (labels) => !re(labelValue(labels, name));
      }
      default:
        throw invalid(`${field}[${i}]`, `unknown operator '${String((m as Matcher).op)}'`);
    }
  });
  if (tests.length === 1) return tests[0]!;
  return (labels) => {
    for (const t of tests) if (!t(labels)) return false;
    return true;
  };
}

/** Parse and compile matcher strings in one go; errors name `${field}[i]`. */
export function compileMatcherStrings(list: string[], field: string): LabelPredicate {
  return compileMatchers(parseMatchers(list, field), field);
}

/** Back to text that parseMatcher reads as the same matcher. */
export function formatMatcher(m: Matcher): string {
  const value = m.value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `${m.name}${m.op}"${value}"`;
}
