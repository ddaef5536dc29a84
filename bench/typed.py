"""What a typed surface costs: parsing, SymPy's derivatives and the numerical minimizers,
against the built-in surface's grid in the same run.

    python bench/typed.py [--repeat 3]

Each formula is built from scratch (the cache cleared) over its domain; then a race of
Adam × 1,000 steps on the typed Rosenbrock against the built-in one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import best_time  # noqa: E402  (bench/core.py's)

import optim_core  # noqa: E402
import surfaces  # noqa: E402
import viz  # noqa: E402
from surfaces import expression  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_expression import HOSTILE  # noqa: E402  (the tests' list: refused or harmless)

FORMULAS = {
    "(1 - x)^2 + 100*(y - x^2)^2": ((-2, 2), (-1, 3)),
    "x^2 + 3*sin(y)": ((-3, 3), (-3, 3)),
    "log(1 + x^2 + y^2)": ((-3, 3), (-3, 3)),
    "(x^2 + y - 11)^2 + (x + y^2 - 7)^2": ((-5, 5), (-5, 5)),
    "abs(x) + sqrt(y^2 + 1) * exp(-x^2/4)": ((-3, 3), (-3, 3)),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    grid = best_time(lambda: viz.surface_grid(surfaces.get("rosenbrock")), args.repeat)
    print(f"the built-in Rosenbrock's picture (121 x 121 grid, contours, PNG): {grid * 1e3:.0f} ms")
    print(f"{'formula':<40} {'parse':>8} {'surface':>9} {'ratio':>7}")
    for text, domain in FORMULAS.items():
        t_parse = best_time(lambda t=text: expression.parse(t), args.repeat)

        def build(t=text, d=domain):
            expression._surface.cache_clear()
            surfaces.from_expression(t, d)

        t_build = best_time(build, args.repeat)
        print(f"{text:<40} {t_parse * 1e3:>6.1f}ms {t_build * 1e3:>7.0f}ms {t_build / grid:>6.1f}x")
    slowest = []
    for text in HOSTILE:
        def attempt(t=text):
            expression._surface.cache_clear()
            try:
                surfaces.from_expression(t, ((-2, 2), (-2, 2)))
            except ValueError:
                pass

        slowest.append((best_time(attempt, 1), text))
    worst, text = max(slowest)
    print(f"\nthe slowest of {len(HOSTILE)} hostile or oversized formulas (refused or built): "
          f"{worst * 1e3:.0f} ms ({worst / grid:.1f}x the built-in picture): {text[:50]}")
    typed = surfaces.from_expression(*next(iter(FORMULAS.items())))
    built = surfaces.get("rosenbrock")
    t_typed = best_time(lambda: optim_core.run("adam", typed, (-1.5, 2.0), 1000), args.repeat)
    t_built = best_time(lambda: optim_core.run("adam", built, (-1.5, 2.0), 1000), args.repeat)
    print(f"\nAdam x 1,000 steps: typed Rosenbrock {t_typed * 1e3:.0f} ms, built-in "
          f"{t_built * 1e3:.0f} ms ({t_typed / t_built:.1f}x)")


if __name__ == "__main__":
    main()
