// Browser journey through the follow-up loop of a running tipline: a reporter files a report,
// an analyst asks a question, the reporter comes back with the receipt and answers with a photo,
// the analyst sees the answer; then the reporter's quick exit, accessibility and 320 px checks.
//
//     BASE_URL=http://127.0.0.1:8080 ARTIFACTS_DIR=e2e/artifacts PASSWORD='…' SETUP_ANA=… \
//     node e2e/followup.mjs
//
// `tests/it/browser.rs` (follow_up_loop_in_chromium_without_javascript) starts the server,
// creates the analyst ana with a one-time set-up link (SETUP_ANA), runs this script and then
// checks the database: one report, a hotline message, a reporter message and exactly one
// attachment (the photo added in the follow-up; the report itself is filed without files).
//
// Drives a headless Chromium (playwright-core, Debian's /usr/bin/chromium). The reporter and the
// analyst work with JavaScript off; the quick exit is tried with JavaScript off and on (CSP as
// served); axe-core (WCAG 2.1 A/AA) runs with JavaScript on and the CSP bypassed only so that
// it can be injected. TOTP codes are computed here (RFC 6238, SHA-1, 6 digits, 30 s).
//
// Prints one line per step, `ok - name` or `not ok - name` followed by the reason, then a
// summary. The exit code is 1 when any step failed. No test framework, only node:assert.
//
// Nothing may leave the machine: every request to another origin is aborted and counted as a
// failure, and Chromium is told that no host name resolves except the tipline's own. Playwright
// cannot intercept the hop after a redirect, so the quick-exit routes (`/exit`,
// `/followup/exit`) are intercepted: the script asks the real server with `route.fetch`
// (without following the redirect; it runs on the context's cookie jar, so the browser's cookie
// goes along and the server's Set-Cookie applies to the browser's cookies), records the answer,
// and shows the browser a tiny neutral page in its place, with the server's Set-Cookie passed
// on as well.

import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import {
  LANGS,
  NARROW,
  NEUTRAL_PAGE,
  RECEIPT,
  WIDE,
  assertNone,
  assertOnOrigin,
  axeViolations,
  base32Decode,
  blockForeign,
  checkTotpHelpers,
  closeContextIn,
  configure,
  createSteps,
  env as requireEnv,
  expectPath,
  freshCode,
  gotoOn,
  htmlLang,
  injectAxe,
  isOnOrigin,
  launch,
  navigate,
  onSetCookie,
  pathOf,
  quickExitPlacement,
  readExitUrl,
  recordRequests,
  screenshotIn,
  submit,
  t,
} from './lib.mjs';

const env = (name) => requireEnv('followup', name);

const { BASE_URL, ARTIFACTS_DIR, ORIGIN, BASE_HOST } = configure('followup', env('BASE_URL'));
const PASSWORD = env('PASSWORD');
const SETUP_ANA = env('SETUP_ANA');
if (new URL(SETUP_ANA).origin !== ORIGIN) {
  console.error(`followup: SETUP_ANA is not on ${ORIGIN}`);
  process.exit(2);
}

const EXIT_PATHS = new Set(['/exit', '/followup/exit']);
const REPORTER_COOKIE = { name: 'tipline_followup', path: '/followup' };
const STAFF_COOKIE = { name: 'tipline_staff', path: '/staff' };

const NARRATIVE = 'Des ouvriers d’un chantier à Lille dorment dans un conteneur et ne sont jamais payés.';
const QUESTION = 'Bonjour, merci pour votre signalement. Pouvez-vous nous dire à quelle adresse se trouve le chantier ?';
const ANSWER = 'Rue des Postes, près de la gare. Voici une photo du conteneur où ils dorment.';

