import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IndicatorType } from '../../core/index.ts';
import { canonicalIndicatorValue, formatIpv6 } from './canonical.ts';

function value(type: IndicatorType, raw: string): string {
  const r = canonicalIndicatorValue(type, raw);
  assert.ok(r.ok, `${type} ${JSON.stringify(raw)} rejected: ${r.ok ? '' : r.reason}`);
  return r.value;
}

function reason(type: IndicatorType, raw: string): string {
  const r = canonicalIndicatorValue(type, raw);
  assert.equal(r.ok, false, `${type} ${JSON.stringify(raw)} accepted as ${r.ok ? r.value : ''}`);
  return r.ok ? '' : r.reason;
}

test('ip: IPv4 dotted quad without leading zeros', () => {
  assert.equal(value('ip', ' 192.168.001.010 '), '192.168.1.10');
  assert.equal(value('ip', '0.0.0.0'), '0.0.0.0');
  assert.equal(value('ip', '255.255.255.255'), '255.255.255.255');
  assert.match(reason('ip', '1.2.3'), /not an IPv4 or IPv6 address/);
  assert.match(reason('ip', '256.1.1.1'), /not an IPv4 or IPv6 address/);
  assert.match(reason('ip', '10.0.0.0/8'), /cidr/);
  assert.match(reason('ip', '  '), /empty/);
});

