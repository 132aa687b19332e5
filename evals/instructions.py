"""Instructions per extraction (valgrind's callgrind): a cost figure that does not move with the machine's load.

    python -m evals.instructions [--rounds 4] [--corpus evals/corpus]

Wall-clock timings on a shared VM swing by 20-40% from one minute to the next, which hides a 5% change.
Counting instructions is deterministic: this runs the mypyc-compiled build (scripts/compile.py) under
callgrind, counting only inside `draft_bytes` and `Draft.to_json` (what a worker does for one request),
over every corpus report `--rounds` times (the first round included), and prints instructions per report. Needs
valgrind (Debian package `valgrind`); takes about a minute.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# What the traced process runs: GC settled as in a worker, then the rounds (every one counted: callgrind
# counts inside the functions whenever they run, so the first round's one-time costs are in the figure).
_DRIVER = """
import gc, sys
from pathlib import Path
from service import pipeline
assert pipeline.compiled(), "not the compiled build"
files = [p for p in sorted(Path(sys.argv[1]).iterdir()) if p.suffix in (".txt", ".html")]
reports = [(p.read_bytes(), p.name) for p in files]
gc.collect(); gc.freeze(); gc.set_threshold(10_000, 20, 20)
for _ in range(int(sys.argv[2])):
    for data, name in reports:
        pipeline.draft_bytes(data, name).to_json()
print(len(reports))
"""
# the compiled functions whose execution is counted (mypyc's C names)
_COUNTED = ("CPyDef_pipeline___draft_bytes", "CPyDef_draft___Draft___to_json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--corpus", type=Path, default=ROOT / "evals" / "corpus")
    args = parser.parse_args()
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    if subprocess.run([sys.executable, str(ROOT / "scripts" / "compile.py")], check=False).returncode != 0:
        sys.exit("the compiled build could not be made")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "build" / "compiled")}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        cmd = [
            valgrind,
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            "--collect-atstart=no",
            *(f"--toggle-collect={name}" for name in _COUNTED),
            sys.executable,
            "-c",
            _DRIVER,
            str(args.corpus.resolve()),
            str(args.rounds),
        ]
        # run from elsewhere: a script given with -c puts the working directory first on sys.path, and the
        # repository's plain-Python modules would shadow the compiled build
        run = subprocess.run(cmd, env=env, cwd=tmp, capture_output=True, text=True, check=False)
        if run.returncode != 0:
            sys.exit(f"the traced run failed:\n{run.stderr[-2000:]}")
        reports = int(run.stdout.split()[-1])
        found = re.search(r"^(?:summary|totals): (\d+)", out.read_text(), re.M)
        if found is None:
            sys.exit("callgrind wrote no totals")
    jobs = reports * args.rounds
    print(
        f"{int(found.group(1)) / jobs / 1e6:.2f}M instructions per report ({jobs} extractions: {args.rounds} rounds "
        f"of {reports} corpus reports, compiled build, draft_bytes + to_json)"
    )


if __name__ == "__main__":
    main()
