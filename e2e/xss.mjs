// The XSS corpus against every page that shows what reporters and staff typed, in Chromium with
// JavaScript on: once with the Content-Security-Policy as served, once with it bypassed. No
// payload may run. A positive control (a page this script serves itself on a loopback port,
// echoing payloads unescaped) must be caught, so the detector is known to work.
//
//     BASE_URL=http://127.0.0.1:8080 ARTIFACTS_DIR=e2e/artifacts XSS_PLAN=e2e/artifacts/xss-plan.json node e2e/xss.mjs
//
// `tests/it/xss.rs` starts the server, seeds the corpus (e2e/xss/payloads.txt) through every
// field, and writes the plan: the payloads (payload N at index N - 1), the report ids (twins
// first, in pairs), the conversation's report and receipt, and session cookies for a supervisor
// (sue) and an auditor (aud).
//
// The detector: an init script in every frame defines window.__xss(N) (every payload reports
// through it), replaces alert/confirm/prompt/print and listens for CSP violations; each reports
// through a binding. Dialogs, pop-ups, a main frame that navigates away and any request that
// leaves the tipline (lib.mjs aborts and lists those) count as hits too. Each page is inspected
// after its load event and a short settle.
//
// Prints one line per step, `ok - name` or `not ok - name` and the reason, then a summary. The
// exit code is 1 when any step failed. No test framework, only node:assert.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {
  assertNone,
  configure,
  createLog,
  createSteps,
  env as requireEnv,
  gotoOn,
  launch,
  navigate,
  newContextIn,
  sleep,
} from './lib.mjs';

const env = (name) => requireEnv('xss', name);
const { BASE_URL, ARTIFACTS_DIR, BASE_HOST } = configure('xss', env('BASE_URL'));
const plan = JSON.parse(fs.readFileSync(env('XSS_PLAN'), 'utf8'));
const PAYLOADS = plan.payloads;
/** Milliseconds to wait after a page's load event for late handlers (ontoggle, onbegin, focus). */
const SETTLE = 150;

const { log, save: saveLog } = createLog(path.join(ARTIFACTS_DIR, 'xss.log'));
const contexts = [];
const requests = [];
const foreignRequests = [];
const steps = createSteps({ contexts, print: log, stacks: true });
const tracking = { baseUrl: BASE_URL, contexts, requests, foreignRequests };

/** Every hit: { mode, page, kind, detail, href }. */
const hits = [];
/** Checks per page: { mode, page, shown } with the numbers of the payloads the page showed. */
const checked = [];

// ---------------------------------------------------------------------------------------------
// The detector.

/** Runs in every frame before the page's own scripts. */
function detector() {
  const report = (kind, detail) => {
    try {
      window.__xssReport(kind, String(detail), String(location.href));
    } catch {
      // the binding is missing in this frame: the page-level checks still see dialogs
    }
  };
  Object.defineProperty(window, '__xss', { value: (n) => report('call', n), configurable: false, writable: false });
  for (const name of ['alert', 'confirm', 'prompt', 'print']) {
    window[name] = (message) => report(name, message);
  }
  document.addEventListener('securitypolicyviolation', (e) =>
    report('csp', `${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} ${e.sample || ''}`),
  );
}

/** A context for `mode` ('csp' or 'bypass') with the detector, signed in as `who` if given. */
async function detectingContext(browser, mode, who) {
  const options = { bypassCSP: mode === 'bypass', javaScriptEnabled: true };
  const context = await newContextIn(tracking, browser, `${mode}-${who || 'reporter'}`, options);
  // Which mode and page a hit belongs to; the two modes run side by side.
  const where = { mode, page: '-' };
  context.where = where;
  if (who) {
    const url = new URL(BASE_URL);
    await context.addCookies([
      { name: 'tipline_staff', value: plan.cookies[who], domain: url.hostname, path: '/staff', httpOnly: true, sameSite: 'Strict' },
    ]);
  }
  await context.exposeBinding('__xssReport', (_source, kind, detail, href) => hits.push({ ...where, kind, detail, href }));
  await context.addInitScript(detector);
  context.on('page', (p) => {
    p.on('dialog', (d) => {
      hits.push({ ...where, kind: `dialog ${d.type()}`, detail: d.message(), href: p.url() });
      d.dismiss().catch(() => {});
    });
    p.on('popup', (popup) => hits.push({ ...where, kind: 'popup', detail: popup.url(), href: p.url() }));
  });
  return context;
}

