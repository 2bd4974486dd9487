// Browser journey through the cluster view (/staff/reports/{id}/cluster) of a running tipline.
//
//     BASE_URL=http://127.0.0.1:8080 ARTIFACTS_DIR=e2e/artifacts PASSWORD='…' \
//     SETUP_ANA=… SETUP_SUE=… REPORT_ID=… MEMBER_IDS=…,… OUTSIDER_ID=… HIDDEN_ID=… \
//     node e2e/cluster.mjs
//
// `tests/it/browser.rs` (cluster_view_in_chromium_without_javascript) starts the server, creates
// an analyst (ana) and a supervisor (sue) with one-time set-up links, and files: REPORT_ID and
// the MEMBER_IDS sharing a phone number with it (two of them also share a venue whose name holds
// markup, and one is marked by hand as a duplicate of another), OUTSIDER_ID sharing nothing, and
// HIDDEN_ID sharing the phone number but restricted and assigned to sue. Then it runs this script.
//
// Drives a headless Chromium (playwright-core, Debian's /usr/bin/chromium) with JavaScript off
// through set-up and TOTP enrolment of both users, from the case view to its cluster: the SVG
// graph (an image with a title and a description, a link over each report node) and the tables that
// say the same; the hidden report is absent for ana and present for sue. With JavaScript on and
// the CSP as served, the page runs nothing and breaks no CSP rule (no inline style in the SVG).
// With the CSP bypassed only so that axe-core can be injected, checks the page with axe-core
// (WCAG 2.1 A/AA) and at 320 CSS px (the page never scrolls sideways, the graph fits), in
// English and German; and checks that no request leaves the tipline origin.
//
// Prints one line per step, `ok - name` or `not ok - name` followed by the reason, then a
// summary. The exit code is 1 when any step failed. No test framework, only node:assert.