test('ip: IPv6 in RFC 5952 form', () => {
  assert.equal(value('ip', '2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
  // longest zero run is compressed; the first one on a tie
  assert.equal(value('ip', '1:0:0:2:0:0:0:3'), '1:0:0:2::3');
  assert.equal(value('ip', '2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
  // a single zero group is not compressed
  assert.equal(value('ip', '2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1');
  assert.equal(value('ip', '::'), '::');
  assert.equal(value('ip', '0:0:0:0:0:0:0:1'), '::1');
  assert.equal(value('ip', 'fe80:0::1%eth0'), 'fe80::1');
  assert.equal(value('ip', '[2001:db8::A]'), '2001:db8::a');
  assert.match(reason('ip', '2001:db8:::1'), /not an IPv4 or IPv6 address/);
  assert.equal(formatIpv6(new Uint32Array([0x20010db8, 0, 0, 0x10000])), '2001:db8::1:0');
});

test('ip: IPv4-mapped IPv6 becomes IPv4', () => {
  assert.equal(value('ip', '::ffff:1.2.3.4'), '1.2.3.4');
  assert.equal(value('ip', '::FFFF:0102:0304'), '1.2.3.4');
  // IPv4-compatible (not mapped) stays IPv6
  assert.equal(value('ip', '::1.2.3.4'), '::102:304');
});

test('cidr: host bits cleared, prefix ranges, bare address rejected', () => {
  assert.equal(value('cidr', '10.1.2.3/8'), '10.0.0.0/8');
  assert.equal(value('cidr', '10.1.2.3/32'), '10.1.2.3/32');
  assert.equal(value('cidr', '0.0.0.0/0'), '0.0.0.0/0');
  assert.equal(value('cidr', '192.168.1.130/25'), '192.168.1.128/25');
  assert.equal(value('cidr', '2001:DB8:ff::1/32'), '2001:db8::/32');
  assert.equal(value('cidr', '2001:db8::1/128'), '2001:db8::1/128');
  assert.equal(value('cidr', '2001:db8:ffff::/33'), '2001:db8:8000::/33');
  assert.equal(value('cidr', '::ffff:10.1.0.0/104'), '10.0.0.0/8');
  assert.equal(value('cidr', '::ffff:0:0/96'), '0.0.0.0/0');
  assert.match(reason('cidr', '10.0.0.0'), /needs a \/prefix/);
  assert.match(reason('cidr', '10.0.0.0/33'), /out of range 0\.\.32/);
  assert.match(reason('cidr', '2001:db8::/129'), /out of range 0\.\.128/);
  assert.match(reason('cidr', '10.0.0.0/-1'), /not a number/);
  assert.match(reason('cidr', '10.0.0.0/8/9'), /more than one/);
  assert.match(reason('cidr', 'evil.example/8'), /not an IPv4 or IPv6 network/);
});

test('domain: lowercase, trailing dot, IDN to punycode', () => {
  assert.equal(value('domain', ' Evil.Example. '), 'evil.example');
  assert.equal(value('domain', 'bücher.example'), 'xn--bcher-kva.example');
  assert.equal(value('domain', 'XN--BCHER-KVA.example'), 'xn--bcher-kva.example');
  assert.equal(value('domain', 'BÜCHER.example'), 'xn--bcher-kva.example');
  assert.equal(value('domain', '_dmarc.evil.example'), '_dmarc.evil.example');
});

test('domain: rejections', () => {
  assert.match(reason('domain', ''), /empty/);
  assert.match(reason('domain', '.'), /empty/);
  assert.match(reason('domain', 'evil.example/path'), /may not contain/);
  assert.match(reason('domain', 'evil.example:443'), /may not contain/);
  assert.match(reason('domain', 'bob@evil.example'), /may not contain/);
  assert.match(reason('domain', 'evil .example'), /may not contain/);
  assert.match(reason('domain', 'localhost'), /no dot/);
  assert.match(reason('domain', '1.2.3.4'), /ip indicator/);
  assert.match(reason('domain', 'a..example'), /empty label/);
  assert.match(reason('domain', `${'a'.repeat(64)}.example`), /label longer than 63/);
  const long = Array.from({ length: 5 }, () => 'b'.repeat(60)).join('.');
  assert.match(reason('domain', long), /longer than 253/);
  assert.equal(value('domain', `${'a'.repeat(63)}.example`), `${'a'.repeat(63)}.example`);
});

test('url: scheme, host, default port, fragment, path case', () => {
  assert.equal(value('url', 'HTTP://EVIL.Example:80/Path/X?Q=1#frag'), 'http://evil.example/Path/X?Q=1');
  assert.equal(value('url', 'https://evil.example:443/'), 'https://evil.example/');
  assert.equal(value('url', 'https://evil.example:8443/a'), 'https://evil.example:8443/a');
  assert.equal(value('url', 'ftp://files.evil.example:21/x.bin'), 'ftp://files.evil.example/x.bin');
  assert.equal(value('url', 'http://evil.example'), 'http://evil.example/');
  assert.equal(value('url', 'http://evil.example./a'), 'http://evil.example/a');
  assert.equal(value('url', 'https://bücher.example/Ä'), 'https://xn--bcher-kva.example/%C3%84');
  assert.equal(value('url', 'http://[::ffff:1.2.3.4]:8080/x'), 'http://1.2.3.4:8080/x');
  assert.equal(value('url', 'http://[2001:DB8:0::1]/x'), 'http://[2001:db8::1]/x');
});

test('url: without scheme means http', () => {
  assert.equal(value('url', 'evil.example/path'), 'http://evil.example/path');
  assert.equal(value('url', 'Evil.Example:8080/p?a=b'), 'http://evil.example:8080/p?a=b');
  assert.equal(value('url', '//evil.example/x'), 'http://evil.example/x');
});

test('url: rejections', () => {
  assert.match(reason('url', 'javascript:alert(1)'), /scheme "javascript" is not http, https or ftp/);
  assert.match(reason('url', 'file:///etc/passwd'), /scheme "file"/);
  assert.match(reason('url', 'mailto:bob@evil.example'), /scheme "mailto"/);
  assert.match(reason('url', 'http://'), /not a valid URL/);
  assert.match(reason('url', '   '), /empty/);
});

test('hashes: lowercase, exact length, hex only', () => {
  assert.equal(value('md5', ' D41D8CD98F00B204E9800998ECF8427E '), 'd41d8cd98f00b204e9800998ecf8427e');
  assert.equal(value('sha1', 'DA39A3EE5E6B4B0D3255BFEF95601890AFD80709'), 'da39a3ee5e6b4b0d3255bfef95601890afd80709');
  const sha256 = 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855';
  assert.equal(value('sha256', sha256), sha256.toLowerCase());
  assert.equal(reason('md5', 'abc'), 'md5 must be 32 hex characters, got 3');
  assert.equal(reason('sha1', sha256), 'sha1 must be 40 hex characters, got 64');
  assert.equal(reason('sha256', 'd41d8cd98f00b204e9800998ecf8427e'), 'sha256 must be 64 hex characters, got 32');
  assert.match(reason('md5', 'g41d8cd98f00b204e9800998ecf8427e'), /hex characters \(0-9, a-f\)/);
});

test('email: lowercase, one @, canonical domain', () => {
  assert.equal(value('email', ' Bob.Smith@Evil.Example '), 'bob.smith@evil.example');
  assert.equal(value('email', 'bob@bücher.example'), 'bob@xn--bcher-kva.example');
  assert.match(reason('email', 'bob.evil.example'), /exactly one @/);
  assert.match(reason('email', 'a@b@evil.example'), /exactly one @/);
  assert.match(reason('email', '@evil.example'), /empty local part/);
  assert.match(reason('email', 'bob@localhost'), /email domain: .*no dot/);
});

test('user and filename', () => {
  assert.equal(value('user', ' CORP\\Alice '), 'corp\\alice');
  assert.equal(value('user', 'Administrator'), 'administrator');
  assert.match(reason('user', '   '), /empty user/);
  assert.equal(value('filename', 'C:\\Windows\\Temp\\EVIL.EXE'), 'evil.exe');
  assert.equal(value('filename', '/usr/bin/Nc'), 'nc');
  assert.equal(value('filename', 'mimikatz.exe'), 'mimikatz.exe');
  assert.match(reason('filename', 'C:\\Windows\\'), /empty file name/);
  assert.match(reason('filename', ''), /empty file name/);
});

test('values longer than 2048 characters are rejected', () => {
  assert.match(reason('user', 'x'.repeat(2049)), /longer than 2048/);
  assert.match(reason('url', `http://evil.example/${'a'.repeat(2040)}`), /longer than 2048/);
  assert.equal(value('user', 'x'.repeat(2048)).length, 2048);
  // percent-encoding can grow a URL past the limit
  assert.match(reason('url', `http://evil.example/${'Ä'.repeat(500)}`), /canonical value is longer than 2048/);
});

test('unknown type is rejected', () => {
  assert.match(reason('bogus' as IndicatorType, 'x'), /unknown indicator type/);
});
