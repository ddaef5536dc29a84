"""The real page in headless Chromium: both plots drawn, Play pressed, and the static
pictures still there while the animation runs (plotly.js can drop them then)."""

import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip

pytestmark = [pytest.mark.browser, pytest.mark.slow]
# How long a wait may last before the test fails: a bound on a hang, not a speed a test
# asserts (a loaded CI machine took over 60 s for one redraw). Speeds are bench/'s.
PATIENCE_MS = 240_000


def _need_browser():
    missing = not Path(CHROMIUM).exists() or shutil.which("streamlit") is None
    if missing and not os.environ.get("REQUIRE_BROWSER"):
        pytest.skip("Debian's chromium is not installed (CI installs it)")
    assert Path(CHROMIUM).exists(), "REQUIRE_BROWSER is set but /usr/bin/chromium is missing"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(page_file: Path = ROOT / "app.py") -> tuple[subprocess.Popen, str]:
    """Start ``streamlit run`` on a free localhost port; return it once it answers."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(page_file),
         "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + PATIENCE_MS / 1000
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).status == 200:
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"streamlit did not start within {PATIENCE_MS / 1000:g} s")


@pytest.fixture(scope="module")
def server():
    _need_browser()
    proc, url = start_app()
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


# What the race view shows right now, read from its DOM.
STATE_JS = """() => {
  const view = document.querySelector('.race-view');
  const plane = view && view.querySelector('.race-plane.js-plotly-plot');
  if (!plane || !view.dataset.drawn) return null;
  const lines = [...plane.querySelectorAll('.scatterlayer path.js-line')]
      .filter(p => (p.getAttribute('d') || '').length > 50).length;
  const image = plane.querySelector('g.imagelayer image, .layer-below .imagelayer image');
  const href = image ? (image.getAttribute('href') || image.getAttribute('xlink:href') || '') : '';
  const singles = [...plane.querySelectorAll('.scatterlayer .trace')]
      .map(t => [...t.querySelectorAll('path.point')])
      .filter(pts => pts.length === 1).map(pts => pts[0].getAttribute('transform'));
  const canvas = view.querySelector('.race-scene canvas');
  const box = canvas ? canvas.getBoundingClientRect() : null;
  return {lines: lines, image: href.startsWith('data:image/png'),
          step: view.querySelector('.race-label').textContent, markers: singles,
          playing: view.dataset.playing === 'true', drawn: view.dataset.drawn,
          scene: box ? [box.x, box.y, box.width, box.height] : null};
}"""
DRAWN_JS = f"({STATE_JS})() && ({STATE_JS})().lines > 5 && ({STATE_JS})().scene"


def _pixels(page, box):
    import numpy as np
    from PIL import Image

    x, y, w, h = box
    png = page.screenshot(clip={"x": x, "y": y, "width": w, "height": h})
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


def _colours_in(page, box) -> int:
    rgb = _pixels(page, box).reshape(-1, 3)
    return len({tuple(p) for p in rgb[:: max(1, len(rgb) // 20000)]})


def _surface_share(page, box) -> float:
    """The share of ``box`` in the greys of the 3-D surface (not white, not text)."""
    rgb = _pixels(page, box)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return float(((abs(r - g) < 12) & (abs(g - b) < 12) & (r > 90) & (r < 235)).mean())


def _pixels_near(page, box, colour, tolerance=40) -> int:
    """How many pixels in ``box`` have about this colour."""
    rgb = _pixels(page, box)
    return int((abs(rgb - colour).max(axis=-1) <= tolerance).sum())


SGD_VERMILLION = (0xD5, 0x5E, 0x00)  # viz.COLORS["sgd"]; absent from the surface's colours


def test_play_keeps_contour_and_surface_drawn_and_moves_the_markers(server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    t0 = time.time()
    page.goto(f"{server}/?surface=rosenbrock&opt=momentum,nag,adam&adam.lr=0.05&steps=300")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    page.wait_for_function(f"({STATE_JS})().scene[2] > 100")
    load_seconds = time.time() - t0
    before = page.evaluate(STATE_JS)
    assert before["image"] and before["step"].strip() == "step 0"
    assert _colours_in(page, before["scene"]) > 50, "the 3-D surface is blank"
    assert _surface_share(page, before["scene"]) > 0.05, "no 3-D surface drawn"
    page.screenshot(path=str(ARTIFACTS / "browser_before_play.png"))

    page.get_by_text("▶ Play").first.click()
    seen = [0]
    for i in range(3):
        # wait for the next frames (software WebGL is slow), then look while they play
        page.wait_for_function(
            f"parseInt(({STATE_JS})().step.split(' ').pop()) > {seen[-1]}", timeout=PATIENCE_MS
        )
        time.sleep(0.3)
        during = page.evaluate(STATE_JS)
        page.screenshot(path=str(ARTIFACTS / f"browser_during_play_{i}.png"))
        step = int(during["step"].split()[-1])
        assert seen[-1] < step < 300, (seen, step)  # moving, and not yet at the end
        seen.append(step)
        # the optimizers' head markers have moved on the contour (one-point traces)
        moved = set(during["markers"]) - set(before["markers"])
        assert len(moved) >= 3, (before["markers"], during["markers"])
        # the static pictures are still drawn while frames play
        assert during["lines"] >= before["lines"], (before, during)
        assert during["image"], "the filled contour vanished during the animation"
        assert _surface_share(page, during["scene"]) > 0.05, "the 3-D surface vanished"
    frames = "() => ({...document.querySelector('.race-view').dataset})"
    assert int(page.evaluate(frames)["frames3d"]) >= 3  # the 3-D heads move too
    page.get_by_text("❚❚ Pause").first.click()
    # paused, both views show the step on the label (the 3-D scene's last picture too)
    page.wait_for_function(f"({frames})().step3d === ({frames})().step", timeout=PATIENCE_MS)
    assert page.evaluate(STATE_JS)["step"] == f"step {page.evaluate(frames)['step']}"
    page.screenshot(path=str(ARTIFACTS / "browser_paused.png"))
    (ARTIFACTS / "browser_load_seconds.txt").write_text(f"{load_seconds:.2f}\n")
    page.close()


# The drawn line of a run's whole path on the contour (width 2.5; its tail is 4 wide),
# the transform of its head marker, and whether marks set on the graphs are still there.
RUN_JS = """(label) => {
  const gd = document.querySelector('.race-plane');
  const groups = new Map([...gd.querySelectorAll('.scatterlayer .trace')]
      .map(g => [g.__data__[0].trace.index, g]));
  const index = (test) => gd.data.findIndex(t => t.name === label && test(t));
  const path = groups.get(index(t => t.mode === 'lines' && t.line.width === 2.5));
  const head = groups.get(index(t => t.mode === 'markers'));
  const marked = document.querySelector('.race-scene canvas').__mark === 1
      && gd.__mark === 1 && gd.querySelector('g.imagelayer image').__mark === 1;
  return {path: path.querySelector('path.js-line').getAttribute('d'),
          head: head.querySelector('path.point').getAttribute('transform'), marked: marked};
}"""
MARK_JS = """() => { const v = document.querySelector('.race-view');
  v.querySelector('.race-scene canvas').__mark = 1; v.querySelector('.race-plane').__mark = 1;
  v.querySelector('.race-plane g.imagelayer image').__mark = 1; }"""


def _settled(page, quiet_ms: int = 1000, timeout_s: float = PATIENCE_MS / 1000) -> None:
    """Wait until the race view has not drawn anything new for ``quiet_ms``."""
    draws = "() => document.querySelector('.race-view')?.dataset.draws"
    deadline = time.time() + timeout_s
    before = page.evaluate(draws)
    while time.time() < deadline:
        page.wait_for_timeout(quiet_ms)
        now = page.evaluate(draws)
        if now is not None and now == before:
            return
        before = now
    raise TimeoutError("the race view kept redrawing")


def _show_step(page, k: int) -> None:
    """Move the race's step slider to k, as a user drags it, and wait until it shows."""
    page.locator(".race-step").fill(str(k))
    page.wait_for_function(f"({STATE_JS})().step === 'step {k}'", timeout=PATIENCE_MS)


def _move_alpha(page, label: str, key: str) -> None:
    """One notch of an optimizer's α slider, and wait until the race is drawn again."""
    box = page.locator("[data-testid='stSidebar'] [data-testid='stExpander']").filter(
        has=page.locator("summary", has_text=re.compile(f"{label}$"))  # not "Adam: α schedule"
    )
    if not box.locator("input[type=range]").first.is_visible():
        box.locator("summary").click()
    drawn = page.evaluate(f"({STATE_JS})().drawn")
    box.locator("input[type=range]").first.focus()
    page.keyboard.press(key)
    page.wait_for_function(f"({STATE_JS})().drawn !== {drawn!r}", timeout=PATIENCE_MS)


