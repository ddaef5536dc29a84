"""The Workers page's Hogwild! section in a real browser: a link's values reach the
controls, and the figure, the table and the sentence the user reads are drawn from them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_browser import ARGS, CHROMIUM, PATIENCE_MS, _need_browser, start_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SCRIPT = Path(__file__).with_name("hogwild_page_script.py")
SHOTS = os.environ.get("HOGWILD_SHOTS")  # a folder: keep a screenshot there


@pytest.fixture(scope="module")
def page():
    _need_browser()
    from playwright.sync_api import sync_playwright

    proc, url = start_app(SCRIPT)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            tab = browser.new_page(viewport={"width": 1280, "height": 1100})
            tab.goto(f"{url}/?hw_k=4&hw_density=0.25&hw_lr=0.02&hw_steps=2000")
            yield tab
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)


def test_the_link_sets_the_section_and_it_draws_what_it_measured(page):
    figure = page.locator(".st-key-workers-hogwild-figure .js-plotly-plot")
    figure.wait_for(timeout=PATIENCE_MS)
    sentence = page.get_by_text("With K = 4 workers at α = 0.02, over 2,000 gradients")
    sentence.wait_for(timeout=PATIENCE_MS)
    assert "sparse (density 0.25)" in sentence.inner_text()
    thumb = page.locator(".st-key-workers-hogwild-k [data-testid=stSliderThumbValue]")
    assert thumb.inner_text() == "4"
    assert page.locator(".st-key-workers-hogwild-k input").get_attribute("value") == "4"
    # three panels: both landscapes and the loss against gradients, each with its traces
    assert page.locator(".st-key-workers-hogwild-figure .subplot").count() >= 3
    assert page.locator(".st-key-workers-hogwild-figure .scatterlayer .trace").count() >= 12
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "hogwild_section.png"), full_page=True)
