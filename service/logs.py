"""Structured JSON logs, one object per line, with the request id on every line."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from contextvars import ContextVar
from types import TracebackType

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            entry.update(extra)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(level: str) -> None:
    """Every line the service writes is one JSON object with the request id: its own logs, uvicorn's, every
    library's (instructor, tenacity, python-multipart: through the root logger), warnings, and uncaught
    exceptions in any thread (which would otherwise print multi-line tracebacks that can carry LLM text)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    for name in ("nianbao", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False
    logging.getLogger("uvicorn.access").disabled = True  # our middleware logs each request once, with its id
    logging.captureWarnings(True)

    def uncaught(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("uncaught exception", exc_info=(exc_type, exc, tb))

    sys.excepthook = uncaught
    threading.excepthook = lambda args: log.error(
        "uncaught exception in a thread",
        exc_info=(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback),
    )


log = logging.getLogger("nianbao")
