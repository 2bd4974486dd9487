// Helpers shared by the browser journeys (journey.mjs, staff.mjs, followup.mjs, assessment.mjs,
// cluster.mjs, search.mjs): configuration from the environment, Chromium with no way out to the
// internet, contexts that record every request, the named-step runner and its log, Fluent text
// lookup, reading text and tables, axe-core, the 320 px layout check, screenshots and RFC 6238
// TOTP. Each script keeps its own state (contexts, requests, statistics) and passes it in;
// nothing here holds state of its own.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
export const here = path.dirname(fileURLToPath(import.meta.url));

export const LANGS = ['en', 'fr', 'de', 'nl'];
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
export const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const NARROW = { width: 320, height: 800 };
export const WIDE = { width: 1280, height: 800 };
/** A receipt: six groups of four Crockford base32 characters (no I, L, O, U). */
export const RECEIPT = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}$/;
export const NEUTRAL_PAGE = '<!doctype html><html lang="en"><title>Neutral</title><p id="neutral">Neutral page</p></html>';

// ---------------------------------------------------------------------------------------------
// Configuration.

/** The environment variable `name`; exits with status 2 when it is missing. */
export function env(script, name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${script}: set ${name} (see the comment at the top of e2e/${script}.mjs)`);
    process.exit(2);
  }
  return value;
}

/**
 * BASE_URL (given as `raw`), checked; ARTIFACTS_DIR, created; and the origin and host name of
 * the tipline. Exits with status 2 when BASE_URL is not a bare http(s) origin.
 */
export function configure(script, raw) {
  const BASE_URL = raw.replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+$/.test(BASE_URL)) {
    console.error(`${script}: set BASE_URL to the running tipline, e.g. BASE_URL=http://127.0.0.1:8080`);
    process.exit(2);
  }
  const ARTIFACTS_DIR = path.resolve(process.env.ARTIFACTS_DIR || path.join(here, 'artifacts'));
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return { BASE_URL, ARTIFACTS_DIR, ORIGIN: new URL(BASE_URL).origin, BASE_HOST: new URL(BASE_URL).hostname };
}

// ---------------------------------------------------------------------------------------------
// Translations, read from the same Fluent files the server compiles in, so assertions about
// visible text never hard-code a language. Only single-line messages; `{ $x }` is filled in.

export const MESSAGES = Object.fromEntries(
  LANGS.map((lang) => {
    const file = path.join(here, '..', 'locales', lang, 'main.ftl');
    const messages = {};
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const m = /^([A-Za-z0-9-]+) = (.*)$/.exec(line);
      if (m) messages[m[1]] = m[2];
    }
    return [lang, messages];
  }),
);

export const t = (lang, key, args = {}) => {
  const text = MESSAGES[lang][key];
  assert.ok(text, `locales/${lang}/main.ftl has no message ${key}`);
  return text.replace(/\{ *\$([a-z_]+) *\}/g, (_, name) => {
    assert.ok(name in args, `message ${key} needs $${name}`);
    return String(args[name]);
  });
};

// ---------------------------------------------------------------------------------------------
// TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30 s steps), computed from the key the page shows.

export const STEP_SECONDS = 30;

/** RFC 4648 base32, spaces and padding ignored. */
export function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    const index = alphabet.indexOf(c);
    assert.ok(index >= 0, `"${c}" is not a base32 character`);
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function totp(key, counterValue, digits = 6) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(counterValue));
  const mac = crypto.createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const number = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(number).padStart(digits, '0');
}

