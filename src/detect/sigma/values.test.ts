import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matches, rng, rule } from './testkit.ts';
import { multiPredicate, parseSigmaString, stringPredicate, WILD_MULTI, WILD_SINGLE } from './values.ts';

describe('Sigma strings: wildcards and escapes', () => {
  it('parses wildcards and the escapes of the specification', () => {
    assert.deepEqual(parseSigmaString('prog?.exe'), ['prog', WILD_SINGLE, '.exe']);
    assert.deepEqual(parseSigmaString('*\\cmd.exe'), [WILD_MULTI, '\\cmd.exe']);
    assert.deepEqual(parseSigmaString('a\\*b'), ['a*b']); // \* is a plain star
    assert.deepEqual(parseSigmaString('a\\?b'), ['a?b']); // \? is a plain question mark
    assert.deepEqual(parseSigmaString('C:\\\\*'), ['C:\\', WILD_MULTI]); // \\* is a backslash, then a wildcard
    assert.deepEqual(parseSigmaString('a\\\\\\*'), ['a\\*']); // \\\* is a backslash and a plain star
    assert.deepEqual(parseSigmaString('C:\\Windows\\System32'), ['C:\\Windows\\System32']); // a single \ before other chars is literal
    assert.deepEqual(parseSigmaString('a\\\\b'), ['a\\b']); // \\ before a plain char is one backslash (same as \)
    assert.deepEqual(parseSigmaString('a\\\\\\b'), ['a\\\\b']); // three backslashes: a double backslash
    assert.deepEqual(parseSigmaString('a\\\\\\\\b'), ['a\\\\b']); // four backslashes: a double backslash
    assert.deepEqual(parseSigmaString('end\\'), ['end\\']);
    assert.deepEqual(parseSigmaString(''), ['']);
    assert.deepEqual(parseSigmaString('*'), [WILD_MULTI]);
  });

  it('matches wildcard patterns without regular expressions', () => {
    const p = (s: string): ((x: string) => boolean) => stringPredicate(parseSigmaString(s), true);
    assert.equal(p('prog?.exe')('proga.exe'), true);
    assert.equal(p('prog?.exe')('prog.exe'), false);
    assert.equal(p('prog?.exe')('progab.exe'), false);
    assert.equal(p('a*b*c')('axxbyyc'), true);
    assert.equal(p('a*b*c')('acb'), false);
    assert.equal(p('a*b*c')('abc'), true);
    assert.equal(p('*a?c*')('xxabcxx'), true);
    assert.equal(p('*a?c*')('xxacxx'), false);
    assert.equal(p('?')('x'), true);
    assert.equal(p('?')(''), false);
    assert.equal(p('*')(''), true);
    assert.equal(p('ab*ab')('ab'), false); // prefix and suffix may not overlap
    assert.equal(p('ab*ab')('abab'), true);
    assert.equal(p('*??*')('a'), false);
    assert.equal(p('*??*')('ab'), true);
    assert.equal(p('a*?b?*c')('a1b2c'), true);
    assert.equal(p('a*?b?*c')('ab2c'), false);
    assert.equal(p('*x?z*y')('..x1z..y'), true);
    assert.equal(p('*x?z*y')('..x1z..'), false);
    // escaped wildcards are literal characters, also right next to real wildcards
    assert.equal(p('\\?')('-'), false);
    assert.equal(p('\\?')('?'), true);
    assert.equal(p('*\\?')('what?'), true);
    assert.equal(p('*\\?')('what!'), false);
    assert.equal(p('?\\*?')('a*b'), true);
    assert.equal(p('?\\*?')('abc'), false);
  });

  it('matches wildcard patterns like an anchored regular expression would (random patterns)', () => {
    const r = rng(5);
    const tokens = ['a', 'b', 'A', '*', '?', '\\*', '\\?', '\\\\', '\\', '.', '\n'];
    const oracle = (pattern: string): RegExp => {
      const src = parseSigmaString(pattern)
        .map((p) => (typeof p === 'string' ? p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : 'w' in p ? (p.w === '*' ? '.*' : '.') : ''))
        .join('');
      return new RegExp(`^${src}$`, 'si');
    };
    for (let i = 0; i < 3000; i++) {
      let pattern = '';
      const n = 1 + Math.floor(r() * 7);
      for (let k = 0; k < n; k++) pattern += tokens[Math.floor(r() * tokens.length)];
      const mine = stringPredicate(parseSigmaString(pattern), true);
      const re = oracle(pattern);
      for (let j = 0; j < 20; j++) {
        let text = '';
        const m = Math.floor(r() * 9);
        for (let k = 0; k < m; k++) text += ['a', 'b', '*', '?', '\\', '.', '\n'][Math.floor(r() * 7)];
        assert.equal(mine(text), re.test(text), `${JSON.stringify(pattern)} on ${JSON.stringify(text)}`);
      }
    }
  });

  it('matches many patterns at once exactly like each pattern alone (indexed lists included)', () => {
    const r = rng(99);
    const alphabet = 'abcAB-/ ';
    const word = (min: number, max: number): string => {
      let s = '';
      const n = min + Math.floor(r() * (max - min + 1));
      for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
      return s;
    };
    const shapes = [(w: string) => w, (w: string) => `*${w}*`, (w: string) => `${w}*`, (w: string) => `*${w}`, (w: string) => `*${w}?${w}*`, (w: string) => `${w}*${w}`];
    for (let round = 0; round < 300; round++) {
      const count = 1 + Math.floor(r() * 60);
      const patterns = Array.from({ length: count }, () => parseSigmaString(shapes[Math.floor(r() * shapes.length)]!(word(1, 7))));
      for (const lower of [true, false]) {
        const all = multiPredicate(patterns, lower);
        const each = patterns.map((p) => stringPredicate(p, lower));
        for (let k = 0; k < 40; k++) {
          const s0 = word(0, 30);
          const s = lower ? s0.toLowerCase() : s0;
          assert.equal(all(s), each.some((f) => f(s)), `${count} patterns on ${JSON.stringify(s)}`);
        }
      }
    }
  });

  it('is case-insensitive by default and honours escaped wildcards', () => {
    assert.equal(matches(`sel:\n    Image: '*\\cmd.exe'\ncondition: sel`, { Image: 'C:\\Windows\\System32\\CMD.EXE' }), true);
    assert.equal(matches(`sel:\n    Image: '*\\cmd.exe'\ncondition: sel`, { Image: 'C:\\cmd.exe.bak' }), false);
    assert.equal(matches(`sel:\n    CommandLine|contains: 'a\\*b'\ncondition: sel`, { CommandLine: 'xx a*b yy' }), true);
    assert.equal(matches(`sel:\n    CommandLine|contains: 'a\\*b'\ncondition: sel`, { CommandLine: 'xx aQb yy' }), false);
    assert.equal(matches(`sel:\n    Path: 'C:\\\\*'\ncondition: sel`, { Path: 'c:\\temp\\x' }), true);
    assert.equal(matches(`sel:\n    Path: 'C:\\\\\\*'\ncondition: sel`, { Path: 'C:\\*' }), true);
    assert.equal(matches(`sel:\n    Path: 'C:\\\\\\*'\ncondition: sel`, { Path: 'C:\\x' }), false);
    assert.equal(matches(`sel:\n    Name: 'prog?.exe'\ncondition: sel`, { Name: 'PROGA.EXE' }), true);
    assert.equal(matches(`sel:\n    Name: 'prog\\?.exe'\ncondition: sel`, { Name: 'proga.exe' }), false);
    assert.equal(matches(`sel:\n    Name: 'prog\\?.exe'\ncondition: sel`, { Name: 'prog?.exe' }), true);
  });
});

