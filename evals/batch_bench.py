"""Benchmark: `nianbao batch --jobs 1` against `--jobs 2` on generated reports (fresh state each time).

    python -m evals.batch_bench [--reports 400]

Prints reports per second for each and the ratio. Not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from evals.synth.text import STYLES, random_report, render


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=400)
    args = parser.parse_args()
    exe = shutil.which("nianbao", path=str(Path(sys.executable).parent)) or "nianbao"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for i in range(args.reports):
            rng = random.Random(i)
            folder = root / "in" / f"d{i % 20}"
            folder.mkdir(parents=True, exist_ok=True)
            text = render(random_report(rng, rng.choice(["2019", "2021"]), big=True), STYLES[i % len(STYLES)], rng).text
            (folder / f"r{i}.txt").write_text(text, "utf-8")
        rates = {}
        for jobs in (1, 2):
            out = root / f"out{jobs}"
            t0 = time.perf_counter()
            subprocess.run([exe, "batch", str(root / "in"), "--out", str(out), "--jobs", str(jobs)], check=True)
            rates[jobs] = args.reports / (time.perf_counter() - t0)
            print(f"--jobs {jobs}: {rates[jobs]:.1f} reports/s ({args.reports} reports, start-up included)")
        print(f"ratio: {rates[2] / rates[1]:.2f}x")


if __name__ == "__main__":
    main()