/** A message with a `{ $date }` as a regular expression matching any YYYY-MM-DD date. */
const withDate = (lang, key) => {
  const [before, after] = t(lang, key, { date: '\u0000' }).split('\u0000');
  const quote = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${quote(before)}\\d{4}-\\d{2}-\\d{2}${quote(after)}$`);
};

// ---------------------------------------------------------------------------------------------
// TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30 s steps), computed here from the key the page shows.

checkTotpHelpers();

// ---------------------------------------------------------------------------------------------
// A small valid PNG, made here (no binary file in the repository): 24×16 pixels, RGB, with a
// tEXt chunk carrying a marker that the server must strip when it re-encodes the image.

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_MARKER = 'MARKER-FOLLOWUP-PNG-TEXT';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
function makePng(width = 24, height = 16) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour, deflate, no filter, no interlace
  const rows = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3); // filter type 0
    for (let x = 0; x < width; x += 1) {
      const inside = x >= 6 && x < 18 && y >= 4 && y < 12;
      row.set(inside ? [0xb0, 0x20, 0x20] : [0x20, 0x80, 0x40], 1 + x * 3);
    }
    rows.push(row);
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    pngChunk('tEXt', Buffer.from(`Comment\0${PNG_MARKER}`, 'latin1')),
    pngChunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
const PNG = makePng();
assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926, 'the CRC-32 helper is broken');

// ---------------------------------------------------------------------------------------------
// Steps and bookkeeping.

const contexts = []; // every context opened: { label, side, context, cookies }
const requests = []; // every request any page made: { url, context }
const foreignRequests = []; // requests to another origin (aborted)
const setCookies = []; // { label, side, url, line } for every Set-Cookie a page received
const exitResponses = []; // what the real server answered on the quick-exit routes
const notes = new Set(); // server observations worth reporting that are not failures here
const stats = { axePages: 0, axeViolations: 0, narrowPages: 0, screenshots: 0, signIns: 0 };
let exitUrl = null; // the quick-exit target, read from the page (data-exit-url)

/** What the steps pass on to each other. */
const shared = { receipt: null, reportId: null, staffState: null, staffLang: 'en' };

// A failed step still has its cookies checked and its contexts closed.
const steps = createSteps({ contexts, stacks: true });
const step = steps.step;
const closeContext = (context) => closeContextIn(contexts, context);
const onOrigin = (url) => isOnOrigin(BASE_URL, url);
const goto = (page, url, status) => gotoOn(BASE_URL, page, url, status);
const screenshot = screenshotIn(ARTIFACTS_DIR, stats);

/**
 * A browser context (a fresh profile: no cookies, no storage unless `storageState` is given)
 * that records requests and Set-Cookie and keeps everything on this machine. `side` is
 * 'reporter' or 'staff', for the cookie rules.
 */
async function newContext(browser, label, side, options = {}) {
  const context = await browser.newContext({ locale: 'en-US', viewport: WIDE, ...options });
  contexts.push({ label, side, context });
  recordRequests(context, label, requests);
  onSetCookie(context, (response, value) => {
    for (const line of (value || '').split('\n').filter(Boolean)) {
      setCookies.push({ label, side, url: response.url(), line });
    }
  });
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (onOrigin(url) && EXIT_PATHS.has(new URL(url).pathname)) {
      // Ask the real server (the browser's cookies go along), without following its redirect;
      // then show a neutral page instead of leaving for the internet.
      const response = await route.fetch({ maxRedirects: 0 });
      const headers = response.headers();
      exitResponses.push({
        label,
        path: new URL(url).pathname,
        status: response.status(),
        location: headers.location,
        clearSiteData: headers['clear-site-data'],
        setCookie: headers['set-cookie'] || '',
      });
      const passOn = headers['set-cookie'] ? { 'set-cookie': headers['set-cookie'] } : {};
      return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', headers: passOn, body: NEUTRAL_PAGE });
    }
    if (onOrigin(url)) return route.continue();
    return blockForeign(route, label, url, foreignRequests);
  });
  return context;
}

const textOf = async (locator) => (await locator.innerText()).replace(/[\u2068\u2069]/g, '').trim();

/** Reads the quick-exit target from the page, the first time it is seen. */
async function learnExitUrl(page) {
  if (exitUrl) return;
  exitUrl = await readExitUrl(page);
}

/** A receipt that cannot match any report: another lookup part, the same shape. */
function unknownReceipt() {
  assert.ok(shared.receipt, 'no receipt (did step 1 fail?)');
  const lookup = shared.receipt.startsWith('ZZZZ-ZZZZ') ? 'YYYY-YYYY' : 'ZZZZ-ZZZZ';
  return `${lookup}${shared.receipt.slice(9)}`;
}

/** The receipt as a hurried person types it: lower case, spaces for dashes. */
const sloppyReceipt = () => shared.receipt.toLowerCase().replaceAll('-', ' ');

/** On /followup: types `typed`, signs in; expects the report page (or `status` and `at`). */
async function signIn(page, lang, typed, { status = 200, at = '/followup/report' } = {}) {
  await page.locator('#receipt').fill(typed);
  stats.signIns += 1;
  const response = await submit(page, '#followup-sign-in', { status, at, what: `${lang}: sign in with "${typed}"` });
  assert.equal(await htmlLang(page), lang, `after signing in the page is not in ${lang}`);
  return response;
}

/** Opens /followup in `lang` and signs in with the real receipt. */
async function openReport(page, lang) {
  await goto(page, `/followup?lang=${lang}`);
  await signIn(page, lang, sloppyReceipt());
}

/** Asserts the wrong-receipt error is shown in `lang` and the sign-in page is still usable. */
async function assertWrongReceipt(page, lang) {
  expectPath(page, '/followup', `${lang}: wrong receipt`);
  assert.equal(await htmlLang(page), lang, `the wrong-receipt page is not in ${lang}`);
  const error = page.locator('#receipt-error');
  assert.ok(await error.isVisible(), 'no visible #receipt-error after a wrong receipt');
  assert.ok((await page.title()).startsWith(`${t(lang, 'form-errors-title-prefix')} `), `the title "${await page.title()}" does not say there is an error`);
  assert.equal(await textOf(error), t(lang, 'followup-wrong-receipt'), `#receipt-error is not the ${lang} message`);
  const receipt = page.locator('#receipt');
  assert.ok((await receipt.isVisible()) && (await receipt.isEditable()), '#receipt is not usable after the error');
  const describedBy = ((await receipt.getAttribute('aria-describedby')) || '').split(' ');
  assert.ok(describedBy.includes('receipt-error'), '#receipt is not described by #receipt-error');
  assert.ok(await page.locator('#followup-sign-in').isEnabled(), '#followup-sign-in is not usable after the error');
  assert.equal(await page.locator('#quick-exit').getAttribute('href'), '/followup/exit', 'no follow-up quick exit on the error page');
  assert.equal(await page.locator('#receipt').inputValue(), '', 'the wrong receipt is kept in the field');
}

