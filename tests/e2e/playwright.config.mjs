// End-to-end tests of the built studio in Debian's Chromium. Playwright never downloads a browser
// here: the executable is the system's. Two servers run for the tests: the plain static server with
// `dist/` (forwarding /v1 and /ws/v1 like `trunk serve` does), and the local Runware simulator.
//
// Environment (all optional): KS_ROOT (repository), KS_DIST (built app, default <root>/dist),
// KS_E2E_PORT (static server, default 4310), KS_SIM_PORT (simulator, default 4311),
// KS_SIM_BIN (simulator binary, default <root>/target/debug/runware-sim), CHROMIUM.
import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const root = process.env.KS_ROOT ?? resolve(import.meta.dirname, '../..');
const dist = process.env.KS_DIST ?? resolve(root, 'dist');
const port = Number(process.env.KS_E2E_PORT ?? 4310);
const simPort = Number(process.env.KS_SIM_PORT ?? 4311);
const simBin = process.env.KS_SIM_BIN ?? resolve(root, 'target/debug/runware-sim');
const withSim = existsSync(simBin);
const simOrigin = `http://127.0.0.1:${simPort}`;

// Shared with the specs: where the simulator is, so they can read its counters or set faults.
process.env.KS_SIM_ORIGIN = withSim ? simOrigin : '';
// And the binary, for specs that start a simulator of their own with other flags.
process.env.KS_SIM_BIN = withSim ? simBin : '';

const servers = [
  {
    command: `node serve.mjs ${dist} ${port} / ${withSim ? simOrigin : ''}`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    stdout: 'ignore',
  },
];
if (withSim) {
  servers.push({
    command: `${simBin} --host 127.0.0.1 --port ${simPort} --delay 1s..2s`,
    url: `${simOrigin}/healthz`,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'ignore',
  });
}

export default defineConfig({
  testDir: './specs',
  outputDir: './artifacts/results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}/`,
    screenshot: 'off',
    trace: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: servers,
});
