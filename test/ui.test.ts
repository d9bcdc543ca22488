/**
 * The web UI end to end: real `vigil serve` with seeded data, real headless Chromium (Debian's
 * /usr/bin/chromium through playwright-core). Screenshots of each page go to test-artifacts/ui/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { FIREWALL_HOURS_CONFIG, startServer, tempDir, waitFor, type TestServer } from './harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../test-artifacts/ui/', import.meta.url).pathname;
const XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';

/** Launch flags for a closed network (see the machine notes): no background connections. */
export const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

const unavailable = !existsSync(CHROMIUM) ? `${CHROMIUM} is not installed (apt-get install chromium)` : null;
if (unavailable && process.env.CI) throw new Error(`UI tests need Chromium under CI: ${unavailable}`);

describe('web UI', { skip: unavailable ?? false }, () => {
  const dir = tempDir();
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  const post = (path: string, body: unknown) => server.api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(dir, 'vigil.yaml'), FIREWALL_HOURS_CONFIG);
    server = await startServer({ config: join(dir, 'vigil.yaml'), syslog: false });
    // Inventory: the breach is on a crown jewel.
    assert.equal((await post('/api/v1/services', { name: 'payments', tier: 1 })).status, 201);
    assert.equal((await post('/api/v1/assets', { name: 'pay-db-1', kind: 'server', criticality: 5, services: ['payments'] })).status, 201);
    // Noise: many single low alerts on ordinary hosts.
    const now = Date.now();
    const noise = Array.from({ length: 40 }, (_, i) => ({
      rule: { id: `noise-${i % 8}`, title: `Noisy check ${i % 8}`, level: 'low' },
      entities: { hosts: [`ws-${i}`] },
      timestamp: new Date(now - (40 - i) * 60_000).toISOString(),
    }));
    assert.equal((await post('/api/v1/alerts', noise)).status, 200);
    // The breach: delivery → exploitation → command and control on one crown-jewel host.
    const breach = [
      { rule: { id: 'phish-link', title: 'Phishing link opened', level: 'medium' }, tags: ['attack.initial-access', 'attack.t1566.002'] },
      { rule: { id: 'encoded-ps', title: 'Encoded PowerShell', level: 'high' }, tags: ['attack.execution', 'attack.t1059.001'] },
      { rule: { id: 'beacon', title: 'Beaconing to rare domain', level: 'high' }, tags: ['attack.command-and-control', 'attack.t1071.001'] },
    ].map((a, i) => ({ ...a, entities: { hosts: ['pay-db-1'], users: ['svc-pay'] }, timestamp: new Date(now - (3 - i) * 30_000).toISOString() }));
    assert.equal((await post('/api/v1/alerts', breach)).status, 200);
    // Events to search, one carrying a script in its message.
    const events = [
      { '@timestamp': new Date(now - 5 * 60_000).toISOString(), host: { name: 'pay-db-1' }, user: { name: 'svc-pay' }, event: { action: 'logon' }, message: `login ${XSS}` },
      ...Array.from({ length: 20 }, (_, i) => ({ '@timestamp': new Date(now - i * 60_000).toISOString(), host: { name: i % 2 ? 'web-1' : 'web-2' }, event: { action: i % 3 ? 'http' : 'logon' }, message: `request ${i}` })),
    ];
    const ingest = await server.api('/api/v1/events', { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: events.map((e) => JSON.stringify(e)).join('\n') });
    assert.equal(ingest.status, 202);
    await server.settle();

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (error) => errors.push(String(error)));
    // Failed requests, named by URL; the one wrong token the login test sends is expected.
    page.on('response', (response) => {
      if (response.status() >= 400 && !(response.status() === 401 && response.url().endsWith('/api/v1/whoami'))) errors.push(`${response.status()} ${response.url()}`);
    });
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
    });
  });

  after(async () => {
    await browser?.close();
    server?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the UI with a Content-Security-Policy and no inline script', async () => {
    const response = await fetch(`${server.url}/`);
    assert.equal(response.status, 200);
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const html = await response.text();
    assert.doesNotMatch(html.replace(/<script[^>]*src=[^>]*><\/script>/g, ''), /<script/i, 'every script is a file');
  });

  it('logs in with a token and shows the breach on top of the queue', async () => {
    await page.goto(`${server.url}/`);
    await page.getByLabel('API token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('API token').fill(server.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Queue' }).waitFor();
    const first = page.locator('table.incidents tbody tr').first();
    await first.waitFor();
    assert.match(await first.innerText(), /pay-db-1|Phishing|PowerShell|Beaconing/);
    assert.match(await first.innerText(), /P1|P2/);
    await shot('01-queue');
  });

  it('opens the incident: score explanation and kill-chain strip; acknowledge, assign, note', async () => {
    await page.locator('table.incidents tbody tr').first().getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: /INC-\d+/ }).waitFor();
    const body = await page.locator('main').innerText();
    assert.match(body, /kill.chain/i);
    assert.match(body, /asset pay-db-1 has criticality 5/);
    const strip = page.locator('ol.killchain').first();
    assert.match((await strip.getAttribute('aria-label')) ?? '', /delivery.*exploitation.*command-and-control/);
    await shot('02-incident');
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await waitFor(async () => ((await page.locator('main').innerText()).match(/acknowledged/i) ? true : null), 5000, 'the acknowledged state');
    await page.getByLabel('Assignee').fill('alice');
    await page.getByRole('button', { name: 'Assign' }).click();
    await page.getByLabel('Note').fill('Isolated pay-db-1 from the network.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByText('Isolated pay-db-1 from the network.').first().waitFor();
    const id = decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');
    const incident = await (await server.api(`/api/v1/incidents/${id}`)).json();
    assert.equal(incident.status, 'acknowledged');
    assert.equal(incident.assignee, 'alice');
    await shot('03-incident-acted');
  });

  it('searches with a query and a facet; event data is shown as text, never run', async () => {
    await page.getByRole('link', { name: 'Search' }).click();
    await page.getByLabel('Query').fill('event.action:logon');
    await page.getByLabel('Query').press('Enter');
    await page.locator('main').getByText('login <img', { exact: false }).first().waitFor();
    const facet = page.getByRole('button', { name: /host\.name: pay-db-1/ });
    await facet.click();
    await waitFor(async () => ((await page.getByLabel('Query').inputValue()).includes('pay-db-1') ? true : null), 5000, 'the facet in the query');
    assert.equal(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss), undefined, 'the payload did not run');
    assert.equal(await page.locator('main img[src="x"]').count(), 0, 'no element was made from event data');
    await shot('04-search');
  });

  it('creates a change and sees it on the calendar with the freeze window', async () => {
    await page.getByRole('link', { name: 'Changes' }).click();
    await page.getByLabel('Title').fill('Rotate edge firewall rules');
    await page.getByLabel('Type').selectOption('firewall');
    await page.getByLabel('Assets').fill('fw-edge-1');
    // Next Tuesday 10:00-11:00 UTC: inside business hours in London.
    const day = new Date();
    day.setUTCDate(day.getUTCDate() + ((9 - day.getUTCDay()) % 7 || 7));
    const date = day.toISOString().slice(0, 10);
    await page.getByLabel('Start').fill(`${date}T10:00`);
    await page.getByLabel('End').fill(`${date}T11:00`);
    await page.getByLabel('Implementer').fill('bob');
    await page.getByRole('button', { name: /create|request/i }).click();
    await page.getByText(/CHG-\d+/).first().waitFor();
    await page.goto(`${server.url}/#/changes?week=${date}`);
    await page.locator('.change').filter({ hasText: 'Rotate edge firewall rules' }).first().waitFor();
    assert.ok((await page.locator('.freeze').count()) > 0, 'freeze windows are shaded');
    await shot('05-changes');
  });

  it('every control has a label, and the pages made no errors', async () => {
    for (const path of ['#/queue', '#/search', '#/alerts', '#/changes', '#/detection', '#/dashboards']) {
      await page.goto(`${server.url}/${path}`);
      await page.locator('main h1').first().waitFor();
      // The queue keeps a live stream open, so the network is never idle: wait for what each page loads.
      await page.locator('main .loading, main [aria-busy="true"]').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
      const unlabelled = await page.evaluate(() =>
        [...(globalThis as any).document.querySelectorAll('input, select, textarea, button')]
          .filter((el: any) => {
            const control = el;
            if (control.type === 'hidden') return false;
            const named = (control.labels?.length ?? 0) > 0 || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.tagName === 'BUTTON' && el.textContent?.trim());
            return !named;
          })
          .map((el: any) => String(el.outerHTML).slice(0, 120)),
      );
      assert.deepEqual(unlabelled, [], `${path}: controls without a label`);
      await shot(`06-${path.slice(2)}`);
    }
    assert.deepEqual(errors, []);
  });

  it('works by keyboard alone: sign in, open the top incident, assign it, add a note', async () => {
    const context = await browser.newContext();
    const keyboardPage = await context.newPage();
    await keyboardPage.goto(`${server.url}/`);
    await keyboardPage.getByLabel('API token').waitFor();
    assert.equal(await keyboardPage.evaluate(() => (globalThis as any).document.activeElement?.id), 'token', 'the token field has focus');
    await keyboardPage.keyboard.type(server.token);
    await keyboardPage.keyboard.press('Enter');
    await keyboardPage.getByRole('heading', { name: 'Queue' }).waitFor();
    await keyboardPage.locator('table.incidents tbody tr').first().waitFor();
    // Tab to the first incident link.
    const focusOn = async (matches: (arg: string) => boolean, limit = 120, arg = '') => {
      for (let i = 0; i < limit; i++) {
        await keyboardPage.keyboard.press('Tab');
        if (await keyboardPage.evaluate(matches, arg)) return;
      }
      throw new Error(`could not reach ${arg || 'the control'} by Tab`);
    };
    await focusOn(() => ((globalThis as any).document.activeElement as { getAttribute(n: string): string | null } | null)?.getAttribute('href')?.startsWith('#/incidents/') ?? false);
    await keyboardPage.keyboard.press('Enter');
    await keyboardPage.getByRole('heading', { level: 1, name: /INC-\d+/ }).waitFor();
    const id = decodeURIComponent(new URL(keyboardPage.url()).hash.split('/')[2] ?? '');
    assert.match(id, /^INC-\d+$/);
    // Write a note and assign the incident, Tab and Enter only.
    const focused = (label: string): boolean => {
      const el = (globalThis as any).document.activeElement;
      return Boolean(el && ([...(el.labels ?? [])].some((l: { textContent: string }) => l.textContent.trim() === label) || el.getAttribute('aria-label') === label || (el.tagName === 'BUTTON' && el.textContent.trim() === label)));
    };
    await focusOn(focused, 120, 'Assignee');
    await keyboardPage.keyboard.press('Control+A');
    await keyboardPage.keyboard.type('carol');
    await focusOn(focused, 5, 'Assign');
    await keyboardPage.keyboard.press('Enter');
    // While an action runs its buttons are disabled (and out of the Tab order): let it finish.
    await keyboardPage.locator('main').getByText('carol', { exact: true }).first().waitFor();
    await keyboardPage.locator('main button:disabled', { hasText: 'Assign' }).waitFor({ state: 'detached' }).catch(() => undefined);
    await focusOn(focused, 200, 'Note');
    await keyboardPage.keyboard.type('Checked by keyboard only.');
    await focusOn(focused, 5, 'Add note');
    await keyboardPage.keyboard.press('Enter');
    await keyboardPage.getByText('Checked by keyboard only.').first().waitFor();
    const incident = await (await server.api(`/api/v1/incidents/${id}`)).json();
    assert.equal(incident.assignee, 'carol');
    await context.close();
  });
});
