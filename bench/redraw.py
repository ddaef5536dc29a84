"""What a user waits for in the browser, beside a minimal page measured in the same run
(one contour, one 3-D surface, one path, no frames: bench/minimal_race_page.py):

- a slider moved one notch until the race is redrawn (both views);
- the page opened until both views are drawn;
- bytes the server sends: on opening the page, and per slider move;
- Play: steps drawn per second in 10 s, at 1x (20 asked) and 0.25x (5 asked): in the
  2-D view (with the slider and the loss cursor) and in the 3-D view.

    python bench/redraw.py [--repeat 5]

The race is redrawn when the race view says it drew the new paths (its root's
``data-drawn`` holds the runs' digest: it changes when the paths do); the minimal page
when its Plotly graph's ``_fullData`` is a new object with the 3-D canvas in it.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_browser import ARGS, CHROMIUM, start_app  # noqa: E402

MINIMAL = {  # the minimal page's one Plotly graph
    "drawn": """() => { const gd = document.querySelector('.js-plotly-plot');
      return !!(gd && gd._fullData && gd.querySelector('.gl-container canvas')
                && gd.querySelectorAll('.main-svg').length >= 2); }""",
    "mark": "() => { window.__old = document.querySelector('.js-plotly-plot')._fullData; }",
    "changed": """() => { const gd = document.querySelector('.js-plotly-plot');
      return !!(gd && gd._fullData && gd._fullData !== window.__old
                && gd.querySelector('.gl-container canvas')); }""",
}
RACE = {  # the race view: both views and the loss drawn for these runs
    "drawn": """() => { const v = document.querySelector('.race-view');
      return !!(v && v.dataset.drawn && v.querySelector('.race-scene canvas')
                && v.querySelector('.race-plane .scatterlayer .trace')); }""",
    "mark": "() => { window.__old = document.querySelector('.race-view').dataset.drawn; }",
    "changed": """() => { const v = document.querySelector('.race-view');
      return !!(v && v.dataset.drawn && v.dataset.drawn !== window.__old); }""",
}


def _received(page) -> list[int]:
    """A list that grows by the size of every websocket message the page receives."""
    sizes: list[int] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: sizes.append(len(p))))
    return sizes


def measure(page_file: Path, slider_box: str | None, repeat: int, checks: dict = RACE,
            redraw: bool = True) -> dict:  # fmt: skip
    """Open and slider-to-redraw times (seconds; the first load, which also starts the
    server's Python, left out) and the bytes received for one page; the slider is the
    first in the sidebar, or in its ``slider_box`` expander."""
    from playwright.sync_api import sync_playwright

    proc, url = start_app(page_file)
    out = {"open": [], "redraw": [], "open_bytes": [], "move_bytes": []}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for i in range(repeat + 1):
                page = browser.new_page(viewport={"width": 1500, "height": 1000})
                received = _received(page)
                t0 = time.perf_counter()
                page.goto(url, timeout=60_000)
                page.wait_for_function(checks["drawn"], timeout=60_000)
                if i:  # the first load also starts the server's Python
                    out["open"].append(time.perf_counter() - t0)
                if not redraw:
                    page.close()
                    continue
                page.wait_for_timeout(1500)
                out["open_bytes"].append(sum(received))
                box = page.locator("[data-testid='stSidebar']")
                if slider_box:
                    box = box.locator("[data-testid='stExpander']").filter(
                        has=page.locator("summary", has_text=re.compile(f"{slider_box}$")))
                    box.locator("summary").click()
                    page.wait_for_timeout(300)
                slider = box.locator("input[type=range]").first
                for key in ("ArrowRight", "ArrowLeft"):  # one notch up, one back
                    slider.focus()
                    page.evaluate(checks["mark"])
                    before = sum(received)
                    t0 = time.perf_counter()
                    page.keyboard.press(key)
                    page.wait_for_function(checks["changed"], timeout=60_000)
                    if i:
                        out["redraw"].append(time.perf_counter() - t0)
                    page.wait_for_timeout(800)
                    out["move_bytes"].append(sum(received) - before)
                page.close()
            browser.close()
    finally:
        proc.terminate()
    return out


def play_rate(seconds: float = 10.0, modes=(("1", ""), ("0.25", ""), ("1", "&present=1"))
              ) -> dict[str, tuple[float, float]]:  # fmt: skip
    """Steps the race view draws per second while playing, at 1x and at 0.25x, and at 1x
    in presentation mode (a 1280 x 720 projector): in 2-D and in 3-D."""
    from playwright.sync_api import sync_playwright

    proc, url = start_app(ROOT / "app.py")
    rates = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for speed, extra in modes:
                size = {"width": 1280, "height": 720} if extra else {"width": 1500, "height": 1000}
                page = browser.new_page(viewport=size)
                page.goto(f"{url}/?speed={speed}{extra}", timeout=60_000)
                page.wait_for_function(RACE["drawn"], timeout=60_000)
                page.wait_for_timeout(1000)
                frames = """() => { const d = document.querySelector('.race-view').dataset;
                  return [+d.frames || 0, +d.frames3d || 0]; }"""
                page.click(".race-play")
                page.wait_for_timeout(1000)
                n0, t0 = page.evaluate(frames), time.perf_counter()
                page.wait_for_timeout(seconds * 1000)
                n1, t1 = page.evaluate(frames), time.perf_counter()
                rates[speed + extra] = tuple((b - a) / (t1 - t0)
                                             for a, b in zip(n0, n1, strict=True))
                page.close()
            browser.close()
    finally:
        proc.terminate()
    return rates


# In the page: the button clicked, then frames until the view's next picture shows step
# k (what the user waits for, without the test driver's own round trips).
PRESS_JS = """(k) => new Promise((done) => {
  const button = [...document.querySelectorAll('button')]
      .find((b) => b.textContent.includes('Next step'));
  const t0 = performance.now();
  button.click();
  const check = () => document.querySelector('.race-view').dataset.step === String(k)
      ? requestAnimationFrame(() => done(performance.now() - t0)) : requestAnimationFrame(check);
  check();
})"""


def step_presses(repeat: int) -> dict[str, list[float]]:
    """Presentation mode (1280 x 720): "Next step" pressed until the view shows the next
    step, and until the numbers under it say so; five quick presses until both show
    the fifth step."""
    from playwright.sync_api import sync_playwright

    proc, url = start_app(ROOT / "app.py")
    out = {"drawn": [], "numbers": [], "five": []}
    view_at = "(k) => document.querySelector('.race-view').dataset.step === String(k)"
    numbers_at = """(k) => [...document.querySelectorAll(
        '.race-numbers th')]
        .some((e) => e.textContent === `At step ${k}`)"""
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(f"{url}/?present=1", timeout=60_000)
            page.wait_for_function(RACE["drawn"], timeout=60_000)
            page.wait_for_timeout(1500)
            button = page.get_by_role("button", name="Next step ▶")
            k = 0
            for _ in range(repeat):
                k += 1
                t0 = time.perf_counter()
                out["drawn"].append(page.evaluate(PRESS_JS, k) / 1000)
                page.wait_for_function(numbers_at, arg=k, timeout=60_000, polling="raf")
                out["numbers"].append(time.perf_counter() - t0)
                page.wait_for_timeout(800)
            for _ in range(3):
                t0 = time.perf_counter()
                for _ in range(5):
                    button.click()
                k += 5
                page.wait_for_function(f"(k) => ({view_at})(k) && ({numbers_at})(k)", arg=k,
                                       timeout=60_000, polling="raf")  # fmt: skip
                out["five"].append(time.perf_counter() - t0)
                page.wait_for_timeout(800)
            browser.close()
    finally:
        proc.terminate()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=("play", "presses", "open"), help="just this part")
    args = parser.parse_args()
    if args.only == "play":
        print(play_rate())
        return
    if args.only == "presses":
        print(step_presses(args.repeat))
        return
    if args.only == "open":  # both pages, alternately, so that a busy spell hits both
        base, race = {"open": []}, {"open": []}
        for _ in range(args.repeat):
            base["open"] += measure(ROOT / "bench" / "minimal_race_page.py", None, 1, MINIMAL,
                                    redraw=False)["open"]  # fmt: skip
            race["open"] += measure(ROOT / "app.py", None, 1, redraw=False)["open"]
        med = statistics.median
        print(f"Page open -> both views drawn: race page median {med(race['open']):.2f} s, "
              f"minimal page {med(base['open']):.2f} s, ratio "
              f"{med(race['open']) / med(base['open']):.2f}x (goal <= 1.5x)")
        return
    base = measure(ROOT / "bench" / "minimal_race_page.py", None, args.repeat, MINIMAL)
    race = measure(ROOT / "app.py", "Adam", args.repeat)
    med = statistics.median
    ratio = med(race["redraw"]) / med(base["redraw"])
    print("Slider one notch -> race redrawn, headless Chromium (software WebGL)")
    print(f"   race page: median {med(race['redraw']):.2f} s (best {min(race['redraw']):.2f}); "
          f"minimal page: median {med(base['redraw']):.2f} s; ratio {ratio:.2f}x "
          "(goal <= 1.3x and <= 0.5 s)")  # fmt: skip
    print("Page open -> both views drawn")
    print(f"   race page: median {med(race['open']):.2f} s; minimal page: median "
          f"{med(base['open']):.2f} s; ratio {med(race['open']) / med(base['open']):.2f}x "
          "(goal <= 1.5x)")  # fmt: skip
    print("Bytes the server sends (websocket)")
    print(f"   opening the race page: {med(race['open_bytes']) / 1e6:.3f} MB (goal <= 0.5 MB); "
          f"minimal page {med(base['open_bytes']) / 1e6:.3f} MB")  # fmt: skip
    print(f"   per slider move: race page {med(race['move_bytes']) / 1e3:.0f} kB; minimal page "
          f"{med(base['move_bytes']) / 1e3:.0f} kB")  # fmt: skip
    rates = play_rate()
    print("Play, default race (300 steps), steps drawn per second over 10 s: 2-D view / 3-D view")
    print(f"   1x: {rates['1'][0]:.1f} / {rates['1'][1]:.1f} (20 asked); "
          f"0.25x: {rates['0.25'][0]:.1f} / {rates['0.25'][1]:.1f} (5 asked); "
          f"presentation mode at 1280 x 720, 1x: {rates['1&present=1'][0]:.1f} / "
          f"{rates['1&present=1'][1]:.1f} (20 asked)")  # fmt: skip
    presses = step_presses(args.repeat)
    print("Presentation mode, 'Next step' pressed (1280 x 720)")
    print(f"   until the view shows it: median {med(presses['drawn']):.2f} s (goal <= 0.2 s); "
          f"until the numbers do: median {med(presses['numbers']):.2f} s; five quick presses "
          f"until both show the fifth: median {med(presses['five']):.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
