// Browser journey through the staff back office (/staff/) of a running tipline.
//
//     BASE_URL=http://127.0.0.1:8080 ARTIFACTS_DIR=e2e/artifacts PASSWORD='…' \
//     SETUP_ANA=… SETUP_SUE=… SETUP_AUD=… SETUP_ADM=… \
//     PLAIN_REPORT_ID=… HOSTILE_REPORT_ID=… node e2e/staff.mjs
//
// `tests/it/browser.rs` (staff_journeys_in_chromium_without_javascript_and_hostile_content_stays_inert)
// starts the server, creates four accounts (ana analyst, sue supervisor, aud auditor, adm admin)
// with one-time set-up links, files a plain and a hostile report, and runs this script.
//
// Drives a headless Chromium (playwright-core, Debian's /usr/bin/chromium) with JavaScript off
// through set-up, TOTP enrolment (codes computed here, RFC 6238 SHA-1 / 6 digits / 30 s), an
// analyst's and a supervisor's work on a case, the audit trail and the user list; opens a report
// full of XSS payloads with JavaScript on (CSP as served, and CSP bypassed) and checks it stays
// inert text; checks every staff page with axe-core (WCAG 2.1 A/AA) and at 320 CSS px (the page
// never scrolls sideways; tables scroll inside their .table-wrap); and checks that no request
// leaves the tipline origin.
//
// Prints one line per step, `ok - name` or `not ok - name` followed by the reason, then a
// summary. The exit code is 1 when any step failed. No test framework, only node:assert.

import assert from 'node:assert/strict';
import path from 'node:path';
import {
  STEP_SECONDS,
  assertNone,
  assertOnOrigin,
  assertOnlyStaffCookie,
  assertPagesClean,
  checkStaffPage,
  checkTotpHelpers,
  closeContextIn,
  configure,
  createLog,
  createSteps,
  env as requireEnv,
  expectPath,
  gotoOn,
  launch,
  newContextIn,
  screenshotIn,
  sleep,
  submit,
  t,
  totp,
  base32Decode,
} from './lib.mjs';

const env = (name) => requireEnv('staff', name);

const { BASE_URL, ARTIFACTS_DIR, ORIGIN, BASE_HOST } = configure('staff', env('BASE_URL'));
const PASSWORD = env('PASSWORD');
const PLAIN = env('PLAIN_REPORT_ID');
const HOSTILE = env('HOSTILE_REPORT_ID');

/** The four accounts the test created, and the page each lands on after signing in. */
const USERS = {
  ana: { role: 'analyst', setup: env('SETUP_ANA'), home: '/staff' },
  sue: { role: 'supervisor', setup: env('SETUP_SUE'), home: '/staff' },
  aud: { role: 'auditor', setup: env('SETUP_AUD'), home: '/staff/audit' },
  adm: { role: 'admin', setup: env('SETUP_ADM'), home: '/staff/users' },
};
for (const [name, user] of Object.entries(USERS)) {
  if (new URL(user.setup).origin !== ORIGIN) {
    console.error(`staff: SETUP_${name.toUpperCase()} is not on ${ORIGIN}`);
    process.exit(2);
  }
}

const MISSING_REPORT = '00000000-0000-7000-8000-000000000000';

// ---------------------------------------------------------------------------------------------
// TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30 s steps), computed here from the key the page shows.

checkTotpHelpers();

/**
 * Waits (polling the clock, never longer than needed) for a 30-s step later than `after` with at
 * least 3 s left, so the code is still current when the server checks it; returns that step.
 */
async function freshStep(after = -1) {
  for (;;) {
    const now = Date.now() / 1000;
    const current = Math.floor(now / STEP_SECONDS);
    const left = STEP_SECONDS - (now % STEP_SECONDS);
    if (current > after && left >= 3) return current;
    const waitFor = current > after ? left : (current + 1) * STEP_SECONDS - now;
    stats.totpWait += Math.min(waitFor, 0.25);
    await sleep(Math.max(20, Math.min(250, waitFor * 1000)));
  }
}

/** A code for `name` the server has not seen yet (replay protection refuses a used step). */
async function freshCode(name) {
  const user = USERS[name];
  const step = await freshStep(user.lastStep ?? -1);
  return { code: totp(user.key, step), step };
}

// ---------------------------------------------------------------------------------------------
// Steps and bookkeeping.

