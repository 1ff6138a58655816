#!/bin/sh
# Trunk post-build hook.
# 1. Shortens the import names shared by the wasm and its JS glue (xtask/src/minify.rs): about
#    6.6 KB brotli of hash digits.
# 2. Release builds: minifies the JS glue with esbuild (about 2 KB brotli; installed by
#    `cargo xtask setup` into .tools/esbuild/).
# 3. Writes `embed.js`, the stable entry a host page loads to embed the studio. It imports the
#    build's hashed glue and wasm by paths relative to itself, so the same files work under any
#    path of any static host.
set -eu
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
import init from './${js}';
await init({ module_or_path: new URL('./${wasm}', import.meta.url) });
JS
