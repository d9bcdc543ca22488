/**
 * Finds where a JSON text stops being valid, for an error message that names the position.
 * Only runs after JSON.parse failed, so it favours clarity over speed.
 */
export interface JsonSyntaxProblem {
  position: number;
  line: number;
  column: number;
  expected: string;
}

export function locateJsonError(text: string): JsonSyntaxProblem {
  let i = 0;
  const fail = (expected: string): never => {
    throw { position: i, expected };
  };
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`'${word}'`);
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail('a closing quote (control characters must be escaped)');
      if (c === 0x5c) {
        const next = text[i + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            i += 2;
            fail('four hex digits after \\u');
          }
          i += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) i += 2;
        else {
          i++;
          fail('a valid escape');
        }
      } else i++;
    }
    fail('a closing quote');
  };
  const number = () => {
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!match || match[0] === '-' || match[0] === '') fail('a number');
    i += match![0].length;
  };
  // Iterative value parser with an explicit stack, so deep nesting cannot overflow.
  const stack: Array<'object' | 'array'> = [];
  const value = (): boolean | 'again' => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return false;
      }
      stack.push('object');
      key();
      return 'again';
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return false;
      }
      stack.push('array');
      return 'again';
    }
    if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
    else fail('a value');
    return false;
  };
  const key = () => {
    ws();
    if (text[i] !== '"') fail("a quoted key or '}'");
    string();
    ws();
    if (text[i] !== ':') fail("':'");
    i++;
  };
  try {
    let pending: boolean | 'again' = value();
    for (;;) {
      while (pending === 'again') pending = value();
      if (stack.length === 0) break;
      ws();
      const top = stack[stack.length - 1];
      const c = text[i];
      if (c === ',') {
        i++;
        if (top === 'object') key();
        pending = value();
        continue;
      }
      if ((top === 'object' && c === '}') || (top === 'array' && c === ']')) {
        i++;
        stack.pop();
        pending = false;
        continue;
      }
      fail(top === 'object' ? "',' or '}'" : "',' or ']'");
    }
    ws();
    if (i < text.length) fail('end of input');
    return { position: i, line: 0, column: 0, expected: 'nothing: the text is valid JSON' };
  } catch (thrown) {
    const { position, expected } = thrown as { position: number; expected: string };
    const before = text.slice(0, position);
    const line = before.split('\n').length;
    const column = position - before.lastIndexOf('\n');
    return { position, line, column, expected };
  }
}
