// Jobs and results against the real simulator: submit, follow, play; many results; reloads (mid-job
// and mid-send); two tabs; both transports; the form's own submit and "Use these settings". Most
// requests are submitted with "Import…" (a request file), a feature of the Results panel, so those
// tests do not depend on the form's controls.
import { test, expect } from '../fixtures.mjs';
import {
  SIM, cards, frameDataUri, framePng, playVideo, request, resetStats, simStats, submit, useTransport, watchPolls,
} from './jobs-helpers.mjs';

test.skip(!SIM, 'needs the simulator (KS_SIM_BIN)');

for (const transport of ['REST', 'WebSocket']) {
  test(`over ${transport}: a submitted job shows progress, then a video that plays`, async ({ page, request: api }) => {
    await page.goto('./');
    await useTransport(page, transport);
    await resetStats(api);
    const frame = await frameDataUri(page);
    const prompt = `A lighthouse beam sweeps over night waves (${transport})`;
    await submit(page, request(frame, { prompt }));
    const card = cards(page).filter({ hasText: prompt });
    await expect(card).toHaveCount(1);
    await expect(card.getByRole('heading', { name: prompt })).toBeVisible();
    await expect(card.getByText(/^(Sending|Processing)$/)).toBeVisible();
    // Elapsed time until the server reports its progress, then the progress itself.
    await expect(card.getByRole('progressbar')).toBeVisible();
    await expect(card.getByText('Done', { exact: true })).toBeVisible({ timeout: 45_000 });
    const video = card.locator('video');
    await expect(video).toHaveCount(1);
    const state = await playVideo(video);
    expect(state.readyState).toBeGreaterThanOrEqual(2);
    expect(Math.abs(state.duration - 5)).toBeLessThan(0.5);
    expect(state.advanced).toBe(true);
    await expect(card.getByRole('button', { name: /^Download/ })).toBeVisible();
    await expect(card.getByText(/^seed \d+$/)).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'the video is ready' })).toHaveCount(1);
    // Everything went by the chosen transport (over WebSocket the result may even arrive pushed,
    // before any poll).
    const stats = await simStats(api);
    const [used, unused] = transport === 'REST' ? ['rest', 'ws'] : ['ws', 'rest'];
    expect(stats.requests[used] ?? 0).toBeGreaterThan(0);
    expect(stats.requests[unused] ?? 0).toBe(0);
    expect(stats.tasks.videoInference).toBe(1);
  });
}

test('numberResults 3 gives three players, comparable side by side', async ({ page }) => {
  await page.goto('./');
  const frame = await frameDataUri(page, 20);
  await submit(page, request(frame, { prompt: 'Three takes of a spinning top', results: 3 }));
  const card = cards(page).first();
  await expect(card.getByText('Done', { exact: true })).toBeVisible({ timeout: 60_000 });
  const videos = card.locator('video');
  await expect(videos).toHaveCount(3);
  const seeds = new Set();
  for (let i = 0; i < 3; i += 1) {
    const state = await playVideo(videos.nth(i));
    expect(Math.abs(state.duration - 5)).toBeLessThan(0.5);
    await expect(card.getByRole('button', { name: new RegExp(`^Download Video ${i + 1} of 3, seed \\d+`) })).toBeVisible();
  }
  for (const text of await card.getByText(/^seed \d+$/).allTextContents()) seeds.add(text);
  expect(seeds.size).toBe(3);

  await card.getByRole('button', { name: 'Compare side by side' }).click();
  const compare = card.getByRole('group', { name: 'Videos side by side' });
  await expect(compare.locator('video')).toHaveCount(3);
  await compare.getByRole('button', { name: 'Play all videos' }).click();
  await expect.poll(() => compare.locator('video').evaluateAll((vs) => vs.every((v) => !v.paused)), { timeout: 10_000 }).toBe(true);
  await page.waitForTimeout(1200);
  const times = await compare.locator('video').evaluateAll((vs) => vs.map((v) => v.currentTime));
  expect(Math.max(...times) - Math.min(...times)).toBeLessThan(0.35);
  await compare.getByRole('button', { name: 'Pause all videos' }).click();
  await compare.getByRole('slider', { name: 'Position in all videos' }).fill('2.5');
  await expect.poll(() => compare.locator('video').evaluateAll((vs) => vs.every((v) => v.paused && Math.abs(v.currentTime - 2.5) < 0.2))).toBe(true);
  await card.getByRole('button', { name: 'Back to the grid' }).click();
  await expect(card.locator('video')).toHaveCount(3);
});

