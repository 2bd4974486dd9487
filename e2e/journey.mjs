// Browser journey through the public reporting pages of a running tipline.
//
//     BASE_URL=http://127.0.0.1:8080 ARTIFACTS_DIR=e2e/artifacts node e2e/journey.mjs
//
// Drives a headless Chromium (playwright-core, Debian's /usr/bin/chromium) through real
// reports with JavaScript off, checks every page with axe-core (WCAG 2.1 A/AA) with JavaScript
// on, checks every page at 320 CSS px (no horizontal scroll, quick exit visible, screenshot
// saved), and checks that no cookie is set and no request leaves the tipline origin.
//
// Prints one line per step, `ok - name` or `not ok - name` followed by the reason, then a
// summary. The exit code is 1 when any step failed. No test framework, only node:assert.
//
// Nothing may leave the machine: every request to another origin is answered by the script
// itself (the quick-exit target gets a tiny neutral page, anything else is aborted and counted
// as a failure), and Chromium is told that no host name resolves except the tipline's own.
// Playwright cannot intercept the hop after a redirect, so `/exit` itself is intercepted: the
// script asks the real server for it (without following the redirect), checks the 303 to the
// configured exit address, and shows the browser a tiny neutral page in its place.

import assert from 'node:assert/strict';
import {
  LANGS,
  RECEIPT,
  assertNone,
  axeViolations,
  closeContextIn,
  configure,
  createSteps,
  expectStatus,
  fulfilNeutral,
  htmlLang,
  injectAxe,
  launch,
  navigate,
  onSetCookie,
  quickExitPlacement,
  readExitUrl,
  recordRequests,
  blockForeign,
  screenshotIn,
  t,
} from './lib.mjs';

const { BASE_URL, ARTIFACTS_DIR, ORIGIN, BASE_HOST } = configure('journey', process.env.BASE_URL || '');

/** An 8×8 baseline JPEG (a red square on green), drawn by Chromium's canvas, metadata removed. */
const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1R' +
    'V19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2Nj' +
    'Y2NjY2NjY2NjY2NjY2P/wAARCAAIAAgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAP/xAAYEAEAAwEAAAAAAAAA' +
    'AAAAAAAAEyNigf/EABUBAQEAAAAAAAAAAAAAAAAAAAIF/8QAGxEAAQQDAAAAAAAAAAAAAAAAAQADESESYbH/2gAMAwEAAhED' +
    'EQA/AJ2TY4AACkuOZxQECK6dr//Z',
  'base64',
);
const photo = (name = 'photo.jpg') => ({ name, mimeType: 'image/jpeg', buffer: JPEG });

// ---------------------------------------------------------------------------------------------
// Steps and bookkeeping.

const contexts = []; // every context opened, for the cookie check
const requests = []; // every request any page made: { url, context }
const foreignRequests = []; // requests to another origin that were not the quick-exit target
const setCookies = []; // responses that carried Set-Cookie
const exitResponses = []; // what the real server answered on /exit
const notes = [];
let exitUrl = null; // the quick-exit target, read from the page (data-exit-url)
const stats = { axePages: 0, axeViolations: 0, narrowPages: 0, screenshots: 0, receipts: 0 };

// A failed step still has its cookies checked and its context closed.
const steps = createSteps({ contexts });
const step = steps.step;
const closeContext = (context) => closeContextIn(contexts, context);
const screenshot = screenshotIn(ARTIFACTS_DIR, stats);

/** A browser context that records requests and Set-Cookie, and keeps everything on this machine. */
async function newContext(browser, label, options = {}) {
  const context = await browser.newContext({ locale: 'en-US', ...options });
  contexts.push({ label, context });
  recordRequests(context, label, requests);
  onSetCookie(context, (response, value) => value && setCookies.push(`${label}: ${response.url()} set ${value}`));
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url === `${BASE_URL}/exit` || url.startsWith(`${BASE_URL}/exit?`)) {
      // Ask the real server, without following its redirect, then show a neutral page instead
      // of leaving for the internet.
      const response = await route.fetch({ maxRedirects: 0 });
      const headers = response.headers();
      exitResponses.push({ status: response.status(), location: headers.location, clearSiteData: headers['clear-site-data'] });
      return fulfilNeutral(route);
    }
    if (url.startsWith(`${BASE_URL}/`) || url === BASE_URL) return route.continue();
    if (exitUrl && url === exitUrl) return fulfilNeutral(route);
    return blockForeign(route, label, url, foreignRequests);
  });
  return context;
}

