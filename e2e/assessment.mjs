// Browser journey through the trafficking assessment of a running tipline: an analyst assesses
// one person a report describes against the ILO/European Commission indicators.
//
//     BASE_URL=http://127.0.0.1:8080 ARTIFACTS_DIR=e2e/artifacts PASSWORD='…' SETUP_ANA=… \
//     REPORT_ID=… node e2e/assessment.mjs
//
// `tests/it/browser.rs` (assessment_in_chromium_without_javascript) starts the server, files one
// labour-exploitation report through the API (warning signs documents_taken and
// excessive_hours, a city, still happening), creates the analyst ana with a one-time set-up link
// (SETUP_ANA), runs this script and then checks that a presumed-victim assessment was saved.
//
// Drives a headless Chromium (playwright-core, Debian's /usr/bin/chromium) with JavaScript off
// through set-up, TOTP enrolment (codes computed here, RFC 6238 SHA-1 / 6 digits / 30 s),
// claiming the report, the assessment of person 1 (suggestions from the reporter's signs,
// ticks, the outcome per dimension, saving) and the case view with its history and urgency.
// Then, with JavaScript on and the CSP bypassed only so that axe-core can be injected, checks
// the assessment page (plain, with an outcome, with the missing-reason error) and the case view
// with axe-core (WCAG 2.1 A/AA) and at 320 CSS px (the page never scrolls sideways), in English
// and German; and checks that no request leaves the tipline origin.
//
// Prints one line per step, `ok - name` or `not ok - name` followed by the reason, then a
// summary. The exit code is 1 when any step failed. No test framework, only node:assert.

import assert from 'node:assert/strict';
import path from 'node:path';
import {
  assertOnOrigin,
  assertOnlyStaffCookie,
  assertPagesClean,
  base32Decode,
  checkStaffPage,
  checkTotpHelpers,
  clean,
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
  submit,
  t,
  tableRows,
  textOf,
} from './lib.mjs';

const env = (name) => requireEnv('assessment', name);

const { BASE_URL, ARTIFACTS_DIR, ORIGIN, BASE_HOST } = configure('assessment', env('BASE_URL'));
const PASSWORD = env('PASSWORD');
const SETUP_ANA = env('SETUP_ANA');
const REPORT = env('REPORT_ID');
if (new URL(SETUP_ANA).origin !== ORIGIN) {
  console.error(`assessment: SETUP_ANA is not on ${ORIGIN}`);
  process.exit(2);
}

const CASE = `/staff/reports/${REPORT}`;
const ASSESSMENT = `${CASE}/assessment`;

/** The indicators the reporter's two warning signs suggest (catalogue `[signs]`). */
const SUGGESTED = ['confiscation_of_documents_destination', 'excessive_working_days_or_hours'];
/** The dimensions ticked in full: a recruitment, exploitative conditions and the means. */
const TICKED_DIMENSIONS = ['deceptive_recruitment', 'exploitative_conditions', 'coercion_at_destination'];
/** The means at destination: unticked, the adult rule is no longer met. */
const MEANS = ['coercion_at_destination', 'abuse_of_vulnerability_at_destination'];

/** The Fluent key of a catalogue id: `prefix-<id with - for _>`. */
const key = (prefix, id) => `${prefix}-${id.replace(/_/g, '-')}`;

// ---------------------------------------------------------------------------------------------
// TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30 s steps), computed here from the key the page shows.

checkTotpHelpers();

// ---------------------------------------------------------------------------------------------
// Steps and bookkeeping.

// Everything printed, also saved to ARTIFACTS_DIR/assessment-journey.log.
const { log, save: saveLog } = createLog(path.join(ARTIFACTS_DIR, 'assessment-journey.log'));
const contexts = []; // every context opened: { label, context, cookies }
const requests = []; // every request any page made: { url, context }
const foreignRequests = []; // requests to another origin (aborted)
const pageChecks = []; // axe and 320 px results: { name, violations: [], narrow: [] }
const shared = {}; // what later steps need: ana's session
const notes = new Set(); // server problems worth reporting that are not failures of this journey
const stats = { axePages: 0, axeViolations: 0, narrowPages: 0, screenshots: 0, totpWait: 0 };

