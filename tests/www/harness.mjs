// Shared by the replay page's end-to-end tests: the page served by the documented
// server (www/serve.py, on a free port), Debian's Chromium driven by playwright-core
// (never a downloaded browser), every request the page and its worker make recorded,
// screenshots saved as artifacts, and the native command line for expected output.
//
// Environment (set by tests/www/run.sh): WWW_TEST_TOOLS (where playwright-core is
// installed), WWW_SITE (the built page), WWW_ARTIFACTS (screenshots), WWW_CLI (the
// native command line), CHROMIUM (optional).

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = (name, fallback) => process.env[name] ?? fallback;
const TOOLS = env('WWW_TEST_TOOLS', path.join(ROOT, 'target/www-test-tools'));
export const SITE = env('WWW_SITE', path.join(ROOT, 'target/www'));
export const ARTIFACTS = env('WWW_ARTIFACTS', path.join(ROOT, 'target/www-artifacts'));
export const CLI = env('WWW_CLI', path.join(ROOT, 'target/release/dynamodb-scan-detector'));
export const SAMPLE = path.join(ROOT, 'pipeline-examples/data');
const CHROMIUM = env('CHROMIUM', ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

const { chromium } = createRequire(path.join(TOOLS, 'package.json'))('playwright-core');

/** Start www/serve.py on a free port; resolves `{url, stop}`. */
export async function serve() {
  const server = spawn('python3', [path.join(ROOT, 'www/serve.py'), '--no-build', '--quiet', '--port', '0', '--dir', SITE],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let seen = '';
    server.stdout.on('data', (d) => {
      seen += d;
      const match = /on (http:\/\/\S+\/)/.exec(seen);
      if (match) resolve(match[1]);
    });
    server.once('exit', (code) => reject(new Error(`serve.py exited (${code}) before serving`)));
  });
  const exited = new Promise((resolve) => server.once('exit', resolve));
  return { url, stop: async () => { server.kill(); await exited; } };
}

/**
 * Chromium with one page open on the replay page: `{browser, page, requests, url, close}`.
 * `requests` lists every URL the page or its worker asked for (Playwright sees both).
 */
export async function openPage({ width = 1280, height = 900, colorScheme = 'light' } = {}) {
  if (!CHROMIUM) throw new Error('chromium is not installed (apt-get install chromium), or set CHROMIUM');
  const server = await serve();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, chromiumSandbox: false });
  const context = await browser.newContext({ viewport: { width, height }, colorScheme, acceptDownloads: true });
  const requests = [];
  context.on('request', (request) => requests.push(request.url()));
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(server.url);
  try {
    await page.waitForSelector('body[data-detector="ready"]', { timeout: 30_000 });
  } catch (error) {
    const status = await page.textContent('#status').catch(() => '?');
    await browser.close();
    await server.stop();
    throw new Error(`the detector did not load: ${status} ${errors.join('; ')}`, { cause: error });
  }
  return {
    browser,
    page,
    requests,
    errors,
    url: server.url,
    async close() {
      await browser.close();
      await server.stop();
    },
  };
}

/** Wait until the replay ends; its final state ('complete', 'cancelled', 'failed'). */
export async function replayEnded(page, timeout = 120_000) {
  await page.waitForSelector('body[data-replay="complete"], body[data-replay="cancelled"], body[data-replay="failed"]',
    { timeout });
  return page.evaluate(() => document.body.dataset.replay);
}

/**
 * Every row key of a virtualised table, scrolling it from top to bottom (only the
 * visible rows are in the DOM), in display order.
 */
export async function tableKeys(page, hostSelector) {
  return page.evaluate(async (selector) => {
    const body = document.querySelector(`${selector} .vt-body`);
    const keys = new Map();
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    body.scrollTop = 0;
    for (;;) {
      await frame();
      for (const row of body.querySelectorAll('.vt-row[data-key]')) {
        keys.set(Number(row.getAttribute('aria-rowindex')), row.dataset.key);
      }
      if (body.scrollTop + body.clientHeight >= body.scrollHeight - 1) break;
      body.scrollTop += body.clientHeight / 2;
    }
    return [...keys.entries()].sort((a, b) => a[0] - b[0]).map((entry) => entry[1]);
  }, hostSelector);
}

/** The exact value of a counter (`data-stat`) of the last progress or result. */
export async function stat(page, key) {
  return Number(await page.getAttribute(`[data-stat="${key}"]`, 'data-value'));
}

/** Save a screenshot of the whole page as a test artifact. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Run the native command line: `{stdout, stats}` (alerts NDJSON, --stats counters). */
export function cli(args) {
  const run = spawnSync(CLI, ['--no-progress', '--stats', ...args], { maxBuffer: 1 << 30, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${CLI} ${args.join(' ')}: exit ${run.status}: ${run.stderr}`);
  const statsLine = run.stderr.split('\n').find((line) => line.startsWith('{'));
  return { stdout: run.stdout, stats: statsLine ? JSON.parse(statsLine) : null };
}

/** The `kibana.alert.uuid`s of alert NDJSON, in order. */
export function alertIds(ndjson) {
  return ndjson.split('\n').filter(Boolean).map((line) => JSON.parse(line)['kibana.alert.uuid']);
}

/** Assert that every recorded request stayed on the page's origin (blob: URLs are local). */
export function foreignRequests(requests, pageUrl) {
  const origin = new URL(pageUrl).origin;
  return requests.filter((url) => !url.startsWith('blob:') && !url.startsWith('data:') && new URL(url).origin !== origin);
}
