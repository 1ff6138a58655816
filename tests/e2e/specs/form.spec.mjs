// The studio form, driven as a person drives it: controls found by role and label, pictures
// generated in the page with a canvas and given by drop, file picker or paste, the request read
// back from the developer panel.
import { test, expect } from '../fixtures.mjs';

const UUID = '6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f';

/** The form region. */
const form = (page) => page.getByRole('region', { name: 'Create' });

/** Opens a collapsed section of the form by its title. */
async function open(page, title) {
  const details = form(page).locator('details').filter({ has: page.locator('summary', { hasText: title }) });
  if (!(await details.evaluate((d) => d.open))) {
    await details.locator('summary').first().click();
  }
  return details;
}

/** The request task shown by the developer panel (the first task of the body). */
async function request(page) {
  await open(page, 'Developer');
  const text = await form(page).getByLabel('Request JSON', { exact: true }).textContent();
  return JSON.parse(text)[0];
}

/** Gives the first frame an uploaded image's UUID: a valid frame without any network. */
async function useUuid(page, slot = 'First frame') {
  const group = form(page).getByRole('group', { name: slot });
  await group.getByRole('button', { name: "Use a URL or an uploaded image's UUID" }).click();
  await group.getByLabel('Image URL or UUID').fill(UUID);
  await group.getByRole('button', { name: 'Use', exact: true }).click();
  await expect(group).toHaveAttribute('data-state', 'ready');
}

/** Draws a picture in the page and drops it on a slot with a real DataTransfer. */
async function dropPicture(page, { slot = 'first', width, height, type = 'image/jpeg', name }) {
  return page.evaluate(async ({ slot, width, height, type, name }) => {
    const canvas = new OffscreenCanvas(width, height);
    const g = canvas.getContext('2d');
    const sky = g.createLinearGradient(0, 0, 0, height);
    sky.addColorStop(0, '#23395b');
    sky.addColorStop(1, '#f4a259');
    g.fillStyle = sky;
    g.fillRect(0, 0, width, height);
    for (let i = 0; i < 120; i++) {
      g.fillStyle = `hsl(${(i * 47) % 360} 70% 60% / 0.55)`;
      g.beginPath();
      g.arc((i * 977) % width, (i * 613) % height, width / 60 + (i % 5) * (width / 200), 0, 7);
      g.fill();
    }
    const blob = await canvas.convertToBlob({ type, quality: 0.9 });
    const file = new File([blob], name, { type });
    const data = new DataTransfer();
    data.items.add(file);
    // The form may live in a shadow root when embedded; standalone it is in the document.
    const zone = document.querySelector(`[data-slot=${slot}] .ks-slot__zone`);
    for (const kind of ['dragenter', 'dragover', 'drop']) {
      zone.dispatchEvent(new DragEvent(kind, { dataTransfer: data, bubbles: true, cancelable: true }));
    }
    return blob.size;
  }, { slot, width, height, type, name: name ?? `picture-${width}x${height}.${type === 'image/png' ? 'png' : 'jpg'}` });
}

/** The full body copied by "Copy JSON", read back from the clipboard. */
async function copiedBody(page) {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await open(page, 'Developer');
  const copied = form(page).getByText('Copied', { exact: true });
  await expect(copied).toBeHidden({ timeout: 5_000 });
  await form(page).getByRole('button', { name: 'Copy JSON' }).click();
  await expect(copied).toBeVisible();
  return JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
}

test.beforeEach(async ({ page }) => {
  await page.goto('./');
  await expect(form(page)).toBeVisible();
});

