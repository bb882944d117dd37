// Safehub browser and accessibility tests.
//
// Starts `$SAFEHUB_BIN demo` on a free loopback port with a throwaway SQLite
// database, signs in as each demo account, crawls the pages reachable from `/`
// and checks every page twice in headless Debian Chromium:
//   1. JavaScript disabled: the page loads (status < 400, except the deliberate
//      404), has exactly one <h1>, shows the GOV.UK header or service
//      navigation, has no inline <script>, and was served with a
//      Content-Security-Policy whose script-src does not allow 'unsafe-inline';
//   2. JavaScript enabled (CSP bypassed so axe can be injected): axe-core finds
//      no WCAG 2.0/2.1/2.2 A and AA violations.
// Exits non-zero if any check fails or any violation is found.
//
// Environment:
//   SAFEHUB_BIN        path to the safehub binary (required unless SAFEHUB_BASE_URL)
//   SAFEHUB_BASE_URL   test an already running server instead (e.g. http://127.0.0.1:8080)
//   SAFEHUB_MAX_PAGES  pages to crawl per account (default 40)
//   SAFEHUB_PER_PATTERN  pages per path pattern, IDs folded to ":id" (default 3)
//   SAFEHUB_RESULTS_DIR  where report.json and failure screenshots go
//                        (default web-assets/browser-tests/results)
//   CHROMIUM           browser executable (default /usr/bin/chromium)
//   SAFEHUB_READY_TIMEOUT  seconds to wait for GET /health/ready (default 120)
//   SAFEHUB_KEEP_TMP=1 keep the temporary directory (database, server log)
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRequire } from 'node:module';

import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = require('axe-core').source;

const here = dirname(fileURLToPath(import.meta.url));
const webAssets = resolve(here, '..');

// --- the contract with the server --------------------------------------------
const DEMO_PASSWORD = 'safehub-demo-password';
const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const ACCOUNTS = [
  { email: 'admin@demo.safehub.invalid', role: 'administrator' },
  { email: 'mash@demo.safehub.invalid', role: 'MASH worker' },
  { email: 'auditor@demo.safehub.invalid', role: 'QA auditor' },
  { email: 'practitioner@demo.safehub.invalid', role: 'referring practitioner' },
  { email: 'intelligence@demo.safehub.invalid', role: 'police intelligence officer' },
  { email: 'analyst@demo.safehub.invalid', role: 'police analyst' },
];
const SIGNED_OUT = 'signed-out';
const SKIP_PREFIXES = ['/sign-out', '/assets/', '/api/'];
const AXE_OPTIONS = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa'] },
  resultTypes: ['violations'],
};
const HEADER_SELECTOR = '.govuk-header, .govuk-generic-header, .govuk-service-navigation';

const MAX_PAGES = intEnv('SAFEHUB_MAX_PAGES', 40);
const PER_PATTERN = intEnv('SAFEHUB_PER_PATTERN', 3);
const READY_TIMEOUT_MS = intEnv('SAFEHUB_READY_TIMEOUT', 120) * 1000;
const MAX_SCREENSHOTS = 25;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const RESULTS_DIR = resolve(process.env.SAFEHUB_RESULTS_DIR || join(here, 'results'));
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function intEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number.parseInt(raw, 10);
  if (!Number.isFinite(n) || n < 1) throw new Error(`${name} must be a positive integer, not ${raw}`);
  return n;
}

function log(message) {
  console.error(`browser-tests: ${message}`);
}

