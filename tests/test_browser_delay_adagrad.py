"""The delay-tolerant AdaGrad section in headless Chromium, on a page that draws only
it: from a link, both figures drawn, and the step at which AdaGrad diverges, as the
core measures it, in the words the reader sees."""

import pytest

from optim_core import delay_tolerant as dt
from tests.test_browser import (
    ARGS,
    ARTIFACTS,
    CHROMIUM,
    PATIENCE_MS,
    ROOT,
    _need_browser,
    start_app,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LINK = "?dt_surface=rosenbrock&dt_mode=fixed&dt_tau=8&dt_lr=20.0&dt_steps=500"


def test_the_section_draws_and_says_the_measured_divergence():
    _need_browser()
    from playwright.sync_api import sync_playwright

    adagrad = dt.run_delay_tolerant("rosenbrock", (-1.5, 2.0), 500, form="adagrad", lr=20.0,
                                    delay=8, record="final")  # fmt: skip
    tolerant = dt.run_delay_tolerant("rosenbrock", (-1.5, 2.0), 500, lr=20.0, delay=8,
                                     record="final")  # fmt: skip
    assert adagrad.diverged_step >= 0 and tolerant.diverged_step < 0
    proc, url = start_app(ROOT / "tests" / "delay_adagrad_page_script.py")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            page.goto(url + "/" + LINK)
            words = page.get_by_text("At α = 20 with τ = 8")
            words.wait_for(timeout=PATIENCE_MS)
            text = words.inner_text()
            assert f"AdaGrad diverges at step {int(adagrad.diverged_step)};" in text
            assert "largest α without divergence: larger at τ = 1, 2, 4, 8" in text
            # both figures drawn: three loss lines, two stability lines (the losses of
            # the two forms that diverged end at their divergence)
            page.wait_for_function(
                "document.querySelectorAll('.js-plotly-plot').length == 2 && "
                "document.querySelectorAll('.js-plotly-plot .scatterlayer path.js-line')"
                ".length >= 5", timeout=PATIENCE_MS)  # fmt: skip
            assert page.locator(".st-key-workers-dt-tau").is_visible()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "delay_adagrad_section.png"), full_page=True)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
