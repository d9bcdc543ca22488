import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { parseQuery, QueryCompileError, QuerySyntaxError, VigilError, type QueryNode } from '../../core/index.ts';
import {
  candidatePaths,
  compileSort,
  compileWhere,
  cursorWhere,
  decodeCursor,
  encodeCursor,
  EVENTS_QUERY_SCHEMA,
  fieldExpression,
  type QuerySchema,
} from './query-sql.ts';

const DDL = `
CREATE TABLE events (
  rid INTEGER PRIMARY KEY, id TEXT NOT NULL,
  ts INTEGER NOT NULL,
  ingested INTEGER NOT NULL,
  input_type TEXT NOT NULL COLLATE NOCASE, input_name TEXT NOT NULL COLLATE NOCASE,
  host TEXT COLLATE NOCASE,
  user_name TEXT COLLATE NOCASE,
  source_ip TEXT, destination_ip TEXT,
  category TEXT COLLATE NOCASE,
  action TEXT COLLATE NOCASE, outcome TEXT COLLATE NOCASE,
  doc TEXT NOT NULL
);
CREATE VIRTUAL TABLE events_fts USING fts5(text, content='', contentless_delete=1);
CREATE INDEX events_host ON events(host, ts);
`;

type Doc = Record<string, unknown>;
const NOW = new Date('2024-01-12T00:00:00Z');

/** The events, by rid. Each exercises something; the comment says what. */
const EVENTS: Record<number, Doc> = {
  // array category (first value in the column), Windows-style nested dotted key in original
  1: {
    '@timestamp': '2024-01-10T10:00:00.000Z',
    host: { name: 'web01' },
    user: { name: 'alice' },
    source: { ip: '10.0.0.1', port: 51000 },
    destination: { ip: '10.0.0.9', port: 22 },
    event: { category: ['authentication', 'iam'], action: 'logon', outcome: 'success', severity: 3 },
    message: 'User alice logged in from 10.0.0.1',
    tags: ['prod', 'linux'],
    original: { 'Event.System': { EventID: 4624 }, LogonType: '10' },
  },
  // upper-case host in the column, flat dotted key with a string id in original
  2: {
    '@timestamp': '2024-01-10T11:00:00.000Z',
    host: { name: 'WEB02' },
    user: { name: 'Bob' },
    event: { category: 'authentication', action: 'logon', outcome: 'failure', severity: 5 },
    message: 'Failed password for bob',
    tags: ['prod'],
    original: { 'Event.System.EventID': '4625', LogonType: '3' },
  },
  // process args array with % and _ in a value
  3: {
    '@timestamp': '2024-01-11T00:00:00.000Z',
    host: { name: 'db01' },
    user: { name: 'root' },
    event: { category: ['process'], action: 'exec', severity: 7 },
    process: { pid: 1234, name: 'bash', args: ['bash', '-c', 'echo 100%_done'] },
    message: 'sudo: root : COMMAND=/bin/bash',
  },
  // no host, upper-case IPv6 in the column, last millisecond of a day
  4: {
    '@timestamp': '2024-01-09T23:59:59.999Z',
    source: { ip: 'FE80::1' },
    destination: { port: 443 },
    event: { category: 'network' },
    message: 'connection from fe80::1',
  },
  // literal _ and % in column values
  5: {
    '@timestamp': '2024-01-10T12:00:00.000Z',
    host: { name: 'web_01' },
    user: { name: 'al%ce' },
    message: 'disk 100% full',
  },
  // numeric string, user not in the message
  6: {
    '@timestamp': '2024-01-10T12:00:00.000Z',
    host: { name: 'webX01' },
    user: { name: 'carol' },
    event: { code: '10' },
    labels: { env: 'prod' },
    message: 'nothing to see',
  },
  // JSON number
  7: { '@timestamp': '2024-01-10T12:00:00.000Z', host: { name: 'app01' }, event: { code: 10 }, message: 'code ten' },
  // JSON booleans, null, empty array, nested object
  8: {
    '@timestamp': '2024-01-10T13:00:00.000Z',
    host: { name: 'app02' },
    flag: true,
    other: false,
    user: { email: null, name: null },
    empty: [],
    message: 'flags',
  },
  // quotes and backslashes
  9: {
    '@timestamp': '2024-01-10T14:00:00.000Z',
    host: { name: 'win01' },
    file: { path: 'C:\\Windows\\System32\\cmd.exe' },
    message: 'He said "hi"',
  },
  // a value that looks like SQL
  10: {
    '@timestamp': '2024-01-10T15:00:00.000Z',
    host: { name: 'web03' },
    user: { name: "x' OR 1=1 --" },
    message: 'odd user',
  },
  // category array with the match in second place
  11: {
    '@timestamp': '2024-01-10T16:00:00.000Z',
    host: { name: 'fw01' },
    event: { category: ['network', 'authentication'], created: '2024-01-10T15:59:00.000Z' },
    message: 'vpn session',
  },
  // the same dotted name as a nested path and a flat key
  12: {
    '@timestamp': '2024-01-10T17:00:00.000Z',
    host: { name: 'lab01' },
    a: { b: 'nested' },
    'a.b': 'flat',
    q: { 'we"ird\\key': 'yes' },
    message: 'dots',
  },
};

