import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { base64OffsetVariants } from './modifiers.ts';
import { matches, reject, rule } from './testkit.ts';

const one = (key: string, value: string): string => `sel:\n    ${key}: ${value}\ncondition: sel`;

describe('contains, startswith, endswith, all, cased', () => {
  it('places the wildcards', () => {
    assert.equal(matches(one('F|contains', 'evil'), { F: 'an EVIL thing' }), true);
    assert.equal(matches(one('F|contains', 'evil'), { F: 'good' }), false);
    assert.equal(matches(one('F|startswith', 'adm'), { F: 'Administrator' }), true);
    assert.equal(matches(one('F|startswith', 'adm'), { F: 'xadm' }), false);
    assert.equal(matches(one('F|endswith', '.exe'), { F: 'A.EXE' }), true);
    assert.equal(matches(one('F|endswith', '.exe'), { F: 'a.exe.txt' }), false);
    assert.equal(matches(one('F|contains', "'a*b'"), { F: 'xx a--b yy' }), true);
    assert.equal(matches(one('F|startswith', "'adm*'"), { F: 'admin' }), true);
    assert.equal(matches(one('F|contains', '7'), { F: 'port 7000' }), true); // a number as a string
  });

  it('ANDs list values with all', () => {
    const r = rule(`sel:\n    CommandLine|contains|all:\n        - vssadmin\n        - delete\n        - shadows\ncondition: sel`);
    assert.equal(matches(r, { CommandLine: 'vssadmin.exe Delete Shadows /all' }), true);
    assert.equal(matches(r, { CommandLine: 'vssadmin.exe list shadows' }), false);
  });

  it('matches case-sensitively with cased, in either order', () => {
    for (const key of ['F|cased', 'F|contains|cased', 'F|cased|contains']) {
      assert.equal(matches(one(key, 'Invoke'), { F: 'Invoke' }), true, key);
      assert.equal(matches(one(key, 'Invoke'), { F: 'invoke' }), false, key);
    }
    assert.equal(matches(one('F|contains|cased', 'Invoke'), { F: 'x Invoke y' }), true);
  });
});

describe('neq', () => {
  it('matches a present field that differs from every value', () => {
    const r = rule(one('User|neq', 'admin'));
    assert.equal(matches(r, { User: 'bob' }), true);
    assert.equal(matches(r, { User: 'ADMIN' }), false);
    assert.equal(matches(r, {}), false);
    assert.equal(matches(r, { User: null }), false);
    const list = rule(`sel:\n    User|neq:\n        - admin\n        - root\ncondition: sel`);
    assert.equal(matches(list, { User: 'root' }), false);
    assert.equal(matches(list, { User: 'bob' }), true);
  });

  it('works with numbers and with fieldref', () => {
    const port = rule(one('Port|neq', '80'));
    assert.equal(matches(port, { Port: 443 }), true);
    assert.equal(matches(port, { Port: '80' }), false);
    const ref = rule(one('SourceUser|fieldref|neq', 'TargetUser'));
    assert.equal(matches(ref, { SourceUser: 'a', TargetUser: 'b' }), true);
    assert.equal(matches(ref, { SourceUser: 'a', TargetUser: 'A' }), false);
  });
});

describe('windash', () => {
  const dashes = ['-', '/', '\u2013', '\u2014', '\u2015'];
  it('matches all five dash characters', () => {
    const r = rule(one('CommandLine|windash|contains', "' -s '"));
    for (const d of dashes) assert.equal(matches(r, { CommandLine: `psexec ${d}s x` }), true, JSON.stringify(d));
    assert.equal(matches(r, { CommandLine: 'psexec +s x' }), false);
    assert.equal(r.cost, 5);
    assert.deepEqual(
      r.anchors?.map((a) => a.literal).sort(),
      dashes.map((d) => ` ${d}s `).sort(),
    );
  });

  it('expands only dashes that start a word, as pySigma does', () => {
    const r = rule(one('CommandLine|contains|windash', "' -param-name '"));
    assert.equal(matches(r, { CommandLine: 'x /param-name y' }), true);
    assert.equal(matches(r, { CommandLine: 'x \u2015param-name y' }), true);
    assert.equal(matches(r, { CommandLine: 'x /param/name y' }), false);
    const two = rule(one('CommandLine|windash|contains', "'-a -b'"));
    assert.equal(matches(two, { CommandLine: '/a \u2014b' }), true);
    assert.equal(two.cost, 25);
  });
});

