"""Text in, ReportExtraction out: normalise, segment, read the tables, check the arithmetic.

The pipeline works on normalised text and maps every span back to the text it
received, so spans always index the caller's own string.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any, Final, Protocol

from schemas.extraction import Finding, LLMReport, Method, ReportExtraction
from schemas.fields import SECTION_NAMES, Template
from service import checks, errors
from service.draft import Draft
from service.formats.detect import detect
from service.formats.docx import docx_to_text
from service.formats.html import html_to_text
from service.formats.pdf import pdf_to_text
from service.llm.narrative import LLMOutcome
from service.parsers.meta import read_meta
from service.parsers.proactive import read_proactive
from service.parsers.requests import read_requests
from service.parsers.result import TableValues
from service.parsers.review import read_review
from service.parsers.rules import apply_rules
from service.parsers.sections import Section, segment
from service.text.decode import decode, sniff_binary
from service.text.normalize import NormText, normalize
from service.text.numbers import number, to_wan

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".html", ".htm", ".docx", ".pdf")

# The methods, read once: `Method.TABLE` inside a loop is an attribute lookup through the enum class on
# every value (~800 instructions each under mypyc).
TABLE: Final = Method.TABLE
RULE: Final = Method.RULE
DERIVED: Final = Method.DERIVED
LLM: Final = Method.LLM


def compiled() -> bool:
    """Whether this module runs as a mypyc-compiled extension (scripts/compile.py) rather than as Python."""
    return not __file__.endswith(".py")


def extract_bytes(
    data: bytes,
    name: str | None = None,
    media_type: str | None = None,
    llm: NarrativeLLM | None = None,
    whole_document: bool = False,
) -> ReportExtraction:
    """A report as a scraper saved it (text, HTML, DOCX or PDF, detected by content), extracted."""
    return draft_bytes(data, name, media_type, llm, whole_document).model()


def draft_bytes(
    data: bytes,
    name: str | None = None,
    media_type: str | None = None,
    llm: NarrativeLLM | None = None,
    whole_document: bool = False,
) -> Draft:
    fmt = detect(data, name, media_type)
    if fmt is None:
        raise errors.binary_input(name, sniff_binary(data))
    if fmt == "docx":
        return _extract_derived(docx_to_text(data, name), name, "docx", None, llm, whole_document)
    if fmt == "pdf":
        text, pages = pdf_to_text(data, name)
        if len(text.strip()) < 20 * max(1, pages) // 4:
            return _no_text_layer(name, pages, text)
        return _extract_derived(text, name, "pdf", None, llm, whole_document)
    text, encoding = decode(data, name, markup=fmt == "html")
    if fmt == "html":
        return draft_html(text, name, encoding, llm, whole_document, utf8=data if encoding == "utf-8" else None)
    return draft_text(text, name=name, encoding=encoding, llm=llm, whole_document=whole_document)


def _extract_derived(
    text: str,
    name: str | None,
    fmt: str,
    encoding: str | None = None,
    llm: NarrativeLLM | None = None,
    whole_document: bool = False,
) -> Draft:
    """Extract text the service derived from a document; the response carries that text, which spans index."""
    if not text.strip():
        raise errors.empty_input(name)
    draft = draft_text(text, name=name, encoding=encoding, fmt=fmt, llm=llm, whole_document=whole_document)
    draft.payload["text"] = text
    return draft


def _no_text_layer(name: str | None, pages: int, text: str) -> Draft:
    """A scanned PDF: a valid, empty result that says why."""
    result = ReportExtraction.model_validate({"source": {"name": name, "format": "pdf", "chars": len(text)}})
    result.text = text
    result.findings.append(
        Finding(
            rule="input.no_text_layer",
            kind="input",
            message=f"the PDF's {pages} page(s) have no text layer (a scan?): nothing can be read without OCR, "
            "which this service does not do",
        )
    )
    payload = result.model_dump()
    payload["findings"] = list(result.findings)
    return Draft(payload, {})


def extract_html(
    markup: str,
    name: str | None = None,
    encoding: str | None = None,
    llm: NarrativeLLM | None = None,
    whole_document: bool = False,
) -> ReportExtraction:
    """An HTML page: its text (cells one per line) is extracted; spans index that text, which is returned."""
    return draft_html(markup, name, encoding, llm, whole_document).model()


def draft_html(
    markup: str,
    name: str | None = None,
    encoding: str | None = None,
    llm: NarrativeLLM | None = None,
    whole_document: bool = False,
    utf8: bytes | None = None,
) -> Draft:
    """`utf8`: the page's bytes when they are `markup` in UTF-8 (the parser reads them instead of a re-encoding)."""
    return _extract_derived(html_to_text(markup, utf8), name, "html", encoding, llm, whole_document)


class NarrativeLLM(Protocol):
    """What the pipeline needs of an LLM extractor (service.llm.narrative); no provider is imported here."""

    @property
    def model(self) -> str: ...

    def extract(
        self, text: str, sections: dict[str, tuple[int, int]], have: set[str], tables: set[str]
    ) -> LLMOutcome: ...

    def extract_whole(self, text: str, have: set[str]) -> LLMOutcome: ...