def test_a_slider_move_redraws_the_paths_in_place_and_keeps_the_step(server, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.goto(f"{server}/?opt=sgd,adam")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    page.evaluate(MARK_JS)  # a plot created anew would not carry these
    _show_step(page, 120)
    before = page.evaluate(RUN_JS, "Adam")
    sgd_before = page.evaluate(RUN_JS, "SGD")
    _move_alpha(page, "Adam", "ArrowRight")
    after = page.evaluate(RUN_JS, "Adam")
    assert after["path"] != before["path"]  # Adam's path is drawn anew...
    assert after["head"] != before["head"]  # ...and its head sits on it at the same step
    assert page.evaluate(RUN_JS, "SGD")["path"] == sgd_before["path"]  # SGD did not change
    assert page.evaluate(STATE_JS)["step"] == "step 120"
    assert after["marked"], "the contour, its picture or the 3-D scene was created anew"
    assert "adam.lr=0.02" in page.url
    # playing stays playing across a change, from where it was
    page.click(".race-play")
    page.wait_for_function(f"({STATE_JS})().playing", timeout=PATIENCE_MS)
    _move_alpha(page, "Adam", "ArrowLeft")
    state = page.evaluate(STATE_JS)
    assert state["playing"] and int(state["step"].split()[-1]) > 120, state
    page.click(".race-play")  # pause
    assert not page.evaluate(STATE_JS)["playing"]
    # the legend hides an optimizer in the 3-D view and the loss plot too
    page.mouse.move(10, 10)  # (away from the contour: its toolbar would cover the legend)
    page.locator(".race-legend .legend .traces", has_text="Adam").click()
    page.wait_for_function("""() => ['.race-scene', '.race-loss'].every(g =>
        document.querySelector(g).data.filter(t => t.legendgroup === 'adam')
            .every(t => t.visible === 'legendonly'))""", timeout=PATIENCE_MS)
    page.close()


def test_lost_parts_are_sent_again_and_a_shorter_run_shows_its_last_step(server, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.goto(f"{server}/?opt=sgd&steps=300")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    _show_step(page, 250)
    # the browser forgets the surface's pictures and the paths (as a reloaded script
    # would): a change that sends neither (the speed) gets them sent again
    page.evaluate("() => { window.__raceView.statics.clear(); window.__raceView.paths.clear(); }")
    draws = page.evaluate("() => +document.querySelector('.race-view').dataset.draws")
    page.locator("[data-testid='stSidebar'] input[type=range][aria-label='Speed']").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        f"() => +document.querySelector('.race-view').dataset.draws > {draws}", timeout=PATIENCE_MS)
    state = page.evaluate(STATE_JS)
    assert state["image"] and state["lines"] > 5 and state["step"] == "step 250", state
    drawn = state["drawn"]
    page.locator("[data-testid='stSidebar'] input[type=range][aria-label='Steps']").focus()
    page.keyboard.press("PageDown")  # 300 -> fewer steps
    page.wait_for_function(f"({STATE_JS})().drawn !== {drawn!r}", timeout=PATIENCE_MS)
    state = page.evaluate(STATE_JS)
    shown = int(state["step"].split()[-1])
    assert shown < 250 and page.evaluate("+document.querySelector('.race-step').value") == \
        page.evaluate("+document.querySelector('.race-step').max"), state  # the new last step
    assert f"steps={shown}" in page.url
    assert state["image"] and state["lines"] > 5
    page.close()


def test_another_surface_gets_its_own_axes_and_a_double_click_only_resets_the_zoom(
    server, browser
):
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.goto(f"{server}/?opt=sgd,nag")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    drawn = page.evaluate(f"({STATE_JS})().drawn")
    page.get_by_role("button", name="Ravine: SGD zig-zags, Nesterov glides").click()
    page.wait_for_function(f"({STATE_JS})() && ({STATE_JS})().drawn !== {drawn!r}",
                           timeout=PATIENCE_MS)  # fmt: skip
    page.wait_for_url("**surface=ravine**", timeout=PATIENCE_MS)
    _settled(page)  # the preset's reruns are over
    ranges = page.evaluate("() => { const L = document.querySelector('.race-plane')._fullLayout;"
                           " return [L.xaxis.range, L.yaxis.range]; }")  # fmt: skip
    assert ranges == [[-10, 10], [-3, 3]], ranges  # the ravine's domain, not Beale's
    url = page.url
    box = page.locator(".race-plane .nsewdrag").first.bounding_box()
    x, y = box["x"] + 0.5 * box["width"], box["y"] + 0.5 * box["height"]
    page.mouse.move(x - 60, y - 30)  # zoom in with a drag...
    page.mouse.down()
    page.mouse.move(x + 60, y + 30, steps=5)
    page.mouse.up()
    page.mouse.move(x, y)  # (hovering first, as a hand does: plotly.js clicks need it)
    page.wait_for_timeout(300)
    page.mouse.dblclick(x, y)  # ...and out again with a double-click
    page.wait_for_timeout(2000)
    assert page.url == url  # the start did not move
    zoomed = page.evaluate("() => document.querySelector('.race-plane')._fullLayout.xaxis.range")
    assert zoomed == [-10, 10]
    page.mouse.click(x, y)  # a single click on the new surface's contour still starts there
    page.wait_for_url("**start=0.0%2C0.0**", timeout=PATIENCE_MS)
    page.close()


STEPS_SEEN_JS = """(ms) => new Promise(done => {
  const view = document.querySelector('.race-view'), seen = [];
  const watch = new MutationObserver(() => seen.push(+view.dataset.step));
  watch.observe(view, {attributes: true, attributeFilter: ['data-step']});
  setTimeout(() => { watch.disconnect(); done(seen); }, ms);
})"""


@pytest.mark.parametrize(("speed", "stride"), [("1.0", 1), ("4.0", 4)])
def test_a_faster_speed_moves_more_steps_a_frame(server, browser, speed, stride):
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.goto(f"{server}/?opt=sgd&speed={speed}&steps=1000")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    page.click(".race-play")
    seen = page.evaluate(STEPS_SEEN_JS, 2000)
    page.click(".race-play")
    shown = [round(k * 300 / 1000) for k in seen]  # 1,000 steps: 300 shown, evenly spaced
    moves = sorted(b - a for a, b in zip(shown, shown[1:], strict=False))
    assert len(moves) >= 5 and moves[len(moves) // 2] == stride, (seen, moves)
    page.close()


def test_the_exported_html_plays_offline_and_the_link_button_copies_the_link(
    server, browser, tmp_path
):
    import optim_core
    import surfaces
    import viz
    from app_pages.race_view import standalone_html

    surface = surfaces.get("beale")
    runs = [viz.Run(n, n.upper(), optim_core.run(n, surface, surface.default_start, 60))
            for n in ("sgd", "adam")]  # fmt: skip
    file = tmp_path / "race.html"
    file.write_text(standalone_html(viz.race_view(surface, runs), "Beale"))
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    asked = []

    def only_the_file(route):
        if route.request.url == file.as_uri():
            return route.continue_()
        asked.append(route.request.url)
        return route.abort()

    context.route("**/*", only_the_file)
    page = context.new_page()
    page.goto(file.as_uri())
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    assert _surface_share(page, page.evaluate(STATE_JS)["scene"]) > 0.05
    assert not page.locator(".race-link").is_visible()  # no page link to copy offline
    page.click(".race-play")
    page.wait_for_function(f"({STATE_JS})().step === 'step 60'", timeout=PATIENCE_MS)
    assert asked == []  # nothing fetched from anywhere
    context.close()
    # on the served page the button copies the page's address, the scene in it
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"{server}/?surface=booth&opt=adam")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    page.click(".race-link")
    page.wait_for_function("() => document.querySelector('.race-link').textContent"
                           ".includes('copied')", timeout=PATIENCE_MS)  # fmt: skip
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == page.url and "surface=booth" in copied and "opt=adam" in copied
    context.close()


def test_a_tampered_link_shows_a_warning_in_the_browser(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{server}/?opt=adam,adabelief&adam.lr=abc")
    page.get_by_text("Unknown optimizer adabelief").first.wait_for(timeout=PATIENCE_MS)
    page.get_by_text("adam.lr = abc in the link").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "browser_bad_link.png"))
    page.close()


