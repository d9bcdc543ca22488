import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indicatorId, type IndicatorType } from '../../core/index.ts';
import { canonicalIndicatorValue } from './canonical.ts';
import { IndicatorSet, NO_MATCH, urlHost } from './indicator-set.ts';

/** Add an indicator the way the store does: canonical value, id `type:value`. Returns the id. */
function addRaw(set: IndicatorSet, type: IndicatorType, raw: string): string {
  const c = canonicalIndicatorValue(type, raw);
  if (!c.ok) throw new Error(c.reason);
  const id = indicatorId(type, c.value);
  set.add(id, type, c.value);
  return id;
}

const MD5 = 'd41d8cd98f00b204e9800998ecf8427e';
const SHA1 = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';
const SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

test('exact ip: v4 and v6, non-canonical observed forms', () => {
  const s = new IndicatorSet();
  addRaw(s, 'ip', '10.1.2.3');
  addRaw(s, 'ip', '2001:DB8::1');
  assert.deepEqual(s.match('ip', '10.1.2.3'), ['ip:10.1.2.3']);
  assert.deepEqual(s.match('ip', '010.001.002.003'), ['ip:10.1.2.3']);
  assert.deepEqual(s.match('ip', '::ffff:10.1.2.3'), ['ip:10.1.2.3']);
  assert.deepEqual(s.match('ip', '2001:0db8:0:0:0:0:0:0001'), ['ip:2001:db8::1']);
  assert.deepEqual(s.match('ip', '10.1.2.4'), []);
  assert.deepEqual(s.match('ip', 'not an ip'), []);
  assert.equal(s.size, 2);
});

test('ip values added without canonicalising keep their ids', () => {
  const s = new IndicatorSet();
  s.add('ip:010.1.1.1', 'ip', '010.1.1.1');
  s.add('ip:::ffff:1.2.3.4', 'ip', '::ffff:1.2.3.4');
  s.add('ip:2001:DB8::1', 'ip', '2001:DB8::1');
  assert.deepEqual(s.match('ip', '10.1.1.1'), ['ip:010.1.1.1']);
  assert.deepEqual(s.match('ip', '1.2.3.4'), ['ip:::ffff:1.2.3.4']);
  assert.deepEqual(s.match('ip', '2001:db8::1'), ['ip:2001:DB8::1']);
  assert.equal(s.has('ip:10.1.1.1'), false);
  assert.equal(s.has('ip:010.1.1.1'), true);
  assert.equal(s.remove('ip:010.1.1.1'), true);
  assert.deepEqual(s.match('ip', '10.1.1.1'), []);
  assert.throws(() => s.add('bad', 'ip', 'evil.example'), /not an IP address/);
  assert.equal(s.size, 2);
});

test('a miss returns the shared frozen empty array', () => {
  const s = new IndicatorSet();
  assert.equal(s.match('ip', '1.2.3.4'), NO_MATCH);
  addRaw(s, 'ip', '1.2.3.4');
  addRaw(s, 'cidr', '10.0.0.0/8');
  addRaw(s, 'domain', 'evil.example');
  addRaw(s, 'url', 'http://evil.example/x');
  addRaw(s, 'md5', MD5);
  addRaw(s, 'email', 'bob@evil.example');
  addRaw(s, 'user', 'mallory');
  addRaw(s, 'filename', 'evil.exe');
  const misses: Array<[Parameters<IndicatorSet['match']>[0], string]> = [
    ['ip', '1.2.3.5'],
    ['ip', '11.0.0.1'],
    ['domain', 'good.example'],
    ['url', 'http://good.example/x'],
    ['hash', MD5.replace('d', 'e')],
    ['hash', 'short'],
    ['email', 'alice@evil.example'],
    ['user', 'alice'],
    ['filename', 'C:\\good.exe'],
    ['ip', ''],
  ];
  for (const [kind, v] of misses) assert.equal(s.match(kind, v), NO_MATCH, `${kind} ${v}`);
  assert.ok(Object.isFrozen(NO_MATCH));
  assert.equal(NO_MATCH.length, 0);
});

