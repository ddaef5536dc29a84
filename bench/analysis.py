"""Speed of the analyses: basin maps, α sweeps and escape steps, against single runs.

    python bench/analysis.py [--repeat 3]

Each figure is the best of ``--repeat`` runs. The baseline, measured in the same run,
is the same work done as a Python loop of single ``optim_core.run`` calls on a sample,
scaled to the full size; read the ratios, the machine is noisy.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import best_time  # noqa: E402  (bench/core.py, beside this script)

import optim_core  # noqa: E402
import surfaces  # noqa: E402


def loop_time(name: str, surface: str, starts, steps: int, sample: int, **hp) -> float:
    """Seconds a Python loop of single runs would take for all ``starts`` (from a sample)."""
    t0 = time.perf_counter()
    for point in starts[:sample]:
        optim_core.run(name, surface, point, steps, record="final", **hp)
    return (time.perf_counter() - t0) * len(starts) / sample


def caps(names) -> None:
    """The basin map at the caps: 200 x 200 starts x 5,000 steps. The baseline, in the
    same run: the same steps with nothing to check (the surface without its minimizers),
    so the ratio is what the convergence test and the map's bookkeeping add."""
    print("\nBasin map at the caps, 200 x 200 x 5,000 steps on Himmelblau (goal 3-7 s)")
    himmelblau = surfaces.get("himmelblau")
    bare = dataclasses.replace(himmelblau, minimizers=np.empty((0, 2)))
    grid = np.stack(np.meshgrid(*(np.linspace(lo, hi, 200) for lo, hi in himmelblau.domain)),
                    -1).reshape(-1, 2)  # fmt: skip
    for name in names:
        t_cap = best_time(lambda n=name: optim_core.basin_map(n, himmelblau, 200, 5000), 1)
        t_bare = best_time(lambda n=name: optim_core.run(n, bare, grid, 5000, record="final"), 1)
        print(f"{name:<10} {t_cap:>6.2f} s; the steps alone {t_bare:.2f} s "
              f"({2e8 / t_bare / 1e6:.0f} M particle-steps/s); ratio {t_cap / t_bare:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--caps", nargs="*", default=["sgd", "adam"],
                        help="optimizers for the basin map at the caps")
    parser.add_argument("--only-caps", action="store_true")
    args = parser.parse_args()
    if args.only_caps:
        return caps(args.caps)

    print("Basin maps on Himmelblau, 100 x 100 = 10,000 starts x 500 steps (target <= 1 s)")
    print(f"{'optimizer':<10} {'map':>8} {'loop of single runs':>20} {'ratio':>7}")
    for name in optim_core.optimizer_names():
        t_map = best_time(lambda n=name: optim_core.basin_map(n, "himmelblau", 100, 500),
                          args.repeat)  # fmt: skip
        starts = np.random.default_rng(0).uniform(-5, 5, size=(10_000, 2))
        t_loop = loop_time(name, "himmelblau", starts, 500, 10)
        print(f"{name:<10} {t_map:>7.2f}s {t_loop:>19.0f}s {t_loop / t_map:>6.0f}x")

    t_big = best_time(lambda: optim_core.basin_map("adam", "himmelblau", 200, 1000), 1)
    print(f"\nBasin map 200 x 200 x 1,000 steps, Adam: {t_big:.2f} s (shown with a progress bar)")

    caps(args.caps)

    lrs = np.logspace(-5, 1, 60)
    start = (-1.5, 2.0)

    def all_sweeps():
        for name in optim_core.optimizer_names():
            # Adadelta has no α: its β₂ instead
            grid = {"beta2": np.linspace(0, 0.99, 60)} if name == "adadelta" else {"lr": lrs}
            optim_core.sweep(name, "rosenbrock", start, 1000, grid)

    t_sweeps = best_time(all_sweeps, args.repeat)
    t_loop = 0.0
    for name in optim_core.optimizer_names():
        hp = {} if name == "adadelta" else {"lr": 0.01}
        t_loop += loop_time(name, "rosenbrock", np.tile(start, (60, 1)), 1000, 3, **hp)
    print(
        f"\n60-value sweep (α; Adadelta: β₂) for all {len(optim_core.optimizer_names())} "
        "optimizers x 1,000 steps on "
        f"Rosenbrock: {t_sweeps:.2f} s (target <= 1 s); a loop of single runs: {t_loop:.1f} s "
        f"({t_loop / t_sweeps:.0f}x)"
    )

    sizes = np.logspace(-10, -1, 19)
    offsets = optim_core.offsets_along((0.0, 1.0), sizes)
    t_escape = best_time(
        lambda: [optim_core.escape_steps(n, "saddle", 0, offsets, 5000, 1.0,
                                         **({} if n == "adadelta" else {"lr": 0.01}))
                 for n in optim_core.optimizer_names()],
        args.repeat,
    )  # fmt: skip
    print(
        f"\nEscape steps on x² − y², 19 offsets 1e-10 … 1e-1, all "
        f"{len(optim_core.optimizer_names())} optimizers, α = 0.01 "
        f"(the saddle page's curve): {t_escape:.2f} s"
    )


if __name__ == "__main__":
    main()