const steps = createSteps({ contexts, print: log, stacks: true });
const step = steps.step;
const closeContext = (context) => closeContextIn(contexts, context);
const goto = (page, url, status) => gotoOn(BASE_URL, page, url, status);
const tracking = { baseUrl: BASE_URL, contexts, requests, foreignRequests };
/** A browser context that records requests and keeps everything on this machine. */
const newContext = (browser, label, options) => newContextIn(tracking, browser, label, options);
const screenshot = screenshotIn(ARTIFACTS_DIR, stats);

// ---------------------------------------------------------------------------------------------
// The assessment form.

/** The ids of the indicators offered in a dimension fieldset, in page order. */
const indicatorsIn = (page, dimension) =>
  page.locator(`#dimension-${dimension} input[name=indicator]`).evaluateAll((inputs) => inputs.map((i) => i.value));

/** The ids of the ticked indicators, in page order. */
const ticked = (page) => page.locator('input[name=indicator]:checked').evaluateAll((inputs) => inputs.map((i) => i.value));

/** The ids whose label carries the "seen by the reporter" flag. */
const flagged = (page) =>
  page.locator('input[name=indicator]').evaluateAll((inputs) =>
    inputs.filter((i) => document.querySelector(`label[for="${i.id}"] .flag`)).map((i) => i.value),
  );

/** Ticks (or unticks) every indicator of the dimensions; returns the ids touched. */
async function setDimensions(page, dimensions, checked) {
  const ids = [];
  for (const dimension of dimensions) {
    const inputs = page.locator(`#dimension-${dimension} input[name=indicator]`);
    const count = await inputs.count();
    for (let i = 0; i < count; i += 1) {
      await inputs.nth(i).setChecked(checked);
      ids.push(await inputs.nth(i).getAttribute('value'));
    }
  }
  return ids;
}

/** Checks the suggestions: exactly `SUGGESTED` are flagged; `ticked` are the ones still ticked. */
async function expectSuggestions(page, lang, what) {
  assert.deepEqual((await flagged(page)).sort(), [...SUGGESTED].sort(), `${what}: the flagged indicators`);
  for (const id of SUGGESTED) {
    assert.equal(await textOf(page.locator(`label[for="indicator-${id}"] .flag`)), t(lang, 'assessment-seen-by-reporter'), `${what}: the flag of ${id}`);
  }
}

/** The outcome section as shown: the verdict and, per dimension, its class and text. */
async function outcomeOf(page) {
  assert.ok(await page.locator('#outcome').isVisible(), 'no #outcome');
  return {
    verdict: await textOf(page.locator('#outcome-verdict')),
    dimensions: (
      await page.locator('#dimension-results > li').evaluateAll((items) =>
        items.map((li) => ({ className: li.className, text: li.innerText })),
      )
    ).map((d) => ({ className: d.className, text: clean(d.text) })),
  };
}

/** The text of a dimension's line in #dimension-results. */
function dimensionLine(lang, dimension, present, madeBy) {
  const state = t(lang, present ? 'assessment-dimension-present' : 'assessment-dimension-absent');
  const why = madeBy.length ? ` (${madeBy.map((id) => t(lang, key('indicator', id))).join('; ')})` : '';
  return `${t(lang, key('dimension', dimension))}: ${state}${why}`;
}