// --- TOTP (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits) --------------------------
function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of text.replace(/=+$/, '').replace(/\s+/g, '').toUpperCase()) {
    const idx = alphabet.indexOf(ch);
    if (idx < 0) throw new Error(`invalid base32 character ${ch}`);
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function totp(secretBase32, timeMs = Date.now(), step = 30, digits = 6) {
  const counter = BigInt(Math.floor(timeMs / 1000 / step));
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(counter);
  const mac = createHmac('sha1', base32Decode(secretBase32)).update(msg).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(binary).padStart(digits, '0');
}

// A code for a fresh time step: wait out the end of a step so the code is not
// about to expire, and never use one account's step twice (servers should
// refuse a replayed code).
const lastTotpStep = new Map();
async function freshTotp(account) {
  for (;;) {
    const now = Date.now();
    const stepNo = Math.floor(now / 30_000);
    const msLeft = (stepNo + 1) * 30_000 - now;
    if (stepNo > (lastTotpStep.get(account) ?? -1) && msLeft > 3_000) {
      lastTotpStep.set(account, stepNo);
      return totp(DEMO_TOTP_SECRET, now);
    }
    await sleep(msLeft + 200);
  }
}

// --- server --------------------------------------------------------------------
function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

async function startServer(tmp) {
  const bin = process.env.SAFEHUB_BIN;
  if (!bin) throw new Error('set SAFEHUB_BIN to the safehub binary (or SAFEHUB_BASE_URL to a running server)');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    SAFEHUB_DATABASE_URL: `sqlite://${join(tmp, 'safehub.sqlite3')}`,
    SAFEHUB_ASSETS_DIR: join(webAssets, 'dist'),
  };
  const args = ['demo', '--listen', `127.0.0.1:${port}`];
  log(`starting ${bin} ${args.join(' ')}`);
  const child = spawn(bin, args, { env, cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => { output.stdout += d; });
  child.stderr.on('data', (d) => { output.stderr += d; });
  let exited = null;
  const exitedPromise = new Promise((res) => {
    child.on('exit', (code, signal) => { exited = { code, signal }; res(exited); });
    child.on('error', (err) => { exited = { error: err }; res(exited); });
  });

  const server = {
    baseUrl,
    output,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const done = await Promise.race([exitedPromise, sleep(10_000).then(() => null)]);
      if (!done) {
        log('server did not stop within 10 s of SIGTERM; sending SIGKILL');
        child.kill('SIGKILL');
        await exitedPromise;
      }
    },
    async writeLogs() {
      await writeFile(join(tmp, 'server.stdout.log'), output.stdout);
      await writeFile(join(tmp, 'server.stderr.log'), output.stderr);
    },
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (exited) {
      const how = exited.error ? exited.error.message : `code ${exited.code}, signal ${exited.signal}`;
      throw new ServerError(`server exited before it was ready (${how})`, output);
    }
    try {
      const res = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(5_000) });
      if (res.status === 200) {
        log(`server ready at ${baseUrl}`);
        return server;
      }
      lastProblem = `GET /health/ready answered ${res.status}`;
    } catch (err) {
      lastProblem = `GET /health/ready failed: ${err.cause?.code || err.message}`;
    }
    await sleep(250);
  }
  await server.stop();
  throw new ServerError(`server not ready after ${READY_TIMEOUT_MS / 1000} s (${lastProblem})`, output);
}

class ServerError extends Error {
  constructor(message, output) {
    super(message);
    this.output = output;
  }
}

// --- crawling --------------------------------------------------------------------
// Fold path segments that look like identifiers so /children/<uuid> and
// /children/<other uuid> count as one pattern.
function pathPattern(pathname) {
  return pathname
    .split('/')
    .map((seg) =>
      /^\d+$/.test(seg) ||
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(seg) ||
      /^[0-9A-HJKMNP-TV-Z]{26}$/i.test(seg) ||
      (seg.length >= 12 && /\d/.test(seg) && /^[A-Za-z0-9_-]+$/.test(seg))
        ? ':id'
        : seg,
    )
    .join('/');
}

class Frontier {
  constructor(origin, limit) {
    this.origin = origin;
    this.limit = limit;
    this.queue = [];
    this.seen = new Set();
    this.patternCount = new Map();
    this.queriedPatterns = new Set();
  }

  offer(href, base) {
    let url;
    try {
      url = new URL(href, base);
    } catch {
      return;
    }
    if (url.origin !== this.origin) return;
    url.hash = '';
    const path = url.pathname;
    if (SKIP_PREFIXES.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p))) return;
    const key = url.pathname + url.search;
    if (this.seen.has(key)) return;
    const pattern = pathPattern(path);
    if (url.search) {
      // Only the first link with a query string for each path pattern.
      if (this.queriedPatterns.has(pattern)) return;
      this.queriedPatterns.add(pattern);
    } else {
      const n = this.patternCount.get(pattern) || 0;
      if (n >= PER_PATTERN) return;
      this.patternCount.set(pattern, n + 1);
    }
    if (this.seen.size >= this.limit) return;
    this.seen.add(key);
    this.queue.push(key);
  }

  next() {
    return this.queue.shift();
  }
}

async function linksOf(page) {
  return page.$$eval('a[href]:not([download])', (as) => as.map((a) => a.getAttribute('href')));
}

// --- checks ---------------------------------------------------------------------
function cspProblems(headers) {
  const csp = headers['content-security-policy'];
  if (!csp) return ['no Content-Security-Policy header'];
  const directives = new Map();
  for (const part of csp.split(',').join(';').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), values);
  }
  const scriptSrc = directives.get('script-src') ?? directives.get('default-src');
  if (!scriptSrc) return ['CSP has neither script-src nor default-src'];
  if (scriptSrc.some((v) => v.toLowerCase() === "'unsafe-inline'")) {
    return [`CSP script-src allows 'unsafe-inline': ${csp}`];
  }
  return [];
}

