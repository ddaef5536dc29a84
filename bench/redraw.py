"""What a user waits for in the browser: moving a slider one notch until the race is
redrawn, and opening the page until both views are drawn, each beside a minimal page
(one contour, one 3-D surface, one path, no frames: bench/minimal_race_page.py)
measured in the same run.

    python bench/redraw.py [--repeat 7]

A redraw is done when the Plotly graph's ``_fullData`` is a new object and the graph
is drawn again (the moving path's data differ from before the key press).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_browser import ARGS, CHROMIUM, start_app  # noqa: E402

# The graph with the most traces on the page (the race, or the minimal page's one).
GRAPH = """[...document.querySelectorAll('.js-plotly-plot')]
  .sort((a, b) => (b.data || []).length - (a.data || []).length)[0]"""
DRAWN = f"""() => {{ const gd = {GRAPH};
  return !!(gd && gd._fullData && gd.querySelector('.gl-container canvas')
            && gd.querySelectorAll('.main-svg').length >= 2); }}"""
MARK = f"""() => {{ const gd = {GRAPH}; window.__old = gd._fullData; }}"""
CHANGED = f"""() => {{ const gd = {GRAPH};
  return !!(gd && gd._fullData && gd._fullData !== window.__old
            && gd.querySelector('.gl-container canvas')); }}"""


def measure(page_file: Path, slider_box: str | None, repeat: int, drawn: str = DRAWN,
            redraw: bool = True) -> tuple[list, list]:  # fmt: skip
    """Open times (until ``drawn`` holds; the first load, which also starts the
    server's Python, left out) and, with ``redraw``, slider-to-redraw times (seconds)
    for one page; the slider is the first in the sidebar, or in its ``slider_box``
    expander."""
    from playwright.sync_api import sync_playwright

    proc, url = start_app(page_file)
    opens, redraws = [], []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for i in range(repeat + 1):
                page = browser.new_page(viewport={"width": 1500, "height": 1000})
                t0 = time.perf_counter()
                page.goto(url, timeout=60_000)
                page.wait_for_function(drawn, timeout=60_000)
                if i:  # the first load also starts the server's Python
                    opens.append(time.perf_counter() - t0)
                if not redraw:
                    page.close()
                    continue
                page.wait_for_timeout(1500)
                box = page.locator("[data-testid='stSidebar']")
                if slider_box:
                    box = box.locator("[data-testid='stExpander']").filter(has_text=slider_box)
                    box.locator("summary").click()
                slider = box.locator("input[type=range]").first
                for key in ("ArrowRight", "ArrowLeft"):  # one notch up, one back
                    slider.focus()
                    page.evaluate(MARK)
                    t0 = time.perf_counter()
                    page.keyboard.press(key)
                    page.wait_for_function(CHANGED, timeout=60_000)
                    if i:
                        redraws.append(time.perf_counter() - t0)
                    page.wait_for_timeout(800)
                page.close()
            browser.close()
    finally:
        proc.terminate()
    return opens, redraws


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    base_open, base_redraw = measure(ROOT / "bench" / "minimal_race_page.py", None, args.repeat)
    open_, redraw = measure(ROOT / "app.py", "Adam", args.repeat)
    med = statistics.median
    print("Slider one notch → race redrawn, headless Chromium (software WebGL)")
    print(f"   race page: median {med(redraw):.2f} s (best {min(redraw):.2f}); minimal page: "
          f"median {med(base_redraw):.2f} s; ratio {med(redraw) / med(base_redraw):.2f}x "
          "(goal <= 1.3x and <= 0.5 s)")  # fmt: skip
    print("Page open → both views drawn")
    print(f"   race page: median {med(open_):.2f} s; minimal page: median {med(base_open):.2f} s; "
          f"ratio {med(open_) / med(base_open):.2f}x (goal <= 1.5x)")  # fmt: skip


if __name__ == "__main__":
    main()
