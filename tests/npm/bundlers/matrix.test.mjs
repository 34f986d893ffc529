// Each bundler builds app/ with the package README's recipe (recipes/), the bundle is
// served and loaded in headless Chromium, and the page's alerts must equal the command
// line's on the same input, byte for byte. Run through run.sh (it installs the pinned
// bundlers and the packed package, and writes the fixture and the expected alerts).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const TOOLS = process.env.BUNDLERS_TOOLS;
const HERE = process.env.BUNDLERS_HERE;
const README = process.env.BUNDLERS_README;
if (!TOOLS || !HERE || !README) throw new Error('run through tests/npm/bundlers/run.sh');
const PROJECTS = path.join(TOOLS, 'projects');
const FIXTURE = path.join(PROJECTS, 'fixture.ndjson');
const EXPECTED = readFileSync(path.join(PROJECTS, 'expected.ndjson'), 'utf8');
const RECIPES = path.join(HERE, 'recipes');
const CHROMIUM = process.env.CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser']
  .find((p) => existsSync(p));

/**
 * A fresh project directory for one bundler: the app, the recipe's files, and
 * node_modules (a link to the pinned bundlers and the unpacked package).
 */
function project(name, recipeFiles, app = 'app') {
  const dir = path.join(PROJECTS, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(HERE, app), dir, { recursive: true });
  for (const file of recipeFiles) cpSync(path.join(RECIPES, file), path.join(dir, file));
  symlinkSync(path.join(TOOLS, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** Runs a recipe's shell lines in `dir` (as a user types them), failing on any error. */
function runRecipe(dir, script) {
  execFileSync('bash', ['-euo', 'pipefail', path.join(RECIPES, script)], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

/** Serves `dir` as a static site (the MIME types a web server sends). */
async function serve(dir) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const file = path.join(dir, path.normalize(url.pathname === '/' ? '/index.html' : url.pathname));
    if (!file.startsWith(dir) || !existsSync(file)) return res.writeHead(404).end();
    res.setHeader('content-type', TYPES[path.extname(file)] ?? 'application/octet-stream');
    res.end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

/** Loads `url` in headless Chromium and returns what the page posted to its report address. */
async function loadInChromium(url) {
  assert.ok(CHROMIUM, 'chromium is not installed (apt-get install chromium), or set CHROMIUM');
  let resolveResult;
  const result = new Promise((r) => { resolveResult = r; });
  const reports = createServer((req, res) => {
    const chunks = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', () => {
      res.setHeader('access-control-allow-origin', '*');
      res.end('ok');
      resolveResult(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    });
  });
  await new Promise((r) => reports.listen(0, '127.0.0.1', r));
  const report = `http://127.0.0.1:${reports.address().port}/`;
  const profile = mkdtempSync(path.join(PROJECTS, 'chromium-'));
  const browser = spawn(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    `--user-data-dir=${profile}`, `${url}?report=${encodeURIComponent(report)}`,
  ], { stdio: 'ignore', detached: true });
  const exited = new Promise((r) => browser.once('exit', r));
  let timer;
  try {
    return await Promise.race([
      result,
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no report from ${url} in 60 s`)), 60_000); }),
    ]);
  } finally {
    clearTimeout(timer);
    try {
      process.kill(-browser.pid);
    } catch {
      // already gone
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000).unref())]);
    reports.closeAllConnections();
    reports.close();
  }
}

/** The page's report must be the command line's alerts, from a real Chromium. */
function assertAlerts(got, what) {
  assert.equal(got.error, undefined, `${what}: the page failed: ${got.error}`);
  assert.match(got.agent, /Chrome/);
  assert.equal(got.alerts, EXPECTED, `${what}: alerts differ from the command line's`);
}

async function checkBuild(dir, what) {
  const { server, url } = await serve(path.join(dir, 'dist'));
  try {
    assertAlerts(await loadInChromium(url), what);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

/** The static page around a bundle that is not built from index.html. */
function addPage(dir) {
  cpSync(path.join(HERE, 'app', 'index.html'), path.join(dir, 'dist', 'index.html'));
  cpSync(FIXTURE, path.join(dir, 'dist', 'fixture.ndjson'));
}

test('every recipe is in the package README, verbatim', () => {
  const readme = readFileSync(README, 'utf8');
  for (const file of readdirSync(RECIPES)) {
    const text = readFileSync(path.join(RECIPES, file), 'utf8');
    const fence = file.endsWith('.sh') ? 'sh' : 'js';
    assert.ok(readme.includes('```' + fence + '\n' + text + '```\n'), `recipes/${file} is not in ${README} as a ${fence} block`);
  }
  // Each recipe's heading names the version tested here.
  for (const [heading, pkg] of [['Vite', 'vite'], ['webpack', 'webpack'], ['Rollup', 'rollup'],
    ['esbuild', 'esbuild'], ['Parcel', 'parcel'], ['Next.js and other server-rendering frameworks', 'next']]) {
    const { version } = JSON.parse(readFileSync(path.join(TOOLS, 'node_modules', pkg, 'package.json'), 'utf8'));
    const minor = version.split('.').slice(0, 2).join('.');
    const line = readme.split('\n').find((l) => l.startsWith(`### ${heading} (tested: `));
    assert.ok(line, `no "### ${heading} (tested: …)" heading in ${README}`);
    assert.match(line, new RegExp(`tested: ${minor.replace('.', '\\.')}\\)$`), `${line}: the tests pin ${pkg} ${version}`);
  }
  const vite7 = JSON.parse(readFileSync(path.join(TOOLS, 'node_modules', 'vite7', 'package.json'), 'utf8')).version;
  assert.ok(readme.includes(`Vite 7 and older (tested: ${vite7.split('.').slice(0, 2).join('.')})`), `the README's Vite 7 note names another version than ${vite7}`);
});

test('Vite: production build', async () => {
  const dir = project('vite', ['vite.sh']);
  mkdirSync(path.join(dir, 'public'));
  cpSync(FIXTURE, path.join(dir, 'public', 'fixture.ndjson'));
  runRecipe(dir, 'vite.sh');
  await checkBuild(dir, 'vite build');
});

/** A free TCP port on 127.0.0.1 (for servers that cannot report the one they took). */
async function freePort() {
  const probe = createServer();
  await new Promise((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address();
  await new Promise((r) => probe.close(r));
  return port;
}

/**
 * Runs `command` in `dir` until `ready` matches its output, gives `use` the address it
 * serves, then stops it (its whole process group).
 */
async function withServer(dir, command, args, ready, use) {
  const child = spawn(command, args, {
    cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', NEXT_TELEMETRY_DISABLED: '1' },
  });
  try {
    const url = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`${command} did not start: ${out}`)), 60_000);
      const seen = (d) => {
        out += d;
        const m = ready.exec(out);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      };
      child.stdout.on('data', seen);
      child.stderr.on('data', seen);
      child.once('exit', (code) => reject(new Error(`${command} exited (${code}): ${out}`)));
    });
    await use(url);
  } finally {
    try {
      process.kill(-child.pid);
    } catch {
      // already gone
    }
  }
}

const bin = (dir, name) => path.join(dir, 'node_modules', '.bin', name);

// Vite 8's dev server as it is and with the README's setting for older ones, and
// Vite 7's with that setting (pinned as the package `vite7`; without it, Vite 7 serves
// the .wasm as HTML: "expected magic word 00 61 73 6d, found 3c 21 64 6f").
for (const [vite, config] of [['vite', []], ['vite', ['vite.config.js']], ['vite7', ['vite.config.js']]]) {
  test(`Vite${vite === 'vite7' ? ' 7' : ''}: dev server${config.length ? ' with the old-dev-server setting' : ''}`, async () => {
    const dir = project(`${vite}-dev${config.length ? '-config' : ''}`, config);
    mkdirSync(path.join(dir, 'public'));
    cpSync(FIXTURE, path.join(dir, 'public', 'fixture.ndjson'));
    const cli = path.join(dir, 'node_modules', vite, 'bin', 'vite.js');
    await withServer(dir, process.execPath, [cli, '--host', '127.0.0.1', '--port', String(await freePort())],
      /Local:\s+(http:\/\/127\.0\.0\.1:\d+\/)/, async (url) => {
        assertAlerts(await loadInChromium(url), 'vite dev server');
      });
  });
}

test('webpack', async () => {
  const dir = project('webpack', ['webpack.config.js', 'webpack.sh']);
  runRecipe(dir, 'webpack.sh');
  addPage(dir);
  await checkBuild(dir, 'webpack');
});

test('Rollup', async () => {
  const dir = project('rollup', ['rollup.config.mjs', 'rollup.sh']);
  runRecipe(dir, 'rollup.sh');
  addPage(dir);
  await checkBuild(dir, 'rollup');
});

test('esbuild', async () => {
  const dir = project('esbuild', ['esbuild.sh']);
  runRecipe(dir, 'esbuild.sh');
  addPage(dir);
  await checkBuild(dir, 'esbuild');
});

test('a server bundle (webpack, target node) of the Node entry runs from elsewhere', () => {
  const dir = project('server', []);
  cpSync(path.join(HERE, 'server'), dir, { recursive: true });
  execFileSync(bin(dir, 'webpack'), [], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  // Deployed without node_modules: only the output directory, somewhere else.
  const deployed = mkdtempSync(path.join(PROJECTS, 'deployed-'));
  cpSync(path.join(dir, 'dist'), deployed, { recursive: true });
  assert.ok(readdirSync(deployed).some((f) => f.endsWith('.wasm')), 'the bundler shipped the .wasm');
  const alerts = execFileSync(process.execPath, [path.join(deployed, 'server.js'), FIXTURE], {
    cwd: deployed, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
  assert.equal(alerts, EXPECTED);
});

test('Parcel', async () => {
  const dir = project('parcel', ['parcel.sh']);
  // Parcel resolves only what package.json declares, as `npm install` writes it.
  const { version } = JSON.parse(readFileSync(path.join(TOOLS, 'node_modules', 'dynamodb-scan-detector', 'package.json'), 'utf8'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true, dependencies: { 'dynamodb-scan-detector': version } }));
  runRecipe(dir, 'parcel.sh');
  cpSync(FIXTURE, path.join(dir, 'dist', 'fixture.ndjson'));
  await checkBuild(dir, 'parcel');
});

// A client page that imports the package statically is also rendered on the server,
// so the server bundle imports the package too; with the README's next.config.mjs.
for (const bundler of ['turbopack', 'webpack']) {
  test(`Next.js (${bundler}): a client page, built, started and loaded`, async () => {
    const dir = project(`next-${bundler}`, ['next.config.mjs'], 'next');
    mkdirSync(path.join(dir, 'public'));
    cpSync(FIXTURE, path.join(dir, 'public', 'fixture.ndjson'));
    const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NO_COLOR: '1' };
    execFileSync(bin(dir, 'next'), ['build', `--${bundler}`], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    const port = await freePort();
    await withServer(dir, bin(dir, 'next'), ['start', '-H', '127.0.0.1', '-p', String(port)],
      /(Ready in)/, async () => {
        assertAlerts(await loadInChromium(`http://127.0.0.1:${port}/`), `next ${bundler}`);
      });
  });
}