async function goto(page, url, status = 200) {
  const response = await page.goto(`${BASE_URL}${url}`, { waitUntil: 'load' });
  assert.equal(response.status(), status, `GET ${url}: expected HTTP ${status}, got ${response.status()}`);
  return response;
}

async function receiptOf(page) {
  const receipt = (await page.locator('#receipt').innerText()).trim();
  assert.match(receipt, RECEIPT, `the receipt "${receipt}" is not six groups of four Crockford base32 characters`);
  assert.ok(await page.locator('#receipt').isVisible(), 'the receipt is not visible');
  stats.receipts += 1;
  return receipt;
}

/** Reads the quick-exit target from the page, the first time it is seen. */
async function learnExitUrl(page) {
  if (exitUrl) return;
  exitUrl = await readExitUrl(page);
}

function lastExitResponse() {
  const last = exitResponses.at(-1);
  assert.ok(last, 'the browser never requested /exit');
  assert.equal(last.status, 303, `/exit answered ${last.status}, expected 303`);
  assert.equal(last.location, exitUrl, `/exit redirects to ${last.location}, the page says ${exitUrl}`);
  assert.match(last.clearSiteData || '', /"cookies"/, '/exit sends no Clear-Site-Data');
  return last;
}

/** Asserts the error for `field` is shown next to it and the field is marked invalid. */
async function assertFieldError(page, field, lang, key) {
  const error = page.locator(`#${field}-error`);
  assert.ok(await error.isVisible(), `no visible error next to #${field}`);
  assert.equal((await error.innerText()).trim(), t(lang, key), `wrong error text next to #${field}`);
  assert.ok(await error.evaluate((e) => e.classList.contains('error')), `#${field}-error is not a p.error`);
  const control = page.locator(`#${field}`);
  const describedBy = (await control.getAttribute('aria-describedby')) || '';
  assert.ok(describedBy.split(' ').includes(`${field}-error`), `#${field} is not described by its error`);
  const summaryLink = page.locator(`#error-summary a[href="#${field}"]`);
  assert.equal(await summaryLink.count(), 1, `the error summary does not link to #${field}`);
  assert.equal((await summaryLink.innerText()).trim(), t(lang, key), `the error summary's text for #${field} is wrong`);
}

// ---------------------------------------------------------------------------------------------
// The pages of the site, visited in one language, for the axe and 320 px passes.

/**
 * Visits every page in `lang` and calls `visit(name, page)` on each: landing, choose,
 * choose-error, form, form-errors, confirmation, short-form, short-form-errors, not-found.
 */
async function tour(page, lang, visit) {
  await goto(page, `/?lang=${lang}`);
  await visit('landing', page);

  expectStatus(await navigate(page, () => page.locator('main a.button').click()), 200, 'start a report');
  await visit('choose', page);

  await goto(page, `/report?lang=${lang}&category=`, 422);
  await visit('choose-error', page);

  await page.locator('#category-labour_exploitation').check();
  expectStatus(await navigate(page, () => page.locator('#continue').click()), 200, 'choose a category');
  await visit('form', page);

  expectStatus(await navigate(page, () => page.locator('#submit').click()), 422, 'send an empty form');
  await visit('form-errors', page);

  await page.locator('#narrative').fill('Workers at a building site sleep in a container and are never paid.');
  expectStatus(await navigate(page, () => page.locator('#submit').click()), 200, 'send the corrected form');
  await receiptOf(page);
  await visit('confirmation', page);

  await goto(page, `/report?lang=${lang}&category=abuse_material_online`);
  await visit('short-form', page);

  expectStatus(await navigate(page, () => page.locator('#submit').click()), 422, 'send an empty short form');
  await visit('short-form-errors', page);

  await goto(page, lang === 'en' ? '/nope' : `/nope?lang=${lang}`, 404);
  await visit('not-found', page);
}