// Everything printed, also saved to ARTIFACTS_DIR/staff-journey.log.
const { log, save: saveLog } = createLog(path.join(ARTIFACTS_DIR, 'staff-journey.log'));
const contexts = []; // every context opened: { label, context, cookies }
const requests = []; // every request any page made: { url, context }
const foreignRequests = []; // requests to another origin (aborted)
const pageChecks = []; // axe and 320 px results: { name, violations: [], narrow: [] }
const notes = new Set(); // server problems worth reporting that are not failures of this journey
const stats = { axePages: 0, axeViolations: 0, narrowPages: 0, screenshots: 0, totpWait: 0 };

const steps = createSteps({ contexts, print: log, stacks: true });
const step = steps.step;
const closeContext = (context) => closeContextIn(contexts, context);
const goto = (page, url, status) => gotoOn(BASE_URL, page, url, status);
const tracking = { baseUrl: BASE_URL, contexts, requests, foreignRequests };
/** A browser context that records requests and keeps everything on this machine. */
const newContext = (browser, label, options) => newContextIn(tracking, browser, label, options);

/** A JavaScript-off context signed in as `name` (their cookie from earlier steps). */
function signedIn(browser, name, label, options = {}) {
  assert.ok(USERS[name].state, `${name} has no session (did step 1 fail?)`);
  return newContext(browser, label, { javaScriptEnabled: false, storageState: USERS[name].state, ...options });
}

// Text and table cells only trimmed (unlike lib.mjs's textOf and tableRows, which also drop
// Fluent's isolation marks and collapse whitespace): this journey compares the text as shown.
const textOf = async (locator) => (await locator.innerText()).trim();

/** Rows of a table as arrays of cell texts. */
async function tableRows(page, selector) {
  return page.locator(`${selector} tbody tr`).evaluateAll((rows) =>
    rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent.trim())),
  );
}

/**
 * A full-page screenshot, cut at 16,000 px: Chromium cannot capture more (the hostile report's
 * 19,000-character narrative makes a very tall page at 320 px).
 */
const screenshot = screenshotIn(ARTIFACTS_DIR, stats, 16000);

// ---------------------------------------------------------------------------------------------
// axe-core and 320 px on one page (JavaScript on, CSP bypassed only so axe can be injected).

/** Checks the page open in `page` (a bypassCSP context): axe wide and narrow, overflow, screenshot. */
const checkPage = (name, page) => checkStaffPage(page, name, { pageChecks, stats, screenshot, prefix: 'staff' });

/** Opens `url` in a fresh JavaScript-on context (signed in as `as`, if given) and checks it. */
async function checkUrl(browser, name, url, { as, status = 200 } = {}) {
  const options = { bypassCSP: true };
  if (as) options.storageState = USERS[as].state;
  const context = await newContext(browser, `check-${name}`, options);
  const page = await context.newPage();
  await goto(page, url, status);
  await checkPage(name, page);
  await closeContext(context);
  return page;
}

// ---------------------------------------------------------------------------------------------

const started = Date.now();
const browser = await launch(BASE_HOST);
log(`# tipline staff journey against ${BASE_URL}, artifacts in ${ARTIFACTS_DIR}`);

