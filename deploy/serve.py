"""Serve a class from several Streamlit processes behind nginx with sticky sessions
(deploy/nginx.conf): ``python deploy/serve.py [--port 8501] [--apps 2]``.

Starts the app ``--apps`` times on the ports after ``--port`` and nginx on ``--port``
with deploy/nginx.conf (its ports replaced by these), in deploy/run/; Ctrl-C stops
them all. Needs nginx on the PATH (Debian: ``apt-get install nginx``); runs as any user.
"""

from __future__ import annotations

import argparse
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_config(port: int, app_ports: list[int]) -> str:
    """deploy/nginx.conf listening on ``port``, in front of the apps on ``app_ports``."""
    text = CONFIG.read_text()
    servers = "".join(f"        server 127.0.0.1:{p};\n" for p in app_ports)
    text, n = re.subn(r"(?:        server 127\.0\.0\.1:\d+;\n)+", servers, text)
    text, m = re.subn(r"listen \d+;", f"listen 127.0.0.1:{port};", text)
    assert n == 1 and m == 1, "deploy/nginx.conf: its upstream or listen line moved"
    return text


def wait_healthy(url: str, timeout_s: float = 60) -> None:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout_s:.0f} s")


@dataclass
class ClassServer:
    url: str
    apps: list[subprocess.Popen] = field(default_factory=list)
    nginx: subprocess.Popen | None = None

    def stop(self) -> None:
        for proc in [self.nginx, *self.apps]:
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGTERM if proc is not self.nginx else signal.SIGQUIT)
        for proc in [self.nginx, *self.apps]:
            if proc:
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()


def start_app(port: int, quiet: bool = True) -> subprocess.Popen:
    out = subprocess.DEVNULL if quiet else None
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true"],
        cwd=ROOT, stdout=out, stderr=out,
    )  # fmt: skip


def start(port: int = 8501, apps: int = 2, *, app_ports: list[int] | None = None,
          run_dir: Path = ROOT / "deploy" / "run", quiet: bool = True) -> ClassServer:  # fmt: skip
    """Start ``apps`` app processes and nginx in front of them; return once all answer."""
    app_ports = app_ports or [port + 1 + i for i in range(apps)]
    server = ClassServer(f"http://127.0.0.1:{port}")
    try:
        server.apps = [start_app(p, quiet) for p in app_ports]
        for p in app_ports:
            wait_healthy(f"http://127.0.0.1:{p}")
        (run_dir / "tmp").mkdir(parents=True, exist_ok=True)
        conf = run_dir / "nginx.conf"
        conf.write_text(nginx_config(port, app_ports))
        server.nginx = subprocess.Popen(
            [NGINX, "-p", str(run_dir), "-c", str(conf), "-g", "daemon off;"],
            stderr=subprocess.DEVNULL if quiet else None,
        )  # fmt: skip
        wait_healthy(server.url)
    except BaseException:
        server.stop()
        raise
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--apps", type=int, default=2)
    args = parser.parse_args()
    server = start(args.port, args.apps, quiet=False)
    print(f"serving {args.apps} app processes at {server.url} (Ctrl-C stops them)")
    try:
        while all(p.poll() is None for p in [server.nginx, *server.apps]):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