test('v4 CIDR nesting: every network, most specific first; exact ip first', () => {
  const s = new IndicatorSet();
  const a8 = addRaw(s, 'cidr', '10.0.0.0/8');
  const a16 = addRaw(s, 'cidr', '10.1.0.0/16');
  const a24 = addRaw(s, 'cidr', '10.1.2.0/24');
  const other = addRaw(s, 'cidr', '10.2.0.0/16');
  assert.deepEqual(s.match('ip', '10.1.2.3'), [a24, a16, a8]);
  assert.deepEqual(s.match('ip', '10.1.3.3'), [a16, a8]);
  assert.deepEqual(s.match('ip', '10.2.0.1'), [other, a8]);
  assert.deepEqual(s.match('ip', '11.1.2.3'), []);
  const exact = addRaw(s, 'ip', '10.1.2.3');
  assert.deepEqual(s.match('ip', '10.1.2.3'), [exact, a24, a16, a8]);
  const all = addRaw(s, 'cidr', '0.0.0.0/0');
  const host = addRaw(s, 'cidr', '10.1.2.3/32');
  assert.deepEqual(s.match('ip', '10.1.2.3'), [exact, host, a24, a16, a8, all]);
  assert.deepEqual(s.match('ip', '192.0.2.1'), [all]);
  // an IPv6 address does not match IPv4 networks
  assert.deepEqual(s.match('ip', '2001:db8::1'), []);
});

test('v6 CIDR: 2001:db8::/32 matches 2001:db8:1::5, not 2001:db9::1', () => {
  const s = new IndicatorSet();
  const net = addRaw(s, 'cidr', '2001:db8::/32');
  const sub = addRaw(s, 'cidr', '2001:db8:1::/48');
  assert.deepEqual(s.match('ip', '2001:db8:1::5'), [sub, net]);
  assert.deepEqual(s.match('ip', '2001:db8:2::5'), [net]);
  assert.deepEqual(s.match('ip', '2001:db9::1'), []);
  assert.deepEqual(s.match('ip', '2001:db7:ffff::1'), []);
  assert.deepEqual(s.match('ip', '10.0.0.1'), []);
  const h = addRaw(s, 'cidr', '2001:db8:1::5/128');
  assert.deepEqual(s.match('ip', '2001:DB8:1:0::5'), [h, sub, net]);
});

test('IPv4 addresses match IPv4-mapped IPv6 networks and covering IPv6 networks', () => {
  const s = new IndicatorSet();
  // added without canonicalising: the set normalises mapped networks itself
  s.add('mapped-all', 'cidr', '::ffff:0:0/96');
  s.add('mapped-10', 'cidr', '::ffff:10.0.0.0/104');
  s.add('v6-all', 'cidr', '::/0');
  const v4 = addRaw(s, 'cidr', '10.1.0.0/16');
  assert.deepEqual(s.match('ip', '10.1.2.3'), [v4, 'mapped-10', 'mapped-all', 'v6-all']);
  assert.deepEqual(s.match('ip', '::ffff:10.1.2.3'), [v4, 'mapped-10', 'mapped-all', 'v6-all']);
  assert.deepEqual(s.match('ip', '192.0.2.1'), ['mapped-all', 'v6-all']);
  assert.deepEqual(s.match('ip', '2001:db8::1'), ['v6-all']);
});

test('domain suffix set: subdomains match, lookalikes do not', () => {
  const s = new IndicatorSet();
  const id = addRaw(s, 'domain', 'evil.example');
  assert.deepEqual(s.match('domain', 'evil.example'), [id]);
  assert.deepEqual(s.match('domain', 'a.b.evil.example'), [id]);
  assert.deepEqual(s.match('domain', 'A.B.EVIL.Example.'), [id]);
  assert.deepEqual(s.match('domain', ' sub.evil.example '), [id]);
  assert.deepEqual(s.match('domain', 'notevil.example'), []);
  assert.deepEqual(s.match('domain', 'evil.example.com'), []);
  assert.deepEqual(s.match('domain', 'evil-example.com'), []);
  assert.deepEqual(s.match('domain', 'example'), []);
  assert.deepEqual(s.match('domain', 'vil.example'), []);
  // several levels: most specific first
  const sub = addRaw(s, 'domain', 'cdn.evil.example');
  assert.deepEqual(s.match('domain', 'x.cdn.evil.example'), [sub, id]);
  assert.deepEqual(s.match('domain', 'cdn.evil.example'), [sub, id]);
  assert.deepEqual(s.match('domain', 'www.evil.example'), [id]);
});