await step('1. JavaScript off: four users open their set-up link, choose a password, enrol TOTP and land on their home page', async () => {
  for (const [name, user] of Object.entries(USERS)) {
    const context = await newContext(browser, `1-${name}`, { javaScriptEnabled: false });
    const page = await context.newPage();
    await goto(page, user.setup);
    assert.equal(await textOf(page.locator('h1')), t('en', 'staff-setup-title'), `${name}: not the set-up page`);
    assert.ok((await textOf(page.locator('main'))).includes(t('en', 'staff-setup-intro', { name })), `${name}: the set-up page does not greet ${name}`);
    assert.equal(await page.locator('#password').getAttribute('autocomplete'), 'new-password');

    if (name === 'ana') {
      // axe and 320 px on the set-up page before the link is used (looking does not use it up).
      await checkUrl(browser, 'setup', user.setup);
      // Two different passwords: the same page again, with the error, and the link still works.
      await page.locator('#password').fill(PASSWORD);
      await page.locator('#confirm').fill(`${PASSWORD}x`);
      await submit(page, '#save-password', { status: 422, at: new URL(user.setup).pathname, what: `${name}: mismatched passwords` });
      assert.equal(await textOf(page.locator('#setup-error')), t('en', 'password-mismatch'));
    }

    await page.locator('#password').fill(PASSWORD);
    await page.locator('#confirm').fill(PASSWORD);
    await submit(page, '#save-password', { at: '/staff/enrol', what: `${name}: choose the password` });
    assert.equal(await textOf(page.locator('h1')), t('en', 'staff-enrol-title'));
    const qr = page.locator('.qr svg');
    assert.equal(await qr.count(), 1, `${name}: no QR <svg> on the enrolment page`);
    assert.equal(await qr.getAttribute('role'), 'img', 'the QR code has no role="img"');
    assert.equal(await qr.getAttribute('aria-label'), t('en', 'staff-enrol-qr-label'), 'the QR code has no label');
    const shown = await textOf(page.locator('#totp-secret'));
    assert.match(shown, /^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/, `${name}: #totp-secret "${shown}" is not base32 in groups of four`);
    user.key = base32Decode(shown);
    assert.ok(user.key.length >= 16, `${name}: the TOTP key has only ${user.key.length} bytes`);

    if (name === 'ana') {
      // axe and 320 px on the enrolment page, in another browser with ana's enrolment cookie.
      const look = await newContext(browser, 'check-enrol', { bypassCSP: true, storageState: await context.storageState() });
      const lookPage = await look.newPage();
      await goto(lookPage, '/staff/enrol');
      assert.equal(await textOf(lookPage.locator('#totp-secret')), shown, 'reloading the enrolment page changed the key');
      await checkPage('enrol', lookPage);
      await closeContext(look);
      // The language links on the enrolment page.
      await submit(page, 'nav.languages a[hreflang="fr"]', { at: '/staff/enrol', what: 'choose Français on the enrolment page' });
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr', 'the language links on the enrolment page work');
      assert.equal(await textOf(page.locator('h1')), t('fr', 'staff-enrol-title'));
      assert.equal(await textOf(page.locator('#totp-secret')), shown, 'changing the language changed the key');
      // Back to English: the choice is the account's language from now on.
      await submit(page, 'nav.languages a[hreflang="en"]', { at: '/staff/enrol', what: 'choose English again' });
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
      // A wrong code: the page again with the error; the key stays the same.
      const { code } = await freshCode(name);
      const wrong = String((Number(code) + 1) % 1e6).padStart(6, '0');
      await page.locator('#code').fill(wrong);
      await submit(page, '#confirm-code', { status: 422, at: '/staff/enrol', what: `${name}: a wrong code` });
      assert.ok(await page.locator('#enrol-error').isVisible(), 'no #enrol-error after a wrong code');
      assert.equal(await textOf(page.locator('#enrol-error')), t('en', 'staff-enrol-wrong-code'));
      assert.equal(await textOf(page.locator('#totp-secret')), shown, 'a wrong code changed the key');
    }

    const { code, step: used } = await freshCode(name);
    await page.locator('#code').fill(code);
    await submit(page, '#confirm-code', { at: user.home, what: `${name}: confirm the code` });
    user.lastStep = used;
    assert.ok(
      (await textOf(page.locator('.whoami'))).includes(t('en', 'staff-signed-in-as', { name, role: t('en', `role-${user.role}`) })),
      `${name}: the header does not say who is signed in`,
    );
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'tipline_staff');
    assert.ok(session, `${name}: no tipline_staff cookie after enrolment`);
    assert.equal(session.httpOnly, true, 'the session cookie is not HttpOnly');
    assert.equal(session.sameSite, 'Strict', 'the session cookie is not SameSite=Strict');
    assert.equal(session.path, '/staff', 'the session cookie is not limited to /staff');
    user.state = await context.storageState();

    // The link is spent.
    const again = await page.goto(user.setup, { waitUntil: 'load' });
    assert.ok(again.status() >= 400, `${name}: the set-up link still answers ${again.status()} after use`);
    assert.equal(await page.locator('#password').count(), 0, `${name}: the used set-up link still offers a password form`);
    assert.equal(again.status(), 404, `${name}: a used set-up link is a plain 404 page`);
    assert.equal(await textOf(page.locator('h1')), t('en', 'staff-bad-link-title'));
    await closeContext(context);
  }
});

