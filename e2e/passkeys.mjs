// Browser journey through staff passkeys and recovery codes, with Chromium's virtual authenticator
// (the DevTools protocol's WebAuthn domain) standing in for a phone or a security key.
//
//     BASE_URL=http://localhost:8080 ARTIFACTS_DIR=e2e/artifacts PASSWORD='…' SETUP_ANA=… \
//     SETUP_SUE=… node e2e/passkeys.mjs
//
// `tests/it/browser.rs` (passkeys_in_chromium_with_a_virtual_authenticator) starts the server on
// a port it chose, with the public address http://localhost:PORT (WebAuthn refuses an IP
// address), creates the analyst ana and the supervisor sue with set-up links, runs this script,
// then checks the audit trail and the stored passkey.
//
// With JavaScript on and the CSP as served: ana enrols TOTP, adds a passkey (the page's script
// and the virtual authenticator), renames it, signs out and in with it, makes recovery codes and
// signs in with one, removes the passkey. Sue requires passkeys of content roles; ana, now without
// one, lands on the page that adds one, adds one and reaches the queue; her app code no longer
// signs her in, her passkey does. With JavaScript off the pages still work and say what needs it.
// Then, with the CSP bypassed only so that axe-core can be injected: axe-core (WCAG 2.1 A/AA) and
// 320 px on the sign-in page and every state of the security page.
//
// Prints one line per step, `ok - name` or `not ok - name` followed by the reason, then a
// summary. The exit code is 1 when any step failed. No test framework, only node:assert.

import assert from 'node:assert/strict';
import path from 'node:path';
import {
  assertOnOrigin,
  assertPagesClean,
  base32Decode,
  checkStaffPage,
  checkTotpHelpers,
  closeContextIn,
  configure,
  createLog,
  createSteps,
  env as requireEnv,
  freshCode,
  gotoOn,
  launch,
  newContextIn,
  screenshotIn,
  sleep,
  STEP_SECONDS as STEP,
  submit,
  t,
  tableRows,
  textOf,
} from './lib.mjs';

const env = (name) => requireEnv('passkeys', name);
const { BASE_URL, ARTIFACTS_DIR, ORIGIN, BASE_HOST } = configure('passkeys', env('BASE_URL'));
const PASSWORD = env('PASSWORD');
const SETUP = { ana: env('SETUP_ANA'), sue: env('SETUP_SUE') };
for (const [who, link] of Object.entries(SETUP)) {
  if (new URL(link).origin !== ORIGIN) {
    console.error(`passkeys: SETUP_${who.toUpperCase()} is not on ${ORIGIN}`);
    process.exit(2);
  }
}

checkTotpHelpers();

const { log, save: saveLog } = createLog(path.join(ARTIFACTS_DIR, 'passkeys-journey.log'));
const contexts = [];
const requests = [];
const foreignRequests = [];
const pageChecks = [];
const stats = { axePages: 0, axeViolations: 0, narrowPages: 0, screenshots: 0, totpWait: 0 };
const steps = createSteps({ contexts, print: log, stacks: true });
const step = steps.step;
const goto = (page, url, status) => gotoOn(BASE_URL, page, url, status);
const tracking = { baseUrl: BASE_URL, contexts, requests, foreignRequests };
const newContext = (browser, label, options) => newContextIn(tracking, browser, label, options);
const screenshot = screenshotIn(ARTIFACTS_DIR, stats);
/** What later steps need: secrets, codes, saved sessions. */
const shared = {};

/** Keeps `context` open across steps (the step runner closes the ones it lists). */
function keepOpen(context) {
  contexts.splice(contexts.findIndex((c) => c.context === context), 1);
  return context;
}

/** A page with a virtual authenticator that verifies its user and keeps resident keys. */
async function withAuthenticator(context) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  const credentials = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
  return { page, credentials };
}

/** The current code step. */
const stepNow = () => Math.floor(Date.now() / 1000 / STEP);

