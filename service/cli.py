"""The `nianbao` command: extract, eval, serve.

Exit codes: 0 everything worked, 1 some reports failed (the rest were
written), 2 usage or configuration errors.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from service.errors import ConfigError, NianbaoError, too_large
from service.formats.registry import SUFFIXES
from service.pipeline import Options, Source
from service.pipeline import extract as run_extraction
from service.render import renderer
from service.settings import get_settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Turn 政府信息公开工作年度报告 into structured data."""
    try:
        get_settings()
    except ConfigError as exc:
        click.echo(f"nianbao: {exc.message}", err=True)
        sys.exit(EXIT_USAGE)


@contextmanager
def _progress(total: int, label: str) -> Iterator[Any]:
    """A progress bar on a terminal with more than one file; nothing when piped."""
    if total < 2 or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=Console(stderr=True)
    ) as progress:
        yield (progress, progress.add_task(label, total=total))


def _llm_or_exit() -> Any:
    """The configured LLM extractor; exit 2 when none is configured (the flag asked for one)."""
    from service.llm.factory import build

    llm = build(get_settings())
    if llm is None:
        click.echo("nianbao: --llm needs NIANBAO_LLM_BASE_URL (and NIANBAO_LLM_MODEL) to be set", err=True)
        sys.exit(EXIT_USAGE)
    return llm


def _state_beside(out: str) -> str:
    """A batch's default state folder: `<out>.state` beside a local output; for a URL, in the working folder."""
    name = out.rstrip("/")
    return name.rsplit("/", 1)[-1] + ".state" if "://" in name else name + ".state"


def _out_name(path: Path, data: bytes, used: dict[str, str]) -> str:
    """`<stem>.json`, or `<stem>.<sha256[:12]>.json` where another document of this run has the name: two
    inputs never overwrite each other (a/report.txt and b/report.txt, x.txt and x.html)."""
    from service.batch.state import sha256

    sha = sha256(data)
    name = f"{path.stem}.json"
    if used.setdefault(name, sha) != sha:
        name = f"{path.stem}.{sha[:12]}.json"
        used[name] = sha
    return name


def _extract_one(data: bytes, name: str, options: Options) -> Any:
    """One document, read in a child process that is killed at the timeout (service.workers.isolated)."""
    from service.workers.isolated import extract_isolated

    settings = get_settings()
    return extract_isolated(Source(data, name), options, settings.request_timeout_s, settings.worker_max_memory_mb)


def _read(path: Path) -> bytes:
    limit = get_settings().max_input_bytes
    size = path.stat().st_size
    if size > limit:
        raise too_large(path.name, size, limit)
    return path.read_bytes()


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--flat", is_flag=True, help="Write the FIELDS.md flat map instead of the full extraction.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write one JSON file per report, <out>/<stem>.json (<stem>.<sha256 prefix>.json where two inputs share "
    "a stem), instead of printing.",
)
@click.option("--indent", type=int, default=2, show_default=True, help="JSON indent (0 for one line).")
@click.option("--llm", "use_llm", is_flag=True, help="Use the configured LLM (NIANBAO_LLM_*) for narrative sections.")
def extract(files: Sequence[Path], flat: bool, out_dir: Path | None, indent: int, use_llm: bool) -> None:
    """Extract one or more reports. One file prints its JSON; several print one JSON object per line."""
    options = Options(llm=_llm_or_exit() if use_llm else None)
    render = renderer("flat" if flat else "json")
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    failed = 0
    many = len(files) > 1 and out_dir is None
    used: dict[str, str] = {}  # output name -> the sha256 of the document written under it
    with _progress(len(files), "extracting") as bar:
        for path in files:
            try:
                data = _read(path)
                payload = render.data(_extract_one(data, path.name, options))
            except NianbaoError as exc:
                failed += 1
                click.echo(f"nianbao: {path}: {exc.message}", err=True)
            except OSError as exc:
                failed += 1
                click.echo(f"nianbao: {path}: cannot read: {exc.strerror or exc}", err=True)
            else:
                if out_dir is not None:
                    target = out_dir / _out_name(path, data, used)
                    target.write_text(json.dumps(payload, ensure_ascii=False, indent=indent or None) + "\n", "utf-8")
                elif many:
                    click.echo(json.dumps({"file": str(path), "result": payload}, ensure_ascii=False))
                else:
                    click.echo(json.dumps(payload, ensure_ascii=False, indent=indent or None))
            if bar is not None:
                bar[0].advance(bar[1])
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="Where the dataset goes: a folder (reports/values/findings tables), or a .xlsx workbook.",
)
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv", "xlsx", "jsonl"]), help="Default: by --out.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Worker processes (default: one per CPU).")
@click.option(
    "--state",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where each document's result is kept, by content hash, so a re-run reads only what is new "
    "(default: <out>.state beside the output).",
)
@click.option(
    "--cluster",
    help="Run on a Dask cluster: its scheduler's address (tcp://host:8786), or `local` for a local cluster of "
    "--jobs workers. Inputs and --out may then be fsspec URLs (s3://…); the tables are partitioned Parquet "
    "datasets (<out>/<table>/part-*.parquet).",
)
@click.option(
    "--organ-groups",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="CSV of organ,group: which organ names are the same organ for the cross-year checks.",
)
def batch(
    inputs: Sequence[str],
    out: Path,
    fmt: str | None,
    jobs: int | None,
    state: Path | None,
    cluster: str | None,
    organ_groups: Path | None,
) -> None:
    """Extract files, folders (recursively) and globs into one dataset: Parquet, CSV, Excel or JSONL.

    Every distinct document (by the sha256 of its bytes) is one row of the reports table, a failed one
    with its error; values and findings are tables of their own. Resumable: results are kept as they
    come, so a re-run, or a run killed half way and started again, reads only what is not done."""
    from service.batch import engine
    from service.batch.crossyear import load_overrides
    from service.batch.discover import discover
    from service.batch.state import State
    from service.batch.writers import WRITERS, format_for

    store = State(state or Path(_state_beside(str(out))))
    overrides = load_overrides(organ_groups)
    written: Sequence[object]
    if cluster:
        from service.batch.cluster import discover_urls, run_on_cluster
        from service.batch.writers import parquet_dataset

        urls = discover_urls(inputs)
        if not urls:
            raise click.UsageError("no documents found under the inputs")
        summary = run_on_cluster(urls, store, get_settings(), cluster, jobs or _cpus())
        written = parquet_dataset(engine.tables(summary, store, overrides), str(out))
    else:
        files = discover(inputs)
        if not files:
            raise click.UsageError("no documents found under the inputs")
        with _progress(len(files), "extracting") as bar:
            advance = (lambda n: bar[0].advance(bar[1], n)) if bar else None
            summary = engine.run(files, store, get_settings(), jobs or _cpus(), advance)
        written = WRITERS[format_for(out, fmt)](engine.tables(summary, store, overrides), out)
    click.echo(
        f"nianbao batch: {summary.files} files, {summary.documents} distinct documents: {summary.extracted} read, "
        f"{summary.reused} already done, {summary.failed} failed, {summary.with_findings} with findings "
        f"({summary.seconds:.1f} s); wrote {', '.join(str(p) for p in written)}",
        err=True,
    )
    sys.exit(EXIT_FAILED if summary.failed else EXIT_OK)


