import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cidrMatcher, parseCidr, parseIp } from './cidr.ts';

const words = (s: string): number[] | null => {
  const out = new Uint32Array(4);
  const k = parseIp(s, out);
  return k === 0 ? null : [k, ...out];
};

describe('IP parsing', () => {
  it('parses IPv4 dotted quads only', () => {
    assert.deepEqual(words('10.1.2.3'), [4, 0x0a010203, 0, 0, 0]);
    assert.deepEqual(words('255.255.255.255'), [4, 0xffffffff, 0, 0, 0]);
    for (const bad of ['256.1.1.1', '1.2.3', '1.2.3.4.5', '1..2.3', 'a.b.c.d', '', '1.2.3.4/8', '1234.1.1.1']) assert.equal(words(bad), null, bad);
  });

  it('parses IPv6 with ::, embedded IPv4, zone ids and brackets', () => {
    assert.deepEqual(words('::'), [6, 0, 0, 0, 0]);
    assert.deepEqual(words('::1'), [6, 0, 0, 0, 1]);
    assert.deepEqual(words('2001:db8::ff00:42:8329'), [6, 0x20010db8, 0, 0xff00, 0x00428329]);
    assert.deepEqual(words('2001:0db8:0000:0000:0000:ff00:0042:8329'), [6, 0x20010db8, 0, 0xff00, 0x00428329]);
    assert.deepEqual(words('::ffff:192.0.2.1'), [6, 0, 0, 0xffff, 0xc0000201]);
    assert.deepEqual(words('fe80::1%eth0'), [6, 0xfe800000, 0, 0, 1]);
    assert.deepEqual(words('[::1]'), [6, 0, 0, 0, 1]);
    assert.deepEqual(words('1::'), [6, 0x00010000, 0, 0, 0]);
    for (const bad of ['1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', 'g::1', ':1:2', '1:2:3:4:5:6:7', '::ffff:1.2.3', '1.2.3.4::', '1:2:3:4:5:6:7::8']) {
      assert.equal(words(bad), null, bad);
    }
  });
});

describe('CIDR networks', () => {
  it('masks host bits and accepts bare addresses', () => {
    assert.deepEqual(parseCidr('10.1.2.3/8'), { v6: false, net: Uint32Array.of(0x0a000000, 0, 0, 0), prefix: 8 });
    assert.equal(parseCidr('10.1.2.3')?.prefix, 32);
    assert.equal(parseCidr('::1')?.prefix, 128);
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/x', 'foo/8']) assert.equal(parseCidr(bad), null, bad);
  });

  it('matches on prefix boundaries', () => {
    const m = cidrMatcher(parseCidr('172.16.0.0/12')!);
    assert.equal(m('172.16.0.0'), true);
    assert.equal(m('172.31.255.255'), true);
    assert.equal(m('172.32.0.0'), false);
    assert.equal(m('172.15.255.255'), false);
    const v6 = cidrMatcher(parseCidr('2001:db8:abcd:0012::/64')!);
    assert.equal(v6('2001:db8:abcd:12::1'), true);
    assert.equal(v6('2001:db8:abcd:13::1'), false);
    const all6 = cidrMatcher(parseCidr('::/0')!);
    assert.equal(all6('1.2.3.4'), true);
    assert.equal(all6('ff::'), true);
  });
});
