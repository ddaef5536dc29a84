"""The real page in headless Chromium: both plots drawn, Play pressed, and the static
pictures still there while the animation runs (plotly.js can drop them then)."""

import io
import os
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

pytestmark = pytest.mark.browser


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
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).status == 200:
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not start within 60 s")


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


# What the race plot shows right now, read from its DOM.
STATE_JS = """() => {
  const gd = [...document.querySelectorAll('.js-plotly-plot')]
      .find(g => g.querySelector('g.slider-container'));
  if (!gd) return null;
  const lines = [...gd.querySelectorAll('.subplot.xy .scatterlayer path.js-line')]
      .filter(p => (p.getAttribute('d') || '').length > 50).length;
  const image = gd.querySelector('.layer-below .imagelayer image, g.imagelayer image');
  const href = image ? (image.getAttribute('href') || image.getAttribute('xlink:href') || '') : '';
  const current = gd.querySelector('text.slider-label');
  const singles = [...gd.querySelectorAll('.scatterlayer .trace')]
      .map(t => [...t.querySelectorAll('path.point')])
      .filter(pts => pts.length === 1).map(pts => pts[0].getAttribute('transform'));
  const canvas = gd.querySelector('.gl-container canvas');
  const box = canvas ? canvas.getBoundingClientRect() : null;
  return {lines: lines, image: href.startsWith('data:image/png'),
          step: current ? current.textContent : null, markers: singles,
          scene: box ? [box.x, box.y, box.width, box.height] : null};
}"""


def _pixels(page, box):
    import numpy as np
    from PIL import Image

    x, y, w, h = box
    png = page.screenshot(clip={"x": x, "y": y, "width": w, "height": h})
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


