"""What fair tuning costs: ten optimizers × 60 α × 1,000 steps on Rosenbrock, each
objective (the issue's budget: ≤ 1 s), against the same α's as a plain sweep
(optim_core.sweep: no objective watched) in the same run.

    python bench/tuning.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import best_time  # noqa: E402  (bench/core.py's)

import optim_core  # noqa: E402

NAMES = ["sgd", "momentum", "nag", "adagrad", "rmsprop", "adam", "adamax", "nadam", "amsgrad",
         "radam"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    alphas, start = np.geomspace(1e-4, 10, 60), (-1.5, 2.0)
    base = best_time(lambda: [optim_core.sweep(n, "rosenbrock", start, 1000, {"lr": alphas})
                              for n in NAMES], args.repeat)  # fmt: skip
    print(f"ten optimizers × 60 α × 1,000 steps, a plain sweep (baseline): {base:.2f} s")
    for objective in optim_core.tuning.OBJECTIVES:
        t = best_time(lambda o=objective: optim_core.tune_all(
            NAMES, "rosenbrock", start, 1000, alphas=alphas, objective=o), args.repeat)
        print(f"  tune, objective {objective!r}: {t:.2f} s ({t / base:.2f}×)")
    t = best_time(lambda: optim_core.tune_all(
        NAMES, "rosenbrock", None, 1000, alphas=alphas,
        starts=np.array([start, (-1.2, 2.0), (-1.5, 2.3), (-1.8, 1.7)])), args.repeat)
    print(f"  tune over four starts: {t:.2f} s ({t / base:.2f}×)")


if __name__ == "__main__":
    main()