describe('re', () => {
  it('is an unanchored, case-sensitive search with i, m, s flags', () => {
    assert.equal(matches(one('M|re', "'hello-[0-9]+'"), { M: 'say hello-42 now' }), true);
    assert.equal(matches(one('M|re', "'hello-[0-9]+'"), { M: 'HELLO-42' }), false);
    assert.equal(matches(one('M|re|i', "'hello'"), { M: 'HELLO' }), true);
    assert.equal(matches(one('M|re', "'(?i)hello'"), { M: 'HELLO' }), true);
    assert.equal(matches(one('M|re|m', "'^second$'"), { M: 'first\nsecond' }), true);
    assert.equal(matches(one('M|re', "'^second$'"), { M: 'first\nsecond' }), false);
    assert.equal(matches(one('M|re|s', "'a.b'"), { M: 'a\nb' }), true);
    assert.equal(matches(one('M|re', "'a.b'"), { M: 'a\nb' }), false);
    assert.equal(matches(one('M|re', "'\\s-[FTd]\\s'"), { M: 'curl -T file' }), true);
    assert.equal(matches(one('M|re', "'\\s-[FTd]\\s'"), { M: 'curl -t file' }), false);
  });

  it('uses the value as written, without wildcard processing', () => {
    assert.equal(matches(one('M|re', "'a*b'"), { M: 'aaab' }), true);
    assert.equal(matches(one('M|re', "'C:\\\\Windows'"), { M: 'C:\\Windows' }), true);
  });

  it('searches keyword strings without a field', () => {
    assert.equal(matches(`kw:\n    '|re': 'evil[0-9]'\ncondition: kw`, { a: 'x evil7' }), true);
  });
});

describe('base64, base64offset', () => {
  const b64 = (s: string | Buffer): string => (typeof s === 'string' ? Buffer.from(s) : s).toString('base64');

  it('encodes with base64', () => {
    assert.equal(matches(one('F|base64', 'foobar'), { F: 'Zm9vYmFy' }), true);
    assert.equal(matches(one('F|base64', 'foobar'), { F: 'foobar' }), false);
    // As pySigma: the encoding keeps its padding (base64offset is the modifier for substrings).
    assert.equal(matches(one('F|base64|contains', "'http://'"), { F: 'xx aHR0cDovLw== yy' }), true);
    assert.equal(matches(one('F|base64|contains', "'http://'"), { F: 'xx aHR0cDovLwxx yy' }), false);
  });

  it('computes the three base64offset alignments exactly as pySigma', () => {
    assert.deepEqual(base64OffsetVariants(Buffer.from('foobar')), ['Zm9vYmFy', 'Zvb2Jhc', 'mb29iYX']);
    assert.deepEqual(base64OffsetVariants(Buffer.from('/bin/bash')), ['L2Jpbi9iYXNo', '9iaW4vYmFza', 'vYmluL2Jhc2']);
    assert.deepEqual(base64OffsetVariants(Buffer.from('IEX')), ['SUVY', 'lFW', 'JRV']);
  });

  it('finds a value at every byte offset of a base64 text', () => {
    const r = rule(one('Data|base64offset|contains', 'evil.com'));
    for (const prefix of ['', 'x', 'xx', 'xyz', 'wxyz']) {
      assert.equal(matches(r, { Data: b64(`${prefix}connect to evil.com now`) }), true, `prefix '${prefix}'`);
    }
    assert.equal(matches(r, { Data: b64('connect to good.com now') }), false);
    assert.equal(r.anchors?.length, 3);
  });
});

