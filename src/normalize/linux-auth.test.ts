import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { NormalizeContext } from '../core/index.ts';
import { normalizeRecord } from './index.ts';
import { linuxAuthFields } from './linux-auth.ts';

const LOGHUB = '/work/shared/data/loghub-2k';
const ctx: NormalizeContext = { input: { type: 'file', name: 'auth.log' }, receivedAt: new Date('2006-01-01T00:00:00Z') };

function ev(line: string): Record<string, any> {
  const r = normalizeRecord({ kind: 'text', value: line }, ctx);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.value as Record<string, any>;
}

/** A real line from a loghub file, found by its 1-based line number; null when the corpus is absent. */
function loghubLine(file: string, n: number): string | null {
  try {
    return readFileSync(`${LOGHUB}/${file}`, 'utf8').split('\n')[n - 1];
  } catch {
    return null;
  }
}

describe('linux-auth: sshd (real OpenSSH_2k lines)', () => {
  it('Accepted password (line 963 region)', (t) => {
    const lines = (() => { try { return readFileSync(`${LOGHUB}/OpenSSH/OpenSSH_2k.log`, 'utf8').split('\n'); } catch { return null; } })();
    if (!lines) return t.skip('loghub-2k corpus not present');
    const line = lines.find((l) => l.includes('Accepted password for fztu'));
    assert.equal(line, 'Dec 10 09:32:20 LabSZ sshd[24680]: Accepted password for fztu from 119.137.62.142 port 49116 ssh2');
    const e = ev(line!);
    assert.equal(e['@timestamp'], '2005-12-10T09:32:20.000Z');
    assert.deepEqual(e.event, { kind: 'event', category: ['authentication'], type: ['start'], action: 'ssh_login', outcome: 'success' });
    assert.deepEqual(e.user, { name: 'fztu' });
    assert.deepEqual(e.source, { ip: '119.137.62.142', port: 49116 });
    assert.deepEqual(e.process, { name: 'sshd', pid: 24680 });
    assert.equal(e.system.auth.ssh.method, 'password');
  });

  it('Failed password for invalid user (line 6)', (t) => {
    const line = loghubLine('OpenSSH/OpenSSH_2k.log', 6);
    if (!line) return t.skip('loghub-2k corpus not present');
    assert.equal(line, 'Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2');
    const e = ev(line);
    assert.deepEqual(e.event, { kind: 'event', category: ['authentication'], type: ['start'], action: 'ssh_login', outcome: 'failure' });
    assert.deepEqual(e.user, { name: 'webmaster' });
    assert.deepEqual(e.source, { ip: '173.234.31.186', port: 38926 });
    assert.deepEqual(e.system.auth.ssh, { method: 'password', invalid_user: true });
  });

  it('Failed password for root, and its "message repeated" form (lines 29, 30)', (t) => {
    const l29 = loghubLine('OpenSSH/OpenSSH_2k.log', 29);
    const l30 = loghubLine('OpenSSH/OpenSSH_2k.log', 30);
    if (!l29 || !l30) return t.skip('loghub-2k corpus not present');
    const a = ev(l29);
    assert.equal(a.event.outcome, 'failure');
    assert.deepEqual(a.user, { name: 'root' });
    assert.deepEqual(a.source, { ip: '5.36.59.76', port: 42393 });
    assert.equal(l30, 'Dec 10 07:13:56 LabSZ sshd[24227]: message repeated 5 times: [ Failed password for root from 5.36.59.76 port 42393 ssh2]');
    const b = ev(l30);
    assert.equal(b.event.action, 'ssh_login');
    assert.equal(b.event.outcome, 'failure');
    assert.deepEqual(b.source, { ip: '5.36.59.76', port: 42393 });
    assert.equal(b.message, 'message repeated 5 times: [ Failed password for root from 5.36.59.76 port 42393 ssh2]');
  });

  it('Invalid user, pam_unix authentication failure, Too many failures, Connection closed (lines 2, 5, 31, 32, 7)', (t) => {
    const l = (n: number) => loghubLine('OpenSSH/OpenSSH_2k.log', n);
    if (!l(2)) return t.skip('loghub-2k corpus not present');
    const inv = ev(l(2)!);
    assert.deepEqual(inv.event, { kind: 'event', category: ['authentication'], type: ['info'], action: 'ssh_invalid_user', outcome: 'failure' });
    assert.deepEqual(inv.user, { name: 'webmaster' });
    assert.deepEqual(inv.source, { ip: '173.234.31.186' });

    assert.equal(l(5), 'Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186 ');
    const pam = ev(l(5)!);
    assert.equal(pam.event.action, 'pam_auth_failure');
    assert.equal(pam.event.outcome, 'failure');
    assert.deepEqual(pam.source, { ip: '173.234.31.186' });
    assert.equal(pam.user, undefined);
    assert.equal(pam.system.auth.pam.service, 'sshd');

    const many = ev(l(31)!);
    assert.equal(many.event.action, 'ssh_max_auth_exceeded');
    assert.deepEqual(many.user, { name: 'root' });

    const more = ev(l(32)!);
    assert.equal(more.event.action, 'pam_auth_failure');
    assert.deepEqual(more.user, { name: 'root' });
    assert.deepEqual(more.source, { domain: '5.36.59.76.dynamic-dsl-ip.omantel.net.om' });

    const closed = ev(l(7)!);
    assert.deepEqual(closed.event, { kind: 'event', category: ['authentication'], type: ['end'], action: 'ssh_connection_closed' });
    assert.deepEqual(closed.source, { ip: '173.234.31.186' });
  });

  it('a user name with a leading space (real line 185) and one that tries to spoof the peer', (t) => {
    const l185 = loghubLine('OpenSSH/OpenSSH_2k.log', 185);
    if (!l185) return t.skip('loghub-2k corpus not present');
    assert.equal(l185, 'Dec 10 08:24:32 LabSZ sshd[24361]: Invalid user  0101 from 5.188.10.180');
    assert.deepEqual(ev(l185).user, { name: ' 0101' });
    const spoof = linuxAuthFields('Failed password for invalid user x from 10.0.0.1 port 1 ssh2 from 203.0.113.9 port 4242 ssh2', 'sshd');
    assert.deepEqual(spoof?.source, { ip: '203.0.113.9', port: 4242 });
    assert.deepEqual(spoof?.user, { name: 'x from 10.0.0.1 port 1 ssh2' });
    const pamSpoof = linuxAuthFields('pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.9  user=a rhost=10.0.0.1', 'sshd');
    assert.deepEqual(pamSpoof?.source, { ip: '203.0.113.9' });
    assert.deepEqual(pamSpoof?.user, { name: 'a rhost=10.0.0.1' });
  });

  it('newer OpenSSH forms', () => {
    const a = linuxAuthFields('Accepted publickey for deploy from 2001:db8::5 port 50022 ssh2: ED25519 SHA256:AbCdEf', 'sshd');
    assert.deepEqual(a, {
      event: { category: ['authentication'], type: ['start'], action: 'ssh_login', outcome: 'success' },
      user: { name: 'deploy' }, source: { ip: '2001:db8::5', port: 50022 }, system: { auth: { ssh: { method: 'publickey' } } },
    });
    const c = linuxAuthFields('Connection closed by authenticating user root 198.51.100.4 port 39916 [preauth]', 'sshd');
    assert.deepEqual(c?.event, { category: ['authentication'], type: ['end'], action: 'ssh_connection_closed', outcome: 'failure' });
    assert.deepEqual(c?.user, { name: 'root' });
    assert.deepEqual(c?.source, { ip: '198.51.100.4', port: 39916 });
    const d = linuxAuthFields('Disconnected from invalid user admin 198.51.100.4 port 40000 [preauth]', 'sshd');
    assert.equal(d?.event && (d.event as any).action, 'ssh_disconnect');
    assert.deepEqual(d?.user, { name: 'admin' });
    assert.deepEqual(d?.source, { ip: '198.51.100.4', port: 40000 });
    const d2 = linuxAuthFields('Disconnected from 198.51.100.4 port 40001', 'sshd');
    assert.deepEqual(d2?.source, { ip: '198.51.100.4', port: 40001 });
    const m = linuxAuthFields('error: maximum authentication attempts exceeded for invalid user oracle from 192.0.2.10 port 33890 ssh2 [preauth]', 'sshd');
    assert.deepEqual(m?.event, { category: ['authentication'], type: ['info'], action: 'ssh_max_auth_exceeded', outcome: 'failure' });
    assert.deepEqual(m?.user, { name: 'oracle' });
    assert.deepEqual(m?.source, { ip: '192.0.2.10', port: 33890 });
    const r = linuxAuthFields('Received disconnect from 192.0.2.10 port 5000:11: disconnected by user', 'sshd');
    assert.deepEqual(r?.source, { ip: '192.0.2.10', port: 5000 });
  });
});

