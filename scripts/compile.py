"""Compile the parsing core with mypyc into a self-contained tree that PYTHONPATH puts first.

    python scripts/compile.py [--out build/compiled] [--force]

The tree is a copy of service/, schemas/ and prompts/ with C extensions beside the modules listed
under [tool.nianbao] compiled-modules in pyproject.toml. It is rebuilt only when those sources change
(a hash stamp), so scripts/run.sh can call this on every start. Exit status 1 (and the reason on
stderr) when it cannot be built, e.g. no C compiler: the service then runs as plain Python.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TREES = ("service", "schemas", "prompts")


def modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return list(config["tool"]["nianbao"]["compiled-modules"])


def stamp() -> str:
    h = hashlib.sha256(sys.version.encode())
    for tree in TREES:
        for path in sorted((ROOT / tree).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".so", ".pyc"):
                h.update(str(path.relative_to(ROOT)).encode())
                h.update(path.read_bytes())
    h.update("\n".join(modules()).encode())
    return h.hexdigest()


def build(out: Path) -> None:
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for tree in TREES:
        shutil.copytree(ROOT / tree, tmp / tree, ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyc"))
    mypyc = shutil.which("mypyc", path=str(Path(sys.executable).parent)) or "mypyc"
    env = {**os.environ, "MYPYC_OPT_LEVEL": "3"}
    config = str(ROOT / "pyproject.toml")  # the mypy settings, wherever the tree is built
    done = subprocess.run(
        [mypyc, "--config-file", config, *modules()], cwd=tmp, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise RuntimeError(f"mypyc failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    shutil.rmtree(tmp / "build", ignore_errors=True)
    (tmp / ".stamp").write_text(stamp())
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "compiled")
    parser.add_argument("--force", action="store_true", help="rebuild even when the stamp matches")
    args = parser.parse_args()
    out = args.out.resolve()
    if not args.force and (out / ".stamp").is_file() and (out / ".stamp").read_text() == stamp():
        return 0
    if shutil.which(os.environ.get("CC", "cc")) is None and shutil.which("gcc") is None:
        print("compile: no C compiler found; the service runs as plain Python", file=sys.stderr)
        return 1
    try:
        build(out)
    except (RuntimeError, OSError) as exc:
        print(f"compile: {exc}\nthe service runs as plain Python", file=sys.stderr)
        return 1
    print(f"compile: {len(modules())} modules compiled into {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
