"""Row readings: fused digit runs, dropped blank cells, and the arithmetic that settles them."""

from __future__ import annotations

from service.parsers.cells import row_readings, values
from service.parsers.requests import row_total_ok
from service.parsers.review import groups_ok
from service.text.numbers import tokenize


def readings(text: str, k: int, check=None, repeats=False):  # type: ignore[no-untyped-def]
    toks = tokenize(text, 0, len(text))
    return [values(r) for r in row_readings(toks, k, check, (0, len(text)), repeats).readings]


def test_review_run_together_is_settled_by_group_totals() -> None:
    # the example: 2,1,3,1,7 | 0,0,0,0,0 | 13,2,4,0,19
    assert readings("21317000001324019", 15, groups_ok) == [(2, 1, 3, 1, 7, 0, 0, 0, 0, 0, 13, 2, 4, 0, 19)]


def test_request_row_with_spurious_spaces() -> None:
    assert readings("230 000023", 7, row_total_ok) == [(23, 0, 0, 0, 0, 0, 23)]
    assert readings("5800000 58", 7, row_total_ok) == [(58, 0, 0, 0, 0, 0, 58)]
    assert readings("320000032", 7, row_total_ok) == [(32, 0, 0, 0, 0, 0, 32)]


def test_no_leading_zeros_in_a_split() -> None:
    assert readings("000", 3) == [(0, 0, 0)]


def test_a_run_that_repeats_one_number_reads_as_that_number_only_where_allowed() -> None:
    assert readings("898989", 3, repeats=True) == [(89, 89, 89)]
    assert len(readings("898989", 3)) > 1
    assert len(readings("3030", 2)) == 2  # 30 30 or 303 0: no row of two cells may prefer repeats


def test_ambiguous_runs_keep_every_reading() -> None:
    assert len(readings("3123", 3)) == 3


def test_dropped_blank_cells_all_zero() -> None:
    assert readings("0 0 0 0", 7, row_total_ok) == [(0,) * 7]


def test_dropped_blank_cells_with_values_are_ambiguous() -> None:
    assert len(readings("4 4", 7, row_total_ok)) == 6


def test_more_numbers_than_cells_has_no_reading() -> None:
    assert readings("1 2 3 4", 3) == []


def test_split_spans_point_at_their_digits() -> None:
    text = "x 5800000 58"
    toks = tokenize(text, 0, len(text))
    (reading,) = row_readings(toks, 7, row_total_ok, (0, len(text))).readings
    assert [text[c.start : c.end] for c in reading] == ["58", "0", "0", "0", "0", "0", "58"]
