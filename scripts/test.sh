#!/usr/bin/env bash
# Set up, then run every check CI runs: lint, types, import contracts, the whole test suite (slow tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# the llama.cpp integration test needs the local LLM (a ~10 minute build the first time on a machine)
if [ "${NIANBAO_SKIP_LOCAL_LLM:-0}" != "1" ]; then
  bash scripts/install_local_llm.sh
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports
.venv/bin/python -m pytest -q "$@"