await step('2. JavaScript off, analyst ana: claim the plain report, add a note, acknowledge it; no supervisor controls; sign out and in again', async () => {
  const context = await signedIn(browser, 'ana', '2-ana');
  const page = await context.newPage();
  await goto(page, '/staff');
  assert.equal(await textOf(page.locator('h1')), t('en', 'staff-queue-title'));
  const link = page.locator(`#queue a[href="/staff/reports/${PLAIN}"]`);
  assert.equal(await link.count(), 1, `the queue has no link to ${PLAIN}`);
  assert.equal(await textOf(link), t('en', 'category-labour-exploitation'));
  await submit(page, `#queue a[href="/staff/reports/${PLAIN}"]`, { at: `/staff/reports/${PLAIN}`, what: 'open the plain report' });
  assert.ok((await textOf(page.locator('#narrative'))).includes('Workers sleep in the bakery.'), 'the narrative is not shown');
  assert.equal(await textOf(page.locator('#case-status')), t('en', 'status-new'));
  assert.equal(await textOf(page.locator('#case-assignee')), t('en', 'staff-nobody'));
  for (const selector of ['#assign', '#assignee', '#restrict']) {
    assert.equal(await page.locator(selector).count(), 0, `the analyst sees the supervisor-only ${selector}`);
  }

  await submit(page, '#claim', { at: `/staff/reports/${PLAIN}`, what: 'claim' });
  assert.equal(await textOf(page.locator('#case-assignee')), 'ana');
  assert.equal(await page.locator('#claim').count(), 0, 'the claim button is still there');

  const note = 'Called the labour inspectorate; they know the bakery. <b>not bold</b>';
  await page.locator('#note-body').fill(note);
  await submit(page, '#add-note', { at: `/staff/reports/${PLAIN}`, what: 'add a note' });
  const notes = page.locator('#notes-heading ~ article.note');
  assert.equal(await notes.count(), 1, 'the note is not listed');
  assert.equal(await textOf(notes.locator('.user-text')), note);
  assert.ok((await textOf(notes.locator('.note-meta'))).startsWith('ana, '), 'the note does not name ana');

  const offered = await page.locator('#new-status option').evaluateAll((options) => options.map((o) => o.value));
  assert.ok(offered.includes('acknowledged'), `acknowledged is not offered (${offered})`);
  assert.ok(!offered.includes('closed'), 'an analyst is offered to close the case');
  await page.locator('#new-status').selectOption('acknowledged');
  await submit(page, '#change-status', { at: `/staff/reports/${PLAIN}`, what: 'move to acknowledged' });
  assert.equal(await textOf(page.locator('#case-status')), t('en', 'status-acknowledged'));
  assert.equal(await textOf(page.locator('#case-assignee')), 'ana');
  assert.equal(await textOf(notes.locator('.user-text')), note);
  for (const selector of ['#assign', '#restrict']) {
    assert.equal(await page.locator(selector).count(), 0, `the analyst sees the supervisor-only ${selector}`);
  }

  // The language of the staff pages follows the account: French, then back to English.
  await page.locator('#staff-language').selectOption('fr');
  await submit(page, 'form[action="/staff/language"] button[type="submit"]', { at: '/staff', what: 'switch to French' });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr');
  assert.equal(await textOf(page.locator('h1')), t('fr', 'staff-queue-title'));
  await page.locator('#staff-language').selectOption('en');
  await submit(page, 'form[action="/staff/language"] button[type="submit"]', { at: '/staff', what: 'switch back to English' });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');

  // Sign out: the old cookie is dead on the server, not only deleted in this browser.
  const before = await context.storageState();
  await submit(page, '#sign-out', { at: '/staff/sign-in', what: 'sign out' });
  assert.equal(await textOf(page.locator('h1')), t('en', 'staff-sign-in-title'));
  assert.equal((await context.cookies()).filter((c) => c.name === 'tipline_staff' && c.value).length, 0, 'the cookie is still in the browser');
  const stale = await newContext(browser, '2-stale', { javaScriptEnabled: false, storageState: before });
  const stalePage = await stale.newPage();
  await goto(stalePage, '/staff');
  expectPath(stalePage, '/staff/sign-in', 'the cookie from before signing out');
  await closeContext(stale);

  // Sign in again, with a code from a later 30-s step than the enrolment's.
  const { code, step: used } = await freshCode('ana');
  await page.locator('#username').fill('ana');
  await page.locator('#password').fill(PASSWORD);
  await page.locator('#code').fill(code);
  await submit(page, '#sign-in', { at: '/staff', what: 'sign in again' });
  USERS.ana.lastStep = used;
  assert.equal(await textOf(page.locator('h1')), t('en', 'staff-queue-title'));
  assert.ok((await textOf(page.locator('.whoami'))).includes('ana'));
  USERS.ana.state = await context.storageState();
  await closeContext(context);
});

