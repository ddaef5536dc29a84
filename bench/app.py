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
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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
    race = viz.race_view(surface, runs, viz.surface_grid(surface))
    steps = viz.step_length_figure(runs)
    return json.dumps(race.data()), pio.to_json(steps, validate=False)


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
    print("1. server side, default view (5 optimizers x 300 steps on Beale)")
    print(f"   runs + race view + step-length figure + JSON from scratch: best "
          f"{t_best * 1e3:.0f} ms, median {t_median * 1e3:.0f} ms")  # fmt: skip

    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import AppTest

    # AppTest compiles the page's scripts anew on every run; the server compiles them
    # once and keeps the bytecode: share one compiled copy, as the server does.
    compiled, get_bytecode = {}, ScriptCache.get_bytecode
    ScriptCache.get_bytecode = lambda cache, path: compiled.get(path) or compiled.setdefault(
        path, get_bytecode(cache, path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.run()  # the surface has been sent: what every later rerun sends
    t_app, t_app_median = best(lambda: at.run(), repeat)
    empty = AppTest.from_string("import streamlit as st\nst.write('x')", default_timeout=60)
    empty.run()
    t_empty, t_empty_median = best(lambda: empty.run(), repeat)
    print(f"   a rerun where nothing changed, whole race page in AppTest: best "
          f"{t_app * 1e3:.0f} ms, median {t_app_median * 1e3:.0f} ms; a one-line page in "
          f"AppTest: median {t_empty_median * 1e3:.0f} ms; difference "
          f"{(t_app_median - t_empty_median) * 1e3:.0f} ms (goal <= 30 ms)")  # fmt: skip


def sizes() -> None:
    scene = scenes.Scene()
    surface, runs = default_runs(scene)
    view = viz.race_view(surface, runs)
    first, change = len(json.dumps(view.data())), len(json.dumps(view.data(with_static=False)))
    print("2. bytes of the race view's data")
    print(f"   default view: {first / 1e6:.3f} MB with the surface (once per surface), "
          f"{change / 1e6:.3f} MB on a change (the runs)")  # fmt: skip
    by_steps = {}
    for steps in (1000, 2000):
        surface, runs = default_runs(scene, steps)
        by_steps[steps] = len(json.dumps(viz.race_view(surface, runs).data(with_static=False)))
    ratio = by_steps[2000] / by_steps[1000]
    print(f"   the runs at 1,000 steps: {by_steps[1000] / 1e6:.3f} MB; at 2,000 steps: "
          f"{by_steps[2000] / 1e6:.3f} MB; ratio {ratio:.2f}")  # fmt: skip


def browser_load(repeat: int) -> None:
    from bench.redraw import MINIMAL, measure

    ours = measure(ROOT / "app.py", None, repeat, redraw=False)["open"]
    base = measure(ROOT / "bench" / "baseline_page.py", None, repeat,
                   dict(MINIMAL, drawn="() => document.querySelector('.js-plotly-plot .main-svg')"
                        " !== null"), redraw=False)["open"]  # fmt: skip
    ours_m, base_m = statistics.median(ours), statistics.median(base)
    print("3. page load until both views are drawn, headless Chromium (software WebGL)")
    print(f"   this page: median {ours_m:.2f} s, best {min(ours):.2f} s")
    print(f"   one tiny Plotly chart on a Streamlit page: median {base_m:.2f} s; "
          f"ratio {ours_m / base_m:.1f}x")  # fmt: skip


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