/** Asserts the outcome: the verdict, and each dimension present or not with what made it. */
async function expectOutcome(page, lang, { presumed, madeBy }) {
  const outcome = await outcomeOf(page);
  assert.equal(outcome.verdict, t(lang, presumed ? 'assessment-presumed' : 'assessment-not-presumed'), 'the verdict');
  const dimensions = await page.locator('fieldset.dimension').evaluateAll((sets) => sets.map((s) => s.id.replace(/^dimension-/, '')));
  assert.equal(dimensions.length, 6, `${dimensions.length} dimension fieldsets`);
  assert.equal(outcome.dimensions.length, dimensions.length, 'one line per dimension in #dimension-results');
  dimensions.forEach((dimension, n) => {
    const present = dimension in madeBy && madeBy[dimension].present;
    const ids = madeBy[dimension]?.ids ?? [];
    const line = outcome.dimensions[n];
    assert.equal(line.className, present ? 'present' : 'absent', `${dimension}: class`);
    assert.equal(line.text, dimensionLine(lang, dimension, present, ids), `${dimension}: the line in #dimension-results`);
  });
  return outcome;
}

// ---------------------------------------------------------------------------------------------
// axe-core and 320 px on one page (JavaScript on, CSP bypassed only so axe can be injected).

const checkPage = (name, page) => checkStaffPage(page, name, { pageChecks, stats, screenshot, prefix: 'assessment' });

// ---------------------------------------------------------------------------------------------

const started = Date.now();
const browser = await launch(BASE_HOST);
log(`# tipline assessment journey against ${BASE_URL}, report ${REPORT}, artifacts in ${ARTIFACTS_DIR}`);

await step('1. JavaScript off: analyst ana opens her set-up link, chooses a password, enrols TOTP, lands on the queue', async () => {
  const context = await newContext(browser, '1-ana', { javaScriptEnabled: false });
  const page = await context.newPage();
  await goto(page, SETUP_ANA);
  assert.equal(await textOf(page.locator('h1')), t('en', 'staff-setup-title'), 'not the set-up page');
  await page.locator('#password').fill(PASSWORD);
  await page.locator('#confirm').fill(PASSWORD);
  await submit(page, '#save-password', { at: '/staff/enrol', what: 'choose the password' });
  const shown = await textOf(page.locator('#totp-secret'));
  assert.match(shown, /^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/, `#totp-secret "${shown}" is not base32 in groups of four`);
  const secret = base32Decode(shown);
  await page.locator('#code').fill(await freshCode(secret, stats));
  await submit(page, '#confirm-code', { at: '/staff', what: 'confirm the code' });
  assert.equal(await textOf(page.locator('h1')), t('en', 'staff-queue-title'));
  shared.state = await context.storageState();
  await closeContext(context);
});

/** A JavaScript-off context signed in as ana. */
function anaContext(label, options = {}) {
  assert.ok(shared.state, 'ana has no session (did step 1 fail?)');
  return newContext(browser, label, { javaScriptEnabled: false, storageState: shared.state, ...options });
}

await step('2. JavaScript off: no assessment before claiming; claim the report; the case view offers to assess person 1', async () => {
  const context = await anaContext('2-ana');
  const page = await context.newPage();
  await goto(page, '/staff');
  await submit(page, `#queue a[href="${CASE}"]`, { at: CASE, what: 'open the report from the queue' });
  assert.equal(await page.locator('#assess').count(), 0, 'the assess button is offered before the analyst claimed the case');
  assert.equal(await textOf(page.locator('#assessments p:not(.hint)')), t('en', 'assessment-none'));
  shared.urgencyBefore = await textOf(page.locator('#case-urgency'));
  assert.equal(
    shared.urgencyBefore,
    `${t('en', 'urgency-high')}: ${t('en', 'urgency-reason-still-happening')}`,
    'the urgency before any assessment',
  );
  const refused = await page.goto(`${BASE_URL}${ASSESSMENT}?person=1`, { waitUntil: 'load' });
  assert.equal(refused.status(), 403, `the assessment of an unclaimed case answers ${refused.status()}`);
  assert.equal(await page.locator('input[name=indicator]').count(), 0, 'the assessment form is shown before claiming');

  await goto(page, CASE);
  await submit(page, '#claim', { at: CASE, what: 'claim' });
  assert.equal(await textOf(page.locator('#case-assignee')), 'ana');
  const persons = await page.locator('#assess-person option').evaluateAll((options) => options.map((o) => o.value));
  assert.ok(persons.length >= 1 && persons[0] === '1', `#assess-person offers ${JSON.stringify(persons)}`);
  assert.equal(await textOf(page.locator('label[for="assess-person"]')), t('en', 'assessment-person'));
  await closeContext(context);
});