async function checkPage(page, response, { expectStatus, expectErrorSummary } = {}) {
  const problems = [];
  if (!response) {
    problems.push('no response');
    return problems;
  }
  const status = response.status();
  if (expectStatus !== undefined) {
    const ok = typeof expectStatus === 'function' ? expectStatus(status) : status === expectStatus;
    if (!ok) problems.push(`unexpected status ${status}`);
  } else if (status >= 400) {
    problems.push(`status ${status}`);
  }
  problems.push(...cspProblems(await response.allHeaders()));
  const h1s = await page.locator('h1').count();
  if (h1s !== 1) problems.push(`${h1s} <h1> elements (want exactly 1)`);
  if ((await page.locator(HEADER_SELECTOR).count()) === 0) {
    problems.push('no .govuk-header, .govuk-generic-header or .govuk-service-navigation');
  }
  const inlineScripts = await page.locator('script:not([src])').count();
  if (inlineScripts > 0) {
    problems.push(`${inlineScripts} inline <script> element(s): pages must not rely on inline script`);
  }
  if (expectErrorSummary) {
    if ((await page.locator('.govuk-error-summary').count()) === 0) {
      problems.push('no .govuk-error-summary');
    }
    const title = await page.title();
    if (!title.startsWith('Error: ')) problems.push(`<title> "${title}" does not start with "Error: "`);
  }
  return problems;
}

async function runAxe(page) {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate((options) => window.axe.run(document, options), AXE_OPTIONS);
}

// Click a submit button and return the final main-frame document response.
async function submit(page, button) {
  const responses = [];
  const onResponse = (res) => {
    if (res.request().resourceType() === 'document' && res.frame() === page.mainFrame()) responses.push(res);
  };
  page.on('response', onResponse);
  try {
    await button.click();
    await page.waitForLoadState('load');
  } finally {
    page.off('response', onResponse);
  }
  const final = responses.filter((r) => r.status() < 300 || r.status() >= 400);
  return final.at(-1) ?? responses.at(-1) ?? null;
}

function pathOf(page) {
  const u = new URL(page.url());
  return u.pathname + u.search;
}

async function signIn(page, baseUrl, email) {
  await page.goto(`${baseUrl}/sign-in`);
  const form = page.locator('form:has(input[name="email"])');
  await form.locator('input[name="email"]').fill(email);
  await form.locator('input[name="password"]').fill(DEMO_PASSWORD);
  await submit(page, form.locator('button[type="submit"]').first());
  if (new URL(page.url()).pathname !== '/sign-in/second-factor') {
    throw new Error(`after email and password, expected /sign-in/second-factor but got ${pathOf(page)}`);
  }
  for (let attempt = 1; ; attempt++) {
    const code = await freshTotp(email);
    const codeForm = page.locator('form:has(input[name="code"])');
    await codeForm.locator('input[name="code"]').fill(code);
    await submit(page, codeForm.locator('button[type="submit"]').first());
    if (new URL(page.url()).pathname === '/') return;
    if (attempt >= 2 || new URL(page.url()).pathname !== '/sign-in/second-factor') {
      throw new Error(`after the second factor, expected / but got ${pathOf(page)}`);
    }
    log(`${email}: second factor refused, retrying with the next time step's code`);
  }
}

// --- results -----------------------------------------------------------------------
const results = []; // { account, path, label, status, problems[], violations[] | null }
let screenshotCount = 0;

function record(account, path, label) {
  let r = results.find((x) => x.account === account && x.path === path && x.label === label);
  if (!r) {
    r = { account, path, label, status: null, problems: [], violations: null };
    results.push(r);
  }
  return r;
}

async function screenshot(page, r, pass) {
  if (screenshotCount >= MAX_SCREENSHOTS) return;
  try {
    const file = join(RESULTS_DIR, `failure-${String(++screenshotCount).padStart(3, '0')}.png`);
    await page.screenshot({ path: file, fullPage: true });
    (r.screenshots ??= []).push(`${pass}: ${file}`);
  } catch {
    // best effort
  }
}

// Visit `path` in the JS-disabled page, check it, and return its links, or
// null if it is not an HTML page (a download or another kind of document),
// which is then left out of the results.
async function visitNoJs(page, baseUrl, account, path, opts = {}) {
  const r = record(account, path, opts.label);
  const skip = (why) => {
    results.splice(results.indexOf(r), 1);
    log(`${account}: skipped ${path} (${why})`);
    return null;
  };
  try {
    let response;
    try {
      response = await page.goto(baseUrl + path);
    } catch (err) {
      if (/Download is starting/i.test(err.message)) return skip('a download');
      throw err;
    }
    const type = response ? (await response.allHeaders())['content-type'] ?? '' : '';
    if (response && !/^text\/html\b/i.test(type) && !(opts.expectStatus || response.status() >= 400)) {
      return skip(`content-type ${type || 'missing'}`);
    }
    r.status = response?.status() ?? null;
    r.finalPath = pathOf(page);
    r.problems.push(...(await checkPage(page, response, opts)));
    if (r.problems.length) await screenshot(page, r, 'no-js');
    return await linksOf(page);
  } catch (err) {
    r.problems.push(`no-JS visit failed: ${err.message.split('\n')[0]}`);
    return [];
  }
}

