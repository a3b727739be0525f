"""How long `prewire check` takes on the kit's AWS stack, against checkov on the same graph.

Both run in this command: prewire as a fresh `prewire check` process (imports, rendering under
Pulumi mocks and every static rule, what a user waits for), and in-process (rendering and
checking only); checkov as its usual process over the Terraform plan JSON prewire exports from
the same rendered graph. Target: prewire's full check well under 5 seconds.

    python -m bench.check [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from policies.checkov_run import run_checkov_on
from policies.static.engine import evaluate
from policies.tfplan import export
from prewire.render import load_stack_config, render
from prewire.render.program import KIT_ROOT


def timed(action: object, repeat: int) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()  # type: ignore[operator]
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    config = load_stack_config(KIT_ROOT / "Pulumi.example-aws.yaml", "prewire")
    command = [sys.executable, "-m", "prewire.cli.main", "check", "--format", "json"]
    process_s, _ = timed(
        lambda: subprocess.run(command, capture_output=True, check=True), args.repeat
    )
    render(None, config)  # warm the imports once
    in_process_s, graph = timed(lambda: render(None, config), args.repeat)
    check_s, findings = timed(lambda: evaluate(graph), args.repeat)  # type: ignore[arg-type]
    plan, _ = export(graph)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as directory:
        plan_file = Path(directory) / "plan.json"
        plan_file.write_text(json.dumps(plan, default=str))
        checkov_s, _ = timed(lambda: run_checkov_on(plan_file), args.repeat)
    print(f"kit AWS stack: {len(graph)} resources, {len(findings)} findings")  # type: ignore[arg-type]
    print(f"prewire check (fresh process, imports included): {process_s:6.2f} s")
    print(f"  render under mocks (in process):               {in_process_s:6.2f} s")
    print(f"  static rules (in process):                     {check_s:6.3f} s")
    print(f"checkov on the same graph (its own process):     {checkov_s:6.2f} s")
    print(
        f"prewire check / checkov: {process_s / checkov_s:.2f}x the time "
        f"({'within' if process_s < 5 else 'OVER'} the 5 s target)"
    )


if __name__ == "__main__":
    main()
