"""A report in, ReportExtraction out: read the format, normalise, segment, read the tables, check the arithmetic.

`extract(source, options)` is the one entry point (CLI, API workers, eval, batch). The pipeline works on
normalised text and maps every span back to the text it received (or derived, for HTML/DOCX/PDF), so spans
always index the text the response carries or the caller sent.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from schemas.extraction import (
    FieldValue,
    Finding,
    LLMReport,
    Meta,
    Method,
    OCRSource,
    Provenance,
    ReportExtraction,
    SectionText,
    SourceInfo,
)
from schemas.fields import SECTION_NAMES, Template
from service import checks
from service.formats.registry import Document, read
from service.parsers.grids import read_grids
from service.parsers.meta import read_meta
from service.parsers.proactive import read_proactive
from service.parsers.requests import read_requests
from service.parsers.result import TableValues
from service.parsers.review import read_review
from service.parsers.rules import apply_rules
from service.parsers.sections import Section, segment
from service.text.normalize import NormText, normalize
from service.text.numbers import number, to_wan

if TYPE_CHECKING:
    from service.llm.narrative import LLMOutcome


class NarrativeLLM(Protocol):
    """What the pipeline needs of an LLM extractor (service.llm.narrative); no provider is imported here."""

    @property
    def model(self) -> str: ...

    def extract(
        self,
        text: str,
        sections: dict[str, tuple[int, int]],
        have: set[str],
        tables: set[str],
        deadline: float | None = None,
    ) -> LLMOutcome: ...

    def extract_whole(self, text: str, have: set[str], deadline: float | None = None) -> LLMOutcome: ...


@dataclass(frozen=True)
class Source:
    """A report as received: bytes (format detected by content) or text; `format` forces one ("text", "html")."""

    data: bytes | str
    name: str | None = None
    media_type: str | None = None
    format: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Options:
    """`llm`: the extractor for narrative facts, or None. `whole_document`: the LLM-only baseline (eval).
    `deadline`: when the answer is due (time.time()); the LLM gets what is left of it."""

    llm: NarrativeLLM | None = None
    whole_document: bool = False
    deadline: float | None = None
    include_text: bool = False  # return the text spans index even when it is the received text (review page)


def extract(source: Source, options: Options | None = None) -> ReportExtraction:
    """Everything read from one report; raises a NianbaoError subclass for input that is not a report."""
    options = options or Options()
    doc = read(source.data, source.name, source.media_type, source.format)
    info = SourceInfo(name=source.name, url=source.url, format=doc.format, encoding=doc.encoding, chars=len(doc.text))
    if doc.empty is not None:
        return ReportExtraction(source=info, findings=[doc.empty], text=doc.text)
    result = _extract_text(doc, info, options)
    if doc.derived or options.include_text:
        result.text = doc.text
    return result


Values = dict[str, FieldValue]
NOTHING_READ = Finding(
    rule="report.nothing_read",
    kind="input",
    message="no table value and no stated fact was read from this input: it may not be an annual report, or its "
    "tables are in a form the parsers do not read",
)


def _extract_text(doc: Document, info: SourceInfo, options: Options) -> ReportExtraction:
    t0 = time.perf_counter()
    nt = normalize(doc.text)
    text = nt.text
    sections = segment(text)
    t1 = time.perf_counter()
    values = _title_values(nt)
    findings: list[Finding] = []
    llm = options.llm
    # the --whole-document baseline is the LLM alone, as a plain instructor user would run it
    baseline = options.whole_document and llm is not None
    # recognised text (a scan) is read strictly: a row's numbers must be exactly its cells
    tables = {} if baseline else {**_read_tables(text, sections, strict=bool(doc.ocr)), **_grid_tables(doc, nt)}
    for tv in tables.values():
        values.update(_table_values(nt, tv))
        findings.extend(_mapped(nt, tv.findings))
    _derive_litigation_total(values, nt, tables.get("review"))
    if not baseline:
        findings.extend(_apply_rules(values, nt, sections, _printed(tables)))
    template, evidence = _template(tables)
    t2 = time.perf_counter()
    llm_report = LLMReport()
    if llm is not None:
        llm_report = _apply_llm(llm, values, nt, sections, tables, findings, options)
    t3 = time.perf_counter()

    arithmetic = checks.check({k: v.value for k, v in values.items()})
    if doc.ocr:
        arithmetic = _ocr_provenance(values, nt, doc, arithmetic, findings)
    findings.extend(arithmetic)
    if not any(not key.startswith("meta.") for key in values):
        findings.append(NOTHING_READ)
    meta = Meta.model_construct(
        organ=values.get("meta.organ"),
        year=values.get("meta.year"),
        template=template,
        template_evidence=None if evidence is None else _provenance(nt, *evidence, Method.TABLE, None),
    )
    proactive, requests, review = _grids(values)
    result = ReportExtraction.model_construct(
        source=info,
        proactive=proactive,
        requests=requests,
        review=review,
        meta=meta,
        sections=[_section_text(nt, sections[n]) for n in SECTION_NAMES if n in sections],
        findings=findings,
        methods=sorted({v.provenance.method for v in values.values()}, key=lambda m: m.value),
        llm=llm_report,
        text=None,
    )
    result.timings_ms = {
        "normalise_ms": round((t1 - t0) * 1000, 3),
        "tables_ms": round((t2 - t1) * 1000, 3),
        "llm_ms": round((t3 - t2) * 1000, 3),
        "total_ms": round((time.perf_counter() - t0) * 1000, 3),
    }
    return result


def _title_values(nt: NormText) -> Values:
    """meta.organ and meta.year, from the title."""
    title = read_meta(nt.text)
    out: Values = {}
    for key, found in (("meta.organ", title.organ), ("meta.year", title.year)):
        if found is not None:
            out[key] = _value(nt, found.value, found.start, found.end, Method.RULE, "title")
    return out


# a recognised value below this confidence is not kept
OCR_MIN_CONFIDENCE = 0.85


def _ocr_provenance(
    values: Values, nt: NormText, doc: Document, arithmetic: list[Finding], findings: list[Finding]
) -> list[Finding]:
    """Values read from recognised text: method ocr with their page, box and confidence; null with a finding
    where the recogniser was unsure of the box, or where the row breaks the template's arithmetic (a printed
    report seldom does, a misread digit always does). Returns the arithmetic findings that still stand."""
    starts = [b.start for b in doc.ocr]
    for key, fv in list(values.items()):
        p = fv.provenance
        i = bisect_right(starts, p.start) - 1
        if key.startswith("meta.") or i < 0 or not doc.ocr[i].start <= p.start < max(doc.ocr[i].end, p.start + 1):
            continue
        box = doc.ocr[i]
        if box.confidence < OCR_MIN_CONFIDENCE:
            del values[key]
            findings.append(
                _ocr_finding(
                    "ocr.low_confidence",
                    key,
                    f"the recogniser's confidence {box.confidence:.2f} in {p.raw!r} is below {OCR_MIN_CONFIDENCE}",
                    p,
                )
            )
            continue
        source = OCRSource(page=box.page, box=box.box, confidence=round(box.confidence, 4))
        values[key] = FieldValue.model_construct(
            value=fv.value, provenance=p.model_copy(update={"method": Method.OCR, "ocr": source})
        )
    kept = []
    for f in arithmetic:
        recognised = [c for c in f.cells if c in values and values[c].provenance.method == Method.OCR]
        if not recognised:
            kept.append(f)
            continue
        for key in recognised:
            p = values.pop(key).provenance
            findings.append(_ocr_finding("ocr.arithmetic", key, f"its row breaks {f.rule} as recognised", p))
    return kept


def _ocr_finding(rule: str, key: str, why: str, p: Provenance) -> Finding:
    return Finding(rule=rule, kind="ocr", message=f"{key}: {why}; left null", cells=[key], start=p.start, end=p.end)


def _table_values(nt: NormText, tv: TableValues) -> Values:
    out: Values = {}
    for key, cell in tv.cells.items():
        if key.endswith("_wan"):
            value = to_wan(cell.value, cell.unit)
            note = "元 converted to 万元" if cell.unit == "元" else cell.note
        else:
            value, note = number(cell.value), cell.note
        out[key] = _value(nt, value, cell.start, cell.end, Method.TABLE, note)
    return out


Grid = dict[str, dict[str, FieldValue]]


def _grids(values: Values) -> tuple[dict[str, FieldValue], Grid, Grid]:
    """The flat keys placed in the document's shape: proactive items, request and review grids."""
    proactive: dict[str, FieldValue] = {}
    grids: dict[str, Grid] = {"requests": {}, "review": {}}
    for key, v in values.items():
        section, rest = key.split(".", 1)
        if section == "proactive":
            proactive[rest] = v
        elif section in grids:
            row, _, col = rest.partition(".")
            grids[section].setdefault(row, {})[col] = v
    return proactive, grids["requests"], grids["review"]


