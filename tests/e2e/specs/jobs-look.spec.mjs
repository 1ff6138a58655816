// Screenshots of the results as a creator sees them, light and dark, 1280 and 390 px wide: a
// running job (before and after its first video), a finished four-video grid, compare mode and an
// error card. Saved as
// artifacts/screenshots/jobs-<state>-<scheme>-<width>.png and looked at by a person.
import { test, expect } from '../fixtures.mjs';
import { SIM, cards, frameDataUri, request, submit } from './jobs-helpers.mjs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

test.skip(!SIM, 'needs the simulator (KS_SIM_BIN)');

const dir = join(import.meta.dirname, '..', 'artifacts', 'screenshots');

async function shoot(page, state) {
  mkdirSync(dir, { recursive: true });
  for (const scheme of ['light', 'dark']) {
    for (const width of [1280, 390]) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width, height: 900 });
      await page.evaluate(() => document.fonts.ready);
      // Let the layout settle at the new width before the picture.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const region = page.getByRole('region', { name: 'Results' });
      await region.screenshot({ path: join(dir, `jobs-${state}-${scheme}-${width}.png`), animations: 'disabled' });
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

test('the results look right in every state, theme and width', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('./');
  const frame = await frameDataUri(page, 250);
  await submit(page, request(frame, { prompt: 'A lantern festival over a river; slow pan across floating lights', results: 4, duration: 10 }));
  const running = cards(page).first();
  await expect(running.getByText('Processing', { exact: true })).toBeVisible({ timeout: 15_000 });
  await shoot(page, 'running');
  // The first video is in while the others are still being made.
  await expect(running.getByText(/Making 4 videos: [123] of 4 ready/)).toBeVisible({ timeout: 60_000 });
  await shoot(page, 'partial');

  await expect(running.getByText('Done', { exact: true })).toBeVisible({ timeout: 120_000 });
  await expect(running.locator('video')).toHaveCount(4);
  await expect.poll(() => running.locator('video').evaluateAll((vs) => vs.every((v) => v.readyState >= 2)), { timeout: 20_000 }).toBe(true);
  await shoot(page, 'grid');

  await running.getByRole('button', { name: 'Compare side by side' }).click();
  const compare = running.getByRole('group', { name: 'Videos side by side' });
  await expect.poll(() => compare.locator('video').evaluateAll((vs) => vs.every((v) => v.readyState >= 2)), { timeout: 20_000 }).toBe(true);
  await compare.getByRole('slider', { name: 'Position in all videos' }).fill('4');
  await shoot(page, 'compare');
  await running.getByRole('button', { name: 'Back to the grid' }).click();

  await submit(page, request(frame, { prompt: 'A glacier calves into the sea [sim-fault:timeoutProvider]' }));
  await expect(cards(page).first().getByText('Failed', { exact: true })).toBeVisible({ timeout: 30_000 });
  await shoot(page, 'error');
});