// ---------------------------------------------------------------------------------------------

const started = Date.now();
const browser = await launch(BASE_HOST);
console.log(`# tipline browser journey against ${BASE_URL}, artifacts in ${ARTIFACTS_DIR}`);

await step('a. JavaScript off, English: report labour exploitation with a photo', async () => {
  const context = await newContext(browser, 'a', { javaScriptEnabled: false });
  const page = await context.newPage();

  await goto(page, '/');
  await learnExitUrl(page);
  assert.equal(await htmlLang(page), 'en', 'the landing page is not in English for an en-US browser');
  const start = page.locator('main a.button');
  assert.equal(await start.innerText(), t('en', 'landing-start'));
  assert.equal(await start.getAttribute('href'), '/report?lang=en');
  expectStatus(await navigate(page, () => start.click()), 200, 'start a report');
  assert.equal(new URL(page.url()).pathname, '/report');

  // Continue without choosing: reported as a note, not a failure (the fix is in the server).
  await navigate(page, () => page.locator('#continue').click());
  if ((await page.locator('#category-error').count()) === 0) {
    notes.push('"Continue" without a category reloads the choice page with no error message (GET /report?lang=en has no category parameter, so report_form shows no choose-error)');
  }

  await page.locator('input[name="category"][value="labour_exploitation"]').check();
  expectStatus(await navigate(page, () => page.locator('#continue').click()), 200, 'choose labour exploitation');
  assert.equal(new URL(page.url()).searchParams.get('category'), 'labour_exploitation');
  assert.equal(await page.locator('#attachments-again').count(), 0, 'a fresh form asks to choose files again');

  await page.locator('#narrative').fill('Seasonal workers at a farm near Esch have their passports kept by the foreman.');
  await page.locator('#country').selectOption('LU');
  await page.locator('#city').fill('Esch-sur-Alzette');
  await page.locator('#incident_date').fill('2025-09-14');
  await page.locator('input[name="warning_signs"][value="documents_taken"]').check();
  await page.locator('#phones').fill('+352 621 000 000');
  await page.locator('#attachments').setInputFiles(photo());
  const response = await navigate(page, () => page.locator('#submit').click());
  expectStatus(response, 200, 'send the report');
  assert.equal(await page.locator('#error-summary').count(), 0, 'the report came back with errors');
  await receiptOf(page);
  assert.equal(await htmlLang(page), 'en');

  // Without JavaScript the quick exit is a plain link to /exit, which redirects away.
  await goto(page, '/?lang=en');
  const historyBefore = await page.evaluate(() => history.length);
  await navigate(page, () => page.locator('#quick-exit').click());
  assert.equal(page.url(), `${BASE_URL}/exit`);
  lastExitResponse();
  assert.equal(await page.evaluate(() => history.length), historyBefore + 1, 'without JavaScript the link should add a history entry');
  await closeContext(context);
});