async function visitAxe(page, baseUrl, account, path, opts = {}) {
  const r = record(account, path, opts.label);
  try {
    await page.goto(baseUrl + path);
    await axeInto(page, r);
  } catch (err) {
    r.problems.push(`axe visit failed: ${err.message.split('\n')[0]}`);
  }
}

async function axeInto(page, r) {
  const axe = await runAxe(page);
  r.violations = axe.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    targets: v.nodes.map((n) => n.target.join(' ')),
  }));
  if (r.violations.length) await screenshot(page, r, 'axe');
}

async function newContexts(browser) {
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const js = await browser.newContext({ javaScriptEnabled: true, bypassCSP: true });
  return { noJs, js, noJsPage: await noJs.newPage(), jsPage: await js.newPage() };
}

async function testSignedOut(browser, baseUrl) {
  const { noJs, js, noJsPage, jsPage } = await newContexts(browser);
  try {
    // The sign-in page.
    await visitNoJs(noJsPage, baseUrl, SIGNED_OUT, '/sign-in');
    await visitAxe(jsPage, baseUrl, SIGNED_OUT, '/sign-in');

    // The sign-in form submitted empty must show an error summary. A form
    // re-shown with errors may answer 200, 400 or 422.
    const label = 'empty submit';
    const emptyOpts = {
      label,
      expectStatus: (s) => s === 200 || s === 400 || s === 422,
      expectErrorSummary: true,
    };
    for (const [page, pass] of [[noJsPage, 'no-js'], [jsPage, 'axe']]) {
      const r = record(SIGNED_OUT, '/sign-in', label);
      try {
        await page.goto(`${baseUrl}/sign-in`);
        const form = page.locator('form:has(input[name="email"])');
        const response = await submit(page, form.locator('button[type="submit"]').first());
        if (pass === 'no-js') {
          r.status = response?.status() ?? null;
          r.finalPath = pathOf(page);
          r.problems.push(...(await checkPage(page, response, emptyOpts)));
          if (r.problems.length) await screenshot(page, r, pass);
        } else {
          await axeInto(page, r);
        }
      } catch (err) {
        r.problems.push(`${pass} empty submit failed: ${err.message.split('\n')[0]}`);
      }
    }

    // A page that does not exist.
    const nf = { label: 'not found', expectStatus: 404 };
    await visitNoJs(noJsPage, baseUrl, SIGNED_OUT, '/no-such-page', nf);
    await visitAxe(jsPage, baseUrl, SIGNED_OUT, '/no-such-page', nf);
  } finally {
    await noJs.close();
    await js.close();
  }
}

async function testAccount(browser, baseUrl, account) {
  const { noJs, js, noJsPage, jsPage } = await newContexts(browser);
  try {
    try {
      await signIn(noJsPage, baseUrl, account.email);
    } catch (err) {
      const r = record(account.email, '/sign-in', 'sign in');
      r.problems.push(`sign-in failed: ${err.message.split('\n')[0]}`);
      await screenshot(noJsPage, r, 'sign-in');
      return;
    }
    // One sign-in per account: the JS-enabled context reuses the session.
    await js.addCookies(await noJs.cookies());

    const frontier = new Frontier(new URL(baseUrl).origin, MAX_PAGES);
    frontier.offer('/', baseUrl);
    const visited = [];
    for (let path = frontier.next(); path !== undefined; path = frontier.next()) {
      const links = await visitNoJs(noJsPage, baseUrl, account.email, path);
      if (links === null) continue;
      visited.push(path);
      const r = record(account.email, path);
      if (new URL(noJsPage.url()).pathname === '/sign-in' && path !== '/sign-in') {
        r.problems.push('redirected to /sign-in: the session was lost');
        break;
      }
      for (const href of links) frontier.offer(href, noJsPage.url());
    }
    for (const path of visited) await visitAxe(jsPage, baseUrl, account.email, path);
    log(`${account.email} (${account.role}): ${visited.length} page(s)`);
  } finally {
    await noJs.close();
    await js.close();
  }
}

// The second factor's own pages, with an account that has never enrolled
// (`new.starter@`, seeded by the demo for this): enrolment with its QR code, a
// wrong code (error summary), the recovery codes page, then at the next sign-in
// the code page with a wrong code and the recovery-code page. Each form is
// submitted with JavaScript off; each page is also checked with axe.
const ENROLLING = 'new.starter@demo.safehub.invalid';

