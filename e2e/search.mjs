// Browser journey through the staff search page of a running tipline: an analyst finds reports
// by an inflected word, narrows by kind, pages through the results and meets the page's messages.
//
//     BASE_URL=http://127.0.0.1:8080 ARTIFACTS_DIR=e2e/artifacts PASSWORD='…' SETUP_ANA=… \
//     LABOUR_ID=… HOME_ID=… HOTEL_IDS=…,… MARKUP_ID=… node e2e/search.mjs
//
// `tests/it/browser.rs` (search_in_chromium_without_javascript) starts the server and files
// through the API: two German reports, one labour exploitation saying "arbeiten" (LABOUR_ID)
// and one domestic servitude saying "arbeitet" (HOME_ID); 23 labour reports about a hotel, in
// English and French (HOTEL_IDS, more than the 20 results of a page); one report whose text holds
// `<script>alert(1)</script>` (MARKUP_ID). It creates the analyst ana with a one-time set-up link
// (SETUP_ANA) and runs this script.
//
// Drives a headless Chromium (playwright-core, Debian's /usr/bin/chromium) with JavaScript off
// through set-up and TOTP enrolment (codes computed here, RFC 6238 SHA-1 / 6 digits / 30 s), then
// the search page reached from the staff navigation: "gearbeitet" finds both German reports with
// the matched word in <mark>, a result leads to its case view and back, the kind filter leaves
// one, "hotels" fills two pages, a bad date is refused (HTTP 422) keeping what was typed, a word
// nobody wrote and words too common get their message, and a query holding markup stays text.
// Then, with JavaScript on and the CSP bypassed only so that axe-core can be injected, checks the
// page empty, with results, with nothing found and with a bad date with axe-core (WCAG 2.1 A/AA)
// and at 320 CSS px (the page never scrolls sideways) in English, French, German and Dutch; and
// checks that no request leaves the tipline origin.
//
// Prints one line per step, `ok - name` or `not ok - name` followed by the reason, then a
// summary. The exit code is 1 when any step failed. No test framework, only node:assert.

import assert from 'node:assert/strict';
import path from 'node:path';
import {
  LANGS,
  assertNone,
  assertOnOrigin,
  assertOnlyStaffCookie,
  assertPagesClean,
  base32Decode,
  checkStaffPage,
  checkTotpHelpers,
  closeContextIn,
  configure,
  createLog,
  createSteps,
  env as requireEnv,
  expectPath,
  expectStatus,
  freshCode,
  gotoOn,
  htmlLang,
  launch,
  navigate,
  newContextIn,
  screenshotIn,
  submit,
  t,
  textOf,
} from './lib.mjs';

const env = (name) => requireEnv('search', name);

const { BASE_URL, ARTIFACTS_DIR, ORIGIN, BASE_HOST } = configure('search', env('BASE_URL'));
const PASSWORD = env('PASSWORD');
const SETUP_ANA = env('SETUP_ANA');
const LABOUR = env('LABOUR_ID');
const HOME = env('HOME_ID');
const HOTEL = env('HOTEL_IDS').split(',');
const MARKUP = env('MARKUP_ID');
if (new URL(SETUP_ANA).origin !== ORIGIN) {
  console.error(`search: SETUP_ANA is not on ${ORIGIN}`);
  process.exit(2);
}

const SEARCH = '/staff/search';
const PAGE_SIZE = 20;
/** German: the reports say "arbeiten" and "arbeitet"; the analyst types the participle. */
const INFLECTED = 'gearbeitet';
const GERMAN_FORMS = ['arbeiten', 'arbeitet'];
/** The plural: the reports say "hotel" (English) and "hôtel" (French). */
const HOTELS = 'hotels';
const NOTHING = 'quetzalcoatlus';
const COMMON = 'the and';
const MARKUP_QUERY = '<script>alert(1)</script>';
/** Not year-month-day: how someone used to day-month-year writes the last day of 2026. */
const BAD_DATE = '31-12-2026';
/** Today and yesterday in UTC: every report was received between them (even around midnight). */
const TODAY = new Date().toISOString().slice(0, 10);
const YESTERDAY = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------
// TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30 s steps), computed here from the key the page shows.