test('a reload mid-job resumes the job and completes it, without sending it twice', async ({ page, request: api }) => {
  await page.goto('./');
  await resetStats(api);
  const frame = await frameDataUri(page, 120);
  const prompt = 'A kite climbs into a windy sky';
  await submit(page, request(frame, { prompt, results: 2, duration: 10 }));
  const card = () => cards(page).filter({ hasText: prompt });
  await expect(card().getByText('Processing', { exact: true })).toBeVisible({ timeout: 20_000 });
  await page.reload();
  await expect(card()).toHaveCount(1);
  await expect(card().getByText('Done', { exact: true })).toBeVisible({ timeout: 60_000 });
  const videos = card().locator('video');
  await expect(videos).toHaveCount(2);
  const state = await playVideo(videos.first());
  expect(Math.abs(state.duration - 10)).toBeLessThan(0.5);
  const stats = await simStats(api);
  expect(stats.tasks.videoInference).toBe(1);
  expect(stats.errors.conflictTaskUUID ?? 0).toBe(0);
});

test('with two tabs open, each job is polled by one tab only', async ({ page, request: api }) => {
  const context = page.context();
  const other = await context.newPage();
  const problems = [];
  other.on('console', (m) => ['error', 'warning'].includes(m.type()) && problems.push(m.text()));
  other.on('pageerror', (e) => problems.push(e.message));
  // Each tab names itself to the simulator, which counts getResponse tasks per client.
  for (const [tab, name] of [[page, 'tab-a'], [other, 'tab-b']]) {
    await tab.route('**/v1', (route) => route.continue({ headers: { ...route.request().headers(), 'x-sim-client': name } }));
  }
  const polls = { 'tab-a': watchPolls(page), 'tab-b': watchPolls(other) };
  await page.goto('./');
  await expect(page.getByRole('region', { name: 'Results' })).toBeVisible();
  await other.goto('./');
  await resetStats(api);
  const frame = await frameDataUri(page, 300);
  await submit(page, [request(frame, { prompt: 'Tab A, first' }), request(frame, { prompt: 'Tab A, second' })]);
  await submit(other, [request(frame, { prompt: 'Tab B, first' }), request(frame, { prompt: 'Tab B, second' })]);
  for (const tab of [page, other]) {
    await expect(cards(tab)).toHaveCount(4, { timeout: 15_000 });
    await expect(cards(tab).getByText('Done', { exact: true })).toHaveCount(4, { timeout: 60_000 });
  }
  const ids = await cards(page).evaluateAll((as) => as.map((a) => a.dataset.taskUuid));
  const stats = await simStats(api);
  for (const id of ids) {
    const a = polls['tab-a'].get(id) ?? 0;
    const b = polls['tab-b'].get(id) ?? 0;
    expect(a === 0 || b === 0, `job ${id} polled by one tab (a: ${a}, b: ${b})`).toBe(true);
    expect(a + b).toBeGreaterThan(0);
    expect(stats.getResponse.byTask[id]).toBe(a + b);
  }
  const clients = Object.entries(stats.getResponse.byClient).filter(([, n]) => n > 0).map(([c]) => c);
  expect(clients).toHaveLength(1);
  expect(problems).toEqual([]);
});

