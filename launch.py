#!/usr/bin/env python3
"""BotStudio's one entry point: `python launch.py [--help]`."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _venv_python() -> Path | None:
    for candidate in (ROOT / ".venv/bin/python", ROOT / ".venv/Scripts/python.exe"):
        if candidate.exists():
            return candidate
    return None


if __name__ == "__main__":
    # Run inside the project's virtual environment even when started with another Python.
    venv = _venv_python()
    if venv and Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        os.execv(str(venv), [str(venv), str(Path(__file__).resolve()), *sys.argv[1:]])
    sys.path.insert(0, str(ROOT))
    from runtime.cli import main

    sys.exit(main())