async function testSecondFactorPages(browser, baseUrl) {
  const { noJs, js, noJsPage, jsPage } = await newContexts(browser);
  const wrongCode = { expectStatus: (s) => s === 422, expectErrorSummary: true };
  const step = async (label, fn) => {
    const r = record(ENROLLING, label.split(' ')[0], label.split(' ').slice(1).join(' ') || undefined);
    try {
      await fn(r);
    } catch (err) {
      r.problems.push(`${label} failed: ${err.message.split('\n')[0]}`);
    }
  };
  const passwordStep = async (page) => {
    await page.goto(`${baseUrl}/sign-in`);
    const form = page.locator('form:has(input[name="email"])');
    await form.locator('input[name="email"]').fill(ENROLLING);
    await form.locator('input[name="password"]').fill(DEMO_PASSWORD);
    await submit(page, form.locator('button[type="submit"]').first());
  };
  const enterCode = async (page, code) => {
    const form = page.locator('form:has(input[name="code"])');
    await form.locator('input[name="code"]').fill(code);
    return submit(page, form.locator('button[type="submit"]').first());
  };
  try {
    await passwordStep(noJsPage);
    await step('/sign-in/enrol', async (r) => {
      if (new URL(noJsPage.url()).pathname !== '/sign-in/enrol') throw new Error(`expected /sign-in/enrol, got ${pathOf(noJsPage)}`);
      r.status = 200;
      r.problems.push(...(await checkPage(noJsPage, await noJsPage.goto(`${baseUrl}/sign-in/enrol`))));
      await js.addCookies(await noJs.cookies());
      await jsPage.goto(`${baseUrl}/sign-in/enrol`);
      await axeInto(jsPage, r);
    });
    await step('/sign-in/enrol wrong code', async (r) => {
      const response = await enterCode(noJsPage, '000000');
      r.status = response?.status() ?? null;
      r.problems.push(...(await checkPage(noJsPage, response, wrongCode)));
      await jsPage.goto(`${baseUrl}/sign-in/enrol`);
      await enterCode(jsPage, '000000');
      await axeInto(jsPage, r);
    });
    await step('/sign-in/enrol recovery codes', async (r) => {
      const key = (await jsPage.locator('.app-setup-key').innerText()).replace(/\s+/g, '');
      const response = await enterCode(jsPage, totp(key, Date.now()));
      r.status = response?.status() ?? null;
      r.problems.push(...(await checkPage(jsPage, response)));
      if (!(await jsPage.locator('.govuk-panel').count())) r.problems.push('no confirmation panel');
      await axeInto(jsPage, r);
    });
    // A fresh sign-in now asks for the code from the app.
    const again = await newContexts(browser);
    try {
      await passwordStep(again.noJsPage);
      await again.js.addCookies(await again.noJs.cookies());
      await step('/sign-in/second-factor wrong code', async (r) => {
        const response = await enterCode(again.noJsPage, '000000');
        r.status = response?.status() ?? null;
        r.problems.push(...(await checkPage(again.noJsPage, response, wrongCode)));
        await again.jsPage.goto(`${baseUrl}/sign-in/second-factor`);
        await enterCode(again.jsPage, '000000');
        await axeInto(again.jsPage, r);
      });
      await step('/sign-in/recovery-code', async (r) => {
        const response = await again.noJsPage.goto(`${baseUrl}/sign-in/recovery-code`);
        r.status = response?.status() ?? null;
        r.problems.push(...(await checkPage(again.noJsPage, response)));
        await again.jsPage.goto(`${baseUrl}/sign-in/recovery-code`);
        await axeInto(again.jsPage, r);
      });
    } finally {
      await again.noJs.close();
      await again.js.close();
    }
    log(`${ENROLLING}: second-factor pages checked`);
  } finally {
    await noJs.close();
    await js.close();
  }
}

// A step of a journey: `fn` loads a page in `page` (no JavaScript) and returns the
// response; the page is checked, then axe runs on it in the JS context: a GET page is
// loaded again there (`jsPage`); the answer to a POST (an error or a proposal) cannot be
// fetched again, so its HTML is put into a page of the same origin (`jsFor(page)`).
function stepper(baseUrl, account, jsFor) {
  return async (label, page, jsPage, fn) => {
    const r = record(account, label, undefined);
    try {
      const response = await fn();
      r.status = response?.status() ?? null;
      r.finalPath = pathOf(page);
      r.problems.push(...(await checkPage(page, response)));
      if (r.problems.length) await screenshot(page, r, 'no-js');
      const js = jsPage ?? jsFor(page);
      if (jsPage) {
        await js.goto(page.url());
      } else {
        await js.goto(`${baseUrl}/health/live`);
        await js.setContent(await page.content(), { waitUntil: 'load' });
      }
      await axeInto(js, r);
    } catch (err) {
      r.problems.push(`${label} failed: ${err.message.split('\n')[0]}`);
      await screenshot(page, r, 'no-js');
      throw err;
    }
  };
}

// --- the front door's journey (R2, R3) ---------------------------------------------
// A practitioner completes the screening tool for a child and submits it; the MASH
// worker opens the referral from the child's record, records the decision, reads the
// letter to the referrer, and finds the new time limit on their work tray. Every page
// on the way is checked without JavaScript and with axe-core.
const JOURNEY = 'journey';
const PRACTITIONER = 'practitioner@demo.safehub.invalid';
const MASH_WORKER = 'mash@demo.safehub.invalid';