def test_a_crafted_link_cannot_write_markup_into_the_page(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    query = urllib.parse.urlencode({"surface": "**BOLD** [click here](https://example.com)",
                                    "opt": "adam,![x](https://example.com/x.png)"})  # fmt: skip
    page.goto(f"{server}/?{query}")
    alert = page.locator("[data-testid='stAlertContainer']").first
    alert.wait_for(timeout=PATIENCE_MS)
    page.wait_for_selector(".race-view .js-plotly-plot", timeout=PATIENCE_MS)
    assert alert.locator("a, img, strong, em").count() == 0
    text = alert.inner_text()
    assert "**BOLD** [click here](https://example.c…" in text
    assert "![x](https://example.com/x.png)" in text
    assert not any(urllib.parse.urlparse(url).hostname == "example.com" for url in requested)
    page.screenshot(path=str(ARTIFACTS / "browser_crafted_link.png"))
    page.close()


def test_a_click_on_the_contour_sets_the_start_point(server, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.goto(f"{server}/?surface=quadratic&opt=sgd")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    page.wait_for_function(f"({STATE_JS})().scene[2] > 100")
    # SGD's path is drawn on top of the 3-D surface, not buried in it
    scene_box = page.evaluate(STATE_JS)["scene"]
    assert _pixels_near(page, scene_box, SGD_VERMILLION) > 30
    page.screenshot(path=str(ARTIFACTS / "browser_quadratic_sgd.png"))
    box = page.locator(".race-plane .nsewdrag").first.bounding_box()
    # the quadratic's domain is [-5, 5]²: 3/4 across and 1/4 down is (2.5, 2.5)
    x, y = box["x"] + 0.75 * box["width"], box["y"] + 0.25 * box["height"]
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    page.wait_for_function(
        "() => [...document.querySelectorAll('input[type=number]')].map(i => i.value)"
        ".join() === '2.5,2.5'",
        timeout=PATIENCE_MS,
    )
    page.wait_for_url("**start=2.5%2C2.5**")
    # next to the minimizer's star (the quadratic's at the middle) the click is where
    # the pointer is, not on the star
    x, y = box["x"] + 0.5 * box["width"] + 16, box["y"] + 0.5 * box["height"]
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)
    page.wait_for_function(
        "() => Number(document.querySelectorAll('input[type=number]')[0].value) > 0.1",
        timeout=PATIENCE_MS)  # fmt: skip
    page.close()


# What every Plotly graph on the page draws: its traces' types and how many SVG paths
# or canvases it has (a figure sent but not drawn has neither).
GRAPHS_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => ({
  types: (gd._fullData || []).map(t => t.type),
  paths: gd.querySelectorAll('.scatterlayer path.js-line, .barlayer path, .heatmaplayer image')
      .length,
  images: gd.querySelectorAll('.heatmaplayer image, image.hm').length,
}))"""


@pytest.mark.parametrize(
    ("path", "count", "needed"),
    [
        ("/escape", 3, {"bar", "scatter"}),
        ("/basins?opt=sgd,adam&res=60", 2, {"heatmap"}),
        ("/sweeps?count=20&betas=5&steps=300", 2, {"heatmap", "scatter"}),
    ],
)
def test_each_analysis_page_draws_its_figures(server, browser, path, count, needed):
    page = browser.new_page(viewport={"width": 1500, "height": 1400})
    page.goto(server + path)
    page.wait_for_function(
        f"() => ({GRAPHS_JS})().length === {count} && ({GRAPHS_JS})().every(g => g.paths > 0)",
        timeout=PATIENCE_MS,
    )
    graphs = page.evaluate(GRAPHS_JS)
    assert needed <= {t for g in graphs for t in g["types"]}
    if "heatmap" in needed:  # a heatmap is drawn as an image of its cells
        assert any(g["images"] for g in graphs)
    name = path.strip("/").split("?")[0]
    page.screenshot(path=str(ARTIFACTS / f"browser_{name}.png"), full_page=True)
    page.close()


def test_a_basin_map_cell_opens_its_start_on_the_race_page(server, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1200})
    page.goto(f"{server}/basins?opt=sgd&res=60")
    page.wait_for_function(f"() => ({GRAPHS_JS})().some(g => g.images > 0)", timeout=PATIENCE_MS)
    box = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()
    # Himmelblau's domain is [-5, 5]²: 0.8 across and 0.3 down is near (3, 2)
    x, y = box["x"] + 0.8 * box["width"], box["y"] + 0.3 * box["height"]
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    link = page.get_by_text("Race SGD from this start")
    link.wait_for(timeout=PATIENCE_MS)
    assert (
        "reached the minimizer (3, 2)" in page.locator("p", has_text="Start (").first.inner_text()
    )
    with page.expect_popup() as popup:
        link.click()
    race = popup.value
    race.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    assert "surface=himmelblau" in race.url and "opt=sgd" in race.url
    starts = race.evaluate("() => [...document.querySelectorAll('input[type=number]')]"
                           ".map(i => Number(i.value))")  # fmt: skip
    assert abs(starts[0] - 3.1) < 0.2 and abs(starts[1] - 2.1) < 0.2
    race.close()
    page.close()


def test_switching_pages_keeps_each_page_own_link(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{server}/?surface=booth&opt=adam")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    _show_step(page, 120)
    page.locator('[data-testid="stSidebarNavLink"]', has_text="Saddle escape").click()
    page.wait_for_url("**/escape?*surface=saddle*", timeout=PATIENCE_MS)
    # the race's link did not leak into the escape page's (booth has no saddle: it would warn)
    assert page.locator('[data-testid="stAlertContentWarning"]').count() == 0
    page.locator('[data-testid="stSidebarNavLink"]', has_text="Race").click()
    page.wait_for_url("**surface=booth*", timeout=PATIENCE_MS)  # the race comes back as it was
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    assert page.evaluate(STATE_JS)["step"] == "step 120"  # at the step it was left at
    page.close()


# The race view's parts, as boxes [left, top, right, bottom] in the viewport.
BOXES_JS = """() => {
  const view = document.querySelector('.race-view');
  const r = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
  const area = (gd, xa, ya) => { const p = gd.getBoundingClientRect();
    return [p.left + xa._offset, p.top + ya._offset, p.left + xa._offset + xa._length,
            p.top + ya._offset + ya._length]; };
  const plane = view.querySelector('.race-plane'), loss = view.querySelector('.race-loss');
  const scene = view.querySelector('.race-scene'), size = scene._fullLayout._size;
  const s = scene.getBoundingClientRect(), dom = scene._fullLayout.scene.domain;
  return {
    play: r(view.querySelector('.race-play')),
    rail: r(view.querySelector('.race-step')),
    step: r(view.querySelector('.race-label')),
    contour: area(plane, plane._fullLayout.xaxis, plane._fullLayout.yaxis),
    scene: [s.left + size.l + size.w * dom.x[0], s.top + size.t + size.h * (1 - dom.y[1]),
            s.left + size.l + size.w * dom.x[1], s.top + size.t + size.h * (1 - dom.y[0])],
    colorbar: r(scene.querySelector('.colorbar')),
    xlabels: r(plane.querySelector('.xy .xaxislayer-above')),
    loss: area(loss, loss._fullLayout.xaxis, loss._fullLayout.yaxis),
    legend: r(view.querySelector('.race-legend .legend')),
  };
}"""


def _overlap(a, b) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1


@pytest.mark.parametrize("width,height", [(1024, 768), (1280, 720), (390, 844)])
def test_the_race_and_its_controls_fit_the_screen_without_overlapping(server, browser, width,
                                                                      height):  # fmt: skip
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(server)
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    page.wait_for_timeout(1500)
    boxes = page.evaluate(BOXES_JS)
    page.screenshot(path=str(ARTIFACTS / f"browser_layout_{width}x{height}.png"))
    page.close()
    for name, box in boxes.items():
        assert box[2] <= width + 1, (name, box)  # nothing cut off on the right
    if width >= 1024:  # a projector: the race and its controls without scrolling
        for name in ("play", "rail", "step", "contour", "scene"):
            assert boxes[name][3] <= height, (name, boxes[name])
    names = list(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not _overlap(boxes[a], boxes[b]), (a, boxes[a], b, boxes[b])
    assert boxes["contour"][2] - boxes["contour"][0] >= 100  # still a readable map


HEAD_JS = """(label) => {
  const gd = document.querySelector('.race-plane');
  const i = gd.data.findIndex(t => t.name === label && t.mode === 'markers');
  const group = [...gd.querySelectorAll('.scatterlayer .trace')]
      .find(g => g.__data__[0].trace.index === i);
  const [x, y] = group.querySelector('path.point').getAttribute('transform')
      .match(/-?[\\d.]+/g).map(Number);
  return {x, y};
}"""
PIXEL_JS = """([x, y]) => { const {xaxis, yaxis} = document.querySelector('.race-plane')._fullLayout;
  return [xaxis.c2p(x), yaxis.c2p(y)]; }"""


def _step_is(page, k: int) -> None:
    page.wait_for_function(
        f"() => document.querySelector('.race-view').dataset.step === '{k}'", timeout=PATIENCE_MS
    )


def _page_says_step(page, k: int) -> None:
    """The page's own step (the server's: what its numbers are for) is k."""
    page.get_by_text(f"At step {k}", exact=True).wait_for(timeout=PATIENCE_MS)


def test_presentation_mode_steps_every_optimizer_exactly_and_play_goes_on_from_there(
    server, browser
):
    import optim_core
    import scenes

    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    steps = 500  # Play shows 300 of them: single steps fall between shown ones
    page.goto(f"{server}/?present=1&surface=beale&opt=sgd,adam&steps={steps}&speed=0.25")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    _settled(page)
    # for a projector: the sidebar folded away, large type
    sidebar = page.locator("[data-testid='stSidebar']").bounding_box()
    assert sidebar is None or sidebar["x"] + sidebar["width"] <= 1, sidebar
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "21px"
    assert page.evaluate("getComputedStyle(document.querySelector('.race-play')).fontSize") == "22px"
    start = scenes.Scene("beale").start_point()
    paths = {label: optim_core.run(name, "beale", start, steps, **scenes.race_defaults(name)).path
             for name, label in (("sgd", "SGD"), ("adam", "Adam"))}  # fmt: skip
    nxt = page.get_by_role("button", name="Next step ▶")

    def heads_at(k):
        for label, path in paths.items():
            head = page.evaluate(HEAD_JS, label)
            want = page.evaluate(PIXEL_JS, [float(path[k][0]), float(path[k][1])])
            assert abs(head["x"] - want[0]) < 1.5 and abs(head["y"] - want[1]) < 1.5, (k, label)

    for k in (1, 2, 3):  # the buttons: one step each, both views and the numbers
        nxt.click()
        _step_is(page, k)
        _page_says_step(page, k)
        heads_at(k)
        assert page.evaluate("document.querySelector('.race-view').dataset.step3d") == str(k)
    page.keyboard.press("ArrowLeft")  # the keys: the same, and the page's numbers follow
    _step_is(page, 2)
    _page_says_step(page, 2)
    heads_at(2)
    assert page.get_by_role("table").inner_text().count("(") > 8  # the numbers panel
    page.screenshot(path=str(ARTIFACTS / "presentation_step_2.png"))
    # Play goes on from step 2: its first frame is the next shown step, 3 (not 0)
    frames = int(page.evaluate("document.querySelector('.race-view').dataset.frames"))
    page.click(".race-play")
    page.wait_for_function(
        f"() => +document.querySelector('.race-view').dataset.frames > {frames}", timeout=PATIENCE_MS
    )
    assert page.evaluate("document.querySelector('.race-view').dataset.step") == "3"
    page.wait_for_timeout(1500)
    page.click(".race-play")  # pause: the page's numbers move to where it stopped
    shown = int(page.evaluate("document.querySelector('.race-view').dataset.step"))
    assert shown > 3
    _page_says_step(page, shown)
    nxt.click()  # and a step from there
    _step_is(page, shown + 1)
    heads_at(shown + 1)
    # the mode is part of the link: switched off, the link and the page lose it
    page.get_by_text("Presentation mode").click()
    page.wait_for_function("() => !location.search.includes('present=')", timeout=PATIENCE_MS)
    nxt.wait_for(state="detached", timeout=PATIENCE_MS)  # no step buttons then
    assert not errors, errors
    page.close()


ARROWS_JS = """() => { const gd = document.querySelector('.race-plane');
  const groups = new Map([...gd.querySelectorAll('.scatterlayer .trace')]
      .map(g => [g.__data__[0].trace.index, g]));
  return gd.data.map((t, i) => [t, i]).filter(([t]) => t.mode === 'lines+markers')
    .map(([t, i]) => { const g = groups.get(i); const marks = g.querySelectorAll('path.point');
      return {name: t.name, x: [...t.x], y: [...t.y],
              d: g.querySelector('path.js-line').getAttribute('d'),
              tip: marks[marks.length - 1].getAttribute('transform')}; }); }"""


def test_the_insides_arrows_move_with_play_and_point_along_the_step(server, browser):
    import numpy as np

    import optim_core

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/?surface=beale&opt=sgd,momentum&steps=300&insides=1&speed=0.25")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    _settled(page)
    before = page.evaluate(ARROWS_JS)
    assert len(before) == 2 + 3  # SGD: step, −∇f; Momentum: step, −∇f, −m
    page.click(".race-play")
    page.wait_for_function(f"({STATE_JS})().step !== 'step 0'", timeout=PATIENCE_MS)
    page.wait_for_timeout(1500)
    mid = page.evaluate(ARROWS_JS)  # mid-animation: moved, and from the shown step
    page.screenshot(path=str(ARTIFACTS / "insides_arrows_mid_play.png"))
    k = int(page.evaluate("document.querySelector('.race-view').dataset.step"))
    assert page.evaluate(STATE_JS)["playing"] and k > 0
    assert all(a["d"] != b["d"] for a, b in zip(before, mid, strict=True))
    page.click(".race-play")  # pause, then check one arrow against the core at the step shown
    k = int(page.evaluate("document.querySelector('.race-view').dataset.step"))
    sgd = optim_core.run("sgd", "beale", (1.0, 1.4), 300, lr=0.01)
    arrow = page.evaluate(ARROWS_JS)[0]  # SGD's step
    np.testing.assert_allclose([arrow["x"][0], arrow["y"][0]], sgd.path[k], rtol=1e-5)
    dx, dy = arrow["x"][1] - arrow["x"][0], arrow["y"][1] - arrow["y"][0]
    taken = sgd.path[k + 1] - sgd.path[k]
    assert abs(dx * taken[1] - dy * taken[0]) < 1e-3 * np.hypot(dx, dy) * np.hypot(*taken)
    assert "rotate(" in arrow["tip"]  # the tip turned along the arrow
    assert not errors, errors
    page.close()


# The trial dots of the insides view: each dot shown, in data coordinates.
TRIALS_JS = r"""() => { const gd = document.querySelector('.race-plane');
  const { xaxis, yaxis } = gd._fullLayout;
  const groups = new Map([...gd.querySelectorAll('.scatterlayer .trace')]
      .map(g => [g.__data__[0].trace.index, g]));
  return gd.data.map((t, i) => [t, i]).filter(([t]) => t.marker?.symbol === 'circle-open'
      && t.mode === 'markers' && t.opacity < 1).map(([t, i]) => {
    const g = groups.get(i);
    return [...(g ? g.querySelectorAll('path.point') : [])].filter(p => p.style.display !== 'none')
      .map(p => { const m = /translate\(([^,]+),([^)]+)\)/.exec(p.getAttribute('transform'));
                  return [xaxis.p2c(+m[1]), yaxis.p2c(+m[2])]; }); }); }"""


def test_the_insides_show_the_points_each_line_search_tried(server, browser):
    import numpy as np

    import optim_core
    import surfaces

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/?surface=rosenbrock&opt=cg&steps=40&insides=1&speed=0.25")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    _settled(page)
    page.click(".race-play")
    page.wait_for_timeout(2500)
    page.click(".race-play")  # paused mid-way: the dots of the step shown
    page.wait_for_timeout(500)
    k = int(page.evaluate("document.querySelector('.race-view').dataset.step"))
    page.screenshot(path=str(ARTIFACTS / "insides_trials.png"))
    surface = surfaces.get("rosenbrock")
    cg = optim_core.run("cg", surface, surface.default_start, 40)
    trials = cg.state["trials"][k + 1]
    points = cg.path[k] + trials[~np.isnan(trials), None] * cg.state["p"][k + 1]
    (x0, x1), (y0, y1) = surface.domain
    inside = points[(points[:, 0] >= x0) & (points[:, 0] <= x1)
                    & (points[:, 1] >= y0) & (points[:, 1] <= y1)]  # fmt: skip
    (shown,) = page.evaluate(TRIALS_JS)
    assert 0 < k < 40 and len(inside) >= 1
    # every point tried inside the view is drawn where it was tried (within a pixel or so)
    assert len(shown) == len(points)  # (outside the view: drawn off the plot area)
    np.testing.assert_allclose(sorted(map(tuple, shown)), sorted(map(tuple, points)),
                               atol=0.02)  # fmt: skip
    assert not errors, errors
    page.close()


def _agree(page, k: int) -> None:
    """The view, its 3-D heads and the page's numbers all at step k, and staying there."""
    _step_is(page, k)
    _page_says_step(page, k)
    page.wait_for_timeout(1500)
    assert page.evaluate("document.querySelector('.race-view').dataset.step") == str(k)
    _page_says_step(page, k)