describe('special values', () => {
  const isNull = rule(`sel:\n    F: null\ncondition: sel`);
  const isEmpty = rule(`sel:\n    F: ''\ncondition: sel`);
  const exists = rule(`sel:\n    F|exists: true\ncondition: sel`);
  const absent = rule(`sel:\n    F|exists: false\ncondition: sel`);
  const any = rule(`sel:\n    F: '*'\ncondition: sel`);
  const cases: [string, Record<string, unknown>][] = [
    ['absent', {}],
    ['null', { F: null }],
    ['empty', { F: '' }],
    ['value', { F: 'x' }],
  ];
  const want: Record<string, [boolean, boolean, boolean, boolean, boolean]> = {
    //        null   empty  exists absent any
    absent: [true, false, false, true, false],
    null: [true, false, true, false, false],
    empty: [false, true, true, false, true],
    value: [false, false, true, false, true],
  };
  for (const [name, event] of cases) {
    it(`null, '', exists and '*' are distinct on a field that is ${name}`, () => {
      const got = [isNull, isEmpty, exists, absent, any].map((r) => matches(r, event));
      assert.deepEqual(got, want[name]);
    });
  }

  it('treats an empty list as null', () => {
    assert.equal(matches(`sel:\n    F: []\ncondition: sel`, {}), true);
    assert.equal(matches(`sel:\n    F: []\ncondition: sel`, { F: 'x' }), false);
  });
});