/** The staff queue row of the report. */
const queueRow = (page) => page.locator(`#queue tbody tr:has(a[href="/staff/reports/${shared.reportId}"])`);

/** A JavaScript-off staff context with ana's session. */
function staffContext(browser, label) {
  assert.ok(shared.staffState && shared.reportId, 'no staff session or report (did step 2 fail?)');
  return newContext(browser, label, 'staff', { javaScriptEnabled: false, storageState: shared.staffState });
}

// ---------------------------------------------------------------------------------------------
// axe-core and 320 px on one page (a JavaScript-on context, CSP bypassed only so axe can be
// injected).

const pageChecks = []; // { name, violations: [], narrow: [] }

async function checkPage(page, name, lang) {
  const check = { name: `${name} (${lang})`, violations: [], narrow: [] };
  pageChecks.push(check);
  const runAxe = async (where) => {
    await injectAxe(page);
    for (const v of await axeViolations(page, check.name)) {
      stats.axeViolations += 1;
      check.violations.push(`${check.name} at ${where}: ${v}`);
    }
  };
  stats.axePages += 1;
  await runAxe(`${WIDE.width} px`);

  await page.setViewportSize(NARROW);
  stats.narrowPages += 1;
  const layout = await page.evaluate(() => {
    const root = document.documentElement;
    const width = root.clientWidth;
    const describe = (e) =>
      `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${typeof e.className === 'string' && e.className ? `.${e.className.trim().split(/\s+/).join('.')}` : ''}`;
    return {
      width,
      scrollWidth: Math.max(root.scrollWidth, document.body.scrollWidth),
      // Content clipped away instead of wrapped would hide it: the page must not hide overflow.
      hidden: [root, document.body, document.querySelector('main')]
        .filter((e) => e && ['hidden', 'clip'].includes(getComputedStyle(e).overflowX))
        .map(describe),
      wide: [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > width + 0.5 || e.getBoundingClientRect().left < -0.5)
        .filter((e) => !e.closest('.skip-link'))
        .slice(0, 6)
        .map((e) => `${describe(e)} (left ${Math.round(e.getBoundingClientRect().left)}, right ${Math.round(e.getBoundingClientRect().right)})`),
    };
  });
  if (layout.scrollWidth > layout.width) {
    check.narrow.push(`${check.name}: the page scrolls sideways at 320 px (scrollWidth ${layout.scrollWidth}); too wide: ${layout.wide.join(', ')}`);
  } else if (layout.wide.length) {
    check.narrow.push(`${check.name}: elements stick out at 320 px: ${layout.wide.join(', ')}`);
  }
  if (layout.hidden.length) check.narrow.push(`${check.name}: overflow-x hidden on ${layout.hidden.join(', ')} (content clipped, not reflowed)`);
  await page.evaluate(() => window.scrollTo(0, 0));
  const exit = await quickExitPlacement(page, NARROW);
  if (!exit.visible) {
    check.narrow.push(`${check.name}: the quick exit is not visible at 320 px`);
  } else if (!exit.inside) {
    check.narrow.push(`${check.name}: the quick exit is outside the first screen at 320 px (${JSON.stringify(exit.box)})`);
  }
  await screenshot(page, `followup-${name}-${lang}-320.png`);
  await runAxe(`${NARROW.width} px`);
  await page.setViewportSize(WIDE);
}