def test_step_buttons_mixed_with_keys_slider_and_play_never_fight(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(f"{server}/?present=1&surface=beale&steps=300")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    _settled(page)
    nxt = page.get_by_role("button", name="Next step ▶")
    back = page.get_by_role("button", name="◀ Previous step")
    nxt.click()  # a button, then the keys before the server has answered
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    _agree(page, 3)
    page.locator(".race-step").fill("150")  # the slider, then a button at once
    nxt.click()
    _agree(page, 151)
    page.click(".race-play")  # a button while it plays: one step back from where it was
    page.wait_for_timeout(1500)
    back.click()
    pressed = int(page.evaluate("document.querySelector('.race-view').dataset.pressed"))
    assert pressed > 151
    _agree(page, pressed - 1)
    assert not page.evaluate(STATE_JS)["playing"]
    # the Play row stays on screen in presentation mode at 1280 × 720
    box = page.locator(".race-play").bounding_box()
    assert box["y"] + box["height"] <= 720, box
    page.close()


# A step button clicked, and the view's own queue of drawing awaited: no round trip to
# the server fits in that (it answers in a rerun, 100s of ms later).
CLICK_NOW_JS = """async (name) => {
  const view = document.querySelector('.race-view');
  [...document.querySelectorAll('button')].find((b) => b.textContent.includes(name)).click();
  await view.__race.queue;
  return view.dataset.step; }"""


def test_a_step_button_moves_the_view_at_once_and_the_numbers_follow(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(f"{server}/?present=1&surface=beale&steps=300")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    _settled(page)
    draws = page.evaluate("document.querySelector('.race-view').dataset.draws")
    assert page.evaluate(CLICK_NOW_JS, "Next step") == "1"  # drawn before the server knew
    _agree(page, 1)
    assert page.evaluate(CLICK_NOW_JS, "Next step") == "2"
    assert page.evaluate(CLICK_NOW_JS, "Previous step") == "1"
    _agree(page, 1)
    # the server's reruns for the numbers did not redraw the graphs (the same runs)
    assert page.evaluate("document.querySelector('.race-view').dataset.draws") == draws
    page.close()


# The data panel's moving lines: each run's model as plotly.js holds it now (the view keeps
# gd.data in step with what it draws) and the SVG path drawn for it.
FIT_JS = """() => {
  const gd = document.querySelector('.race-view .race-fit.js-plotly-plot');
  if (!gd) return null;
  const moving = gd.data.filter(t => t.legendgroup);  // (the data's own traces have none)
  const paths = [...gd.querySelectorAll('.scatterlayer .trace path.js-line')]
      .slice(-moving.length).map(p => p.getAttribute('d'));
  const box = gd.getBoundingClientRect();
  const loss = document.querySelector('.race-view .race-loss').getBoundingClientRect();
  return {lines: moving.map(t => ({name: t.name, x: [...t.x], y: [...t.y]})), paths,
          box: [box.x, box.y, box.width, box.height], loss: [loss.x, loss.width]};
}"""


@pytest.mark.parametrize("surface", ["linear_regression", "logistic_regression"])
def test_the_data_and_each_optimizers_model_move_with_play(server, browser, surface):
    import numpy as np

    import optim_core
    import surfaces

    shape = surfaces.get(surface)
    start = shape.default_start
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/?surface={surface}&opt=sgd,adam&steps=200&batch=2&seed=1"
              "&sgd.lr=0.05&adam.lr=0.05&speed=0.5")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    _settled(page)
    before = page.evaluate(FIT_JS)
    assert [line["name"] for line in before["lines"]] == ["SGD", "Adam"]
    x, width = before["loss"]
    assert x + width <= before["box"][0] + 1  # beside the loss, not over it
    page.click(".race-play")
    page.wait_for_function(f"({STATE_JS})().step !== 'step 0'", timeout=PATIENCE_MS)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / f"data_panel_{surface}_mid_play.png"))
    mid = page.evaluate(FIT_JS)
    assert mid["paths"] != before["paths"]  # the lines moved in the drawing
    page.click(".race-play")
    k = int(page.evaluate("document.querySelector('.race-view').dataset.step"))
    assert k > 0
    now = page.evaluate(FIT_JS)
    for line, name in zip(now["lines"], ("sgd", "adam"), strict=True):
        w = optim_core.run(name, surface, start, 200, lr=0.05, batch_size=2, seed=1).path[k]
        if surface == "linear_regression":  # ŷ = w x + b at both ends
            np.testing.assert_allclose(line["y"], w[0] * np.array(line["x"]) + w[1], rtol=1e-5)
        else:  # the boundary w·x = 0: both ends on it, at right angles to w
            ends = np.column_stack([line["x"], line["y"]])
            np.testing.assert_allclose(ends @ w, 0, atol=1e-5 * np.hypot(*w))
    assert not errors, errors
    page.close()


