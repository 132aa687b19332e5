"""Builds the configured LLM extractor: the one place that knows which provider to use."""

from __future__ import annotations

import httpx

from service.llm.cache import ResponseCache
from service.llm.narrative import NarrativeExtractor
from service.settings import Settings


def build(settings: Settings, http_client: httpx.Client | None = None) -> NarrativeExtractor | None:
    """None when no LLM is configured (a normal state: tables and rules are the answer)."""
    if not settings.llm_base_url:
        return None
    from service.llm.providers.openai_compat import OpenAICompatible

    provider = OpenAICompatible(settings, http_client=http_client)
    cache = ResponseCache(settings.llm_cache_dir, settings.llm_cache_ttl_s) if settings.llm_cache_dir else None
    return NarrativeExtractor(
        provider,
        cache,
        max_tokens_per_doc=settings.llm_max_tokens_per_doc,
        max_concurrency=settings.llm_max_concurrency,
        max_output_tokens=settings.llm_max_output_tokens,
    )