await step('3. JavaScript off, supervisor sue: assign the plain report to herself and close it as referred elsewhere', async () => {
  const context = await signedIn(browser, 'sue', '3-sue');
  const page = await context.newPage();
  await goto(page, '/staff');
  await submit(page, `#queue a[href="/staff/reports/${PLAIN}"]`, { at: `/staff/reports/${PLAIN}`, what: 'open the plain report' });
  assert.equal(await textOf(page.locator('#case-status')), t('en', 'status-acknowledged'));
  assert.equal(await textOf(page.locator('#case-assignee')), 'ana');
  assert.equal(await page.locator('#restrict').count(), 1, 'the supervisor has no #restrict');

  await page.locator('#assignee').selectOption({ label: 'sue' });
  await submit(page, '#assign', { at: `/staff/reports/${PLAIN}`, what: 'assign to sue' });
  assert.equal(await textOf(page.locator('#case-assignee')), 'sue');
  assert.equal(await page.locator('#assignee option:checked').innerText(), 'sue', 'the select does not show the new assignee');

  await page.locator('#new-status').selectOption('closed');
  await page.locator('#close-reason').selectOption('referred_elsewhere');
  await submit(page, '#change-status', { at: `/staff/reports/${PLAIN}`, what: 'close as referred elsewhere' });
  assert.equal(
    await textOf(page.locator('#case-status')),
    `${t('en', 'status-closed')} (${t('en', 'close-referred-elsewhere')})`,
  );

  await goto(page, '/staff');
  assert.equal(await page.locator(`a[href="/staff/reports/${PLAIN}"]`).count(), 0, 'the closed report is still in the default queue');
  assert.equal(await page.locator(`#queue a[href="/staff/reports/${HOSTILE}"]`).count(), 1, 'the hostile report is not in the queue');
  await page.locator('#f-status').selectOption('closed');
  await submit(page, '#apply-filters', { at: '/staff', what: 'filter on closed' });
  assert.equal(new URL(page.url()).searchParams.get('status'), 'closed');
  assert.equal(await page.locator(`#queue a[href="/staff/reports/${PLAIN}"]`).count(), 1, 'the closed report is not listed under "closed"');
  assert.equal(await page.locator(`#queue a[href="/staff/reports/${HOSTILE}"]`).count(), 0, 'an open report is listed under "closed"');
  const rows = await tableRows(page, '#queue');
  assert.ok(rows.every((cells) => cells[4] === t('en', 'status-closed')), `rows that are not closed: ${JSON.stringify(rows)}`);
  await closeContext(context);
});