test('IDN domains: unicode and punycode are the same indicator', () => {
  const s = new IndicatorSet();
  const id = addRaw(s, 'domain', 'bücher.example');
  assert.equal(id, 'domain:xn--bcher-kva.example');
  assert.deepEqual(s.match('domain', 'xn--bcher-kva.example'), [id]);
  assert.deepEqual(s.match('domain', 'bücher.example'), [id]);
  assert.deepEqual(s.match('domain', 'shop.BÜCHER.example'), [id]);
  const s2 = new IndicatorSet();
  const id2 = addRaw(s2, 'domain', 'XN--BCHER-KVA.example');
  assert.deepEqual(s2.match('domain', 'bücher.example'), [id2]);
  assert.deepEqual(s2.match('domain', 'www.bücher.example'), [id2]);
  assert.deepEqual(s2.match('domain', 'bucher.example'), []);
});

test('url: exact canonical url, default port and fragment ignored', () => {
  const s = new IndicatorSet();
  const id = addRaw(s, 'url', 'http://evil.example/Payload.exe?x=1');
  assert.equal(id, 'url:http://evil.example/Payload.exe?x=1');
  assert.deepEqual(s.match('url', 'HTTP://EVIL.example:80/Payload.exe?x=1#top'), [id]);
  assert.deepEqual(s.match('url', 'http://evil.example/Payload.exe?x=1'), [id]);
  assert.deepEqual(s.match('url', 'evil.example/Payload.exe?x=1'), [id]);
  // the path is case-sensitive, the query is kept
  assert.deepEqual(s.match('url', 'http://evil.example/payload.exe?x=1'), []);
  assert.deepEqual(s.match('url', 'http://evil.example/Payload.exe?x=2'), []);
  assert.deepEqual(s.match('url', 'http://evil.example:8080/Payload.exe?x=1'), []);
  assert.deepEqual(s.match('url', 'https://evil.example/Payload.exe?x=1'), []);
});

test('url: host matched against domains, ips and networks', () => {
  const s = new IndicatorSet();
  const dom = addRaw(s, 'domain', 'evil.example');
  const url = addRaw(s, 'url', 'https://cdn.evil.example/a');
  const ip = addRaw(s, 'ip', '192.0.2.7');
  const net = addRaw(s, 'cidr', '198.51.100.0/24');
  const v6 = addRaw(s, 'cidr', '2001:db8::/32');
  assert.deepEqual(s.match('url', 'https://cdn.evil.example:443/a#x'), [url, dom]);
  assert.deepEqual(s.match('url', 'https://user:pw@www.evil.example/other'), [dom]);
  assert.deepEqual(s.match('url', 'http://192.0.2.7:8080/x'), [ip]);
  assert.deepEqual(s.match('url', 'http://198.51.100.9/x'), [net]);
  assert.deepEqual(s.match('url', 'http://[2001:db8::5]/x'), [v6]);
  assert.deepEqual(s.match('url', 'http://notevil.example/'), []);
  assert.deepEqual(s.match('url', 'http://evil.example.com/'), []);
  // without url indicators the host is cut out of the raw text
  const t = new IndicatorSet();
  const d2 = addRaw(t, 'domain', 'evil.example');
  assert.deepEqual(t.match('url', 'HTTPS://WWW.Evil.Example:8443/p?q=http://good.example'), [d2]);
  assert.deepEqual(t.match('url', 'good.example/redirect?u=http://evil.example'), []);
  assert.deepEqual(t.match('url', 'sub.evil.example/path'), [d2]);
});

test('urlHost', () => {
  assert.equal(urlHost('http://a:b@Host.Example:80/p'), 'Host.Example');
  assert.equal(urlHost('http://[2001:db8::1]:8080/'), '[2001:db8::1]');
  assert.equal(urlHost('evil.example/path?x=http://other'), 'evil.example');
  assert.equal(urlHost('//evil.example'), 'evil.example');
  assert.equal(urlHost('http:///x'), '');
});