let db: Database.Database;

function first(v: unknown): unknown {
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

function strings(v: unknown, out: string[]): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => strings(x, out));
  return out;
}

function insert(rid: number, body: Doc): void {
  const doc: Doc = { id: `E${rid}`, input: { type: 'http', name: 'test' }, ...body };
  const get = (path: string) => path.split('.').reduce<unknown>((o, k) => (o as Doc | undefined)?.[k], doc);
  db.prepare(
    `INSERT INTO events (rid, id, ts, ingested, input_type, input_name, host, user_name, source_ip, destination_ip,
       category, action, outcome, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    rid,
    doc.id,
    Date.parse(doc['@timestamp'] as string),
    Date.parse(doc['@timestamp'] as string) + 1000,
    'http',
    'test',
    first(get('host.name')),
    first(get('user.name')),
    first(get('source.ip')),
    first(get('destination.ip')),
    first(get('event.category')),
    first(get('event.action')),
    first(get('event.outcome')),
    JSON.stringify(doc),
  );
  // FTS text: the message first, then every other string (as the store does).
  const { message, ...rest } = doc;
  const text = [typeof message === 'string' ? message : '', ...strings(rest, [])].join('\n');
  db.prepare('INSERT INTO events_fts (rowid, text) VALUES (?, ?)').run(rid, text);
}

function run(q: string | QueryNode, schema: QuerySchema = EVENTS_QUERY_SCHEMA): number[] {
  const node = typeof q === 'string' ? parseQuery(q) : q;
  const w = compileWhere(node, schema, NOW);
  return db
    .prepare(`SELECT e.rid FROM events AS e WHERE ${w.sql} ORDER BY e.rid`)
    .pluck()
    .all(...w.params) as number[];
}

const ALL = Object.keys(EVENTS).map(Number);
const except = (...rids: number[]) => ALL.filter((r) => !rids.includes(r));

function compileError(q: string): QueryCompileError {
  try {
    compileWhere(parseQuery(q), EVENTS_QUERY_SCHEMA, NOW);
  } catch (e) {
    assert.ok(e instanceof QueryCompileError, `expected QueryCompileError for ${q}, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected ${q} not to compile`);
}

before(() => {
  db = new Database(':memory:');
  db.exec(DDL);
  for (const [rid, doc] of Object.entries(EVENTS)) insert(Number(rid), doc);
});
after(() => db.close());

describe('compileWhere: column fields', () => {
  test('everything, and empty groups', () => {
    assert.deepEqual(run(''), ALL);
    assert.deepEqual(run({ type: 'and', children: [] }), ALL);
    assert.deepEqual(run({ type: 'or', children: [] }), []);
  });

  test('equality is case-insensitive and uses the column', () => {
    assert.deepEqual(run('host.name:web01'), [1]);
    assert.deepEqual(run('host.name:WEB01'), [1]);
    assert.deepEqual(run('host.name:web02'), [2]);
    assert.deepEqual(run('host.name:"Web02"'), [2]);
    assert.deepEqual(run('user.name:BOB'), [2]);
    assert.deepEqual(run('event.outcome:FAILURE'), [2]);
    assert.deepEqual(run('input.type:HTTP'), ALL);
    assert.deepEqual(run('id:e7'), [7]);
    const w = compileWhere(parseQuery('host.name:web01'), EVENTS_QUERY_SCHEMA);
    assert.equal(w.sql, 'e.host = ?');
    assert.deepEqual(w.params, ['web01']);
  });

  test('binary columns (IPs) match the value as written, lower- or upper-cased', () => {
    assert.deepEqual(run('source.ip:fe80::1'), [4]);
    assert.deepEqual(run('source.ip:FE80::1'), [4]);
    assert.deepEqual(run('source.ip:10.0.0.1'), [1]);
    assert.deepEqual(run('source.ip:10.0.0.*'), [1]);
    assert.deepEqual(run('source.ip:fe80*'), [4]);
  });

  test('wildcards become LIKE with % and _ in user text taken literally', () => {
    assert.deepEqual(run('host.name:web*'), [1, 2, 5, 6, 10]);
    assert.deepEqual(run('host.name:*01'), [1, 3, 5, 6, 7, 9, 11, 12]);
    assert.deepEqual(run('host.name:w*1'), [1, 5, 6, 9]);
    // Unescaped, '_' would match any character (web01, webX01 too) and '%' any run (alice).
    assert.deepEqual(run('host.name:web_*'), [5]);
    assert.deepEqual(run('host.name:web_01'), [5]);
    assert.deepEqual(run('user.name:al%c*'), [5]);
    assert.deepEqual(run('user.name:al%ce'), [5]);
    assert.deepEqual(run('user.name:ALI*'), [1]);
    const w = compileWhere(parseQuery('host.name:web_*'), EVENTS_QUERY_SCHEMA);
    assert.equal(w.sql, "e.host LIKE ? ESCAPE '\\'");
    assert.deepEqual(w.params, ['web\\_%']);
  });

  test('a literal star (quoted or escaped) is not a wildcard', () => {
    assert.deepEqual(run('host.name:"web*"'), []);
    assert.deepEqual(run('host.name:web\\*'), []);
  });

  test('event.category matches any element of the array, not only the column', () => {
    assert.deepEqual(run('event.category:authentication'), [1, 2, 11]);
    assert.deepEqual(run('event.category:IAM'), [1]);
    assert.deepEqual(run('event.category:network'), [4, 11]);
    assert.deepEqual(run('event.category:auth*'), [1, 2, 11]);
    assert.deepEqual(run('event.category:(iam or process)'), [1, 3]);
    assert.deepEqual(run('not event.category:authentication'), except(1, 2, 11));
  });

  test('exists on columns', () => {
    assert.deepEqual(run('host.name:*'), except(4));
    assert.deepEqual(run('not host.name:*'), [4]);
    assert.deepEqual(run('event.outcome:*'), [1, 2]);
  });

  test('NOT is null-safe: events without the field are included', () => {
    assert.deepEqual(run('not host.name:web01'), except(1));
    assert.deepEqual(run('not user.name:alice'), except(1));
    assert.deepEqual(run('not (host.name:web01 or user.name:bob)'), except(1, 2));
    assert.deepEqual(run('not not host.name:web01'), [1]);
  });

  test('boolean structure', () => {
    assert.deepEqual(run('host.name:web01 or host.name:db01'), [1, 3]);
    assert.deepEqual(run('host.name:web* and event.outcome:failure'), [2]);
    assert.deepEqual(run('host.name:web* not event.category:authentication'), [5, 6, 10]);
    assert.deepEqual(run('(host.name:web01 or host.name:web02) and user.name:bob'), [2]);
    assert.deepEqual(run('host.name:web01 or host.name:web02 and user.name:bob'), [1, 2]);
    assert.deepEqual(run('host.name:(web01 or db01 or app*)'), [1, 3, 7, 8]);
  });
});

describe('compileWhere: time', () => {
  test('ranges on @timestamp read ISO, epoch ms and date math', () => {
    assert.deepEqual(run('@timestamp >= "2024-01-10T16:00:00Z"'), [3, 11, 12]);
    assert.deepEqual(run('@timestamp > 2024-01-10T16:00:00Z'), [3, 12]);
    assert.deepEqual(run(`@timestamp >= ${Date.parse('2024-01-10T16:00:00Z')}`), [3, 11, 12]);
    assert.deepEqual(run('@timestamp >= now-1d'), [3]);
    assert.deepEqual(run('@timestamp > now-1d'), []);
    assert.deepEqual(run('@timestamp >= now-2d/d and @timestamp < now-1d/d'), except(3, 4));
  });

  test('date-only bounds follow Elasticsearch rounding', () => {
    assert.deepEqual(run('@timestamp <= 2024-01-09'), [4]);
    assert.deepEqual(run('@timestamp < 2024-01-10'), [4]);
    assert.deepEqual(run('@timestamp > 2024-01-09'), except(4));
    assert.deepEqual(run('@timestamp >= 2024-01-11'), [3]);
    assert.deepEqual(run('@timestamp > 2024-01-10'), [3]);
  });

  test('equality on a time field is the span the value names', () => {
    assert.deepEqual(run('@timestamp:2024-01-09'), [4]);
    assert.deepEqual(run('@timestamp:"2024-01-10T12:00:00.000Z"'), [5, 6, 7]);
    assert.deepEqual(run('@timestamp:2024-01-10T12:00'), [5, 6, 7]);
  });

  test('document time fields compare as ISO strings', () => {
    assert.deepEqual(run('event.created > 2024-01-10T15:00Z'), [11]);
    assert.deepEqual(run('event.created < 2024-01-10'), []);
    assert.deepEqual(run('event.created:2024-01-10'), [11]);
  });

  test('an unreadable time is a QueryCompileError with position and field', () => {
    const e = compileError('host.name:x and @timestamp > yesterday');
    assert.equal(e.position, 16);
    assert.equal(e.field, '@timestamp');
    assert.match(e.message, /^at 16: @timestamp is a time field: invalid time "yesterday"/);
    assert.ok(e instanceof VigilError && e.status === 400);
    assert.equal(compileError('@timestamp:2024*').field, '@timestamp');
    assert.match(compileError('@timestamp:2024*').message, /wildcards are not supported/);
    assert.equal(compileError('event.created:soon').field, 'event.created');
  });
});

describe('compileWhere: document fields', () => {
  test('nested fields, case-insensitive', () => {
    assert.deepEqual(run('process.name:BASH'), [3]);
    assert.deepEqual(run('labels.env:prod'), [6]);
    assert.deepEqual(run('file.path:"C:\\Windows\\System32\\cmd.exe"'), [9]);
    assert.deepEqual(run('file.path:"c:\\windows\\system32\\CMD.EXE"'), [9]);
    assert.deepEqual(run('file.path:*\\System32\\*'), []);
    assert.deepEqual(run('file.path:*System32*'), [9]);
    assert.deepEqual(run('file.path:C\\:\\\\Windows*'), [9]);
  });

  test('a number matches JSON numbers and numeric strings', () => {
    assert.deepEqual(run('event.code:10'), [6, 7]);
    assert.deepEqual(run('event.code:"10"'), [6, 7]);
    assert.deepEqual(run('event.code:10.0'), [7]);
    assert.deepEqual(run('event.code:1*'), [6, 7]);
    assert.deepEqual(run('process.pid:1234'), [3]);
    assert.deepEqual(run('destination.port:(22 or 443)'), [1, 4]);
  });

  test('declared numeric fields: numeric equality and ranges, and an error for non-numbers', () => {
    assert.deepEqual(run('event.severity:5'), [2]);
    assert.deepEqual(run('event.severity > 4'), [2, 3]);
    assert.deepEqual(run('event.severity >= 3 and event.severity < 7'), [1, 2]);
    assert.deepEqual(run('event.severity <= 3'), [1]);
    const e = compileError('event.severity > high');
    assert.equal(e.position, 0);
    assert.equal(e.field, 'event.severity');
    assert.match(e.message, /event.severity is a numeric field: "high" is not a number/);
    assert.equal(compileError('x:1 or event.severity:hi*').position, 7);
  });

  test('undeclared fields compare numerically when the bound is a number (numeric strings too)', () => {
    // As strings "10" < "5"; as numbers 10 > 5.
    assert.deepEqual(run('original.LogonType > 5'), [1]);
    assert.deepEqual(run('original.LogonType < 5'), [2]);
    assert.deepEqual(run('event.code >= 10'), [6, 7]);
  });

  test('undeclared fields compare as strings otherwise', () => {
    assert.deepEqual(run('process.name > a'), [3]);
    assert.deepEqual(run('process.name > C'), []);
    assert.deepEqual(run('labels.env >= PROD'), [6]);
  });

  test('arrays match when any element matches', () => {
    assert.deepEqual(run('tags:linux'), [1]);
    assert.deepEqual(run('tags:prod'), [1, 2]);
    assert.deepEqual(run('tags:(prod and linux)'), [1]);
    assert.deepEqual(run('tags:(prod and not linux)'), [2]);
    assert.deepEqual(run('process.args:-c'), [3]);
    assert.deepEqual(run('process.args:*%_*'), [3]);
    assert.deepEqual(run('process.args:"echo 100%_done"'), [3]);
  });

  test('booleans', () => {
    assert.deepEqual(run('flag:true'), [8]);
    assert.deepEqual(run('flag:TRUE'), [8]);
    assert.deepEqual(run('other:false'), [8]);
    assert.deepEqual(run('flag:false'), []);
  });

  test('exists on document fields: present and not null; arrays need a non-null element', () => {
    assert.deepEqual(run('process.pid:*'), [3]);
    assert.deepEqual(run('tags:*'), [1, 2]);
    assert.deepEqual(run('user.email:*'), []);
    assert.deepEqual(run('empty:*'), []);
    assert.deepEqual(run('flag:*'), [8]);
    assert.deepEqual(run('original:*'), [1, 2]);
    assert.deepEqual(run('not process:*'), except(3));
  });

  test('objects are not searched into', () => {
    assert.deepEqual(run('user:alice'), []);
    assert.deepEqual(run('process:bash'), []);
  });

  test('dotted keys: nested first, flat and mixed splits too', () => {
    assert.deepEqual(run('original.Event.System.EventID:4624'), [1]);
    assert.deepEqual(run('original.Event.System.EventID:4625'), [2]);
    assert.deepEqual(run('original.Event.System.EventID:*'), [1, 2]);
    assert.deepEqual(run('a.b:nested'), [12]);
    assert.deepEqual(run('a.b:flat'), [12]);
    assert.deepEqual(run('a.b:other'), []);
    assert.deepEqual(candidatePaths('a.b.c'), ['$."a"."b"."c"', '$."a"."b.c"', '$."a.b"."c"', '$."a.b.c"']);
    assert.deepEqual(candidatePaths('x'), ['$."x"']);
    const long = candidatePaths('a.b.c.d.e.f.g.h');
    assert.equal(long[0], '$."a"."b"."c"."d"."e"."f"."g"."h"');
    assert.ok(long.includes('$."a"."b.c.d.e.f.g.h"') && long.includes('$."a.b.c.d.e.f.g"."h"'));
    assert.ok(long.length <= 16);
  });

  test('keys with quotes and backslashes are addressed safely', () => {
    assert.deepEqual(run('q.we\\"ird\\\\key:yes'), [12]);
  });
});

describe('compileWhere: full text', () => {
  test('bare words and phrases use FTS5, case-insensitively', () => {
    assert.deepEqual(run('alice'), [1]);
    assert.deepEqual(run('ALICE'), [1]);
    assert.deepEqual(run('"logged in"'), [1]);
    assert.deepEqual(run('"in logged"'), []);
    assert.deepEqual(run('logged alice'), [1]);
    assert.deepEqual(run('logged bob'), []);
    assert.deepEqual(run('10.0.0.1'), [1]);
    assert.deepEqual(run('carol'), [6]);
    const w = compileWhere(parseQuery('alice'), EVENTS_QUERY_SCHEMA);
    assert.equal(w.sql, 'e.rid IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)');
    assert.deepEqual(w.params, ['"alice"']);
  });

  test('a trailing * is an FTS5 prefix query', () => {
    assert.deepEqual(run('logg*'), [1]);
    assert.deepEqual(run('log*'), [1, 2]); // logon is the action of both
    assert.deepEqual(run('pass*'), [2]);
    assert.deepEqual(compileWhere(parseQuery('pass*'), EVENTS_QUERY_SCHEMA).params, ['"pass" *']);
  });

  test('leading or inner wildcards fall back to LIKE on the document', () => {
    assert.deepEqual(run('*assword*'), [2]);
    assert.deepEqual(run('f*led'), [2]);
    assert.deepEqual(run('*100%_*'), [3]);
    assert.deepEqual(run('*100%*'), [3, 5]);
    assert.match(compileWhere(parseQuery('*assword'), EVENTS_QUERY_SCHEMA).sql, /^e\.doc LIKE \? ESCAPE/);
  });

  test('words without letters or digits, quotes and backslashes', () => {
    assert.deepEqual(run('"said \\"hi\\""'), [9]);
    assert.deepEqual(run('"%"'), [3, 5]);
    assert.deepEqual(run('""'), []);
  });

  test('message: needs the words in the message, not elsewhere in the event', () => {
    assert.deepEqual(run('message:alice'), [1]);
    assert.deepEqual(run('message:carol'), []);
    assert.deepEqual(run('message:"failed password"'), [2]);
    assert.deepEqual(run('message:fail*'), [2]);
    assert.deepEqual(run('message:*onnect*'), [4]);
    assert.deepEqual(run('message:*'), ALL);
  });

  test('without an FTS table everything falls back to LIKE on the document', () => {
    const schema: QuerySchema = { ...EVENTS_QUERY_SCHEMA, fullText: undefined };
    assert.deepEqual(run('alice', schema), [1]);
    assert.deepEqual(run('"logged in"', schema), [1]);
    // Without full-text fields, message is an ordinary field: equality, wildcards for substrings.
    assert.deepEqual(run('message:alice', schema), []);
    assert.deepEqual(run('message:*alice*', schema), [1]);
    assert.deepEqual(run('message:"disk 100% full"', schema), [5]);
  });
});

describe('compileWhere: injection', () => {
  test('hostile values are data: they match literally or not at all', () => {
    assert.deepEqual(run(`user.name:"x' OR 1=1 --"`), [10]);
    assert.deepEqual(run(`user.name:"' OR '1'='1"`), []);
    assert.deepEqual(run(`"'; DROP TABLE events; --"`), []);
    assert.deepEqual(run(`labels.env:"') OR 1=1 --"`), []);
    // Compared as a string: 'prod' sorts after "')…", so this matches, as it should.
    assert.deepEqual(run(`labels.env > "') OR 1=1 --"`), [6]);
    assert.deepEqual(run(`labels.env < "') OR 1=1 --"`), []);
    assert.equal(db.prepare('SELECT count(*) FROM events').pluck().get(), ALL.length);
  });

  test('values and field names never appear in the SQL text', () => {
    const nasty = `x') OR 1=1; DROP TABLE events; --`;
    for (const node of [
      { type: 'term', field: 'host.name', value: nasty, quoted: true, wildcard: false, pos: 0 },
      { type: 'term', field: nasty, value: nasty, quoted: true, wildcard: false, pos: 0 },
      { type: 'term', field: null, value: nasty, quoted: true, wildcard: false, pos: 0 },
      { type: 'exists', field: nasty, pos: 0 },
      { type: 'range', field: nasty, op: '>', value: nasty, pos: 0 },
      { type: 'term', field: `a"].b') --`, value: '*' + nasty + '*', quoted: false, wildcard: true, pos: 0 },
    ] as QueryNode[]) {
      const w = compileWhere(node, EVENTS_QUERY_SCHEMA, NOW);
      assert.ok(!w.sql.includes('DROP') && !w.sql.includes("x'"), w.sql);
      assert.deepEqual(run(node), []);
    }
    assert.equal(db.prepare('SELECT count(*) FROM events').pluck().get(), ALL.length);
  });

  test('field names with SQL or JSON-path syntax are syntax errors or match nothing', () => {
    assert.throws(() => parseQuery(`host.name'):x`), QuerySyntaxError);
    assert.throws(() => parseQuery(`a;DROP:x`), QuerySyntaxError);
    assert.throws(() => parseQuery(`a[0]:x`), QuerySyntaxError);
    assert.deepEqual(run('a\\)\\ OR\\ \\(1\\)\\ --:x'), []);
    assert.deepEqual(run('a\\"b:x'), []);
    assert.deepEqual(run('host.name\\"\\)\\ OR\\ \\(1:*'), []);
  });

  test('FTS5 syntax in words is quoted, never interpreted', () => {
    for (const q of ['"alice OR bob"', 'NEAR\\(alice\\ bob\\)', '"text:alice"', '\\"alice\\"\\ OR\\ bob', '"^alice"', '"a""b"', '"-alice"']) {
      assert.doesNotThrow(() => run(q), q);
    }
    assert.deepEqual(run('"alice OR bob"'), []);
    assert.deepEqual(run('"text:alice"'), []);
  });

  test('schema identifiers are checked', () => {
    const bad = (schema: Partial<QuerySchema>) =>
      assert.throws(() => compileWhere(parseQuery('a:b'), { ...EVENTS_QUERY_SCHEMA, ...schema }), /not a plain SQL identifier|reserved/);
    bad({ table: 'e; DROP TABLE x' });
    bad({ docColumn: 'doc)' });
    bad({ columns: { a: { column: 'x y', kind: 'text' } } });
    bad({ fullText: { table: 'f"' } });
    bad({ table: 'qv_j' });
  });
});

