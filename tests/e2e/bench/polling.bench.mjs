// Polling benchmark: 10 jobs in flight against the simulator, in the built studio, in Chromium,
// over REST and then over WebSocket. The simulator pushes nothing (as Runware): results reach the
// page only by polling.
//
// Reports how many getResponse requests the studio sends per minute while the jobs run (the goal
// is at most 15; polling each job every 2 s, as Runware's JS SDK does, would send 300), and the
// delay from a result being ready at the simulator (its log line) to its video being in the page
// (the <video> element, goal p90 <= 3 s) and playable (its `loadeddata`). Figures only: nothing
// here fails on a timing. Last line: `BENCH_JSON {...}` for `cargo xtask bench`.
//
// Environment: KS_ROOT, KS_DIST (built app), KS_SIM_BIN (simulator), CHROMIUM; KS_BENCH_JOBS
// (default 10), KS_BENCH_DELAY (simulator result delay, default 30s..90s), KS_BENCH_TRANSPORT
// (`rest` or `ws` for one transport only; both by default).
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { freePort, waitFor } from './common.mjs';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';

const root = process.env.KS_ROOT ?? resolve(import.meta.dirname, '../../..');
const dist = process.env.KS_DIST ?? resolve(root, 'dist');
const simBin = process.env.KS_SIM_BIN ?? resolve(root, 'target/debug/runware-sim');
const jobCount = Number(process.env.KS_BENCH_JOBS ?? 10);
const delay = process.env.KS_BENCH_DELAY ?? '30s..90s';
const transports = process.env.KS_BENCH_TRANSPORT ? [process.env.KS_BENCH_TRANSPORT === 'ws' ? 'ws' : 'rest'] : ['rest', 'ws'];
let children = [];

function start(cmd, args, onLine) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  if (onLine) createInterface({ input: child.stderr }).on('line', onLine);
  else child.stderr.resume();
  return child;
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { n: s.length, p50: at(0.5), p90: at(0.9), max: s[s.length - 1], mean: s.reduce((a, b) => a + b, 0) / s.length };
};