async function testJourney(browser, baseUrl) {
  const practitioner = await newContexts(browser);
  const mash = await newContexts(browser);
  const step = stepper(baseUrl, JOURNEY, (page) =>
    page === practitioner.noJsPage ? practitioner.jsPage : mash.jsPage);
  const shareCookies = async (c) => c.js.addCookies(await c.noJs.cookies());
  try {
    const p = practitioner.noJsPage;
    await signIn(p, baseUrl, PRACTITIONER);
    await shareCookies(practitioner);
    // A child the practitioner's school works with.
    let childPath;
    await step('child record', p, practitioner.jsPage, async () => {
      await p.goto(`${baseUrl}/children`);
      const hrefs = await p.locator('a[href^="/children/"]').evaluateAll((as) =>
        as.map((a) => a.getAttribute('href')).filter((h) => /^\/children\/[0-9a-f-]{36}$/.test(h)));
      // The first child whose record lets this practitioner add a concern (a restriction
      // may hide the concerns of some).
      for (const href of hrefs.slice(0, 20)) {
        const response = await p.goto(baseUrl + href);
        if ((await p.locator('a', { hasText: 'Complete the CSE screening tool' }).count()) > 0) {
          childPath = href;
          return response;
        }
      }
      throw new Error('the practitioner may add a concern to none of the first 20 children');
    });
    await step('screening form', p, practitioner.jsPage, async () => {
      const link = p.locator('a', { hasText: 'Complete the CSE screening tool' });
      if ((await link.count()) === 0) throw new Error('no link to the screening tool on the child record');
      return submit(p, link.first());
    });
    await step('screening with no answers', p, null, async () => {
      await p.locator('textarea[name="signs_not_words"]').fill('Withdrawn; new phone; older friends collect her.');
      const response = await submit(p, p.locator('button', { hasText: 'Continue' }).first());
      if (response?.status() !== 422) throw new Error(`expected 422 for a screening with no answers, got ${response?.status()}`);
      if ((await p.locator('.govuk-error-summary').count()) === 0) throw new Error('no error summary');
      return { status: () => 200, allHeaders: () => response.allHeaders() };
    });
    await step('screening proposal', p, null, async () => {
      const names = await p.locator('input[type="radio"][value="yes"]').evaluateAll((is) => is.map((i) => i.name));
      const signs = names.filter((n) => n.startsWith('answer.sign.')).slice(0, 3);
      if (signs.length < 3) throw new Error('the tool shows fewer than three signs');
      for (const name of signs) {
        await p.locator(`input[name="${name}"][value="yes"]`).check();
        await p.locator(`textarea[name="evidence.${name.slice('answer.'.length)}"]`).fill('Seen by staff this week.');
      }
      await p.locator('input[name="adviser_consulted"]').fill('Demo designated safeguarding lead');
      const today = new Date();
      await p.locator('input[name="adviser_day"]').fill(String(today.getUTCDate()));
      await p.locator('input[name="adviser_month"]').fill(String(today.getUTCMonth() + 1));
      await p.locator('input[name="adviser_year"]').fill(String(today.getUTCFullYear()));
      const response = await submit(p, p.locator('button', { hasText: 'Continue' }).first());
      if ((await p.locator('input[name="category"]').count()) === 0) throw new Error(`no category choice at ${pathOf(p)}`);
      return response;
    });
    await step('screening submitted', p, practitioner.jsPage, async () => {
      if ((await p.locator('input[name="summary"]').count()) > 0) {
        await p.locator('input[name="summary"]').fill('Signs of exploitation seen at school');
      }
      const response = await submit(p, p.locator('button', { hasText: 'Submit to the MASH' }).first());
      if ((await p.locator('.govuk-panel').count()) === 0) throw new Error(`no confirmation panel at ${pathOf(p)}`);
      return response;
    });

    const m = mash.noJsPage;
    await signIn(m, baseUrl, MASH_WORKER);
    await shareCookies(mash);
    const signedInAs = (await m.locator('main').innerText()).match(/Signed in as (.+?), /)?.[1];
    if (!signedInAs) throw new Error('the home page does not say who is signed in');
    await step('MASH queue', m, mash.jsPage, () => m.goto(`${baseUrl}/mash`));
    await step('MASH referral', m, mash.jsPage, async () => {
      await m.goto(baseUrl + childPath);
      const hrefs = await m.locator('a[href^="/mash/referrals/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      const href = hrefs.find((h) => /^\/mash\/referrals\/[0-9a-f-]{36}$/.test(h));
      if (!href) throw new Error('the child record lists no referral for the MASH worker');
      // The newest referral is listed first.
      return m.goto(baseUrl + href);
    });
    await step('MASH decision with errors', m, null, async () => {
      const response = await submit(m, m.locator('button', { hasText: 'Record the decision' }).first());
      if (response?.status() !== 422) throw new Error(`expected 422 for an empty decision, got ${response?.status()}`);
      return { status: () => 200, allHeaders: () => response.allHeaders() };
    });
    await step('letter to the referrer', m, mash.jsPage, async () => {
      await m.locator('textarea[name="worries"]').fill('Older males waiting outside school.');
      await m.locator('textarea[name="working_well"]').fill('She talks to her form tutor.');
      await m.locator('textarea[name="needs_to_happen"]').fill('A discussion with police and school within 3 working days.');
      await m.locator('input[name="scale"]').fill('4');
      await m.locator('input[name="outcome"][value="early_help"]').check();
      await m.locator('textarea[name="reasons"]').fill('Signs seen together; early help with school first.');
      // The MASH worker leads the early help themselves, so its review lands on their tray.
      await m.locator('select[name="lead_worker"]').selectOption({ label: signedInAs });
      const response = await submit(m, m.locator('button', { hasText: 'Record the decision' }).first());
      if (!/\/letter$/.test(new URL(m.url()).pathname)) throw new Error(`expected the letter, got ${pathOf(m)}`);
      if (!(await m.locator('h1').innerText()).includes('Outcome of your referral')) throw new Error('not the letter');
      return response;
    });
    await step('clock on the work tray', m, mash.jsPage, async () => {
      const response = await m.goto(`${baseUrl}/work`);
      const childId = childPath.split('/').pop();
      const yours = m.locator('table[aria-labelledby="yours"]');
      if ((await yours.locator(`a[href="/children/${childId}"]`).count()) === 0
        || !(await yours.innerText()).includes('Early help plan review')) {
        throw new Error('the new time limit is not on the MASH worker\'s tray');
      }
      return response;
    });
    await step('chronology', m, mash.jsPage, () => m.goto(`${baseUrl}${childPath}/chronology`));
    log('journey: practitioner -> MASH -> letter -> work tray checked');
  } catch (err) {
    log(`journey stopped: ${err.message.split('\n')[0]}`);
  } finally {
    for (const c of [practitioner, mash]) {
      await c.noJs.close();
      await c.js.close();
    }
  }
}

// --- an analyst confirms a proposed link (R5.2) ---------------------------------------
// The police analyst opens the links the engine proposes, accepts the first, and finds the
// decision kept, with their name, on the subject's profile. Every page is checked without
// JavaScript and with axe-core.
const ANALYST_JOURNEY = 'analyst';
const ANALYST = 'analyst@demo.safehub.invalid';

async function testAnalystJourney(browser, baseUrl) {
  const analyst = await newContexts(browser);
  const step = stepper(baseUrl, ANALYST_JOURNEY, () => analyst.jsPage);
  try {
    const a = analyst.noJsPage;
    await signIn(a, baseUrl, ANALYST);
    await analyst.js.addCookies(await analyst.noJs.cookies());
    const signedInAs = (await a.locator('main').innerText()).match(/Signed in as (.+?), /)?.[1];
    if (!signedInAs) throw new Error('the home page does not say who is signed in');
    await step('subjects and networks', a, analyst.jsPage, () => a.goto(`${baseUrl}/intelligence/subjects`));
    let subject;
    await step('proposed links', a, analyst.jsPage, async () => {
      const response = await a.goto(`${baseUrl}/intelligence/links`);
      const accept = a.locator('button', { hasText: 'Accept the link' });
      if ((await accept.count()) === 0) throw new Error('the engine proposes no link to accept');
      subject = await a.locator('form:has(button:has-text("Accept the link")) input[name="a"]').first().inputValue();
      return response;
    });
    await step('link accepted', a, analyst.jsPage, async () => {
      const card = a.locator('.govuk-summary-card', { has: a.locator('button', { hasText: 'Accept the link' }) }).first();
      await card.locator('input[name="reason"]').fill('Same phone and car; seen together by officers');
      const response = await submit(a, card.locator('button', { hasText: 'Accept the link' }));
      if (new URL(a.url()).pathname !== '/intelligence/links') throw new Error(`expected the proposed links again, got ${pathOf(a)}`);
      return response;
    });
    await step('subject profile', a, analyst.jsPage, async () => {
      const response = await a.goto(`${baseUrl}/intelligence/subjects/${subject.replace('/', '.')}`);
      const kept = await a.locator('table[aria-labelledby="decisions"]').innerText();
      if (!kept.includes('Same person') || !kept.includes(signedInAs)
        || !kept.includes('Same phone and car; seen together by officers')) {
        throw new Error('the accepted link is not kept on the subject\'s profile');
      }
      if ((await a.locator('svg[role="img"]').count()) === 0) throw new Error('no network picture');
      return response;
    });
    await step('hotspots', a, analyst.jsPage, () => a.goto(`${baseUrl}/intelligence/hotspots`));
    log('analyst: proposed link accepted and kept on the subject\'s profile');
  } catch (err) {
    log(`analyst journey stopped: ${err.message.split('\n')[0]}`);
    record(ANALYST_JOURNEY, 'journey', 'stopped').problems.push(err.message.split('\n')[0]);
  } finally {
    await analyst.noJs.close();
    await analyst.js.close();
  }
}

function printReport() {
  const rows = results.map((r) => ({
    result: r.problems.length || r.violations === null || r.violations.length ? 'FAIL' : 'ok',
    status: r.status === null ? '-' : String(r.status),
    violations: r.violations === null ? '-' : String(r.violations.length),
    checks: String(r.problems.length),
    account: r.account,
    page: r.path + (r.label ? ` (${r.label})` : ''),
  }));
  const cols = ['result', 'status', 'violations', 'checks', 'account', 'page'];
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((row) => row[c].length)));
  const line = (row) => cols.map((c, i) => row[c].padEnd(widths[i])).join('  ').trimEnd();
  console.log(line(Object.fromEntries(cols.map((c) => [c, c]))));
  console.log(line(Object.fromEntries(cols.map((c, i) => [c, '-'.repeat(widths[i])]))));
  for (const row of rows) console.log(line(row));

  let failures = 0;
  for (const r of results) {
    const missingAxe = r.violations === null;
    if (!r.problems.length && !missingAxe && !r.violations.length) continue;
    failures++;
    console.log(`\n${r.path}${r.label ? ` (${r.label})` : ''} as ${r.account}` +
      (r.finalPath && r.finalPath !== r.path ? ` -> ${r.finalPath}` : ''));
    for (const p of r.problems) console.log(`  check failed: ${p}`);
    if (missingAxe && !r.problems.length) console.log('  check failed: axe did not run');
    for (const v of r.violations ?? []) {
      console.log(`  axe ${v.id} (${v.impact}): ${v.help}`);
      console.log(`    ${v.helpUrl}`);
      for (const t of v.targets) console.log(`    at ${t}`);
    }
    for (const s of r.screenshots ?? []) console.log(`  screenshot ${s}`);
  }
  const violations = results.reduce((n, r) => n + (r.violations?.length ?? 0), 0);
  const checks = results.reduce((n, r) => n + r.problems.length, 0);
  console.log(`\npages checked: ${results.length}; pages failing: ${failures}; ` +
    `axe violations: ${violations}; failed checks: ${checks}`);
  return failures;
}