describe('compileWhere: query plans', () => {
  const plan = (q: string) => {
    const w = compileWhere(parseQuery(q), EVENTS_QUERY_SCHEMA, NOW);
    return (db.prepare(`EXPLAIN QUERY PLAN SELECT e.* FROM events AS e WHERE ${w.sql}`).all(...w.params) as { detail: string }[])
      .map((r) => r.detail)
      .join('\n');
  };

  test('host.name equality and prefix use the host index', () => {
    assert.match(plan('host.name:web01'), /SEARCH e USING INDEX events_host \(host=\?\)/);
    assert.match(plan('host.name:web*'), /SEARCH e USING INDEX events_host \(host>\? AND host<\?\)/);
    assert.match(plan('host.name:web01 and @timestamp > now-1d'), /USING INDEX events_host \(host=\? AND ts>\?\)/);
  });

  test('bare words use the FTS index', () => {
    assert.match(plan('alice'), /VIRTUAL TABLE INDEX/);
  });
});

describe('exact-value index narrowing', () => {
  test('an optional key index narrows rows and the column still decides', () => {
    db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS keys USING fts5(k, content='', contentless_delete=1, detail=none,
      tokenize="unicode61 tokenchars '=.:-_@'")`);
    const enc = (f: string, v: string) => `${f}=${v}`.toLowerCase().replace(/[^\p{L}\p{N}=.:\-_@]/gu, '_');
    const rows = db.prepare('SELECT rid, host FROM events WHERE host IS NOT NULL').all() as { rid: number; host: string }[];
    for (const r of rows) db.prepare('INSERT INTO keys (rowid, k) VALUES (?, ?)').run(r.rid, enc('host.name', r.host));
    const schema: QuerySchema = {
      ...EVENTS_QUERY_SCHEMA,
      exactIndex: {
        table: 'keys',
        match: (f, v, prefix) => (f === 'host.name' ? `"${enc(f, v).replace(/"/g, '""')}"${prefix ? ' *' : ''}` : null),
      },
    };
    assert.deepEqual(run('host.name:WEB01', schema), [1]);
    assert.deepEqual(run('host.name:web*', schema), [1, 2, 5, 6, 10]);
    assert.deepEqual(run('host.name:web_*', schema), [5]);
    assert.deepEqual(run('not host.name:web01', schema), except(1));
    assert.match(compileWhere(parseQuery('host.name:web01'), schema).sql, /^\(e\.rid IN \(SELECT rowid FROM keys WHERE keys MATCH \?\) AND e\.host = \?\)$/);
  });
});