describe('wide, utf16le, utf16be, utf16', () => {
  const b64 = (b: Buffer): string => b.toString('base64');
  const le = (s: string): Buffer => Buffer.from(s, 'utf16le');
  const be = (s: string): Buffer => Buffer.from(le(s).swap16());

  it('encodes UTF-16LE (wide, utf16le) before base64', () => {
    for (const m of ['wide', 'utf16le']) {
      assert.equal(matches(one(`F|${m}|base64`, 'cmd'), { F: 'YwBtAGQA' }), true, m);
      const r = rule(one(`F|${m}|base64offset|contains`, "'cmd /c'"));
      for (const prefix of ['', 'a', 'ab', 'abc']) assert.equal(matches(r, { F: b64(le(`powershell ${prefix}cmd /c dir`)) }), true, `${m} '${prefix}'`);
      assert.equal(matches(r, { F: b64(Buffer.from('powershell cmd /c dir')) }), false, `${m} utf8`);
    }
  });

  it('encodes UTF-16BE and UTF-16 with a byte order mark', () => {
    assert.equal(matches(one('F|utf16be|base64', 'cmd'), { F: 'AGMAbQBk' }), true);
    assert.equal(matches(one('F|utf16be|base64', 'cmd'), { F: b64(be('cmd')) }), true);
    assert.equal(matches(one('F|utf16|base64', 'cmd'), { F: '//5jAG0AZAA=' }), true);
    assert.equal(matches(one('F|utf16|base64', 'cmd'), { F: b64(Buffer.concat([Buffer.from([0xff, 0xfe]), le('cmd')])) }), true);
  });

  it('matches wide text directly when not base64-encoded', () => {
    assert.equal(matches(one('F|wide|contains', 'ab'), { F: 'xa\u0000b\u0000y' }), true);
    assert.equal(matches(one('F|wide|contains', 'ab'), { F: 'xaby' }), false);
  });
});

describe('lt, lte, gt, gte', () => {
  it('compares numbers and numeric strings; non-numbers never match', () => {
    const gte = rule(one('Port|gte', '1024'));
    assert.equal(matches(gte, { Port: 5985 }), true);
    assert.equal(matches(gte, { Port: '5985' }), true);
    assert.equal(matches(gte, { Port: ' 1024 ' }), true);
    assert.equal(matches(gte, { Port: 1023 }), false);
    assert.equal(matches(gte, { Port: '0x400' }), true);
    for (const bad of ['abc', '', '12abc', null, true, { a: 1 }]) assert.equal(matches(gte, { Port: bad }), false, JSON.stringify(bad));
    assert.equal(matches(gte, {}), false);
    assert.equal(matches(one('N|lt', '10'), { N: 9.5 }), true);
    assert.equal(matches(one('N|lt', '10'), { N: 10 }), false);
    assert.equal(matches(one('N|lte', '10'), { N: '10' }), true);
    assert.equal(matches(one('N|gt', '-1'), { N: '0' }), true);
    assert.equal(matches(one('N|gt', '10'), { N: [1, 20] }), true);
    assert.equal(matches(one('N|gt', "'10'"), { N: 11 }), true); // a numeric string in the rule
  });
});

describe('time parts', () => {
  const t = '2024-03-15T13:45:30Z';
  it('extracts minute, hour, day, week, month and year from the field', () => {
    assert.equal(matches(one('T|minute', '45'), { T: t }), true);
    assert.equal(matches(one('T|hour', '13'), { T: t }), true);
    assert.equal(matches(one('T|hour', '12'), { T: t }), false);
    assert.equal(matches(one('T|day', '15'), { T: t }), true);
    assert.equal(matches(one('T|week', '11'), { T: t }), true);
    assert.equal(matches(one('T|month', '3'), { T: t }), true);
    assert.equal(matches(one('T|year', '2024'), { T: t }), true);
    assert.equal(matches(one('T|hour', '13'), { T: Date.parse(t) }), true); // epoch ms
    assert.equal(matches(one('T|hour', '13'), { T: Date.parse(t) / 1000 }), true); // epoch s
    assert.equal(matches(one('T|hour', '13'), { T: '2024-03-15 13:45:30' }), true); // no zone: UTC
    assert.equal(matches(one('T|hour', '13'), { T: 'not a date' }), false);
    assert.equal(matches(`sel:\n    T|hour:\n        - 1\n        - 13\ncondition: sel`, { T: t }), true);
  });

  it('uses ISO weeks across year ends and allows comparisons after the part', () => {
    assert.equal(matches(one('T|week', '53'), { T: '2021-01-01T00:00:00Z' }), true);
    assert.equal(matches(one('T|week', '1'), { T: '2024-12-30T00:00:00Z' }), true);
    assert.equal(matches(one('T|hour|gte', '8'), { T: t }), true);
    assert.equal(matches(one('T|hour|lt', '8'), { T: t }), false);
  });

  it('reads the event time for a field-less key', () => {
    const r = rule(one("'|hour'", '13'));
    assert.equal(matches(r, {}, Date.parse(t)), true);
    assert.equal(matches(r, {}, Date.parse('2024-03-15T02:00:00Z')), false);
  });
});

