// The history: export to a file and import it elsewhere; a thousand jobs stay quick to browse.
import { test, expect } from '../fixtures.mjs';
import { SIM, cards, frameDataUri, playVideo, request, submit } from './jobs-helpers.mjs';
import { readFile } from 'node:fs/promises';

test.skip(!SIM, 'needs the simulator (KS_SIM_BIN)');

/** Submits one job and waits for its video; returns the exported history. */
async function oneFinishedJob(page, prompt) {
  await page.goto('./');
  const frame = await frameDataUri(page, 90);
  await submit(page, request(frame, { prompt }));
  await expect(cards(page).first().getByText('Done', { exact: true })).toBeVisible({ timeout: 45_000 });
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^kling-studio-history-\d{4}-\d{2}-\d{2}\.json$/);
  return JSON.parse(await readFile(await file.path(), 'utf8'));
}

test('the history exports to a file that another browser imports, videos and all', async ({ page, browser }) => {
  const prompt = 'A windmill turns in the breeze';
  const archive = await oneFinishedJob(page, prompt);
  expect(archive.format).toBe('kling-studio-journal');
  expect(archive.jobs).toHaveLength(1);
  expect(Object.values(archive.blobs).some((v) => v.startsWith('data:image/png'))).toBe(true);

  const elsewhere = await browser.newContext();
  const other = await elsewhere.newPage();
  await other.goto('./');
  await other
    .getByRole('region', { name: 'Results' })
    .getByLabel('Import…')
    .setInputFiles({ name: 'history.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(archive)) });
  await expect(other.getByText('Imported 1 job.')).toBeVisible();
  const card = cards(other).first();
  await expect(card.getByRole('heading', { name: prompt })).toBeVisible();
  await expect(card.getByText('Done', { exact: true })).toBeVisible();
  await playVideo(card.locator('video'));
  // The imported job keeps everything needed to send it again.
  await card.getByRole('button', { name: 'Use these settings' }).click();
  await expect(other.getByRole('region', { name: 'Create' }).getByLabel('Prompt', { exact: true })).toHaveValue(prompt);
  await elsewhere.close();
});

test('a file that is neither a history nor a request is refused with a reason', async ({ page }) => {
  await page.goto('./');
  await page
    .getByRole('region', { name: 'Results' })
    .getByLabel('Import…')
    .setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') });
  await expect(page.getByText(/neither a Kling Studio history nor a videoInference request/)).toBeVisible();
});

test('a history of a thousand jobs stays quick to browse and filter', async ({ page }) => {
  test.setTimeout(120_000);
  const archive = await oneFinishedJob(page, 'The one real job');
  const [real] = archive.jobs;
  const jobs = [];
  for (let i = 0; i < 1000; i += 1) {
    const id = `${(i + 1).toString(16).padStart(8, '0')}-0000-4000-8000-${(i + 1).toString(16).padStart(12, '0')}`;
    const failed = i % 4 === 0;
    jobs.push({
      ...real,
      id,
      createdAt: real.createdAt - (i + 1) * 60_000,
      settings: { ...real.settings, prompt: `Archived job number ${i + 1}` },
      phase: failed ? 'failed' : 'done',
      results: failed ? [] : real.results.map((r) => ({ ...r, videoUUID: `${id}-v` })),
      error: failed ? { code: 'timeoutProvider', message: 'the provider timed out', taskUUID: id } : null,
    });
  }
  const big = { ...archive, jobs };
  const started = Date.now();
  await page
    .getByRole('region', { name: 'Results' })
    .getByLabel('Import…')
    .setInputFiles({ name: 'big.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(big)) });
  await expect(page.getByText('Imported 1000 jobs.')).toBeVisible({ timeout: 30_000 });
  const imported = Date.now() - started;
  await expect(cards(page)).toHaveCount(20);
  const filters = page.getByRole('group', { name: 'Show jobs' });
  await expect(filters.getByRole('button', { name: /^All/ })).toContainText('1001');

  const timed = async (action, check) => {
    const t = Date.now();
    await action();
    await check();
    return Date.now() - t;
  };
  const failedMs = await timed(
    () => filters.getByRole('button', { name: /^Failed/ }).click(),
    () => expect(cards(page).first().getByText('Failed', { exact: true })).toBeVisible(),
  );
  const allMs = await timed(
    () => filters.getByRole('button', { name: /^All/ }).click(),
    () => expect(cards(page).first().getByRole('heading', { name: 'The one real job' })).toBeVisible(),
  );
  const moreMs = await timed(
    () => page.getByRole('button', { name: /^Show 20 more/ }).click(),
    () => expect(cards(page)).toHaveCount(40),
  );
  console.log(`1,000 jobs: import ${imported} ms, filter ${failedMs} ms, back to all ${allMs} ms, show more ${moreMs} ms`);
  // Generous bounds on two shared cores: these catch a history that re-renders everything.
  expect(failedMs).toBeLessThan(1500);
  expect(allMs).toBeLessThan(1500);
  expect(moreMs).toBeLessThan(1500);
  await page.reload();
  await expect(cards(page)).toHaveCount(20, { timeout: 15_000 });
  await expect(filters.getByRole('button', { name: /^All/ })).toContainText('1001');
});
