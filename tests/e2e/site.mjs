// A throwaway static "site" for embedding tests: the built studio copied under a subpath of a temp
// folder, a host page written beside it, and the plain static server (no proxy) serving the folder.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = process.env.KS_ROOT ?? resolve(import.meta.dirname, '../..');
const dist = process.env.KS_DIST ?? resolve(root, 'dist');

/**
 * Builds the site and starts serving it.
 * @param {object} o
 * @param {number} o.port        where to serve
 * @param {string} o.subpath     where the studio's files go, e.g. "/sites/jane/studio/"
 * @param {string} o.pagePath    where the host page goes, e.g. "/sites/jane/index.html"
 * @param {string} o.html        the host page
 */
export async function startSite({ port, subpath, pagePath, html }) {
  const dir = mkdtempSync(join(tmpdir(), 'ks-site-'));
  const studio = join(dir, subpath);
  mkdirSync(studio, { recursive: true });
  cpSync(dist, studio, { recursive: true });
  writeFileSync(join(dir, pagePath), html);
  const server = spawn('node', [join(import.meta.dirname, 'serve.mjs'), dir, String(port), '/'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((ok, fail) => {
    server.stdout.once('data', ok);
    server.once('exit', (code) => fail(new Error(`static server exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}${pagePath}`,
    stop() {
      server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