test('the form starts with the spec defaults', async ({ page }) => {
  await useUuid(page);
  const task = await request(page);
  expect(task).toMatchObject({
    taskType: 'videoInference',
    model: 'klingai:5@2',
    inputs: { frameImages: [UUID] },
    width: 1920,
    height: 1080,
    duration: 5,
    CFGScale: 0.5,
    numberResults: 1,
    outputFormat: 'MP4',
    outputQuality: 95,
  });
  for (const absent of ['positivePrompt', 'negativePrompt', 'seed', 'includeCost', 'safety', 'ttl', 'webhookURL', 'uploadEndpoint']) {
    expect(task, absent).not.toHaveProperty(absent);
  }
  expect(task.taskUUID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  // The model takes no request without a prompt: that is all that is missing.
  const button = form(page).getByRole('button', { name: 'Generate video' });
  await expect(button).toHaveAttribute('aria-disabled', 'true');
  await form(page).getByRole('textbox', { name: 'Prompt', exact: true }).fill('A slow pan over the hills');
  await expect(button).toHaveAttribute('aria-disabled', 'false');
});

test("each control's change appears in the request JSON", async ({ page }) => {
  const f = form(page);
  await useUuid(page);
  await f.getByRole('textbox', { name: 'Prompt', exact: true }).fill('A paper boat drifts down a rainy street');
  await f.getByRole('textbox', { name: 'Negative prompt' }).fill('blurry');
  await f.getByRole('radio', { name: '720p' }).check();
  await f.getByRole('radio', { name: '9:16' }).check();
  await f.getByRole('radio', { name: '10 s' }).check();
  await f.getByRole('radio', { name: '3', exact: true }).check();
  await f.getByLabel('CFG scale value, 0 to 1').fill('0.73');
  await open(page, 'Advanced');
  await f.getByLabel('Output format').selectOption('WEBM');
  await f.getByLabel('Output quality').fill('80');
  await f.getByRole('radio', { name: 'All frames' }).check();
  await f.getByLabel('Report the cost of each video').check();
  await f.getByLabel('Link lifetime (seconds)').fill('3600');
  await f.getByLabel('Webhook URL').fill('https://hooks.example.com/kling');
  await f.getByLabel('Upload endpoint').fill('https://put.example.com/videos');
  const task = await request(page);
  expect(task).not.toHaveProperty('seed');
  expect(task).toMatchObject({
    positivePrompt: 'A paper boat drifts down a rainy street',
    negativePrompt: 'blurry',
    width: 720,
    height: 1280,
    duration: 10,
    numberResults: 3,
    CFGScale: 0.73,
    outputFormat: 'WEBM',
    outputQuality: 80,
    safety: { mode: 'full' },
    includeCost: true,
    ttl: 3600,
    webhookURL: 'https://hooks.example.com/kling',
    uploadEndpoint: 'https://put.example.com/videos',
  });
  // The slider and the number box are one value.
  await f.getByRole('slider', { name: /Prompt adherence/ }).fill('0.2');
  await expect(f.getByLabel('CFG scale value, 0 to 1')).toHaveValue('0.2');
  expect((await request(page)).CFGScale).toBe(0.2);
  // A last frame makes two items, first then last.
  await f.getByRole('button', { name: 'Add a last frame' }).click();
  await useUuid(page, 'Last frame');
  expect((await request(page)).inputs.frameImages).toEqual([UUID, UUID]);
  await expect(f.getByRole('button', { name: 'Generate 3 videos' })).toHaveAttribute('aria-disabled', 'false');
});

test('invalid inputs block submit with the right message beside the control', async ({ page }) => {
  const f = form(page);
  const button = f.getByRole('button', { name: 'Generate video' });
  // Nothing yet: the first frame is what is missing.
  await expect(button).toHaveAttribute('aria-disabled', 'true');
  await expect(f.getByText('Before you generate:')).toBeVisible();
  await page.keyboard.press('Control+Enter');
  await useUuid(page);
  // Then the prompt, which the model requires.
  await expect(button).toHaveAttribute('aria-disabled', 'true');
  await expect(f.locator('#ks-submit-blockers')).toContainText('Prompt: Is required');

  await f.getByRole('textbox', { name: 'Prompt', exact: true }).fill('x');
  await f.getByLabel('CFG scale value, 0 to 1').fill('1.5');
  await open(page, 'Advanced');
  await f.getByLabel('Webhook URL').fill('ftp://example.com/hook');
  await f.getByLabel('Output quality').fill('120');

  const beside = async (label, text) => {
    const control = f.getByLabel(label, { exact: true });
    const ids = (await control.getAttribute('aria-describedby')).split(' ');
    const messages = f.locator(`[id="${ids.at(-1)}"]`);
    await expect(messages).toContainText(text);
  };
  await beside('Prompt', 'Must be 2 to 2500 characters long; it has 1.');
  await beside('CFG scale value, 0 to 1', 'Must be between 0 and 1.');
  await beside('Webhook URL', 'Must be an absolute http or https URL.');
  await beside('Output quality', 'Must be between 20 and 99.');
  await expect(f.getByRole('textbox', { name: 'Prompt', exact: true })).toHaveAttribute('aria-invalid', 'true');

  await expect(button).toHaveAttribute('aria-disabled', 'true');
  const blockers = f.locator('#ks-submit-blockers');
  await expect(blockers).toContainText('Prompt: Must be 2 to 2500 characters long; it has 1.');
  await expect(blockers).toContainText('Prompt adherence: Must be between 0 and 1.');
  await expect(blockers).toContainText('and 1 more');
  // Submitting goes to the first thing to fix instead.
  await f.getByRole('textbox', { name: 'Negative prompt' }).focus();
  await page.keyboard.press('Control+Enter');
  await expect(f.getByRole('textbox', { name: 'Prompt', exact: true })).toBeFocused();
  // The developer panel shows the validator's own words, with the field paths.
  await open(page, 'Developer');
  const problems = f.getByRole('list', { name: 'Problems in the request' });
  await expect(problems).toContainText('positivePrompt');
  await expect(problems).toContainText('CFGScale must be between 0 and 1');

  await f.getByRole('textbox', { name: 'Prompt', exact: true }).fill('A slow dolly shot');
  await f.getByLabel('CFG scale value, 0 to 1').fill('0.5');
  await f.getByLabel('Webhook URL').fill('');
  await f.getByLabel('Output quality').fill('90');
  await expect(button).toHaveAttribute('aria-disabled', 'false');
});

test('a 6000×4000 JPEG dropped on the first slot becomes a 1920×1080 data URI at 1080p 16:9', async ({ page }) => {
  const f = form(page);
  await f.getByRole('radio', { name: '1080p' }).check();
  await f.getByRole('radio', { name: '16:9' }).check();
  const original = await dropPicture(page, { width: 6000, height: 4000 });
  const slot = f.getByRole('group', { name: 'First frame' });
  await expect(slot).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
  await expect(slot).toContainText('6000 × 4000 JPEG');
  await expect(slot).toContainText('1920 × 1080 JPEG');
  const [task] = await copiedBody(page);
  const image = task.inputs.frameImages[0];
  expect(image).toMatch(/^data:image\/jpeg;base64,\/9j\//);
  const size = await page.evaluate(async (uri) => {
    const bitmap = await createImageBitmap(await (await fetch(uri)).blob());
    return [bitmap.width, bitmap.height];
  }, image);
  expect(size).toEqual([1920, 1080]);
  expect(task).toMatchObject({ width: 1920, height: 1080 });
  expect(image.length).toBeLessThan(original * 1.34);
  // The crop box moves with the keyboard; the frame is made again from the new crop.
  const box = slot.getByRole('group', { name: /Crop box, centred/ });
  await box.focus();
  await page.keyboard.press('Shift+ArrowUp');
  await expect(slot.getByRole('group', { name: /Crop box, 50% toward the top/ })).toBeVisible();
  // The box keeps the focus while it moves.
  await page.keyboard.press('Shift+ArrowUp');
  await expect(slot.getByRole('group', { name: /Crop box, 100% toward the top/ })).toBeFocused();
  await expect(slot).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
  const [moved] = await copiedBody(page);
  expect(moved.inputs.frameImages[0]).not.toEqual(image);
});

test('frames are refused with a reason, swapped, and cleared', async ({ page }) => {
  const f = form(page);
  const first = f.getByRole('group', { name: 'First frame' });
  await page.evaluate(() => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><rect width="800" height="600"/></svg>';
    const data = new DataTransfer();
    data.items.add(new File([svg], 'logo.svg', { type: 'image/svg+xml' }));
    document.querySelector('[data-slot=first] .ks-slot__zone')
      .dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  });
  await expect(first.getByRole('alert')).toContainText('SVG images are not accepted; use PNG, JPEG or WEBP.');
  await dropPicture(page, { width: 200, height: 200, type: 'image/png', name: 'tiny.png' });
  await expect(first.getByRole('alert')).toContainText('each side must be at least 300 px');
  // The reason is said once: not also "is required" beside the slot.
  await expect(f.locator('[id="ks-frame-first-messages"]')).toBeEmpty();

  // A portrait picture through the file picker; Auto then picks 9:16.
  const bytes = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(1080, 1920);
    const g = canvas.getContext('2d');
    g.fillStyle = '#2a9d8f';
    g.fillRect(0, 0, 1080, 1920);
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    return Array.from(new Uint8Array(await blob.arrayBuffer()));
  });
  await first.locator('input[type=file]').setInputFiles({ name: 'portrait.png', mimeType: 'image/png', buffer: Buffer.from(bytes) });
  await expect(first).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
  await expect(f.getByText('Auto: 9:16 is nearest to your frame.')).toBeVisible();
  await expect(f.getByText('1080 × 1920 px')).toBeVisible();

  await f.getByRole('button', { name: 'Add a last frame' }).click();
  await useUuid(page, 'Last frame');
  await f.getByRole('button', { name: 'Swap first and last' }).click();
  const task = await request(page);
  expect(task.inputs.frameImages[0]).toBe(UUID);
  expect(task.inputs.frameImages[1]).toMatch(/^data:image\/png;base64,/);
  await f.getByRole('button', { name: 'Clear the first frame' }).click();
  const [only] = (await request(page)).inputs.frameImages;
  expect(only.frame).toBe('last');
  expect(only.image).toMatch(/^data:image\/png;base64,/);
});

