#!/usr/bin/env python3
"""Bootstrap and run Sujuva from a fresh checkout with nothing but Python 3.11+ and pip.

    python3 run.py start    # build the demo region into ./sujuva-data and serve the dashboard
    python3 run.py test     # lint, type-check and run the whole test suite
    python3 run.py bench    # run the benchmarks (compared with pm4py in the same run)
    python3 run.py sujuva ARGS...   # any sujuva command inside the project environment

Each step creates the project-local virtual environment ``.venv`` and installs what it needs
into it, once: a stamp remembers what was installed for which pyproject.toml.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"


def _run(*args: str | Path) -> None:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, check=False)
    if result.returncode != 0:
        sys.exit(result.returncode)


def _create_venv() -> None:
    if PYTHON.exists():
        return
    print(f"creating the virtual environment {VENV}", flush=True)
    done = subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=False)
    if done.returncode != 0:  # e.g. Debian without python3-venv: fall back to virtualenv
        _run(sys.executable, "-m", "pip", "install", "--user", "--quiet", "virtualenv")
        _run(sys.executable, "-m", "virtualenv", str(VENV))


def ensure_installed(extras: str = "") -> None:
    """Create .venv and install the package (with extras) unless already done for this pyproject."""
    if sys.version_info < (3, 11):
        sys.exit(f"Sujuva needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    _create_venv()
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".installed-{extras or 'base'}"
    if stamp.exists() and stamp.read_text().strip() == digest:
        return
    print(f"installing Sujuva{f' with {extras}' if extras else ''} into {VENV} (once)", flush=True)
    _run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    target = f".[{extras}]" if extras else "."
    _run(PYTHON, "-m", "pip", "install", "--quiet", "-e", target)
    stamp.write_text(digest)


def main(argv: list[str]) -> None:
    command = argv[0] if argv else "start"
    if command == "start":
        ensure_installed()
        _run(BIN / "sujuva", "start", *argv[1:])
    elif command == "test":
        ensure_installed("test")
        _run(BIN / "ruff", "check", "src", "tests", "benchmarks")
        _run(BIN / "mypy")
        _run(PYTHON, "-m", "pytest", *argv[1:])
    elif command == "bench":
        ensure_installed("test")
        _run(PYTHON, "-m", "benchmarks", *argv[1:])
    elif command == "sujuva":
        ensure_installed()
        _run(BIN / "sujuva", *argv[1:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