def _read_tables(text: str, sections: dict[str, Section], strict: bool = False) -> dict[str, TableValues]:
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
        found = reader(text, start, end, strict)
        if found is not None:
            out[name] = previous = found
    return out


def _grid_tables(doc: Document, nt: NormText) -> dict[str, TableValues]:
    """The tables read from the document's grids, where its format kept cells: they replace the text
    stream's reading of the same tables. Their offsets, the document's, become normalised ones like the rest."""
    if not doc.grids:
        return {}
    out = read_grids(doc.grids)
    for tv in out.values():
        for cell in tv.cells.values():
            cell.start, cell.end = nt.to_normalised(cell.start), nt.to_normalised(cell.end)
        if tv.evidence is not None:
            tv.evidence = (nt.to_normalised(tv.evidence[0]), nt.to_normalised(tv.evidence[1]))
        tv.findings = [
            f
            if f.start is None or f.end is None
            else f.model_copy(update={"start": nt.to_normalised(f.start), "end": nt.to_normalised(f.end)})
            for f in tv.findings
        ]
    return out


def _template(tables: dict[str, TableValues]) -> tuple[Template, tuple[int, int] | None]:
    """The template from the tables' own headers: the 第二十条 columns first (where the report prints a row of
    that table), then the （六） rows."""
    proactive = tables.get("proactive")
    if proactive is not None and proactive.template is not None and proactive.printed:
        return proactive.template, proactive.evidence
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


