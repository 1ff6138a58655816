// Revision 2 of the wire contract, end to end: what the real Runware requires and answers, against
// the simulator with its results never pushed (the client polls, over WebSocket as over REST).
// Tests that need the simulator started with other flags (long jobs, a short response retention)
// start one of their own on another port and point the studio at it as a custom server.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from '../fixtures.mjs';
import { freePort, waitFor } from '../bench/common.mjs';
import {
  SIM, SIM_KEY, cards, frameDataUri, playVideo, request, resetStats, simStats, submit, useTransport, watchPolls,
} from './jobs-helpers.mjs';

test.skip(!SIM, 'needs the simulator (KS_SIM_BIN)');

const SIM_BIN = process.env.KS_SIM_BIN;
const form = (page) => page.getByRole('region', { name: 'Create' });
const UNKNOWN_UUID = '6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f';
const SHOTS = join(import.meta.dirname, '..', 'artifacts', 'screenshots');

/** Saves a screenshot of `locator` in both colour schemes, for a person to look at. */
async function shoot(page, locator, name) {
  mkdirSync(SHOTS, { recursive: true });
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    // Colours change with a transition: let it end.
    await page.waitForTimeout(400);
    await locator.screenshot({ path: join(SHOTS, `contract-${name}-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: null });
}

/** The message list of the control labelled `label`. */
function messagesOf(page, label) {
  return form(page).locator(`[id="${label}-messages"]`);
}

/** Gives the first frame an image UUID (valid for the form; the server decides if it exists). */
async function useUuid(page, uuid = UNKNOWN_UUID) {
  const group = form(page).getByRole('group', { name: 'First frame' });
  await group.getByRole('button', { name: "Use a URL or an uploaded image's UUID" }).click();
  await group.getByLabel('Image URL or UUID').fill(uuid);
  await group.getByRole('button', { name: 'Use', exact: true }).click();
  await expect(group).toHaveAttribute('data-state', 'ready');
}

/** Starts a simulator of this spec's own with `flags` on a free port; returns its origin and a
 * stop function (also called when the test process ends, whatever becomes of the test). */
async function ownSimulator(flags) {
  const port = await freePort();
  const child = spawn(SIM_BIN, ['--host', '127.0.0.1', '--port', String(port), ...flags], { stdio: 'ignore' });
  const stop = () => child.kill();
  process.once('exit', stop);
  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${origin}/healthz`);
  } catch (e) {
    stop();
    throw e;
  }
  return { origin, stop };
}

/** Points the studio at a custom server, as a user does in Connection (with a key: a custom
 * server may need one, and this simulator takes any). */
async function useServer(page, origin, transport = 'WebSocket') {
  if (!(await page.getByLabel('Transport').isVisible())) {
    await page.getByText('Connection', { exact: true }).click();
  }
  await page.getByRole('radio', { name: 'Custom' }).check();
  await page.getByLabel('Server URL (REST)').fill(`${origin}/v1`);
  await page.getByLabel('Server URL (REST)').press('Tab');
  await page.getByLabel('API key').fill(SIM_KEY);
  await useTransport(page, transport);
}

test('a request without a prompt cannot be sent, and no seed is ever in a request', async ({ page }) => {
  const sent = [];
  page.on('request', (req) => {
    if (req.method() === 'POST' && (req.postData() ?? '').includes('videoInference')) sent.push(req.postData());
  });
  page.on('websocket', (ws) => ws.on('framesent', (f) => {
    if (String(f.payload).includes('videoInference')) sent.push(String(f.payload));
  }));
  await page.goto('./');
  const f = form(page);
  await useUuid(page);
  const button = f.getByRole('button', { name: 'Generate video' });
  await expect(button).toHaveAttribute('aria-disabled', 'true');
  await expect(f.locator('#ks-submit-blockers')).toContainText('Prompt: Is required: describe the motion in 2 to 2500 characters.');
  const prompt = f.getByRole('textbox', { name: 'Prompt', exact: true });
  await expect(prompt).toHaveAttribute('aria-required', 'true');
  // A new user is not shouted at before trying: the box turns red once a submit is tried.
  await expect(messagesOf(page, 'ks-prompt')).toBeEmpty();
  await expect(prompt).toHaveAttribute('aria-invalid', 'false');
  await expect(f.getByLabel('Seed value')).toHaveCount(0);
  // Clicked all the same (it is only marked disabled, to stay focusable), and the shortcut.
  await button.click({ force: true });
  await expect(messagesOf(page, 'ks-prompt')).toContainText('Is required: describe the motion in 2 to 2500 characters.');
  await expect(prompt).toHaveAttribute('aria-invalid', 'true');
  await page.keyboard.press('Control+Enter');
  await expect(prompt).toBeFocused();
  await page.waitForTimeout(500);
  expect(sent).toEqual([]);
  await expect(cards(page)).toHaveCount(0);

  await f.getByRole('textbox', { name: 'Prompt', exact: true }).fill('A kite climbs into a windy sky');
  await expect(button).toHaveAttribute('aria-disabled', 'false');
  const details = f.locator('details').filter({ has: page.locator('summary', { hasText: 'Developer' }) });
  await details.locator('summary').first().click();
  const task = JSON.parse(await f.getByLabel('Request JSON', { exact: true }).textContent())[0];
  expect(task.positivePrompt).toBe('A kite climbs into a windy sky');
  expect(task).not.toHaveProperty('seed');
});

test.describe('a dry run', () => {
  // A refusal comes back as HTTP 400, which the browser logs as a failed resource.
  test.use({ expectedConsole: [/status of 400/] });

test('"Check with the server" shows the server\'s verdict beside its field, and runs nothing', async ({ page, request: api }) => {
  await page.goto('./');
  await resetStats(api);
  const f = form(page);
  await useUuid(page);
  await f.getByRole('textbox', { name: 'Prompt', exact: true }).fill('A heron lifts off the water');
  // Valid for the form: only the server knows that no image has this UUID.
  await expect(f.getByRole('button', { name: 'Generate video' })).toHaveAttribute('aria-disabled', 'false');
  await f.getByRole('button', { name: 'Check with the server' }).click();
  const verdict = f.locator('#ks-check-verdict');
  await expect(verdict).toContainText('The server would refuse this request:');
  await expect(verdict).toContainText('First frame:');
  await expect(verdict).toContainText(UNKNOWN_UUID);
  await expect(messagesOf(page, 'ks-frame-first')).toContainText('The server says:');
  await shoot(page, f.locator('.ks-submit'), 'dry-run-refused');
  // The refusal leads to its control.
  await verdict.getByRole('button', { name: 'First frame' }).click();

  // A real picture: accepted, and still nothing runs.
  const frame = await frameDataUri(page, 300);
  const first = f.getByRole('group', { name: 'First frame' });
  await first.getByRole('button', { name: 'Clear' }).click();
  await first.getByRole('button', { name: "Use a URL or an uploaded image's UUID" }).click();
  await page.evaluate(async (uri) => {
    const blob = await (await fetch(uri)).blob();
    const data = new DataTransfer();
    data.items.add(new File([blob], 'frame.png', { type: 'image/png' }));
    const zone = document.querySelector('[data-slot=first] .ks-slot__zone');
    for (const kind of ['dragenter', 'dragover', 'drop']) {
      zone.dispatchEvent(new DragEvent(kind, { dataTransfer: data, bubbles: true, cancelable: true }));
    }
  }, frame);
  await expect(first).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
  await expect(verdict).toBeEmpty();
  await f.getByRole('button', { name: 'Check with the server' }).click();
  await expect(verdict).toContainText('The server accepts this request. Nothing was generated or charged.');
  await shoot(page, f.locator('.ks-submit'), 'dry-run-accepted');
  await expect(messagesOf(page, 'ks-frame-first')).not.toContainText('The server says');
  // Changing the request takes the verdict away: it was about the request as it was.
  await f.getByRole('textbox', { name: 'Prompt', exact: true }).fill('A heron lands on the water');
  await expect(verdict).toBeEmpty();
  await expect(cards(page)).toHaveCount(0);
  const stats = await simStats(api);
  expect(stats.jobs.accepted).toBe(0);
  expect(stats.jobs.dryRuns).toBeGreaterThanOrEqual(1);
});
});

test('a queued job says so, then its progress bar rises to the video', async ({ page }) => {
  test.setTimeout(120_000);
  const sim = await ownSimulator(['--delay', '24s..24s', '--queue-time', '6s']);
  try {
    await page.goto('./');
    await useServer(page, sim.origin);
    const frame = await frameDataUri(page, 40);
    const prompt = 'A snail crosses a mossy stone';
    await submit(page, request(frame, { prompt }));
    const card = cards(page).filter({ hasText: prompt });
    await expect(card.getByText('Queued', { exact: true })).toBeVisible({ timeout: 10_000 });
    await expect(card.getByText('Queued: the server will start it when its turn comes.')).toBeVisible();
    await shoot(page, card, 'queued');
    const bar = card.getByRole('progressbar', { name: 'Progress reported by the server' });
    await expect(bar).toBeVisible({ timeout: 20_000 });
    const values = [];
    for (let i = 0; i < 40 && values.length < 3; i += 1) {
      const v = Number(await bar.getAttribute('aria-valuenow'));
      if (!values.includes(v)) values.push(v);
      await page.waitForTimeout(500);
    }
    expect(values.length).toBeGreaterThanOrEqual(2);
    expect([...values].sort((a, b) => a - b)).toEqual(values);
    await expect(card.getByText(/% done/)).toBeVisible();
    await shoot(page, card, 'progress');
    await expect(card.getByText('Done', { exact: true })).toBeVisible({ timeout: 40_000 });
    await playVideo(card.locator('video'));
  } finally {
    sim.stop();
  }
});

test('a job whose response expired is recovered through getTaskDetails', async ({ page, context }) => {
  const sim = await ownSimulator(['--delay', '2s..2s', '--response-retention', '1s']);
  try {
    // A first tab sends the job, and goes away before the result is fetched.
    const first = await context.newPage();
    await first.goto('./');
    await useServer(first, sim.origin, 'REST');
    const frame = await frameDataUri(first, 160);
    const prompt = 'Lanterns rise over a dark lake';
    await submit(first, request(frame, { prompt }));
    await expect(cards(first).filter({ hasText: prompt }).getByText(/^(Processing|Queued)$/)).toBeVisible({ timeout: 10_000 });
    await first.close();
    // Back after getResponse has forgotten the finished task.
    await new Promise((r) => setTimeout(r, 6_000));
    const asked = [];
    page.on('request', (req) => {
      for (const kind of ['getResponse', 'getTaskDetails']) {
        if ((req.postData() ?? '').includes(`"${kind}"`)) asked.push(kind);
      }
    });
    await page.goto('./');
    const back = cards(page).filter({ hasText: prompt });
    await expect(back.getByText('Done', { exact: true })).toBeVisible({ timeout: 30_000 });
    expect(asked).toContain('getTaskDetails');
    await playVideo(back.locator('video'));
  } finally {
    sim.stop();
  }
});

test.describe('an unclear submit', () => {
  // `conflictTaskUUID` answers the resends with HTTP 400, which the browser logs.
  test.use({ expectedConsole: [/status of 400/] });

test('with accepted-timeout at 30%, every job ends in its video and none is sent twice', async ({ page, request: api }) => {
  test.setTimeout(240_000);
  await page.goto('./');
  await useTransport(page, 'REST');
  await resetStats(api);
  const firsts = new Set();
  let n = 0;
  // The first send of every third job is accepted but answered only after the studio has given
  // up waiting (the simulator holds the answer 70 s; the studio waits 60 s).
  await page.route('**/v1', async (route, req) => {
    const body = req.postData() ?? '';
    let fault = false;
    if (body.includes('"videoInference"') && !body.includes('getResponse')) {
      const id = JSON.parse(body).find((t) => t.taskType === 'videoInference')?.taskUUID;
      if (id && !firsts.has(id)) {
        firsts.add(id);
        fault = n++ % 3 === 0;
      }
    }
    const headers = fault ? { ...req.headers(), 'x-sim-fault': 'acceptedTimeout' } : req.headers();
    await route.continue({ headers });
  });
  const frame = await frameDataUri(page, 80);
  const prompts = [0, 1, 2, 3, 4, 5].map((i) => `Clouds pass over hill number ${i}`);
  await submit(page, prompts.map((prompt, i) => ({ ...request(frame, { prompt }), taskUUID: crypto.randomUUID() })));
  for (const prompt of prompts) {
    await expect(cards(page).filter({ hasText: prompt }).getByText('Done', { exact: true })).toBeVisible({ timeout: 200_000 });
  }
  const stats = await simStats(api);
  expect(stats.faults.acceptedTimeout).toBe(2);
  // The held submissions were sent again under the same taskUUID, and each job ran once.
  expect(stats.tasks.videoInference).toBeGreaterThan(prompts.length);
  expect(stats.errors.conflictTaskUUID).toBe(2);
  expect(stats.jobs.accepted).toBe(prompts.length);
  expect(stats.jobs.succeeded).toBe(prompts.length);
});
});

for (const transport of ['REST', 'WebSocket']) {
  test(`over ${transport} with pushes off, the studio polls the job to its video`, async ({ page }) => {
    await page.goto('./');
    await useTransport(page, transport);
    const polls = watchPolls(page);
    const frame = await frameDataUri(page, 250);
    const prompt = `Rain streaks down a window (${transport})`;
    await submit(page, request(frame, { prompt }));
    const card = cards(page).filter({ hasText: prompt });
    await expect(card.getByText('Done', { exact: true })).toBeVisible({ timeout: 45_000 });
    expect(polls.size).toBe(1);
    await playVideo(card.locator('video'));
  });
}