describe('linux-auth: Linux_2k (Red Hat pam tags)', () => {
  it('sshd(pam_unix) authentication failure with a host name and user (line 4)', (t) => {
    const line = loghubLine('Linux/Linux_2k.log', 4);
    if (!line) return t.skip('loghub-2k corpus not present');
    assert.equal(line, 'Jun 15 02:04:59 combo sshd(pam_unix)[20882]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=220-135-151-1.hinet-ip.hinet.net  user=root');
    const e = ev(line);
    assert.equal(e['@timestamp'], '2005-06-15T02:04:59.000Z');
    assert.deepEqual(e.event, { kind: 'event', category: ['authentication'], type: ['info'], action: 'pam_auth_failure', outcome: 'failure' });
    assert.deepEqual(e.user, { name: 'root' });
    assert.deepEqual(e.source, { domain: '220-135-151-1.hinet-ip.hinet.net' });
    assert.deepEqual(e.process, { name: 'sshd', pid: 20882 });
  });

  it('su(pam_unix) session opened / closed (lines 14, 15)', (t) => {
    const a = loghubLine('Linux/Linux_2k.log', 14);
    const b = loghubLine('Linux/Linux_2k.log', 15);
    if (!a || !b) return t.skip('loghub-2k corpus not present');
    const o = ev(a);
    assert.deepEqual(o.event, { kind: 'event', category: ['session'], type: ['start'], action: 'session_opened', outcome: 'success' });
    assert.deepEqual(o.user, { name: 'cyrus' });
    assert.equal(o.process.name, 'su');
    const c = ev(b);
    assert.equal(c.event.action, 'session_closed');
    assert.deepEqual(c.event.type, ['end']);
  });

  it('ftpd lines are not auth', (t) => {
    const lines = (() => { try { return readFileSync(`${LOGHUB}/Linux/Linux_2k.log`, 'utf8').split('\n'); } catch { return null; } })();
    if (!lines) return t.skip('loghub-2k corpus not present');
    const ftp = lines.find((l) => l.includes(' ftpd['));
    assert.ok(ftp);
    assert.equal(ev(ftp).event.action, undefined);
  });
});

