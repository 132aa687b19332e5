"""Old Word and OpenDocument files (LibreOffice converts them to DOCX): a .doc and an .odt made by LibreOffice
from a generated DOCX read back with every value right; without LibreOffice, a clear 415."""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

import pytest

from evals.synth.docs import to_docx
from evals.synth.text import random_report
from service import errors
from service.formats import office
from service.pipeline import Source, extract

pytestmark = pytest.mark.slow
HAVE = office.soffice() is not None
if not HAVE and not os.environ.get("CI"):
    pytest.skip("LibreOffice is not installed (scripts/test.sh installs it)", allow_module_level=True)


def _convert(docx: bytes, target: str, tmp: Path) -> bytes:
    exe = office.soffice()
    assert exe, "LibreOffice must be installed in CI"
    src = tmp / "report.docx"
    src.write_bytes(docx)
    profile = (tmp / "profile").as_uri()
    subprocess.run(
        [exe, f"-env:UserInstallation={profile}", "--headless", "--convert-to", target, "--outdir", str(tmp), str(src)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return (tmp / f"report.{target.split(':')[0]}").read_bytes()


@pytest.mark.parametrize(("target", "fmt"), [("doc:MS Word 97", "doc"), ("odt", "odt")])
def test_old_word_and_opendocument_read_back_exactly(target: str, fmt: str, tmp_path: Path) -> None:
    report = random_report(random.Random(16), "2021")
    data = _convert(to_docx(report), target, tmp_path)
    result = extract(Source(data, "report.bin"))  # detected by content, not by name
    assert result.source.format == fmt
    assert result.flat() == report.flat()
    assert result.text and all(
        result.text[fv.provenance.start : fv.provenance.end] == fv.provenance.raw for fv in result.fields().values()
    )


def test_without_libreoffice_a_doc_is_a_clear_415(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(office, "soffice", lambda: None)
    with pytest.raises(errors.UnsupportedFormat, match="needs LibreOffice"):
        extract(Source(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.doc"))


def test_a_converter_that_hangs_is_stopped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    hang = tmp_path / "soffice"
    hang.write_text("#!/bin/sh\nsleep 600\n")
    hang.chmod(0o755)
    monkeypatch.setattr(office, "soffice", lambda: str(hang))
    with pytest.raises(errors.InputError, match="longer than 1 s"):
        office.to_docx(b"\xd0\xcf\x11\xe0", ".doc", "hang.doc", timeout_s=1)