async function run(transport) {
  const [simPort, webPort] = [await freePort(), await freePort()];
  // When each result became ready, by videoUUID, from the simulator's JSON log.
  const ready = new Map();
  start(simBin, ['--host', '127.0.0.1', '--port', String(simPort), '--delay', delay, '--log-format', 'json'], (line) => {
    if (!line.includes('"result ready"')) return;
    try {
      const entry = JSON.parse(line);
      const uuid = entry.fields?.video_uuid ?? entry.video_uuid;
      const stamp = Date.parse(entry.timestamp);
      if (uuid) ready.set(uuid, Number.isFinite(stamp) ? stamp : Date.now());
    } catch {
      /* not JSON */
    }
  });
  const sim = `http://127.0.0.1:${simPort}`;
  start('node', [resolve(import.meta.dirname, '../serve.mjs'), dist, String(webPort), '/', sim]);
  await Promise.all([waitFor(`${sim}/healthz`), waitFor(`http://127.0.0.1:${webPort}/`)]);

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'],
  });
  const page = await browser.newPage();
  // Record, in the page, when each video element appears and when it can first play.
  await page.addInitScript(() => {
    window.__videos = {};
    const uuid = (src) => (src.match(/\/videos\/([0-9a-f-]{36})/) ?? [])[1];
    const now = () => performance.timeOrigin + performance.now();
    new MutationObserver(() => {
      for (const v of document.querySelectorAll('video[src]')) {
        const id = uuid(v.src);
        if (id && !window.__videos[id]) window.__videos[id] = { shown: now() };
      }
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['src'] });
    document.addEventListener('loadeddata', (e) => {
      const id = uuid(e.target.src ?? '');
      if (id && window.__videos[id] && !window.__videos[id].playable) window.__videos[id].playable = now();
    }, true);
  });
  const polls = [];
  const notePoll = (body) => {
    if (body.includes('"getResponse"')) polls.push({ at: Date.now(), tasks: (body.match(/"getResponse"/g) ?? []).length });
  };
  page.on('request', (req) => {
    if (req.method() === 'POST' && new URL(req.url()).pathname === '/v1') notePoll(req.postData() ?? '');
  });
  page.on('websocket', (ws) => ws.on('framesent', (f) => notePoll(typeof f.payload === 'string' ? f.payload : '')));
  await page.goto(`http://127.0.0.1:${webPort}/`);
  if (transport === 'ws') {
    await page.getByText('Connection', { exact: true }).click();
    await page.getByLabel('Transport').selectOption('ws');
  }
  const frame = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 640;
    c.height = 360;
    const g = c.getContext('2d');
    g.fillStyle = '#4f3ff0';
    g.fillRect(0, 0, 640, 360);
    return c.toDataURL('image/png');
  });
  const requests = Array.from({ length: jobCount }, (_, i) => ({
    taskType: 'videoInference',
    model: 'klingai:5@2',
    positivePrompt: `Benchmark job ${i + 1}`,
    inputs: { frameImages: [frame] },
    width: 1280,
    height: 720,
    duration: 5,
  }));
  const submitted = Date.now();
  await page
    .getByRole('region', { name: 'Results' })
    .getByLabel('Import…')
    .setInputFiles({ name: 'jobs.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(requests)) });
  const done = page.getByRole('region', { name: 'Results' }).getByRole('article').getByText('Done', { exact: true });
  while ((await done.count()) < jobCount) {
    if (Date.now() - submitted > 10 * 60_000) throw new Error('the jobs did not finish within 10 minutes');
    await page.waitForTimeout(500);
  }
  const finished = Date.now();
  await page.waitForTimeout(3000);
  const seen = await page.evaluate(() => window.__videos);
  await browser.close();

  const windowMin = (finished - submitted) / 60_000;
  const perMin = polls.length / windowMin;
  const tasksPerMin = polls.reduce((a, p) => a + p.tasks, 0) / windowMin;
  const toShown = [];
  const toPlayable = [];
  for (const [id, t] of ready) {
    if (seen[id]?.shown) toShown.push(seen[id].shown - t);
    if (seen[id]?.playable) toPlayable.push(seen[id].playable - t);
  }
  const shown = stats(toShown);
  const playable = stats(toPlayable);
  const naive = (jobCount * 60) / 2;
  const rows = [
    ['jobs in flight', jobCount, ''],
    ['transport', transport, ''],
    ['simulator result delay', delay, ''],
    ['time from submit to the last video', (windowMin * 60).toFixed(1), 's'],
    ['poll requests (each with one getResponse per pending job)', polls.length, ''],
    ['getResponse requests per minute', perMin.toFixed(1), `req/min (goal <= 15; every 2 s per job: ${naive})`],
    ['getResponse tasks per minute', tasksPerMin.toFixed(1), 'tasks/min'],
    ['ready -> video in the page, p50', shown.p50?.toFixed(0), 'ms'],
    ['ready -> video in the page, p90', shown.p90?.toFixed(0), 'ms (goal <= 3000)'],
    ['ready -> video in the page, max', shown.max?.toFixed(0), 'ms'],
    ['ready -> video playable, p50', playable.p50?.toFixed(0), 'ms'],
    ['results measured', `${shown.n} of ${ready.size}`, ''],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [name, value, unit] of rows) console.log(`  ${name.padEnd(width)}  ${String(value).padStart(8)}  ${unit}`);
  return Object.fromEntries(
    Object.entries({
      get_response_per_min: Number(perMin.toFixed(2)),
      get_response_tasks_per_min: Number(tasksPerMin.toFixed(2)),
      ready_to_visible_ms: Number((shown.p50 ?? NaN).toFixed(0)),
      ready_to_visible_p90_ms: Number((shown.p90 ?? NaN).toFixed(0)),
      ready_to_playable_ms: Number((playable.p50 ?? NaN).toFixed(0)),
    }).map(([k, v]) => [transport === 'ws' ? `${k}_ws` : k, v]),
  );
}

async function main() {
  const figures = {};
  for (const transport of transports) {
    console.log(`  -- over ${transport === 'ws' ? 'WebSocket' : 'REST'}`);
    Object.assign(figures, await run(transport));
    for (const c of children) c.kill();
    children = [];
  }
  console.log(`BENCH_JSON ${JSON.stringify(figures)}`);
}

main()
  .catch((e) => {
    console.error(`polling bench: ${e.stack ?? e}`);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill();
  });