import assert from 'node:assert/strict';
import path from 'node:path';
import {
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

const env = (name) => requireEnv('cluster', name);

const { BASE_URL, ARTIFACTS_DIR, ORIGIN, BASE_HOST } = configure('cluster', env('BASE_URL'));
const PASSWORD = env('PASSWORD');
const REPORT = env('REPORT_ID');
const MEMBERS = env('MEMBER_IDS').split(',');
const OUTSIDER = env('OUTSIDER_ID');
const HIDDEN = env('HIDDEN_ID');
const CROWDED = env('CROWDED_ID');
const CROWD = Number(env('CROWD'));
const LISTED = Number(env('LISTED'));
const USERS = {
  ana: { setup: env('SETUP_ANA') },
  sue: { setup: env('SETUP_SUE') },
};
for (const [name, user] of Object.entries(USERS)) {
  if (new URL(user.setup).origin !== ORIGIN) {
    console.error(`cluster: SETUP_${name.toUpperCase()} is not on ${ORIGIN}`);
    process.exit(2);
  }
}

const CASE = `/staff/reports/${REPORT}`;
const CLUSTER = `${CASE}/cluster`;
/** The short id the page shows for a report: its last eight characters. */
const short = (id) => id.slice(-8);

// ---------------------------------------------------------------------------------------------
// TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30 s steps), computed here from the key the page shows.

checkTotpHelpers();

// ---------------------------------------------------------------------------------------------
// Steps and bookkeeping.

// Everything printed, also saved to ARTIFACTS_DIR/cluster-journey.log.
const { log, save: saveLog } = createLog(path.join(ARTIFACTS_DIR, 'cluster-journey.log'));
const contexts = []; // every context opened: { label, context, cookies }
const requests = []; // every request any page made: { url, context }
const foreignRequests = []; // requests to another origin (aborted)
const pageChecks = []; // axe and 320 px results: { name, violations: [], narrow: [] }
const stats = { axePages: 0, axeViolations: 0, narrowPages: 0, screenshots: 0, totpWait: 0 };

const steps = createSteps({ contexts, print: log, stacks: true });
const step = steps.step;
const closeContext = (context) => closeContextIn(contexts, context);
const goto = (page, url, status) => gotoOn(BASE_URL, page, url, status);
const tracking = { baseUrl: BASE_URL, contexts, requests, foreignRequests };
/** A browser context that records requests and keeps everything on this machine. */
const newContext = (browser, label, options) => newContextIn(tracking, browser, label, options);
const screenshot = screenshotIn(ARTIFACTS_DIR, stats);

/** A context signed in as `name` (JavaScript off unless `options` say otherwise). */
function signedIn(browser, name, label, options = {}) {
  assert.ok(USERS[name].state, `${name} has no session (did step 1 fail?)`);
  return newContext(browser, label, { javaScriptEnabled: false, storageState: USERS[name].state, ...options });
}

/** The report ids the graph links to, in document order. */
const graphLinks = (page) =>
  page
    .locator('#cluster-graph a')
    .evaluateAll((links) => links.map((a) => a.getAttribute('href').replace(/^\/staff\/reports\//, '')));

/** At 320 px the graph itself scales down to the column: it never sticks out. */
async function graphProblems(page, name) {
  const graph = await page.evaluate(() => {
    const svg = document.getElementById('cluster-graph');
    if (!svg) return null;
    const box = svg.getBoundingClientRect();
    return { left: box.left, right: box.right, width: box.width, height: box.height, client: document.documentElement.clientWidth };
  });
  if (graph && (graph.right > graph.client + 0.5 || graph.left < 0 || graph.width < 200 || graph.height < 50)) {
    return [`${name}: the graph does not fit at 320 px: ${JSON.stringify(graph)}`];
  }
  return [];
}

/** Checks the page open in `page` (a bypassCSP context): axe wide and narrow, overflow, the graph, screenshots. */
const checkPage = (name, page) =>
  checkStaffPage(page, name, { pageChecks, stats, screenshot, prefix: 'cluster', wideScreenshot: true, moreProblems: graphProblems });

// ---------------------------------------------------------------------------------------------

const started = Date.now();
const browser = await launch(BASE_HOST);
log(`# tipline cluster journey against ${BASE_URL}, report ${REPORT}, artifacts in ${ARTIFACTS_DIR}`);

await step('1. JavaScript off: ana and sue open their set-up links, choose a password, enrol TOTP, land on the queue', async () => {
  for (const [name, user] of Object.entries(USERS)) {
    const context = await newContext(browser, `1-${name}`, { javaScriptEnabled: false });
    const page = await context.newPage();
    await goto(page, user.setup);
    assert.equal(await textOf(page.locator('h1')), t('en', 'staff-setup-title'), `${name}: not the set-up page`);
    await page.locator('#password').fill(PASSWORD);
    await page.locator('#confirm').fill(PASSWORD);
    await submit(page, '#save-password', { at: '/staff/enrol', what: `${name}: choose the password` });
    const secret = base32Decode(await textOf(page.locator('#totp-secret')));
    await page.locator('#code').fill(await freshCode(secret, stats));
    await submit(page, '#confirm-code', { at: '/staff', what: `${name}: confirm the code` });
    assert.equal(await textOf(page.locator('h1')), t('en', 'staff-queue-title'));
    user.state = await context.storageState();
    await closeContext(context);
  }
});

await step('2. JavaScript off: ana goes from the case view to its cluster; the graph and the tables show the connected reports, not the others', async () => {
  const context = await signedIn(browser, 'ana', '2-ana');
  const page = await context.newPage();
  await goto(page, CASE);
  assert.equal(await textOf(page.locator('#cluster-link')), t('en', 'cluster-link'));
  await submit(page, '#cluster-link', { at: CLUSTER, what: 'follow the link to the cluster' });
  assert.equal(await textOf(page.locator('h1')), t('en', 'cluster-title', { report: short(REPORT) }));

  const svg = page.locator('svg#cluster-graph');
  assert.equal(await svg.count(), 1, 'no graph');
  // The drawing is an image named by its title and described; the links lie over it, not in it.
  const picture = page.locator('svg#cluster-graph > svg#cluster-graph-picture');
  assert.equal(await picture.getAttribute('role'), 'img');
  assert.equal(await picture.getAttribute('aria-labelledby'), 'cluster-graph-title cluster-graph-desc');
  assert.equal(await picture.locator('a').count(), 0, 'a link inside the image');
  const names = await page.locator('#cluster-graph a > title').allTextContents();
  assert.ok(names.length > 0 && names.every((n) => n.startsWith('Report ')), `link names: ${JSON.stringify(names)}`);
  assert.equal(
    await page.locator('#cluster-graph-title').textContent(),
    t('en', 'cluster-graph-title', { report: short(REPORT) }),
  );
  assert.match(await svg.getAttribute('viewBox'), /^0 0 480 \d+(\.\d)?$/);
  assert.equal(await page.locator('#cluster-graph [style], #cluster-graph style, #cluster-graph script').count(), 0, 'style or script in the SVG');

  const linked = await graphLinks(page);
  assert.deepEqual([...linked].sort(), [REPORT, ...MEMBERS].sort(), 'the graph links exactly the report and the members');
  const rows = await tableRows(page, '#cluster-reports');
  assert.deepEqual(rows.map((r) => r[0].split(' ')[0]).sort(), [REPORT, ...MEMBERS].map(short).sort(), 'the reports table');
  assert.ok(rows.some((r) => r[0] === `${short(REPORT)} (${t('en', 'cluster-this-report')})`), 'the report itself is marked');
  const main = await textOf(page.locator('main'));
  for (const [what, id] of [['the outsider', OUTSIDER], ['the restricted report of someone else', HIDDEN]]) {
    assert.ok(!main.includes(short(id)), `${what} shows for ana`);
    assert.equal(await page.locator(`a[href="/staff/reports/${id}"]`).count(), 0, `${what} is linked for ana`);
  }
  const identifiers = await tableRows(page, '#cluster-identifiers');
  assert.ok(identifiers.some((r) => r[0] === t('en', 'identifier-kind-phone') && r[1].includes('621 123 456')), `identifiers: ${JSON.stringify(identifiers)}`);
  assert.ok(identifiers.some((r) => r[1].includes('<script>window.__pwned=1</script>')), 'the venue with markup is shown as text');
  const manual = await textOf(page.locator('#cluster-manual'));
  assert.ok(manual.includes(t('en', 'cluster-manual-duplicate')), `links made by hand: ${manual}`);
  assert.equal(await page.locator('#cluster-graph path').count(), 1, 'one arc for the link made by hand');

  // A report in the table leads to its case view.
  const member = MEMBERS[0];
  await submit(page, `#cluster-reports a[href="/staff/reports/${member}"]`, { at: `/staff/reports/${member}`, what: 'open a member from the table' });
  await closeContext(context);
});

await step('3. JavaScript off: sue, who may see the restricted report, finds it in the graph', async () => {
  const context = await signedIn(browser, 'sue', '3-sue');
  const page = await context.newPage();
  await goto(page, CLUSTER);
  const linked = await graphLinks(page);
  assert.ok(linked.includes(HIDDEN), 'the restricted report is missing for its assignee');
  assert.ok(!linked.includes(OUTSIDER), 'the outsider is in the graph');
  await closeContext(context);
});

await step('4. JavaScript on with the CSP as served: the cluster page runs nothing and breaks no CSP rule', async () => {
  const context = await signedIn(browser, 'ana', '4-ana', { javaScriptEnabled: true });
  const page = await context.newPage();
  const messages = [];
  page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => messages.push(`pageerror: ${e}`));
  page.on('dialog', (d) => {
    messages.push(`dialog: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  await goto(page, CLUSTER);
  await page.waitForLoadState('networkidle');
  const seen = await page.evaluate(() => ({
    pwned: window.__pwned,
    scripts: document.querySelectorAll('script').length,
    styled: document.querySelectorAll('[style]').length,
  }));
  assert.equal(seen.pwned, undefined, 'a payload ran');
  assert.equal(seen.scripts, 0, 'script elements in the DOM');
  assert.equal(seen.styled, 0, 'style attributes in the DOM');
  assertNone(messages.filter((m) => /Content Security Policy|Refused to|pageerror|dialog/.test(m)), 'the page broke the CSP or ran something');
  await closeContext(context);
});

await step('5. axe-core WCAG 2.1 A/AA and 320 px: the cluster page in English and German, a report alone, and a case view whose phone number is in more reports than it lists', async () => {
  const context = await signedIn(browser, 'ana', '5-check', { javaScriptEnabled: true, bypassCSP: true });
  const page = await context.newPage();
  const language = async (code) => {
    await goto(page, '/staff');
    await page.locator('#staff-language').selectOption(code);
    await submit(page, 'form[action="/staff/language"] button[type="submit"]', { at: '/staff', what: `switch to ${code}` });
  };
  await goto(page, CLUSTER);
  await checkPage('en', page);
  await goto(page, `/staff/reports/${OUTSIDER}/cluster`);
  assert.equal(await textOf(page.locator('#cluster-none')), t('en', 'cluster-none'));
  await checkPage('alone', page);
  // A phone number in more reports than the case view lists: the latest are listed, all counted.
  await goto(page, `/staff/reports/${CROWDED}`);
  assert.equal(await page.locator('#related-reports > li').count(), LISTED, 'the related reports listed');
  const crowded = await textOf(page.locator('#related-crowded'));
  assert.ok(crowded.includes(t('en', 'related-crowded', { count: CROWD - 1, listed: LISTED })), `the count: ${crowded}`);
  await checkPage('crowded case', page);
  await language('de');
  await goto(page, CLUSTER);
  assert.equal(await textOf(page.locator('h1')), t('de', 'cluster-title', { report: short(REPORT) }));
  await checkPage('de', page);
  await language('en');
  await closeContext(context);

  assertPagesClean(pageChecks);
  log(`# axe and 320 px: ${pageChecks.length} pages (${pageChecks.map((c) => c.name).join(', ')}), 0 violations`);
});

await step('6. no request left the tipline origin; only the staff cookie was set', async () => {
  assertOnOrigin(BASE_URL, requests, foreignRequests);
  assert.ok(requests.length > 10, `only ${requests.length} requests were recorded`);
  assert.ok(contexts.every((c) => c.cookies), 'a context was not closed');
  assertOnlyStaffCookie(contexts);
  log(`# ${requests.length} requests in ${contexts.length} contexts, all to ${ORIGIN}`);
});

await browser.close();
const seconds = ((Date.now() - started) / 1000).toFixed(1);
log(
  `# ${stats.axePages} pages checked with axe at two widths (${stats.axeViolations} violations), ` +
    `${stats.narrowPages} at 320 px, ${stats.screenshots} screenshots, ${stats.totpWait.toFixed(1)} s waiting for a fresh TOTP step, ${seconds} s`,
);
log(steps.failures ? `# FAILED: ${steps.failures} step(s)` : '# all steps passed');
saveLog();
process.exit(steps.failures ? 1 : 0);