await step('4. auditor aud: the audit trail shows ana\'s and sue\'s work; filters by user and by report', async () => {
  const context = await signedIn(browser, 'aud', '4-aud');
  const page = await context.newPage();
  await goto(page, '/staff');
  expectPath(page, '/staff/audit', 'the auditor\'s home');
  const has = (rows, user, action, report = PLAIN) => rows.some((r) => r[2] === user && r[3] === action && r[4] === report);
  const expected = [
    ['ana', 'report.view'],
    ['ana', 'report.claim'],
    ['ana', 'note.add'],
    ['ana', 'report.status'],
    ['sue', 'report.view'],
    ['sue', 'report.assign'],
    ['sue', 'report.status'],
  ];
  let rows = await tableRows(page, '#audit');
  assertNone(expected.filter(([u, a]) => !has(rows, u, a)).map(([u, a]) => `${u} ${a} ${PLAIN}`), 'missing from the audit trail');
  assert.ok(rows.some((r) => r[2] === 'sue' && r[3] === 'report.status' && r[5].includes('reason=referred_elsewhere')), 'sue\'s closing has no reason in the trail');
  assert.ok(rows.some((r) => r[2] === 'ana' && r[3] === 'session.sign_out'), 'ana\'s sign-out is not in the trail');
  const seqs = rows.map((r) => Number(r[0]));
  assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a), 'the trail is not newest first');
  const content = await textOf(page.locator('#audit'));
  assert.ok(!content.includes('bakery') && !content.includes('labour inspectorate'), 'the audit trail shows report content');

  await page.locator('#f-user').fill('ana');
  await submit(page, '#apply-filters', { at: '/staff/audit', what: 'filter by user ana' });
  rows = await tableRows(page, '#audit');
  assert.ok(rows.length >= 4, `only ${rows.length} entries for ana`);
  assertNone(rows.filter((r) => r[2] !== 'ana').map((r) => r.join(' | ')), 'filtered on ana, other users shown');
  assertNone(expected.filter(([u, a]) => u === 'ana' && !has(rows, u, a)).map(([u, a]) => `${u} ${a}`), 'missing under user=ana');
  assert.equal(await page.locator('#f-user').inputValue(), 'ana', 'the filter field forgot its value');

  await page.locator('#f-user').fill('');
  await page.locator('#f-report').fill(PLAIN);
  await submit(page, '#apply-filters', { at: '/staff/audit', what: 'filter by report' });
  rows = await tableRows(page, '#audit');
  assertNone(rows.filter((r) => r[4] !== PLAIN).map((r) => r.join(' | ')), `filtered on ${PLAIN}, other entries shown`);
  assertNone(expected.filter(([u, a]) => !has(rows, u, a)).map(([u, a]) => `${u} ${a}`), 'missing under the report filter');

  // The report link in a row filters on that report too.
  await goto(page, '/staff/audit');
  await submit(page, `#audit a[href="/staff/audit?report=${PLAIN}"] >> nth=0`, { at: '/staff/audit', what: 'follow a report link' });
  rows = await tableRows(page, '#audit');
  assert.ok(rows.length > 0 && rows.every((r) => r[4] === PLAIN), 'the report link does not filter on the report');

  // An auditor sees the trail, never report content.
  await goto(page, `/staff/reports/${PLAIN}`, 404);
  assert.equal(await page.locator('#narrative').count(), 0, 'the auditor can read the report');
  await closeContext(context);
});

await step('4b. admin adm: the user list shows the four accounts; adding an analyst shows a one-time set-up link that waits for a supervisor', async () => {
  const context = await signedIn(browser, 'adm', '4b-adm');
  const page = await context.newPage();
  await goto(page, '/staff');
  expectPath(page, '/staff/users', 'the admin\'s home');
  const rows = await tableRows(page, '#users');
  for (const [name, user] of Object.entries(USERS)) {
    const row = rows.find((r) => r[0] === name);
    assert.ok(row, `${name} is not in the user list`);
    assert.equal(row[1], t('en', `role-${user.role}`), `${name} has the wrong role`);
    assert.equal(row[2], t('en', 'staff-state-active'), `${name} is not active after set-up`);
  }
  await page.locator('#new-username').fill('eve');
  await page.locator('#new-role').selectOption('analyst');
  await submit(page, '#add-user', { at: '/staff/users', what: 'add eve' });
  const link = await textOf(page.locator('#setup-link'));
  assert.match(link, /\/staff\/setup\/[^/\s]+$/, `#setup-link "${link}" is not a set-up link`);
  assert.equal(await page.locator('#awaiting-approval').count(), 1, 'the admin is not told that eve waits for approval');
  assert.ok((await tableRows(page, '#users')).some((r) => r[0] === 'eve' && r[2] === t('en', 'staff-state-awaiting-approval')), 'eve is not listed as waiting for approval');
  await goto(page, '/staff/audit', 403);
  await goto(page, `/staff/reports/${PLAIN}`, 404);
  assert.equal(await page.locator('#narrative').count(), 0, 'the admin can read the report');
  await closeContext(context);
});

