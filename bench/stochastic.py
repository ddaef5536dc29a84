"""What schedules, gradient noise and mini-batches cost: run times against the plain run,
measured in the same process.

    python bench/stochastic.py [--repeat 5]

Adam on the linear-regression data surface (40 examples), one start × 1,000 steps with
record="path" (the race) and 10,000 starts × 200 steps with record="final" (a map);
Rosenbrock for the schedule. Best of ``--repeat``; read the ratios.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import best_time  # noqa: E402  (bench/core.py's)

import optim_core  # noqa: E402
import surfaces  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data = surfaces.get("linear_regression")
    rng = np.random.default_rng(0)
    (x0, x1), (y0, y1) = data.domain
    many = np.column_stack([rng.uniform(x0, x1, 10_000), rng.uniform(y0, y1, 10_000)])
    one = data.default_start
    cases = {
        "full gradient": {},
        "batch 20": {"batch_size": 20},
        "batch 1": {"batch_size": 1},
        "noise η 0.01": {"noise_eta": 0.01},
        "batch 1 + noise": {"batch_size": 1, "noise_eta": 0.01},
    }
    print(f"Adam on linear_regression (n = {data.data.n}); best of {args.repeat}")
    print(f"{'':<18} {'1 start x 1,000':>16} {'ratio':>6} {'10k x 200':>10} {'ratio':>6}")
    base_one = base_many = None
    for label, kw in cases.items():
        t_one = best_time(lambda kw=kw: optim_core.run("adam", data, one, 1000, **kw),
                          args.repeat)  # fmt: skip
        t_many = best_time(lambda kw=kw: optim_core.run("adam", data, many, 200,
                                                        record="final", **kw),
                           max(1, args.repeat // 2))  # fmt: skip
        base_one, base_many = base_one or t_one, base_many or t_many
        print(f"{label:<18} {t_one * 1e3:>13.1f} ms {t_one / base_one:>5.2f}x"
              f" {t_many:>8.2f} s {t_many / base_many:>5.2f}x")  # fmt: skip
    rosen = surfaces.get("rosenbrock")
    cosine = optim_core.schedule("cosine", period=1000, floor=0.0)
    t_plain = best_time(lambda: optim_core.run("adam", rosen, rosen.default_start, 1000),
                        args.repeat)  # fmt: skip
    t_sched = best_time(lambda: optim_core.run("adam", rosen, rosen.default_start, 1000,
                                               schedule=cosine), args.repeat)  # fmt: skip
    print(f"\nAdam on Rosenbrock, 1 start x 1,000 steps: {t_plain * 1e3:.1f} ms plain, "
          f"{t_sched * 1e3:.1f} ms with a cosine schedule ({t_sched / t_plain:.2f}x)")


if __name__ == "__main__":
    main()
