"""Checks across reports: the same organ's consecutive years must agree where the template says they carry
over (this year's 上年结转 = last year's 结转下年度, per column).

Organs are grouped by a normalised name (the same organ is written with and without its city prefix, with
办公室 or not); the group is a column of the reports table, and a CSV of `organ,group` overrides it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from schemas.fields import REQUEST_COLUMNS

_PUNCT = re.compile(r"[\s()（）·•]")
_OFFICE = re.compile(r"办公室$")
# what a place's name ends with, where it stands before an organ's (淮安市 + 洪泽区人民政府)
_PLACE_END = ("省", "市", "自治区", "州", "盟", "县", "区")


def _normal(organ: str) -> str:
    name = _PUNCT.sub("", organ)
    short = _OFFICE.sub("", name)
    return short if len(short) >= 2 else name


def organ_groups(organs: Iterable[str], overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Organ name -> group. A name written without its place prefix (洪泽区人民政府) joins the one written
    with it (淮安市洪泽区人民政府) where exactly one such longer name is in the batch; 办公室 or not is the
    same organ; `overrides` (organ -> group) decide first."""
    names = {o: _normal(o) for o in organs if o}
    longer: dict[str, set[str]] = {}
    values = set(names.values())
    for full in values:
        for short in values:
            prefix = full[: len(full) - len(short)]
            if short != full and full.endswith(short) and prefix.endswith(_PLACE_END):
                longer.setdefault(short, set()).add(full)
    out = {}
    for organ, name in names.items():
        if overrides and organ in overrides:
            out[organ] = overrides[organ]
            continue
        candidates = longer.get(name, set())
        out[organ] = next(iter(candidates)) if len(candidates) == 1 else name
    return out


def load_overrides(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        return {row[0].strip(): row[1].strip() for row in csv.reader(f) if len(row) >= 2 and row[0].strip()}


def check_years(
    reports: Iterable[dict[str, Any]], values: dict[str, dict[str, dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Finding rows for every later report whose 上年结转 differs from the earlier year's 结转下年度 (both printed).

    `values`: sha256 -> key -> value row (with raw and span), for the spans of both sides."""
    by_group: dict[tuple[str, int], dict[str, Any]] = {}
    for row in reports:
        if row.get("organ_group") and isinstance(row.get("meta.year"), int) and not row.get("error"):
            by_group.setdefault((row["organ_group"], row["meta.year"]), row)
    out = []
    for (group, year), later in sorted(by_group.items()):
        earlier = by_group.get((group, year - 1))
        if earlier is None:
            continue
        for col in REQUEST_COLUMNS:
            now, before = later.get(f"requests.carried_over.{col}"), earlier.get(f"requests.carried_forward.{col}")
            if now is None or before is None or now == before:
                continue
            here = values.get(later["sha256"], {}).get(f"requests.carried_over.{col}", {})
            there = values.get(earlier["sha256"], {}).get(f"requests.carried_forward.{col}", {})
            out.append(
                {
                    "sha256": later["sha256"],
                    "source_path": later["source_path"],
                    "rule": "crossyear.carried_over",
                    "kind": "arithmetic",
                    "message": (
                        f"requests.carried_over.{col} = {now} ({here.get('raw')!r} at {here.get('start')}-"
                        f"{here.get('end')}) but {group} {year - 1} carried {before} forward "
                        f"({there.get('raw')!r} at {there.get('start')}-{there.get('end')} of {earlier['source_path']})"
                    ),
                    "cells": f"requests.carried_over.{col}",
                    "expected": float(before),
                    "printed": float(now),
                    "start": here.get("start"),
                    "end": here.get("end"),
                }
            )
    return out