await step('3. JavaScript off: the assessment of person 1 opens on the adult labour set with the two signs pre-ticked and flagged; the set can be changed', async () => {
  const context = await anaContext('3-ana');
  const page = await context.newPage();
  await goto(page, CASE);
  await page.locator('#assess-person').selectOption('1');
  await submit(page, '#assess', { at: ASSESSMENT, what: 'assess person 1' });
  assert.equal(new URL(page.url()).searchParams.get('person'), '1');
  assert.equal(await textOf(page.locator('h1')), t('en', 'assessment-title', { person: 1 }));
  assert.ok(await page.locator('#set-adult_labour').isChecked(), 'the adult labour set is not chosen for an adult labour report');
  assert.equal(await page.locator('form[method=post] input[name=set]').inputValue(), 'adult_labour');
  assert.equal(await page.locator('#outcome').count(), 0, 'an outcome is shown before evaluating');
  assert.deepEqual((await ticked(page)).sort(), [...SUGGESTED].sort(), 'the pre-ticked indicators');
  await expectSuggestions(page, 'en', 'fresh page');
  assert.ok(await page.locator('#status-none').isChecked(), 'a status is chosen by default');
  const dimensions = await page.locator('fieldset.dimension legend').evaluateAll((ls) => ls.map((l) => l.textContent.trim()));
  assert.equal(dimensions.length, 6);
  assert.equal(dimensions[0], t('en', 'dimension-deceptive-recruitment'));

  // Another set, with JavaScript off: a GET form; the suggestions follow the set.
  await page.locator('#set-adult_sexual').check();
  await submit(page, '#change-set', { at: ASSESSMENT, what: 'use the adult sexual set' });
  assert.equal(new URL(page.url()).searchParams.get('set'), 'adult_sexual');
  assert.equal(new URL(page.url()).searchParams.get('person'), '1');
  assert.ok(await page.locator('#set-adult_sexual').isChecked());
  assert.equal(await page.locator('form[method=post] input[name=set]').inputValue(), 'adult_sexual');
  assert.ok((await page.locator('.grade').first().innerText()).includes(t('en', 'assessment-provisional')), 'the sexual set does not say its grades are provisional');
  await expectSuggestions(page, 'en', 'adult sexual set');
  await page.locator('#set-adult_labour').check();
  await submit(page, '#change-set', { at: ASSESSMENT, what: 'back to the adult labour set' });
  assert.equal(await page.locator('form[method=post] input[name=set]').inputValue(), 'adult_labour');
  await closeContext(context);
});