// ---------------------------------------------------------------------------------------------

const started = Date.now();
const browser = await launch(BASE_HOST);
console.log(`# tipline follow-up journey against ${BASE_URL}, artifacts in ${ARTIFACTS_DIR}`);

await step('1. JavaScript off, French: file a labour-exploitation report without files, read the receipt', async () => {
  const context = await newContext(browser, '1-reporter', 'reporter', { javaScriptEnabled: false });
  const page = await context.newPage();
  await goto(page, '/report?lang=fr');
  await learnExitUrl(page);
  assert.equal(await htmlLang(page), 'fr', '/report?lang=fr is not in French');
  await page.locator('#category-labour_exploitation').check();
  await submit(page, '#continue', { at: '/report', what: 'choose labour exploitation' });
  assert.equal(new URL(page.url()).searchParams.get('category'), 'labour_exploitation');
  await page.locator('#narrative').fill(NARRATIVE);
  assert.equal(await page.locator('#attachments').inputValue(), '', 'the form starts with files chosen');
  await submit(page, '#submit', { what: 'send the report' });
  assert.equal(await htmlLang(page), 'fr', 'the confirmation is not in French');
  assert.equal(await textOf(page.locator('h1')), t('fr', 'confirm-title'));
  const receipt = await textOf(page.locator('#receipt'));
  assert.match(receipt, RECEIPT, `the receipt "${receipt}" is not six groups of four Crockford base32 characters`);
  shared.receipt = receipt;
  await closeContext(context);
});