checkTotpHelpers();

// ---------------------------------------------------------------------------------------------
// Steps and bookkeeping.

// Everything printed, also saved to ARTIFACTS_DIR/search-journey.log.
const { log, save: saveLog } = createLog(path.join(ARTIFACTS_DIR, 'search-journey.log'));
const contexts = []; // every context opened: { label, context, cookies }
const requests = []; // every request any page made: { url, context }
const foreignRequests = []; // requests to another origin (aborted)
const pageChecks = []; // axe and 320 px results: { name, violations: [], narrow: [] }
const shared = {}; // what later steps need: ana's session
const notes = new Set(); // server problems worth reporting that are not failures of this journey
const stats = { axePages: 0, axeRuns: 0, axeViolations: 0, narrowPages: 0, screenshots: 0, totpWait: 0 };

const steps = createSteps({ contexts, print: log, stacks: true });
const step = steps.step;
const closeContext = (context) => closeContextIn(contexts, context);
const goto = (page, url, status) => gotoOn(BASE_URL, page, url, status);
const tracking = { baseUrl: BASE_URL, contexts, requests, foreignRequests };
/** A browser context that records requests and keeps everything on this machine. */
const newContext = (browser, label, options) => newContextIn(tracking, browser, label, options);
const screenshot = screenshotIn(ARTIFACTS_DIR, stats);

// ---------------------------------------------------------------------------------------------
// The search page.

/**
 * Fills the search form as a person would and submits it; `category` is an id or '' for any.
 * Expects `status` and to stay on the search page.
 */
async function search(page, { q, category, status = 200, what = `search "${q}"` }) {
  await page.locator('#s-q').fill(q);
  if (category !== undefined) await page.locator('#s-category').selectOption(category);
  return submit(page, '#search-submit', { status, at: SEARCH, what });
}