test('an image URL is sent as it is, and its shape picks the aspect', async ({ page }) => {
  const png = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(720, 1280);
    const g = canvas.getContext('2d');
    g.fillStyle = '#264653';
    g.fillRect(0, 0, 720, 1280);
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    return Array.from(new Uint8Array(await blob.arrayBuffer()));
  });
  await page.route('**/pictures/tall.png', (route) =>
    route.fulfill({ body: Buffer.from(png), contentType: 'image/png' }));
  const url = new URL('pictures/tall.png', page.url()).href;
  const first = form(page).getByRole('group', { name: 'First frame' });
  await first.getByRole('button', { name: "Use a URL or an uploaded image's UUID" }).click();
  await first.getByLabel('Image URL or UUID').fill('ftp://example.com/a.png');
  await first.getByLabel('Image URL or UUID').press('Enter');
  await expect(first).toContainText('The image must be an absolute http or https URL');
  await first.getByLabel('Image URL or UUID').fill(url);
  await first.getByLabel('Image URL or UUID').press('Enter');
  await expect(first).toContainText('720 × 1280 · sent by URL');
  await expect(form(page).getByText('Auto: 9:16 is nearest to your frame.')).toBeVisible();
  const task = await request(page);
  expect(task.inputs.frameImages).toEqual([url]);
  expect(task).toMatchObject({ width: 1080, height: 1920 });
});