await step('2. JavaScript off, analyst: set up the account, enrol TOTP, claim the report, ask the reporter a question', async () => {
  const context = await newContext(browser, '2-staff', 'staff', { javaScriptEnabled: false });
  const page = await context.newPage();
  await goto(page, SETUP_ANA);
  assert.equal(await textOf(page.locator('h1')), t('en', 'staff-setup-title'));
  await page.locator('#password').fill(PASSWORD);
  await page.locator('#confirm').fill(PASSWORD);
  await submit(page, '#save-password', { at: '/staff/enrol', what: 'choose the password' });
  const shown = await textOf(page.locator('#totp-secret'));
  assert.match(shown, /^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/, `#totp-secret "${shown}" is not base32 in groups of four`);
  const key = base32Decode(shown);
  assert.ok(key.length >= 16, `the TOTP key has only ${key.length} bytes`);
  await page.locator('#code').fill(await freshCode(key));
  await submit(page, '#confirm-code', { at: '/staff', what: 'confirm the TOTP code' });

  const links = page.locator('#queue tbody a[href^="/staff/reports/"]');
  assert.equal(await links.count(), 1, `the queue shows ${await links.count()} reports, expected the one just filed`);
  shared.reportId = (await links.first().getAttribute('href')).split('/').pop();
  assert.equal(await queueRow(page).locator('.new-activity').count(), 0, 'a new report is flagged with new reporter activity');
  await navigate(page, () => links.first().click());
  expectPath(page, `/staff/reports/${shared.reportId}`, 'open the report');
  assert.equal(await textOf(page.locator('#narrative')), NARRATIVE, 'the case page does not show the narrative');
  assert.equal(await page.locator('#claim').count(), 1, 'no #claim button on an unassigned case');
  await submit(page, '#claim', { at: `/staff/reports/${shared.reportId}`, what: 'claim the report' });
  assert.equal(await textOf(page.locator('#case-assignee')), 'ana', 'the case is not assigned to ana after claiming');
  assert.equal(await page.locator('#claim').count(), 0, 'the case can still be claimed');

  const body = page.locator('#message-body');
  assert.equal(await body.getAttribute('lang'), 'fr', 'the message to the reporter is not marked as French');
  await body.fill(QUESTION);
  await submit(page, '#send-message', { at: `/staff/reports/${shared.reportId}`, what: 'send the question' });
  const sent = page.locator('#conversation article.message.from-hotline');
  assert.equal(await sent.count(), 1, 'the question is not in the conversation');
  assert.equal(await textOf(sent.locator('.user-text')), QUESTION);
  assert.equal(await page.locator('article.note', { hasText: QUESTION }).count(), 0, 'the question was stored as an internal note');
  await goto(page, '/staff');
  assert.equal(await queueRow(page).locator('.new-activity').count(), 0, "the hotline's own message flags new activity");
  shared.staffState = await context.storageState();
  await closeContext(context);
});

await step('3. JavaScript off, French, a fresh browser days later: header link, wrong then forgiving receipt, status and question, answer with a photo, sign out', async () => {
  const context = await newContext(browser, '3-reporter', 'reporter', { javaScriptEnabled: false });
  const page = await context.newPage();
  assert.ok(shared.receipt, 'no receipt (did step 1 fail?)');
  await goto(page, '/?lang=fr');
  const link = page.locator('.site-header .followup-link a');
  assert.equal(await textOf(link), t('fr', 'followup-link'));
  await navigate(page, () => link.click());
  expectPath(page, '/followup', 'the header link');
  assert.equal(await htmlLang(page), 'fr', '/followup is not in French');
  assert.equal(await textOf(page.locator('h1')), t('fr', 'followup-title'));
  assert.equal(await page.locator('#quick-exit').getAttribute('href'), '/followup/exit');

  // One mistyped character in the secret part: refused, in French, and the page still works.
  const typo = shared.receipt.slice(0, -1) + (shared.receipt.endsWith('0') ? '1' : '0');
  await signIn(page, 'fr', typo, { status: 401, at: '/followup' });
  await assertWrongReceipt(page, 'fr');

  // The right code, typed in lower case with spaces: accepted.
  await signIn(page, 'fr', sloppyReceipt());
  assert.equal(new URL(page.url()).searchParams.get('lang'), 'fr');
  assert.equal(await textOf(page.locator('h1')), t('fr', 'followup-report-title'));
  const status = await textOf(page.locator('#report-status'));
  // Claimed and asked about: from the reporter's side it is being looked at.
  assert.equal(status, t('fr', 'followup-status-looking'), `the status "${status}" is not "being looked at" in French`);
  const cookie = (await context.cookies()).find((c) => c.name === REPORTER_COOKIE.name);
  assert.ok(cookie, 'no tipline_followup cookie after signing in');
  assert.equal(cookie.path, REPORTER_COOKIE.path, 'the reporter cookie is not limited to /followup');
  assert.equal(cookie.httpOnly, true, 'the reporter cookie is not HttpOnly');
  assert.equal(cookie.sameSite, 'Strict', 'the reporter cookie is not SameSite=Strict');
  assert.equal(cookie.expires, -1, 'the reporter cookie outlives the browser session');

  const question = page.locator('#conversation article.message.from-hotline');
  assert.equal(await question.count(), 1, "the hotline's question is not shown");
  assert.equal(await textOf(question.locator('.user-text')), QUESTION);
  assert.match(await textOf(question.locator('.note-meta')), withDate('fr', 'followup-from-hotline'));
  assert.equal(await page.locator('#no-messages').count(), 0);

  await page.locator('#message').fill(ANSWER);
  await page.locator('#attachments').setInputFiles({ name: 'conteneur.png', mimeType: 'image/png', buffer: PNG });
  await submit(page, '#send-message', { at: '/followup/report', what: 'send the answer with the photo' });
  assert.equal(new URL(page.url()).hash, '#conversation', 'the answer does not lead back to the conversation');
  assert.equal(await htmlLang(page), 'fr', 'the page after answering is not in French');
  assert.equal(await page.locator('#message-error').count(), 0, 'the answer was refused');
  const mine = page.locator('#conversation article.message:not(.from-hotline)');
  assert.equal(await mine.count(), 1, 'the answer is not in the conversation');
  assert.equal(await textOf(mine.locator('.user-text')), ANSWER);
  assert.match(await textOf(mine.locator('.note-meta')), withDate('fr', 'followup-from-you'));
  assert.equal(await page.locator('#message').inputValue(), '', 'the answer is still in the text box');

  // Signing out ends the session and forgets the cookie.
  await submit(page, '#followup-sign-out', { at: '/followup', what: 'sign out' });
  assert.equal(await htmlLang(page), 'fr', 'the page after signing out is not in French');
  assert.equal((await context.cookies()).filter((c) => c.name === REPORTER_COOKIE.name).length, 0, 'the cookie is still there after signing out');
  await goto(page, '/followup/report?lang=fr');
  expectPath(page, '/followup', '/followup/report after signing out');
  await closeContext(context);
});

