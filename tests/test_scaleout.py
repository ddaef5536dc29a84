"""The scale-out config (deploy/nginx.conf) with its real parts: two app processes
behind Debian's nginx. Each browser stays on one process (its session's websocket and
its downloads, which only that process can serve), and browsers spread over both."""

from __future__ import annotations

import shutil
import urllib.request

import pytest

from deploy import serve
from tests.test_browser import ARGS, CHROMIUM, DRAWN_JS, PATIENCE_MS, _free_port, _need_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def two_apps(tmp_path_factory):
    _need_browser()
    if not shutil.which("nginx") and not shutil.which("/usr/sbin/nginx"):
        pytest.fail("nginx is missing (CI installs Debian's nginx package)")
    server = serve.start(_free_port(), app_ports=[_free_port(), _free_port()],
                         run_dir=tmp_path_factory.mktemp("nginx"))  # fmt: skip
    yield server
    server.stop()


def _process(url: str, cookie: str | None = None) -> tuple[str, str]:
    """Which process answered, and the cookie nginx set."""
    headers = {"Cookie": f"optimizer_race_app={cookie}"} if cookie else {}
    with urllib.request.urlopen(urllib.request.Request(url + "/", headers=headers)) as r:
        return r.headers["X-App-Process"], r.headers["Set-Cookie"]


def test_the_config_in_the_repository_is_the_one_served():
    conf = serve.nginx_config(9000, [9001, 9002])
    assert "listen 127.0.0.1:9000;" in conf and conf.count("server 127.0.0.1:900") == 2
    assert "hash $app_key consistent;" in conf and "proxy_set_header Upgrade" in conf


def test_a_browser_keeps_its_process_and_browsers_use_both(two_apps):
    first, cookie = _process(two_apps.url)  # a first visit gets a cookie...
    key = cookie.split(";")[0].split("=", 1)[1]
    assert all(_process(two_apps.url, key)[0] == first for _ in range(5))  # ...that sticks
    seen = {_process(two_apps.url)[0] for _ in range(30)}  # new browsers: both processes
    assert len(seen) == 2, seen


def test_sessions_through_nginx_draw_the_race_and_download_from_their_process(two_apps):
    from playwright.sync_api import sync_playwright

    # two browsers whose cookies land on different processes
    keys, processes = [], set()
    for i in range(64):
        process = _process(two_apps.url, f"student-{i}")[0]
        if process not in processes:
            processes.add(process)
            keys.append(f"student-{i}")
        if len(keys) == 2:
            break
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for key in keys:
            context = browser.new_context(viewport={"width": 1400, "height": 900},
                                          accept_downloads=True)  # fmt: skip
            host = two_apps.url.split("//")[1].split(":")[0]
            context.add_cookies([{"name": "optimizer_race_app", "value": key,
                                  "domain": host, "path": "/"}])  # fmt: skip
            page = context.new_page()
            answered = set()
            page.on("response", lambda r, seen=answered: seen.add(
                r.headers.get("x-app-process")))  # fmt: skip
            page.goto(two_apps.url + "/?opt=sgd,adam&steps=50")
            page.wait_for_function(DRAWN_JS, timeout=PATIENCE_MS)  # the websocket works
            with page.expect_download(timeout=PATIENCE_MS) as download:  # served by its process
                page.get_by_role("button", name="Trajectories (CSV)").click()
            text = open(download.value.path()).read()
            assert text.startswith("optimizer,step,x,y") and text.count("\n") == 2 * 51 + 1
            assert len(answered - {None}) == 1, answered  # every request: one process
            context.close()
        browser.close()
    assert len(processes) == 2