# The batch just taken, as plotly.js holds it and as it is drawn: its contour lines (the
# points and the SVG path's pieces) and its minimum; early stopping's diamonds.
BATCH_JS = """() => {
  const gd = document.querySelector('.race-view .race-plane.js-plotly-plot');
  const i = gd.data.findIndex(t => t.name === "the batch's loss");
  const low = gd.data.find(t => t.name === "the batch's minimum");
  const kept = gd.data.filter(t => (t.name || '').endsWith(': kept')).map(t => t.name);
  const group = [...gd.querySelectorAll('.scatterlayer .trace')]
      .find(g => g.__data__?.[0]?.trace?.index === i);
  const d = group.querySelector('path.js-line').getAttribute('d');
  return {x: [...gd.data[i].x], y: [...gd.data[i].y], low: [low.x[0], low.y[0]], kept,
          pieces: (d.match(/M/g) || []).length};
}"""


def test_the_batch_just_taken_moves_with_play_and_early_stopping_marks_its_weights(
    server, browser
):
    import numpy as np

    import optim_core
    import surfaces
    import viz

    shape = surfaces.get("logistic_regression(val=0.25)")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/?surface=logistic_regression&surf.val=0.25&opt=sgd&sgd.lr=1.0"
              "&steps=200&batch=5&order=sorted&speed=0.5")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    _settled(page)
    run = optim_core.run("sgd", shape, shape.default_start, 200, lr=1.0, batch_size=5,
                         order="sorted")  # fmt: skip
    found = viz.race.batch_lines(shape, run.taken)

    def lines_of(j):  # batch j's contour lines, as the core traced them
        return found["lines"][found["starts"][j] : found["starts"][j + 1]]

    first = page.evaluate(BATCH_JS)
    assert first["kept"] == ["SGD: kept"]  # the weights early stopping keeps: a diamond
    np.testing.assert_allclose(np.column_stack([first["x"], first["y"]]),
                               lines_of(found["index"][0]), rtol=1e-5)  # fmt: skip
    page.click(".race-play")
    page.wait_for_function(f"({STATE_JS})().step !== 'step 0'", timeout=PATIENCE_MS)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "batch_contour_mid_play.png"))
    page.click(".race-play")
    page.wait_for_timeout(800)  # (the last restyle asked for is drawn)
    k = int(page.evaluate("document.querySelector('.race-view').dataset.step"))
    if found["index"][k - 1] == found["index"][0]:  # (the first batch again: one step on)
        page.locator(".race-step").focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"document.querySelector('.race-view').dataset.step === "
                               f"'{k + 1}'", timeout=PATIENCE_MS)  # fmt: skip
        page.wait_for_timeout(500)
        k += 1
    now = page.evaluate(BATCH_JS)
    j = found["index"][k - 1]  # the batch step k took
    assert j != found["index"][0]  # sorted: another class's batch
    np.testing.assert_allclose(np.column_stack([now["x"], now["y"]]), lines_of(j), rtol=1e-5)
    np.testing.assert_allclose(now["low"], found["low"][j], rtol=1e-6)
    # drawn as separate lines, not joined across the gaps between them
    assert now["pieces"] == int(np.isnan(lines_of(j)[:, 0]).sum()) > 3
    page.get_by_text("Validation loss and early stopping").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "validation_and_orders.png"))
    assert not errors, errors
    page.close()


