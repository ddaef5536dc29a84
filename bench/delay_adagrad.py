"""What delay-tolerant AdaGrad costs: optim_core.delay_tolerant's three forms against
optim_core.run("adagrad", delay=τ) (the runner's hand-written in-place AdaGrad), in the
same process, and what the section of the Workers page waits for.

    python bench/delay_adagrad.py [--repeat 5]

Rosenbrock: one start × 2,000 steps with record="path" (the section's race) and 10,000
starts × 200 steps with record="final" (a batch), at τ = 4 and at a random τ up to 16;
then the section's stability probe (2 forms × 4 delays × 17 α's, 500 steps). Best of
``--repeat``; read the ratios.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import best_time  # noqa: E402  (bench/core.py's)

import optim_core  # noqa: E402
import surfaces  # noqa: E402
from optim_core import delay_tolerant as dt  # noqa: E402
from scenes.delay_adagrad import DT_STABILITY_ALPHAS, DT_STABILITY_TAUS  # noqa: E402


def _case(surf, start, steps, record, delays, label, repeat) -> None:
    """One case: the runner's AdaGrad, then each form, the ratios against it."""
    base = best_time(lambda: optim_core.run("adagrad", surf, start, steps, lr=0.5,
                                            record=record, **delays), repeat)  # fmt: skip
    print(f"{delays}, {label}: optim_core.run('adagrad') {base * 1e3:.1f} ms")
    for form in dt.FORMS:
        took = best_time(lambda form=form: dt.run_delay_tolerant(
            surf, start, steps, form=form, lr=0.5, record=record, **delays), repeat)
        print(f"    {form:12s} {took * 1e3:8.1f} ms   ×{took / base:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    surf = surfaces.get("rosenbrock")
    rng = np.random.default_rng(0)
    (x0, x1), (y0, y1) = surf.domain
    many = np.column_stack([rng.uniform(x0, x1, 10_000), rng.uniform(y0, y1, 10_000)])
    one = surf.default_start
    for delays in ({"delay": 4}, {"delay_max": 16, "seed": 0}):
        for label, start, steps, record in (("1 start × 2,000 steps, path", one, 2000, "path"),
                                            ("10,000 starts × 200 steps, final", many, 200,
                                             "final")):  # fmt: skip
            _case(surf, start, steps, record, delays, label, args.repeat)
    began = time.perf_counter()
    dt.stability(surf, one, 500, DT_STABILITY_TAUS, DT_STABILITY_ALPHAS)
    print(f"the section's stability probe (2 forms × {len(DT_STABILITY_TAUS)} τ × "
          f"{len(DT_STABILITY_ALPHAS)} α, 500 steps): {time.perf_counter() - began:.2f} s, once")


if __name__ == "__main__":
    main()
