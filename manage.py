#!/usr/bin/env python
"""Developer convenience; the installed entry point is the `fangfan` command."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from fangfan.__main__ import main  # noqa: E402

if __name__ == "__main__":
    main()