def test_a_typed_formula_redraws_the_race_and_a_bad_one_leaves_it(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/?surface=custom&f=x%5E2%2By%5E2&opt=sgd,adam&steps=100")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    _settled(page)
    field = page.get_by_label("f(x, y) =", exact=True).and_(page.locator("input"))
    drawn = page.evaluate(f"({STATE_JS})().drawn")
    field.fill("(1 - x)^2 + 100*(y - x^2)^2")
    field.press("Enter")
    page.wait_for_function(f"({STATE_JS})().drawn !== {drawn!r}", timeout=PATIENCE_MS)
    _settled(page)
    assert "(1 - x)^2" in urllib.parse.unquote_plus(page.url)
    assert page.locator("[data-testid='stSidebar'] .katex").first.is_visible()  # rendered back
    drawn = page.evaluate(f"({STATE_JS})().drawn")
    field.fill("x + z")
    field.press("Enter")
    page.get_by_text("unknown name").first.wait_for(timeout=PATIENCE_MS)
    _settled(page)
    assert page.evaluate(f"({STATE_JS})().drawn") == drawn  # the last good race stays
    page.screenshot(path=str(ARTIFACTS / "typed_surface_error.png"))
    # undefined over part of the view (and where the runs step): drawn, and drawn again
    # after it (a nan once reached the browser's JSON and broke the view for good)
    for formula in ("sqrt(x)", "x^2 + y^2"):
        field.fill(formula)
        field.press("Enter")
        page.wait_for_function(f"({STATE_JS})().drawn !== {drawn!r}", timeout=PATIENCE_MS)
        _settled(page)
        drawn = page.evaluate(f"({STATE_JS})().drawn")
        assert page.locator(".race-view").is_visible()
        assert not page.get_by_text("is not valid JSON").count()
    assert not errors, errors
    page.close()


TICKS_JS = """() => {
  const ticks = [...document.querySelectorAll('.race-loss g.ytick text')]
      .filter(t => t.textContent.trim() !== '');
  return ticks.map(t => { const b = t.getBoundingClientRect();
                          return [t.textContent, b.x, b.y, b.width, b.height]; });
}"""


@pytest.mark.parametrize("link", [
    # converges to machine precision: 34 decades before (a black smear)
    "?surface=himmelblau&opt=sgd,momentum,adam,rmsprop&steps=600",
    # a narrow range: a single label ("10") before
    "?surface=rosenbrock&opt=sgd,adam&steps=300&adam.sched=cosine",
])  # fmt: skip
def test_the_loss_axis_has_three_to_eight_labels_that_do_not_overlap(server, browser, link):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/{link}")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    page.wait_for_function(f"({TICKS_JS})().length > 0", timeout=PATIENCE_MS)
    ticks = page.evaluate(TICKS_JS)
    assert 3 <= len(ticks) <= 8, ticks
    boxes = sorted(ticks, key=lambda t: t[2])
    for (_, _, y0, _, h0), (_, _, y1, _, _) in zip(boxes, boxes[1:], strict=False):
        assert y0 + h0 <= y1 + 0.5, ticks  # each label clear of the next
    if "himmelblau" in link:
        note = page.locator(".race-loss", has_text="the minimum to machine precision")
        assert note.count() == 1
    page.close()


def test_the_3d_heads_write_no_names_that_could_collide(server, browser):
    """The default scene's heads are close after a few steps: names written beside them
    piled into one blob. Each head has its own colour, the legend's."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(server)
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    texts = """() => [...document.querySelector('.race-scene')._fullData]
        .filter(t => t.type === 'scatter3d' && (t.mode || '').includes('text')).length"""
    colours = """() => [...document.querySelector('.race-scene')._fullData]
        .filter(t => t.type === 'scatter3d' && t.mode === 'markers')
        .map(t => t.marker.color)"""
    for k in range(11):
        _show_step(page, k)
        assert page.evaluate(texts) == 0, k
    heads = page.evaluate(colours)
    assert len(heads) == 5 and len(set(heads)) == 5  # the default five, one colour each
    page.close()


def test_the_results_table_fits_a_1024_px_screen_with_the_rest_on_demand(server, browser):
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    page.goto(f"{server}/?surface=saddle&opt=sgd,momentum,nag,rmsprop,adam,adagrad")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    scroller = "() => { const s = document.querySelector(\"[data-testid='stDataFrame'] .dvn-scroller\");" \
               " return s ? [s.scrollWidth, s.clientWidth] : null; }"
    page.wait_for_function(f"({scroller})() !== null", timeout=PATIENCE_MS)
    wide, shown = page.evaluate(scroller)
    assert wide <= shown + 1, (wide, shown)  # no horizontal scrolling
    page.get_by_text("All columns").click()  # the rest, on demand
    page.wait_for_function(f"({scroller})()[0] > {wide} + 50", timeout=PATIENCE_MS)
    page.close()


@pytest.mark.parametrize("width, height", [(1024, 768), (1280, 720)])
def test_presentation_mode_shows_its_buttons_labels_whole(server, browser, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{server}/?present=1")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    # (Streamlit cuts a label that does not fit with an ellipsis in .stMarkdownEllipsis)
    labels_js = """() => [...document.querySelectorAll(
          "[data-testid='stMain'] button .stMarkdownEllipsis, [data-testid='stMain'] label .stMarkdownEllipsis")]
        .filter(e => e.offsetParent !== null)
        .map(e => [e.textContent, e.scrollWidth - e.clientWidth])"""
    page.wait_for_function(f"({labels_js})().length >= 3", timeout=PATIENCE_MS)  # all drawn
    page.wait_for_timeout(500)  # (the layout settles)
    labels = {text: over for text, over in page.evaluate(labels_js)}
    for name in ("◀ Previous step", "Next step ▶", "Presentation mode"):
        assert labels.get(name) == 0, (name, labels)  # there, and not cut short
    page.close()


# Where the parts a teacher needs are, as boxes [left, top, right, bottom].
ROOM_JS = """() => {
  const r = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
  const v = document.querySelector('.race-view'), plane = v.querySelector('.race-plane');
  const {xaxis, yaxis} = plane._fullLayout, p = plane.getBoundingClientRect();
  const button = (text) => { const b = [...document.querySelectorAll('button')]
      .find(b => b.textContent.includes(text)); return b ? r(b) : null; };
  const table = v.querySelector('.race-numbers table');
  return {legend: r(v.querySelector('.race-legend')),  // (its graph: the legend clipped to it)
          contour: [p.left + xaxis._offset, p.top + yaxis._offset,
                    p.left + xaxis._offset + xaxis._length, p.top + yaxis._offset + yaxis._length],
          scene: r(v.querySelector('.race-scene')), play: r(v.querySelector('.race-controls')),
          numbers: table ? r(table) : null,
          back: button('Previous step'), next: button('Next step'),
          mode: v.dataset.legend}; }"""


@pytest.mark.parametrize("width, height, many", [(1024, 768, False), (1280, 720, False),
                                                 (1280, 720, True)])  # fmt: skip
def test_presentation_mode_holds_the_buttons_views_and_numbers_on_one_screen(
    server, browser, width, height, many
):
    import optim_core

    page = browser.new_page(viewport={"width": width, "height": height})
    chosen = "&opt=" + ",".join(optim_core.optimizer_names()) if many else ""
    page.goto(f"{server}/?present=1{chosen}")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    page.locator(".race-numbers table").wait_for(timeout=PATIENCE_MS)
    _settled(page)
    boxes = page.evaluate(ROOM_JS)
    page.screenshot(path=str(ARTIFACTS / f"presentation_{width}x{height}{'_all' if many else ''}.png"))
    page.close()
    mode = boxes.pop("mode")
    # the legend: one row above the views, or (14 optimizers) a column beside them
    assert mode == ("beside" if many else "1 row"), mode
    if many:
        assert boxes["legend"][0] >= max(boxes["contour"][2], boxes["scene"][2]) - 1, boxes
    else:
        assert boxes["legend"][3] <= boxes["contour"][1], boxes
        assert boxes["legend"][3] - boxes["legend"][1] < 50, boxes  # one row: not 3
    # on one screen: the step buttons, the views, Play and (for the default five) the
    # numbers at the step shown
    for name in ("back", "next", "contour", "scene", "play") + (() if many else ("numbers",)):
        assert boxes[name][3] <= height and boxes[name][2] <= width + 1, (name, boxes[name])
    assert boxes["contour"][2] - boxes["contour"][0] >= 200, boxes  # a readable map
    names = [n for n in boxes if n != "contour" and boxes[n]]  # (the contour is in the plane)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not _overlap(boxes[a], boxes[b]), (a, boxes[a], b, boxes[b])


def test_outside_presentation_mode_the_legend_leaves_the_map_its_room(server, browser):
    """At 1366 × 768 with the sidebar open: five optimizers' legend in one row above
    the views; all fourteen in a column beside them (it wrapped to five rows over the
    contour)."""
    import optim_core

    page = browser.new_page(viewport={"width": 1366, "height": 768})
    sizes = {}
    for query, want in (("", "1 row"), ("opt=" + ",".join(optim_core.optimizer_names()),
                                        "beside")):  # fmt: skip
        page.goto(f"{server}/?{query}")
        page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
        _settled(page)
        boxes = page.evaluate(ROOM_JS)
        assert boxes["mode"] == want, boxes
        assert not _overlap(boxes["legend"], boxes["contour"]), boxes
        assert not _overlap(boxes["legend"], boxes["scene"]), boxes
        sizes[want] = boxes["contour"][3] - boxes["contour"][1]
    page.close()
    assert min(sizes.values()) >= 280, sizes  # (a wrapped legend left it 225 px)


# Every progress bar's text as the page shows it, in order (a MutationObserver's record).
BARS_JS = """() => { window.__bars = [];
  const seen = () => document.querySelectorAll('[data-testid=stProgress]').forEach(e => {
    const text = e.innerText.trim();
    if (text && window.__bars[window.__bars.length - 1] !== text) window.__bars.push(text); });
  new MutationObserver(seen).observe(document.body, {subtree: true, childList: true,
                                                     characterData: true}); }"""


def test_a_long_basin_map_shows_progress_that_moves_and_a_change_cancels_it(server, browser):
    """200 × 200 starts × 5,000 Adam steps on Himmelblau (seconds of work): the bar moves
    while it runs; a new number of steps stops it there (it never reaches its end) and the
    new map is drawn."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.add_init_script(f"window.addEventListener('DOMContentLoaded', {BARS_JS})")
    page.goto(f"{server}/basins?surface=himmelblau&opt=adam&res=200&steps=5000")
    long_text = "40,000 starts × 5,000 steps"
    page.wait_for_function(f"() => window.__bars.filter(t => t.includes('{long_text}')).length >= 3",
                           timeout=PATIENCE_MS)  # fmt: skip
    steps = page.get_by_label("Steps", exact=True).and_(page.get_by_test_id("stNumberInputField"))
    steps.fill("10")
    steps.press("Enter")
    # (the new map's own bar may come and go within one render: not waited for)
    page.wait_for_function("() => location.search.includes('steps=10&')"
                           " || location.search.endsWith('steps=10')", timeout=PATIENCE_MS)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stProgress]')"
        " && !document.querySelector('[data-testid=stStatusWidget]')", timeout=PATIENCE_MS)
    bars = page.evaluate("window.__bars")
    page.close()
    old = [int(t.rsplit(" ", 1)[-1].rstrip("%")) for t in bars if long_text in t]
    assert old == sorted(old) and old[-1] > old[0], bars  # it moved
    assert old[-1] < 99, bars  # and was stopped, not finished behind the new request
    shown = [t for t in bars if "× 10 steps" in t]
    if shown:  # nothing of the old work after the new one began
        assert all(long_text not in t for t in bars[bars.index(shown[0]):]), bars