describe('cidr', () => {
  it('matches IPv4 networks by prefix', () => {
    const r = rule(one('DestinationIp|cidr', '10.0.0.0/8'));
    assert.equal(matches(r, { DestinationIp: '10.9.8.7' }), true);
    assert.equal(matches(r, { DestinationIp: '11.0.0.1' }), false);
    assert.equal(matches(r, { DestinationIp: 'fe80::1' }), false);
    assert.equal(matches(r, { DestinationIp: '::ffff:10.1.2.3' }), true); // v4-mapped
    assert.equal(matches(r, { DestinationIp: 'not an ip' }), false);
    assert.equal(matches(one('Ip|cidr', '192.168.1.0/23'), { Ip: '192.168.0.255' }), true);
    assert.equal(matches(one('Ip|cidr', '192.168.1.0/23'), { Ip: '192.168.2.0' }), false);
    assert.equal(matches(one('Ip|cidr', '0.0.0.0/0'), { Ip: '8.8.8.8' }), true);
    assert.equal(matches(one('Ip|cidr', '1.2.3.4/32'), { Ip: '1.2.3.4' }), true);
    assert.equal(matches(one('Ip|cidr', '1.2.3.4/32'), { Ip: '1.2.3.5' }), false);
  });

  it('matches IPv6 networks, with :: and embedded IPv4', () => {
    assert.equal(matches(one('Ip|cidr', "'fe80::/10'"), { Ip: 'FE80::1%eth0' }), true);
    assert.equal(matches(one('Ip|cidr', "'fe80::/10'"), { Ip: 'febf:ffff::1' }), true);
    assert.equal(matches(one('Ip|cidr', "'fe80::/10'"), { Ip: 'fec0::1' }), false);
    assert.equal(matches(one('Ip|cidr', "'::1/128'"), { Ip: '0:0:0:0:0:0:0:1' }), true);
    assert.equal(matches(one('Ip|cidr', "'2001:db8::/32'"), { Ip: '2001:db8:ffff::1' }), true);
    assert.equal(matches(one('Ip|cidr', "'2001:db8::/32'"), { Ip: '2001:db9::1' }), false);
    assert.equal(matches(one('Ip|cidr', "'::ffff:0:0/96'"), { Ip: '10.0.0.1' }), true);
    assert.equal(matches(one('Ip|cidr', "'2001:db8::/33'"), { Ip: '2001:db8:7fff::' }), true);
    assert.equal(matches(one('Ip|cidr', "'2001:db8::/33'"), { Ip: '2001:db8:8000::' }), false);
  });

  it('rejects invalid networks', () => {
    const r = reject(one('Ip|cidr', "'10.0.0.0/33'"));
    assert.match(r.reason, /detection\.sel\.Ip\|cidr: invalid CIDR network '10\.0\.0\.0\/33'/);
  });
});