await step('4. JavaScript off: tick deceptive recruitment, exploitative conditions and coercion at destination, show the outcome: presumed, each dimension present with its indicators', async () => {
  const context = await anaContext('4-ana');
  const page = await context.newPage();
  await goto(page, `${ASSESSMENT}?person=1`);
  const byDimension = {};
  for (const dimension of TICKED_DIMENSIONS) byDimension[dimension] = await indicatorsIn(page, dimension);
  assert.ok(byDimension.coercion_at_destination.includes('confiscation_of_documents_destination'));
  assert.ok(byDimension.exploitative_conditions.includes('excessive_working_days_or_hours'));
  await setDimensions(page, TICKED_DIMENSIONS, true);
  const before = await ticked(page);
  await submit(page, '#evaluate', { at: ASSESSMENT, what: 'show the outcome' });
  const madeBy = Object.fromEntries(TICKED_DIMENSIONS.map((d) => [d, { present: true, ids: byDimension[d] }]));
  await expectOutcome(page, 'en', { presumed: true, madeBy });
  assert.equal(await textOf(page.locator('#outcome-heading')), t('en', 'assessment-outcome'));
  assert.ok((await textOf(page.locator('#outcome'))).includes(t('en', 'assessment-rule-adult')), 'the outcome does not name the adult rule');
  assert.ok((await textOf(page.locator('#outcome'))).includes(t('en', 'assessment-suggestion')), 'the outcome does not suggest the HTCDS status');
  assert.deepEqual(await ticked(page), before, 'the ticks changed when the outcome was shown');
  await expectSuggestions(page, 'en', 'after evaluating');
  assert.equal(await page.locator('form[method=post] input[name=set]').inputValue(), 'adult_labour');
  shared.byDimension = byDimension;

  // Untick the means at destination: the adult rule is no longer met.
  await setDimensions(page, MEANS, false);
  await submit(page, '#evaluate', { at: ASSESSMENT, what: 'show the outcome without the means' });
  const withoutMeans = { ...madeBy, coercion_at_destination: { present: false, ids: [] } };
  await expectOutcome(page, 'en', { presumed: false, madeBy: withoutMeans });
  assert.ok(!(await textOf(page.locator('#outcome'))).includes(t('en', 'assessment-suggestion')), 'the HTCDS status is suggested without a presumption');
  for (const id of byDimension.coercion_at_destination) {
    assert.equal(await page.locator(`#indicator-${id}`).isChecked(), false, `${id} is ticked again after evaluating`);
  }
  await expectSuggestions(page, 'en', 'after unticking');

  // What the analyst chose as a status and typed as a reason should survive "show the outcome".
  await page.locator('#status-ActualVictimOfTrafficking').check();
  await page.locator('#status-reason').fill('She told the labour inspector.');
  await submit(page, '#evaluate', { at: ASSESSMENT, what: 'show the outcome with a status and a reason' });
  assert.ok(await page.locator('#status-ActualVictimOfTrafficking').isChecked(), '"show the outcome" forgot the status chosen');
  assert.equal(await page.locator('#status-reason').inputValue(), 'She told the labour inspector.', '"show the outcome" forgot the reason typed');
  await page.locator('#status-none').check();
  await page.locator('#status-reason').fill('');

  // Tick them again and save: back on the case view.
  await setDimensions(page, ['coercion_at_destination'], true);
  await submit(page, '#save-assessment', { at: CASE, what: 'save the assessment' });
  await closeContext(context);
});

await step('5. JavaScript off: the case view lists the saved assessment and the urgency is now critical with its reasons', async () => {
  const context = await anaContext('5-ana');
  const page = await context.newPage();
  await goto(page, CASE);
  const rows = await tableRows(page, '#assessment-history');
  assert.equal(rows.length, 1, `the history has ${rows.length} rows: ${JSON.stringify(rows)}`);
  const [person, set, outcome, status, by] = rows[0];
  assert.equal(person, '1');
  assert.equal(set, t('en', 'set-adult-labour'));
  assert.equal(outcome, t('en', 'assessment-presumed'));
  assert.equal(status, t('en', 'htcds-PossibleVictimOfTrafficking'), 'a presumption suggests "possible victim"');
  assert.match(by, /^ana, \d{4}-\d{2}-\d{2}$/, 'the history does not say who saved it and when');
  assert.equal(await textOf(page.locator('#assessment-history caption')), t('en', 'assessment-history'));
  const urgency = await textOf(page.locator('#case-urgency'));
  const expected = `${t('en', 'urgency-critical')}: ${['presumed-victim', 'still-happening', 'actionable-place-and-time']
    .map((r) => t('en', `urgency-reason-${r}`))
    .join('; ')}`;
  log(`# urgency before: "${shared.urgencyBefore}"; after: "${urgency}"`);
  assert.equal(urgency, expected, 'the urgency after a presumed-victim assessment (rule presumed_victim_ongoing_actionable)');
  await closeContext(context);
});

