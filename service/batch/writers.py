"""The dataset's three tables (reports, values, findings) as Parquet, CSV, Excel or JSONL: one registry.

Columns and types are service.render's. CSV is UTF-8 with a byte-order mark, so that Excel opens the Chinese
text as it is; Excel gets one workbook with a sheet per table; Parquet, CSV and JSONL one file per table
beside each other (`reports.parquet`, `values.parquet`, `findings.parquet` in the output folder).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from service.render import FINDING_COLUMNS, REPORT_COLUMNS, VALUE_COLUMNS

Columns = tuple[tuple[str, str], ...]
TABLES: dict[str, Columns] = {"reports": REPORT_COLUMNS, "values": VALUE_COLUMNS, "findings": FINDING_COLUMNS}
Tables = dict[str, list[dict[str, Any]]]


def _arrow(rows: Sequence[dict[str, Any]], columns: Columns) -> Any:
    import pyarrow as pa

    types = {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64()}
    schema = pa.schema([(name, types[kind]) for name, kind in columns])
    data = {name: [_typed(row.get(name), kind) for row in rows] for name, kind in columns}
    return pa.Table.from_pydict(data, schema=schema)


def _typed(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "int64":
        return int(value)
    if kind == "float64":
        return float(value)
    return str(value)


def _parquet(tables: Tables, out: Path) -> list[Path]:
    import pyarrow.parquet as pq

    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, columns in TABLES.items():
        path = out / f"{name}.parquet"
        pq.write_table(_arrow(tables[name], columns), path)
        paths.append(path)
    return paths


def _per_table(
    tables: Tables, out: Path, suffix: str, write: Callable[[Any, list[dict[str, Any]], Columns], None]
) -> list[Path]:
    """One file per table, `<out>/<table><suffix>`, each written by `write(file, rows, columns)`."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, columns in TABLES.items():
        path = out / f"{name}{suffix}"
        # CSV with a byte-order mark: Excel then reads the Chinese text as UTF-8
        with path.open("w", encoding="utf-8-sig" if suffix == ".csv" else "utf-8", newline="") as f:
            write(f, tables[name], columns)
        paths.append(path)
    return paths


def _csv_rows(f: Any, rows: list[dict[str, Any]], columns: Columns) -> None:
    writer = csv.writer(f)
    writer.writerow([c for c, _ in columns])
    for row in rows:
        writer.writerow(["" if row.get(c) is None else _typed(row.get(c), kind) for c, kind in columns])


def _jsonl_rows(f: Any, rows: list[dict[str, Any]], columns: Columns) -> None:
    for row in rows:
        f.write(json.dumps({c: _typed(row.get(c), k) for c, k in columns}, ensure_ascii=False) + "\n")


def _csv(tables: Tables, out: Path) -> list[Path]:
    return _per_table(tables, out, ".csv", _csv_rows)


def _jsonl(tables: Tables, out: Path) -> list[Path]:
    return _per_table(tables, out, ".jsonl", _jsonl_rows)


def _xlsx(tables: Tables, out: Path) -> list[Path]:
    from openpyxl import Workbook

    path = out if out.suffix.lower() == ".xlsx" else out / "dataset.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook(write_only=True)
    for name, columns in TABLES.items():
        sheet = book.create_sheet(name)
        sheet.append([c for c, _ in columns])
        for row in tables[name]:
            sheet.append([_typed(row.get(c), kind) for c, kind in columns])
    book.save(path)
    return [path]


PART_ROWS = 100_000


def parquet_dataset(tables: Tables, out: str) -> list[str]:
    """Each table as a partitioned Parquet dataset, `<out>/<table>/part-NNNNN.parquet`, through fsspec (a local
    folder, s3://bucket/prefix, …): what the cluster engine writes."""
    import fsspec
    import pyarrow.parquet as pq

    fs, _, (root,) = fsspec.get_fs_token_paths(out)
    written = []
    for name, columns in TABLES.items():
        rows = tables[name]
        fs.makedirs(f"{root}/{name}", exist_ok=True)
        for part, start in enumerate(range(0, max(len(rows), 1), PART_ROWS)):
            path = f"{root}/{name}/part-{part:05d}.parquet"
            with fs.open(path, "wb") as f:
                pq.write_table(_arrow(rows[start : start + PART_ROWS], columns), f)
            written.append(path)
    return written


WRITERS: dict[str, Callable[[Tables, Path], list[Path]]] = {
    "parquet": _parquet,
    "csv": _csv,
    "xlsx": _xlsx,
    "jsonl": _jsonl,
}


def format_for(out: Path, given: str | None) -> str:
    """The output format: --format, else the --out suffix (.xlsx, .parquet, .csv, .jsonl), else Parquet."""
    if given:
        return given
    suffix = out.suffix.lower().lstrip(".")
    return suffix if suffix in WRITERS else "parquet"
