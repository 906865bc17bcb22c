"""`psoas --help` start-up against importing Typer and Rich alone.

Target (issue 2): at most 2x, and `psoas --help` must import neither Django nor the
content. Runs both commands interleaved, several times, and compares medians.
Prints `cli_help_ratio: N` and the two medians.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 15


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    psoas = shutil.which("psoas", path=str(Path(sys.executable).parent)) or "psoas"
    base_cmd = [sys.executable, "-c", "import typer, rich"]
    help_cmd = [psoas, "--help"]
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.argv=['psoas','--help']\n"
            "from psoas.cli.app import app\n"
            "try:\n    app(prog_name='psoas')\nexcept SystemExit:\n    pass\n"
            "bad=[m for m in sys.modules if m.startswith(('django','yaml','psoas.core'))]\n"
            "print(','.join(bad), file=sys.stderr)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = check.stderr.strip()
    _time(base_cmd), _time(help_cmd)  # warm the file cache
    base, helps = [], []
    for _ in range(RUNS):
        base.append(_time(base_cmd))
        helps.append(_time(help_cmd))
    b, h = statistics.median(base), statistics.median(helps)
    print(f"import_typer_rich_ms: {1000 * b:.1f} ms")
    print(f"psoas_help_ms: {1000 * h:.1f} ms")
    print(f"cli_help_ratio: {h / b:.2f}")
    print(f"help_imports_content_or_django: {loaded or 'none'}")


if __name__ == "__main__":
    main()