test('hashes: chosen by length, observed in upper case', () => {
  const s = new IndicatorSet();
  const m = addRaw(s, 'md5', MD5.toUpperCase());
  const s1 = addRaw(s, 'sha1', SHA1);
  const s2 = addRaw(s, 'sha256', SHA256);
  assert.equal(m, `md5:${MD5}`);
  assert.deepEqual(s.match('hash', MD5.toUpperCase()), [m]);
  assert.deepEqual(s.match('hash', SHA1.toUpperCase()), [s1]);
  assert.deepEqual(s.match('hash', SHA256.toUpperCase()), [s2]);
  assert.deepEqual(s.match('hash', SHA256), [s2]);
  assert.deepEqual(s.match('hash', ` ${SHA1} `), [s1]);
  assert.deepEqual(s.match('hash', SHA256.slice(0, 63)), []);
  // an md5-long prefix of a sha256 is not the md5
  assert.deepEqual(s.match('hash', SHA256.slice(0, 32)), []);
});

test('email, user, filename: exact after lowercasing', () => {
  const s = new IndicatorSet();
  const e = addRaw(s, 'email', 'Bob@Evil.Example');
  const idn = addRaw(s, 'email', 'info@bücher.example');
  const u = addRaw(s, 'user', 'CORP\\Mallory');
  const f = addRaw(s, 'filename', 'C:\\Tools\\Mimikatz.exe');
  assert.deepEqual(s.match('email', 'BOB@evil.example'), [e]);
  assert.deepEqual(s.match('email', 'info@BÜCHER.example'), [idn]);
  // only the exact address, not other addresses at the domain
  assert.deepEqual(s.match('email', 'alice@evil.example'), []);
  assert.deepEqual(s.match('email', 'bob@sub.evil.example'), []);
  assert.deepEqual(s.match('user', 'corp\\MALLORY'), [u]);
  assert.deepEqual(s.match('user', 'mallory'), []);
  assert.deepEqual(s.match('filename', 'mimikatz.exe'), [f]);
  assert.deepEqual(s.match('filename', 'D:\\x\\MIMIKATZ.EXE'), [f]);
  assert.deepEqual(s.match('filename', '/home/u/mimikatz.exe'), [f]);
  assert.deepEqual(s.match('filename', 'mimikatz.exe.bak'), []);
});

test('add is idempotent; has, size; same id with another value replaces', () => {
  const s = new IndicatorSet();
  const id = addRaw(s, 'ip', '1.2.3.4');
  addRaw(s, 'ip', '1.2.3.4');
  s.add(id, 'ip', '1.2.3.4');
  assert.equal(s.size, 1);
  const net = addRaw(s, 'cidr', '10.0.0.0/8');
  addRaw(s, 'cidr', '10.0.0.0/8');
  const v4root = addRaw(s, 'cidr', '0.0.0.0/0');
  addRaw(s, 'cidr', '0.0.0.0/0');
  assert.equal(s.size, 3);
  assert.deepEqual(s.match('ip', '10.0.0.1'), [net, v4root]);
  assert.equal(s.remove(net), true);
  assert.equal(s.remove(v4root), true);
  assert.equal(s.size, 1);
  assert.equal(s.has(id), true);
  assert.equal(s.has('ip:1.2.3.5'), false);
  assert.equal(s.has('nonsense'), false);
  assert.equal(s.has('bogus:1.2.3.4'), false);
  s.add('feed-42', 'domain', 'evil.example');
  s.add('feed-42', 'domain', 'evil.example');
  assert.equal(s.size, 2);
  assert.deepEqual(s.match('domain', 'x.evil.example'), ['feed-42']);
  s.add('feed-42', 'domain', 'other.example');
  assert.equal(s.size, 2);
  assert.deepEqual(s.match('domain', 'x.evil.example'), []);
  assert.deepEqual(s.match('domain', 'other.example'), ['feed-42']);
  // an id that looks like another indicator's canonical id is kept apart
  s.add('ip:9.9.9.9', 'user', 'bob');
  assert.deepEqual(s.match('ip', '9.9.9.9'), []);
  assert.deepEqual(s.match('user', 'bob'), ['ip:9.9.9.9']);
  assert.equal(s.has('ip:9.9.9.9'), true);
  assert.equal(s.remove('ip:9.9.9.9'), true);
  assert.deepEqual(s.match('user', 'bob'), []);
});