# The loss plot's x-axis title, and each run's dot on it (against evaluations): its x,
# and the x in pixels it is drawn at, beside where plotly.js puts that x.
LOSS_AXIS_JS = """() => { const gd = document.querySelector('.race-loss');
  const title = gd.querySelector('.g-xtitle'); if (!title || !gd._fullLayout) return null;
  const groups = new Map([...gd.querySelectorAll('.scatterlayer .trace')]
      .map(g => [g.__data__?.[0]?.trace?.index, g]));
  const dots = gd.data.map((t, i) => [t, i]).filter(([t]) => t.mode === 'markers' && t.hoverinfo === 'skip');
  return {title: title.textContent, dots: Object.fromEntries(dots.map(([t, i]) => {
    const at = groups.get(i)?.querySelector('path.point')?.getAttribute('transform');
    const px = at ? parseFloat(at.match(/translate\\(([-\\d.]+)/)[1]) : null;
    return [t.name, [t.x[0], px, gd._fullLayout.xaxis.c2p(t.x[0])]]; }))}; }"""


def test_the_loss_plot_reads_gradient_evaluations_after_the_switch(server, browser):
    import optim_core
    import scenes

    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/?surface=rosenbrock&opt=adam,bfgs,cg&steps=120")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    page.wait_for_function(f"({LOSS_AXIS_JS})() !== null", timeout=PATIENCE_MS)
    assert page.evaluate(LOSS_AXIS_JS) == {"title": "step", "dots": {}}  # one vertical cursor
    _show_step(page, 15)
    page.locator(".race-loss").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "loss_against_steps.png"))
    drawn = page.evaluate(f"({STATE_JS})().drawn")
    page.get_by_text("gradient evaluations", exact=True).click()
    page.wait_for_function(f"({STATE_JS})().drawn !== {drawn!r}", timeout=PATIENCE_MS)
    page.wait_for_function(f"({LOSS_AXIS_JS})().title === '∇f evaluations'", timeout=PATIENCE_MS)
    assert "xaxis=evals" in page.url
    assert page.evaluate(STATE_JS)["step"] == "step 15"  # the step shown stays
    # each run's dot at step 15 sits at the evaluations it had taken by then
    dots = page.evaluate(LOSS_AXIS_JS)["dots"]
    assert set(dots) == {"Adam", "BFGS", "CG (PR+)"}
    start = (-1.5, 2.0)  # Rosenbrock's default start
    for name, title in (("adam", "Adam"), ("bfgs", "BFGS"), ("cg", "CG (PR+)")):
        run = optim_core.run(name, "rosenbrock", start, 120, **scenes.race_defaults(name))
        x, px, where = dots[title]
        assert x == optim_core.evaluations(run).grad[15], (title, dots)
        assert px == pytest.approx(where, abs=0.6), (title, dots)  # drawn there
    assert dots["BFGS"][0] > 15 and dots["Adam"][0] == 15  # a line search costs more a step
    page.screenshot(path=str(ARTIFACTS / "loss_against_evaluations.png"))
    # the slider moves the dots along their lines
    _show_step(page, 5)
    moved = page.evaluate(LOSS_AXIS_JS)["dots"]
    assert moved["Adam"][0] == 5 and moved["BFGS"][0] < dots["BFGS"][0]
    assert moved["BFGS"][1] == pytest.approx(moved["BFGS"][2], abs=0.6)
    page.close()


def test_real_network_page_draws_the_plane_and_plays_the_projected_paths(server, browser):
    """The Real network page: a moons net trained by SGD and Adam, the loss over the
    PCA plane drawn in both views, Play moving the projected heads, and the figure of
    what the projection hides under them."""
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.goto(f"{server}/network?data=moons&width=8&opt=sgd,adam&steps=200&res=31")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    page.wait_for_function(f"({STATE_JS})().scene[2] > 100")
    before = page.evaluate(STATE_JS)
    assert before["image"] and before["step"].strip() == "step 0"
    assert _colours_in(page, before["scene"]) > 50, "the 3-D surface is blank"
    assert "The plane" in page.inner_text("body") and "explains" in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "network_before_play.png"))
    page.get_by_text("▶ Play").first.click()
    page.wait_for_function(f"parseInt(({STATE_JS})().step.split(' ').pop()) > 20",
                           timeout=PATIENCE_MS)  # fmt: skip
    during = page.evaluate(STATE_JS)
    page.screenshot(path=str(ARTIFACTS / "network_during_play.png"))
    assert len(set(during["markers"]) - set(before["markers"])) >= 2  # both heads moved
    assert during["image"] and _colours_in(page, during["scene"]) > 50, "a view vanished"
    page.wait_for_function(f"({STATE_JS})().step.trim() === 'step 200'", timeout=PATIENCE_MS)
    hides = page.get_by_text("What the projection hides")
    hides.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 4",
                           timeout=PATIENCE_MS)  # fmt: skip
    page.screenshot(path=str(ARTIFACTS / "network_after_play.png"))
    page.close()


STANDARDIZE_JS = """() => {
  const gd = [...document.querySelectorAll('.js-plotly-plot')]
      .find(g => g.textContent.includes('Standardized inputs: κ'));
  if (!gd) return null;
  return {titles: [...gd.querySelectorAll('.annotation-text')].map(t => t.textContent),
          images: gd.querySelectorAll('.layer-below image, .imagelayer image').length,
          lines: [...gd.querySelectorAll('.scatterlayer path.js-line')]
              .filter(p => (p.getAttribute('d') || '').length > 50).length};
}"""


def test_the_standardize_switch_draws_both_landscapes_and_switches_off(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/?surface=linear_regression&surf.standardize=1&opt=sgd,adam"
              "&sgd.lr=0.1&adam.lr=0.1")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    page.wait_for_function(f"({STANDARDIZE_JS})() && ({STANDARDIZE_JS})().lines >= 6",
                           timeout=PATIENCE_MS)  # fmt: skip
    shown = page.evaluate(STANDARDIZE_JS)
    # two landscapes with their contour lines and both runs on each, κ in the titles
    assert shown["titles"][:2] == ["Raw inputs: κ = 32.4", "Standardized inputs: κ = 1"]
    assert shown["images"] == 2
    page.get_by_text("Before and after standardizing").first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "browser_standardize.png"))
    page.get_by_text("Standardize the inputs").first.click()  # off: the raw race alone
    page.wait_for_function(f"!({STANDARDIZE_JS})()", timeout=PATIENCE_MS)
    page.wait_for_function("!location.search.includes('standardize')", timeout=PATIENCE_MS)
    assert not errors, errors


def test_real_network_page_with_batch_normalization_and_its_largest_stable_alpha(server,
                                                                                  browser):
    """The Real network page opened with batch normalization on (bn=1) and the largest
    stable α section (stable=1): the normalized net's plane drawn, the section's table,
    chart and sentence; switching BN off from the sidebar drops it from the link."""
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.goto(f"{server}/network?data=moons&width=8&opt=sgd,adam&steps=60&res=21&bn=1&stable=1")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    body = page.inner_text("body")
    assert "2-8-2 tanh MLP with batch norm on two moons" in body
    page.get_by_text("Largest stable α, with and without batch normalization").first \
        .scroll_into_view_if_needed()  # fmt: skip
    page.wait_for_function("document.body.innerText.includes('Measured on this net (60 steps')",
                           timeout=PATIENCE_MS)  # fmt: skip
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 4",
                           timeout=PATIENCE_MS)  # fmt: skip
    page.screenshot(path=str(ARTIFACTS / "network_batchnorm_stable.png"), full_page=True)
    assert "running averages" in page.inner_text("body")
    page.get_by_text("Batch normalization", exact=True).first.click()  # the switch: off
    page.wait_for_function("!window.location.search.includes('bn=1')", timeout=PATIENCE_MS)
    page.wait_for_function("document.body.innerText.includes('2-8-2 tanh MLP on two moons')",
                           timeout=PATIENCE_MS)  # fmt: skip
    page.close()