describe('numbers, booleans, arrays and field names', () => {
  const eid = rule(`sel:\n    EventID: 4624\ncondition: sel`);
  it('compares a rule number with numbers and numeric strings', () => {
    assert.equal(matches(eid, { EventID: 4624 }), true);
    assert.equal(matches(eid, { EventID: '4624' }), true);
    assert.equal(matches(eid, { EventID: '04624' }), true);
    assert.equal(matches(eid, { EventID: '4624.0' }), true);
    assert.equal(matches(eid, { EventID: 4625 }), false);
    assert.equal(matches(eid, { EventID: 'x4624' }), false);
    assert.equal(matches(eid, { EventID: '4624x' }), false);
    assert.equal(matches(eid, {}), false);
  });

  it('compares a quoted rule number as a string', () => {
    const r = rule(`sel:\n    EventID: '4624'\ncondition: sel`);
    assert.equal(matches(r, { EventID: 4624 }), true);
    assert.equal(matches(r, { EventID: '4624' }), true);
  });

  it('keeps the source text of numbers (hex, leading zeros)', () => {
    const hex = rule(`sel:\n    TicketOptions: 0x40810000\ncondition: sel`);
    assert.equal(matches(hex, { TicketOptions: '0x40810000' }), true);
    assert.equal(matches(hex, { TicketOptions: '0X40810000' }), true);
    assert.equal(matches(hex, { TicketOptions: 0x40810000 }), true);
    assert.equal(matches(hex, { TicketOptions: '0x40810001' }), false);
    const lead = rule(`sel:\n    Code: 010\ncondition: sel`);
    assert.equal(matches(lead, { Code: '010' }), true);
    assert.equal(matches(lead, { Code: 10 }), true);
  });

  it('matches booleans and their text', () => {
    const r = rule(`sel:\n    Enabled: true\ncondition: sel`);
    assert.equal(matches(r, { Enabled: true }), true);
    assert.equal(matches(r, { Enabled: 'True' }), true);
    assert.equal(matches(r, { Enabled: false }), false);
    assert.equal(matches(r, { Enabled: 1 }), false);
  });

  it('matches array-valued fields when any element matches', () => {
    assert.equal(matches(`sel:\n    Tags: foo\ncondition: sel`, { Tags: ['bar', 'FOO'] }), true);
    assert.equal(matches(`sel:\n    Tags|contains: oo\ncondition: sel`, { Tags: ['bar', 'foo'] }), true);
    assert.equal(matches(`sel:\n    Tags: foo\ncondition: sel`, { Tags: ['bar', 'baz'] }), false);
    assert.equal(matches(`sel:\n    Ports: 443\ncondition: sel`, { Ports: [80, 443] }), true);
    assert.equal(matches(`sel:\n    Tags: foo\ncondition: sel`, { Tags: [] }), false);
  });

  it('reads field names with spaces as written, and dotted names flat or nested', () => {
    assert.equal(matches(`sel:\n    'Event Name': Logon\ncondition: sel`, { 'Event Name': 'logon' }), true);
    assert.equal(matches(`sel:\n    process.name: cmd.exe\ncondition: sel`, { process: { name: 'cmd.exe' } }), true);
    assert.equal(matches(`sel:\n    process.name: cmd.exe\ncondition: sel`, { 'process.name': 'cmd.exe' }), true);
    assert.equal(matches(`sel:\n    process.name: cmd.exe\ncondition: sel`, { process: { name: 'x' } }), false);
  });

  it('does not match objects with string tests', () => {
    assert.equal(matches(`sel:\n    F: '*'\ncondition: sel`, { F: { a: 1 } }), false);
  });
});

describe('lists and maps', () => {
  it('ORs list values and ANDs map entries', () => {
    const r = rule(`sel:\n    A: [x, y]\n    B: z\ncondition: sel`);
    assert.equal(matches(r, { A: 'y', B: 'z' }), true);
    assert.equal(matches(r, { A: 'y' }), false);
    assert.equal(matches(r, { A: 'w', B: 'z' }), false);
  });

  it('ORs the maps of a list of maps', () => {
    const r = rule(`sel:\n    - Image|endswith: '\\example.exe'\n    - Description|contains: 'Test executable'\ncondition: sel`);
    assert.equal(matches(r, { Image: 'C:\\example.exe' }), true);
    assert.equal(matches(r, { Description: 'a test executable file' }), true);
    assert.equal(matches(r, { Image: 'C:\\other.exe' }), false);
  });
});

describe('keywords', () => {
  const kw = rule(`keywords:\n    - 'mimikatz'\n    - 'sekurlsa::*'\n    - 'foo*bar'\ncondition: keywords`);
  it('matches any keyword string of the event with contains semantics', () => {
    assert.equal(matches(kw, { Message: 'running MIMIKATZ now' }), true);
    assert.equal(matches(kw, { a: { b: ['x', 'call sekurlsa::logonpasswords'] } }), true);
    assert.equal(matches(kw, { Message: 'a foo, then a bar' }), true);
    assert.equal(matches(kw, { Message: 'nothing here' }), false);
    assert.equal(matches(kw, { Count: 1 }), false);
  });

  it('accepts a single keyword, numbers, and |all', () => {
    assert.equal(matches(`keywords: evil\ncondition: keywords`, { m: 'so EVIL' }), true);
    assert.equal(matches(`keywords:\n    - 4624\ncondition: keywords`, { m: 'event 4624 seen' }), true);
    const all = rule(`keywords:\n    '|all':\n        - 'OabVirtualDirectory'\n        - ' -ExternalUrl '\ncondition: keywords`);
    assert.equal(matches(all, { a: 'Set-OabVirtualDirectory x', b: 'y -ExternalUrl z' }), true);
    assert.equal(matches(all, { a: 'Set-OabVirtualDirectory x' }), false);
  });

  it('mixes keyword lists and maps inside one identifier list', () => {
    const r = rule(`sel:\n    - evil\n    - User: bob\ncondition: sel`);
    assert.equal(matches(r, { User: 'bob' }), true);
    assert.equal(matches(r, { m: 'an evil thing' }), true);
    assert.equal(matches(r, { m: 'fine' }), false);
  });
});