describe('fieldExpression', () => {
  test('columns and document paths', () => {
    assert.deepEqual(fieldExpression('host.name', EVENTS_QUERY_SCHEMA), { sql: 'e.host', params: [], column: true });
    assert.deepEqual(fieldExpression('message', EVENTS_QUERY_SCHEMA), { sql: 'json_extract(e.doc, ?)', params: ['$."message"'], column: false });
    const f = fieldExpression('process.name', EVENTS_QUERY_SCHEMA);
    assert.equal(f.column, false);
    const rows = db
      .prepare(`SELECT ${f.sql} AS v, count(*) AS n FROM events AS e WHERE ${f.sql} IS NOT NULL GROUP BY 1`)
      .all(...f.params, ...f.params);
    assert.deepEqual(rows, [{ v: 'bash', n: 1 }]);
    const g = fieldExpression('a.b', EVENTS_QUERY_SCHEMA);
    assert.equal(db.prepare(`SELECT ${g.sql} FROM events AS e WHERE rid = 12`).pluck().get(...g.params), 'nested');
    assert.throws(() => fieldExpression('', EVENTS_QUERY_SCHEMA), /field name is empty/);
  });
});

describe('sort and cursors', () => {
  const TIE_TS = Date.parse('2024-02-01T00:00:00Z');
  let rows: Database.Database;

  before(() => {
    rows = new Database(':memory:');
    rows.exec(DDL);
    // 23 rows, 5 distinct timestamps (many ties), some hosts NULL, some differing only in case.
    for (let rid = 1; rid <= 23; rid++) {
      const host = rid % 4 === 0 ? null : rid % 3 === 0 ? 'Alpha' : rid % 3 === 1 ? 'alpha' : 'beta';
      rows
        .prepare(
          `INSERT INTO events (rid, id, ts, ingested, input_type, input_name, host, doc) VALUES (?, ?, ?, ?, 'http', 't', ?, '{}')`,
        )
        .run(rid, `E${rid}`, TIE_TS + (rid % 5) * 1000, TIE_TS, host);
    }
  });
  after(() => rows.close());

  function pages(sortSpec: string | undefined, pageSize: number, where = '1'): number[][] {
    const sort = compileSort(sortSpec, EVENTS_QUERY_SCHEMA);
    const out: number[][] = [];
    let cursor: string | undefined;
    for (let guard = 0; guard < 100; guard++) {
      const c = cursor ? cursorWhere(cursor, sort) : { sql: '1', params: [] };
      const page = rows
        .prepare(`SELECT e.* FROM events AS e WHERE ${where} AND ${c.sql} ORDER BY ${sort.orderBy} LIMIT ?`)
        .all(...c.params, pageSize) as Record<string, unknown>[];
      if (page.length === 0) break;
      out.push(page.map((r) => r.rid as number));
      cursor = encodeCursor(page[page.length - 1], sort);
    }
    return out;
  }

  for (const spec of [undefined, '-@timestamp', '@timestamp', '+@timestamp', 'host.name', '-host.name', 'event.ingested', '-id']) {
    test(`paging over ties is stable and complete (${spec ?? 'default'})`, () => {
      const sort = compileSort(spec, EVENTS_QUERY_SCHEMA);
      const full = rows.prepare(`SELECT rid FROM events AS e ORDER BY ${sort.orderBy}`).pluck().all() as number[];
      assert.equal(full.length, 23);
      for (const size of [1, 2, 5, 7, 23]) {
        const p = pages(spec, size);
        assert.deepEqual(p.flat(), full, `page size ${size}`);
        assert.ok(p.every((x) => x.length <= size));
      }
    });
  }

  test('the default sort is newest first, ties by rid descending', () => {
    const sort = compileSort(undefined, EVENTS_QUERY_SCHEMA);
    assert.equal(sort.spec, '-@timestamp');
    assert.equal(sort.orderBy, 'e.ts DESC, e.rid DESC');
    assert.equal(compileSort('@timestamp', EVENTS_QUERY_SCHEMA).orderBy, 'e.ts ASC, e.rid ASC');
    assert.deepEqual(pages(undefined, 4)[0], [19, 14, 9, 4]);
  });

  test('cursor pagination combines with a filter', () => {
    const w = compileWhere(parseQuery('host.name:alpha'), EVENTS_QUERY_SCHEMA);
    assert.deepEqual(w.params, ['alpha']);
    const sort = compileSort('-@timestamp', EVENTS_QUERY_SCHEMA);
    const full = rows.prepare(`SELECT rid FROM events AS e WHERE e.host = 'alpha' ORDER BY ${sort.orderBy}`).pluck().all();
    assert.deepEqual(pages('-@timestamp', 3, "e.host = 'alpha'").flat(), full);
  });

  test('only column fields sort', () => {
    assert.throws(
      () => compileSort('message', EVENTS_QUERY_SCHEMA),
      (e: unknown) => e instanceof QueryCompileError && /cannot sort by "message"/.test(e.message),
    );
  });

  test('cursors are opaque base64url and malformed ones are errors naming cursor', () => {
    const sort = compileSort(undefined, EVENTS_QUERY_SCHEMA);
    const c = encodeCursor({ ts: 5, rid: 7 }, sort);
    assert.match(c, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeCursor(c), { sort: '-@timestamp', value: 5, rid: 7 });
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    for (const bad of ['', 'not a cursor!', 'AAAA', b64([1]), b64({ s: 1, v: 1, r: 1 }), b64({ s: '-@timestamp', v: {}, r: 1 }), b64({ s: '-@timestamp', v: 1, r: 1.5 }), 'x'.repeat(5000)]) {
      assert.throws(
        () => cursorWhere(bad, sort),
        (e: unknown) => e instanceof VigilError && e.field === 'cursor' && /cursor/.test(e.message) && e.status === 400,
        bad,
      );
    }
    assert.throws(() => cursorWhere(encodeCursor({ host: 'a', rid: 1 }, compileSort('host.name', EVENTS_QUERY_SCHEMA)), sort), /belongs to sort "host.name"/);
    assert.throws(() => cursorWhere(b64({ s: '-@timestamp', v: 'x', r: 1 }), sort), /bad sort value/);
    assert.throws(() => encodeCursor({ rid: 1 }, sort), /lacks ts/);
  });
});

