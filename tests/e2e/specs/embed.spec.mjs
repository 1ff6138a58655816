// The studio embedded in someone else's static site: served from a subpath by a plain static
// server (no proxy), configured only by data- attributes, next to hostile global CSS, talking to
// the simulator on another origin. The studio must work, and the host page must stay as it was.
import { test, expect } from '../fixtures.mjs';
import { startSite } from '../site.mjs';

const SIM = process.env.KS_SIM_ORIGIN ?? '';
const PORT = Number(process.env.KS_E2E_PORT ?? 4310) + 5;

const HOSTILE_CSS = `
  button { display: none !important; }
  * { box-sizing: content-box; font-size: 30px; }
  video { filter: blur(8px); }
  div { color: rgb(200, 0, 0); }
  input, textarea, select { visibility: hidden !important; }
`;

function hostPage(attributes) {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Jane's portfolio</title>
    <link rel="icon" href="data:," />
    <style>${HOSTILE_CSS}</style>
  </head>
  <body>
    <h1 id="host-title">Jane's portfolio</h1>
    <p id="host-text">Short films and experiments.</p>
    <button id="host-button">Host button</button>
    <div ${attributes}></div>
    <script type="module" src="studio/embed.js"></script>
  </body>
</html>`;
}

/** A PNG frame drawn in the page, returned as bytes for a file chooser. */
async function framePng(page) {
  const b64 = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 960;
    c.height = 540;
    const g = c.getContext('2d');
    const grad = g.createLinearGradient(0, 0, 960, 540);
    grad.addColorStop(0, '#0f4c81');
    grad.addColorStop(1, '#f2a65a');
    g.fillStyle = grad;
    g.fillRect(0, 0, 960, 540);
    return c.toDataURL('image/png').split(',')[1];
  });
  return Buffer.from(b64, 'base64');
}

test.describe('embedded in a hostile static site under a subpath', () => {
  test.skip(!SIM, 'needs the simulator');
  let site;

  test.beforeAll(async () => {
    site = await startSite({
      port: PORT,
      subpath: '/sites/jane/studio/',
      pagePath: '/sites/jane/index.html',
      html: hostPage(
        `data-kling-studio data-backend-url="${SIM}/v1" data-default-duration="5" ` +
          'data-lock="duration" data-developer="false" data-theme="light"',
      ),
    });
  });
  test.afterAll(() => site?.stop());

  test('the generate flow works, the lock holds, and the host page is unchanged', async ({ page }) => {
    test.setTimeout(120_000);
    await page.goto(site.url);
    const studio = page.getByRole('region', { name: 'Create' });
    await expect(studio).toBeVisible();

    // The host page is as its own CSS made it.
    await expect(page.locator('#host-title')).toHaveText("Jane's portfolio");
    await expect(page.locator('#host-button')).toBeHidden();
    const hostFont = await page.locator('#host-text').evaluate((e) => getComputedStyle(e).fontSize);
    expect(hostFont).toBe('30px');

    // The studio is untouched by it: its buttons show, its text is its own size and colour.
    const generate = page.getByRole('button', { name: /Generate/ });
    await expect(generate).toBeVisible();
    const promptBox = studio.getByRole('textbox', { name: 'Prompt', exact: true });
    await expect(promptBox).toBeVisible();
    const look = await promptBox.evaluate((e) => {
      const s = getComputedStyle(e);
      return { size: parseFloat(s.fontSize), sizing: s.boxSizing };
    });
    expect(look.size).toBeLessThan(20);
    expect(look.sizing).toBe('border-box');

    // The developer panel is hidden, the duration is locked at 5 s.
    await expect(studio.getByText('Developer', { exact: true })).toHaveCount(0);
    const duration = studio.getByRole('radiogroup', { name: 'Duration' });
    await expect(duration.getByRole('radio', { name: '5 s' })).toBeChecked();
    await expect(duration.getByRole('radio', { name: '10 s' })).toBeDisabled();

    // Generate: a frame from the file picker, a prompt, submit, a video that plays.
    const chooser = page.waitForEvent('filechooser');
    await studio.getByRole('button', { name: 'Choose image' }).first().click();
    await (await chooser).setFiles({ name: 'frame.png', mimeType: 'image/png', buffer: await framePng(page) });
    await promptBox.fill('The sky slowly turns from blue to orange');
    await expect(generate).toBeEnabled({ timeout: 15_000 });
    await generate.click();

    const video = page.getByRole('region', { name: 'Results' }).locator('video').first();
    await expect(video).toBeVisible({ timeout: 90_000 });
    await expect
      .poll(() => video.evaluate((v) => v.readyState), { timeout: 30_000 })
      .toBeGreaterThanOrEqual(2);
    const played = await video.evaluate((v) => ({ duration: v.duration, filter: getComputedStyle(v).filter }));
    expect(played.duration).toBeGreaterThan(4.5);
    expect(played.duration).toBeLessThan(5.5);
    expect(played.filter).toBe('none');

    // And the host page still is what it was.
    await expect(page.locator('#host-title')).toHaveText("Jane's portfolio");
    await expect(page.locator('#host-button')).toBeHidden();
  });
});

test.describe('attributes a site owner gets wrong', () => {
  test.use({ expectedConsole: [/Kling Studio:/] });
  let site;

  test.beforeAll(async () => {
    site = await startSite({
      port: PORT + 1,
      subpath: '/studio/',
      pagePath: '/index.html',
      html: hostPage('data-kling-studio data-theme="purple" data-lock="duration, colour" data-size="big"'),
    });
  });
  test.afterAll(() => site?.stop());

  test('each invalid attribute is named in one console warning and defaults apply', async ({ page, consoleSeen }) => {
    await page.goto(site.url);
    await expect(page.getByRole('region', { name: 'Create' })).toBeVisible();
    const warnings = consoleSeen.filter((l) => l.startsWith('console warning'));
    expect(warnings).toHaveLength(3);
    expect(warnings.join('\n')).toMatch(/data-theme="purple"/);
    expect(warnings.join('\n')).toMatch(/colour/);
    expect(warnings.join('\n')).toMatch(/data-size/);
  });
});

test.describe('the skip link inside the shadow root', () => {
  let site;

  test.beforeAll(async () => {
    site = await startSite({
      port: PORT + 2,
      subpath: '/studio/',
      pagePath: '/page.html',
      // A host page whose own content comes first: the studio starts below the fold.
      html: hostPage('data-kling-studio data-theme="light"').replace(
        '<button id="host-button">',
        '<div id="host-spacer" style="height: 1400px"></div><button id="host-button">',
      ),
    });
  });
  test.afterAll(() => site?.stop());

  test('moves focus and scroll to the form and leaves the host URL unchanged', async ({ page }) => {
    await page.goto(site.url);
    const studio = page.getByRole('region', { name: 'Create' });
    await expect(studio).toBeVisible();
    // The host button is hidden by the host's CSS: the first Tab stop is the studio's skip link.
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to the form' });
    await expect(skip).toBeFocused();
    await page.keyboard.press('Enter');

    const heading = studio.getByRole('heading', { name: 'Create' });
    await expect(heading).toBeFocused();
    expect(page.url()).toBe(site.url);
    expect(await page.evaluate(() => location.hash)).toBe('');
    // The form's heading is at the top of the window (the link alone would not have scrolled).
    await expect
      .poll(() => heading.evaluate((h) => Math.round(h.getBoundingClientRect().top)))
      .toBeLessThan(8);
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(1000);
  });
});