test('a picture pasted outside a text box goes to the first frame', async ({ page }) => {
  await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(900, 900);
    const g = canvas.getContext('2d');
    g.fillStyle = '#e76f51';
    g.fillRect(0, 0, 900, 900);
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    const data = new DataTransfer();
    data.items.add(new File([blob], 'clipboard.png', { type: 'image/png' }));
    document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  const first = form(page).getByRole('group', { name: 'First frame' });
  await expect(first).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
  await expect(first).toContainText('900 × 900 PNG');
  expect((await request(page)).width).toBe(1080);
});

test('Ctrl+Enter submits a valid form and leaves it ready for the next', async ({ page }) => {
  const f = form(page);
  await dropPicture(page, { width: 1280, height: 720 });
  await expect(f.getByRole('group', { name: 'First frame' })).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
  const before = (await request(page)).taskUUID;
  await f.getByRole('textbox', { name: 'Prompt', exact: true }).fill('Waves roll onto the beach at dusk');
  await page.keyboard.press('Control+Enter');
  await expect(f.getByRole('status').filter({ hasText: 'Started' })).toBeVisible();
  const after = await request(page);
  expect(after.taskUUID).not.toBe(before);
  expect(after.positivePrompt).toBe('Waves roll onto the beach at dusk');
});

test('the API key stays in memory unless remembered, and is forgotten in one click', async ({ page }) => {
  const f = form(page);
  await open(page, 'Connection');
  await f.getByRole('radio', { name: 'Runware' }).check();
  await expect(f.getByText('Key needed')).toBeVisible();
  await useUuid(page);
  await expect(f.locator('#ks-submit-blockers')).toContainText('Connection: Add your Runware API key.');
  await f.getByLabel('API key').fill('rw-secret-key-123');
  await expect(f.getByText('Key needed')).toBeHidden();
  const stored = () => page.evaluate(() => JSON.stringify({ ...localStorage }));
  expect(await stored()).not.toContain('rw-secret-key-123');
  await f.getByLabel('Remember on this device').check();
  await expect(f.getByRole('note')).toContainText('stored unencrypted in this browser');
  expect(await stored()).toContain('rw-secret-key-123');
  // The draft's settings survive a reload too (frames do not: they are the user's files).
  await f.getByRole('textbox', { name: 'Prompt', exact: true }).fill('Kept across a reload');
  await page.reload();
  await open(page, 'Connection');
  await expect(f.getByLabel('API key')).toHaveValue('rw-secret-key-123');
  await expect(f.getByRole('textbox', { name: 'Prompt', exact: true })).toHaveValue('Kept across a reload');
  // Nothing the studio copies or links carries the key.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await open(page, 'Developer');
  for (const name of ['Copy JSON', 'Copy as curl', 'Copy poll snippet']) {
    await f.getByRole('button', { name }).click();
    const text = await page.evaluate(() => navigator.clipboard.readText());
    expect(text, name).not.toContain('rw-secret-key-123');
  }
  await f.getByRole('button', { name: 'Copy as curl' }).click();
  const curl = await page.evaluate(() => navigator.clipboard.readText());
  expect(curl).toContain("curl -sS -X POST 'https://api.runware.ai/v1'");
  expect(curl).toContain('Authorization: Bearer $RUNWARE_API_KEY');
  expect(page.url()).not.toContain('rw-secret');
  await f.getByRole('button', { name: 'Forget the key' }).click();
  await expect(f.getByLabel('API key')).toHaveValue('');
  expect(await stored()).not.toContain('rw-secret-key-123');
});

