"""What Hogwild!'s simulation costs: run_hogwild against serial SGD (batch size 1, the
runner) with the same gradients, measured in the same process; and the measured
sparse-against-dense comparison.

    python bench/hogwild.py [--repeat 5]

The sparse regression (40 examples) at density 0 and 1, α 0.01, 4,000 gradients: K = 1,
2, 4, 8, 16 workers (4,000/K rounds) against 4,000 serial steps. Best of ``--repeat``;
read the ratios.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import best_time  # noqa: E402  (bench/core.py's)

import optim_core  # noqa: E402
import surfaces  # noqa: E402
from optim_core import hogwild  # noqa: E402

GRADIENTS, LR = 4000, 0.01


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{GRADIENTS:,} gradients at α {LR:g}, best of {args.repeat}")
    for density in (0.0, 1.0):
        surface = surfaces.get("sparse_regression", density=density)
        start = surface.default_start
        serial = best_time(lambda s=surface, x=start: optim_core.run(
            "sgd", s, x, GRADIENTS, lr=LR, batch_size=1, seed=0), args.repeat)
        print(f"\ndensity {density:g}: serial SGD (runner, batch 1) {serial * 1e3:.1f} ms")
        print(f"{'K':>3} {'rounds':>7} {'hogwild ms':>11} {'× serial':>9} {'conflicts':>10} "
              f"{'floor × serial':>15} {'to tol':>8} {'serial to tol':>14}")
        for K in (1, 2, 4, 8, 16):
            took = best_time(lambda s=surface, x=start, K=K: hogwild.run_hogwild(
                s, x, GRADIENTS // K, workers=K, lr=LR, seed=0), args.repeat)
            c = hogwild.compare(surface, start, GRADIENTS, workers=K, lr=LR)
            share = c.run.conflict_count / c.run.write_count
            print(f"{K:>3} {GRADIENTS // K:>7} {took * 1e3:>11.1f} {took / serial:>9.2f} "
                  f"{share:>10.0%} {c.floor_ratio:>15.2f} {c.to_tol:>8} {c.serial_to_tol:>14}")


if __name__ == "__main__":
    main()
