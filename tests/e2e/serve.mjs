// A plain static file server for the built studio, as any static host would serve it: the files of
// a folder under a base path, with correct content types and no rewriting. With a backend it also
// forwards `/v1` (HTTP) and `/ws/v1` (WebSocket) to it, as `trunk serve` or a reverse proxy would.
// Like nginx with `brotli_static on; gzip_static on;`, it sends a file's `.br` or `.gz` (written by
// release builds) when the browser accepts that encoding.
// Usage: node serve.mjs <dir> <port> [base-path] [backend-origin]
import { createServer, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const [dir = '../../dist', port = '4310', base = '/', backend = ''] = process.argv.slice(2);
const root = resolve(dir);
const prefix = base.endsWith('/') ? base : `${base}/`;
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.json': 'application/json',
  '.md': 'text/markdown; charset=utf-8',
};
const target = backend ? new URL(backend) : null;

function forward(req, res) {
  const upstream = httpRequest(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('error', () => res.writeHead(502).end('backend unreachable'));
  req.pipe(upstream);
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (target && (url.pathname === '/v1' || url.pathname.startsWith('/v1/'))) {
    forward(req, res);
    return;
  }
  if (!url.pathname.startsWith(prefix)) {
    res.writeHead(404).end('not under the base path');
    return;
  }
  const rel = decodeURIComponent(url.pathname.slice(prefix.length)) || 'index.html';
  const file = normalize(join(root, rel));
  if (!file.startsWith(root)) {
    res.writeHead(403).end();
    return;
  }
  try {
    const path = (await stat(file)).isDirectory() ? join(file, 'index.html') : file;
    const headers = { 'content-type': types[extname(path)] ?? 'application/octet-stream', vary: 'accept-encoding' };
    const accepted = String(req.headers['accept-encoding'] ?? '');
    let body = null;
    for (const [encoding, ext] of [['br', '.br'], ['gzip', '.gz']]) {
      if (body || !new RegExp(`\\b${encoding}\\b`).test(accepted)) continue;
      body = await readFile(path + ext).catch(() => null);
      if (body) headers['content-encoding'] = encoding;
    }
    body ??= await readFile(path);
    res.writeHead(200, headers);
    res.end(body);
  } catch {
    res.writeHead(404).end('not found');
  }
});

// WebSocket: `/ws/v1` is tunnelled, bytes as they are, to the backend's `/v1`.
server.on('upgrade', (req, socket, head) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (!target || url.pathname !== '/ws/v1') {
    socket.destroy();
    return;
  }
  const upstream = connect(Number(target.port), target.hostname, () => {
    const lines = [`GET /v1${url.search} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    }
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  const close = () => {
    upstream.destroy();
    socket.destroy();
  };
  upstream.on('error', close);
  socket.on('error', close);
});

server.listen(Number(port), '127.0.0.1', () => {
  console.log(`serving ${root} at http://127.0.0.1:${port}${prefix}${target ? ` (backend ${backend})` : ''}`);
});