test('presets keep settings, and a share link carries them without frames or key', async ({ page }) => {
  const f = form(page);
  await f.getByRole('textbox', { name: 'Prompt', exact: true }).fill('Neon rain, slow push-in');
  await f.getByRole('radio', { name: '10 s' }).check();
  await f.getByRole('radio', { name: '1:1' }).check();
  await open(page, 'Presets and sharing');
  await f.getByLabel('Save the current settings as').fill('Neon square');
  await f.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(f.getByText('Saved “Neon square”.')).toBeVisible();
  await f.getByRole('textbox', { name: 'Prompt', exact: true }).fill('Something else');
  await f.getByRole('radio', { name: '5 s' }).check();
  await f.getByLabel('Saved presets').selectOption('Neon square');
  await f.getByRole('button', { name: 'Load', exact: true }).click();
  await expect(f.getByRole('textbox', { name: 'Prompt', exact: true })).toHaveValue('Neon rain, slow push-in');
  await expect(f.getByRole('radio', { name: '10 s' })).toBeChecked();
  const stored = await page.evaluate(() => localStorage.getItem('kling-studio.presets'));
  expect(stored).not.toContain('frameImages');

  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await useUuid(page);
  await f.getByRole('button', { name: 'Copy share link' }).click();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toMatch(/#v=1&/);
  expect(link).toContain('prompt=Neon%20rain%2C%20slow%20push-in');
  expect(link).not.toContain(UUID);
  const other = await page.context().newPage();
  await other.goto(link);
  const g = form(other);
  await expect(g.getByRole('status').filter({ hasText: 'Settings loaded from a shared link.' })).toBeVisible();
  await expect(g.getByRole('textbox', { name: 'Prompt', exact: true })).toHaveValue('Neon rain, slow push-in');
  await expect(g.getByRole('radio', { name: '1:1' })).toBeChecked();
  expect(other.url()).not.toContain('#v=1');
  await other.close();
});

test('a request JSON can be imported, and its problems are listed', async ({ page }) => {
  const f = form(page);
  await open(page, 'Developer');
  await f.getByLabel('Import a request JSON').fill(JSON.stringify({ taskType: 'videoInference', taskUUID: UUID, model: 'klingai:5@2', inputs: { frameImages: [UUID] }, duration: 7, cfgScale: 0.3, seed: 42 }));
  await f.getByRole('button', { name: 'Import' }).click();
  const problems = f.getByRole('list', { name: 'Problems in the imported request' });
  await expect(problems).toContainText('duration must be 5 or 10 seconds');
  await expect(problems).toContainText('did you mean CFGScale?');
  await expect(problems).toContainText('positivePrompt');
  await expect(problems).toContainText('seed');
  await f.getByLabel('Import a request JSON').fill(JSON.stringify([{ taskType: 'videoInference', taskUUID: UUID, model: 'klingai:5@2', inputs: { frameImages: [UUID] }, positivePrompt: 'Imported', duration: 10, width: 720, height: 720, CFGScale: 0.3 }]));
  await f.getByRole('button', { name: 'Import' }).click();
  await expect(f.getByText('Loaded into the form, with a new task UUID.')).toBeVisible();
  await expect(f.getByRole('textbox', { name: 'Prompt', exact: true })).toHaveValue('Imported');
  const task = await request(page);
  expect(task).toMatchObject({ width: 720, height: 720, duration: 10, CFGScale: 0.3, inputs: { frameImages: [UUID] } });
  expect(task.taskUUID).not.toBe(UUID);
});

test('the character counters are read as the box\'s description, with no ARIA on a plain span', async ({ page }) => {
  const f = form(page);
  const prompt = f.getByRole('textbox', { name: 'Prompt', exact: true });
  await prompt.fill('A slow pan');
  await expect(prompt).toHaveAccessibleDescription(/10 of 2500 characters/);
  await expect(f.getByRole('textbox', { name: 'Negative prompt' })).toHaveAccessibleDescription(/0 of 2500 characters/);
  for (const id of ['ks-prompt-count', 'ks-negative-prompt-count']) {
    const counter = f.locator(`#${id}`);
    await expect(counter).not.toHaveAttribute('aria-label');
    await expect(counter).not.toHaveAttribute('role');
  }
  // The eye reads the figures.
  await expect(f.locator('#ks-prompt-count')).toContainText('10 / 2500');
});

test('each drop zone is a labelled group inside its slot, reachable by Tab', async ({ page }) => {
  await form(page).getByRole('button', { name: 'Add a last frame' }).click();
  for (const slot of ['First frame', 'Last frame']) {
    const group = form(page).getByRole('group', { name: slot });
    const zone = group.getByRole('group', { name: 'Drop or paste an image here' });
    await expect(zone).toBeVisible();
    await expect(zone).toHaveAttribute('tabindex', '0');
  }
});

test('the skip link focuses the form and leaves the URL as it was', async ({ page }) => {
  const before = page.url();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to the form' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(form(page).getByRole('heading', { name: 'Create' })).toBeFocused();
  expect(page.url()).toBe(before);
});

test('the Ctrl ↵ hint shows where there is a keyboard', async ({ page }) => {
  await expect(form(page).locator('.ks-submit__keys')).toBeVisible();
});

test.describe('on a touch screen', () => {
  test.use({ hasTouch: true, isMobile: true, viewport: { width: 390, height: 844 } });

  test('the Ctrl ↵ hint is not shown', async ({ page }) => {
    expect(await page.evaluate(() => matchMedia('(hover: none) and (pointer: coarse)').matches)).toBe(true);
    await expect(form(page).getByRole('button', { name: 'Generate video' })).toBeVisible();
    await expect(form(page).locator('.ks-submit__keys')).toBeHidden();
  });
});

for (const scheme of ['light', 'dark']) {
  for (const width of [1280, 390]) {
    test(`form screenshot ${scheme} ${width}px`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width, height: 1100 });
      const f = form(page);
      await dropPicture(page, { width: 4000, height: 3000, name: 'harbour-at-dawn.jpg' });
      await expect(f.getByRole('group', { name: 'First frame' })).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
      await f.getByRole('textbox', { name: 'Prompt', exact: true }).fill('Fishing boats rock gently as the sun rises; slow aerial pull-back, soft mist');
      await f.getByRole('radio', { name: '10 s' }).check();
      await expect(f.getByRole('button', { name: 'Generate video' })).toHaveAttribute('aria-disabled', 'false');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBe(0);
      // The screenshot shows the form from its top (beside the results it scrolls on its own).
      await f.evaluate((el) => el.scrollTo(0, 0));
      await page.evaluate(() => window.scrollTo(0, 0));
    });
  }
}