def _colours_in(page, box) -> int:
    rgb = _pixels(page, box).reshape(-1, 3)
    return len({tuple(p) for p in rgb[:: max(1, len(rgb) // 20000)]})


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
    page.wait_for_function(f"({STATE_JS})() && ({STATE_JS})().lines > 5", timeout=60_000)
    page.wait_for_function(f"({STATE_JS})().scene && ({STATE_JS})().scene[2] > 100")
    load_seconds = time.time() - t0
    before = page.evaluate(STATE_JS)
    assert before["image"] and before["step"].strip() == "step 0"
    assert _colours_in(page, before["scene"]) > 50, "the 3-D surface is blank"
    page.screenshot(path=str(ARTIFACTS / "browser_before_play.png"))

    page.get_by_text("▶ Play").first.click()
    seen = [0]
    for i in range(3):
        # wait for the next frames (software WebGL is slow), then look while they play
        page.wait_for_function(
            f"parseInt(({STATE_JS})().step.split(' ').pop()) > {seen[-1]}", timeout=30_000
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
        assert _colours_in(page, during["scene"]) > 50, "the 3-D surface vanished"
    page.get_by_text("❚❚ Pause").first.click()
    page.screenshot(path=str(ARTIFACTS / "browser_paused.png"))
    (ARTIFACTS / "browser_load_seconds.txt").write_text(f"{load_seconds:.2f}\n")
    page.close()


def test_a_tampered_link_shows_a_warning_in_the_browser(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{server}/?opt=adam,adamw&adam.lr=abc")
    page.get_by_text("Unknown optimizer adamw").first.wait_for(timeout=60_000)
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
    alert.wait_for(timeout=60_000)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
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
    page.wait_for_function(f"({STATE_JS})() && ({STATE_JS})().lines > 5", timeout=60_000)
    page.wait_for_function(f"({STATE_JS})().scene && ({STATE_JS})().scene[2] > 100")
    # SGD's path is drawn on top of the 3-D surface, not buried in it
    scene_box = page.evaluate(STATE_JS)["scene"]
    assert _pixels_near(page, scene_box, SGD_VERMILLION) > 30
    page.screenshot(path=str(ARTIFACTS / "browser_quadratic_sgd.png"))
    box = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()
    # the quadratic's domain is [-5, 5]²: 3/4 across and 1/4 down is (2.5, 2.5)
    x, y = box["x"] + 0.75 * box["width"], box["y"] + 0.25 * box["height"]
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    page.wait_for_function(
        "() => [...document.querySelectorAll('input[type=number]')].map(i => i.value)"
        ".join() === '2.5,2.5'",
        timeout=30_000,
    )
    page.wait_for_url("**start=2.5%2C2.5**")
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
        timeout=90_000,
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
    page.wait_for_function(f"() => ({GRAPHS_JS})().some(g => g.images > 0)", timeout=90_000)
    box = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()
    # Himmelblau's domain is [-5, 5]²: 0.8 across and 0.3 down is near (3, 2)
    x, y = box["x"] + 0.8 * box["width"], box["y"] + 0.3 * box["height"]
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    link = page.get_by_text("Race SGD from this start")
    link.wait_for(timeout=30_000)
    assert "reached the minimizer (3, 2)" in page.locator("p", has_text="Start (").first.inner_text()
    with page.expect_popup() as popup:
        link.click()
    race = popup.value
    race.wait_for_function(f"({STATE_JS})() && ({STATE_JS})().lines > 5", timeout=60_000)
    assert "surface=himmelblau" in race.url and "opt=sgd" in race.url
    starts = race.evaluate("() => [...document.querySelectorAll('input[type=number]')]"
                           ".map(i => Number(i.value))")  # fmt: skip
    assert abs(starts[0] - 3.1) < 0.2 and abs(starts[1] - 2.1) < 0.2
    race.close()
    page.close()


def test_switching_pages_keeps_each_page_own_link(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{server}/?surface=booth&opt=adam")
    page.wait_for_function(f"({STATE_JS})() && ({STATE_JS})().lines > 5", timeout=60_000)
    page.locator('[data-testid="stSidebarNavLink"]', has_text="Saddle escape").click()
    page.wait_for_url("**/escape?*surface=saddle*", timeout=60_000)
    # the race's link did not leak into the escape page's (booth has no saddle: it would warn)
    assert page.locator('[data-testid="stAlertContentWarning"]').count() == 0
    page.locator('[data-testid="stSidebarNavLink"]', has_text="Race").click()
    page.wait_for_url("**surface=booth*", timeout=60_000)  # the race comes back as it was
    page.close()


# The race figure's parts, as boxes [left, top, right, bottom] in the viewport.
BOXES_JS = """() => {
  const gd = [...document.querySelectorAll('.js-plotly-plot')]
      .find(g => g.querySelector('g.slider-container'));
  const r = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
  const page = gd.getBoundingClientRect(), size = gd._fullLayout._size;
  const L = gd._fullLayout, dom = L.scene.domain, xa = L.xaxis, ya = L.yaxis, xb = L.xaxis2,
        yb = L.yaxis2;
  const buttons = [...gd.querySelectorAll('.updatemenu-button')].map(r);
  return {
    play: buttons[0], pause: buttons[1],
    rail: r(gd.querySelector('.slider-rail-rect')),
    step: r(gd.querySelector('text.slider-label')),
    contour: [page.left + xa._offset, page.top + ya._offset, page.left + xa._offset + xa._length,
              page.top + ya._offset + ya._length],
    scene: [page.left + size.l + size.w * dom.x[0], page.top + size.t + size.h * (1 - dom.y[1]),
            page.left + size.l + size.w * dom.x[1], page.top + size.t + size.h * (1 - dom.y[0])],
    colorbar: r(gd.querySelector('.colorbar')),
    xlabels: r(gd.querySelector('.xy .xaxislayer-above')),
    loss: [page.left + xb._offset, page.top + yb._offset, page.left + xb._offset + xb._length,
           page.top + yb._offset + yb._length],
    legend: r(gd.querySelector('.legend')),
  };
}"""


def _overlap(a, b) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1


@pytest.mark.parametrize("width,height", [(1024, 768), (1280, 720), (390, 844)])
def test_the_race_and_its_controls_fit_the_screen_without_overlapping(server, browser, width,
                                                                      height):  # fmt: skip
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(server)
    page.wait_for_selector(".js-plotly-plot .updatemenu-button", timeout=60_000)
    page.wait_for_timeout(1500)
    boxes = page.evaluate(BOXES_JS)
    page.screenshot(path=str(ARTIFACTS / f"browser_layout_{width}x{height}.png"))
    page.close()
    for name, box in boxes.items():
        assert box[2] <= width + 1, (name, box)  # nothing cut off on the right
    if width >= 1024:  # a projector: the race and its controls without scrolling
        for name in ("play", "pause", "rail", "step", "contour", "scene"):
            assert boxes[name][3] <= height, (name, boxes[name])
    names = list(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not _overlap(boxes[a], boxes[b]), (a, boxes[a], b, boxes[b])
    assert boxes["contour"][2] - boxes["contour"][0] >= 100  # still a readable map
