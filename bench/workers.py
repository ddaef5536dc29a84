"""What the simulated workers cost: run_workers against serial SGD with the same
gradients, how the time grows with K (the workers are one batch), and in the browser
the Workers page's race (K + 1 paths) against the race page's, in the same run.

    python bench/workers.py [--repeat 5] [--browser]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import best_time, play_rate  # noqa: E402  (bench/core.py's)

import optim_core  # noqa: E402
import surfaces  # noqa: E402


def _check(run) -> None:  # a run that stops early would time less than the work
    assert not run.diverged, f"{run.scheme} diverged at step {run.diverged_step}"


def core(repeat: int) -> None:
    data, hill = surfaces.get("linear_regression"), surfaces.get("himmelblau")
    start = data.starts[0]
    print("300 steps × 8 workers (2,400 gradients; none of these runs diverges):")
    serial = best_time(lambda: optim_core.run("sgd", data, start, 2400, lr=0.01,
                                              batch_size=5), repeat)  # fmt: skip
    print(f"  serial SGD, 2,400 steps in batches of 5 (baseline): {serial * 1e3:.1f} ms")
    for scheme, options in (("downpour", {"push": 2, "fetch": 2}), ("easgd", {}),
                            ("eamsgd", {})):  # fmt: skip
        t = best_time(lambda s=scheme, o=options: optim_core.run_workers(
            s, data, start, 300, workers=8, lr=0.01, batch_size=5, **o),
                      repeat)  # fmt: skip
        _check(optim_core.run_workers(scheme, data, start, 300, workers=8, lr=0.01,
                                      batch_size=5, **options))  # fmt: skip
        print(f"  {scheme}, each worker's own batches of 5: {t * 1e3:.1f} ms "
              f"({t / serial:.2f}×)")
    plain = best_time(lambda: optim_core.run("sgd", hill, (0.0, 0.0), 2400, lr=0.002,
                                             noise_eta=0.5), repeat)  # fmt: skip
    print(f"  serial SGD on Himmelblau with noise, α 0.002, 2,400 steps (baseline): "
          f"{plain * 1e3:.1f} ms")
    for scheme in ("downpour", "easgd"):
        t = best_time(lambda s=scheme: optim_core.run_workers(
            s, hill, (0.0, 0.0), 300, workers=8, lr=0.002, rho=1.0, noise_eta=0.5),
                      repeat)  # fmt: skip
        _check(optim_core.run_workers(scheme, hill, (0.0, 0.0), 300, workers=8, lr=0.002,
                                      rho=1.0, noise_eta=0.5))  # fmt: skip
        print(f"  {scheme}, each worker's own noise: {t * 1e3:.1f} ms ({t / plain:.2f}×)")
    print("EASGD on Himmelblau, 1,000 steps, time against K (one batch of K points):")
    one = best_time(lambda: optim_core.run_workers("easgd", hill, (0.0, 0.0), 1000, workers=1,
                                                   lr=0.01), repeat)  # fmt: skip
    for K in (1, 4, 16):
        t = best_time(lambda k=K: optim_core.run_workers("easgd", hill, (0.0, 0.0), 1000,
                                                       workers=k, lr=0.01, rho=1.0), repeat)
        print(f"  K = {K:2d}: {t * 1e3:.1f} ms ({t / one:.2f}× K = 1)")


def browser() -> None:
    from playwright.sync_api import sync_playwright

    from tests.test_browser import ARGS, CHROMIUM, DRAWN_JS, start_app

    proc, url = start_app()
    pages = (("race page, SGD and Adam (baseline)",
              "/?surface=linear_regression&opt=sgd,adam&steps=300&batch=5"),
             ("Workers page, 8 workers + the server", "/workers"))  # fmt: skip
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for label, path in pages + pages:  # each twice, alternately
                page = b.new_page(viewport={"width": 1400, "height": 1000})
                t0 = time.perf_counter()
                page.goto(url + path)
                page.wait_for_function(DRAWN_JS, timeout=240_000)
                drawn = time.perf_counter() - t0
                page.wait_for_timeout(2000)
                print(f"  {label}: drawn {drawn:.1f} s after opening; Play "
                      f"{play_rate(page):.1f} steps a second (20 asked for)")
                page.close()
            b.close()
    finally:
        proc.terminate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--browser", action="store_true")
    args = parser.parse_args()
    core(args.repeat)
    if args.browser:
        browser()


if __name__ == "__main__":
    main()
