// The demo page in Debian's chromium, driven by playwright-core.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeWithChromium, launchChromium } from '../helpers/chromium';
import { startServerProcess, type ServerProcess } from '../helpers/example-process';

// The demo page of `npm start` (examples/express.mjs on the built package), driven in headless
// Chromium: Debian's chromium package, which .ci/run installs. Two browser contexts are two devices.
const root = join(__dirname, '../..');
export const ARTIFACTS = join(root, 'test-artifacts');
const SHORT_TTL = 3;
const MAX_AUTH_AGE = 2;

describeWithChromium('the demo page in headless Chromium', () => {
  let demo: ServerProcess;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    demo = await startServerProcess('examples/express.mjs', { DEMO_SHORT_TTL: String(SHORT_TTL), DEMO_MAX_AUTH_AGE: String(MAX_AUTH_AGE) });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  async function device({ load = true } = {}): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 900, height: 1000 } });
    const page = await context.newPage();
    if (load) await page.goto(demo.url);
    return { context, page };
  }

  /**
   * Every response the page's network stack receives, from the DevTools protocol: playwright's
   * own `response` events leave out the browser's fetch of the page's icon.
   */
  async function responsesOf(context: BrowserContext, page: Page): Promise<Array<{ status: number; path: string }>> {
    const seen: Array<{ status: number; path: string }> = [];
    const cdp = await context.newCDPSession(page);
    cdp.on('Network.responseReceived', ({ response }) => seen.push({ status: response.status, path: new URL(response.url).pathname }));
    await cdp.send('Network.enable');
    return seen;
  }

  async function signIn(page: Page, name: string, { short = false } = {}): Promise<void> {
    await page.fill('#name', name);
    if (short) await page.check('#short');
    await page.click('#sign-in');
    await page.locator('#user').filter({ hasText: name }).waitFor();
  }

  const sessionRows = (page: Page) => page.locator('#sessions tbody tr');
  const textOf = async (page: Page, selector: string) => (await page.locator(selector).first().textContent()) ?? '';
  const visible = (page: Page, selector: string) => page.locator(selector).waitFor({ state: 'visible' });

  /** Retries an assertion until it holds (the page updates after its requests) or time is up. */
  async function eventually(assertion: () => Promise<void>, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await assertion();
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }
  const rowsAre = (page: Page, count: number) => eventually(async () => expect(await sessionRows(page).count()).toBe(count));
  const noticeSays = (page: Page, text: string, timeoutMs?: number) =>
    eventually(async () => expect(await textOf(page, '#notice')).toContain(text), timeoutMs);

  test('sign in, count, two devices, end one, log out everywhere, a one-time link, and expiry', async () => {
    const laptop = await device();
    const phone = await device();
    const { page } = laptop;

    // Sign in: the token lives in sessionStorage and travels in the header; there is no cookie.
    await signIn(page, 'ana');
    const stored = await page.evaluate('sessionStorage.getItem("token-session-demo")');
    expect(stored).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const headers: Array<string | undefined> = [];
    page.on('request', (req) => headers.push(req.headers()['x-session-token']));

    // The counter: written by one request, read back by the next page load.
    await page.click('#increment');
    await page.click('#increment');
    await eventually(async () => expect(await textOf(page, '#count')).toBe('2'));
    await page.reload();
    await page.locator('#count').filter({ hasText: '2' }).waitFor();
    expect(headers.filter((h) => h === stored).length).toBeGreaterThanOrEqual(3);
    expect(await laptop.context.cookies()).toEqual([]);

    // A second device: both sessions are listed by browser, with their times; this one is marked.
    await signIn(phone.page, 'ana');
    await page.click('#refresh');
    await rowsAre(page, 2);
    expect(await textOf(page, '#sessions tr.current td')).toMatch(/^Chrome \d+ on Linux \(this device\)$/);
    expect(await textOf(page, '#sessions tr:not(.current) td')).toMatch(/^Chrome \d+ on Linux$/);
    for (const column of [1, 2, 3]) expect(await sessionRows(page).nth(0).locator('td').nth(column).textContent()).toMatch(/\d{1,2}:\d{2}:\d{2}/);

    // The laptop ends the phone's session; the phone learns it at its next request, and says why.
    await page.click('#sessions button.end');
    await rowsAre(page, 1);
    await phone.page.click('#increment');
    await noticeSays(phone.page, 'ended from another device');
    await visible(phone.page, '#signed-out');

    // A one-time link: works once, and says so the second time.
    await page.click('#email-link');
    await visible(page, '#inbox'); // shown once the link has come back
    const link = await page.locator('#link').getAttribute('href');
    expect(link).toContain('/verify?code=');
    const mail = await laptop.context.newPage();
    await mail.goto(link!);
    expect(await textOf(mail, '#verified')).toBe('Email verified for ana');
    const again = await mail.goto(link!);
    expect(again?.status()).toBe(410);
    expect(await textOf(mail, '#used')).toBe('This link is no longer valid');
    await mail.close();

    // Log out other devices: the phone is signed out, the laptop stays.
    await signIn(phone.page, 'ana');
    await page.click('#refresh');
    await rowsAre(page, 2);
    await page.click('#logout-others');
    await noticeSays(page, 'Logged out your other devices: 1 session ended.');
    await rowsAre(page, 1);
    await phone.page.click('#increment');
    await noticeSays(phone.page, 'ended from another device');

    // Change password: fine on a recent sign-in; after MAX_AUTH_AGE it asks to sign in again, then works.
    await page.click('#change-password');
    await eventually(async () => expect(await textOf(page, '#password-status')).toContain('Password changed'));
    await page.waitForTimeout(MAX_AUTH_AGE * 1000 + 300);
    const before = await page.evaluate('sessionStorage.getItem("token-session-demo")');
    await page.click('#change-password');
    await visible(page, '#confirm');
    expect(await textOf(page, '#password-status')).toContain(`within the last ${MAX_AUTH_AGE} s`);
    await page.fill('#confirm-name', 'ana');
    await page.click('#confirm-sign-in');
    await eventually(async () => expect(await textOf(page, '#password-status')).toContain('Password changed'));
    expect(await page.evaluate('sessionStorage.getItem("token-session-demo")')).not.toBe(before); // a fresh sign-in is a new token
    expect(await textOf(page, '#user')).toBe('ana');

    // The audit log: what happened to ana's sessions, newest first.
    await eventually(async () => {
      const events = await page.locator('#audit li').allTextContents();
      expect(events[0]).toMatch(/regenerate …/);
      expect(events.filter((event) => / destroy …/.test(event)).length).toBeGreaterThanOrEqual(2);
      expect(events.filter((event) => / create …/.test(event)).length).toBeGreaterThanOrEqual(3);
    });

    mkdirSync(ARTIFACTS, { recursive: true });
    await signIn(phone.page, 'ana');
    await page.click('#refresh');
    await rowsAre(page, 2);
    await page.screenshot({ path: join(ARTIFACTS, 'demo.png'), fullPage: true });

    // Log out everywhere: both devices are signed out.
    await page.click('#logout-everywhere');
    await noticeSays(page, 'Logged out everywhere: 2 sessions ended.');
    await phone.page.click('#refresh');
    await noticeSays(phone.page, 'ended from another device');

    // A short session with no request ends by itself, and the page says it expired.
    await signIn(page, 'bo', { short: true });
    await eventually(async () => expect(await textOf(page, '#expiry')).toContain('Expires in'));
    await noticeSays(page, 'Your session expired', (SHORT_TTL + 5) * 1000);
    await visible(page, '#signed-out');

    await laptop.context.close();
    await phone.context.close();
  }, 60_000);

  test("a request that fails shows the server's own message, not only its status", async () => {
    const { context, page } = await device();
    // Spaces pass the form's `required`; the server trims them to no name and answers 400.
    await page.fill('#name', '   ');
    await page.click('#sign-in');
    await noticeSays(page, 'Give a name');
    expect(await textOf(page, '#notice')).toBe('Give a name of 1 to 40 characters to sign in.');
    await visible(page, '#signed-out');

    // A 403 from another route: confirming a fresh sign-in with someone else's name.
    await signIn(page, 'cy');
    await page.waitForTimeout(MAX_AUTH_AGE * 1000 + 300);
    await page.click('#change-password');
    await visible(page, '#confirm');
    await page.fill('#confirm-name', 'someone else');
    await page.click('#confirm-sign-in');
    await noticeSays(page, 'That is not the name you signed in with.');
    await context.close();
  });

  test('the emailed link, followed, then "Back to the demo": still signed in, with the same counter', async () => {
    const { context, page } = await device();
    await signIn(page, 'dee');
    const token = await page.evaluate('sessionStorage.getItem("token-session-demo")');
    for (let i = 0; i < 3; i++) await page.click('#increment');
    await eventually(async () => expect(await textOf(page, '#count')).toBe('3'));

    await page.click('#email-link');
    await visible(page, '#inbox');
    // Clicked as a user clicks it, and followed to wherever it opens: this tab, or a new one.
    const [opened] = await Promise.all([
      Promise.race([page.waitForURL(/\/verify\?code=/).then(() => page), context.waitForEvent('page')]),
      page.click('#link'),
    ]);
    await opened.locator('#verified').waitFor({ timeout: 5_000 });
    expect(await textOf(opened, '#verified')).toBe('Email verified for dee');
    await opened.getByRole('link', { name: 'Back to the demo' }).click();

    await opened.locator('#user').filter({ hasText: 'dee' }).waitFor({ timeout: 5_000 });
    expect(await textOf(opened, '#count')).toBe('3');
    expect(await opened.evaluate('sessionStorage.getItem("token-session-demo")')).toBe(token);
    await context.close();
  });

  test("the counter says it is this device's, and each device signed in counts on its own", async () => {
    const laptop = await device();
    const phone = await device();
    await signIn(laptop.page, 'eve');
    await laptop.page.click('#increment');
    await eventually(async () => expect(await textOf(laptop.page, '#count')).toBe('1'));
    await signIn(phone.page, 'eve');
    expect(await textOf(phone.page, '#count')).toBe('0');

    for (const { page } of [laptop, phone]) {
      const note = page.locator('p:has(#count) + #count-note'); // the paragraph right after the counter's
      await note.waitFor({ state: 'visible', timeout: 5_000 });
      expect(await note.textContent()).toBe("This counter belongs to this device's session: each device signed in has its own.");
    }
    await laptop.context.close();
    await phone.context.close();
  });

  test('the page and the link page declare an icon, and no request of either gets a 404', async () => {
    const { context, page } = await device({ load: false });
    const responses = await responsesOf(context, page);
    const notFound = () => responses.filter(({ status }) => status === 404);
    // Once a page has loaded, Chromium fetches its icon: the declared one, else /favicon.ico.
    const iconFetched = (count: number) =>
      eventually(async () => expect(responses.filter(({ path }) => path === '/favicon.svg' || path === '/favicon.ico').length).toBeGreaterThanOrEqual(count));
    const declaredIcon = (of: Page) => of.evaluate(`[...document.querySelectorAll('link[rel="icon"]')].map((link) => link.getAttribute('href'))`);

    await page.goto(demo.url);
    await iconFetched(1);
    expect(notFound()).toEqual([]);
    expect(await declaredIcon(page)).toEqual(['/favicon.svg']);
    const icon = await context.request.get(new URL('/favicon.svg', demo.url).href);
    expect(icon.headers()['content-type']).toMatch(/^image\/svg\+xml/);

    await signIn(page, 'flo');
    await page.click('#email-link');
    await visible(page, '#inbox');
    await page.click('#link');
    await page.locator('#verified').waitFor({ timeout: 5_000 });
    await iconFetched(2);
    expect(notFound()).toEqual([]);
    expect(await declaredIcon(page)).toEqual(['/favicon.svg']);
    await page.getByRole('link', { name: 'Back to the demo' }).click();
    await page.locator('#user').filter({ hasText: 'flo' }).waitFor({ timeout: 5_000 });
    expect(notFound()).toEqual([]);
    await context.close();
  });
});

