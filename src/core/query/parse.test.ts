import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseQuery,
  describeQuery,
  queryFields,
  wildcardSegments,
  QuerySyntaxError,
  type QueryNode,
} from './index.ts';
import { VigilError } from '../errors.ts';

/** The tree without positions, for structural comparison. */
function shape(n: QueryNode): unknown {
  switch (n.type) {
    case 'all':
      return { type: 'all' };
    case 'and':
    case 'or':
      return { type: n.type, children: n.children.map(shape) };
    case 'not':
      return { type: 'not', child: shape(n.child) };
    default: {
      const { pos: _pos, ...rest } = n;
      return rest;
    }
  }
}

const t = (field: string | null, value: string, extra: { quoted?: boolean; wildcard?: boolean } = {}) => ({
  type: 'term',
  field,
  value,
  quoted: extra.quoted ?? false,
  wildcard: extra.wildcard ?? false,
});
const d = (q: string) => describeQuery(parseQuery(q));

function syntaxError(q: string, limits?: Parameters<typeof parseQuery>[1]): QuerySyntaxError {
  try {
    parseQuery(q, limits);
  } catch (e) {
    assert.ok(e instanceof QuerySyntaxError, `expected QuerySyntaxError for ${JSON.stringify(q)}, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected ${JSON.stringify(q)} to fail`);
}

describe('parseQuery: terms', () => {
  test('empty and blank queries match everything', () => {
    assert.deepEqual(parseQuery(''), { type: 'all' });
    assert.deepEqual(parseQuery('  \t\n '), { type: 'all' });
  });

  test('field:value with its position', () => {
    assert.deepEqual(parseQuery('  host.name:web01'), {
      type: 'term',
      field: 'host.name',
      value: 'web01',
      quoted: false,
      wildcard: false,
      pos: 2,
    });
  });

  test('whitespace around the colon is allowed', () => {
    assert.deepEqual(shape(parseQuery('http.request.method: GET')), t('http.request.method', 'GET'));
    assert.deepEqual(shape(parseQuery('a : b')), t('a', 'b'));
  });

  test('quoted values keep spaces, escapes \\" and \\\\, and a literal backslash otherwise', () => {
    assert.deepEqual(shape(parseQuery('message:"failed  login"')), t('message', 'failed  login', { quoted: true }));
    assert.deepEqual(shape(parseQuery('m:"say \\"hi\\" \\\\ ok"')), t('m', 'say "hi" \\ ok', { quoted: true }));
    assert.deepEqual(shape(parseQuery('path:"C:\\Windows\\System32"')), t('path', 'C:\\Windows\\System32', { quoted: true }));
    assert.deepEqual(shape(parseQuery('m:""')), t('m', '', { quoted: true }));
  });

  test('a star inside quotes is literal', () => {
    assert.deepEqual(shape(parseQuery('f:"web*"')), t('f', 'web*', { quoted: true }));
  });

  test('wildcards in unquoted values; \\* is a literal star; ? is not a wildcard', () => {
    assert.deepEqual(shape(parseQuery('host.name:web*')), t('host.name', 'web*', { wildcard: true }));
    assert.deepEqual(shape(parseQuery('*admin*')), t(null, '*admin*', { wildcard: true }));
    assert.deepEqual(shape(parseQuery('f:a\\*b')), t('f', 'a*b'));
    assert.deepEqual(shape(parseQuery('f:a\\*b*')), t('f', 'a\\*b*', { wildcard: true }));
    assert.deepEqual(wildcardSegments('a\\*b*'), ['a*b', '']);
    assert.deepEqual(wildcardSegments('*admin*'), ['', 'admin', '']);
    assert.deepEqual(wildcardSegments('a\\\\*'), ['a\\', '']);
    assert.deepEqual(shape(parseQuery('f:wh?t')), t('f', 'wh?t'));
  });

  test('a backslash in a wildcard pattern is escaped so segments stay literal', () => {
    const n = parseQuery('p:C\\Windows*');
    assert.deepEqual(shape(n), t('p', 'C\\\\Windows*', { wildcard: true }));
    assert.deepEqual(wildcardSegments((n as { value: string }).value), ['C\\Windows', '']);
  });

  test('field:* is exists, as is field:**', () => {
    assert.deepEqual(parseQuery('user.name:*'), { type: 'exists', field: 'user.name', pos: 0 });
    assert.deepEqual(shape(parseQuery('user.name:**')), { type: 'exists', field: 'user.name' });
    assert.deepEqual(shape(parseQuery('user.name:\\*')), t('user.name', '*'));
  });

  test('bare words and quoted phrases are full-text terms; a bare * is everything', () => {
    assert.deepEqual(parseQuery('mimikatz'), { type: 'term', field: null, value: 'mimikatz', quoted: false, wildcard: false, pos: 0 });
    assert.deepEqual(shape(parseQuery('"lateral movement"')), t(null, 'lateral movement', { quoted: true }));
    assert.deepEqual(parseQuery('*'), { type: 'all' });
  });

  test('field names: letters, digits, _ . @ -, unicode letters, and escaped specials', () => {
    assert.deepEqual(shape(parseQuery('@timestamp:x')), t('@timestamp', 'x'));
    assert.deepEqual(shape(parseQuery('a-b_c.d9:x')), t('a-b_c.d9', 'x'));
    assert.deepEqual(shape(parseQuery('benutzer.größe:x')), t('benutzer.größe', 'x'));
    assert.deepEqual(shape(parseQuery('my\\ field:x')), t('my field', 'x'));
    assert.deepEqual(shape(parseQuery('a\\:b:c')), t('a:b', 'c'));
    assert.deepEqual(shape(parseQuery('a\\(1\\):c')), t('a(1)', 'c'));
  });

  test('values after field: may hold colons and angle brackets (IPv6, URLs, times)', () => {
    assert.deepEqual(shape(parseQuery('source.ip:fe80::1')), t('source.ip', 'fe80::1'));
    assert.deepEqual(shape(parseQuery('url.full:http://x:8080/a?b=1')), t('url.full', 'http://x:8080/a?b=1'));
    assert.deepEqual(shape(parseQuery('@timestamp:2024-01-01T10:00:00Z')), t('@timestamp', '2024-01-01T10:00:00Z'));
  });

  test('keywords followed by a colon are field names', () => {
    assert.deepEqual(shape(parseQuery('not:x')), t('not', 'x'));
    assert.deepEqual(shape(parseQuery('a or:b')), { type: 'and', children: [t(null, 'a'), t('or', 'b')] });
    assert.deepEqual(shape(parseQuery('and>=3')), { type: 'range', field: 'and', op: '>=', value: '3' });
    // With a space, the keyword stays a keyword.
    assert.equal(syntaxError('not :x').position, 4);
  });

  test('escaped specials in bare words', () => {
    assert.deepEqual(shape(parseQuery('a\\(b\\)\\:c')), t(null, 'a(b):c'));
    assert.deepEqual(shape(parseQuery('two\\ words')), t(null, 'two words'));
  });
});

describe('parseQuery: operators', () => {
  test('keywords in any case', () => {
    for (const [and, or, not] of [
      ['AND', 'OR', 'NOT'],
      ['and', 'or', 'not'],
      ['And', 'oR', 'nOt'],
    ]) {
      assert.equal(d(`a ${and} b ${or} ${not} c`), 'a AND b OR NOT c');
    }
  });

  test('precedence: NOT > AND > OR', () => {
    assert.deepEqual(shape(parseQuery('a or b and c')), {
      type: 'or',
      children: [t(null, 'a'), { type: 'and', children: [t(null, 'b'), t(null, 'c')] }],
    });
    assert.deepEqual(shape(parseQuery('not a and b')), {
      type: 'and',
      children: [{ type: 'not', child: t(null, 'a') }, t(null, 'b')],
    });
    assert.equal(d('a and not b or c'), 'a AND NOT b OR c');
    assert.equal(d('a or not b and c'), 'a OR NOT b AND c');
    assert.deepEqual(shape(parseQuery('a and not b or c')), {
      type: 'or',
      children: [{ type: 'and', children: [t(null, 'a'), { type: 'not', child: t(null, 'b') }] }, t(null, 'c')],
    });
  });

  test('juxtaposition is an implicit AND, binding like AND', () => {
    assert.deepEqual(shape(parseQuery('failed login')), { type: 'and', children: [t(null, 'failed'), t(null, 'login')] });
    assert.equal(d('a b or c'), 'a AND b OR c');
    assert.equal(d('a or b c'), 'a OR b AND c');
    assert.equal(d('host.name:web01 NOT user.name:root'), 'host.name:web01 AND NOT user.name:root');
  });

  test('parentheses override precedence and nest', () => {
    assert.equal(d('(a or b) and c'), '(a OR b) AND c');
    assert.equal(d('((a or b) and (c or (d and e)))'), '(a OR b) AND (c OR d AND e)');
    assert.equal(d('not (a and b)'), 'NOT (a AND b)');
    assert.equal(d('not (a or b)'), 'NOT (a OR b)');
    assert.equal(d('(((a)))'), 'a');
    assert.equal(d('NOT(a)'), 'NOT a');
    assert.equal(d('a AND(b OR c)'), 'a AND (b OR c)');
  });

  test('same-type groups are flattened', () => {
    assert.deepEqual(shape(parseQuery('a and (b and c)')), {
      type: 'and',
      children: [t(null, 'a'), t(null, 'b'), t(null, 'c')],
    });
    assert.deepEqual(shape(parseQuery('(a or b) or c')), { type: 'or', children: [t(null, 'a'), t(null, 'b'), t(null, 'c')] });
  });

  test('double negation is kept', () => {
    assert.deepEqual(shape(parseQuery('not not a')), { type: 'not', child: { type: 'not', child: t(null, 'a') } });
  });

  test('a bare * inside an expression is everything', () => {
    assert.deepEqual(shape(parseQuery('a and *')), { type: 'and', children: [t(null, 'a'), { type: 'all' }] });
  });
});

describe('parseQuery: value lists', () => {
  test('or / and / implicit and lists apply the field to each value, with each value position', () => {
    assert.deepEqual(parseQuery('f:(a or b)'), {
      type: 'or',
      children: [
        { type: 'term', field: 'f', value: 'a', quoted: false, wildcard: false, pos: 3 },
        { type: 'term', field: 'f', value: 'b', quoted: false, wildcard: false, pos: 8 },
      ],
    });
    assert.equal(d('f:(a and b)'), 'f:a AND f:b');
    assert.equal(d('f:(a b)'), 'f:a AND f:b');
    assert.equal(d('f:(a OR b AND c)'), 'f:a OR f:b AND f:c');
  });

  test('lists take NOT, nested parentheses, quoted values, wildcards and *', () => {
    assert.equal(d('f:(a or (b and not c))'), 'f:a OR f:b AND NOT f:c');
    assert.equal(d('f:(not a)'), 'NOT f:a');
    assert.equal(d('f:("x y" or z* or *)'), 'f:"x y" OR f:z* OR f:*');
    assert.equal(d('f : ( a or b )'), 'f:a OR f:b');
  });

  test('a list combines with the rest of the query', () => {
    assert.equal(d('x:1 and f:(a or b) or y:2'), 'x:1 AND (f:a OR f:b) OR y:2');
  });
});

describe('parseQuery: ranges', () => {
  test('all four operators, with and without spaces', () => {
    for (const op of ['>', '>=', '<', '<=']) {
      assert.deepEqual(parseQuery(`event.severity ${op} 10`), { type: 'range', field: 'event.severity', op, value: '10', pos: 0 });
      assert.deepEqual(shape(parseQuery(`event.severity${op}10`)), { type: 'range', field: 'event.severity', op, value: '10' });
    }
  });

  test('quoted bounds, date math bounds, and the field:>=value form', () => {
    assert.deepEqual(shape(parseQuery('@timestamp < "2024-01-01"')), {
      type: 'range',
      field: '@timestamp',
      op: '<',
      value: '2024-01-01',
    });
    assert.deepEqual(shape(parseQuery('@timestamp > now-1h')), { type: 'range', field: '@timestamp', op: '>', value: 'now-1h' });
    assert.deepEqual(shape(parseQuery('@timestamp >= 2024-01-01T10:00:00Z')), {
      type: 'range',
      field: '@timestamp',
      op: '>=',
      value: '2024-01-01T10:00:00Z',
    });
    assert.deepEqual(shape(parseQuery('status:>=400')), { type: 'range', field: 'status', op: '>=', value: '400' });
  });

  test('a range binds like a term', () => {
    assert.equal(d('a >= 1 and a < 5 or not b > 2'), 'a >= 1 AND a < 5 OR NOT b > 2');
  });
});

describe('parseQuery: syntax errors', () => {
  const START = ['field', 'value', '(', 'NOT'];
  const LIST_START = ['value', '(', 'NOT'];
  const cases: Array<[string, number, string[], RegExp]> = [
    ['"abc', 4, ['"'], /expected '"' to close the quoted value opened at 0/],
    ['host.name:"web', 14, ['"'], /opened at 10/],
    ['(a or b', 7, [')', 'AND', 'OR', ...START], /expected '\)' to close '\(' opened at 0/],
    ['((a)', 4, [')', 'AND', 'OR', ...START], /opened at 0/],
    ['a and', 5, START, /expected an expression after 'AND'/],
    ['a and   ', 8, START, /after 'AND'/],
    ['a or', 4, START, /after 'OR'/],
    ['a and or b', 6, START, /after 'AND', found 'OR'/],
    ['and a', 0, START, /expected an expression, found 'AND'/],
    ['a or or b', 5, START, /after 'OR', found 'OR'/],
    ['not', 3, START, /after 'NOT'/],
    ['a and not )', 10, START, /after 'NOT', found '\)'/],
    ['host.name:', 10, ['value', '('], /^at 10: expected a value after ':'$/],
    ['host.name: ', 11, ['value', '('], /expected a value after ':'/],
    ['(host.name:)', 11, ['value', '('], /expected a value after ':'/],
    ['a:and', 2, ['value', '('], /found 'AND'/],
    ['a >=', 4, ['value'], /expected a value after '>='/],
    ['a >= ', 5, ['value'], /expected a value after '>='/],
    ['a < (b)', 4, ['value'], /expected a value after '<'/],
    ['a > or', 4, ['value'], /after '>', found 'OR'/],
    ['()', 1, START, /expected an expression after '\(', found '\)'/],
    ['a and ( )', 8, START, /after '\('/],
    ['f:()', 3, LIST_START, /expected a value after '\(', found '\)'/],
    ['f:(a or', 7, LIST_START, /expected a value after 'OR'/],
    ['f:(a', 4, [')', 'AND', 'OR', ...LIST_START], /expected '\)' to close '\(' opened at 2/],
    ['f:(a or not)', 11, LIST_START, /after 'NOT'/],
    ['f:(>5)', 3, LIST_START, /ranges are not allowed in a value list/],
    ['a)', 1, ['AND', 'OR', ...START, 'end of query'], /unexpected '\)'/],
    [':x', 0, START, /unexpected ':'/],
    ['a and :x', 6, START, /unexpected ':'/],
    ['>= 5', 0, START, /unexpected '>'/],
    ['ho$t:x', 2, ['field'], /invalid character '\$' in field name/],
    ['a*:x', 1, ['field'], /invalid character '\*' in field name/],
  ];
  for (const [q, pos, expected, message] of cases) {
    test(`${JSON.stringify(q)} fails at ${pos}`, () => {
      const e = syntaxError(q);
      assert.equal(e.position, pos);
      assert.deepEqual(e.expected, expected);
      assert.match(e.message, message);
      assert.ok(e.message.startsWith(`at ${pos}: `), e.message);
    });
  }

  test('the error is a VigilError the API maps to 400 invalid_query', () => {
    const e = syntaxError('a:');
    assert.ok(e instanceof VigilError);
    assert.equal(e.code, 'invalid_query');
    assert.equal(e.status, 400);
    assert.deepEqual(e.details, { position: 2, expected: ['value', '('] });
    assert.equal(e.name, 'QuerySyntaxError');
  });
});

describe('parseQuery: limits', () => {
  test('maxLength (default 4096)', () => {
    assert.doesNotThrow(() => parseQuery('a'.repeat(4096)));
    const e = syntaxError('a'.repeat(4097));
    assert.equal(e.limit, 'maxLength');
    assert.equal(e.position, 4096);
    assert.match(e.message, /limit of 4096 characters \(maxLength\)/);
    assert.equal(syntaxError('abcdef', { maxLength: 5 }).limit, 'maxLength');
  });

  test('maxDepth (default 32) counts parentheses, list parentheses and NOT', () => {
    assert.doesNotThrow(() => parseQuery('('.repeat(32) + 'a' + ')'.repeat(32)));
    const e = syntaxError('('.repeat(33) + 'a' + ')'.repeat(33));
    assert.equal(e.limit, 'maxDepth');
    assert.equal(e.position, 32);
    assert.match(e.message, /limit of 32 \(maxDepth\)/);
    assert.equal(syntaxError('not '.repeat(33) + 'a').position, 128);
    assert.doesNotThrow(() => parseQuery('not '.repeat(32) + 'a'));
    assert.equal(syntaxError('((f:(a or (b)))', { maxDepth: 3 }).position, 10);
    assert.doesNotThrow(() => parseQuery('a and (b) and (c) and (d)', { maxDepth: 1 }));
  });

  test('maxTerms (default 256) counts every term, range, exists and list value', () => {
    assert.doesNotThrow(() => parseQuery(Array.from({ length: 256 }, (_, i) => `w${i}`).join(' or ')));
    const q = Array.from({ length: 257 }, () => 'ab').join(' ');
    const e = syntaxError(q);
    assert.equal(e.limit, 'maxTerms');
    assert.equal(e.position, 256 * 3);
    assert.match(e.message, /limit of 256 \(maxTerms\)/);
    assert.equal(syntaxError('f:(a or b or c) x > 1 y:*', { maxTerms: 4 }).position, 22);
  });

  test('100,000 open parentheses give an error, not a stack overflow', () => {
    const deep = '('.repeat(100_000);
    assert.equal(syntaxError(deep).limit, 'maxLength');
    const e = syntaxError(deep, { maxLength: 1_000_000 });
    assert.equal(e.limit, 'maxDepth');
    // Even a caller asking for unbounded depth is clamped.
    const e2 = syntaxError(deep + 'a' + ')'.repeat(100_000), { maxLength: 1_000_000, maxDepth: 1e9 });
    assert.equal(e2.limit, 'maxDepth');
    assert.equal(e2.position, 500);
    assert.equal(syntaxError('not '.repeat(100_000) + 'a', { maxLength: 1e7, maxDepth: 1e9 }).limit, 'maxDepth');
    assert.equal(syntaxError('f:' + '('.repeat(100_000), { maxLength: 1e7 }).limit, 'maxDepth');
  });

  test('a long flat query parses iteratively when the limits allow it', () => {
    const q = Array.from({ length: 50_000 }, (_, i) => `f:v${i}`).join(' or ');
    const n = parseQuery(q, { maxLength: 1e7, maxTerms: 1e6 });
    assert.equal(n.type, 'or');
    assert.equal((n as { children: unknown[] }).children.length, 50_000);
  });
});

describe('describeQuery and queryFields', () => {
  test('normalised form', () => {
    assert.equal(d('host.name:web* and not (user.name:root or "x y")'), 'host.name:web* AND NOT (user.name:root OR "x y")');
    assert.equal(d('f:"a\\"b"'), 'f:"a\\"b"');
    assert.equal(d('f:a\\*b'), 'f:a\\*b');
    assert.equal(d('my\\ field:x'), 'my\\ field:x');
    assert.equal(d('url:http://a:1/b'), 'url:http://a:1/b');
    assert.equal(d('x:*'), 'x:*');
    assert.equal(d('x >= "a b"'), 'x >= "a b"');
    assert.equal(d('@timestamp > now-15m'), '@timestamp > now-15m');
    assert.equal(d(''), '*');
    assert.equal(describeQuery({ type: 'term', field: 'f', value: 'and', quoted: false, wildcard: false, pos: 0 }), 'f:"and"');
    assert.equal(describeQuery({ type: 'term', field: 'f', value: '<5', quoted: false, wildcard: false, pos: 0 }), 'f:\\<5');
    assert.equal(describeQuery({ type: 'term', field: null, value: 'a:b (c)', quoted: false, wildcard: false, pos: 0 }), 'a\\:b\\ \\(c\\)');
  });

  test('describe is a fixed point: parsing its output gives the same tree', () => {
    const queries = [
      'host.name:web* and not (user.name:root or "x y")',
      'a b or c and not (d or e f)',
      'f:(a or (b and not c)) x >= 10 y:* "q\\"uote" p:C:\\Windows\\*',
      'p:C\\Windows* and z:a\\*b* and w:"a*b" and *x\\(y*',
      'my\\ field:x and a\\:b:c and source.ip:fe80::1',
      'f:\\<5 and g:\\>',
      'not not a',
      'x < "a b" and y > now-1d/d',
      'C:\\Windows',
    ];
    for (const q of queries) {
      const once = parseQuery(q);
      const text = describeQuery(once);
      assert.deepEqual(shape(parseQuery(text)), shape(once), `${q} → ${text}`);
    }
  });

  test('queryFields lists distinct fields in order of appearance', () => {
    assert.deepEqual(
      queryFields(parseQuery('host.name:a and (user.name:b or not host.name:c) x > 1 y:* z:(1 or 2) bare "phrase"')),
      ['host.name', 'user.name', 'x', 'y', 'z'],
    );
    assert.deepEqual(queryFields(parseQuery('')), []);
  });
});

describe('parseQuery: fuzz', () => {
  test('random input parses or fails with QuerySyntaxError, and describe round-trips', () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const atoms = ['a', 'b.c', ':', '"', '\\', '(', ')', '*', ' ', ' ', 'and', 'OR', 'not', '>', '>=', '<', '=', 'x y', '@t', '-', '?', 'é', '\t'];
    for (let k = 0; k < 3000; k++) {
      let q = '';
      const len = 1 + rnd(14);
      for (let i = 0; i < len; i++) q += atoms[rnd(atoms.length)];
      let n: QueryNode;
      try {
        n = parseQuery(q);
      } catch (e) {
        assert.ok(e instanceof QuerySyntaxError, `${JSON.stringify(q)}: ${String(e)}`);
        assert.ok(e.position >= 0 && e.position <= q.length, `${JSON.stringify(q)}: position ${e.position}`);
        assert.ok(e.expected.length > 0, `${JSON.stringify(q)}: no expected list`);
        continue;
      }
      const text = describeQuery(n);
      assert.deepEqual(shape(parseQuery(text)), shape(n), `${JSON.stringify(q)} → ${text}`);
    }
  });
});