/** A code for `who` from a step they have not used yet (a code is spent once used). */
async function unusedCode(who) {
  while (stepNow() <= who.usedStep) await sleep(500);
  const code = await freshCode(who.secret, stats);
  who.usedStep = stepNow();
  return code;
}

/** Opens the set-up link, chooses the password, enrols TOTP; returns the TOTP key. */
async function setUp(page, link) {
  await goto(page, link);
  await page.locator('#password').fill(PASSWORD);
  await page.locator('#confirm').fill(PASSWORD);
  await submit(page, '#save-password', { at: '/staff/enrol', what: 'choose the password' });
  const secret = base32Decode(await textOf(page.locator('#totp-secret')));
  await page.locator('#code').fill(await freshCode(secret, stats));
  await submit(page, '#confirm-code', { at: '/staff', what: 'confirm the code' });
  return secret;
}

/** Fills the sign-in form; `code` goes in the code field (none for a passkey). */
async function fillSignIn(page, username, code = '') {
  await goto(page, '/staff/sign-in');
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(PASSWORD);
  await page.locator('#code').fill(code);
}

async function signOut(page) {
  await submit(page, '#sign-out', { at: '/staff/sign-in', what: 'sign out' });
}

/** Signs in with the passkey button; expects to land on `at`. */
async function signInWithPasskey(page, username, at = '/staff') {
  await fillSignIn(page, username);
  assert.ok(await page.locator('#passkey-sign-in').isVisible(), 'the passkey button is not shown with JavaScript on');
  await submit(page, '#passkey-sign-in', { at, what: 'sign in with the passkey' });
}

/** Adds a passkey named `name` on the security page; expects to land on `at`. */
async function addPasskey(page, name, at = '/staff/security') {
  await page.locator('#passkey-name').fill(name);
  await submit(page, '#passkey-add', { at, what: `add the passkey ${name}` });
}

const passkeyNames = async (page) => (await tableRows(page, '#passkeys')).map((row) => row[0]);

const started = Date.now();
const browser = await launch(BASE_HOST);
log(`# tipline passkeys journey against ${BASE_URL}, artifacts in ${ARTIFACTS_DIR}`);

await step('1. ana sets up her account and adds a passkey with the page script and the virtual authenticator, under the CSP as served', async () => {
  // Ana's browser, with its authenticator, lives through step 6.
  const context = keepOpen(await newContext(browser, '1-ana', { javaScriptEnabled: true }));
  const { page, credentials } = await withAuthenticator(context);
  shared.ana = { secret: await setUp(page, SETUP.ana), usedStep: stepNow() };
  await page.locator('.staff-nav a[href="/staff/security"]').click();
  await page.waitForURL(`${BASE_URL}/staff/security`);
  assert.equal(await textOf(page.locator('h1')), t('en', 'staff-security-title'));
  assert.equal(await textOf(page.locator('#no-passkeys')), t('en', 'staff-passkeys-none'));
  assert.equal(await page.locator('#passkey-needs-js').count(), 0, 'the no-JavaScript note is shown with JavaScript on');
  await addPasskey(page, 'work laptop');
  assert.deepEqual(await passkeyNames(page), ['work laptop']);
  const made = await credentials();
  assert.equal(made.length, 1, 'the authenticator holds one credential');
  assert.equal(made[0].rpId, new URL(BASE_URL).hostname, 'the passkey is bound to the hotline’s host name');
  // Adding the same authenticator again is refused by the browser (the page excludes it).
  await page.locator('#passkey-name').fill('again');
  await page.locator('#passkey-add').click();
  await page.locator('#passkey-add-form .passkey-error').waitFor({ state: 'visible' });
  assert.equal(await textOf(page.locator('#passkey-add-form .passkey-error')), t('en', 'staff-passkey-failed'));
  assert.equal((await credentials()).length, 1);
  // Renaming needs no script.
  await page.locator('#rename-1').fill('laptop');
  await submit(page, '#passkeys form[action$="/rename"] button', { at: '/staff/security', what: 'rename' });
  assert.deepEqual(await passkeyNames(page), ['laptop']);
  shared.page = page;
  shared.credentials = credentials;
});