describe('compileWhere: fuzz', () => {
  test('random well-formed queries compile to SQL that runs, or fail with QueryCompileError', () => {
    let seed = 4242;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const fields = ['host.name', 'event.category', 'source.ip', '@timestamp', 'event.severity', 'message', 'tags', 'a.b', 'original.Event.System.EventID', 'event.created', 'x\\"y', 'q.we\\"ird\\\\key'];
    const values = ['web01', 'WEB*', '*01', 'a_b%', '"x \\" y"', '10', '-3.5', 'true', '*', 'now-1d', '2024-01-10', '"\'; --"', 'fe80::1', '\\*', 'é*', '"^"', '""', 'NEAR', '**x**'];
    const ops = [':', ' > ', ' >= ', ' < ', ' <= ', ':'];
    const clause = (): string => {
      const f = fields[rnd(fields.length)];
      const r = rnd(10);
      if (r === 0) return `${f}:(${values[rnd(values.length)]} or not ${values[rnd(values.length)]})`;
      if (r === 1) return values[rnd(values.length)];
      return `${f}${ops[rnd(ops.length)]}${values[rnd(values.length)]}`;
    };
    let compiled = 0;
    for (let k = 0; k < 1500; k++) {
      let q = clause();
      for (let n = rnd(4); n > 0; n--) q += [' and ', ' or ', ' and not ', ' '][rnd(4)] + (rnd(5) === 0 ? `(${clause()} or ${clause()})` : clause());
      let node: QueryNode;
      try {
        node = parseQuery(q);
      } catch (e) {
        assert.ok(e instanceof QuerySyntaxError, `${q}: ${String(e)}`);
        continue;
      }
      try {
        run(node);
        compiled++;
      } catch (e) {
        assert.ok(e instanceof QueryCompileError, `${q}: ${String(e)}`);
      }
    }
    assert.ok(compiled > 500, `only ${compiled} compiled`);
  });
});
