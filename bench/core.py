"""Speed of the optimizer core: particle-steps per second, against a naive baseline.

    python bench/core.py [--steps 200] [--repeat 5]

The baseline is what one would write without vectorizing: a Python loop over start
points, each run on its own (``optim_core.run`` with one start), measured in the same
process on a sample of starts. Figures are the best of ``--repeat`` runs; the machine
is noisy, so read the ratios rather than the absolute numbers.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import optim_core  # noqa: E402
import surfaces  # noqa: E402


def best_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


PLAY_FRAMES_JS = "() => +document.querySelector('.race-view').dataset.frames || 0"


def play_rate(page, seconds: float = 6.0) -> float:
    """Press Play on a drawn race view and count the steps it draws for ``seconds``:
    steps a second."""
    before = page.evaluate(PLAY_FRAMES_JS)
    page.click(".race-play")
    page.wait_for_timeout(seconds * 1000)
    return (page.evaluate(PLAY_FRAMES_JS) - before) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--single-steps", type=int, default=1000)
    parser.add_argument("--starts", type=int, default=10_000)
    parser.add_argument("--naive-starts", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    surface = surfaces.get("rosenbrock")
    rng = np.random.default_rng(0)
    (x0, x1), (y0, y1) = surface.domain
    starts = np.column_stack([rng.uniform(x0, x1, args.starts), rng.uniform(y0, y1, args.starts)])
    single = surface.default_start
    steps = args.steps

    print(
        f"Rosenbrock; N=1 columns: {args.single_steps} steps with record='path'; "
        f"N={args.starts} columns: {steps} steps; best of {args.repeat}"
    )
    header = (
        f"{'optimizer':<10} {'N=1 µs/step':>12} {'N=1 path':>10}"
        f" {'N=10k final':>12} {'N=10k path':>11} {'naive loop':>11} {'final/naive':>12}"
    )
    print(header)
    print("-" * len(header))
    for name in optim_core.optimizer_names():
        t_one = best_time(
            lambda n=name: optim_core.run(n, surface, single, args.single_steps), args.repeat
        )
        t_final = best_time(
            lambda n=name: optim_core.run(n, surface, starts, steps, record="final"),
            args.repeat,
        )
        t_path = best_time(
            lambda n=name: optim_core.run(n, surface, starts, steps, record="path"),
            max(1, args.repeat // 2),
        )
        sample = starts[: args.naive_starts]

        def naive(n=name, sample=sample):
            for point in sample:
                optim_core.run(n, surface, point, steps, record="final")

        t_naive = best_time(naive, max(1, args.repeat // 2))
        rate_final = args.starts * steps / t_final
        rate_naive = len(sample) * steps / t_naive
        print(
            f"{name:<10} {t_one / args.single_steps * 1e6:>12.1f}"
            f" {args.single_steps / t_one / 1e3:>9.0f}k"
            f" {rate_final / 1e6:>11.1f}M {args.starts * steps / t_path / 1e6:>10.1f}M"
            f" {rate_naive / 1e3:>10.0f}k {rate_final / rate_naive:>11.0f}x"
        )

    t_all = best_time(
        lambda: [optim_core.run(n, surface, single, 1000) for n in optim_core.optimizer_names()],
        args.repeat,
    )
    print(
        f"\nall {len(optim_core.optimizer_names())} optimizers x 1,000 steps from one start "
        f"(record='path'): {t_all * 1e3:.0f} ms"
    )
    c_loop(args.starts, steps, args.repeat)


def c_loop(n: int, steps: int, repeat: int) -> None:
    """Adam on Rosenbrock, N starts, record="final" against bench/adam_rosenbrock.c compiled
    with the system's cc -O3: the same work per particle-step in a plain C loop."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        print("\nno C compiler: the C baseline is skipped")
        return
    source = Path(__file__).with_name("adam_rosenbrock.c")
    rng = np.random.default_rng(0)  # the starts of the table above, in both loops
    starts = np.column_stack([rng.uniform(-2, 2, n), rng.uniform(-1, 3, n)])
    with tempfile.TemporaryDirectory() as tmp:
        binary, points = Path(tmp) / "adam_rosenbrock", Path(tmp) / "starts.f64"
        subprocess.run([cc, "-O3", "-o", str(binary), str(source), "-lm"], check=True)
        starts.tofile(points)
        t_c = min(
            float(subprocess.run([str(binary), str(n), str(steps), str(points)],
                                 capture_output=True, text=True, check=True).stdout.split()[0])
            for _ in range(repeat)
        )  # fmt: skip
    t_np = best_time(lambda: optim_core.run("adam", "rosenbrock", starts, steps,
                                            record="final"), repeat)  # fmt: skip
    print(
        f"\nAdam, N = {n:,}, {steps} steps, record='final': NumPy {n * steps / t_np / 1e6:.1f} M "
        f"particle-steps/s, C -O3 loop {n * steps / t_c / 1e6:.1f} M/s: "
        f"{t_c / t_np:.2f}x the C loop (goal >= 0.8x)"
    )


if __name__ == "__main__":
    main()
