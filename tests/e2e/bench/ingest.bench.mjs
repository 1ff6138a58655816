// Frame ingest benchmark: a 24-megapixel JPEG chosen in the first-frame slot of the built studio,
// in Chromium, until its data URI is ready (the slot's data-state turns "ready": decoded, cropped
// to 16:9, scaled to 1920×1080, encoded, validated).
//
// Reports the median time from "file chosen" to "data URI ready" over 5 runs (after one warm-up),
// the payload against the naive data URI of the whole file, and the longest main-thread task seen
// while ingesting (what typing would have to wait for). Figures only: nothing here fails on a
// timing. Last line: `BENCH_JSON {...}` for `cargo xtask bench`.
//
// Environment: KS_ROOT, KS_DIST (built app), CHROMIUM; KS_BENCH_RUNS (default 5).
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { freePort, waitFor } from './common.mjs';
import { resolve } from 'node:path';

const root = process.env.KS_ROOT ?? resolve(import.meta.dirname, '../../..');
const dist = process.env.KS_DIST ?? resolve(root, 'dist');
const runs = Number(process.env.KS_BENCH_RUNS ?? 5);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const port = await freePort();
const server = spawn('node', [resolve(import.meta.dirname, '../serve.mjs'), dist, String(port), '/'], { stdio: 'ignore' });
let browser;
try {
  await waitFor(`http://127.0.0.1:${port}/`);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForSelector('[data-slot=first]');
  await page.getByRole('radio', { name: '1080p' }).check();
  await page.getByRole('radio', { name: '16:9' }).check();

  // A photo-like 6000×4000 JPEG: soft large-scale texture, fine grain and shapes, so that it
  // compresses like a camera picture (several MB at quality 0.92) rather than a flat test card.
  const fileBytes = await page.evaluate(async () => {
    const [w, h] = [6000, 4000];
    const seed = new OffscreenCanvas(300, 200);
    const s = seed.getContext('2d');
    const noise = s.createImageData(300, 200);
    let x = 12345;
    const rand = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < noise.data.length; i += 4) {
      noise.data[i] = 90 + rand() * 120;
      noise.data[i + 1] = 70 + rand() * 110;
      noise.data[i + 2] = 60 + rand() * 140;
      noise.data[i + 3] = 255;
    }
    s.putImageData(noise, 0, 0);
    const canvas = new OffscreenCanvas(w, h);
    const g = canvas.getContext('2d');
    g.imageSmoothingQuality = 'high';
    g.drawImage(seed, 0, 0, w, h);
    for (let i = 0; i < 900; i++) {
      g.fillStyle = `hsl(${(i * 47) % 360} 55% ${35 + (i % 5) * 8}% / 0.35)`;
      g.beginPath();
      g.arc(rand() * w, rand() * h, 20 + rand() * 220, 0, 7);
      g.fill();
    }
    const grain = g.getImageData(0, 0, w, h);
    for (let i = 0; i < grain.data.length; i += 4) {
      const n = (rand() - 0.5) * 28;
      grain.data[i] += n;
      grain.data[i + 1] += n;
      grain.data[i + 2] += n;
    }
    g.putImageData(grain, 0, 0);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
    window.__benchFile = new File([blob], 'photo-24mp.jpg', { type: 'image/jpeg' });
    return blob.size;
  });

  // One ingest: clear the slot, choose the file, wait for "ready"; time and longest task.
  const ingest = () =>
    page.evaluate(async () => {
      const slot = () => document.querySelector('[data-slot=first]');
      const clear = slot().querySelector('button[aria-label^="Clear"]');
      if (clear) clear.click();
      await new Promise((r) => setTimeout(r, 50));
      const input = slot().querySelector('input[type=file]');
      const data = new DataTransfer();
      data.items.add(window.__benchFile);
      let longest = 0;
      const observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) longest = Math.max(longest, e.duration);
      });
      observer.observe({ type: 'longtask' });
      const ready = new Promise((done) => {
        const watch = new MutationObserver(() => {
          if (slot()?.dataset.state === 'ready') {
            watch.disconnect();
            done(performance.now());
          }
        });
        watch.observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
      });
      const t0 = performance.now();
      input.files = data.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
      const t1 = await ready;
      await new Promise((r) => setTimeout(r, 0));
      observer.disconnect();
      return { ms: t1 - t0, longest };
    });

  const cold = await ingest();
  const times = [];
  const tasks = [cold.longest];
  for (let i = 0; i < runs; i++) {
    const r = await ingest();
    times.push(r.ms);
    tasks.push(r.longest);
  }

  // The payload: the request body copied by the developer panel, against the whole file as a
  // data URI.
  await page.locator('summary', { hasText: 'Developer' }).click();
  await page.getByRole('button', { name: 'Copy JSON' }).click();
  await page.getByText('Copied', { exact: true }).waitFor();
  const body = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
  const uri = body[0].inputs.frameImages[0];
  const naive = 'data:image/jpeg;base64,'.length + 4 * Math.ceil(fileBytes / 3);
  const sent = await page.evaluate(async (u) => {
    const b = await createImageBitmap(await (await fetch(u)).blob());
    return `${b.width}×${b.height}`;
  }, uri);

  const figures = {
    ingest_ms: Math.round(median(times) * 10) / 10,
    ingest_cold_ms: Math.round(cold.ms * 10) / 10,
    ingest_longest_task_ms: Math.round(Math.max(...tasks) * 10) / 10,
    payload_ratio: Math.round((uri.length / naive) * 1000) / 1000,
    payload_kb: Math.round(uri.length / 100) / 10,
    source_kb: Math.round(fileBytes / 100) / 10,
  };
  console.log(`24 MP JPEG (6000×4000, ${figures.source_kb} KB) → ${sent} data URI, ${runs} runs`);
  console.log('figure                      value');
  console.log(`ingest median               ${figures.ingest_ms} ms   (runs: ${times.map((t) => t.toFixed(0)).join(', ')})`);
  console.log(`ingest first (cold)         ${figures.ingest_cold_ms} ms`);
  console.log(`longest main-thread task    ${figures.ingest_longest_task_ms} ms`);
  console.log(`payload                     ${figures.payload_kb} KB of ${Math.round(naive / 100) / 10} KB naive`);
  console.log(`payload ratio               ${figures.payload_ratio}`);
  console.log(`BENCH_JSON ${JSON.stringify(figures)}`);
} finally {
  await browser?.close();
  server.kill();
}
