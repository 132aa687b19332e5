#!/usr/bin/env bash
# Set up, then run the HTTP service on its embedded defaults (no API key, no LLM, no network).
# The parsing core is compiled with mypyc first (about a minute, once; NIANBAO_COMPILE=0 skips it);
# without a C compiler the service runs as plain Python, with the same results.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "${NIANBAO_COMPILE:-1}" != "0" ] && .venv/bin/python scripts/compile.py; then
  export PYTHONPATH="$PWD/build/compiled${PYTHONPATH:+:$PYTHONPATH}"
fi
exec .venv/bin/nianbao serve "$@"