await step('2. ana signs out and in with her passkey (no code); a wrong name gets no passkey sign-in', async () => {
  const { page } = shared;
  await signOut(page);
  await signInWithPasskey(page, 'ana');
  assert.equal(await textOf(page.locator('h1')), t('en', 'staff-queue-title'));
  await signOut(page);
  // A name with no passkey gets a challenge the authenticator cannot answer.
  await fillSignIn(page, 'nobody');
  await page.locator('#passkey-sign-in').click();
  await page.locator('#sign-in-form .passkey-error').waitFor({ state: 'visible', timeout: 15000 });
  assert.equal(await textOf(page.locator('#sign-in-form .passkey-error')), t('en', 'staff-passkey-sign-in-failed'));
});

await step('3. ana makes recovery codes, shown once, and signs in with one in place of the code', async () => {
  const { page } = shared;
  await signInWithPasskey(page, 'ana');
  await goto(page, '/staff/security');
  await submit(page, '#make-recovery-codes', { what: 'make recovery codes' });
  const codes = await page.locator('#recovery-codes li').allInnerTexts();
  assert.equal(codes.length, 10);
  for (const code of codes) assert.match(code, /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
  shared.codesPage = await page.content();
  shared.anaState = await page.context().storageState();
  await goto(page, '/staff/security');
  assert.equal(await page.locator('#recovery-codes').count(), 0, 'the codes are shown again');
  assert.equal(await textOf(page.locator('#recovery-unused')), t('en', 'staff-recovery-unused', { count: 10 }));
  await signOut(page);
  await fillSignIn(page, 'ana', codes[0]);
  await submit(page, '#sign-in', { at: '/staff', what: 'sign in with a recovery code' });
  await goto(page, '/staff/security');
  assert.equal(await textOf(page.locator('#recovery-unused')), t('en', 'staff-recovery-unused', { count: 9 }));
  shared.codes = codes;
});

await step('4. ana removes her passkey', async () => {
  const { page } = shared;
  await submit(page, '#passkeys form[action$="/remove"] button', { at: '/staff/security', what: 'remove' });
  assert.equal(await textOf(page.locator('#no-passkeys')), t('en', 'staff-passkeys-none'));
  await signOut(page);
});

await step('5. sue requires passkeys; ana, without one, signs in with her app code and must add one before anything else', async () => {
  const context = await newContext(browser, '5-sue', { javaScriptEnabled: true });
  const page = await context.newPage();
  shared.sue = { secret: await setUp(page, SETUP.sue) };
  await goto(page, '/staff/security');
  await page.locator('#require-passkeys').check();
  await submit(page, '#save-require', { at: '/staff/security', what: 'require passkeys' });
  assert.ok(await page.locator('#require-passkeys').isChecked());
  shared.sueState = await context.storageState();

  const ana = shared.page;
  await fillSignIn(ana, 'ana', await unusedCode(shared.ana));
  await submit(ana, '#sign-in', { at: '/staff/security', what: 'sign in with the app code' });
  assert.equal(await textOf(ana.locator('#must-add-passkey')), t('en', 'staff-passkey-must-add'));
  // The page in this state, with axe-core and at 320 px (CSP bypassed only for axe-core).
  const checking = await (await newContext(browser, '5-check', { bypassCSP: true, storageState: await ana.context().storageState() })).newPage();
  await goto(checking, '/staff/security');
  await checkStaffPage(checking, 'security-must-add', { pageChecks, stats, screenshot, prefix: 'passkeys' });
  await goto(ana, '/staff/search');
  assert.equal(new URL(ana.url()).pathname, '/staff/security', 'another staff page opened before a passkey was added');
  await addPasskey(ana, 'phone', '/staff');
  assert.equal(await textOf(ana.locator('h1')), t('en', 'staff-queue-title'));
  await signOut(ana);
});

await step('6. where passkeys are required, ana’s app code no longer signs her in; her passkey and a recovery code do', async () => {
  const page = shared.page;
  // A code of a step she has not used yet, so that only the requirement can refuse it.
  await fillSignIn(page, 'ana', await unusedCode(shared.ana));
  await submit(page, '#sign-in', { status: 401, at: '/staff/sign-in', what: 'sign in with the app code' });
  assert.equal(await textOf(page.locator('#sign-in-error')), t('en', 'staff-sign-in-failed'));
  await signInWithPasskey(page, 'ana');
  await signOut(page);
  await fillSignIn(page, 'ana', shared.codes[1]);
  await submit(page, '#sign-in', { at: '/staff', what: 'sign in with a recovery code' });
  shared.anaState = await page.context().storageState();
});

await step('7. JavaScript off: the passkey button stays hidden, the security page says adding one needs JavaScript, and renaming, codes and removal still work', async () => {
  const context = await newContext(browser, '7-ana', { javaScriptEnabled: false, storageState: shared.anaState });
  const page = await context.newPage();
  await goto(page, '/staff/security');
  assert.equal(await textOf(page.locator('#passkey-needs-js')), t('en', 'staff-passkey-needs-javascript'));
  await page.locator('#passkey-name').fill('without script');
  await submit(page, '#passkey-add', { status: 422, at: '/staff/security/passkeys', what: 'add without JavaScript' });
  assert.equal(await textOf(page.locator('#security-error')), t('en', 'staff-passkey-needs-javascript'));
  await page.locator('#rename-1').fill('my phone');
  await submit(page, '#passkeys form[action$="/rename"] button', { at: '/staff/security', what: 'rename' });
  assert.deepEqual(await passkeyNames(page), ['my phone']);
  const signIn = await (await newContext(browser, '7-anon', { javaScriptEnabled: false })).newPage();
  await goto(signIn, '/staff/sign-in');
  assert.equal(await signIn.locator('#passkey-sign-in').isVisible(), false);
  assert.equal(await textOf(signIn.locator('#passkey-hint')), t('en', 'staff-passkey-sign-in-hint'));
});

await step('8. axe-core WCAG 2.1 A/AA and 320 px: the sign-in page and the security page with passkeys, with new codes, with an error, for a supervisor and (the page while a passkey must be added was checked in step 5)', async () => {
  const check = (page, name) => checkStaffPage(page, name, { pageChecks, stats, screenshot, prefix: 'passkeys' });
  const anon = await (await newContext(browser, '8-anon', { bypassCSP: true })).newPage();
  await goto(anon, '/staff/sign-in');
  assert.ok(await anon.locator('#passkey-sign-in').isVisible());
  await check(anon, 'sign-in');

  const ana = await (await newContext(browser, '8-ana', { bypassCSP: true, storageState: shared.anaState })).newPage();
  await goto(ana, '/staff/security');
  await check(ana, 'security');
  await submit(ana, '#make-recovery-codes', { what: 'make recovery codes' });
  await check(ana, 'security-codes');
  await ana.locator('#rename-1').fill(' ');
  await submit(ana, '#passkeys form[action$="/rename"] button', { status: 422, what: 'rename to nothing' });
  assert.equal(await textOf(ana.locator('#security-error')), t('en', 'staff-passkey-bad-name', { max: 60 }));
  await check(ana, 'security-error');

  const sue = await (await newContext(browser, '8-sue', { bypassCSP: true, storageState: shared.sueState })).newPage();
  await goto(sue, '/staff/security');
  await check(sue, 'security-supervisor');

  assertPagesClean(pageChecks);
});

await step('9. no request left the tipline', async () => {
  assertOnOrigin(BASE_URL, requests, foreignRequests);
});

await browser.close();
for (const entry of [...contexts]) await closeContextIn(contexts, entry.context).catch(() => {});
log(`# ${steps.failures === 0 ? 'all steps passed' : `${steps.failures} step(s) failed`}; ${stats.axePages} pages checked with axe-core (${stats.axeViolations} violations), ${stats.narrowPages} at 320 px, ${((Date.now() - started) / 1000).toFixed(1)} s`);
saveLog();
process.exit(steps.failures === 0 ? 0 : 1);
