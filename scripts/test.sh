#!/usr/bin/env bash
# Set up, then run every check CI runs: lint, types, import contracts, the whole test suite (slow tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Debian packages the tests use for real: chromium and a Chinese font (the review page's browser test; never a
# browser download), LibreOffice (old Word and OpenDocument files)
if ! command -v chromium >/dev/null 2>&1 || ! fc-list :lang=zh 2>/dev/null | grep -q . || ! command -v soffice >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      chromium fonts-wqy-microhei libreoffice-writer-nogui >/dev/null
  else
    echo "note: chromium, a Chinese font or LibreOffice is missing; their tests skip (they fail in CI)" >&2
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