await step("4. JavaScript off, analyst: the queue flags the answer; the case shows it and one clean photo; the flag is then gone", async () => {
  const context = await staffContext(browser, '4-staff');
  const page = await context.newPage();
  await goto(page, '/staff');
  const flag = queueRow(page).locator('.new-activity');
  assert.equal(await flag.count(), 1, 'the queue does not flag the report with new activity');
  assert.equal(await textOf(flag), t(shared.staffLang, 'staff-flag-new-activity'));

  await navigate(page, () => queueRow(page).locator(`a[href="/staff/reports/${shared.reportId}"]`).click());
  expectPath(page, `/staff/reports/${shared.reportId}`, 'open the report');
  const answer = page.locator('#conversation article.message:not(.from-hotline)');
  assert.equal(await answer.count(), 1, "the reporter's answer is not on the case page");
  assert.equal(await textOf(answer.locator('.user-text')), ANSWER);
  assert.equal(await page.locator('#conversation article.message.from-hotline').count(), 1);
  const files = page.locator(`a[href^="/staff/reports/${shared.reportId}/attachments/"]`);
  assert.equal(await files.count(), 1, `the case lists ${await files.count()} attachments, expected the one photo`);
  assert.equal(await page.locator('section[aria-labelledby="files-heading"]').locator(files).count(), 1, 'the attachment link is not in the files section');
  const download = await context.request.get(`${BASE_URL}${await files.getAttribute('href')}`);
  assert.equal(download.status(), 200, `the attachment download answers ${download.status()}`);
  const bytes = await download.body();
  assert.ok(bytes.subarray(0, 8).equals(PNG_SIGNATURE), 'the attachment is not a PNG');
  assert.ok(!bytes.includes(Buffer.from(PNG_MARKER)), 'the PNG text chunk was not removed');

  await goto(page, '/staff');
  assert.equal(await queueRow(page).count(), 1, 'the report left the queue');
  assert.equal(await queueRow(page).locator('.new-activity').count(), 0, 'the new-activity flag is still shown after opening the case');
  await closeContext(context);
});

