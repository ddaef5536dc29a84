"""The page's costs: server time per rerun, bytes sent, and load time in Chromium.

    python bench/app.py [--repeat 5] [--no-browser]

1. Server side, default view: the five runs, both figures and their JSON (what
   Streamlit sends), computed from scratch; next to the baseline of building the same
   figure through Plotly's validating constructor, measured in the same run. Also a
   whole warm AppTest rerun of the page (runs come from the cache).
2. Bytes of the race figure for the default view, and at 1,000 vs 2,000 steps.
3. Seconds from opening the page in headless Chromium until both plots are drawn.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import plotly.graph_objects as go  # noqa: E402
import plotly.io as pio  # noqa: E402

import optim_core  # noqa: E402
import scenes  # noqa: E402
import surfaces  # noqa: E402
import viz  # noqa: E402


def default_runs(scene: scenes.Scene, steps: int | None = None):
    surface = surfaces.get(scene.surface)
    return surface, [
        viz.Run(n, optim_core.get_optimizer(n).title,
                optim_core.run(n, surface, scene.start_point(), steps or scene.steps,
                               **scene.hyperparams(n)))
        for n in scene.optimizers
    ]  # fmt: skip


def full_rerun(scene):
    surface, runs = default_runs(scene)
    race = viz.race_figure(surface, runs, viz.surface_grid(surface))
    loss = viz.loss_figure(runs, surface)
    return pio.to_json(race, validate=False), pio.to_json(loss, validate=False)


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def server_side(repeat: int) -> None:
    scene = scenes.Scene()
    full_rerun(scene)  # warm imports and Plotly's validators
    t_best, t_median = best(lambda: full_rerun(scene), repeat)
    surface, runs = default_runs(scene)
    grid = viz.surface_grid(surface)
    fig = viz.race_figure(surface, runs, grid)
    t_fig, _ = best(lambda: viz.race_figure(surface, runs, grid), repeat)
    t_validated, _ = best(lambda: go.Figure(fig.to_dict()), max(1, repeat // 2))
    print("1. server side, default view (5 optimizers x 300 steps on Beale)")
    print(f"   runs + figures + JSON from scratch: best {t_best * 1e3:.0f} ms, "
          f"median {t_median * 1e3:.0f} ms (target <= 150 ms)")  # fmt: skip
    print(
        f"   race figure alone: {t_fig * 1e3:.0f} ms; through Plotly's validating "
        f"constructor: {t_validated * 1e3:.0f} ms ({t_validated / t_fig:.1f}x slower)"
    )

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    t_app, t_app_median = best(lambda: at.run(), repeat)
    print(
        f"   whole page rerun in AppTest (runs cached): best {t_app * 1e3:.0f} ms, "
        f"median {t_app_median * 1e3:.0f} ms"
    )


def sizes() -> None:
    scene = scenes.Scene()
    surface, runs = default_runs(scene)
    default_bytes = len(pio.to_json(viz.race_figure(surface, runs), validate=False))
    print("2. bytes of the race figure")
    print(f"   default view: {default_bytes / 1e6:.2f} MB (target <= 2 MB)")
    by_steps = {}
    for steps in (1000, 2000):
        surface, runs = default_runs(scene, steps)
        by_steps[steps] = len(pio.to_json(viz.race_figure(surface, runs), validate=False))
    ratio = by_steps[2000] / by_steps[1000]
    print(f"   1,000 steps: {by_steps[1000] / 1e6:.2f} MB; 2,000 steps: "
          f"{by_steps[2000] / 1e6:.2f} MB; ratio {ratio:.2f} (target <= 2.2)")  # fmt: skip


def browser_load(repeat: int) -> None:
    from tests.test_browser import STATE_JS

    drawn = (
        f"({STATE_JS})() && ({STATE_JS})().lines > 5 && ({STATE_JS})().scene[2] > 100"
        " && document.querySelectorAll('.js-plotly-plot .main-svg').length >= 4"
    )
    from bench.redraw import measure

    ours, _ = measure(ROOT / "app.py", None, repeat, drawn, redraw=False)
    base, _ = measure(ROOT / "bench" / "baseline_page.py", None, repeat,
                      "() => document.querySelector('.js-plotly-plot .main-svg') !== null",
                      redraw=False)  # fmt: skip
    ours_m, base_m = statistics.median(ours), statistics.median(base)
    print("3. page load until both plots are drawn, headless Chromium (software WebGL)")
    print(f"   this page: median {ours_m:.2f} s, best {min(ours):.2f} s (target <= 3 s)")
    print(
        f"   baseline, one tiny Plotly chart on a Streamlit page: median {base_m:.2f} s; "
        f"ratio {ours_m / base_m:.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    server_side(args.repeat)
    sizes()
    if not args.no_browser:
        browser_load(args.repeat)


if __name__ == "__main__":
    main()