/** RFC 6238 appendix B (SHA-1, T = 59 s) and RFC 4648 test vectors, so a broken helper fails. */
export function checkTotpHelpers() {
  assert.equal(totp(Buffer.from('12345678901234567890'), Math.floor(59 / STEP_SECONDS), 8), '94287082');
  assert.equal(base32Decode('MZXW 6YTB OI').toString(), 'foobar');
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A code for `key` from the current 30-s step if at least 3 s of it are left, else from the next
 * one; the seconds spent waiting are added to `stats.totpWait` when `stats` is given.
 */
export async function freshCode(key, stats) {
  for (;;) {
    const now = Date.now() / 1000;
    const left = STEP_SECONDS - (now % STEP_SECONDS);
    if (left >= 3) return totp(key, Math.floor(now / STEP_SECONDS));
    if (stats) stats.totpWait += left;
    await sleep(left * 1000 + 50);
  }
}

// ---------------------------------------------------------------------------------------------
// Steps and bookkeeping.

/** Fails with `message` and the list when `list` is not empty. */
export function assertNone(list, message) {
  if (list.length > 0) assert.fail(`${message}:\n${list.map((l) => `  ${l}`).join('\n')}`);
}

/**
 * A log for a journey: `log(line)` prints the line and keeps it; `save()` writes every line kept
 * to `file` (e.g. ARTIFACTS_DIR/staff-journey.log).
 */
export function createLog(file) {
  const lines = [];
  return {
    log(line) {
      console.log(line);
      lines.push(line);
    },
    save() {
      fs.writeFileSync(file, `${lines.join('\n')}\n`);
    },
  };
}

/**
 * Fails when a request left the tipline at `baseUrl`: one aborted on the way out (listed in
 * `foreignRequests`) or any other in `requests` (`{ url, context }`) that is not on the origin.
 */
export function assertOnOrigin(baseUrl, requests, foreignRequests) {
  const outside = requests.filter((r) => !isOnOrigin(baseUrl, r.url));
  assertNone([...foreignRequests, ...outside.map((r) => `${r.context}: ${r.url}`)], 'requests left the tipline origin');
}

/**
 * Fails when a closed context of `contexts` kept a cookie other than the staff session cookie
 * (tipline_staff, path /staff, HttpOnly, SameSite=Strict).
 */
export function assertOnlyStaffCookie(contexts) {
  const cookies = contexts.flatMap((c) => (c.cookies || []).map((cookie) => ({ ...cookie, context: c.label })));
  const odd = cookies.filter((c) => c.name !== 'tipline_staff' || c.path !== '/staff' || !c.httpOnly || c.sameSite !== 'Strict');
  assertNone(odd.map((c) => `${c.context}: ${c.name} path=${c.path} httpOnly=${c.httpOnly} sameSite=${c.sameSite}`), 'unexpected cookies');
}

/** Closes a context opened through a script's `contexts` list, keeping its cookies for later checks. */
export async function closeContextIn(contexts, context) {
  const entry = contexts.find((c) => c.context === context);
  if (entry.cookies) return;
  entry.cookies = await context.cookies();
  await context.close();
}

/**
 * The named-step runner: `step(name, fn)` prints `ok - name (n s)` or `not ok - name` and the
 * reason (the stack too for errors that are not assertions, when `stacks`), then closes every
 * context still open so a failed step still has its cookies checked. `failures` counts.
 */
export function createSteps({ contexts, print = (line) => console.log(line), stacks = false }) {
  const runner = {
    failures: 0,
    async step(name, fn) {
      const started = Date.now();
      try {
        await fn();
        print(`ok - ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      } catch (error) {
        runner.failures += 1;
        print(`not ok - ${name}`);
        const text =
          stacks && error && error.stack && !(error instanceof assert.AssertionError)
            ? error.stack
            : error && error.message
              ? error.message
              : String(error);
        print(text.replace(/^/gm, '    '));
      } finally {
        for (const entry of contexts.filter((c) => !c.cookies)) await closeContextIn(contexts, entry.context).catch(() => {});
      }
    },
  };
  return runner;
}

// ---------------------------------------------------------------------------------------------
// Chromium, contexts and pages.

/** Debian's Chromium, headless; no host name resolves except `baseHost`. */
export function launch(baseHost) {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // Belt and braces: no host name resolves except the tipline's, so even a request the
      // script failed to intercept could not reach the internet.
      `--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${baseHost}`,
    ],
  });
}

/** Whether `url` is on the tipline at `baseUrl`. */
export const isOnOrigin = (baseUrl, url) => url === baseUrl || url.startsWith(`${baseUrl}/`);

/** Records every request the context makes in `requests` as `{ url, context: label }`. */
export function recordRequests(context, label, requests) {
  context.on('request', (request) => requests.push({ url: request.url(), context: label }));
}

/**
 * Opens a context (en-US, WIDE unless `options` say otherwise) for a staff journey: listed in
 * `contexts` as `{ label, context }`, every request recorded in `requests`, every request off
 * `baseUrl` aborted and listed in `foreignRequests`, so nothing leaves this machine.
 */
export async function newContextIn({ baseUrl, contexts, requests, foreignRequests }, browser, label, options = {}) {
  const context = await browser.newContext({ locale: 'en-US', viewport: WIDE, ...options });
  contexts.push({ label, context });
  recordRequests(context, label, requests);
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (isOnOrigin(baseUrl, url)) return route.continue();
    return blockForeign(route, label, url, foreignRequests);
  });
  return context;
}

/** Calls `found(response, value)` with the Set-Cookie header of every response (null if none). */
export function onSetCookie(context, found) {
  context.on('response', (response) => {
    response
      .headerValue('set-cookie')
      .then((value) => found(response, value))
      .catch(() => {});
  });
}

/** Aborts a request that would leave the machine and lists it in `foreignRequests`. */
export function blockForeign(route, label, url, foreignRequests) {
  foreignRequests.push(`${label}: ${url}`);
  return route.abort('blockedbyclient');
}

/** Fulfils a route with the tiny neutral page (the quick-exit stand-in). */
export function fulfilNeutral(route, headers) {
  const answer = { status: 200, contentType: 'text/html; charset=utf-8', body: NEUTRAL_PAGE };
  if (headers) answer.headers = headers;
  return route.fulfill(answer);
}

/** Runs `action` and waits for the navigation it starts; returns the main document's response. */
export async function navigate(page, action) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  assert.ok(response, `no response for the navigation to ${page.url()}`);
  return response;
}

/** Opens `url` (absolute, or a path on `baseUrl`) and expects HTTP `status`. */
export async function gotoOn(baseUrl, page, url, status = 200) {
  const response = await page.goto(url.startsWith('http') ? url : `${baseUrl}${url}`, { waitUntil: 'load' });
  assert.equal(response.status(), status, `GET ${url}: expected HTTP ${status}, got ${response.status()} at ${page.url()}`);
  return response;
}

export function expectStatus(response, status, what) {
  assert.equal(response.status(), status, `${what}: expected HTTP ${status}, got ${response.status()} at ${response.url()}`);
}

export const pathOf = (page) => new URL(page.url()).pathname;
export const htmlLang = (page) => page.evaluate(() => document.documentElement.lang);

export function expectPath(page, expected, what) {
  assert.equal(pathOf(page), expected, `${what}: expected to be at ${expected}, at ${page.url()}`);
}

/** Submits a form by clicking `selector`; expects to land on `at` with `status`. */
export async function submit(page, selector, { status = 200, at, what = `click ${selector}` } = {}) {
  const response = await navigate(page, () => page.locator(selector).click());
  expectStatus(response, status, what);
  if (at) expectPath(page, at, what);
  return response;
}

/** The quick-exit target the page names (data-exit-url), checked to be an absolute URL. */
export async function readExitUrl(page) {
  const exitUrl = await page.locator('#quick-exit').getAttribute('data-exit-url');
  assert.match(exitUrl || '', /^https?:\/\//, '#quick-exit has no data-exit-url');
  return exitUrl;
}

/**
 * A full-page screenshot to `file`; with `max`, cut at `max` px each way (Chromium cannot
 * capture more than 16,000 px).
 */
export async function screenshot(page, file, max) {
  const options = { path: file, fullPage: true };
  if (max) {
    const { width, height } = await page.evaluate(() => ({
      width: document.documentElement.scrollWidth,
      height: document.documentElement.scrollHeight,
    }));
    if (width > max || height > max) options.clip = { x: 0, y: 0, width: Math.min(width, max), height: Math.min(height, max) };
  }
  await page.screenshot(options);
}

/**
 * The journey's `screenshot(page, file)`: a full-page screenshot to `dir`/`file` (cut at `max`
 * px, if given), counted in `stats.screenshots`.
 */
export function screenshotIn(dir, stats, max) {
  return async (page, file) => {
    await screenshot(page, path.join(dir, file), max);
    stats.screenshots += 1;
  };
}

// ---------------------------------------------------------------------------------------------
// Reading pages.

/** Visible text, without the Unicode isolation marks Fluent puts around placeables, whitespace collapsed. */
export const clean = (text) => text.replace(/[\u2068\u2069]/g, '').replace(/\s+/g, ' ').trim();

/** The visible text of `locator`, cleaned (see `clean`). */
export const textOf = async (locator) => clean(await locator.innerText());

/** Rows of the table at `selector` as arrays of cell texts, cleaned (see `clean`). */
export async function tableRows(page, selector) {
  return page.locator(`${selector} tbody tr`).evaluateAll((rows) =>
    rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent.replace(/[\u2068\u2069]/g, '').replace(/\s+/g, ' ').trim())),
  );
}

// ---------------------------------------------------------------------------------------------
// axe-core and layout checks.

/** Injects axe-core into the page (needs a bypassCSP context). */
export async function injectAxe(page) {
  await page.addScriptTag({ content: AXE_SOURCE });
}

/**
 * Runs axe-core (already injected) with the WCAG 2.1 A/AA tags; asserts it ran more than ten
 * passing rules on `label`; returns each violation as `id [impact] help` and its nodes.
 */
export async function axeViolations(page, label) {
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  assert.ok(result.passes.length > 10, `axe ran only ${result.passes.length} passing rules on ${label}`);
  return result.violations.map((v) => {
    const nodes = v.nodes.map(
      (n) => `      ${JSON.stringify(n.target)}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, ' ')}` : ''}`,
    );
    return `${v.id} [${v.impact}] ${v.help}\n${nodes.join('\n')}`;
  });
}

