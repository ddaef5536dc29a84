"""What a user of the Real network page waits for in the browser, and the server's
memory as sessions come and go.

    python bench/network_page.py [--repeat 3] [--sessions 24]

- Opening the page (the default digits scene: four optimizers, 300 steps, the PCA
  plane) until both views are drawn: the server's first session (nothing cached: it
  trains, lays the plane, measures the sharpness) and later ones.
- A change: the Adam α slider one notch, a value not run before (Adam trains again, and
  the plane through its end is laid again), until the race view has drawn the new
  paths; beside it the minimal page's slider (bench/minimal_race_page.py: one contour,
  one 3-D surface), measured in the same run.
- Memory: the server's resident memory after sessions that each open a scene of their
  own (a new seed: new data split, runs, plane), more than the page's caches hold, and
  again once Streamlit has let the closed sessions go (120 s after they closed): what
  is left is the bounded caches.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from redraw import MINIMAL, RACE, measure  # noqa: E402

from tests.test_browser import ARGS, CHROMIUM, start_app  # noqa: E402

SESSION_TTL_S = 120  # Streamlit's server.disconnectedSessionTTL default


def _rss_mb(pid: int) -> float:
    """Resident memory of the process and its children (streamlit runs in one), MB."""
    total = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total += int(line.split()[1])
    return total / 1024


def _alpha_slider(page):
    return page.locator(".st-key-network-lr-adam input[type=range]").first


def page_times(repeat: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    proc, url = start_app()
    out = {"first_open": [], "open": [], "change": []}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for i in range(repeat + 1):
                page = browser.new_page(viewport={"width": 1500, "height": 1000})
                t0 = time.perf_counter()
                page.goto(f"{url}/network", timeout=120_000)
                page.wait_for_function(RACE["drawn"], timeout=120_000)
                out["first_open" if i == 0 else "open"].append(time.perf_counter() - t0)
                page.wait_for_timeout(1500)
                slider = _alpha_slider(page)
                for _ in range(i + 1):  # a notch further each time: a value not run before
                    slider.focus()
                    page.evaluate(RACE["mark"])
                    t0 = time.perf_counter()
                    page.keyboard.press("ArrowRight")
                    page.wait_for_function(RACE["changed"], timeout=120_000)
                    elapsed = time.perf_counter() - t0
                    page.wait_for_timeout(1000)
                out["change"].append(elapsed)  # the last notch: new to the cache
                page.close()
            browser.close()
    finally:
        proc.terminate()
    return out


def memory(sessions: int) -> list[tuple[int, float]]:
    from playwright.sync_api import sync_playwright

    proc, url = start_app()
    out = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for i in range(sessions):
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                page = context.new_page()
                page.goto(f"{url}/network?seed={i}", timeout=120_000)
                page.wait_for_function(RACE["drawn"], timeout=120_000)
                page.wait_for_timeout(500)
                context.close()
                out.append((i + 1, _rss_mb(proc.pid)))
            browser.close()
        # a closed session's state is kept for server.disconnectedSessionTTL (120 s) in
        # case its browser reconnects: after that, what stays is the caches
        time.sleep(SESSION_TTL_S + 30)
        out.append((-1, _rss_mb(proc.pid)))
    finally:
        proc.terminate()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sessions", type=int, default=24)
    args = parser.parse_args()
    med = statistics.median
    base = measure(ROOT / "bench" / "minimal_race_page.py", None, args.repeat, MINIMAL)
    times = page_times(args.repeat)
    print("Real network page, headless Chromium (software WebGL)")
    print(f"  open, the server's first session (nothing cached): {times['first_open'][0]:.2f} s")
    print(f"  open, later sessions: median {med(times['open']):.2f} s; minimal page "
          f"{med(base['open']):.2f} s")  # fmt: skip
    print(f"  Adam's α one notch (a new value: Adam trains again, a new plane) -> drawn: "
          f"median {med(times['change']):.2f} s (all: "
          f"{', '.join(f'{t:.2f}' for t in times['change'])}; goal <= 3 s); minimal page's "
          f"slider {med(base['redraw']):.2f} s; ratio "
          f"{med(times['change']) / med(base['redraw']):.1f}x")  # fmt: skip
    rss = memory(args.sessions)
    after = rss.pop()[1]
    print(f"Server memory after each session opening a scene of its own (seed 0, 1, ...): "
          f"{', '.join(f'{n}: {mb:.0f}' for n, mb in rss)} MB; "
          f"{SESSION_TTL_S + 30} s after the last one closed: {after:.0f} MB")
    half = len(rss) // 2
    print(f"  growth over the second half of the sessions: {rss[-1][1] - rss[half - 1][1]:.0f} MB"
          f" (first half: {rss[half - 1][1] - rss[0][1]:.0f} MB)")


if __name__ == "__main__":
    main()