/** The results shown, in order: the report id, the link text, the passage, its language and marks. */
const results = (page) =>
  page.locator('#results > li').evaluateAll((items) =>
    items.map((li) => {
      const link = li.querySelector('.result-head a');
      const passage = li.querySelector('.passage');
      return {
        href: link.getAttribute('href'),
        id: link.getAttribute('href').replace(/^\/staff\/reports\//, ''),
        link: link.textContent.trim(),
        passage: passage ? passage.textContent.replace(/\s+/g, ' ').trim() : null,
        lang: passage ? passage.getAttribute('lang') : null,
        marks: passage ? [...passage.querySelectorAll('mark')].map((m) => m.textContent) : [],
        elements: passage ? [...passage.querySelectorAll('*')].map((e) => e.tagName.toLowerCase()) : [],
      };
    }),
  );

/** The heading over the results and the list's `start`. */
async function expectRange(page, lang, first, last) {
  assert.equal(await textOf(page.locator('#results-heading')), t(lang, 'staff-search-results', { first, last }), 'the results heading');
  assert.equal(await page.locator('#results').getAttribute('start'), String(first), 'the list does not number from the first result of the page');
}

/** The message of the page (and no results), or none when `key` is null. */
async function expectMessage(page, lang, key) {
  if (key === null) {
    if ((await page.locator('#search-message').count()) > 0) assert.fail(`a message is shown: "${await textOf(page.locator('#search-message'))}"`);
    return;
  }
  assert.equal(await textOf(page.locator('#search-message')), t(lang, key), 'the message');
  assert.equal(await page.locator('#search-message').getAttribute('role'), 'status', 'the message is not announced');
  assert.equal(await page.locator('#results').count(), 0, 'results are shown with the message');
  assert.equal(await page.locator('#page-next, #page-previous').count(), 0, 'page links are shown with the message');
}

/** The query string of the page open, as an object. */
const params = (page) => Object.fromEntries(new URL(page.url()).searchParams);

/** Every `<mark>` holds one of `forms`, whatever its case; at least one mark. */
function expectMarks(result, forms, what) {
  assert.ok(result.marks.length > 0, `${what}: nothing is marked in "${result.passage}"`);
  for (const mark of result.marks) {
    assert.ok(forms.includes(mark.toLowerCase()), `${what}: <mark>${mark}</mark> is not one of ${forms.join(', ')} in "${result.passage}"`);
  }
  assert.deepEqual([...new Set(result.elements)].filter((e) => e !== 'mark' && e !== 'bdi'), [], `${what}: the passage holds other elements`);
}

/**
 * The words field next to the other fields at 320 px: as wide as the filters under it (each
 * takes the width of the screen) and its text no smaller than the page's.
 */
async function wordsFieldProblems(page, name) {
  const field = await page.evaluate(() => {
    const q = document.getElementById('s-q');
    const other = document.getElementById('s-status');
    return {
      width: q.getBoundingClientRect().width,
      otherWidth: other.getBoundingClientRect().width,
      font: parseFloat(getComputedStyle(q).fontSize),
      bodyFont: parseFloat(getComputedStyle(document.body).fontSize),
    };
  });
  const problems = [];
  if (Math.abs(field.width - field.otherWidth) > 1) {
    problems.push(`${name}: the words field is ${Math.round(field.width)} px wide, the filters ${Math.round(field.otherWidth)} px`);
  }
  if (field.font < field.bodyFont) problems.push(`${name}: the words field's text is ${field.font} px, the page's ${field.bodyFont} px`);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// axe-core and 320 px on one page (JavaScript on, CSP bypassed only so axe can be injected).

const checkPage = (name, page) =>
  checkStaffPage(page, name, { pageChecks, stats, screenshot, prefix: 'search', moreProblems: wordsFieldProblems });

// ---------------------------------------------------------------------------------------------

const started = Date.now();
const browser = await launch(BASE_HOST);
log(`# tipline search journey against ${BASE_URL}, ${HOTEL.length + 3} reports, artifacts in ${ARTIFACTS_DIR}`);

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

await step(`2. JavaScript off: from the staff navigation to the search page; "${INFLECTED}" finds the two German reports saying ${GERMAN_FORMS.join('/')}, the word in <mark>`, async () => {
  const context = await anaContext('2-ana');
  const page = await context.newPage();
  await goto(page, '/staff');
  const navLink = page.locator(`nav.staff-nav a[href="${SEARCH}"]`);
  assert.equal(await textOf(navLink), t('en', 'staff-nav-search'), 'the staff navigation has no search link');
  await navigate(page, () => navLink.click());
  expectPath(page, SEARCH, 'the search link');

  // The empty form: a labelled search landmark, every field labelled, nothing searched yet.
  assert.equal(await textOf(page.locator('h1')), t('en', 'staff-search-title'));
  assert.ok((await page.title()).startsWith(t('en', 'staff-search-title')), `the title "${await page.title()}"`);
  assert.equal(await page.locator('form[role=search]').count(), 1, 'the form is not a search landmark');
  assert.equal(await page.locator('form[role=search]').getAttribute('method'), 'get', 'the search is not a GET form (no bookmark, no back button)');
  for (const [id, key] of [
    ['s-q', 'staff-search-words'],
    ['s-status', 'staff-filter-status'],
    ['s-category', 'staff-filter-category'],
    ['s-country', 'staff-filter-country'],
    ['s-urgency', 'staff-search-urgency'],
    ['s-from', 'staff-search-from'],
    ['s-to', 'staff-search-to'],
  ]) {
    assert.equal(await textOf(page.locator(`label[for="${id}"]`)), t('en', key), `the label of #${id}`);
  }
  assert.equal(await page.locator('#s-q').getAttribute('aria-describedby'), 's-q-hint');
  assert.equal(await textOf(page.locator('#s-q-hint')), t('en', 'staff-search-hint'));
  assert.equal(await page.locator('#s-q').inputValue(), '');
  await expectMessage(page, 'en', null);
  assert.equal(await page.locator('#results').count(), 0, 'results before searching');

  await search(page, { q: INFLECTED });
  assert.equal(params(page).q, INFLECTED, 'the query is not in the address (no bookmark)');
  assert.equal(await page.locator('#s-q').inputValue(), INFLECTED, 'the words typed are gone');
  await expectMessage(page, 'en', null);
  const found = await results(page);
  assert.deepEqual(found.map((r) => r.id).sort(), [LABOUR, HOME].sort(), `"${INFLECTED}" found ${JSON.stringify(found.map((r) => r.id))}`);
  await expectRange(page, 'en', 1, 2);
  for (const result of found) {
    assert.equal(result.lang, 'de', `the passage of ${result.id} is not marked as German`);
    expectMarks(result, GERMAN_FORMS, `report ${result.id}`);
  }
  const labour = found.find((r) => r.id === LABOUR);
  assert.equal(labour.link, t('en', 'category-labour-exploitation'));
  assert.ok(labour.marks.map((m) => m.toLowerCase()).includes('arbeiten'), `"arbeiten" is not marked: ${labour.passage}`);
  assert.ok(found.find((r) => r.id === HOME).marks.map((m) => m.toLowerCase()).includes('arbeitet'), '"arbeitet" is not marked');
  assert.equal(await page.locator('#page-next, #page-previous').count(), 0, 'page links for two results');
  log(`# "${INFLECTED}": ${found.map((r) => `${r.marks.map((m) => `<mark>${m}</mark>`).join(' ')} in "${r.passage}"`).join('; ')}`);
  shared.inflectedUrl = page.url();
  await closeContext(context);
});

await step('3. JavaScript off: a result leads to its case view; back, the results and the words are still there', async () => {
  const context = await anaContext('3-ana');
  const page = await context.newPage();
  assert.ok(shared.inflectedUrl, 'no search to come back to (did step 2 fail?)');
  await goto(page, shared.inflectedUrl);
  const link = page.locator(`#results a[href="/staff/reports/${LABOUR}"]`);
  const name = await textOf(link);
  const response = await navigate(page, () => link.click());
  expectStatus(response, 200, 'open the result');
  expectPath(page, `/staff/reports/${LABOUR}`, 'the result link');
  assert.equal(await textOf(page.locator('h1')), name, 'the case view is not the report the result named');
  assert.ok(await page.locator('#case-facts').isVisible(), 'not the case view');
  const back = await page.goBack({ waitUntil: 'load' });
  if (back) expectStatus(back, 200, 'back to the results');
  expectPath(page, SEARCH, 'back');
  assert.equal(params(page).q, INFLECTED);
  assert.equal(await page.locator('#s-q').inputValue(), INFLECTED, 'back: the words are gone');
  assert.deepEqual((await results(page)).map((r) => r.id).sort(), [LABOUR, HOME].sort(), 'back: the results changed');
  await closeContext(context);
});

await step('4. JavaScript off: the kind filter "labour exploitation" leaves only the laundry report; the filter stays chosen', async () => {
  const context = await anaContext('4-ana');
  const page = await context.newPage();
  await goto(page, shared.inflectedUrl || `${SEARCH}?q=${INFLECTED}`);
  const options = await page.locator('#s-category option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(options.includes('labour_exploitation') && options.includes('domestic_servitude') && options[0] === '', `the kinds offered: ${options}`);
  await search(page, { q: INFLECTED, category: 'labour_exploitation', what: 'narrow to labour exploitation' });
  assert.equal(params(page).category, 'labour_exploitation');
  assert.deepEqual((await results(page)).map((r) => r.id), [LABOUR], 'the filter did not leave only the labour report');
  await expectRange(page, 'en', 1, 1);
  assert.equal(await page.locator('#s-category').inputValue(), 'labour_exploitation', 'the filter chosen is forgotten');
  assert.equal(await page.locator('#s-q').inputValue(), INFLECTED);
  // And back to any kind: both again.
  await search(page, { q: INFLECTED, category: '', what: 'any kind again' });
  assert.equal((await results(page)).length, 2, 'any kind does not give both reports back');
  await closeContext(context);
});

await step(`5. JavaScript off: "${HOTELS}" finds ${HOTEL.length} reports, ${PAGE_SIZE} on page 1 and the rest on page 2; the page links go there and back`, async () => {
  const context = await anaContext('5-ana');
  const page = await context.newPage();
  await goto(page, SEARCH);
  await search(page, { q: HOTELS });
  const first = await results(page);
  assert.equal(first.length, PAGE_SIZE, `page 1 has ${first.length} results`);
  await expectRange(page, 'en', 1, PAGE_SIZE);
  assert.equal(await page.locator('#page-previous').count(), 0, 'page 1 links to a previous page');
  assert.equal(await textOf(page.locator('#page-next')), t('en', 'staff-search-next'));
  assert.equal(await page.locator('nav.pages').getAttribute('aria-label'), t('en', 'staff-search-pages'));
  for (const result of first) expectMarks(result, ['hotel', 'hôtel'], `page 1, report ${result.id}`);
  const french = first.filter((r) => r.lang === 'fr');
  log(`# page 1: ${first.length} results (${french.length} French, e.g. "${(french[0] || first[0]).passage}")`);

  const next = await navigate(page, () => page.locator('#page-next').click());
  expectStatus(next, 200, 'more results');
  expectPath(page, SEARCH, 'more results');
  assert.equal(params(page).page, '2');
  assert.equal(params(page).q, HOTELS, 'page 2 forgot the words');
  assert.equal(await page.locator('#s-q').inputValue(), HOTELS);
  const second = await results(page);
  assert.equal(second.length, HOTEL.length - PAGE_SIZE, `page 2 has ${second.length} results`);
  await expectRange(page, 'en', PAGE_SIZE + 1, HOTEL.length);
  assert.equal(await page.locator('#page-next').count(), 0, 'the last page links to a next page');
  assert.equal(await textOf(page.locator('#page-previous')), t('en', 'staff-search-previous'));
  const all = [...first, ...second].map((r) => r.id);
  assert.equal(new Set(all).size, all.length, 'a report is on both pages');
  assert.deepEqual([...all].sort(), [...HOTEL].sort(), 'the two pages do not hold exactly the hotel reports');
  for (const result of second) expectMarks(result, ['hotel', 'hôtel'], `page 2, report ${result.id}`);
  assert.ok([...first, ...second].some((r) => r.lang === 'fr'), 'no French report (hôtel) among the results');

  const previous = await navigate(page, () => page.locator('#page-previous').click());
  expectStatus(previous, 200, 'previous results');
  assert.deepEqual((await results(page)).map((r) => r.id), first.map((r) => r.id), 'page 1 again is not page 1');
  await expectRange(page, 'en', 1, PAGE_SIZE);
  await closeContext(context);
});

await step(`6. JavaScript off: a bad date ("${BAD_DATE}") is refused with HTTP 422 and the message; the words, kind and dates typed are kept; a good date then searches`, async () => {
  const context = await anaContext('6-ana');
  const page = await context.newPage();
  await goto(page, SEARCH);
  assert.equal(await page.locator('#s-from').getAttribute('type'), 'date');
  // Chromium's date control only ever submits year-month-day, so it cannot be given a bad date.
  // Browsers without one show a text field there: the journey turns the field into one (this is
  // the harness changing the form, not a script of the page) and types what such a user might.
  await page.locator('#s-from').evaluate((input) => {
    input.type = 'text';
  });
  await page.locator('#s-from').fill(BAD_DATE);
  await page.locator('#s-to').fill(TODAY); // the date control: year-month-day
  await page.locator('#s-category').selectOption('labour_exploitation');
  await search(page, { q: INFLECTED, status: 422, what: 'search with a bad date' });
  assert.equal(params(page).from, BAD_DATE);
  assert.equal(params(page).to, TODAY, 'Chromium\'s date control did not send year-month-day');
  await expectMessage(page, 'en', 'staff-search-bad-date');
  assert.equal(await textOf(page.locator('h1')), t('en', 'staff-search-title'));
  // What was typed is kept.
  assert.equal(await page.locator('#s-q').inputValue(), INFLECTED, 'the words are gone');
  assert.equal(await page.locator('#s-category').inputValue(), 'labour_exploitation', 'the kind is gone');
  assert.equal(await page.locator('#s-to').inputValue(), TODAY, 'the good date is gone');
  assert.equal(await page.locator('#s-from').getAttribute('value'), BAD_DATE, 'the bad date is not sent back');
  // Chromium's date control cannot show text that is not a date: the field looks empty there.
  if ((await page.locator('#s-from').inputValue()) !== BAD_DATE) {
    notes.add(`Chromium's date control cannot display "${BAD_DATE}": the page sends it back, the field shows empty`);
  }
  // The bad field says it is wrong and why.
  assert.equal(await page.locator('#s-from').getAttribute('aria-invalid'), 'true', 'the bad date is not marked invalid');
  assert.equal(await page.locator('#s-from').getAttribute('aria-describedby'), 'search-message', 'the bad date does not point to the message');
  assert.equal(await page.locator('#s-to').getAttribute('aria-invalid'), null, 'the good date is marked invalid too');

  // Corrected with the date control: results, no message, nothing marked invalid.
  await page.locator('#s-from').fill(YESTERDAY);
  await search(page, { q: INFLECTED, what: 'search with a good date' });
  assert.equal(params(page).from, YESTERDAY);
  await expectMessage(page, 'en', null);
  assert.deepEqual((await results(page)).map((r) => r.id), [LABOUR], 'received since yesterday, labour exploitation');
  assert.equal(await page.locator('[aria-invalid="true"]').count(), 0, 'a field is still marked invalid');
  await closeContext(context);
});

await step(`7. JavaScript off: "${NOTHING}" finds nothing and says so; "${COMMON}" is too common and says so; the words stay in the field`, async () => {
  const context = await anaContext('7-ana');
  const page = await context.newPage();
  await goto(page, SEARCH);
  await search(page, { q: NOTHING });
  await expectMessage(page, 'en', 'staff-search-nothing');
  assert.equal(await page.locator('#s-q').inputValue(), NOTHING);
  await search(page, { q: COMMON });
  await expectMessage(page, 'en', 'staff-search-only-common-words');
  assert.equal(await page.locator('#s-q').inputValue(), COMMON);
  await closeContext(context);
});

await step(`8. JavaScript off: "${MARKUP_QUERY}" is searched as words; the query and the passage holding it show as text`, async () => {
  const context = await anaContext('8-ana');
  const page = await context.newPage();
  await goto(page, SEARCH);
  await search(page, { q: MARKUP_QUERY });
  assert.equal(params(page).q, MARKUP_QUERY);
  assert.equal(await page.locator('#s-q').inputValue(), MARKUP_QUERY, 'the query is not given back as typed');
  assert.equal(await page.locator('script').count(), 0, 'the page holds a script element');
  const found = await results(page);
  assert.deepEqual(found.map((r) => r.id), [MARKUP], `"${MARKUP_QUERY}" found ${JSON.stringify(found.map((r) => r.id))}`);
  const [result] = found;
  assert.ok(result.passage.includes(MARKUP_QUERY), `the passage does not show the markup as text: "${result.passage}"`);
  expectMarks(result, ['script', 'alert', '1'], 'the markup report');
  assert.ok(result.marks.includes('alert'), `"alert" is not marked: ${JSON.stringify(result.marks)}`);
  log(`# markup: the passage reads "${result.passage}", marks ${JSON.stringify(result.marks)}`);
  await closeContext(context);
});

await step('9. JavaScript on, axe-core WCAG 2.1 A/AA and 320 px: the search page empty, with results, with nothing found and with a bad date, in English, French, German and Dutch', async () => {
  assert.ok(shared.state, 'ana has no session (did step 1 fail?)');
  const context = await newContext(browser, '9-check', { bypassCSP: true, storageState: shared.state });
  const page = await context.newPage();
  const dialogs = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss().catch(() => {});
  });
  const language = async (code) => {
    await goto(page, SEARCH);
    await page.locator('#staff-language').selectOption(code);
    await submit(page, 'form[action="/staff/language"] button[type="submit"]', { at: '/staff', what: `switch to ${code}` });
    assert.equal(await htmlLang(page), code);
  };
  const open = async (lang, url, status = 200) => {
    await goto(page, url, status);
    assert.equal(await htmlLang(page), lang, `${url}: the page language`);
    assert.equal(await textOf(page.locator('h1')), t(lang, 'staff-search-title'), `${url}: the heading`);
  };
  for (const lang of LANGS) {
    await language(lang);

    await open(lang, SEARCH);
    await expectMessage(page, lang, null);
    assert.equal(await textOf(page.locator('label[for="s-q"]')), t(lang, 'staff-search-words'));
    await checkPage(`empty-${lang}`, page);

    await open(lang, `${SEARCH}?q=${HOTELS}`);
    assert.equal((await results(page)).length, PAGE_SIZE, `${lang}: the results`);
    await expectRange(page, lang, 1, PAGE_SIZE);
    assert.equal(await textOf(page.locator('#page-next')), t(lang, 'staff-search-next'));
    await checkPage(`results-${lang}`, page);

    await open(lang, `${SEARCH}?q=${NOTHING}`);
    await expectMessage(page, lang, 'staff-search-nothing');
    await checkPage(`nothing-${lang}`, page);

    await open(lang, `${SEARCH}?q=${INFLECTED}&from=${BAD_DATE}`, 422);
    await expectMessage(page, lang, 'staff-search-bad-date');
    await checkPage(`bad-date-${lang}`, page);
  }
  await language('en');

  // With scripts running and no CSP, markup in the query and in a passage still does nothing.
  await open('en', `${SEARCH}?q=${encodeURIComponent(MARKUP_QUERY)}`);
  assert.equal(await page.locator('script').count(), 0, 'the page holds a script element');
  assert.deepEqual((await results(page)).map((r) => r.id), [MARKUP]);
  await checkPage('markup-en', page);
  await open('en', `${SEARCH}?q=${HOTELS}&page=2`);
  await checkPage('page-2-en', page);
  assertNone(dialogs, 'a dialog opened');
  await closeContext(context);

  assertPagesClean(pageChecks);
  log(`# axe and 320 px: ${pageChecks.length} pages (${pageChecks.map((c) => c.name).join(', ')}), ${stats.axeRuns} axe runs, 0 violations, no sideways scroll`);
});

await step('10. no request left the tipline origin; only the staff cookie was set', async () => {
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
  `# ${stats.axePages} pages checked with axe at two widths (${stats.axeRuns} runs, ${stats.axeViolations} violations), ` +
    `${stats.narrowPages} at 320 px, ${stats.screenshots} screenshots, ${stats.totpWait.toFixed(1)} s waiting for a fresh TOTP step, ${seconds} s`,
);
log(steps.failures ? `# FAILED: ${steps.failures} step(s)` : '# all steps passed');
saveLog();
process.exit(steps.failures ? 1 : 0);