/** Right after a quick exit: the neutral page, the server's answer, no cookie left. */
async function checkExit(context, label, page) {
  assert.equal(page.url(), `${BASE_URL}/followup/exit`, `${label}: the quick exit did not lead to /followup/exit`);
  assert.ok(await page.locator('#neutral').isVisible(), `${label}: the neutral page is not shown`);
  const last = exitResponses.at(-1);
  assert.ok(last && last.label === label && last.path === '/followup/exit', `${label}: the browser never requested /followup/exit`);
  assert.equal(last.status, 303, `${label}: /followup/exit answered ${last.status}, expected 303`);
  assert.equal(last.location, exitUrl, `${label}: /followup/exit redirects to ${last.location}, the page says ${exitUrl}`);
  assert.match(last.clearSiteData || '', /"cookies"/, `${label}: /followup/exit sends no Clear-Site-Data`);
  assert.match(last.setCookie, /^tipline_followup=;.*Path=\/followup.*Max-Age=0/m, `${label}: /followup/exit does not clear the cookie: ${last.setCookie}`);
  const left = (await context.cookies()).filter((c) => c.name === REPORTER_COOKIE.name);
  assert.equal(left.length, 0, `${label}: the tipline_followup cookie is still in the browser: ${JSON.stringify(left)}`);
}

/** After a quick exit: /followup/report leads to /followup, also with the old cookie put back. */
async function checkSessionEnded(label, page, oldCookie) {
  await goto(page, '/followup/report?lang=fr');
  expectPath(page, '/followup', `${label}: /followup/report after the quick exit`);
  assert.ok(await page.locator('#receipt').isVisible(), `${label}: no sign-in form after the quick exit`);
  // The session is over on the server, not only forgotten by this browser.
  const stale = await newContext(browser, `${label}-stale`, 'reporter', { javaScriptEnabled: false });
  await stale.addCookies([oldCookie]);
  const stalePage = await stale.newPage();
  await goto(stalePage, '/followup/report?lang=fr');
  expectPath(stalePage, '/followup', `${label}: the cookie from before the quick exit`);
  await closeContext(stale);
}

await step('5. quick exit from /followup/report, JavaScript off and on: session ended, cookie gone', async () => {
  // JavaScript off: the plain link.
  {
    const label = '5-js-off';
    const context = await newContext(browser, label, 'reporter', { javaScriptEnabled: false });
    const page = await context.newPage();
    await openReport(page, 'fr');
    const cookie = (await context.cookies()).find((c) => c.name === REPORTER_COOKIE.name);
    assert.ok(cookie, 'no tipline_followup cookie after signing in');
    // Control for the stale-cookie check below: the copied cookie opens the report before the exit.
    const twin = await newContext(browser, `${label}-twin`, 'reporter', { javaScriptEnabled: false });
    await twin.addCookies([cookie]);
    const twinPage = await twin.newPage();
    await goto(twinPage, '/followup/report?lang=fr');
    expectPath(twinPage, '/followup/report', 'the copied cookie before the quick exit');
    await closeContext(twin);
    const exit = page.locator('#quick-exit');
    assert.equal(await exit.getAttribute('href'), '/followup/exit');
    assert.equal(await textOf(exit), t('fr', 'quick-exit'));
    await navigate(page, () => exit.click());
    await checkExit(context, label, page);
    await checkSessionEnded(label, page, cookie);
    await closeContext(context);
  }
  // JavaScript on, CSP as served: exit.js replaces the history entry.
  {
    const label = '5-js-on';
    const context = await newContext(browser, label, 'reporter');
    const page = await context.newPage();
    const cspErrors = [];
    page.on('console', (m) => /Content Security Policy|Refused to/.test(m.text()) && cspErrors.push(m.text()));
    page.on('pageerror', (e) => cspErrors.push(String(e)));
    await openReport(page, 'en');
    const cookie = (await context.cookies()).find((c) => c.name === REPORTER_COOKIE.name);
    assert.ok(cookie, 'no tipline_followup cookie after signing in');
    const historyBefore = await page.evaluate(() => history.length);
    await navigate(page, () => page.locator('#quick-exit').click());
    await checkExit(context, label, page);
    assert.equal(
      await page.evaluate(() => history.length),
      historyBefore,
      'the quick exit added a history entry instead of replacing it (exit.js did not run?)',
    );
    await page.goBack({ waitUntil: 'load' }).catch(() => null);
    assert.notEqual(pathOf(page), '/followup/report', 'Back returned to the report page');
    assertNone(cspErrors, 'the page reported CSP violations or script errors');
    await checkSessionEnded(label, page, cookie);
    await closeContext(context);
  }
});

