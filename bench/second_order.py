"""Speed of the second-order family beside Adam, measured in the same run.

    python bench/second_order.py [--repeat 3]

BFGS, L-BFGS (m = 10), conjugate gradient, Gauss–Newton, Levenberg–Marquardt and SGD +
Armijo (α₀ = 1) on 10,000 starts x 200 steps of Rosenbrock (record="final"):
particle-steps per second beside Adam's on the same starts, and the evaluations of f
(of r, for Gauss–Newton and LM) and of the gradient (of J) per step that moved (from a
record="path" run on 1,000 of the starts); and a 100 x 100 basin map on Himmelblau
(goal <= 2 s).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import best_time  # noqa: E402  (bench/core.py, beside this script)

import optim_core  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    starts = np.column_stack([rng.uniform(-2, 2, 10_000), rng.uniform(-1, 3, 10_000)])
    work = len(starts) * 200
    t_adam = best_time(lambda: optim_core.run("adam", "rosenbrock", starts, 200,
                                              record="final"), args.repeat)  # fmt: skip
    print(f"Rosenbrock, 10,000 starts x 200 steps: Adam {work / t_adam / 1e6:.1f} M "
          "particle-steps/s")
    for name in ["bfgs", "lbfgs", "cg", "gauss_newton", "levenberg_marquardt", "sgd_armijo"]:
        t = best_time(lambda n=name: optim_core.run(n, "rosenbrock", starts, 200,
                                                    record="final"), args.repeat)  # fmt: skip
        path = optim_core.run(name, "rosenbrock", starts[:1000], 200)
        if name == "gauss_newton":  # one r and one J per step, every step moves
            print(f"  {name}: {work / t / 1e6:.2f} M particle-steps/s ({t / t_adam:.1f}x "
                  "Adam's time); one evaluation of r and of J per step")
            continue
        # the steps that moved (not the stays after a failure; LM: its accepted trials)
        moving = (path.state["accepted"][1:] > 0 if name == "levenberg_marquardt"
                  else path.state["alpha"][1:] > 0)  # fmt: skip
        f_per = path.state["f_evals"][1:][moving].mean()
        g_per = path.state["g_evals"][1:][moving].mean()
        print(f"  {name}: {work / t / 1e6:.2f} M particle-steps/s ({t / t_adam:.1f}x Adam's "
              f"time); per step that moved: {f_per:.2f} evaluations of f, "
              f"{g_per:.2f} of the gradient ({moving.mean():.0%} of the steps moved)")
        t_map = best_time(lambda n=name: optim_core.basin_map(n, "himmelblau", 100, 200),
                          args.repeat)  # fmt: skip
        print(f"  {name}: basin map 100 x 100 x 200 steps on Himmelblau {t_map:.2f} s "
              "(goal <= 2 s)")


if __name__ == "__main__":
    main()
