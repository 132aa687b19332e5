#!/usr/bin/env bash
# Set up, then run every check CI runs: lint, types, import contracts, the whole test suite (slow tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# the review page's test drives a real browser: Debian's chromium and a Chinese font (never a browser download)
if ! command -v chromium >/dev/null 2>&1 || ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
  else
    echo "note: chromium or a Chinese font is missing; the review page's browser test skips (it fails in CI)" >&2
  fi
fi
# the llama.cpp integration test needs the local LLM (a ~10 minute build the first time on a machine)
if [ "${NIANBAO_SKIP_LOCAL_LLM:-0}" != "1" ]; then
  bash scripts/install_local_llm.sh
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports
.venv/bin/python -m pytest -q "$@"
