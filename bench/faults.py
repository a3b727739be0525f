"""The fault campaign at scale: several seeds on every cloud, printing what was injected and
what survived (prewire/drill/faults.py). The peer, in the same run, is the same campaign with no
fault injected, so the ratio shows what the bad night cost in runs and time.

    python -m bench.faults [--seeds 5] [--share 0.25]
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings
from collections import Counter

from prewire.core.vocabulary import Cloud
from prewire.drill.faults import campaign


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--share", type=float, default=0.25)
    args = parser.parse_args()
    logging.getLogger().setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="You are using a Python version")
    for cloud in (Cloud.AWS, Cloud.AZURE, Cloud.GCP):
        started = time.perf_counter()
        calm = campaign(cloud, seed=0, share=0.0, kills=0)
        calm_seconds = time.perf_counter() - started
        injected: Counter[str] = Counter()
        runs = kills = survived = 0
        problems: list[str] = []
        started = time.perf_counter()
        for seed in range(1, args.seeds + 1):
            result = campaign(cloud, seed=seed, share=args.share, kills=2)
            injected.update(result.injected)
            runs += len(result.runs)
            kills += sum(run.exit_code is None for run in result.runs)
            survived += not result.problems
            problems += [f"seed {seed}: {p}" for p in result.problems]
        stormy = (time.perf_counter() - started) / args.seeds
        print(
            f"{cloud.value}: {survived}/{args.seeds} campaigns held; {sum(injected.values())} "
            f"faults ({', '.join(f'{k} {v}' for k, v in sorted(injected.items()))}); "
            f"{kills} SIGKILLs; {runs / args.seeds:.1f} runs per campaign against "
            f"{len(calm.runs)} without faults; {stormy / calm_seconds:.1f}x the time"
        )
        for problem in problems:
            print(f"  {problem}")


if __name__ == "__main__":
    main()