await step('5. hostile report: JavaScript on, with the CSP and with the CSP bypassed, every payload stays inert text', async () => {
  for (const bypassCSP of [false, true]) {
    const label = bypassCSP ? 'csp-bypassed' : 'csp';
    const context = await newContext(browser, `5-${label}`, { bypassCSP, storageState: USERS.sue.state });
    const page = await context.newPage();
    const dialogs = [];
    const messages = [];
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      dialog.dismiss().catch(() => {});
    });
    page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => messages.push(`pageerror: ${e}`));
    page.on('popup', (p) => dialogs.push(`popup: ${p.url()}`));
    await goto(page, `/staff/reports/${HOSTILE}`);
    await page.waitForLoadState('networkidle');
    const seen = await page.evaluate(() => {
      const attributes = [...document.querySelectorAll('*')].flatMap((e) =>
        [...e.attributes]
          .filter((a) => /^on/i.test(a.name) || /^\s*javascript:/i.test(a.value))
          .map((a) => `<${e.tagName.toLowerCase()} ${a.name}="${a.value.slice(0, 40)}">`),
      );
      const userText = [...document.querySelectorAll('.user-text')];
      return {
        pwned: window.__pwned,
        frames: window.frames.length,
        iframes: document.querySelectorAll('iframe, frame, object, embed').length,
        imgX: document.querySelectorAll('img[src="x"]').length,
        imgs: document.querySelectorAll('img').length,
        evil: document.querySelectorAll('a#evil-link, #evil-link').length,
        scripts: [...document.querySelectorAll('script')].map((s) => s.src || s.textContent.slice(0, 60)),
        svgs: [...document.querySelectorAll('svg')].length,
        attributes,
        narrative: document.getElementById('narrative')?.textContent ?? '',
        identifiers: document.getElementById('identifiers')?.textContent ?? '',
        userTexts: userText.length,
        withBidi: userText.filter((e) => e.textContent.includes('\u202e')).length,
        notIsolated: userText.filter((e) => e.getAttribute('dir') !== 'auto').map((e) => e.tagName),
        title: document.title,
      };
    });
    assert.equal(seen.pwned, undefined, `${label}: window.__pwned is ${seen.pwned}: a payload ran`);
    assertNone(dialogs, `${label}: dialogs or pop-ups opened`);
    assert.equal(seen.iframes, 0, `${label}: ${seen.iframes} iframe/object/embed elements in the DOM`);
    assert.equal(seen.frames, 0, `${label}: the page has ${seen.frames} frames`);
    assert.equal(seen.imgX, 0, `${label}: an <img src="x"> is in the DOM`);
    assert.equal(seen.imgs, 0, `${label}: ${seen.imgs} <img> elements in the DOM`);
    assert.equal(seen.evil, 0, `${label}: a#evil-link is in the DOM`);
    assertNone(seen.scripts, `${label}: <script> elements in the DOM`);
    assert.equal(seen.svgs, 0, `${label}: an <svg> is in the DOM`);
    assertNone(seen.attributes, `${label}: event handler or javascript: attributes in the DOM`);
    for (const payload of [
      '<script>window.__pwned=1</script>',
      '<img src=x onerror="window.__pwned=1">',
      '<svg onload="window.__pwned=1"></svg>',
      '"><iframe src="javascript:window.top.__pwned=1"></iframe>',
      '<a href="javascript:window.__pwned=1" id="evil-link">click</a>',
    ]) {
      assert.ok(seen.narrative.includes(payload), `${label}: #narrative does not show ${payload} as text`);
      assert.ok(seen.identifiers.includes(payload), `${label}: #identifiers does not show ${payload} as text`);
    }
    assert.ok(await page.locator('#narrative').isVisible(), `${label}: #narrative is not visible`);
    assert.ok(
      (await page.locator('#narrative').innerText()).includes('<script>window.__pwned=1</script>'),
      `${label}: the payload is not visible text in #narrative`,
    );
    assert.ok(seen.withBidi >= 10, `${label}: only ${seen.withBidi} fields kept the bidi characters`);
    assertNone(seen.notIsolated, `${label}: reporter text without dir="auto"`);
    assert.ok(seen.title.startsWith(t('en', 'category-other')), `${label}: the title "${seen.title}" is not the category`);
    const blocked = messages.filter((m) => /Content Security Policy|Refused to|pageerror/.test(m));
    assertNone(blocked, `${label}: the page tried to run something (CSP reports or errors)`);
    const loadedX = requests.filter((r) => r.context === `5-${label}` && /\/x(\?|$)/.test(r.url));
    assertNone(loadedX.map((r) => r.url), `${label}: the page requested "x"`);
    await screenshot(page, `staff-hostile-${label}.png`);
    await closeContext(context);
  }
});

