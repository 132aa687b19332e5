# nianbao: the HTTP service on its embedded defaults (no API key, no LLM, no network).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY service ./service
COPY schemas ./schemas
COPY evals ./evals
COPY prompts ./prompts
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
# Optional readers, one build argument each (the default image reads text, HTML, markdown, DOCX and PDF):
#   --build-arg EXTRAS=ocr        scans and images (RapidOCR; OpenCV needs libGL from Debian)
#   --build-arg LIBREOFFICE=1     .doc, .wps and .odt (LibreOffice Writer, headless)
ARG EXTRAS=""
ARG LIBREOFFICE=0
RUN set -e; pkgs=""; \
    case ",$EXTRAS," in *,ocr,*) pkgs="$pkgs libgl1 libglib2.0-0";; esac; \
    if [ "$LIBREOFFICE" = 1 ]; then pkgs="$pkgs libreoffice-writer-nogui"; fi; \
    if [ -n "$pkgs" ]; then apt-get update && apt-get install -y --no-install-recommends $pkgs \
      && rm -rf /var/lib/apt/lists/*; fi
RUN useradd --create-home --uid 10001 nianbao
COPY --from=build /wheels /wheels
RUN set -e; wheel=$(ls /wheels/nianbao-*.whl); \
    pip install --no-cache-dir --find-links /wheels "${wheel}${EXTRAS:+[$EXTRAS]}" && rm -rf /wheels
USER nianbao
WORKDIR /home/nianbao
ENV NIANBAO_HOST=0.0.0.0 NIANBAO_PORT=8000 NIANBAO_WORKERS=2 PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2).status == 200 else 1)"
STOPSIGNAL SIGTERM
CMD ["nianbao", "serve"]
