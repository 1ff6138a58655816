// Faults at the simulator, asked for per request with its X-Sim-Fault header (REST) or by
// cutting the socket (WebSocket): every job still ends with its video or with a clear error,
// and none is lost, even across a reload.
import { test, expect } from '../fixtures.mjs';
import {
  SIM, cards, frameDataUri, playVideo, request, resetStats, simStats, submit, useTransport,
} from './jobs-helpers.mjs';

test.skip(!SIM, 'needs the simulator (KS_SIM_BIN)');
// Chromium itself logs each failed request (the app logs nothing): those lines are expected here.
test.use({ expectedConsole: [[/Failed to load resource/, /net::ERR_/, /WebSocket connection to .* failed/], { scope: 'test' }] });

/** A small seeded random generator, so a failing run can be replayed. */
function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Adds an X-Sim-Fault header to the /v1 requests `pick` chooses (by their number and body). */
async function faults(page, pick) {
  let n = 0;
  await page.route('**/v1', (route) => {
    const req = route.request();
    const fault = req.method() === 'POST' ? pick(n++, req.postData() ?? '') : null;
    const headers = fault ? { ...req.headers(), 'x-sim-fault': fault } : req.headers();
    return route.continue({ headers });
  });
}

test('with 30% of requests failing (5xx, 429), every job still ends with its videos', async ({ page, request: api }) => {
  test.setTimeout(150_000);
  const rnd = random(6);
  const statuses = [500, 502, 503, 429];
  await faults(page, () => (rnd() < 0.3 ? `status=${statuses[Math.floor(rnd() * statuses.length)]}` : null));
  await page.goto('./');
  await resetStats(api);
  const frame = await frameDataUri(page, 40);
  const prompts = ['Storm clouds roll in', 'A cat yawns', 'Leaves fall in autumn', 'Neon signs flicker'];
  await submit(page, prompts.map((prompt, i) => request(frame, { prompt, results: 1 + (i % 2) })));
  await expect(cards(page)).toHaveCount(4);
  await expect(cards(page).getByText('Done', { exact: true })).toHaveCount(4, { timeout: 120_000 });
  await expect(cards(page).locator('video')).toHaveCount(6);
  const stats = await simStats(api);
  expect(stats.faults.status ?? 0).toBeGreaterThan(0);
  // Nothing lost across a reload either.
  await page.reload();
  await expect(cards(page)).toHaveCount(4);
  await expect(cards(page).getByText('Done', { exact: true })).toHaveCount(4);
});

test('slow answers only slow things down', async ({ page }) => {
  await faults(page, () => 'latency=1500');
  await page.goto('./');
  const frame = await frameDataUri(page, 80);
  await submit(page, request(frame, { prompt: 'Waves break slowly' }));
  const card = cards(page).first();
  await expect(card.getByText('Done', { exact: true })).toBeVisible({ timeout: 60_000 });
  await playVideo(card.locator('video'));
});

test('a cut connection and unreadable answers are retried without sending the job twice', async ({ page, request: api }) => {
  // The submission runs at the server but its answer is lost; then polls come back cut short.
  let polls = 0;
  await faults(page, (n, body) => {
    if (body.includes('videoInference') && n === 0) return 'drop';
    if (body.includes('getResponse') && polls++ < 3) return 'malformed';
    return null;
  });
  await page.goto('./');
  await resetStats(api);
  const frame = await frameDataUri(page, 160);
  await submit(page, request(frame, { prompt: 'A candle flame flickers' }));
  const card = cards(page).first();
  await expect(card.getByText('Done', { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(cards(page)).toHaveCount(1);
  const stats = await simStats(api);
  expect(stats.faults.drop).toBe(1);
  expect(stats.faults.malformed ?? 0).toBeGreaterThan(0);
  // The resend found the job already there: one job, one render.
  expect(stats.errors.conflictTaskUUID).toBe(1);
  expect(stats.renders.started).toBe(1);
});

test('a dropped WebSocket reconnects, resumes its session, and the job completes', async ({ page, request: api }) => {
  let cut = false;
  await page.routeWebSocket('**/ws/v1', (ws) => {
    const server = ws.connectToServer();
    let seen = 0;
    ws.onMessage((m) => server.send(m));
    server.onMessage((m) => {
      ws.send(m);
      // Cut the first connection right after the job is acknowledged.
      if (!cut && ++seen === 2) {
        cut = true;
        ws.close({ code: 4000, reason: 'cut by the test' });
        server.close();
      }
    });
  });
  await page.goto('./');
  await useTransport(page, 'WebSocket');
  await resetStats(api);
  const frame = await frameDataUri(page, 200);
  await submit(page, request(frame, { prompt: 'Fireflies at dusk', results: 2 }));
  const card = cards(page).first();
  await expect(card.getByText('Done', { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(card.locator('video')).toHaveCount(2);
  expect(cut).toBe(true);
  const stats = await simStats(api);
  expect(stats.ws.connections).toBeGreaterThanOrEqual(2);
  expect(stats.ws.resumes).toBeGreaterThanOrEqual(1);
  expect(stats.tasks.videoInference).toBe(1);
});

test('timeoutProvider ends the job with its code, message and taskUUID; Retry sends it again', async ({ page }) => {
  await page.goto('./');
  const frame = await frameDataUri(page, 260);
  await submit(page, request(frame, { prompt: 'A glacier calves [sim-fault:timeoutProvider]' }));
  const card = cards(page).first();
  await expect(card.getByText('Failed', { exact: true })).toBeVisible({ timeout: 30_000 });
  const id = await card.getAttribute('data-task-uuid');
  // This card, wherever it moves once the retry is listed above it.
  const error = page.locator(`[data-task-uuid="${id}"]`).getByRole('group', { name: 'What went wrong' });
  await expect(error.getByText('timeoutProvider', { exact: true })).toBeVisible();
  await expect(error.getByText(id, { exact: true })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'failed. timeoutProvider' })).toHaveCount(1);
  await error.getByRole('button', { name: 'Retry with the same settings' }).click();
  await expect(error.getByRole('status')).toHaveText('Sent again as a new job, at the top of the list.');
  await expect(cards(page)).toHaveCount(2);
  const ids = await cards(page).evaluateAll((as) => as.map((a) => a.dataset.taskUuid));
  expect(new Set(ids).size).toBe(2);
  await expect(cards(page).first().getByText(/retry/)).toBeVisible();
});

test('insufficientCredits is shown as a clear error next to the job', async ({ page }) => {
  await page.goto('./');
  const frame = await frameDataUri(page, 330);
  await submit(page, request(frame, { prompt: 'A rocket lifts off [sim-fault:insufficientCredits]' }));
  const card = cards(page).first();
  await expect(card.getByText('Failed', { exact: true })).toBeVisible({ timeout: 20_000 });
  const error = card.getByRole('group', { name: 'What went wrong' });
  await expect(error.getByText('insufficientCredits', { exact: true })).toBeVisible();
  // Sending the same job again cannot help: what can is said instead.
  await expect(error.getByRole('button', { name: 'Retry with the same settings' })).toHaveCount(0);
  await expect(error).toContainText('Top it up in your Runware dashboard');
});
