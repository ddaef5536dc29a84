"""What the training practices cost: the batch orders, a validation split, the plateau
schedule and early stopping in the core; the batch contour in the race's data and in
the browser's Play. Ratios against the plain run, measured in the same process.

    python bench/practice.py [--repeat 5] [--browser]

SGD on the logistic-regression data surface (40 examples, α 1), one start × 1,000
steps in batches of 5 (the race's shape). ``--browser`` also plays the race in
headless Chromium for 6 s with the batch's lines (batches of 5) and without them (the
full batch), each twice in alternation, and counts the frames drawn.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import best_time, play_rate  # noqa: E402  (bench/core.py's)

import optim_core  # noqa: E402
import surfaces  # noqa: E402
import viz  # noqa: E402


def core(repeat: int) -> None:
    plain = surfaces.get("logistic_regression")
    held = surfaces.get("logistic_regression", val=0.25)
    start = plain.default_start
    cases = {
        "reshuffled (baseline)": (plain, {}),
        "one fixed shuffle": (plain, {"order": "fixed"}),
        "sorted": (plain, {"order": "sorted"}),
        "curriculum": (plain, {"order": "curriculum"}),
        "mixed": (plain, {"order": "mixed"}),
        "val 0.25 (its loss on the path)": (held, {}),
        "plateau on the training loss": (plain, {"schedule": optim_core.schedule("plateau")}),
        "plateau on the validation loss": (
            held, {"schedule": optim_core.schedule("plateau", monitor="validation")}),
    }  # fmt: skip
    print(f"SGD on logistic_regression, batches of 5, 1 start x 1,000 steps; best of {repeat}")
    optim_core.run("sgd", plain, start, 1000, lr=1.0, batch_size=5)  # (warm: the first pays)
    base = None
    for label, (surface, kw) in cases.items():
        t = best_time(lambda s=surface, kw=kw: optim_core.run(
            "sgd", s, start, 1000, lr=1.0, batch_size=5, **kw), repeat)  # fmt: skip
        base = base or t
        print(f"  {label:<34} {t * 1e3:7.1f} ms  {t / base:5.2f}x")
    losses = np.random.default_rng(0).normal(1, 0.1, (2001, 1000)).cumsum(axis=0)
    t = best_time(lambda: optim_core.early_stopping(losses, 50, 0.001), repeat)
    print(f"  early_stopping on 1,000 runs x 2,001 steps: {t * 1e3:.1f} ms")


def view_data() -> None:
    shape = surfaces.get("logistic_regression")
    for steps in (300, 2000):
        sizes = {}
        for label, batch in (("full batch", None), ("batches of 5", 5)):
            runs = [viz.Run(n, n, optim_core.run(n, shape, shape.default_start, steps,
                                                 lr=0.5, batch_size=batch))
                    for n in ("sgd", "adam")]  # fmt: skip
            began = time.perf_counter()
            data = viz.race_runs(shape, runs)
            took = time.perf_counter() - began
            sizes[label] = (len(json.dumps(data)), took)
        (full, t0), (batched, t1) = sizes["full batch"], sizes["batches of 5"]
        print(f"  race data, 2 runs x {steps:,} steps: full batch {full / 1e3:.0f} kB "
              f"({t0 * 1e3:.0f} ms), batches of 5 {batched / 1e3:.0f} kB ({t1 * 1e3:.0f} ms): "
              f"{batched / full:.1f}x the bytes, {t1 / t0:.1f}x the time")  # fmt: skip


def browser() -> None:
    from playwright.sync_api import sync_playwright

    from tests.test_browser import ARGS, CHROMIUM, DRAWN_JS, start_app

    proc, url = start_app()
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            cases = (("full batch (no batch lines)", 40), ("batches of 5 (batch lines)", 5))
            for label, batch in cases + cases[::-1]:  # (each twice, in both orders)
                page = b.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{url}/?surface=logistic_regression&opt=sgd,adam&steps=2000"
                          f"&batch={batch}&sgd.lr=0.5&adam.lr=0.05")
                page.wait_for_function(DRAWN_JS, timeout=240_000)
                page.wait_for_timeout(3000)
                rate = play_rate(page)
                print(f"  Play for 6 s, {label}: {rate * 6:.0f} frames ({rate:.1f} a second; "
                      "20 asked for)")
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
    view_data()
    if args.browser:
        browser()


if __name__ == "__main__":
    main()
