"""The review page in a real browser (Debian's chromium, driven by Playwright; no browser download): a
report's cells linked to their spans, findings to their cells, a correction downloaded as gold, offline."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.test_api_e2e import _serve

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-artifacts" / "screenshots"

if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (scripts/test.sh installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    base, proc = _serve("--workers", "1")
    yield base
    proc.kill()
    proc.wait()


@pytest.fixture
def page(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM is not None, "chromium must be installed in CI"
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        context = browser.new_context(accept_downloads=True, viewport={"width": 1600, "height": 1000})

        def only_loopback(route: Any) -> None:
            if route.request.url.startswith(server):
                route.continue_()
            else:  # the network is blocked: the page must need nothing from it
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", only_loopback)
        pg = context.new_page()
        pg.goto(server + "/review")
        yield pg
        assert outside == [], f"the page asked the network for {outside}"
        browser.close()


def _edit(page: Any, key: str, value: str) -> None:
    page.dblclick(f'td.cell[data-key="{key}"]')
    page.fill(f'td.cell[data-key="{key}"] input', value)
    page.keyboard.press("Enter")


def _gold(page: Any, target: Path) -> dict[str, Any]:
    """The gold file the page downloads."""
    with page.expect_download() as download:
        page.click("#download")
    download.value.save_as(target)
    gold: dict[str, Any] = json.loads(target.read_text("utf-8"))
    return gold


def _open(page: Any, path: Path) -> None:
    page.set_input_files("#file", str(path))
    page.click("#read")
    page.wait_for_selector("td.cell")


def test_a_cell_shows_its_span_findings_their_cells_and_a_correction_becomes_gold(
    page: Any, server: str, corpus: Path, tmp_path: Path
) -> None:
    path = next(corpus.glob("002_*.txt"))
    expected = httpx.post(f"{server}/v1/extract", content=path.read_bytes(), timeout=30).json()
    _open(page, path)
    key = "requests.total.natural_person"
    raw = expected["requests"]["total"]["natural_person"]["provenance"]["raw"]
    page.click(f'td.cell[data-key="{key}"]')
    assert page.inner_text("mark.active") == raw
    assert page.get_attribute("mark.active", "data-key") == key
    # the reverse: a number in the source selects its cell
    page.click('mark[data-key="requests.new.total"]')
    assert page.get_attribute("td.selected", "data-key") == "requests.new.total"
    # the broken total is listed and lights up its cells
    broken = page.locator("#findings li", has_text="requests.outcome_total").first
    broken.click()
    involved = page.eval_on_selector_all("td.involved", "els => els.map(e => e.dataset.key)")
    # (七)总计 and the outcome rows, in the one column whose sum breaks
    assert involved and all(k.startswith("requests.") for k in involved)
    assert any(k.startswith("requests.total.") for k in involved)
    assert len({k.rsplit(".", 1)[1] for k in involved}) == 1
    # keyboard: from the selected cell, the arrow moves to the next column
    page.click('td.cell[data-key="requests.new.natural_person"]')
    page.keyboard.press("ArrowRight")
    assert page.get_attribute("td.selected", "data-key") == "requests.new.commercial"
    # a correction: requests.new.total edited, then the gold downloaded
    _edit(page, "requests.new.total", "5")
    gold = _gold(page, tmp_path / "gold.json")
    flat = httpx.post(f"{server}/v1/extract?flat=true", content=path.read_bytes(), timeout=30).json()
    assert {k for k in gold.keys() | flat.keys() if gold.get(k) != flat.get(k)} == {"requests.new.total"}
    assert gold["requests.new.total"] == 5
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "review-002-text.png"), full_page=False)


def test_an_html_report_and_a_not_stated_mark(page: Any, corpus: Path, tmp_path: Path) -> None:
    _open(page, next(corpus.glob("33_*.html")))
    page.click('td.cell[data-key="requests.new.total"]')
    assert page.inner_text("mark.active") == "58"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "review-33-html.png"), full_page=False)
    # marking a value "not stated" removes it from the gold
    _edit(page, "requests.new.total", "")
    assert "requests.new.total" not in _gold(page, tmp_path / "g.json")