/**
 * Where the quick exit is: `{ visible: false }` when it is not visible, else `{ visible: true,
 * inside, box }` with `inside` false when it sticks out of the `width`×`height` screen.
 */
export async function quickExitPlacement(page, { width, height }) {
  const exit = page.locator('#quick-exit');
  const box = await exit.boundingBox();
  if (!(await exit.isVisible()) || !box) return { visible: false };
  const inside = !(box.x < 0 || box.y < 0 || box.x + box.width > width || box.y + box.height > height);
  return { visible: true, inside, box };
}

/**
 * The staff pages' 320 px layout problems of the page open in `page` (already at 320 px): a
 * sideways scroll, elements sticking out, overflow hidden, tables outside a scrolling .table-wrap.
 */
export async function staffLayoutProblems(page, name) {
  const problems = [];
  const layout = await page.evaluate(() => {
    const root = document.documentElement;
    const width = root.clientWidth;
    const describe = (e) =>
      `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${typeof e.className === 'string' && e.className ? `.${e.className.trim().split(/\s+/).join('.')}` : ''}`;
    const wraps = [...document.querySelectorAll('.table-wrap')];
    return {
      scrollWidth: root.scrollWidth,
      bodyScrollWidth: document.body.scrollWidth,
      width,
      // Content clipped away instead of wrapped would hide it: the page must not hide overflow.
      hidden: [root, document.body, document.querySelector('main')]
        .filter((e) => e && ['hidden', 'clip'].includes(getComputedStyle(e).overflowX))
        .map(describe),
      wide: [...document.querySelectorAll('body *')]
        .filter((e) => !e.closest('.table-wrap') && e.getBoundingClientRect().right > width + 0.5)
        .filter((e) => getComputedStyle(e).position !== 'absolute' || e.getBoundingClientRect().left >= 0)
        .slice(0, 6)
        .map((e) => `${describe(e)} (right ${Math.round(e.getBoundingClientRect().right)})`),
      tables: [...document.querySelectorAll('table')].filter((table) => !table.closest('.table-wrap')).map(describe),
      wraps: wraps
        .filter((w) => getComputedStyle(w).overflowX !== 'auto' || w.getBoundingClientRect().right > width + 0.5)
        .map((w) => `${describe(w)} overflow-x ${getComputedStyle(w).overflowX}, right ${Math.round(w.getBoundingClientRect().right)}`),
    };
  });
  if (layout.scrollWidth > layout.width || layout.bodyScrollWidth > layout.width) {
    problems.push(`${name}: the page scrolls sideways at 320 px (scrollWidth ${layout.scrollWidth}); too wide: ${layout.wide.join(', ')}`);
  } else if (layout.wide.length) {
    problems.push(`${name}: elements stick out at 320 px: ${layout.wide.join(', ')}`);
  }
  if (layout.hidden.length) problems.push(`${name}: overflow-x hidden on ${layout.hidden.join(', ')} (content clipped, not reflowed)`);
  if (layout.tables.length) problems.push(`${name}: tables outside a .table-wrap: ${layout.tables.join(', ')}`);
  if (layout.wraps.length) problems.push(`${name}: .table-wrap that does not scroll on its own: ${layout.wraps.join(', ')}`);
  return problems;
}

