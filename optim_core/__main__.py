"""A comparison table in the terminal: ``python -m optim_core [surface] [--steps N]``."""

from __future__ import annotations

import argparse

import surfaces

from . import optimizer_names, run


def table(surface_name: str, steps: int, start=None) -> str:
    surface = surfaces.get(surface_name)
    start = surface.default_start if start is None else start
    lines = [
        f"{surface.title}: {steps} steps from ({start[0]:g}, {start[1]:g}), "
        "default hyperparameters",
        f"{'optimizer':<18} {'final loss':>12} {'distance':>10} {'converged':>10} {'diverged':>9}",
    ]
    for name in optimizer_names():
        traj = run(name, surface, start, steps, record="final")

        def step(value):
            return "-" if value < 0 else str(int(value))

        lines.append(
            f"{name:<18} {float(traj.final_loss):>12.4g}"
            f" {float(traj.distance_to_minimizer()):>10.4g}"
            f" {step(traj.converged_step):>10} {step(traj.diverged_step):>9}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m optim_core", description=__doc__)
    parser.add_argument("surface", nargs="?", default="rosenbrock", choices=surfaces.names())
    parser.add_argument("--steps", type=int, default=1000)
    args = parser.parse_args()
    print(table(args.surface, args.steps))


if __name__ == "__main__":
    main()
