# nianbao: the HTTP service on its embedded defaults (no API key, no LLM, no network).
FROM python:3.11-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY service ./service
COPY schemas ./schemas
COPY evals ./evals
COPY prompts ./prompts
COPY scripts ./scripts
RUN pip wheel --no-cache-dir --wheel-dir /wheels .
# the parsing core as mypyc C extensions (scripts/compile.py): 1.3x less CPU per report
RUN pip install --no-cache-dir /wheels/*.whl "mypy>=1.10" \
    && python scripts/compile.py --out /opt/nianbao-compiled

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 nianbao
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY --from=build /opt/nianbao-compiled /opt/nianbao-compiled
USER nianbao
WORKDIR /home/nianbao
ENV NIANBAO_HOST=0.0.0.0 NIANBAO_PORT=8000 NIANBAO_WORKERS=2 PYTHONUNBUFFERED=1 \
    PYTHONPATH=/opt/nianbao-compiled
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
STOPSIGNAL SIGTERM
CMD ["nianbao", "serve"]