test('a job started from the form ends in a video, and "Use these settings" brings the settings back', async ({ page }) => {
  await page.goto('./');
  const form = page.getByRole('region', { name: 'Create' });
  const chooser = page.waitForEvent('filechooser');
  await form.getByRole('button', { name: 'Choose image' }).first().click();
  await (await chooser).setFiles({ name: 'frame.png', mimeType: 'image/png', buffer: await framePng(page, 45) });
  const prompt = 'A hot air balloon rises at dawn';
  await form.getByLabel('Prompt', { exact: true }).fill(prompt);
  await form.getByRole('button', { name: /Generate video/ }).click();
  const card = cards(page).filter({ hasText: prompt });
  await expect(card).toHaveCount(1);
  await expect(card.getByText('Done', { exact: true })).toBeVisible({ timeout: 45_000 });
  await playVideo(card.locator('video'));
  await expect(card.getByRole('img', { name: 'First frame' })).toBeVisible();
  await form.getByLabel('Prompt', { exact: true }).fill('Something else entirely');
  await card.getByRole('button', { name: 'Use these settings' }).click();
  await expect(form.getByLabel('Prompt', { exact: true })).toHaveValue(prompt);
});

test('a tab closed while sending loses nothing: after a reload the job is sent again at once', async ({ page, request: api }) => {
  // The submission is held up at the server, and the page reloads while it is on its way.
  await page.route('**/v1', (route) => {
    const req = route.request();
    const slow = req.method() === 'POST' && (req.postData() ?? '').includes('videoInference');
    return route.continue({ headers: slow ? { ...req.headers(), 'x-sim-fault': 'latency=4000' } : req.headers() });
  });
  await page.goto('./');
  await resetStats(api);
  const frame = await frameDataUri(page, 15);
  const prompt = 'Snow falls on a quiet street';
  await submit(page, request(frame, { prompt }));
  const card = () => cards(page).filter({ hasText: prompt });
  await expect(card().getByText('Sending', { exact: true })).toBeVisible();
  await page.waitForTimeout(300);
  await page.unroute('**/v1');
  const reloaded = Date.now();
  await page.reload();
  await expect(card()).toHaveCount(1);
  await expect(card().getByText('Done', { exact: true })).toBeVisible({ timeout: 45_000 });
  // Sent again right away, not after the guard time kept for a tab that is still sending.
  expect(Date.now() - reloaded).toBeLessThan(30_000);
  const stats = await simStats(api);
  expect(stats.renders.started).toBe(1);
});

test('portrait and square videos play at their own shape, in the grid and side by side', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('./');
  const frame = await frameDataUri(page, 330);
  const shapes = [
    { prompt: 'A tall waterfall, portrait', width: 720, height: 1280, results: 2 },
    { prompt: 'A spinning record, square', width: 720, height: 720, results: 1 },
  ];
  await submit(page, shapes.map(({ prompt, width, height, results }) => ({ ...request(frame, { prompt, results }), width, height })));
  for (const { prompt, width, height, results } of shapes) {
    const card = cards(page).filter({ hasText: prompt });
    await expect(card.getByText('Done', { exact: true })).toBeVisible({ timeout: 60_000 });
    const videos = card.locator('video');
    await expect(videos).toHaveCount(results);
    for (let i = 0; i < results; i += 1) {
      await playVideo(videos.nth(i));
      const box = await videos.nth(i).boundingBox();
      const file = await videos.nth(i).evaluate((v) => [v.videoWidth, v.videoHeight]);
      expect(file).toEqual([width, height]);
      // The player has the video's own shape: no bars around it.
      expect(Math.abs(box.width / box.height - width / height) / (width / height)).toBeLessThan(0.02);
      expect(box.height).toBeGreaterThan(300);
    }
    if (results > 1) {
      await card.getByRole('button', { name: 'Compare side by side' }).click();
      const compare = card.getByRole('group', { name: 'Videos side by side' }).locator('video');
      await expect(compare).toHaveCount(results);
      const box = await compare.first().boundingBox();
      expect(Math.abs(box.width / box.height - width / height) / (width / height)).toBeLessThan(0.02);
      await card.getByRole('button', { name: 'Back to the grid' }).click();
    }
  }
});
