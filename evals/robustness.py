"""Generated reports in every hard class, read back: wrong, missing and invented values per class.

    python -m evals.robustness [--cases 500]

Classes: the text flattenings of evals.synth.text, blank-cell HTML, converters' markdown in each style of
evals.synth.variants, and traditional characters. A value must come back right, or be null (then the
document must carry a finding); never wrong, never invented.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from evals.synth.docs import to_docx, to_pdf
from evals.synth.text import STYLES, Report, random_report, render
from evals.synth.variants import MARKDOWN_STYLES, html_blank_zeros, to_markdown, traditional_html, traditional_text
from service.pipeline import Source, extract

Make = Callable[[Report, random.Random], tuple[Source, set[str]]]


def _text(style: str) -> Make:
    return lambda report, rng: (Source(render(report, style, rng).text, format="text"), set())


def _markdown(style: str) -> Make:
    def make(report: Report, rng: random.Random) -> tuple[Source, set[str]]:
        text, loose = to_markdown(report, style, rng)
        return Source(text.encode(), "report.md"), loose

    return make


def _traditional(style: str) -> Make:
    return lambda report, rng: (Source(traditional_text(report, style, rng), format="text"), set())


CLASSES: dict[str, Make] = {
    **{f"text:{s}": _text(s) for s in STYLES},
    "html:blank_zeros": lambda r, rng: (Source(html_blank_zeros(r, rng).encode(), "r.html"), set()),
    "docx": lambda r, rng: (Source(to_docx(r), "r.docx"), set()),
    "pdf": lambda r, rng: (Source(to_pdf(r), "r.pdf"), set()),
    **{f"markdown:{s}": _markdown(s) for s in MARKDOWN_STYLES},
    **{f"traditional:{s}": _traditional(s) for s in ("lines", "pipe", "fused")},
    "traditional:html": lambda r, rng: (Source(traditional_html(r).encode(), "r.html"), set()),
}
# the classes whose every value must come back (the others may leave undecidable cells null)
EXACT = {c for c in CLASSES if not c.endswith(("fused", "dropped"))}


@dataclass
class Score:
    values: int = 0
    wrong: int = 0
    missing: int = 0
    invented: int = 0
    unexplained: int = 0  # documents with a missing value and no finding
    examples: list[str] = field(default_factory=list)


def cases(n: int, seed: int = 0) -> Iterator[tuple[int, Report, random.Random]]:
    for i in range(n):
        rng = random.Random(seed * 1_000_003 + i)
        template = rng.choice(["2019", "2021"])
        single = rng.choice([None, template == "2021"])
        yield i, random_report(rng, template, single_other=single, big=rng.random() < 0.5), rng


def score_class(name: str, n: int, seed: int = 0) -> Score:
    make = CLASSES[name]
    out = Score()
    for i, report, rng in cases(n, seed):
        source, loose = make(report, rng)
        result = extract(source)
        got, expected = result.flat(), report.flat()
        missing = [k for k in expected if k not in got]
        for key, value in expected.items():
            out.values += 1
            if key in got and got[key] != value:
                out.wrong += 1
                if len(out.examples) < 5:
                    out.examples.append(f"case {i}: {key} = {got[key]!r}, printed {value!r}")
        out.missing += len(missing)
        out.invented += sum(1 for k in got if k not in expected)
        if missing and not any(f.kind == "parse" for f in result.findings):
            out.unexplained += 1
        if missing and name in EXACT and not set(missing) <= loose and len(out.examples) < 5:
            out.examples.append(f"case {i}: missing {missing[:3]}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=500, help="reports per class")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    total = Score()
    for name in CLASSES:
        s = score_class(name, args.cases, args.seed)
        for f in ("values", "wrong", "missing", "invented", "unexplained"):
            setattr(total, f, getattr(total, f) + getattr(s, f))
        print(
            f"{name:24s} values {s.values:7d}  wrong {s.wrong}  missing {s.missing}  invented {s.invented}  "
            f"missing without a finding {s.unexplained}  {'; '.join(s.examples)}"
        )
    print(
        f"{'all':24s} values {total.values:7d}  wrong {total.wrong}  missing {total.missing}  "
        f"invented {total.invented}  missing without a finding {total.unexplained}"
    )


if __name__ == "__main__":
    main()