await step('b. JavaScript off, French: abuse material URL, error in French, then sent', async () => {
  const context = await newContext(browser, 'b', { javaScriptEnabled: false });
  const page = await context.newPage();
  await goto(page, '/');
  const french = page.locator('nav.languages a[hreflang="fr"]');
  assert.equal(await french.innerText(), t('fr', 'language-name'));
  expectStatus(await navigate(page, () => french.click()), 200, 'switch to French');
  assert.equal(await htmlLang(page), 'fr', '<html lang> is not fr after choosing Français');
  assert.equal(await page.locator('nav.languages a[aria-current]').getAttribute('hreflang'), 'fr');
  assert.equal(await page.locator('h1').innerText(), t('fr', 'landing-title'));

  await navigate(page, () => page.locator('main a.button').click());
  assert.equal(await htmlLang(page), 'fr');
  await page.locator('input[name="category"][value="abuse_material_online"]').check();
  expectStatus(await navigate(page, () => page.locator('#continue').click()), 200, 'choose abuse material');
  assert.equal(await page.locator('#abuse_url').count(), 1, 'the short form has no #abuse_url');
  assert.equal(await page.locator('#country').count(), 0, 'the short form shows the full form');

  const response = await navigate(page, () => page.locator('#submit').click());
  expectStatus(response, 422, 'send without a URL');
  assert.equal(await htmlLang(page), 'fr', 'the page with errors is not in French');
  const summary = page.locator('#error-summary');
  assert.ok(await summary.isVisible(), 'no visible #error-summary');
  assert.equal((await summary.locator('h2').innerText()).trim(), t('fr', 'form-errors-heading'));
  assert.notEqual(t('fr', 'error-required'), t('en', 'error-required'));
  await assertFieldError(page, 'abuse_url', 'fr', 'error-required');
  assert.equal(await page.locator('#abuse_url').getAttribute('aria-invalid'), 'true');
  assert.ok((await page.title()).startsWith(t('fr', 'form-errors-title-prefix')), `the title "${await page.title()}" does not say there are errors`);

  await page.locator('#abuse_url').fill('https://images.example.net/gallery/4411');
  await page.locator('#abuse_where').fill('Un forum de partage de fichiers');
  expectStatus(await navigate(page, () => page.locator('#submit').click()), 200, 'send with the URL');
  await receiptOf(page);
  assert.equal(await htmlLang(page), 'fr');
  assert.equal(await page.locator('h1').innerText(), t('fr', 'confirm-title'));
  await closeContext(context);
});

await step('c. JavaScript off, German: a form with errors keeps every answer, then is sent', async () => {
  const context = await newContext(browser, 'c', { javaScriptEnabled: false });
  const page = await context.newPage();
  await goto(page, '/?lang=de');
  await navigate(page, () => page.locator('main a.button').click());
  await page.locator('input[name="category"][value="domestic_servitude"]').check();
  await navigate(page, () => page.locator('#continue').click());
  assert.equal(await htmlLang(page), 'de');

  const typed = {
    '#narrative': '',
    '#city': 'Köln',
    '#venue': 'Einfamilienhaus, Lindenstraße 12',
    '#incident_date': '2025-11-02',
    '#people_count': '2',
    '#victims_description': 'Zwei junge Frauen, sprechen Tagalog, verlassen das Haus nie allein.',
    '#exploiters_description': 'Ein älteres Ehepaar, fährt einen grauen Kombi.',
    '#phones': '+49 221 000000\n+49 170 0000000',
    '#emails': 'agentur@example.org',
    '#websites': 'https://jobs.example.com/nanny',
    '#social_handles': '@nanny_jobs_eu',
    '#vehicle_plates': 'K-AB 1234',
    '#contact_name': 'Lena',
    '#contact_email': 'lena-at-example',
    '#contact_phone': '',
  };
  for (const [selector, value] of Object.entries(typed)) await page.locator(selector).fill(value);
  await page.locator('#country').selectOption('DE');
  await page.locator('#still_happening').check();
  const checked = [
    'input[name="age_groups"][value="18_24"]',
    'input[name="child_involved"][value="no"]',
    'input[name="warning_signs"][value="cannot_leave"]',
    'input[name="warning_signs"][value="excessive_hours"]',
    '#anonymous-no',
  ];
  for (const selector of checked) await page.locator(selector).check();
  await page.locator('#attachments').setInputFiles(photo('kueche.jpg'));

  const response = await navigate(page, () => page.locator('#submit').click());
  expectStatus(response, 422, 'send with an empty narrative and a bad e-mail');
  assert.equal(await htmlLang(page), 'de');
  assert.ok(await page.locator('#error-summary').isVisible(), 'no visible #error-summary');
  assert.equal(await page.locator('#error-summary li').count(), 2, 'expected exactly two errors');
  await assertFieldError(page, 'narrative', 'de', 'error-required');
  await assertFieldError(page, 'contact_email', 'de', 'error-email');

  const lost = [];
  for (const [selector, value] of Object.entries(typed)) {
    const now = await page.locator(selector).inputValue();
    if (now !== value) lost.push(`${selector}: typed ${JSON.stringify(value)}, shown ${JSON.stringify(now)}`);
  }
  if ((await page.locator('#country').inputValue()) !== 'DE') lost.push('#country is no longer DE');
  for (const selector of ['#still_happening', ...checked]) {
    if (!(await page.locator(selector).isChecked())) lost.push(`${selector} is no longer ticked`);
  }
  const unexpected = await page.locator('input[name="warning_signs"]:checked, input[name="age_groups"]:checked').count();
  if (unexpected !== 3) lost.push(`${unexpected} boxes ticked, 3 were`);
  assertNone(lost, 'answers lost on the page with errors');

  const again = page.locator('#attachments-again');
  assert.ok(await again.isVisible(), 'no #attachments-again notice asking to choose the files again');
  assert.ok((await again.innerText()).includes('kueche.jpg'), 'the notice does not name the dropped file');

  await page.locator('#narrative').fill('Zwei Haushaltshilfen arbeiten jeden Tag bis spät in die Nacht und dürfen nicht hinaus.');
  await page.locator('#contact_email').fill('lena@example.org');
  await page.locator('#attachments').setInputFiles(photo('kueche.jpg'));
  expectStatus(await navigate(page, () => page.locator('#submit').click()), 200, 'send the corrected form');
  await receiptOf(page);
  assert.equal(await htmlLang(page), 'de');
  await closeContext(context);
});

