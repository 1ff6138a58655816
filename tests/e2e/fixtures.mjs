// The fixture every end-to-end test uses: a page that fails the test on any page error or console
// error or warning, and a screenshot of the test's last state saved under artifacts/screenshots/.
import { test as base, expect } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const shots = join(import.meta.dirname, 'artifacts', 'screenshots');

export const test = base.extend({
  page: async ({ page }, use, testInfo) => {
    const problems = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') {
        problems.push(`console ${msg.type()}: ${msg.text()}`);
      }
    });
    await use(page);
    mkdirSync(shots, { recursive: true });
    const name = testInfo.titlePath.slice(1).join(' - ').replace(/[^\w.-]+/g, '_');
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    expect(problems, 'no page errors and no console errors or warnings').toEqual([]);
  },
});

export { expect };