await step('6. axe-core WCAG 2.1 A/AA and 320 px on /followup (plain, wrong receipt) and /followup/report (messages, error) in four languages', async () => {
  for (const lang of LANGS) {
    const context = await newContext(browser, `6-${lang}`, 'reporter', { bypassCSP: true });
    const page = await context.newPage();
    await goto(page, `/followup?lang=${lang}`);
    await checkPage(page, 'signin', lang);
    await signIn(page, lang, unknownReceipt(), { status: 401, at: '/followup' });
    await assertWrongReceipt(page, lang);
    await checkPage(page, 'signin-error', lang);
    await signIn(page, lang, sloppyReceipt());
    assert.equal(await page.locator('#conversation article.message').count(), 2, 'the report page does not show both messages');
    await checkPage(page, 'report', lang);
    await submit(page, '#send-message', { status: 422, at: '/followup/report/messages', what: `${lang}: send an empty answer` });
    const error = page.locator('#message-error');
    assert.ok(await error.isVisible(), 'no visible #message-error after an empty answer');
    assert.equal(await textOf(error), t(lang, 'error-required'));
    const describedBy = ((await page.locator('#message').getAttribute('aria-describedby')) || '').split(' ');
    assert.ok(describedBy.includes('message-error'), '#message is not described by #message-error');
    assert.ok((await page.title()).startsWith(`${t(lang, 'form-errors-title-prefix')} `), `the title "${await page.title()}" does not say there is an error`);
    await checkPage(page, 'report-error', lang);
    await closeContext(context);
  }
  const narrow = pageChecks.flatMap((c) => c.narrow);
  assertNone(
    [...pageChecks.flatMap((c) => c.violations), ...narrow],
    `${stats.axeViolations} axe violations and ${narrow.length} problems at 320 px`,
  );
  console.log(`# axe: ${stats.axePages} pages twice (1280 and 320 px), 0 violations; ${stats.screenshots} screenshots`);
});

await step('7. cookies and origin: only tipline_followup (/followup) for the reporter, tipline_staff (/staff) for staff, nothing leaves the origin', async () => {
  const expected = { reporter: REPORTER_COOKIE, staff: STAFF_COOKIE };
  const wrong = [];
  for (const c of contexts) {
    const rule = expected[c.side];
    for (const cookie of c.cookies || []) {
      if (cookie.name !== rule.name || cookie.path !== rule.path) {
        wrong.push(`${c.label}: cookie ${cookie.name} (path ${cookie.path})`);
      }
    }
  }
  for (const s of setCookies) {
    const rule = expected[s.side];
    const name = s.line.split('=')[0].trim();
    const cookiePath = (/;\s*path=([^;]*)/i.exec(s.line) || [])[1];
    if (name !== rule.name || cookiePath !== rule.path) wrong.push(`${s.label}: ${s.url} set ${s.line}`);
  }
  assertNone(wrong, 'unexpected cookies');
  assert.ok(setCookies.some((s) => s.side === 'reporter'), 'no reporter cookie was ever set (is the check blind?)');
  assert.ok(setCookies.some((s) => s.side === 'staff'), 'no staff cookie was ever set (is the check blind?)');
  assertOnOrigin(BASE_URL, requests, foreignRequests);
  assert.ok(contexts.every((c) => c.cookies), 'a context was not checked for cookies');
  console.log(`# ${requests.length} requests in ${contexts.length} contexts, all to ${ORIGIN}`);
});

await browser.close();
const seconds = ((Date.now() - started) / 1000).toFixed(1);
for (const note of notes) console.log(`# note: ${note}`);
console.log(
  `# ${stats.signIns} receipt sign-ins, ${stats.axePages} pages checked with axe (${stats.axeViolations} violations), ` +
    `${stats.narrowPages} pages at 320 px, ${seconds} s`,
);
console.log(steps.failures ? `# FAILED: ${steps.failures} step(s)` : '# all steps passed');
process.exit(steps.failures ? 1 : 0);
