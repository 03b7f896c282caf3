import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bed, testBed } from './fixture.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots for people to look at (git-ignored). */
const SHOTS = fileURLToPath(new URL('../screenshots/', import.meta.url));
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.CI) throw new Error(`chromium is missing at ${CHROMIUM}; run scripts/services/chromium.sh (CI needs the dashboard test)`);
  process.stderr.write(`[gateway dashboard e2e] skipped: no chromium at ${CHROMIUM} (bash scripts/services/chromium.sh installs it)\n`);
}

describe.skipIf(!haveChromium)('dashboard in headless Chromium', () => {
  let bed: Bed;
  let url: string;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    bed = await testBed();
    await bed.startGreeter();
    // The node probes (Debug.health, Debug.stats) obey allow/deny like calls: allowed here explicitly.
    ({ url } = await bed.gateway({ publish: true, allow: ['*', '*/Debug.*'] }));
    profile = await mkdtemp(join(tmpdir(), 'tsmicro-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1280, height: 900 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    mkdirSync(SHOTS, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await bed?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('shows the greeter live, calls Greeter.hello through the form, streams, and sees a second node appear', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    const service = page.locator(`[data-service="${bed.name}"]`);
    await service.waitFor({ timeout: 15_000 });
    await expect(page.locator('#live').textContent()).resolves.toBe('live');
    await service.click();
    await page.locator('tr[data-node]').first().waitFor();
    expect(await page.locator('tr[data-node]').count()).toBe(1);

    await page.locator('[data-endpoint="Greeter.hello"]').click();
    // Prefilled from the registered request schema.
    expect(JSON.parse(await page.locator('#editor').inputValue())).toHaveProperty('name');
    await page.locator('#editor').fill('{ "name": "Browser" }');
    await page.locator('#send').click();
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/^200/);
    expect(await page.locator('.output').textContent()).toContain('Hello Browser');
    expect(await page.locator('.rtt').textContent()).toMatch(/round trip [\d.]+ ms/);

    await page.locator('[data-endpoint="Greeter.hello"]').click();
    await page.locator('#editor').fill('{ "name": "" }');
    await page.locator('#send').click();
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/^400/);

    await page.locator('[data-endpoint="Greeter.countdown"]').click();
    await page.locator('#editor').fill('{ "from": 5 }');
    await page.locator('#send').click();
    await expect.poll(() => page.locator('.count').textContent()).toBe('5 messages');

    await bed.startGreeter();
    await expect.poll(() => page.locator('tr[data-node]').count(), { timeout: 15_000 }).toBe(2);
    // Stats refresh every 2 s: wait until each node shows its counts, then keep a picture.
    await expect.poll(() => page.locator('tr[data-node] .pill.ok').count(), { timeout: 10_000 }).toBe(2);
    await page.locator('[data-endpoint="Greeter.hello"]').click();
    await page.locator('#editor').fill('{ "name": "Ada" }');
    await page.locator('#send').click();
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/^200/);
    await page.waitForTimeout(4500);
    await page.screenshot({ path: join(SHOTS, 'dashboard-service.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 90_000);

  it('shows the node probes as not exposed, without asking, on a gateway that does not allow Debug.*', async () => {
    const { url: plain } = await bed.gateway();
    const probes: string[] = [];
    const onRequest = (r: { url(): string }) => {
      if (r.url().includes('/nodes/')) probes.push(r.url());
    };
    page.on('request', onRequest);
    try {
      await page.goto(`${plain}/#/service/${encodeURIComponent(bed.name)}`);
      await page.locator('tr[data-node]').first().waitFor({ timeout: 15_000 });
      await expect.poll(() => page.locator('tr[data-node] .pill.off').first().textContent()).toBe('not exposed');
      // Two refresh periods: still nothing asked.
      await page.waitForTimeout(4500);
      expect(await page.locator('[data-endpoint^="Debug."]').count()).toBe(0);
      expect(probes).toEqual([]);
      await page.screenshot({ path: join(SHOTS, 'dashboard-not-exposed.png'), fullPage: true });
    } finally {
      page.off('request', onRequest);
    }
  }, 60_000);

  it('publishes to a topic and tails it live on the events page', async () => {
    const topic = `${bed.name}.events`;
    await page.goto(`${url}/#/events`);
    await page.locator('.tail-topic').fill(topic);
    await page.locator('.tail-toggle').click();
    await expect.poll(() => page.locator('.tail-state').textContent(), { timeout: 10_000 }).toBe(`tailing ${topic}`);
    await page.waitForTimeout(300); // the http broker's subscriber registers
    await page.locator('.pub-topic').fill(topic);
    await page.locator('.pub-body').fill('{ "order": 42 }');
    await page.locator('.pub-send').click();
    await expect.poll(() => page.locator('.tail-log li').first().textContent(), { timeout: 10_000 }).toContain('{"order":42}');
    await page.screenshot({ path: join(SHOTS, 'dashboard-events.png'), fullPage: true });
  }, 60_000);
});
