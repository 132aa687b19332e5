"""The mypyc-compiled build (scripts/compile.py), which `nianbao serve` runs, gives the same JSON as Python."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from service.formats.html import html_to_text
from service.pipeline import draft_bytes
from tests.test_fastpage import _Page, _SloppyTables

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]

_DUMP = """
import json, sys
from pathlib import Path
import service.pipeline as pipeline
assert pipeline.compiled(), pipeline.__file__
out = {}
for path in sorted(Path(sys.argv[1]).iterdir()):
    if path.suffix in (".txt", ".html"):
        draft = pipeline.draft_bytes(path.read_bytes(), path.name)
        draft.payload["timings_ms"] = {}
        out[path.name] = json.loads(draft.to_json())
pages = json.loads(Path(sys.argv[2]).read_text("utf-8"))
from service.formats import html
assert html._FAST_PAGES, "the page reader was not compiled"
out["pages"] = [html.html_to_text(page) for page in pages]
print(json.dumps(out, ensure_ascii=False))
"""


@pytest.mark.skipif(shutil.which("cc") is None and shutil.which("gcc") is None, reason="no C compiler")
def test_compiled_build_gives_the_same_json(tmp_path: Path, corpus: Path) -> None:
    out = tmp_path / "compiled"
    built = subprocess.run([sys.executable, str(ROOT / "scripts" / "compile.py"), "--out", str(out)], check=False)
    assert built.returncode == 0
    assert list(out.glob("service/pipeline*.so")), "pipeline was not compiled"
    # run from tmp_path: the repository root on sys.path would shadow the compiled tree
    env = {**os.environ, "PYTHONPATH": str(out)}
    # generated pages (tests/test_fastpage.py), which the compiled tree-less reader reads where it can
    pages = [_SloppyTables(random.Random(seed)).page() for seed in range(500)]
    pages += [_Page(random.Random(seed)).page() for seed in range(500)]
    pages_file = tmp_path / "pages.json"
    pages_file.write_text(json.dumps(pages), "utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _DUMP, str(corpus), str(pages_file)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    compiled = json.loads(done.stdout)
    assert compiled.pop("pages") == [html_to_text(page, fast=False) for page in pages]
    assert len(compiled) >= 9
    for name, document in compiled.items():
        draft = draft_bytes((corpus / name).read_bytes(), name)
        draft.payload["timings_ms"] = {}
        assert document == json.loads(draft.to_json()), name
