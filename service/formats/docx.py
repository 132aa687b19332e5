"""DOCX reports -> text: paragraphs and table cells in document order, one cell per line.

Merged cells are emitted once: a horizontally merged cell (gridSpan) is one
cell, a vertically merged continuation (vMerge) is an empty line, so the row
labels and numbers keep the order they are printed in. The archive is
checked before python-docx opens it: a zip bomb is refused, not inflated.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from io import BytesIO

from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from service import errors

MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_ENTRIES = 2000


def _check_archive(data: bytes, name: str | None) -> None:
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise errors.InputError(f"{name or 'the input'} is not a readable DOCX archive: {exc}", source=name) from exc
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if len(infos) > MAX_ENTRIES or total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
        raise errors.InputTooLarge(
            f"{name or 'the input'} inflates to {total} bytes in {len(infos)} entries "
            f"(ratio {total / packed:.0f}): refused as a possible zip bomb",
            source=name,
            uncompressed=total,
            entries=len(infos),
        )


def docx_to_text(data: bytes, name: str | None = None) -> str:
    _check_archive(data, name)
    try:
        doc = Document(BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on a broken package
        raise errors.InputError(f"{name or 'the input'} is not a readable DOCX document: {exc}", source=name) from exc
    lines: list[str] = []
    for block in _blocks(doc):
        if isinstance(block, Paragraph):
            lines.append(block.text.strip())
        else:
            lines.extend(_table_lines(block))
    return "\n".join(lines).strip() + "\n"


def _blocks(doc: object) -> Iterator[Paragraph | Table]:
    body = doc.element.body  # type: ignore[attr-defined]
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, doc)  # type: ignore[arg-type]
        elif child.tag == qn("w:tbl"):
            yield Table(child, doc)  # type: ignore[arg-type]


def _table_lines(table: Table) -> list[str]:
    lines: list[str] = []
    for tr in table._tbl.tr_lst:
        for tc in tr.tc_lst:
            if tc.vMerge == "continue":
                lines.append("")
                continue
            text = "\n".join(p.text.strip() for p in _cell_paragraphs(tc, table)).strip()
            lines.append(text)
            for nested in tc.tbl_lst:
                lines.extend(_table_lines(Table(nested, table)))
        lines.append("")
    return lines


def _cell_paragraphs(tc: object, parent: Table) -> Iterator[Paragraph]:
    for p in tc.p_lst:  # type: ignore[attr-defined]
        yield Paragraph(p, parent)
