"""Prometheus metrics (prometheus_client), kept in the HTTP process; worker processes report what to count."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

REQUESTS = Counter("nianbao_http_requests_total", "HTTP requests", ["route", "method", "status"])
LATENCY = Histogram(
    "nianbao_http_request_duration_seconds",
    "HTTP request latency",
    ["route"],
    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30),
)
EXTRACTIONS = Counter("nianbao_extractions_total", "Reports extracted", ["format", "outcome"])
FINDINGS = Counter("nianbao_findings_total", "Findings reported", ["rule"])
LLM_CALLS = Counter("nianbao_llm_calls_total", "LLM calls", ["outcome"])
LLM_TOKENS = Counter("nianbao_llm_tokens_total", "LLM tokens", ["kind"])
LLM_CACHE_HITS = Counter("nianbao_llm_cache_hits_total", "LLM responses served from the cache")

CONTENT_TYPE = CONTENT_TYPE_LATEST

if TYPE_CHECKING:
    from service.workers.jobs import Rendered

# labelled children are looked up once: `.labels()` costs more than the increment it guards
_children: dict[tuple[Any, ...], Any] = {}


def child(metric: Counter | Histogram, *labels: str) -> Any:
    key = (metric, *labels)
    found = _children.get(key)
    if found is None:
        found = _children[key] = metric.labels(*labels)
    return found


def count_extraction(out: Rendered) -> None:
    """What one extraction adds to the counters."""
    child(EXTRACTIONS, out.format, "ok").inc()
    for rule in out.rules:
        child(FINDINGS, rule).inc()
    if out.llm_calls:
        child(LLM_CALLS, "ok").inc(out.llm_calls)
        child(LLM_TOKENS, "input").inc(out.input_tokens)
        child(LLM_TOKENS, "output").inc(out.output_tokens)
    if out.cache_hits:
        LLM_CACHE_HITS.inc(out.cache_hits)
    if "llm.unavailable" in out.rules:
        child(LLM_CALLS, "unavailable").inc()


def render() -> bytes:
    """The exposition text."""
    return generate_latest()
