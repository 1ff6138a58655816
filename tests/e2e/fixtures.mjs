// The fixture every end-to-end test uses: a page that fails the test on any page error or console
// error or warning, and a screenshot of the test's last state saved under artifacts/screenshots/.
import { test as base, expect } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const shots = join(import.meta.dirname, 'artifacts', 'screenshots');

export const test = base.extend({
  // Console messages a test expects (regular expressions): they are collected in `consoleSeen`
  // instead of failing the test. Set with test.use({ expectedConsole: [/…/] }).
  expectedConsole: [[], { option: true }],
  consoleSeen: async ({}, use) => use([]),
  page: async ({ page, expectedConsole, consoleSeen }, use, testInfo) => {
    const problems = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') {
        const line = `console ${msg.type()}: ${msg.text()}`;
        if (expectedConsole.some((re) => re.test(msg.text()))) consoleSeen.push(line);
        else problems.push(line);
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