def _section_text(nt: NormText, s: Section) -> SectionText:
    start, end = nt.span(s.start, s.end)
    return SectionText.model_construct(
        name=s.name, heading=s.heading, start=start, end=end, text=nt.text[s.start : s.end].strip()
    )


def _provenance(nt: NormText, start: int, end: int, method: Method, note: str | None) -> Provenance:
    """Where a value came from, its span mapped to the received text (built unvalidated: the parsers made it)."""
    s, e = nt.span(start, end)
    return Provenance.model_construct(raw=nt.original[s:e], start=s, end=e, method=method, note=note)


def _value(
    nt: NormText, value: int | float | str, start: int, end: int, method: Method, note: str | None
) -> FieldValue:
    return FieldValue.model_construct(value=value, provenance=_provenance(nt, start, end, method, note))


def _derive_litigation_total(values: Values, nt: NormText, review: TableValues | None) -> None:
    """review.litigation.total is the sum of the two printed litigation totals (FIELDS.md)."""
    if review is None:
        return
    direct = review.cells.get("review.litigation_direct.total")
    after = review.cells.get("review.litigation_after_reconsideration.total")
    if direct is None or after is None:
        return
    note = f"未经复议直接起诉 总计 {direct.value} + 复议后起诉 总计 {after.value}"
    start, end = min(direct.start, after.start), max(direct.end, after.end)
    values["review.litigation.total"] = _value(nt, number(direct.value + after.value), start, end, Method.DERIVED, note)