await step('6. axe-core WCAG 2.1 A/AA and 320 CSS px on every staff page', async () => {
  await checkUrl(browser, 'sign-in', '/staff/sign-in');
  {
    // The sign-in page with its error (an unknown user, so no account is throttled).
    const context = await newContext(browser, 'check-sign-in-error', { bypassCSP: true });
    const page = await context.newPage();
    await goto(page, '/staff/sign-in');
    await page.locator('#username').fill('nobody');
    await page.locator('#password').fill('not the password at all');
    await page.locator('#code').fill('123456');
    await submit(page, '#sign-in', { status: 401, at: '/staff/sign-in', what: 'a failed sign-in' });
    assert.equal(await textOf(page.locator('#sign-in-error')), t('en', 'staff-sign-in-failed'));
    await checkPage('sign-in-error', page);
    await closeContext(context);
  }
  await checkUrl(browser, 'queue', '/staff', { as: 'ana' });
  await checkUrl(browser, 'queue-closed', '/staff?status=closed', { as: 'sue' });
  await checkUrl(browser, 'queue-empty', '/staff?status=forwarded', { as: 'sue' });
  await checkUrl(browser, 'case-plain', `/staff/reports/${PLAIN}`, { as: 'sue' });
  await checkUrl(browser, 'case-plain-analyst', `/staff/reports/${PLAIN}`, { as: 'ana' });
  await checkUrl(browser, 'case-hostile', `/staff/reports/${HOSTILE}`, { as: 'sue' });
  await checkUrl(browser, 'audit', '/staff/audit', { as: 'aud' });
  await checkUrl(browser, 'users', '/staff/users', { as: 'adm' });
  await checkUrl(browser, 'approvals', '/staff/approvals', { as: 'sue' });
  {
    // The user list with a fresh set-up link on it.
    const context = await newContext(browser, 'check-users-link', { bypassCSP: true, storageState: USERS.adm.state });
    const page = await context.newPage();
    await goto(page, '/staff/users');
    await page.locator('#new-username').fill('fay');
    await page.locator('#new-role').selectOption('auditor');
    await submit(page, '#add-user', { at: '/staff/users', what: 'add fay' });
    assert.equal(await page.locator('#setup-link').count(), 1);
    await checkPage('users-link', page);
    await closeContext(context);
  }
  await checkUrl(browser, 'sign-in-de', '/staff/sign-in?lang=de');
  {
    // German has the longest words: ana's queue and case view in German, then back to English.
    const context = await newContext(browser, 'check-de', { bypassCSP: true, storageState: USERS.ana.state });
    const page = await context.newPage();
    const language = async (code) => {
      await goto(page, '/staff');
      await page.locator('#staff-language').selectOption(code);
      await submit(page, 'form[action="/staff/language"] button[type="submit"]', { at: '/staff', what: `switch to ${code}` });
      assert.equal(await page.evaluate(() => document.documentElement.lang), code);
    };
    await language('de');
    assert.equal(await textOf(page.locator('h1')), t('de', 'staff-queue-title'));
    await checkPage('queue-de', page);
    await goto(page, `/staff/reports/${HOSTILE}`);
    await checkPage('case-hostile-de', page);
    await language('en');
    await closeContext(context);
  }
  await checkUrl(browser, 'not-found', `/staff/reports/${MISSING_REPORT}`, { as: 'sue', status: 404 });
  await checkUrl(browser, 'forbidden', '/staff/audit', { as: 'ana', status: 403 });

  const names = pageChecks.map((c) => c.name);
  for (const needed of ['setup', 'enrol', 'sign-in', 'queue', 'case-plain', 'case-hostile', 'audit', 'users', 'not-found']) {
    assert.ok(names.includes(needed), `the ${needed} page was not checked (an earlier step failed?)`);
  }
  assertPagesClean(pageChecks);
  log(`# axe and 320 px: ${pageChecks.length} pages (${names.join(', ')}), 0 violations`);
});

await step('7. no request left the tipline origin', async () => {
  assertOnOrigin(BASE_URL, requests, foreignRequests);
  assert.ok(requests.length > 50, `only ${requests.length} requests were recorded`);
  assert.ok(contexts.every((c) => c.cookies), 'a context was not closed');
  assertOnlyStaffCookie(contexts);
  log(`# ${requests.length} requests in ${contexts.length} contexts, all to ${ORIGIN}`);
});

await browser.close();
const seconds = ((Date.now() - started) / 1000).toFixed(1);
for (const note of notes) log(`# note: ${note}`);
log(
  `# ${stats.axePages} pages checked with axe at two widths (${stats.axeViolations} violations), ` +
    `${stats.narrowPages} at 320 px, ${stats.screenshots} screenshots, ${stats.totpWait.toFixed(1)} s waiting for a fresh TOTP step, ${seconds} s`,
);
log(steps.failures ? `# FAILED: ${steps.failures} step(s)` : '# all steps passed');
saveLog();
process.exit(steps.failures ? 1 : 0);