def test_the_practice_controls_work_in_the_browser(server, browser):
    """The order of the examples chosen in the sidebar reaches the link and redraws the
    race; the Real network page's validation split draws early stopping's section and
    taking it away removes it."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/?surface=logistic_regression&opt=sgd&sgd.lr=1.0&steps=100&batch=5")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    drawn = page.evaluate("document.querySelector('.race-view').dataset.drawn")
    page.get_by_text("Order of the examples").first.scroll_into_view_if_needed()
    page.locator(".st-key-order").click()
    page.get_by_role("option", name="curriculum: easy first (Bengio et al. 2009)").click()
    page.wait_for_function("location.search.includes('order=curriculum')", timeout=PATIENCE_MS)
    page.wait_for_function(f"document.querySelector('.race-view').dataset.drawn !== '{drawn}'",
                           timeout=PATIENCE_MS)  # fmt: skip
    page.get_by_text("Easy first, by").first.wait_for(timeout=PATIENCE_MS)
    page.goto(f"{server}/network?data=moons&width=8&opt=sgd,adam&steps=200&res=21&val=0.2")
    page.get_by_text("Validation loss and early stopping").first.wait_for(timeout=PATIENCE_MS)
    page.get_by_text("Validation loss and early stopping").first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "network_validation.png"))
    slider = page.locator(".st-key-network-val input[type=range]")
    slider.focus()
    slider.press("Home")  # none held out
    page.wait_for_function("!location.search.includes('val=')", timeout=PATIENCE_MS)
    page.wait_for_function(
        "!document.body.innerText.includes('Validation loss and early stopping')",
        timeout=PATIENCE_MS)  # fmt: skip
    assert not errors, errors
    page.close()


def test_the_validation_early_stopping_and_plateau_controls_work_in_the_browser(server, browser):
    """On the race page: the validation slider holds examples out (the section comes), early
    stopping's patience reaches the link, and a plateau schedule set to watch the validation
    loss draws its α chart and its formula (no KaTeX error)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/?surface=logistic_regression&opt=sgd&sgd.lr=2.0&steps=150&batch=5")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    slider = page.locator(".st-key-surf-logistic_regression-val input[type=range]")
    slider.wait_for(timeout=PATIENCE_MS)
    slider.focus()
    slider.press("ArrowRight")  # 0 → 0.05: two of the 40 examples held out
    page.wait_for_function("location.search.includes('surf.val=0.05')", timeout=PATIENCE_MS)
    page.get_by_text("Validation loss and early stopping").first.wait_for(timeout=PATIENCE_MS)
    patience = page.locator(".st-key-stop_patience input")
    patience.fill("7")
    patience.press("Enter")
    page.wait_for_function("location.search.includes('stop_patience=7')", timeout=PATIENCE_MS)
    page.get_by_text("α schedules", exact=True).first.click()
    page.locator(".st-key-sgd-sched").click()
    page.get_by_role("option", name="cut on a plateau (ReduceLROnPlateau)").click()
    page.wait_for_function("location.search.includes('sgd.sched=plateau')", timeout=PATIENCE_MS)
    page.locator(".st-key-sgd-sched-monitor").get_by_text("the validation loss").click()
    page.wait_for_function("location.search.includes('sgd.sched.monitor=validation')",
                           timeout=PATIENCE_MS)  # fmt: skip
    page.get_by_text("α against step").first.wait_for(timeout=PATIENCE_MS)
    page.get_by_text("SGD's α was cut at step").first.wait_for(timeout=PATIENCE_MS)
    page.get_by_text("α against step").first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "plateau_on_the_race_page.png"))
    assert page.locator(".katex-error").count() == 0  # every formula renders
    assert not errors, errors
    page.close()


def test_the_workers_page_plays_the_server_strong_and_the_workers_faint(server, browser):
    """The Workers page: Downpour's stale pushes (the server diverges at step 88) drawn
    with one legend entry for the eight workers, Play moving every head, then a preset
    picked in the sidebar redraws the race with its caption."""
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/workers?push=4&fetch=4")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    legend = page.inner_text(".race-legend")
    assert legend.count("the workers (8), each its own copy") == 1 and "the server" in legend
    assert "step 88 (704 gradients)" in page.inner_text("body")  # the sentence (the table is a canvas)
    assert "simulated" in page.inner_text("body").lower()
    loss_lines = """() => [...document.querySelectorAll('.race-loss .scatterlayer path.js-line')]
        .filter(p => (p.getAttribute('d') || '').length > 20).length"""
    assert page.evaluate(loss_lines) >= 9  # the server's loss and each worker's
    before = page.evaluate(STATE_JS)
    page.click(".race-play")
    page.wait_for_function(f"parseInt(({STATE_JS})().step.split(' ').pop()) > 20",
                           timeout=PATIENCE_MS)  # fmt: skip
    page.screenshot(path=str(ARTIFACTS / "workers_during_play.png"))
    during = page.evaluate(STATE_JS)
    assert len(set(during["markers"]) - set(before["markers"])) >= 5  # the heads moved
    page.wait_for_function(f"({STATE_JS})().step.trim() === 'step 300'", timeout=PATIENCE_MS)
    page.locator(".st-key-workers-preset").click()
    page.get_by_role("option", name="EASGD: the workers explore, the center sits between").click()
    page.wait_for_function("document.body.innerText.includes('two different minima')",
                           timeout=PATIENCE_MS)  # fmt: skip
    page.wait_for_function(f"""() => {DRAWN_JS} &&
        document.querySelector('.race-legend').innerText.includes('the center')""",
                           timeout=PATIENCE_MS)  # fmt: skip
    assert "the workers (4), each its own copy" in page.inner_text(".race-legend")
    page.screenshot(path=str(ARTIFACTS / "workers_easgd.png"))
    page.close()


def test_the_workers_page_sections_draw_from_the_link(server, browser):
    """The Workers page's delay-tolerant AdaGrad and Hogwild! sections, from a link's
    dt_… and hw_… values: both sections' figures drawn, the words the reader sees the
    core's numbers (AdaGrad's divergence step as measured), the controls set, and the
    link keeps every section's values beside the page's own."""
    from optim_core import delay_tolerant as dt

    adagrad = dt.run_delay_tolerant("rosenbrock", (-1.5, 2.0), 500, form="adagrad", lr=20.0,
                                    delay=8, record="final")  # fmt: skip
    tolerant = dt.run_delay_tolerant("rosenbrock", (-1.5, 2.0), 500, lr=20.0, delay=8,
                                     record="final")  # fmt: skip
    assert adagrad.diverged_step >= 0 and tolerant.diverged_step < 0
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(f"{server}/workers?dt_surface=rosenbrock&dt_mode=fixed&dt_tau=8&dt_lr=20.0"
              "&dt_steps=500&hw_k=4&hw_density=0.25&hw_lr=0.02&hw_steps=2000")
    words = page.get_by_text("At α = 20 with τ = 8")
    words.wait_for(timeout=PATIENCE_MS)
    text = words.inner_text()
    assert f"AdaGrad diverges at step {int(adagrad.diverged_step)};" in text
    assert "largest α without divergence: larger at τ = 1, 2, 4, 8" in text
    sentence = page.get_by_text("With K = 4 workers at α = 0.02, over 2,000 gradients")
    sentence.wait_for(timeout=PATIENCE_MS)
    assert "sparse (density 0.25)" in sentence.inner_text()
    assert page.locator(".st-key-workers-hogwild-k input").get_attribute("value") == "4"
    hog = ".st-key-workers-hogwild-figure"
    page.locator(hog).scroll_into_view_if_needed()
    page.wait_for_function(f"""() => {{
        const g = document.querySelector('{hog} .js-plotly-plot');
        return g && g.querySelectorAll('.subplot').length >= 3
            && g.querySelectorAll('.scatterlayer .trace').length >= 12; }}""",
                           timeout=PATIENCE_MS)  # fmt: skip
    for name in ("loss", "stability"):  # the AdaGrad section's two figures, drawn
        page.wait_for_function(f"""() => {{
            const g = document.querySelector('.st-key-workers-dt-{name}_figure .js-plotly-plot');
            return g && g.querySelectorAll('.scatterlayer path.js-line').length >= 2; }}""",
                               timeout=PATIENCE_MS)  # fmt: skip
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert query["dt_tau"] == ["8"] and query["hw_k"] == ["4"] and query["scheme"] == ["downpour"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "workers_sections.png"), full_page=True)
    page.close()


def test_tuning_alpha_for_each_optimizer_in_the_browser(server, browser):
    """The race's "Tune α for each optimizer": pressed in the sidebar, each optimizer's α
    is the tuned one in the link, the race is drawn anew and the section shows."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/?surface=rosenbrock&opt=sgd,adam&steps=300")
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    page.get_by_text("Fair tuning: α for each optimizer").click()
    page.get_by_role("button", name="Tune α for each optimizer").click()
    page.get_by_text("Tuned α: each optimizer at its best").wait_for(timeout=PATIENCE_MS)
    page.wait_for_function("location.search.includes('tune=final.one')", timeout=PATIENCE_MS)
    import optim_core

    found = optim_core.tune_all(["sgd", "adam"], "rosenbrock", (-1.5, 2.0), 300)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    for name in ("sgd", "adam"):
        assert float(query[f"{name}.lr"][0]) == pytest.approx(found[name].alpha, rel=1e-12)
    page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "race_tuned.png"))
    page.close()