def _printed(tables: dict[str, TableValues]) -> set[str]:
    """The keys of every table row the report prints, read or not."""
    return {key for tv in tables.values() for key in tv.printed}


def _apply_rules(values: Values, nt: NormText, sections: dict[str, Section], printed: set[str]) -> list[Finding]:
    """Narrative phrase rules fill only keys whose table row is not printed; a sentence that states another
    number than the table prints is a finding, never a change."""
    spans = {name: (s.start, s.end) for name, s in sections.items()}
    if not spans:
        spans = {"overview": (0, len(nt.text))}
    hits, findings = apply_rules(nt.text, spans)
    out = [f for f in findings if not (set(f.cells) & (printed | values.keys()))]
    for hit in hits:
        table = values.get(hit.key)
        if table is not None and table.provenance.method in (Method.TABLE, Method.DERIVED):
            if table.value != hit.value:
                out.append(_mismatch(nt, hit.key, table, hit.value, hit.start, hit.end))
            continue
        if hit.key in printed or hit.key in values:
            continue
        note = "phrase rule"
        if hit.num_start is not None:
            note += f"; the number is {nt.text[hit.num_start : hit.num_end]!r}"
        values[hit.key] = _value(nt, hit.value, hit.start, hit.end, Method.RULE, note)
    return _mapped(nt, out)


def _mismatch(nt: NormText, key: str, table: FieldValue, said: int | float, start: int, end: int) -> Finding:
    """The prose states another number than the table: both spans (the prose's in start/end, normalised
    offsets as the other findings; the table's in the message, in received offsets)."""
    p = table.provenance
    return Finding(
        rule="report.prose_table_mismatch",
        kind="arithmetic",
        message=f"{key}: the table prints {table.value} (at {p.start}-{p.end}, {p.raw!r}) but the text says {said} "
        f"({nt.text[start:end]!r}); the table's value is kept",
        cells=[key],
        expected=float(table.value) if isinstance(table.value, int | float) else None,
        printed=float(said),
        start=start,
        end=end,
    )


def _apply_llm(
    llm: NarrativeLLM,
    values: Values,
    nt: NormText,
    sections: dict[str, Section],
    tables: dict[str, TableValues],
    findings: list[Finding],
    options: Options,
) -> LLMReport:
    """Ask the LLM for what is still empty; keep only grounded values, with the quote's span."""
    spans = {name: (s.start, s.end) for name, s in sections.items()} or {"overview": (0, len(nt.text))}
    have = set(values) | _printed(tables)
    if options.whole_document:
        outcome = llm.extract_whole(nt.text, have, options.deadline)
    else:
        printed = {name for name, tv in tables.items() if tv.cells}
        outcome = llm.extract(nt.text, spans, have, printed, options.deadline)
    for v in outcome.values:
        if v.key not in values:
            values[v.key] = _value(nt, v.value, v.start, v.end, Method.LLM, f"llm; quote {v.quote!r}")
    findings.extend(outcome.findings)
    used = outcome.usage.calls > 0 or outcome.cache_hits > 0
    reason = None if used else ("nothing left for the LLM to read" if not outcome.asked else "the LLM gave no answer")
    return LLMReport(
        used=used,
        reason=reason,
        model=llm.model,
        calls=outcome.usage.calls,
        input_tokens=outcome.usage.input_tokens,
        output_tokens=outcome.usage.output_tokens,
        cache_hits=outcome.cache_hits,
    )


def _mapped(nt: NormText, findings: Iterable[Finding]) -> list[Finding]:
    out = []
    for f in findings:
        if f.start is not None and f.end is not None:
            s, e = nt.span(f.start, f.end)
            f = f.model_copy(update={"start": s, "end": e})
        out.append(f)
    return out
