#!/usr/bin/env bash
# Set up, then run the HTTP service on its embedded defaults (no API key, no LLM, no network).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/nianbao serve "$@"