await step('6. JavaScript on, axe-core WCAG 2.1 A/AA and 320 px: the assessment (plain, outcome, missing reason) and the case view, in English and German', async () => {
  assert.ok(shared.state, 'ana has no session (did step 1 fail?)');
  const context = await newContext(browser, '6-check', { bypassCSP: true, storageState: shared.state });
  const page = await context.newPage();
  const language = async (code) => {
    await goto(page, CASE);
    await page.locator('#staff-language').selectOption(code);
    await submit(page, 'form[action="/staff/language"] button[type="submit"]', { at: '/staff', what: `switch to ${code}` });
    assert.equal(await page.evaluate(() => document.documentElement.lang), code);
  };
  for (const lang of ['en', 'de']) {
    const suffix = lang === 'en' ? '' : `-${lang}`;
    if (lang !== 'en') await language(lang);

    await goto(page, `${ASSESSMENT}?person=1`);
    assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
    assert.equal(await textOf(page.locator('h1')), t(lang, 'assessment-title', { person: 1 }));
    await expectSuggestions(page, lang, `${lang} page`);
    await checkPage(`page${suffix}`, page);

    await goto(page, `${ASSESSMENT}?person=1`);
    await setDimensions(page, TICKED_DIMENSIONS, true);
    await submit(page, '#evaluate', { at: ASSESSMENT, what: `${lang}: show the outcome` });
    const madeBy = Object.fromEntries(TICKED_DIMENSIONS.map((d) => [d, { present: true, ids: shared.byDimension?.[d] ?? [] }]));
    if (shared.byDimension) await expectOutcome(page, lang, { presumed: true, madeBy });
    await checkPage(`outcome${suffix}`, page);

    await goto(page, `${ASSESSMENT}?person=1`);
    await page.locator('#status-NotAVictimOfTrafficking').check();
    await page.locator('#status-reason').fill('');
    await submit(page, '#save-assessment', { status: 422, at: ASSESSMENT, what: `${lang}: a status without a reason` });
    assert.equal(await textOf(page.locator('#assessment-error')), t(lang, 'assessment-error-reason'));
    assert.ok((await page.title()).startsWith(t(lang, 'form-errors-title-prefix')), `the title "${await page.title()}" does not say there is an error`);
    assert.deepEqual((await ticked(page)).sort(), [...SUGGESTED].sort(), 'the ticks were lost on the error page');
    // The error leads to the field and the field says what is wrong with it.
    assert.equal(await page.locator('#assessment-error a').getAttribute('href'), '#status-reason');
    assert.equal(await page.locator('#status-reason').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#status-reason').getAttribute('aria-describedby'), 'assessment-error');
    assert.equal(await page.locator('#status-choices').getAttribute('aria-describedby'), 'assessment-error');
    assert.ok(await page.locator('#status-NotAVictimOfTrafficking').isChecked(), 'the 422 page forgot the status chosen');
    await checkPage(`error${suffix}`, page);

    await goto(page, CASE);
    assert.equal((await tableRows(page, '#assessment-history')).length, 1, 'the refused save was stored anyway');
    await checkPage(`case${suffix}`, page);
  }
  await language('en');
  await closeContext(context);

  assertPagesClean(pageChecks);
  log(`# axe and 320 px: ${pageChecks.length} pages (${pageChecks.map((c) => c.name).join(', ')}), 0 violations`);
});

await step('7. no request left the tipline origin; only the staff cookie was set', async () => {
  assertOnOrigin(BASE_URL, requests, foreignRequests);
  assert.ok(requests.length > 20, `only ${requests.length} requests were recorded`);
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