describe('linux-auth: sudo, su, login, logind', () => {
  it('sudo command (logger-formatted, newer sudo indents the user)', () => {
    const e = ev('<85>Nov 27 22:55:39 vm sudo:     alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx');
    assert.deepEqual(e.event, { kind: 'event', severity: 5, category: ['authentication'], type: ['info'], action: 'sudo_command', outcome: 'success' });
    assert.deepEqual(e.user, { name: 'alice', effective: { name: 'root' } });
    assert.deepEqual(e.process, { name: 'sudo', command_line: '/usr/bin/systemctl restart nginx', working_directory: '/home/alice' });
    assert.equal(e.system.auth.sudo.tty, 'pts/0');
  });

  it('sudo failures: incorrect password attempts, not in sudoers, pam failure', () => {
    const a = linuxAuthFields('bob : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/bash', 'sudo');
    assert.deepEqual(a?.event, { category: ['authentication'], type: ['info'], action: 'sudo_command', outcome: 'failure', reason: '3 incorrect password attempts' });
    assert.deepEqual(a?.user, { name: 'bob', effective: { name: 'root' } });
    assert.deepEqual(a?.process, { command_line: '/bin/bash', working_directory: '/tmp' });
    const b = linuxAuthFields('eve : user NOT in sudoers ; TTY=pts/2 ; PWD=/home/eve ; USER=root ; COMMAND=/usr/bin/id', 'sudo');
    assert.equal((b?.event as any).reason, 'user NOT in sudoers');
    const c = linuxAuthFields('pam_unix(sudo:auth): authentication failure; logname=bob uid=1000 euid=0 tty=/dev/pts/1 ruser=bob rhost=  user=bob', 'sudo');
    assert.deepEqual(c, {
      event: { category: ['authentication'], type: ['info'], action: 'pam_auth_failure', outcome: 'failure' },
      user: { name: 'bob' }, system: { auth: { pam: { service: 'sudo' } } },
    });
    // a sudo-looking line from another program is only taken when it has TTY= and COMMAND=
    assert.equal(linuxAuthFields('x : something else', 'myapp'), null);
  });

  it('su: (to root), FAILED SU, Successful su', () => {
    assert.deepEqual(linuxAuthFields('(to root) alice on pts/0', 'su'), {
      event: { category: ['authentication'], type: ['start'], action: 'su_switch_user', outcome: 'success' },
      user: { name: 'alice', effective: { name: 'root' } }, system: { auth: { su: { tty: 'pts/0' } } },
    });
    const f = linuxAuthFields('FAILED SU (to root) mallory on pts/3', 'su');
    assert.equal((f?.event as any).outcome, 'failure');
    assert.deepEqual(f?.user, { name: 'mallory', effective: { name: 'root' } });
    const s = linuxAuthFields('Successful su for postgres by root', 'su');
    assert.deepEqual(s?.user, { name: 'root', effective: { name: 'postgres' } });
    assert.equal((s?.event as any).outcome, 'success');
  });

  it('login and systemd-logind', () => {
    const f = linuxAuthFields("FAILED LOGIN (1) on '/dev/tty1' FOR 'root', Authentication failure", 'login');
    assert.deepEqual(f?.event, { category: ['authentication'], type: ['start'], action: 'console_login', outcome: 'failure', reason: 'Authentication failure' });
    assert.deepEqual(f?.user, { name: 'root' });
    const r = linuxAuthFields("ROOT LOGIN  on '/dev/tty1'", 'login');
    assert.equal((r?.event as any).outcome, 'success');
    const n = linuxAuthFields('New session 42 of user alice.', 'systemd-logind');
    assert.deepEqual(n, { event: { category: ['session'], type: ['start'], action: 'session_opened', outcome: 'success' }, user: { name: 'alice' } });
    assert.deepEqual(linuxAuthFields('Removed session 42.', 'systemd-logind')?.event, {
      category: ['session'], type: ['end'], action: 'session_closed', outcome: 'success',
    });
  });

  it('unrelated messages give null, and long ones are not scanned', () => {
    assert.equal(linuxAuthFields('Server listening on 0.0.0.0 port 22.', 'sshd'), null);
    assert.equal(linuxAuthFields('', 'sshd'), null);
    assert.equal(linuxAuthFields('Failed password for ' + 'x'.repeat(5000) + ' from 1.2.3.4 port 1 ssh2', 'sshd'), null);
  });

  it('adversarial input stays fast (no backtracking blow-up)', () => {
    const evil = 'Failed password for ' + ' from x'.repeat(280) + ' port';
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) linuxAuthFields(evil, 'sshd');
    const evil2 = 'Disconnecting authenticating user ' + 'a port 1: Too many authentication failures for '.repeat(40);
    for (let i = 0; i < 100; i++) linuxAuthFields(evil2, 'sshd');
    assert.ok(performance.now() - t0 < 500, 'took too long');
  });
});
