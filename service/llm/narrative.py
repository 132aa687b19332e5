"""Narrative facts through the LLM: only what tables and rules left empty, only from the section that states it,
and only values grounded in a verbatim quote."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from pydantic import BaseModel

from schemas.extraction import Finding
from schemas.llm import FIELD_KEYS, ProactiveFacts, RequestFacts, ReviewFacts, WholeDocumentFacts
from service.errors import LLMError
from service.llm import grounding, prompts
from service.llm.cache import ResponseCache
from service.llm.provider import Provider, Usage

MAX_SECTION_CHARS = 4000
CHARS_PER_TOKEN = 1.3  # a conservative estimate for Chinese text, used only for the budget


@dataclass(frozen=True)
class Ask:
    group: str
    model: type[BaseModel]
    sections: tuple[str, ...]  # where the facts are stated, in order of preference
    title: str


ASKS = (
    Ask("proactive", ProactiveFacts, ("proactive", "overview"), "主动公开政府信息情况"),
    Ask("requests", RequestFacts, ("requests", "overview"), "收到和处理政府信息公开申请情况"),
    Ask("review", ReviewFacts, ("review", "overview"), "政府信息公开行政复议、行政诉讼情况"),
)


@dataclass(frozen=True)
class LLMValue:
    key: str
    value: int
    quote: str
    start: int  # span of the quote in the normalised text
    end: int


@dataclass
class LLMOutcome:
    values: list[LLMValue] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    cache_hits: int = 0
    asked: int = 0


def _fenced(text: str) -> str:
    """The report's text as the prompt's data: it cannot close the fence it stands in."""
    return text.replace("<<<", "‹‹‹").replace(">>>", "›››")


def _finding(rule: str, message: str, cells: list[str] | None = None) -> Finding:
    return Finding(rule=rule, kind="llm", message=message, cells=cells or [])


class NarrativeExtractor:
    """Asks the provider section by section, within a per-document token budget, caching responses."""

    def __init__(
        self,
        provider: Provider,
        cache: ResponseCache | None = None,
        max_tokens_per_doc: int = 16000,
        max_concurrency: int = 4,
        max_output_tokens: int = 512,
    ) -> None:
        self.provider = provider
        self.cache = cache
        self.budget = max_tokens_per_doc
        self.max_output_tokens = max_output_tokens
        self._slots = threading.BoundedSemaphore(max_concurrency)
        self.system = prompts.load("narrative.system")
        self.section_prompt = prompts.load("narrative.section")
        self.document_prompt = prompts.load("narrative.document")

    @property
    def model(self) -> str:
        return self.provider.model

    def extract(
        self,
        text: str,
        sections: dict[str, tuple[int, int]],
        have: set[str],
        tables: set[str],
        deadline: float | None = None,
    ) -> LLMOutcome:
        """LLM values for the keys not in `have`, from sections whose table was not printed, before `deadline`
        (time.time(); None: only the LLM timeout bounds the calls)."""
        jobs = []
        for ask in ASKS:
            if ask.group in tables:
                continue
            wanted = [name for name, key in FIELD_KEYS.items() if name in ask.model.model_fields and key not in have]
            regions = [sections[s] for s in ask.sections if s in sections]
            if not wanted or not regions:
                continue
            jobs.append((ask, wanted, regions))
        out = LLMOutcome()
        budget = _Budget(self.budget, deadline)

        def run(job: tuple[Ask, list[str], list[tuple[int, int]]]) -> LLMOutcome:
            ask, wanted, regions = job
            return self._ask(text, ask.model, wanted, regions, ask.title, budget)

        with ThreadPoolExecutor(max_workers=max(1, len(jobs))) as pool:
            for part in pool.map(run, jobs):
                out.values += part.values
                out.findings += part.findings
                out.usage.calls += part.usage.calls
                out.usage.input_tokens += part.usage.input_tokens
                out.usage.output_tokens += part.usage.output_tokens
                out.cache_hits += part.cache_hits
                out.asked += part.asked
        return out

    def extract_whole(self, text: str, have: set[str], deadline: float | None = None) -> LLMOutcome:
        """The baseline a plain instructor user would write: the whole report, one call."""
        wanted = [name for name, key in FIELD_KEYS.items() if key not in have]
        return self._ask(text, WholeDocumentFacts, wanted, [(0, len(text))], None, _Budget(self.budget, deadline))

    def _prompt(self, model: type[BaseModel], wanted: list[str], sent: str, title: str | None) -> str:
        fields = "、".join(f"{name}（{model.model_fields[name].description}）" for name in wanted)
        if title is None:
            return self.document_prompt.render(fields=fields, text=_fenced(sent))
        return self.section_prompt.render(section_title=title, fields=fields, text=_fenced(sent))

    def _ask(
        self,
        text: str,
        model: type[BaseModel],
        wanted: list[str],
        regions: list[tuple[int, int]],
        title: str | None,
        budget: _Budget,
    ) -> LLMOutcome:
        out = LLMOutcome(asked=1)
        limit = MAX_SECTION_CHARS if title else MAX_SECTION_CHARS * 8
        sent = "\n……\n".join(text[a : min(b, a + limit)] for a, b in regions)
        user = self._prompt(model, wanted, sent, title)
        system = self.system.render()
        estimate = int((len(system) + len(user)) / CHARS_PER_TOKEN) + self.max_output_tokens
        refused = budget.take(estimate)
        if refused:
            out.findings.append(_finding(*refused))
            return out
        schema = json.dumps(model.model_json_schema(), sort_keys=True)
        key = ResponseCache.key(
            self.provider.endpoint, self.provider.model, self.provider.mode, self.system.digest, user, schema
        )
        cached = self.cache.get(key) if self.cache else None
        error: str | None = None
        if cached is not None:
            data, out.cache_hits = cached.get("data"), 1
            budget.settle(estimate, 0)
        else:
            try:
                with self._slots:
                    completion = self.provider.complete(system, user, model, {"text": sent}, budget.seconds_left())
            except LLMError as exc:
                budget.settle(estimate, 0)
                out.findings.append(_finding("llm.unavailable", f"{exc.message}; tables and rules are the answer"))
                return out
            out.usage = completion.usage
            budget.settle(estimate, completion.usage.input_tokens + completion.usage.output_tokens)
            data, error = completion.data, completion.error
            if self.cache and error is None and data is not None:
                self.cache.put(key, {"data": data})  # only answers that validated; never a garbage one
        if error:
            out.findings.append(_finding("llm.invalid", error))
        if data is not None:
            _ground(out, data, wanted, text, sent, regions)
        return out


# Less than this left of the request's time budget, and the LLM is not asked.
MIN_LLM_SECONDS = 1.0


@dataclass
class _Budget:
    """One document's LLM budget: tokens (an estimate reserved before each call, what was sent and received
    counted after) and time (until `deadline`, a time.time())."""

    tokens: int
    deadline: float | None
    spent: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, estimate: int) -> tuple[str, str] | None:
        """Reserve a call's estimate; (rule, message) when it cannot be made."""
        left = self.seconds_left()
        if left is not None and left < MIN_LLM_SECONDS:
            return (
                "llm.unavailable",
                "no time was left in the request's budget for the LLM; tables and rules are the answer",
            )
        with self.lock:
            if self.spent + estimate > self.tokens:
                return "llm.budget", f"the per-document budget of {self.tokens} tokens would be exceeded; not asked"
            self.spent += estimate
        return None

    def settle(self, estimate: int, used: int) -> None:
        """Replace a call's reserved estimate by the tokens it used (re-asks included)."""
        with self.lock:
            self.spent += used - estimate if used else 0

    def seconds_left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.time()


def _ground(
    out: LLMOutcome, data: dict[str, object], wanted: list[str], text: str, sent: str, regions: list[tuple[int, int]]
) -> None:
    """Keep the answer's values that are grounded in a quote of what was sent; a finding for each one dropped."""
    for name in wanted:
        item = data.get(name)
        if not isinstance(item, dict):
            continue
        fkey = FIELD_KEYS[name]
        value, quote = item.get("value"), str(item.get("quote") or "")
        if not isinstance(value, int) or isinstance(value, bool):
            continue
        verdict = grounding.check(value, quote, sent, fkey)
        if not verdict.ok:
            out.findings.append(
                _finding("llm.ungrounded", f"{fkey}: the LLM's value {value} was dropped: {verdict.reason}", [fkey])
            )
            continue
        span = next((s for a, b in regions if (s := grounding.locate(quote, text, a, b)) is not None), None)
        if span is None:
            out.findings.append(_finding("llm.ungrounded", f"{fkey}: the quote could not be located; dropped", [fkey]))
            continue
        out.values.append(LLMValue(fkey, value, quote, *span))
