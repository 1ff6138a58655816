// Shared steps of the jobs specs: a frame image, requests submitted the way a user can without
// the form (importing a request file in the Results panel), the simulator's counters, and checks
// that a video really plays.
import { expect } from '../fixtures.mjs';

export const SIM = process.env.KS_SIM_ORIGIN ?? '';

/** A 640×360 PNG frame as a data URI, drawn in the page (so no image file is needed). */
export async function frameDataUri(page, hue = 210) {
  return page.evaluate((h) => {
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 360;
    const g = canvas.getContext('2d');
    const grad = g.createLinearGradient(0, 0, 640, 360);
    grad.addColorStop(0, `hsl(${h} 70% 55%)`);
    grad.addColorStop(1, `hsl(${(h + 120) % 360} 70% 35%)`);
    g.fillStyle = grad;
    g.fillRect(0, 0, 640, 360);
    g.fillStyle = 'white';
    g.font = 'bold 64px sans-serif';
    g.fillText('Kling', 220, 200);
    return canvas.toDataURL('image/png');
  }, hue);
}

/** A videoInference request for the simulator. */
export function request(frame, { prompt = 'A paper boat drifts across a calm pond', results, duration = 5, ttl, format } = {}) {
  const r = {
    taskType: 'videoInference',
    taskUUID: '00000000-0000-4000-8000-000000000000',
    model: 'klingai:5@2',
    positivePrompt: prompt,
    inputs: { frameImages: [frame] },
    width: 1280,
    height: 720,
    duration,
    includeCost: true,
  };
  if (results) r.numberResults = results;
  if (ttl) r.ttl = ttl;
  if (format) r.outputFormat = format;
  return r;
}

/** Submits requests as a user can: "Import…" in the Results panel with a request file. */
export async function submit(page, requests) {
  const body = JSON.stringify(Array.isArray(requests) ? requests : [requests]);
  await page
    .getByRole('region', { name: 'Results' })
    .getByLabel('Import…')
    .setInputFiles({ name: 'request.json', mimeType: 'application/json', buffer: Buffer.from(body) });
}

/** The cards of the history, found by their role. */
export function cards(page) {
  return page.getByRole('region', { name: 'Results' }).getByRole('article');
}

/** The simulator's counters. */
export async function simStats(request) {
  const res = await request.get(`${SIM}/sim/stats`);
  expect(res.ok()).toBeTruthy();
  return res.json();
}

/** The key the studio sends to the simulator when the user has none (any key is accepted). */
export const SIM_KEY = 'kling-studio-simulator';

/** Zeroes the simulator's counters (which needs a key, like every request that changes state). */
export async function resetStats(request) {
  const res = await request.delete(`${SIM}/sim/stats`, { headers: { authorization: `Bearer ${SIM_KEY}` } });
  expect(res.status(), 'DELETE /sim/stats').toBe(204);
}

/** Waits until `video` can play, plays it muted, and returns its state. */
export async function playVideo(video) {
  await expect
    .poll(() => video.evaluate((v) => v.readyState), { timeout: 20_000 })
    .toBeGreaterThanOrEqual(2);
  return video.evaluate(async (v) => {
    v.muted = true;
    await v.play();
    const start = v.currentTime;
    await new Promise((r) => setTimeout(r, 600));
    const state = { readyState: v.readyState, duration: v.duration, advanced: v.currentTime > start };
    v.pause();
    return state;
  });
}

/** Polled taskUUIDs, by page: read from the page's own requests (REST bodies, socket frames). */
export function watchPolls(page) {
  const polled = new Map();
  const note = (body) => {
    if (!body || !body.includes('getResponse')) return;
    try {
      for (const task of JSON.parse(body)) {
        if (task.taskType === 'getResponse') polled.set(task.taskUUID, (polled.get(task.taskUUID) ?? 0) + 1);
      }
    } catch {
      /* not a task array */
    }
  };
  page.on('request', (req) => {
    if (req.method() === 'POST' && new URL(req.url()).pathname === '/v1') note(req.postData());
  });
  page.on('websocket', (ws) => ws.on('framesent', (f) => note(typeof f.payload === 'string' ? f.payload : '')));
  return polled;
}


/** Chooses the transport in the form's Connection settings, as a user does. */
export async function useTransport(page, transport) {
  if (!(await page.getByLabel('Transport').isVisible())) {
    await page.getByText('Connection', { exact: true }).click();
  }
  await page.getByLabel('Transport').selectOption(transport === 'REST' ? 'rest' : 'ws');
}

/** The frame as PNG bytes, for a file input. */
export async function framePng(page, hue) {
  const uri = await frameDataUri(page, hue);
  return Buffer.from(uri.split(',')[1], 'base64');
}
