import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeRecord } from './index.ts';
import { ciscoAsaFields } from './cisco-asa.ts';

const ctx = { input: { type: 'syslog', name: 'syslog-tcp' }, receivedAt: new Date('2026-03-05T03:00:00Z') };

test('command accounting names the user and the command (111008)', () => {
  const result = normalizeRecord({ kind: 'text', value: "<165>Mar  5 02:13:00 fw-edge-1 %ASA-5-111008: User 'admin' executed the 'no access-list inside_in extended permit tcp any any eq 443' command." }, ctx);
  assert.ok(result.ok);
  const event = result.value as Record<string, any>;
  assert.equal(event.host.name, 'fw-edge-1');
  assert.equal(event.user.name, 'admin');
  assert.equal(event.event.code, '111008');
  assert.equal(event.event.action, 'command-executed');
  assert.equal(event.cisco.asa.command_line, 'no access-list inside_in extended permit tcp any any eq 443');
  assert.equal(event.observer.product, 'ASA');
});

test('111010 also gives the session and the source address', () => {
  const fields = ciscoAsaFields("User 'bob', running 'ASDM' from IP 10.0.0.5, executed 'write memory'", '%ASA-5-111010') as Record<string, any>;
  assert.deepEqual(fields.user, { name: 'bob' });
  assert.deepEqual(fields.source, { ip: '10.0.0.5' });
  assert.equal(fields.cisco.asa.session, 'ASDM');
  assert.equal(fields.cisco.asa.command_line, 'write memory');
});

test('other ASA messages get their id only; other programs nothing', () => {
  assert.deepEqual(ciscoAsaFields('Built inbound TCP connection 1 for outside:1.2.3.4/5 to inside:10.0.0.1/80', '%ASA-6-302013'), { observer: { vendor: 'Cisco', product: 'ASA' }, event: { code: '302013' } });
  assert.equal(ciscoAsaFields("User 'admin' executed the 'x' command.", 'sshd'), null);
});