test('two ids for one value both match; removing one keeps the other', () => {
  const s = new IndicatorSet();
  const canon = addRaw(s, 'sha256', SHA256);
  s.add('stix--1', 'sha256', SHA256);
  assert.deepEqual(s.match('hash', SHA256), [canon, 'stix--1']);
  assert.equal(s.remove(canon), true);
  assert.deepEqual(s.match('hash', SHA256), ['stix--1']);
  s.add('n1', 'cidr', '10.0.0.0/8');
  s.add('n2', 'cidr', '10.0.0.0/8');
  assert.deepEqual(s.match('ip', '10.9.9.9'), ['n1', 'n2']);
  assert.equal(s.remove('n1'), true);
  assert.deepEqual(s.match('ip', '10.9.9.9'), ['n2']);
});

test('remove() for each structure', () => {
  const s = new IndicatorSet();
  const ids = {
    ip: addRaw(s, 'ip', '1.2.3.4'),
    ip6: addRaw(s, 'ip', '2001:db8::1'),
    domain: addRaw(s, 'domain', 'evil.example'),
    url: addRaw(s, 'url', 'http://bad.example/x'),
    md5: addRaw(s, 'md5', MD5),
    sha1: addRaw(s, 'sha1', SHA1),
    sha256: addRaw(s, 'sha256', SHA256),
    email: addRaw(s, 'email', 'bob@evil.example'),
    user: addRaw(s, 'user', 'mallory'),
    filename: addRaw(s, 'filename', 'evil.exe'),
    cidr: addRaw(s, 'cidr', '10.0.0.0/8'),
    cidr6: addRaw(s, 'cidr', '2001:db8::/32'),
  };
  assert.equal(s.size, 12);
  const probes: Array<[keyof typeof ids, Parameters<IndicatorSet['match']>[0], string]> = [
    ['ip', 'ip', '1.2.3.4'],
    ['ip6', 'ip', '2001:db8::1'],
    ['domain', 'domain', 'a.evil.example'],
    ['url', 'url', 'http://bad.example/x'],
    ['md5', 'hash', MD5],
    ['sha1', 'hash', SHA1],
    ['sha256', 'hash', SHA256],
    ['email', 'email', 'bob@evil.example'],
    ['user', 'user', 'mallory'],
    ['filename', 'filename', 'evil.exe'],
    ['cidr', 'ip', '10.1.1.1'],
    ['cidr6', 'ip', '2001:db8:5::1'],
  ];
  for (const [key, kind, v] of probes) assert.ok(s.match(kind, v).includes(ids[key]), `${key} before remove`);
  let left = 12;
  for (const [key, kind, v] of probes) {
    assert.equal(s.remove(ids[key]), true, key);
    assert.equal(s.remove(ids[key]), false, `${key} twice`);
    assert.equal(s.has(ids[key]), false, key);
    assert.equal(s.size, --left);
    assert.ok(!s.match(kind, v).includes(ids[key]), `${key} after remove`);
  }
  assert.equal(s.size, 0);
  assert.equal(s.cidrNodeCount, 2, 'trie pruned back to its two roots');
  assert.equal(s.remove('ip:1.2.3.4'), false);
});

test('CIDR removal keeps nested networks and prunes only empty branches', () => {
  const s = new IndicatorSet();
  const a8 = addRaw(s, 'cidr', '10.0.0.0/8');
  const a16 = addRaw(s, 'cidr', '10.1.0.0/16');
  const a24 = addRaw(s, 'cidr', '10.1.2.0/24');
  const nodes = s.cidrNodeCount;
  assert.equal(nodes, 2 + 24);
  assert.equal(s.remove(a16), true);
  assert.deepEqual(s.match('ip', '10.1.2.3'), [a24, a8]);
  assert.equal(s.cidrNodeCount, nodes, 'inner node still on the /24 path');
  assert.equal(s.remove(a24), true);
  assert.deepEqual(s.match('ip', '10.1.2.3'), [a8]);
  assert.equal(s.cidrNodeCount, 2 + 8);
  // freed nodes are reused
  addRaw(s, 'cidr', '10.1.2.0/24');
  assert.equal(s.cidrNodeCount, nodes);
  assert.equal(s.remove('cidr:10.99.0.0/16'), false);
  s.add('root', 'cidr', '0.0.0.0/0');
  assert.equal(s.remove('root'), true);
  assert.deepEqual(s.match('ip', '192.0.2.1'), []);
});

