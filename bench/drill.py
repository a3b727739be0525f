"""How long the default drill takes, and how much of it is the drill's own setup.

Runs every scenario on the embedded emulator; the peer in the same run is the drill's setup
(provisioning the stack and seeding the victim), so the ratio shows what responding and verifying
cost on top of preparing the account. Target: the whole drill in under a minute on two cores.

    python -m bench.drill
"""

from __future__ import annotations

import logging
import tempfile
import time
import warnings
from pathlib import Path

from prewire.drill.options import DrillOptions
from prewire.drill.runner import run_drill
from prewire.drill.timeline import SETUP_STEPS


def main() -> None:
    # The responders' warnings (what the emulator lacks) are the report's, not the benchmark's.
    logging.getLogger().setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="You are using a Python version")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        result = run_drill(DrillOptions(report_dir=Path(directory)))
    total = time.perf_counter() - started
    setup_rows = [row for row in result.report.rows if row.label in SETUP_STEPS]
    if not setup_rows:
        raise SystemExit("the drill's report has no setup steps: bench/drill.py is out of date")
    setup = sum(row.seconds or 0.0 for row in setup_rows)
    print(
        f"drill {result.drill_id}: {'ok' if result.ok else 'FAILED'}, {total:.1f} s in all "
        f"({'within' if total < 60 else 'OVER'} the 60 s target)"
    )
    print(
        f"  setup (provision + seed): {setup:.1f} s; everything else: {total - setup:.1f} s "
        f"= {(total - setup) / setup:.1f}x the setup"
    )
    for metric in result.report.metrics:
        print(
            f"  {metric.group}: containment {_seconds(metric.time_to_containment)}, "
            f"first evidence {_seconds(metric.time_to_evidence)}"
        )


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


if __name__ == "__main__":
    main()
