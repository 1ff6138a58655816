#!/bin/sh
# Trunk post-build hook.
# 1. Shortens the import names shared by the wasm and its JS glue (xtask/src/minify.rs): about
#    6.6 KB brotli of hash digits.
# 2. Release builds: minifies the JS glue with esbuild (about 2 KB brotli; installed by
#    `cargo xtask setup` into .tools/esbuild/).
# 3. Writes `embed.js`, the stable entry a host page loads to embed the studio. It imports the
#    build's hashed glue and wasm by paths relative to itself, so the same files work under any
#    path of any static host. Before fetching the wasm it opens the host's shadow root and draws a
#    small loader there (the host page's CSS cannot reach it); the studio empties that root when it
#    mounts.
# 4. Release builds: writes `.br` and `.gz` beside each compressible file, for hosts that serve
#    them as they are (nginx `brotli_static` / `gzip_static`, most CDNs).
set -eu
root=$PWD
cargo xtask minify-imports "$TRUNK_STAGING_DIR"
esbuild="$PWD/.tools/esbuild/node_modules/.bin/esbuild"
cd "$TRUNK_STAGING_DIR"
js=$(ls kling-studio-*.js 2>/dev/null | head -n 1)
wasm=$(ls kling-studio-*_bg.wasm 2>/dev/null | head -n 1)
if [ -z "$js" ] || [ -z "$wasm" ]; then
  echo "post-build: no kling-studio-*.js / *_bg.wasm in $TRUNK_STAGING_DIR" >&2
  exit 1
fi
if [ "${TRUNK_PROFILE:-}" = "release" ]; then
  if [ ! -x "$esbuild" ]; then
    echo "post-build: esbuild is missing; run \`cargo xtask setup\` first" >&2
    exit 1
  fi
  "$esbuild" "$js" --minify --format=esm --log-level=warning --allow-overwrite --outfile="$js"
fi
cat > embed.js <<JS
// Kling Studio embed loader. Add to a page:
//   <div data-kling-studio></div>
//   <script type="module" src="<path to the studio>/embed.js"></script>
// The studio mounts into the first element with data-kling-studio (see the README for its options).
const host = document.querySelector('[data-kling-studio]');
if (host && !host.shadowRoot) {
  try {
    const theme = host.getAttribute('data-theme');
    const scheme = theme === 'light' || theme === 'dark' ? theme : 'light dark';
    host.attachShadow({ mode: 'open' }).innerHTML =
      '<style>:host{display:block}' +
      \`.b{color-scheme:\${scheme};min-height:240px;display:flex;flex-direction:column;align-items:center;\` +
      'justify-content:center;gap:12px;padding:24px;box-sizing:border-box;' +
      'background:light-dark(#f5f6fa,#0e1015);color:light-dark(#5b6275,#9aa1b5);' +
      'font:400 15px/1.5 "DejaVu Sans",system-ui,sans-serif;letter-spacing:normal;text-align:center}' +
      '.r{width:160px;height:3px;border-radius:3px;overflow:hidden;background:light-dark(#dadde8,#2c3140)}' +
      '.r::after{content:"";display:block;width:40%;height:100%;background:light-dark(#4f3ff0,#8f84ff);' +
      'animation:m 1.2s ease-in-out infinite}' +
      '@keyframes m{from{transform:translateX(-100%)}to{transform:translateX(250%)}}' +
      '@media (prefers-reduced-motion:reduce){.r::after{animation:none;width:100%;opacity:.5}}</style>' +
      '<div class="b" role="status"><div class="r" aria-hidden="true"></div>Loading Kling Studio…</div>';
  } catch {
    // An element that cannot hold a shadow root: the studio says why when it mounts.
  }
}
import('./${js}').then((glue) => glue.default({ module_or_path: new URL('./${wasm}', import.meta.url) }));
JS
if [ "${TRUNK_PROFILE:-}" = "release" ]; then
  cd "$root"
  cargo xtask compress "$TRUNK_STAGING_DIR"
fi