test('domain removal with several domains sharing suffixes', () => {
  const s = new IndicatorSet();
  const a = addRaw(s, 'domain', 'evil.example');
  const b = addRaw(s, 'domain', 'x.evil.example');
  assert.equal(s.remove(a), true);
  assert.deepEqual(s.match('domain', 'y.x.evil.example'), [b]);
  assert.deepEqual(s.match('domain', 'y.evil.example'), []);
});

test('add rejects a cidr value that is not a network', () => {
  const s = new IndicatorSet();
  assert.throws(() => s.add('x', 'cidr', 'evil.example'), /not a CIDR network/);
  assert.throws(() => s.add('y', 'cidr', '10.0.0.1'), /not a CIDR network/);
  assert.equal(s.size, 0);
  // a failed re-add leaves the existing registration alone
  s.add('n', 'cidr', '10.0.0.0/8');
  assert.throws(() => s.add('n', 'cidr', 'nonsense'), /not a CIDR network/);
  assert.deepEqual(s.match('ip', '10.1.1.1'), ['n']);
  assert.equal(s.size, 1);
});

test('many indicators: trie grows, lookups stay correct', () => {
  const s = new IndicatorSet();
  for (let i = 0; i < 5000; i++) {
    s.add(`n${i}`, 'cidr', `10.${(i >> 8) & 255}.${i & 255}.0/24`);
    s.add(`d${i}`, 'domain', `host${i}.evil.example`);
    s.add(`h${i}`, 'md5', i.toString(16).padStart(32, '0'));
  }
  assert.equal(s.size, 15000);
  assert.deepEqual(s.match('ip', '10.18.136.7'), [`n${18 * 256 + 136}`]);
  assert.deepEqual(s.match('ip', '10.19.136.7'), []);
  assert.deepEqual(s.match('domain', 'www.host4999.evil.example'), ['d4999']);
  assert.deepEqual(s.match('domain', 'host5000.evil.example'), []);
  assert.deepEqual(s.match('hash', (4095).toString(16).padStart(32, '0').toUpperCase()), ['h4095']);
});

