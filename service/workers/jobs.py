"""What crosses the boundary to an extraction worker, and what comes back.

A job is plain data (the source and the renderer's name) and comes back already rendered as bytes, plus
the few facts the metrics count, so nothing large is pickled twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.pipeline import NarrativeLLM, Options, Source, extract
from service.render import renderer


@dataclass(frozen=True)
class Job:
    """One report to extract and the renderer its answer goes through ("json", "flat")."""

    source: Source
    render: str = "json"
    use_llm: bool = True
    deadline: float | None = None  # time.time() by which the answer is due: the LLM gets what is left
    request_id: str | None = None
    include_text: bool = False


@dataclass(frozen=True)
class Rendered:
    """The response body, and what the metrics count."""

    body: bytes
    format: str
    rules: tuple[str, ...]
    llm_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_hits: int = 0


def run_job(job: Job, llm: NarrativeLLM | None) -> Rendered:
    options = Options(llm=llm if job.use_llm else None, deadline=job.deadline, include_text=job.include_text)
    result = extract(job.source, options)
    return Rendered(
        body=renderer(job.render).body(result),
        format=result.source.format,
        rules=tuple(f.rule for f in result.findings),
        llm_calls=result.llm.calls,
        input_tokens=result.llm.input_tokens,
        output_tokens=result.llm.output_tokens,
        cache_hits=result.llm.cache_hits,
    )
