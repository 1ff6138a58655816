// The page frame: landmarks found as a person (or a screen reader) finds them, in both themes.
import { test, expect } from '../fixtures.mjs';

test('the page frame renders with its landmarks', async ({ page }) => {
  await page.goto('./');
  await expect(page).toHaveTitle('Kling Studio');
  const banner = page.getByRole('banner');
  await expect(banner.getByRole('heading', { level: 1, name: 'Kling Studio' })).toBeVisible();
  await expect(page.getByRole('main')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Create' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Results' })).toBeVisible();
  const footer = page.getByRole('contentinfo');
  await expect(footer.getByRole('link', { name: 'Read the README' })).toHaveAttribute('href', 'README.md');
});

test('the README link leads to the README', async ({ page }) => {
  await page.goto('./');
  const response = await page.request.get('README.md');
  expect(response.status()).toBe(200);
  expect(await response.text()).toContain('cargo xtask run');
});

const luminance = (rgb) => {
  const [r, g, b] = rgb.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};

for (const scheme of ['light', 'dark']) {
  test(`the ${scheme} theme applies under prefers-color-scheme: ${scheme}`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto('./');
    await expect(page.getByRole('main')).toBeVisible();
    const colours = await page.evaluate(() => {
      const app = document.querySelector('.ks-app');
      const style = getComputedStyle(app);
      return { bg: style.backgroundColor, fg: style.color };
    });
    if (scheme === 'dark') {
      expect(luminance(colours.bg)).toBeLessThan(60);
      expect(luminance(colours.fg)).toBeGreaterThan(180);
    } else {
      expect(luminance(colours.bg)).toBeGreaterThan(200);
      expect(luminance(colours.fg)).toBeLessThan(80);
    }
  });
}

for (const width of [360, 390, 1280, 1920]) {
  test(`the layout fits a ${width} px wide window without sideways scrolling`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await page.goto('./');
    await expect(page.getByRole('region', { name: 'Results' })).toBeVisible();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBe(0);
    const form = await page.getByRole('region', { name: 'Create' }).boundingBox();
    const results = await page.getByRole('region', { name: 'Results' }).boundingBox();
    if (width >= 900) {
      expect(results.x).toBeGreaterThan(form.x + form.width - 1); // side by side
    } else {
      expect(results.y).toBeGreaterThan(form.y + form.height - 1); // stacked
    }
  });
}