/**
 * Checks the staff page open in `page` (a bypassCSP context) as `name`: axe-core at WIDE, then at
 * NARROW the layout (`staffLayoutProblems`, then `moreProblems(page, name)` if given), a
 * screenshot `<prefix>-<name>-320.png` (and `<prefix>-<name>-wide.png` first when
 * `wideScreenshot`) and axe-core again; back to WIDE. Adds `{ name, violations, narrow }` to
 * `pageChecks` (see `assertPagesClean`) and counts in `stats.axePages`, `.axeViolations`,
 * `.narrowPages` (and `.axeRuns` when the script keeps that count). `screenshot(page, file)` is
 * the script's own (see `screenshotIn`).
 */
export async function checkStaffPage(page, name, { pageChecks, stats, screenshot, prefix, wideScreenshot = false, moreProblems }) {
  const check = { name, violations: [], narrow: [] };
  pageChecks.push(check);
  await injectAxe(page);
  const runAxe = async (where) => {
    if ('axeRuns' in stats) stats.axeRuns += 1;
    for (const v of await axeViolations(page, name)) {
      stats.axeViolations += 1;
      check.violations.push(`${name} (${where}): ${v}`);
    }
  };
  stats.axePages += 1;
  await runAxe(`${WIDE.width} px`);
  if (wideScreenshot) await screenshot(page, `${prefix}-${name}-wide.png`);

  await page.setViewportSize(NARROW);
  stats.narrowPages += 1;
  check.narrow.push(...(await staffLayoutProblems(page, name)));
  if (moreProblems) check.narrow.push(...(await moreProblems(page, name)));
  await screenshot(page, `${prefix}-${name}-320.png`);
  await runAxe(`${NARROW.width} px`);
  await page.setViewportSize(WIDE);
}

/** Fails with every axe violation and 320 px problem that `checkStaffPage` put in `pageChecks`. */
export function assertPagesClean(pageChecks) {
  const violations = pageChecks.flatMap((c) => c.violations);
  const narrow = pageChecks.flatMap((c) => c.narrow);
  assertNone([...violations, ...narrow], `${violations.length} axe violations and ${narrow.length} problems at 320 px on ${pageChecks.length} pages`);
}