test('values with extra ids beside the implicit one, through growth and removal', () => {
  const s = new IndicatorSet();
  for (let i = 0; i < 3000; i++) addRaw(s, 'domain', `h${i}.evil.example`);
  s.add('feed-7', 'domain', 'h7.evil.example');
  s.add('feed-8', 'domain', 'h7.evil.example');
  s.add('solo', 'domain', 'only-explicit.example');
  for (let i = 3000; i < 6000; i++) addRaw(s, 'domain', `h${i}.evil.example`);
  assert.equal(s.size, 6003);
  // (several ids of one domain come in reverse order of adding, as before the typed tables)
  assert.deepEqual(s.match('domain', 'WWW.H7.Evil.Example'), ['feed-8', 'feed-7', 'domain:h7.evil.example']);
  assert.deepEqual(s.match('hash', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'), []);
  assert.deepEqual(s.match('domain', 'a.only-explicit.example'), ['solo']);
  assert.deepEqual(s.match('domain', 'h5999.evil.example'), ['domain:h5999.evil.example']);
  assert.equal(s.remove('domain:h7.evil.example'), true);
  assert.deepEqual(s.match('domain', 'h7.evil.example'), ['feed-8', 'feed-7']);
  assert.equal(s.has('domain:h7.evil.example'), false);
  assert.equal(s.remove('feed-7'), true);
  assert.equal(s.remove('feed-8'), true);
  assert.deepEqual(s.match('domain', 'h7.evil.example'), []);
  // the implicit id comes back on its own
  addRaw(s, 'domain', 'h7.evil.example');
  assert.deepEqual(s.match('domain', 'h7.evil.example'), ['domain:h7.evil.example']);
  assert.equal(s.has('feed-7'), false);
});

test('mass removal and re-add keep exact sets and ipv4 correct', () => {
  const s = new IndicatorSet();
  const ids: string[] = [];
  for (let i = 0; i < 4000; i++) {
    ids.push(addRaw(s, 'md5', i.toString(16).padStart(32, '0')));
    ids.push(addRaw(s, 'ip', `${(i >> 8) + 1}.${i & 255}.0.1`));
    ids.push(addRaw(s, 'user', `user${i}`));
  }
  assert.equal(s.size, 12000);
  // drop three quarters: tombstones pile up and the tables rebuild
  for (let i = 0; i < ids.length; i++) if (i % 4 !== 0) assert.equal(s.remove(ids[i]!), true);
  assert.equal(s.size, 3000);
  for (let i = 0; i < ids.length; i++) assert.equal(s.has(ids[i]!), i % 4 === 0, ids[i]);
  assert.deepEqual(s.match('hash', (4).toString(16).padStart(32, '0')), [ids[12]]);
  assert.deepEqual(s.match('hash', (5).toString(16).padStart(32, '0')), []);
  for (let i = 0; i < ids.length; i++) if (i % 4 !== 0) s.add(ids[i]!, ids[i]!.slice(0, ids[i]!.indexOf(':')) as IndicatorType, ids[i]!.slice(ids[i]!.indexOf(':') + 1));
  assert.equal(s.size, 12000);
  assert.deepEqual(s.match('ip', '16.159.0.1'), ['ip:16.159.0.1']);
  assert.deepEqual(s.match('ip', '16.160.0.1'), []);
  assert.deepEqual(s.match('user', 'USER3999'), ['user:user3999']);
  assert.deepEqual(s.match('hash', (3999).toString(16).padStart(32, '0')), [`md5:${(3999).toString(16).padStart(32, '0')}`]);
});

test('ipv4 edge values, and an explicit id beside an implicit one', () => {
  const s = new IndicatorSet();
  addRaw(s, 'ip', '0.0.0.0');
  addRaw(s, 'ip', '255.255.255.255');
  s.add('feed-bcast', 'ip', '255.255.255.255');
  assert.deepEqual(s.match('ip', '0.0.0.0'), ['ip:0.0.0.0']);
  assert.deepEqual(s.match('ip', '255.255.255.255'), ['ip:255.255.255.255', 'feed-bcast']);
  assert.deepEqual(s.match('ip', '::ffff:255.255.255.255'), ['ip:255.255.255.255', 'feed-bcast']);
  assert.equal(s.remove('ip:255.255.255.255'), true);
  assert.deepEqual(s.match('ip', '255.255.255.255'), ['feed-bcast']);
  assert.equal(s.remove('ip:0.0.0.0'), true);
  assert.deepEqual(s.match('ip', '0.0.0.0'), []);
  assert.equal(s.size, 1);
});

test('a network with several ids, back to one, and non-ASCII ids', () => {
  const s = new IndicatorSet();
  s.add('réseau-1', 'cidr', '10.0.0.0/8');
  s.add('réseau-2', 'cidr', '10.0.0.0/8');
  s.add('réseau-3', 'cidr', '10.0.0.0/8');
  assert.deepEqual(s.match('ip', '10.1.2.3'), ['réseau-1', 'réseau-2', 'réseau-3']);
  assert.equal(s.remove('réseau-1'), true);
  assert.equal(s.remove('réseau-3'), true);
  assert.deepEqual(s.match('ip', '10.1.2.3'), ['réseau-2']);
  assert.equal(s.has('réseau-2'), true);
  assert.equal(s.has('réseau-1'), false);
  s.add('réseau-4', 'cidr', '10.0.0.0/8');
  assert.deepEqual(s.match('ip', '10.1.2.3'), ['réseau-2', 'réseau-4']);
  // many networks: ids come back exactly
  for (let i = 0; i < 2000; i++) s.add(`net-😀-${i}`, 'cidr', `172.${16 + (i >> 8)}.${i & 255}.0/24`);
  assert.deepEqual(s.match('ip', '172.23.207.9'), ['net-😀-2000'.replace('2000', String(7 * 256 + 207))]);
  for (let i = 0; i < 2000; i += 2) assert.equal(s.remove(`net-😀-${i}`), true);
  assert.deepEqual(s.match('ip', '172.16.4.1'), []);
  assert.deepEqual(s.match('ip', '172.16.5.1'), ['net-😀-5']);
  assert.equal(s.size, 1002);
});