await step('d. JavaScript on: axe-core WCAG 2.1 A/AA on every page in every language', async () => {
  // bypassCSP only so that axe can be injected; the quick-exit check below runs under the CSP.
  const context = await newContext(browser, 'd-axe', { bypassCSP: true });
  const page = await context.newPage();
  const found = [];
  for (const lang of LANGS) {
    await tour(page, lang, async (name) => {
      await injectAxe(page);
      stats.axePages += 1;
      for (const v of await axeViolations(page, `${name} (${lang})`)) {
        stats.axeViolations += 1;
        found.push(`${name} (${lang}): ${v}`);
      }
    });
  }
  await closeContext(context);
  assertNone(found, `${found.length} axe violations on ${stats.axePages} pages`);
  console.log(`# axe: ${stats.axePages} pages, 0 violations`);
});

await step('d. JavaScript on, CSP enforced: quick exit replaces the history entry', async () => {
  const context = await newContext(browser, 'd-exit');
  const page = await context.newPage();
  const cspErrors = [];
  page.on('console', (m) => /Content Security Policy|Refused to/.test(m.text()) && cspErrors.push(m.text()));
  page.on('pageerror', (e) => cspErrors.push(String(e)));

  // Two pages deep: leave from the form; going back must not show the form.
  await goto(page, '/?lang=nl');
  await learnExitUrl(page);
  await navigate(page, () => page.locator('main a.button').click());
  await page.locator('#category-other').check();
  await navigate(page, () => page.locator('#continue').click());
  const left = page.url();
  await page.locator('#narrative').fill('Dit mag niet in de geschiedenis blijven staan.');
  const historyBefore = await page.evaluate(() => history.length);
  await navigate(page, () => page.locator('#quick-exit').click());
  assert.equal(page.url(), `${BASE_URL}/exit`, 'the quick exit did not lead to /exit');
  lastExitResponse();
  assert.ok(await page.locator('#neutral').isVisible(), 'the neutral page is not shown');
  assert.equal(await page.evaluate(() => history.length), historyBefore, 'the quick exit added a history entry instead of replacing it (exit.js did not run?)');
  await page.goBack({ waitUntil: 'load' });
  assert.notEqual(page.url(), left, `Back returned to the page that was left (${left})`);

  // From the first page of a tab: Back must not return to the tipline at all.
  const fresh = await context.newPage();
  fresh.on('console', (m) => /Content Security Policy|Refused to/.test(m.text()) && cspErrors.push(m.text()));
  await goto(fresh, '/report?lang=en&category=labour_exploitation');
  await navigate(fresh, () => fresh.locator('#quick-exit').click());
  lastExitResponse();
  await fresh.goBack({ waitUntil: 'load' }).catch(() => null);
  assert.ok(!fresh.url().startsWith(`${BASE_URL}/`) || fresh.url() === `${BASE_URL}/exit`, `Back returned to the tipline (${fresh.url()})`);
  assertNone(cspErrors, 'the page reported CSP violations or script errors');
  await closeContext(context);
});

