// Before the wasm arrives: the page paints a loader (and, without JavaScript, a line saying what
// is needed) from the HTML alone, standalone and embedded; the app replaces it when it mounts.
// Release builds carry `.br` and `.gz` of each asset, and a host that serves them sends them.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { test, expect } from '../fixtures.mjs';
import { startSite } from '../site.mjs';

const root = process.env.KS_ROOT ?? resolve(import.meta.dirname, '../../..');
const dist = process.env.KS_DIST ?? resolve(root, 'dist');
const shots = join(import.meta.dirname, '..', 'artifacts', 'screenshots');
const PORT = Number(process.env.KS_E2E_PORT ?? 4310) + 8;

/** Holds every .wasm request until `release()` is called: the page as a slow network shows it. */
async function holdWasm(page) {
  let release;
  const gate = new Promise((ok) => {
    release = ok;
  });
  await page.route('**/*.wasm', async (route) => {
    await gate;
    await route.continue();
  });
  return release;
}

test('the served index.html holds the loader and the noscript line', async ({ request }) => {
  const res = await request.get('index.html');
  expect(res.ok()).toBe(true);
  const html = await res.text();
  expect(html).toMatch(/<div class="ks-boot" id="ks-boot" role="status">/);
  expect(html).toContain('Loading the studio…');
  expect(html).toMatch(/<noscript>\s*<p[^>]*>Kling Studio needs JavaScript and WebAssembly/);
  // Its style is inline in the head: nothing else has to arrive for it to paint.
  expect(html.indexOf('.ks-boot {')).toBeGreaterThan(0);
  expect(html.indexOf('.ks-boot {')).toBeLessThan(html.indexOf('</head>'));
  expect(html).not.toMatch(/<link[^>]+rel="stylesheet"/);
});

test('every compressible asset has a .br and a .gz that decode to it', () => {
  const files = readdirSync(dist).filter((f) => /\.(html|js|css|wasm|svg|md)$/.test(f));
  expect(files.some((f) => f.endsWith('.wasm'))).toBe(true);
  for (const f of files) {
    const raw = readFileSync(join(dist, f));
    const br = readFileSync(join(dist, `${f}.br`));
    const gz = readFileSync(join(dist, `${f}.gz`));
    expect(brotliDecompressSync(br).equals(raw), `${f}.br`).toBe(true);
    expect(gunzipSync(gz).equals(raw), `${f}.gz`).toBe(true);
    expect(br.length, `${f}.br is smaller`).toBeLessThan(raw.length);
  }
});

for (const scheme of ['light', 'dark']) {
  test(`the loader shows until the wasm runs, then the studio replaces it (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    const release = await holdWasm(page);
    const wasm = page.waitForResponse((r) => r.url().endsWith('.wasm'));
    await page.goto('./', { waitUntil: 'commit' });
    const loader = page.getByRole('status').filter({ hasText: 'Loading the studio…' });
    await expect(loader).toBeVisible();
    await expect(page.getByText('Kling Studio', { exact: true })).toBeVisible();
    const bg = await page.locator('#ks-boot').evaluate((e) => getComputedStyle(e).backgroundColor);
    expect(bg).toBe(scheme === 'dark' ? 'rgb(14, 16, 21)' : 'rgb(245, 246, 250)');
    for (const [w, h] of [
      [1280, 900],
      [390, 844],
    ]) {
      await page.setViewportSize({ width: w, height: h });
      await page.screenshot({ path: join(shots, `loader-${scheme}-${w}x${h}.png`) });
    }

    release();
    await expect(page.getByRole('region', { name: 'Create' })).toBeVisible();
    await expect(page.locator('#ks-boot')).toHaveCount(0);
    // Served as a static host with `brotli_static on` would serve it.
    expect((await wasm).headers()['content-encoding']).toBe('br');
  });
}

test('without JavaScript the noscript line is what is left, and it hides the loader', async ({ page, request }) => {
  // Chromium under Playwright always parses <noscript> as text (turning scripts off stops them,
  // not the parser), so the page is parsed as a browser without scripting parses it: DOMParser
  // has scripting off.
  const html = await (await request.get('index.html')).text();
  await page.goto('about:blank');
  const seen = await page.evaluate((source) => {
    const doc = new DOMParser().parseFromString(source, 'text/html');
    return {
      line: doc.querySelector('body > noscript > p')?.textContent ?? null,
      hides: doc.querySelector('head > noscript > style')?.textContent ?? null,
    };
  }, html);
  expect(seen.line).toMatch(/^Kling Studio needs JavaScript and WebAssembly: please turn JavaScript on/);
  expect(seen.hides).toMatch(/\.ks-boot\s*\{\s*display:\s*none/);
});

test.describe('embedded', () => {
  let site;

  test.beforeAll(async () => {
    site = await startSite({
      port: PORT,
      subpath: '/studio/',
      pagePath: '/index.html',
      html: `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>A host page</title><link rel="icon" href="data:," />
    <style>div { color: rgb(200, 0, 0); font-size: 30px; }</style></head>
  <body>
    <h1>A host page</h1>
    <div data-kling-studio data-theme="dark"></div>
    <script type="module" src="studio/embed.js"></script>
  </body>
</html>`,
    });
  });
  test.afterAll(() => site?.stop());

  test('a loader shows inside the host element until the studio mounts there', async ({ page }) => {
    const release = await holdWasm(page);
    await page.goto(site.url, { waitUntil: 'commit' });
    const loader = page.getByRole('status').filter({ hasText: 'Loading Kling Studio…' });
    await expect(loader).toBeVisible();
    // In the host's shadow root, in the theme the host asked for, out of the host CSS's reach.
    const look = await page.locator('[data-kling-studio]').evaluate((host) => {
      const box = host.shadowRoot?.querySelector('[role=status]');
      const s = box && getComputedStyle(box);
      return s && { bg: s.backgroundColor, color: s.color, size: s.fontSize };
    });
    expect(look).toEqual({ bg: 'rgb(14, 16, 21)', color: 'rgb(154, 161, 181)', size: '15px' });
    await page.screenshot({ path: join(shots, 'loader-embedded-dark.png') });

    release();
    await expect(page.getByRole('region', { name: 'Create' })).toBeVisible();
    await expect(loader).toHaveCount(0);
  });
});