async function main() {
  await rm(RESULTS_DIR, { recursive: true, force: true });
  await mkdir(RESULTS_DIR, { recursive: true });
  const tmp = await mkdtemp(join(tmpdir(), 'safehub-browser-tests-'));
  let server = null;
  let browser = null;
  let failures = 1;
  const stopOnSignal = async (sig) => {
    log(`${sig}: stopping`);
    await browser?.close().catch(() => {});
    await server?.stop().catch(() => {});
    process.exit(130);
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    let baseUrl = process.env.SAFEHUB_BASE_URL?.replace(/\/$/, '');
    if (!baseUrl) {
      server = await startServer(tmp);
      baseUrl = server.baseUrl;
    } else {
      log(`testing the running server at ${baseUrl}`);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    log(`browser: Chromium ${browser.version()}`);

    await testSignedOut(browser, baseUrl);
    for (const account of ACCOUNTS) await testAccount(browser, baseUrl, account);
    await testSecondFactorPages(browser, baseUrl);
    await testJourney(browser, baseUrl);
    await testAnalystJourney(browser, baseUrl);

    failures = printReport();
    await writeFile(join(RESULTS_DIR, 'report.json'), JSON.stringify({ baseUrl, results }, null, 2) + '\n');
    if (failures && server) {
      console.log('\n--- server stderr (last 200 lines) ---');
      console.log(server.output.stderr.split('\n').slice(-200).join('\n'));
    }
  } catch (err) {
    console.error(`browser-tests: ${err instanceof ServerError || /^set SAFEHUB_BIN/.test(err.message) ? err.message : err.stack}`);
    const output = err.output ?? server?.output;
    if (output) {
      console.error('--- server stdout ---\n' + output.stdout);
      console.error('--- server stderr ---\n' + output.stderr);
    }
    failures = 1;
  } finally {
    await browser?.close().catch(() => {});
    if (server) {
      await server.stop();
      await server.writeLogs().catch(() => {});
    }
    if (process.env.SAFEHUB_KEEP_TMP === '1') log(`kept ${tmp}`);
    else await rm(tmp, { recursive: true, force: true });
  }
  if (failures) console.log('browser tests: FAILED');
  else console.log('browser tests: all pages passed');
  process.exit(failures ? 1 : 0);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