await step('e. 320 CSS px: no horizontal scroll, quick exit visible, screenshots', async () => {
  const context = await newContext(browser, 'e', { javaScriptEnabled: false, viewport: { width: 320, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  for (const lang of LANGS) {
    await tour(page, lang, async (name) => {
      stats.narrowPages += 1;
      const { scrollWidth, wide } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        wide: [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
          .slice(0, 5)
          .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className ? `.${String(e.className).split(' ').join('.')}` : ''} (right ${Math.round(e.getBoundingClientRect().right)})`),
      }));
      if (scrollWidth > 320) problems.push(`${name} (${lang}): scrollWidth ${scrollWidth} > 320; too wide: ${wide.join(', ')}`);
      const exit = await quickExitPlacement(page, { width: 320, height: 800 });
      if (!exit.visible) {
        problems.push(`${name} (${lang}): the quick exit is not visible`);
      } else if (!exit.inside) {
        problems.push(`${name} (${lang}): the quick exit is outside the viewport (${JSON.stringify(exit.box)})`);
      }
      await screenshot(page, `${name}-${lang}-320.png`);
    });
  }
  await closeContext(context);
  assertNone(problems, 'problems at 320 px');
  console.log(`# 320 px: ${stats.narrowPages} pages, ${stats.screenshots} screenshots`);
});

await step('e. wider screens: the floating quick exit covers no header link', async () => {
  const problems = [];
  for (const width of [640, 768, 1024, 1280]) {
    const context = await newContext(browser, `e-${width}`, { javaScriptEnabled: false, viewport: { width, height: 800 } });
    const page = await context.newPage();
    for (const lang of LANGS) {
      await goto(page, `/?lang=${lang}`);
      const covered = await page.evaluate(() => {
        const exit = document.getElementById('quick-exit').getBoundingClientRect();
        return [...document.querySelectorAll('.site-header a:not(#quick-exit)')]
          .filter((a) => {
            const b = a.getBoundingClientRect();
            return b.right > exit.left && b.left < exit.right && b.bottom > exit.top && b.top < exit.bottom;
          })
          .map((a) => a.textContent.trim());
      });
      if (covered.length) problems.push(`${width} px (${lang}): the quick exit covers ${covered.join(', ')}`);
      if (!(await page.locator('#quick-exit').isVisible())) problems.push(`${width} px (${lang}): the quick exit is not visible`);
    }
    await closeContext(context);
  }
  assertNone(problems, 'the quick exit overlaps the header');
});

await step('f. no cookies, no Set-Cookie, no request outside the tipline origin', async () => {
  const withCookies = contexts.filter((c) => (c.cookies || []).length > 0).map((c) => `${c.label}: ${JSON.stringify(c.cookies)}`);
  assertNone(withCookies, 'cookies were set');
  assertNone(setCookies, 'responses set cookies');
  const outside = requests.filter((r) => !(r.url.startsWith(`${BASE_URL}/`) || r.url === BASE_URL) && r.url !== exitUrl);
  assertNone([...foreignRequests, ...outside.map((r) => `${r.context}: ${r.url}`)], 'requests left the tipline origin');
  assert.ok(requests.length > 50, `only ${requests.length} requests were recorded`);
  assert.ok(contexts.every((c) => c.cookies), 'a context was not checked for cookies');
  console.log(`# ${requests.length} requests in ${contexts.length} contexts, all to ${ORIGIN}`);
});

await browser.close();
const seconds = ((Date.now() - started) / 1000).toFixed(1);
for (const note of notes) console.log(`# note: ${note}`);
console.log(
  `# ${stats.receipts} reports sent, ${stats.axePages} pages checked with axe (${stats.axeViolations} violations), ` +
    `${stats.narrowPages} pages at 320 px, ${seconds} s`,
);
console.log(steps.failures ? `# FAILED: ${steps.failures} step(s)` : '# all steps passed');
process.exit(steps.failures ? 1 : 0);