def extract_text(
    original: str,
    name: str | None = None,
    encoding: str | None = None,
    fmt: str = "text",
    llm: NarrativeLLM | None = None,
    whole_document: bool = False,
) -> ReportExtraction:
    """Plain report text (spans index `original` itself)."""
    return draft_text(original, name, encoding, fmt, llm, whole_document).model()


def draft_text(
    original: str,
    name: str | None = None,
    encoding: str | None = None,
    fmt: str = "text",
    llm: NarrativeLLM | None = None,
    whole_document: bool = False,
) -> Draft:
    t0 = time.perf_counter()
    nt = normalize(original)
    text = nt.text
    sections = segment(text)
    t1 = time.perf_counter()
    # values are collected as plain dicts under their flat keys (the Draft's payload); a model is built
    # from them only for callers that want one
    values: dict[str, dict[str, Any]] = {}
    findings: list[Finding] = []
    title = read_meta(text)
    if title.organ is not None:
        values["meta.organ"] = _value(nt, title.organ.value, title.organ.start, title.organ.end, RULE, "title")
    if title.year is not None:
        values["meta.year"] = _value(nt, title.year.value, title.year.start, title.year.end, RULE, "title")

    # the --whole-document baseline is the LLM alone, as a plain instructor user would run it
    baseline = whole_document and llm is not None
    tables = {} if baseline else _read_tables(text, sections)
    for tv in tables.values():
        for key, cell in tv.cells.items():
            if key.endswith("_wan"):
                value = to_wan(cell.value, cell.unit)
                note = "元 converted to 万元" if cell.unit == "元" else cell.note
            else:
                value, note = number(cell.value), cell.note
            values[key] = _value(nt, value, cell.start, cell.end, TABLE, note)
        findings.extend(_mapped(nt, tv.findings))
    _derive_litigation_total(values, nt, tables.get("review"))
    if not baseline:
        findings.extend(_apply_rules(values, nt, sections))
    template, evidence = _template(tables)
    t2 = time.perf_counter()
    llm_report: dict[str, Any] = {"used": False, "reason": "no LLM configured"}
    if llm is not None:
        llm_report = _apply_llm(llm, values, nt, sections, tables, findings, whole_document)
    t3 = time.perf_counter()

    flat: dict[str, Any] = {k: v["value"] for k, v in values.items()}
    findings.extend(checks.check(flat))
    # complete and in the model's field order: the Draft renders this dict as the response itself
    meta: dict[str, Any] = {
        "organ": values.get("meta.organ"),
        "year": values.get("meta.year"),
        "template": template,
        "template_evidence": None,
    }
    if evidence is not None:
        s, e = nt.span(*evidence)
        meta["template_evidence"] = {"raw": original[s:e], "start": s, "end": e, "method": TABLE, "note": None}
    proactive: dict[str, Any] = {}
    grids: dict[str, dict[str, dict[str, Any]]] = {"requests": {}, "review": {}}
    for key, v in values.items():
        section, row, col = _place(key)
        if section == "proactive":
            proactive[row] = v
        elif section in grids:
            grids[section].setdefault(row, {})[col] = v
    payload: dict[str, Any] = {
        "schema_version": "1",
        "source": {"name": name, "format": fmt, "encoding": encoding, "chars": len(original)},
        "meta": meta,
        "proactive": proactive,
        "requests": grids["requests"],
        "review": grids["review"],
        "sections": [_section_text(nt, sections[n]) for n in SECTION_NAMES if n in sections],
        "findings": findings,
        "methods": sorted({v["provenance"]["method"] for v in values.values()}, key=lambda m: m.value),
        "text": None,
        "llm": {**_NO_LLM, **llm_report},
        "timings_ms": {},
    }
    payload["timings_ms"] = {
        "normalise_ms": round((t1 - t0) * 1000, 3),
        "tables_ms": round((t2 - t1) * 1000, 3),
        "llm_ms": round((t3 - t2) * 1000, 3),
        "total_ms": round((time.perf_counter() - t0) * 1000, 3),
    }
    return Draft(payload, values)


_PLACES: dict[str, tuple[str, str, str]] = {}


def _place(key: str) -> tuple[str, str, str]:
    """Where a flat key sits in the document: (section, row, column); the row is the rest for proactive and meta
    keys. Kept per key: the same ~200 keys come up in every report."""
    found = _PLACES.get(key)
    if found is None:
        section, rest = key.split(".", 1)
        row, _, col = rest.partition(".") if section in ("requests", "review") else (rest, "", "")
        found = (section, row, col)
        if len(_PLACES) < 4096:  # FIELDS.md has ~200 keys; never a cache that grows with the input
            _PLACES[key] = found
    return found


_NO_LLM: dict[str, Any] = LLMReport().model_dump()  # the report's LLM block before any call


