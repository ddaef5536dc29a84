"""The largest α at which each optimizer still trains, with and without batch
normalization: the effect the seeds claim ("this allows the use of a larger learning
rate"), measured.

    python bench/batchnorm.py [--steps 300] [--batch 32] [--max 10] [--data digits moons]

For every optimizer the Real network page offers with an α (those it would refuse on
the net are left out: Newton's exact Hessian above D = 400, BFGS above D = 600, the line
searches with mini-batches; and Newton's methods everywhere, a Hessian a step for every
α: app_pages.network_work.stable_names), one ``optim_core.sweep`` over the page's α slider values
from 10⁻³ to ``--max`` (the slider stops at 10; above it, the log grid's 1-2-3-5 steps
on), from the page's seeded initialization, on the page's default net (64-16-10 tanh on
the digits, seed 0) and on the two moons (2-16-2 tanh), each without and with batch
normalization, at the full batch and at ``--batch``. A setting *trains* when its final
training loss is finite, not above its start (the runner's divergence rule for a
network) and at most half the start's (app_pages.network_work.TRAINS_FRACTION). Prints,
per optimizer, the largest α that trains without and with batch normalization, the
first α above it that does not, and their ratio (on one BLAS thread, as the page runs).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import optim_core  # noqa: E402
import scenes  # noqa: E402
from app_pages import network_work as work  # noqa: E402
from scenes.shared import log_grid  # noqa: E402


def _words(value: float | None) -> str:
    return "none" if value is None else f"{value:g}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--max", type=float, default=10.0, help="the largest α tried")
    parser.add_argument("--data", nargs="+", default=["digits", "moons"])
    args = parser.parse_args()
    values = np.array([v for v in log_grid(1e-3, max(args.max, 10.0), (1, 2, 3, 5))
                       if v <= args.max * (1 + 1e-9)])  # fmt: skip
    names = [n for n in optim_core.optimizer_names()
             if "lr" in optim_core.get_optimizer(n).hyperparams]  # fmt: skip
    print(f"{args.steps} steps, α over {len(values)} values {values[0]:g} … {values[-1]:g}; "
          f"trains: final loss finite, not above the start's, ≤ "
          f"{work.TRAINS_FRACTION:.0%} of it")
    began = time.perf_counter()
    for data in args.data:
        for batch in (0, args.batch):
            scene = scenes.NetworkScene(data=data, steps=args.steps, batch=batch,
                                        optimizers=tuple(names))  # fmt: skip
            net = work.network_of(scene)
            print(f"\n{net.title} (D = {net.D:,} without BN), "
                  f"{'full batch' if not batch else f'batches of {batch}'}")
            print(f"  {'optimizer':<16} {'no BN':>7} {'fails':>7}   {'BN':>7} {'fails':>7}   "
                  f"{'BN/no BN':>8}")
            for name in work.stable_names(scene):
                t = time.perf_counter()
                plain, bn = (work.stable_alpha(scene, name, flag, values=values)
                             for flag in (False, True))  # fmt: skip
                a, b = plain.largest, bn.largest
                ratio = work.ratio_words(a, b, float(values[-1]))  # ≥: BN's at the top
                print(f"  {optim_core.get_optimizer(name).title:<16} {_words(a):>7} "
                      f"{_words(plain.blew_up):>7}   {_words(b):>7} {_words(bn.blew_up):>7}   "
                      f"{ratio:>8}   ({time.perf_counter() - t:.1f} s)", flush=True)
    print(f"\n{time.perf_counter() - began:.0f} s in all")


if __name__ == "__main__":
    main()