/** The numbers of the payloads whose marker the page shows, in text or in attribute and form values. */
const MARKER = /xss(?:\(|&#0*40;|&#x0*28;)(\d+)|xss\.invalid\/(\d+)/gi;

/**
 * Waits for the page to settle, then records what it shows as `name` and fails the visit if the
 * main frame left `at` (a payload navigated it) or a request left the tipline.
 */
async function inspect(page, name, foreignBefore) {
  const where = page.context().where;
  where.page = name;
  await page.waitForLoadState('load');
  await sleep(SETTLE);
  const at = new URL(page.url());
  if (at.origin !== new URL(BASE_URL).origin) hits.push({ ...where, kind: 'navigation', detail: page.url(), href: page.url() });
  const blob = await page.evaluate(() => {
    const parts = [document.title, document.documentElement.textContent];
    for (const e of document.querySelectorAll('*')) {
      for (const a of e.attributes) parts.push(a.value);
      if ('value' in e && typeof e.value === 'string') parts.push(e.value);
    }
    return parts.join('\n');
  });
  const shown = new Set();
  for (const m of blob.matchAll(MARKER)) shown.add(Number(m[1] || m[2]));
  checked.push({ ...where, shown });
  for (const r of foreignRequests.slice(foreignBefore).filter((r) => r.startsWith(`${where.mode}-`))) hits.push({ ...where, kind: 'request left the tipline', detail: r, href: page.url() });
  return shown;
}

/** Opens `url` on the tipline and inspects it as `name`. */
async function visit(page, name, url, status = 200) {
  const t0 = Date.now();
  const before = foreignRequests.length;
  page.context().where.page = name;
  await gotoOn(BASE_URL, page, url, status);
  const shown = await inspect(page, name, before);
  const kind = name.replace(/ \d+$/, '');
  timing[kind] = (timing[kind] || 0) + (Date.now() - t0);
  return shown;
}
const timing = {};

/** Visits `url`, then every page its `next` link leads to; returns how many pages. */
async function visitPages(page, name, url, next) {
  let n = 1;
  await visit(page, `${name} 1`, url);
  for (;;) {
    const href = await page.locator(next).getAttribute('href').catch(() => null);
    if (!href || n >= 40) return n;
    n += 1;
    await visit(page, `${name} ${n}`, href);
  }
}

// ---------------------------------------------------------------------------------------------
// Packing the corpus into values the pages take.

/** Payloads packed in order into strings of at most `max` characters, joined by `sep`. */
function pack(list, max, sep) {
  const packs = [];
  let cur = '';
  for (const raw of list) {
    const p = raw.trim();
    if (!p || [...p].length > max) continue;
    if (cur && [...cur].length + sep.length + [...p].length > max) {
      packs.push(cur);
      cur = '';
    }
    cur = cur ? `${cur}${sep}${p}` : p;
  }
  if (cur) packs.push(cur);
  return packs;
}

const WHOLE = PAYLOADS.join('\n');

/** A multipart/form-data body: text fields, then files { name, bytes }. */
function multipart(fields, files) {
  const boundary = `----xss${Date.now().toString(16)}`;
  const chunks = [];
  for (const [name, value] of fields) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`), Buffer.from(value, 'utf8'), Buffer.from('\r\n'));
  }
  for (const f of files) {
    const fileName = f.name.replace(/"/g, '\\"');
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="${fileName}"\r\nContent-Type: image/png\r\n\r\n`, 'utf8'),
      f.bytes,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * File names carrying the corpus: a header cannot hold control characters, so payloads with them
 * are left out; the rest packed into names of at most 1,000 characters.
 */
const FILES = pack(PAYLOADS.filter((p) => !/[\u0000-\u001f\u007f]/.test(p)), 1000, ' ').map((name) => ({
  name,
  bytes: Buffer.from('not a picture'),
}));

/** Submits the form on `page` by clicking `button`, sending `body` instead of what the browser would. */
async function submitInstead(page, button, pathname, { body, contentType }) {
  const matcher = (url) => url.pathname === pathname;
  await page.route(matcher, (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    return route.continue({ postData: body, headers: { ...route.request().headers(), 'content-type': contentType } });
  });
  const response = await navigate(page, () => page.locator(button).click());
  await page.unroute(matcher);
  return response;
}

// ---------------------------------------------------------------------------------------------
// Every page, in one mode.

const staffPages = [];
const reporterPages = [];

async function staffSide(browser, mode) {
  const context = await detectingContext(browser, mode, 'sue');
  const page = await context.newPage();
  const n = await visitPages(page, 'queue', '/staff', '#queue-next');
  staffPages.push(`queue (${n} pages)`);
  for (const [i, id] of plan.reports.entries()) await visit(page, `case ${i}`, `/staff/reports/${id}`);
  staffPages.push(`case (${plan.reports.length} reports)`);
  for (let i = 0; i < plan.twins * 2; i += 2) await visit(page, `cluster ${i}`, `/staff/reports/${plan.reports[i]}/cluster`);
  staffPages.push(`cluster (${plan.twins} reports with twins)`);
  const s = await visitPages(page, 'search q=xss', '/staff/search?q=xss', '#page-next');
  staffPages.push(`search results (${s} pages)`);
  // The search words are cut at 200 characters: each page gets the first 200 of a pack of the
  // corpus as words, the whole pack as country and as a date (a date that is no date is refused,
  // 422, with the page shown again).
  const filters = pack(PAYLOADS, 2000, '\n');
  for (const [i, f] of filters.entries()) {
    const q = encodeURIComponent([...f].slice(0, 200).join(''));
    await visit(page, `search query ${i}`, `/staff/search?q=${q}&country=${encodeURIComponent(f)}&from=${encodeURIComponent(f)}`, 422);
  }
  staffPages.push(`search with the corpus as words, country and date (${filters.length})`);
  for (const [i, f] of filters.entries()) await visit(page, `queue filter ${i}`, `/staff?country=${encodeURIComponent(f)}&status=${encodeURIComponent(f)}`);
  staffPages.push(`queue with the corpus as filter (${filters.length})`);

  // The assessment page, then again with the corpus typed as the reason and "evaluate" pressed.
  const assess = `/staff/reports/${plan.conversation}/assessment?person=1&set=adult_labour`;
  await visit(page, 'assessment', assess);
  await page.locator('#status-NotAVictimOfTrafficking').check();
  await page.locator('#status-reason').fill(WHOLE);
  const before = foreignRequests.length;
  const evaluated = await navigate(page, () => page.locator('#evaluate').click());
  assert.equal(evaluated.status(), 200, 'evaluate with the corpus as reason');
  await inspect(page, 'assessment with the corpus as reason', before);
  staffPages.push('assessment (as shown, and with the reason typed)');
  await page.close();

  const audContext = await detectingContext(browser, mode, 'aud');
  const audPage = await audContext.newPage();
  await visit(audPage, 'audit', '/staff/audit');
  for (const [i, f] of filters.entries()) await visit(audPage, `audit filter ${i}`, `/staff/audit?user=${encodeURIComponent(f)}&report=${encodeURIComponent(f)}`);
  staffPages.push(`audit (and with the corpus as filters, ${filters.length})`);
}

async function reporterSide(browser, mode) {
  const context = await detectingContext(browser, mode, null);
  const page = await context.newPage();

  // The public form, refused (a spent form token) with the corpus in every field and as file names.
  await visit(page, 'report form', '/report?lang=en&category=labour_exploitation');
  const fields = [
    ['form_token', 'not-a-token'],
    ['lang', 'en'],
    ['category', 'labour_exploitation'],
    ['anonymous', 'no'],
    ...['narrative', 'country', 'city', 'venue', 'incident_date', 'people_count', 'victims_description', 'exploiters_description', 'phones', 'emails', 'websites', 'social_handles', 'vehicle_plates', 'contact_name', 'contact_email', 'contact_phone'].map((f) => [f, WHOLE]),
  ];
  let before = foreignRequests.length;
  const refused = await submitInstead(page, 'form button[type="submit"]', '/report', multipart(fields, FILES));
  assert.ok(refused.status() >= 400, `the spent token was accepted (HTTP ${refused.status()})`);
  await inspect(page, 'report form refused, corpus typed and as file names', before);

  // The thank-you page after a report whose fields hold payloads.
  await visit(page, 'report form again', '/report?lang=en&category=labour_exploitation');
  await page.locator('#narrative').fill(pack(PAYLOADS, 20000, '\n')[0]);
  await page.locator('#city').fill(pack(PAYLOADS, 300, ' ')[0]);
  before = foreignRequests.length;
  const sent = await navigate(page, () => page.locator('form button[type="submit"]').click());
  assert.equal(sent.status(), 200, 'the report with payloads was not accepted');
  assert.equal(await page.locator('#receipt').count(), 1, 'no receipt on the thank-you page');
  await inspect(page, 'thank-you page', before);

  // The follow-up sign-in, refused with the corpus as receipt, then with the real receipt.
  await visit(page, 'follow-up sign-in', '/followup?lang=en');
  await page.locator('#receipt').fill(WHOLE);
  before = foreignRequests.length;
  await navigate(page, () => page.locator('form button[type="submit"]').click());
  await inspect(page, 'follow-up sign-in refused, corpus typed', before);
  await page.locator('#receipt').fill(plan.receipt);
  await navigate(page, () => page.locator('form button[type="submit"]').click());
  assert.equal(new URL(page.url()).pathname, '/followup/report', `the receipt did not sign in (at ${page.url()})`);
  await inspect(page, 'follow-up status and conversation', foreignRequests.length);

  // The answer, refused (too long) with the corpus typed and as file names.
  const token = await page.locator('input[name="form_token"]').inputValue();
  const answer = multipart([['form_token', token], ['lang', 'en'], ['narrative', `${WHOLE}\n${'A'.repeat(plan.limits.message)}`]], FILES);
  before = foreignRequests.length;
  const tooLong = await submitInstead(page, '#send-message', '/followup/report/messages', answer);
  assert.ok(tooLong.status() >= 400, `the over-long answer was accepted (HTTP ${tooLong.status()})`);
  await inspect(page, 'follow-up answer refused, corpus typed and as file names', before);
  reporterPages.push('report form refused', 'thank-you page', 'follow-up sign-in refused', 'follow-up status and conversation', 'follow-up answer refused');
  await page.locator('#followup-sign-out').click().catch(() => {});
}

// ---------------------------------------------------------------------------------------------
// The positive control: payloads echoed unescaped, one frame each, on a loopback port of ours.

function controlServer() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://control');
    res.setHeader('content-type', 'text/html; charset=utf-8');
    const one = /^\/raw\/(\d+)$/.exec(url.pathname);
    if (one) {
      res.end(`<!doctype html><html><head><title>raw</title></head><body>${PAYLOADS[Number(one[1]) - 1] ?? ''}</body></html>`);
    } else if (url.pathname === '/') {
      res.end(`<!doctype html><title>control</title>${PAYLOADS.map((_, i) => `<iframe src="/raw/${i + 1}"></iframe>`).join('')}`);
    } else {
      res.statusCode = 404;
      res.end('');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// ---------------------------------------------------------------------------------------------

const started = Date.now();
const browser = await launch(BASE_HOST);
log(`# XSS corpus against ${BASE_URL}: ${PAYLOADS.length} payloads, ${plan.reports.length} reports`);

await step('1. positive control: a page echoing the corpus unescaped (CSP bypassed) is caught', async () => {
  const server = await controlServer();
  const origin = `http://127.0.0.1:${server.address().port}`;
  const context = await browser.newContext({ bypassCSP: true });
  contexts.push({ label: 'control', context });
  await context.route('**/*', (route) => (route.request().url().startsWith(origin) ? route.continue() : route.abort('blockedbyclient')));
  await context.exposeBinding('__xssReport', (_source, kind, detail, href) => hits.push({ mode: 'control', page: 'control', kind, detail, href }));
  await context.addInitScript(detector);
  const page = await context.newPage();
  page.on('dialog', (d) => d.dismiss().catch(() => {}));
  await page.goto(`${origin}/`, { waitUntil: 'load' });
  // Until no new hit for a second (at most 10 s): 405 frames load and fire at their own pace.
  for (let seen = -1, waited = 0; seen !== hits.length && waited < 10000; waited += 1000) {
    seen = hits.length;
    await sleep(1000);
  }
  const control = hits.filter((h) => h.mode === 'control');
  hits.splice(0, hits.length, ...hits.filter((h) => h.mode !== 'control'));
  const fired = new Set(control.filter((h) => h.kind === 'call').map((h) => Number(h.detail)));
  await context.close();
  server.close();
  // Script elements, handlers on img/svg/details/video, javascript: and srcdoc frames, SVG
  // script and animation, a javascript: link target.
  const canonical = [
    /^<script>__xss\(\d+\)<\/script>$/,
    /^<img src=x onerror=__xss\(\d+\)>$/,
    /^<svg onload=__xss\(\d+\)>$/,
    /^<details open ontoggle=__xss\(\d+\)>$/,
    /^<iframe src="javascript:__xss\(\d+\)"><\/iframe>$/,
    /^<iframe srcdoc="<script>__xss\(\d+\)<\/script>"><\/iframe>$/,
    /^<svg><script>__xss\(\d+\)<\/script><\/svg>$/,
    /^<svg><animate onbegin=__xss\(\d+\) attributeName=x dur=1s>$/,
    /^<video><source onerror=__xss\(\d+\)><\/video>$/,
  ];
  const must = PAYLOADS.map((p, i) => [p, i + 1]).filter(([p]) => canonical.some((re) => re.test(p)));
  assert.ok(must.length >= 9, 'the corpus lost its canonical payloads');
  assertNone(must.filter(([, n]) => !fired.has(n)).map(([p, n]) => `#${n} ${p}`), 'the detector missed payloads the control page runs');
  assert.ok(fired.size >= PAYLOADS.length / 4, `only ${fired.size} payloads fired on the control page`);
  log(`# positive control: ${fired.size} of ${PAYLOADS.length} payloads ran on the unescaped page (${control.length} hits)`);
});

/** One mode: every staff page and every reporter page; returns the failure message or null. */
async function runMode(mode) {
  const t0 = Date.now();
  await staffSide(browser, mode);
  await reporterSide(browser, mode);
  await sleep(SETTLE);
  const mine = hits.filter((h) => h.mode === mode);
  const name = (h) => {
    const m = /^(\d+)$/.exec(h.detail) || /xss(?:\(|&#0*40;)(\d+)/.exec(h.detail);
    const n = m ? Number(m[1]) : null;
    return n ? `payload #${n} ${JSON.stringify(PAYLOADS[n - 1].slice(0, 100))}` : h.detail.slice(0, 200);
  };
  assertNone(mine.map((h) => `${h.page}: ${h.kind}: ${name(h)} (at ${h.href})`), `${mode}: payloads ran`);
  const pages = checked.filter((c) => c.mode === mode);
  const checks = pages.reduce((sum, c) => sum + c.shown.size, 0);
  log(`# ${mode}: ${pages.length} pages, ${checks} payload×page checks, 0 hits, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

await step('2. every staff page and every reporter page shows the corpus inert, with the CSP as served and with it bypassed (side by side)', async () => {
  const results = await Promise.allSettled([runMode('csp'), runMode('bypass')]);
  const failed = results.filter((r) => r.status === 'rejected').map((r) => (r.reason && r.reason.message) || String(r.reason));
  log(`#   staff pages: ${[...new Set(staffPages)].join('; ')}`);
  log(`#   reporter pages: ${[...new Set(reporterPages)].join('; ')}`);
  log(`#   seconds per kind of page (both modes): ${Object.entries(timing).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', ')}`);
  assertNone(failed, 'a mode failed');
});

await step('3. the pages really showed the corpus: every payload on a case page, the conversation, the refused forms', async () => {
  const identifiable = new Set();
  for (const [i, p] of PAYLOADS.entries()) if ([...p.matchAll(MARKER)].some((m) => Number(m[1] || m[2]) === i + 1)) identifiable.add(i + 1);
  const union = (filter) => new Set(checked.filter(filter).flatMap((c) => [...c.shown]));
  const missing = (set) => [...identifiable].filter((n) => !set.has(n));
  for (const mode of ['csp', 'bypass']) {
    const of = (prefix) => union((c) => c.mode === mode && c.page.startsWith(prefix));
    for (const [prefix, need] of [
      ['case ', 'every'],
      ['follow-up status and conversation', 'every'],
      ['report form refused', 'every'],
      ['follow-up answer refused', 'every'],
      ['assessment with the corpus as reason', 'every'],
      ['search query', 'some'],
      ['cluster', 'some'],
      ['search q=xss', 'some'],
      ['audit filter', 'some'],
      ['queue filter', 'some'],
    ]) {
      const set = of(prefix);
      if (need === 'every') assertNone(missing(set).map((n) => `#${n}`), `${mode}: ${prefix} did not show these payloads`);
      else assert.ok(set.size > 0, `${mode}: ${prefix} showed no payload`);
    }
  }
  const checks = checked.reduce((sum, c) => sum + c.shown.size, 0);
  log(`# ${identifiable.size} of ${PAYLOADS.length} payloads identifiable on a page; ${checked.length} page loads; ${checks} payload×page checks in both modes`);
});

await browser.close();
log(`# ${((Date.now() - started) / 1000).toFixed(1)} s`);
log(steps.failures ? `# FAILED: ${steps.failures} step(s)` : '# all steps passed');
saveLog();
process.exit(steps.failures ? 1 : 0);

function step(name, fn) {
  return steps.step(name, fn);
}