def _read_tables(text: str, sections: dict[str, Section]) -> dict[str, TableValues]:
    """Each table from its own section; from the whole text where the heading was not found."""
    n = len(text)
    out: dict[str, TableValues] = {}

    def region(name: str) -> tuple[int, int]:
        if name in sections:
            return sections[name].start, sections[name].end
        return 0, n

    # each table's region starts after the previous table when its own heading was not found
    previous: TableValues | None = None
    for name, reader in (("proactive", read_proactive), ("requests", read_requests), ("review", read_review)):
        start, end = region(name)
        if name not in sections and previous is not None and previous.span is not None:
            start = previous.span[1]
        found = reader(text, start, end)
        if found is not None:
            out[name] = previous = found
    return out


def _template(tables: dict[str, TableValues]) -> tuple[Template, tuple[int, int] | None]:
    """The template from the tables' own headers: the 第二十条 columns first, then the （六） rows."""
    for name in ("proactive", "requests"):
        tv = tables.get(name)
        if tv is not None and tv.template is not None and tv.cells:
            return tv.template, tv.evidence
    for name in ("proactive", "requests"):
        tv = tables.get(name)
        if tv is not None and tv.template is not None:
            return tv.template, tv.evidence
    if tables.get("review") is not None and tables["review"].cells:
        return "2021", None
    return "narrative", None


def _section_text(nt: NormText, s: Section) -> dict[str, Any]:
    start, end = nt.span(s.start, s.end)
    return {"name": s.name, "heading": s.heading, "start": start, "end": end, "text": nt.text[s.start : s.end].strip()}


def _value(
    nt: NormText, value: int | float | str, start: int, end: int, method: Method, note: str | None
) -> dict[str, Any]:
    """A FieldValue as a plain dict, its span mapped to the received text."""
    s, e = nt.span(start, end)
    return {
        "value": value,
        "provenance": {"raw": nt.original[s:e], "start": s, "end": e, "method": method, "note": note},
    }


def _derive_litigation_total(values: dict[str, dict[str, Any]], nt: NormText, review: TableValues | None) -> None:
    """review.litigation.total is the sum of the two printed litigation totals (FIELDS.md)."""
    if review is None:
        return
    direct = review.cells.get("review.litigation_direct.total")
    after = review.cells.get("review.litigation_after_reconsideration.total")
    if direct is None or after is None:
        return
    note = f"未经复议直接起诉 总计 {direct.value} + 复议后起诉 总计 {after.value}"
    start, end = min(direct.start, after.start), max(direct.end, after.end)
    values["review.litigation.total"] = _value(nt, number(direct.value + after.value), start, end, DERIVED, note)


def _apply_rules(values: dict[str, dict[str, Any]], nt: NormText, sections: dict[str, Section]) -> list[Finding]:
    """Narrative phrase rules fill only what the tables left empty."""
    spans = {name: (s.start, s.end) for name, s in sections.items()}
    if not spans:
        spans = {"overview": (0, len(nt.text))}
    hits, findings = apply_rules(nt.text, spans, skip=values.keys())
    for hit in hits:
        note = "phrase rule"
        if hit.num_start is not None:
            note += f"; the number is {nt.text[hit.num_start : hit.num_end]!r}"
        values[hit.key] = _value(nt, hit.value, hit.start, hit.end, RULE, note)
    return _mapped(nt, findings)


def _apply_llm(
    llm: NarrativeLLM,
    values: dict[str, dict[str, Any]],
    nt: NormText,
    sections: dict[str, Section],
    tables: dict[str, TableValues],
    findings: list[Finding],
    whole_document: bool,
) -> dict[str, Any]:
    """Ask the LLM for what is still empty; keep only grounded values, with the quote's span."""
    spans = {name: (s.start, s.end) for name, s in sections.items()} or {"overview": (0, len(nt.text))}
    have = set(values)
    if whole_document:
        outcome = llm.extract_whole(nt.text, have)
    else:
        outcome = llm.extract(nt.text, spans, have, {name for name, tv in tables.items() if tv.cells})
    for v in outcome.values:
        if v.key not in values:
            values[v.key] = _value(nt, v.value, v.start, v.end, LLM, f"llm; quote {v.quote!r}")
    findings.extend(outcome.findings)
    used = outcome.usage.calls > 0 or outcome.cache_hits > 0
    reason = None if used else ("nothing left for the LLM to read" if not outcome.asked else "the LLM gave no answer")
    return {
        "used": used,
        "reason": reason,
        "model": llm.model,
        "calls": outcome.usage.calls,
        "input_tokens": outcome.usage.input_tokens,
        "output_tokens": outcome.usage.output_tokens,
        "cache_hits": outcome.cache_hits,
    }


def _mapped(nt: NormText, findings: Iterable[Finding]) -> list[Finding]:
    out = []
    for f in findings:
        if f.start is not None and f.end is not None:
            s, e = nt.span(f.start, f.end)
            f = f.model_copy(update={"start": s, "end": e})
        out.append(f)
    return out
