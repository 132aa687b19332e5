"""Ruled tables in page images (service.formats.ruled) and the number reading of recognised lines
(service.formats.ocr_lines), on drawn images and made-up recogniser output: no model is run."""

from __future__ import annotations

from typing import Any

import pytest

cv2 = pytest.importorskip("cv2")  # OpenCV comes with the ocr extra
np = pytest.importorskip("numpy")

from service.formats import ocr_lines, ruled  # noqa: E402


def _page() -> Any:
    """A white page with one ruled table: 3 rows x 3 columns, the first column's cell spanning rows 2-3 and the
    first row's last two cells merged; a bar of ink (a digit's stand-in) in one cell, a two-line label in
    another."""
    page = np.full((600, 800), 255, np.uint8)
    xs, ys = [100, 300, 500, 700], [100, 200, 300, 400]
    for y in ys:
        cv2.line(page, (xs[0], y), (xs[-1], y), 0, 1)
    for x in xs:
        cv2.line(page, (x, ys[0]), (x, ys[-1]), 0, 1)
    page[201:300, 100:101] = 0  # (the left border stays)
    page[300:301, 101:300] = 255  # rows 2 and 3 of column 0 merged: the line between them is not printed
    page[101:200, 500:501] = 255  # row 1's columns 1 and 2 merged
    page[240:260, 380:390] = 0  # ink in row 2, column 1
    page[120:135, 120:200] = 0  # two lines of text in row 1, column 0
    page[150:165, 120:180] = 0
    return page


def test_cells_are_placed_on_the_rows_and_columns_their_edges_share() -> None:
    (table,) = ruled.tables(_page())
    assert (table.rows, table.cols) == (3, 3)
    spans = {(c.row, c.col): (c.rowspan, c.colspan) for c in table.cells}
    assert spans == {(0, 0): (1, 1), (0, 1): (1, 2), (1, 0): (2, 1), (1, 1): (1, 1), (1, 2): (1, 1),
                     (2, 1): (1, 1), (2, 2): (1, 1)}  # fmt: skip


def test_a_cell_s_lines_of_ink_are_found_and_a_blank_cell_has_none() -> None:
    page = _page()
    (table,) = ruled.tables(page)
    cells = {(c.row, c.col): c for c in table.cells}
    assert len(ruled.text_lines(page, cells[0, 0].box)) == 2
    assert ruled.text_lines(page, cells[1, 1].box) == [(380, 240, 390, 260)]
    assert ruled.text_lines(page, cells[2, 2].box) == []


def test_a_speck_of_noise_is_no_text_but_a_minus_sign_is() -> None:
    page = _page()
    (table,) = ruled.tables(page)
    blank = next(c for c in table.cells if (c.row, c.col) == (2, 2)).box
    page[blank[1] + 30, blank[0] + 30] = 0  # one dark pixel: dust
    assert ruled.text_lines(page, blank) == []
    page[blank[1] + 40 : blank[1] + 42, blank[0] + 40 : blank[0] + 44] = 0  # a 4 x 2 minus sign at 150 dpi
    assert len(ruled.text_lines(page, blank)) == 1


@pytest.mark.parametrize("angle", [-1.0, -0.35, 0.6])
def test_a_rotated_page_is_levelled_to_within_a_tenth_of_a_degree(angle: float) -> None:
    page = _page()
    h, w = page.shape
    turned = cv2.warpAffine(page, cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0), (w, h), borderValue=255)
    found = ruled.skew(turned)
    assert abs(found + angle) <= 0.1
    level, back = ruled.rotate(turned, found)
    assert len(ruled.tables(level)[0].cells) == 7
    # the matrix back maps the levelled page's centre to the received page's centre
    assert np.allclose(back @ np.array([w / 2, h / 2, 1.0]), [w / 2, h / 2], atol=1.0)


ALPHABET = ["blank", "0", "D", "。", "8", "B", "3", "1", "-", "年", " "]


def _steps(*columns: dict[str, float]) -> Any:
    """Recogniser output: one step per dict of character probabilities (the rest is blank)."""
    out = np.zeros((len(columns), len(ALPHABET)), np.float32)
    for t, probs in enumerate(columns):
        for ch, p in probs.items():
            out[t, ALPHABET.index(ch)] = p
        out[t, 0] = 1.0 - sum(probs.values())
    return out


DECODER = ocr_lines._Decoder.of(ALPHABET)


def test_a_zero_split_between_its_look_alikes_reads_as_a_sure_zero() -> None:
    steps = _steps({}, {"0": 0.5, "D": 0.3, "。": 0.15}, {"0": 0.6}, {})
    assert ocr_lines._as_number(steps, DECODER) == ("0", pytest.approx(0.95))


def test_a_digit_split_between_two_digits_stays_unsure() -> None:
    text, confidence = ocr_lines._as_number(_steps({"8": 0.5, "3": 0.45}), DECODER) or ("", 1.0)
    assert text == "8" and confidence < 0.85  # left null by the confidence threshold


def test_digits_repeat_only_across_a_blank_and_a_minus_sign_stays() -> None:
    steps = _steps({"-": 0.99}, {"1": 0.99}, {}, {"1": 0.97}, {"1": 0.98})
    assert ocr_lines._as_number(steps, DECODER) == ("-11", pytest.approx(0.98))


def test_a_line_with_any_other_character_is_no_number() -> None:
    assert ocr_lines._as_number(_steps({"1": 0.99}, {"年": 0.9}), DECODER) is None
    assert ocr_lines._as_number(_steps({"-": 0.99}), DECODER) is None  # a dash alone means "none"


def test_two_numbers_on_two_lines_of_one_cell_never_fuse() -> None:
    from service.formats.ocr import _joined

    assert _joined(["0", "7"]) == "0 7"
    assert _joined(["（二）部分公开（区分处理的，只计这", "一情形）"]) == "（二）部分公开（区分处理的，只计这一情形）"


def test_a_line_s_glyphs_are_its_runs_of_inked_columns() -> None:
    """The count that tells a number read without its minus sign (`-3` read as `3`) from one read whole."""
    page = np.full((40, 80), 255, np.uint8)
    page[20:22, 10:15] = 0  # a minus sign
    page[12:28, 17:21] = 0  # a digit
    page[12:28, 24:30] = 0  # another, apart
    assert ruled.glyphs(page, (5, 5, 75, 35)) == 3
    page[12:28, 21:24] = 0  # the two digits now touch: fewer glyphs, never more
    assert ruled.glyphs(page, (5, 5, 75, 35)) == 2
    assert ruled.glyphs(np.full((40, 80), 255, np.uint8), (5, 5, 75, 35)) == 0