describe('expand', () => {
  const placeholders = { Admins: ['adm_*', 'root'], Domain: ['corp'] };
  it('expands placeholders to the configured values', () => {
    const r = rule(one('User|expand', "'%Admins%'"), { placeholders });
    assert.equal(matches(r, { User: 'adm_bob' }), true);
    assert.equal(matches(r, { User: 'ROOT' }), true);
    assert.equal(matches(r, { User: 'bob' }), false);
    const c = rule(one('CommandLine|contains|expand', "'use %Domain%-%Admins% '"), { placeholders });
    assert.equal(matches(c, { CommandLine: 'net USE corp-root now' }), true);
    assert.equal(matches(c, { CommandLine: 'net use corp-adm_x now' }), true);
    assert.equal(matches(c, { CommandLine: 'net use corp-bob now' }), false);
    assert.equal(c.cost, 2);
  });

  it('keeps escaped percent signs and placeholders without expand literal', () => {
    const r = rule(one('F|expand', "'\\%plain%Domain%'"), { placeholders });
    assert.equal(matches(r, { F: '%plaincorp' }), true);
    assert.equal(matches(one('F', "'%Admins%'"), { F: '%admins%' }), true);
  });

  it('rejects a placeholder without configured values as unsupported', () => {
    const r = reject(one('User|expand', "'%Unknown%'"), { placeholders });
    assert.equal(r.kind, 'unsupported');
    assert.equal(r.feature, 'placeholder');
    assert.match(r.reason, /detection\.sel\.User\|expand: placeholder %Unknown% \(expand modifier\) has no configured value/);
  });
});

describe('fieldref', () => {
  it('compares with another field of the event', () => {
    const r = rule(one('SourceUser|fieldref', 'TargetUser'));
    assert.equal(matches(r, { SourceUser: 'bob', TargetUser: 'BOB' }), true);
    assert.equal(matches(r, { SourceUser: 'bob', TargetUser: 'alice' }), false);
    assert.equal(matches(r, { SourceUser: 'bob' }), false);
    assert.equal(matches(r, { SourceUser: 5, TargetUser: '5' }), true);
    assert.equal(matches(one('A|fieldref|contains', 'B'), { A: 'xxabcxx', B: 'ABC' }), true);
    assert.equal(matches(one('A|fieldref|startswith', 'B'), { A: 'abcxx', B: 'abc' }), true);
    assert.equal(matches(one('A|fieldref|endswith', 'B'), { A: 'abcxx', B: 'abc' }), false);
    assert.equal(matches(one('A|fieldref|cased', 'B'), { A: 'abc', B: 'ABC' }), false);
  });
});

describe('modifier errors', () => {
  const cases: [string, RegExp, 'error' | 'unsupported'][] = [
    [one('Image|foo', 'x'), /detection\.sel\.Image\|foo: unknown modifier 'foo'/, 'error'],
    [one('Image|contains|all', 'x'), /modifier 'all' needs a list of two or more values/, 'error'],
    [`sel:\n    Image|contains|all:\n        - x\ncondition: sel`, /modifier 'all' needs a list of two or more values/, 'error'],
    [one('Image', '[a, null]'), /detection\.sel\.Image: null inside a value list/, 'error'],
    [one('F|exists', 'yes'), /modifier 'exists' needs true or false/, 'error'],
    [one('F|contains|re', 'x'), /modifier 're' must come first/, 'error'],
    [one('F|i', 'x'), /modifier 'i' is a regular-expression flag/, 'error'],
    [one('F|base64', "'a*'"), /cannot encode a value with wildcards/, 'error'],
    [one('F|fieldref', "'a*'"), /field reference cannot contain wildcards/, 'error'],
    [one('F|gt', 'abc'), /modifier 'gt' needs a number/, 'error'],
    [one('F|hour', 'x'), /modifier 'hour' needs an integer/, 'error'],
    [one('F|contains', 'null'), /modifier 'contains' cannot apply to null/, 'error'],
    [one("'|exists'", 'true'), /modifier 'exists' needs a field/, 'error'],
    [one('F|re', "'(a+)+$'"), /nested quantifier/, 'unsupported'],
    [one('F|re', "'(?<=a)b'"), /lookaround/, 'unsupported'],
    [one('F|re', "'a(b'"), /invalid regular expression/, 'error'],
    [one('F|', 'x'), /empty modifier/, 'error'],
  ];
  for (const [det, re, kind] of cases) {
    it(`rejects ${det.split('\n')[1]!.trim()} (${kind})`, () => {
      const r = reject(det);
      assert.match(r.reason, re);
      assert.equal(r.kind, kind);
      assert.equal(r.rule_id, '11111111-2222-4333-8444-555555555555');
      assert.equal(r.file, 'bad.yml');
    });
  }
});
