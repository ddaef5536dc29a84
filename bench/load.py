"""A class on one server: concurrent browser sessions that open the race page and move
a slider five times, in rounds; sessions served, the p95 time from a slider move to the
redrawn race, and the server's memory after each round.

    python bench/load.py [--sessions 20] [--rounds 3] [--apps 1] [--url http://host:port]

Without --url it starts the app on a free localhost port; with --apps 2 (or more), that
many app processes behind nginx with sticky sessions (deploy/nginx.conf, started by
deploy/serve.py), and memory is their sum. Each session is its own
headless Chromium context (its own Streamlit session). A session is served when its
race view drew and all five moves redrew it. Memory is the server process's resident
size (VmRSS) after each round; it should not grow from the second round to the third.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.redraw import RACE  # noqa: E402
from deploy import serve  # noqa: E402
from tests.test_browser import ARGS, CHROMIUM, _free_port, start_app  # noqa: E402

MOVES = 5


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the server), in MB."""
    total = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total += int(line.split()[1]) / 1024
    return total


async def session(browser, url: str, waits: list[float], where: list[str]) -> bool:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    try:
        response = await page.goto(url, timeout=120_000)
        where.append(response.headers.get("x-app-process", "the app") if response else "?")
        await page.wait_for_function(RACE["drawn"], timeout=120_000)
        box = page.locator("[data-testid='stSidebar'] [data-testid='stExpander']").filter(
            has=page.locator("summary", has_text=re.compile("Adam$")))  # (not "Adam: α schedule")
        await box.locator("summary").click()
        slider = box.locator("input[type=range]").first
        for i in range(MOVES):
            await slider.focus()
            await page.evaluate(RACE["mark"])
            t0 = time.perf_counter()
            await page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
            await page.wait_for_function(RACE["changed"], timeout=120_000)
            waits.append(time.perf_counter() - t0)
            await page.wait_for_timeout(300)
        return True
    except Exception as error:  # a session that failed is counted, not fatal
        print(f"   a session failed: {type(error).__name__}: {str(error).splitlines()[0]}")
        return False
    finally:
        await context.close()


async def main_async(args) -> None:
    from playwright.async_api import async_playwright

    proc = server = None
    if args.url:
        url = args.url
    elif args.apps > 1:
        ports = [_free_port() for _ in range(args.apps)]
        server = serve.start(_free_port(), app_ports=ports, run_dir=ROOT / "deploy" / "run")
        url = server.url
    else:
        proc, url = start_app(ROOT / "app.py")
    pids = [proc.pid] if proc else [p.pid for p in server.apps] if server else []
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=ARGS)  # fmt: skip
            for round_ in range(1, args.rounds + 1):
                waits: list[float] = []
                where: list[str] = []
                t0 = time.perf_counter()
                served = await asyncio.gather(*(session(browser, url, waits, where)
                                                for _ in range(args.sessions)))  # fmt: skip
                took = time.perf_counter() - t0
                p95 = statistics.quantiles(waits, n=20)[-1] if len(waits) >= 2 else float("nan")
                memory = (f"; server {sum(rss_mb(pid) for pid in pids):.0f} MB resident"
                          if pids else "")  # fmt: skip
                spread = ", ".join(f"{where.count(w)} on {w}" for w in sorted(set(where)))
                print(f"round {round_}: {sum(served)}/{args.sessions} sessions served in "
                      f"{took:.0f} s; slider move -> race redrawn: median "
                      f"{statistics.median(waits):.2f} s, p95 {p95:.2f} s "
                      f"({len(waits)} moves){memory}; sessions: {spread}")  # fmt: skip
            await browser.close()
    finally:
        if proc:
            proc.terminate()
        if server:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--apps", type=int, default=1,
                        help="app processes; 2 or more: behind nginx (deploy/nginx.conf)")
    parser.add_argument("--url", default=None, help="a running app instead of a new one")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