@main.command()
@click.argument("sql")
@click.option(
    "--data",
    type=click.Path(path_type=Path, exists=True),
    required=True,
    help="A batch's Parquet folder (tables reports, values, findings).",
)
def query(sql: str, data: Path) -> None:
    """SQL over a batch's tables with DuckDB; the tables are `reports`, `values` and `findings`."""
    import duckdb

    con = duckdb.connect()
    for table in ("reports", "values", "findings"):
        path = data / f"{table}.parquet"
        parts = data / table  # a partitioned dataset (batch --cluster)
        source = path.as_posix() if path.exists() else f"{parts.as_posix()}/*.parquet" if parts.is_dir() else None
        if source:
            con.execute(f"CREATE VIEW \"{table}\" AS SELECT * FROM read_parquet('{source}')")
    try:
        cursor = con.execute(sql)
    except duckdb.Error as exc:
        click.echo(f"nianbao: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    columns = [d[0] for d in cursor.description or []]
    click.echo("\t".join(columns))
    for row in cursor.fetchall():
        click.echo("\t".join("" if v is None else str(v) for v in row))


@main.command(name="eval")
@click.option(
    "--corpus",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=Path("evals/corpus"),
    show_default=True,
    help="Folder of NAME.gold.json files and the reports of the same stem.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as one JSON object.")
@click.option(
    "--compare", type=click.Path(path_type=Path, dir_okay=False, exists=True), help="A previous --json result."
)
@click.option("--save", type=click.Path(path_type=Path, dir_okay=False), help="Also write the JSON result here.")
@click.option("--llm", "use_llm", is_flag=True, help="Use the configured LLM (NIANBAO_LLM_*) for narrative sections.")
@click.option(
    "--whole-document",
    is_flag=True,
    help="Baseline: the LLM alone over the whole report in one call, no tables or rules (implies --llm), "
    "to compare tokens and accuracy with the hybrid.",
)
def eval_cmd(
    corpus: Path, as_json: bool, compare: Path | None, save: Path | None, use_llm: bool, whole_document: bool
) -> None:
    """Score the extraction against the gold files of a corpus (FIELDS.md scoring)."""
    from evals.harness import compare as compare_results
    from evals.harness import load_cases, run_eval

    cases = load_cases(corpus, SUFFIXES)
    if not cases:
        raise click.UsageError(f"no NAME.gold.json with a supported report ({', '.join(SUFFIXES)}) in {corpus}")

    llm = _llm_or_exit() if (use_llm or whole_document) else None
    options = Options(llm=llm, whole_document=whole_document)

    def extractor(path: Path) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
        result = run_extraction(Source(_read(path), path.name), options)
        methods = {k: fv.provenance.method.value for k, fv in result.fields().items()}
        return dict(result.flat()), methods, {"llm": result.llm.model_dump()} if llm else {}

    report = run_eval(cases, extractor).to_dict()
    diff = compare_results(report, json.loads(compare.read_text("utf-8"))) if compare else None
    if save is not None:
        save.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")
    if as_json:
        click.echo(json.dumps(report | ({"compare": diff} if diff else {}), ensure_ascii=False, indent=2))
    else:
        _print_eval(report, diff)
    sys.exit(EXIT_FAILED if report["documents_failed"] else EXIT_OK)


@main.command()
@click.option("--host", default=None, help="Address to bind (default NIANBAO_HOST, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default NIANBAO_PORT, 8000).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Extraction worker processes (default NIANBAO_WORKERS, else one per CPU).",
)
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Run the HTTP service (uvicorn), on the embedded defaults unless told otherwise.

    One HTTP process; with --workers N > 1 the extractions run in N worker processes behind it
    (service.workers.pool says why not uvicorn's own workers)."""
    from service.api.app import create_app
    from service.api.server import serve as run_server

    settings = get_settings()
    settings = settings.model_copy(update={"workers": workers or settings.workers or _cpus()})
    run_server(create_app(settings), settings, host or settings.host, port or settings.port)


def _cpus() -> int:
    """CPUs this process may run on (its affinity, as a container's cpuset sets it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _print_eval(report: dict[str, Any], diff: dict[str, Any] | None) -> None:
    from rich.console import Console

    console = Console(width=max(Console().width, 140))
    console.print(_documents_table(report))
    console.print(_sections_table(report))
    nz = report["nonzero"]
    console.print(
        f"non-zero values: P {nz['precision']:.3f}  R {nz['recall']:.3f}  F1 {nz['f1']:.3f}   "
        f"documents all right: {report['documents_perfect']}/{report['documents_total']}   "
        f"by method: {report['by_method']}"
    )
    for line in _detail_lines(report, diff):
        console.print(line, markup=False)


def _documents_table(report: dict[str, Any]) -> Any:
    from rich.table import Table

    table = Table(title="nianbao eval", show_lines=False)
    llm = report["llm"]
    llm_cols = ("LLM calls", "tokens in", "tokens out") if llm["calls"] or llm["cache_hits"] else ()
    for col in ("document", "P", "R", "F1", "F1≠0", "wrong", "missing", "invented", "ms", *llm_cols):
        table.add_column(col, justify="left" if col == "document" else "right", no_wrap=col == "document")

    def usage(u: dict[str, Any] | None) -> tuple[str, ...]:
        if not llm_cols:
            return ()
        return (str(u["calls"]), str(u["input_tokens"]), str(u["output_tokens"])) if u else ("",) * 3

    def scores(d: dict[str, Any], nonzero_f1: float) -> tuple[str, ...]:
        return (f"{d['precision']:.3f}", f"{d['recall']:.3f}", f"{d['f1']:.3f}", f"{nonzero_f1:.3f}")

    docs = report["documents"]
    for d in docs:
        table.add_row(
            d["name"] + (" [red](error)[/red]" if d["error"] else ""),
            *scores(d, d["nonzero"]["f1"]),
            *(str(len(d[kind])) for kind in ("wrong", "missing", "invented")),
            f"{d['ms']:.1f}",
            *usage(d.get("info", {}).get("llm")),
        )
    table.add_section()
    table.add_row(
        "all (micro)",
        *scores(report["overall"], report["nonzero"]["f1"]),
        str(sum(len(d["wrong"]) for d in docs)),
        str(sum(len(d["missing"]) for d in docs)),
        str(report["invented_total"]),
        f"{report['ms_median'] or 0:.1f}",
        *usage(llm),
    )
    return table


def _sections_table(report: dict[str, Any]) -> Any:
    from rich.table import Table

    sections = Table(title="by section", show_header=True)
    for col in ("section", "tp", "fp", "fn", "P", "R", "F1"):
        sections.add_column(col, justify="left" if col == "section" else "right")
    for name, c in report["sections"].items():
        sections.add_row(
            name, *(str(c[k]) for k in ("tp", "fp", "fn")), *(f"{c[k]:.3f}" for k in ("precision", "recall", "f1"))
        )
    return sections


def _detail_lines(report: dict[str, Any], diff: dict[str, Any] | None) -> Iterator[str]:
    """Every wrong, missing and invented field, errors, and the comparison with a previous run."""
    for d in report["documents"]:
        for kind in ("wrong", "missing", "invented"):
            for item in d[kind]:
                detail = {k: v for k, v in item.items() if k != "key"}
                yield f"  {d['name']}: {kind} {item['key']} {json.dumps(detail, ensure_ascii=False)}"
        if d["error"]:
            yield f"  {d['name']}: error {d['error']}"
    if diff is not None:
        yield (
            f"compare: F1 {diff['f1']['before']} -> {diff['f1']['after']}, "
            f"non-zero F1 {diff['nonzero_f1']['before']} -> {diff['nonzero_f1']['after']}, "
            f"invented {diff['invented_total']['before']} -> {diff['invented_total']['after']}, "
            f"documents all right {diff['documents_perfect']['before']} -> {diff['documents_perfect']['after']}"
        )
        for d in diff["documents"]:
            yield f"  {json.dumps(d, ensure_ascii=False)}"
