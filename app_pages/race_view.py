"""The race view on the page: a Streamlit component (st.components.v2) whose graphs stay
in the browser across reruns (static/race_view.js), fed with ``viz.race_view``'s data.

The component's own code is a two-line loader: race_view.js and plotly.js (the plotly
package's own, copied to ``static/`` at start-up) come from Streamlit's static file
serving (``.streamlit/config.toml``), fetched once, not inlined into every element
of every rerun (13 kB each time).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import shutil
import time
from pathlib import Path

import plotly
import streamlit as st

import viz

ROOT = Path(__file__).resolve().parents[1]
PLOTLY_JS = ROOT / "static" / "plotly.min.js"
_SENT = "_race_sent"  # what this session's browser has: {"static"|"paths"|"figures": keys}
_PRELOADED = "_race_preloaded"
# the first run's wait after the preload element (see preload); the tests, which open
# hundreds of sessions and time nothing, set RACE_VIEW_FIRST_RUN_PAUSE=0
FIRST_RUN_PAUSE_S = float(os.environ.get("RACE_VIEW_FIRST_RUN_PAUSE", "0.3"))

CSS = """
.race-view { container-type: inline-size; }
.race-views { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; }
.race-legend { grid-column: 1 / -1; min-width: 0; }
.race-legend-beside .race-views { grid-template-columns: 1fr 1fr auto; }
.race-legend-beside .race-legend { grid-column: 3; grid-row: 1; }
@container (max-width: 480px) { .race-views { grid-template-columns: 1fr; } }
.race-controls { display: flex; align-items: center; gap: 12px; margin: 2px 0 6px; }
.race-step { flex: 1; min-width: 80px; accent-color: #555; }
.race-label { font-size: 16px; min-width: 6.5em; text-align: right;
              font-variant-numeric: tabular-nums; color: inherit; }
.race-play { font: inherit; font-size: 15px; padding: 4px 14px; color: inherit;
             border: 1px solid currentColor; border-radius: 6px; background: transparent;
             cursor: pointer; opacity: 0.85; }
.race-play:hover { opacity: 1; }
.race-link { font: inherit; font-size: 14px; padding: 4px 10px; color: inherit;
             border: 1px solid currentColor; border-radius: 6px; background: transparent;
             cursor: pointer; opacity: 0.7; }
.race-link:hover { opacity: 1; }
.race-standalone .race-link { display: none; }
.race-numbers { overflow-x: auto; margin: 0 0 6px; }
.race-numbers table { width: 100%; border-collapse: collapse; font-size: 0.85rem;
                      font-variant-numeric: tabular-nums; transition: opacity 0.15s; }
.race-numbers th { font-weight: normal; opacity: 0.7; text-align: left; }
.race-numbers th, .race-numbers td { padding: 0.1rem 0.5rem; line-height: 1.2;
                                     border-bottom: 1px solid rgba(128, 128, 128, 0.25); }
.race-numbers.race-stale table { opacity: 0.4; }
.race-bottom { display: grid; grid-template-columns: 1fr; gap: 8px; }
.race-bottom.race-with-fit { grid-template-columns: 3fr 2fr; }
@container (max-width: 640px) { .race-bottom.race-with-fit { grid-template-columns: 1fr; } }
.race-present .race-play, .race-present .race-link { font-size: 22px; padding: 6px 18px; }
.race-present .race-label { font-size: 24px; }
.race-present .race-step { height: 28px; }
"""


def install_plotly_js() -> str | None:
    """Copy the plotly package's own plotly.min.js to ``static/`` if it is not there
    (or is another version): the race view loads it from there. Returns what went
    wrong, or None."""
    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    try:
        if not PLOTLY_JS.exists() or PLOTLY_JS.read_bytes() != source.read_bytes():
            PLOTLY_JS.parent.mkdir(exist_ok=True)
            shutil.copyfile(source, PLOTLY_JS)
    except OSError as error:
        return f"could not copy {source} to {PLOTLY_JS}: {error}"
    return None


INSTALL_PROBLEM = install_plotly_js()
VIEW_JS = ROOT / "static" / "race_view.js"
# the file's digest in its address: a changed file is fetched anew, never a stale copy
_LOADER = f"""const url = new URL(
  "app/static/race_view.js?v={hashlib.sha1(VIEW_JS.read_bytes()).hexdigest()[:12]}",
  document.baseURI).href;
export default async (component) => (await import(url)).default(component);"""
_component = st.components.v2.component(
    "race_view", js=_LOADER, css=CSS,
    isolate_styles=False,  # plotly.js styles its graphs from the document's head
)  # fmt: skip


def _sent() -> dict[str, set[str]]:
    return st.session_state.setdefault(_SENT, {"static": set(), "paths": set(), "figures": set()})


def _on_missing(key: str) -> None:
    """The browser lacks parts it was sent (a reload): send them again on this rerun."""
    missing = getattr(st.session_state[key], "missing", None)
    if not isinstance(missing, dict):
        return
    sent = _sent()
    sent["static"].discard(missing.get("static"))
    for kind in ("paths", "figures"):
        sent[kind].difference_update(str(k) for k in missing.get(kind) or [])


def preload() -> None:
    """An empty element, first on the page, that starts loading plotly.js at once
    (the race view itself arrives after the sidebar's widgets); or, if plotly.js could
    not be put where Streamlit serves it, an error that says so.

    On a session's first run (the page just opened) the script then waits
    ``FIRST_RUN_PAUSE_S``, so that the browser gets this element alone: sent in one
    batch with the sixty-odd elements after it, it was mounted only once they were all
    drawn, and plotly.js (1 s to evaluate) started ~1 s late (bench/redraw.py --only
    open: the page opened 0.5–0.8 s sooner with the pause)."""
    if INSTALL_PROBLEM:
        st.error(f"The race cannot be drawn: {INSTALL_PROBLEM}. Start the app from a "
                 "folder it can write to, or copy the file there by hand.")  # fmt: skip
    _component(key="race_preload", data={"preload": True})
    if not st.session_state.get(_PRELOADED):
        st.session_state[_PRELOADED] = True
        time.sleep(FIRST_RUN_PAUSE_S)


def figure_view(figure_json: str, *, key: str):
    """A Plotly figure (its JSON) drawn by the race view's plotly.js: the race page then
    loads one copy of plotly.js, not also Streamlit's own (4.7 MB more to parse); sent
    once while it does not change."""
    digest = hashlib.sha1(figure_json.encode()).hexdigest()[:16]
    sent = _sent()["figures"]
    data = {"figure_key": digest, "figure": None if digest in sent else figure_json}
    result = _component(key=key, data=data, on_missing_change=lambda: _on_missing(key))
    sent.add(digest)
    return result


def standalone_html(view: viz.RaceView, title: str, *, frame_ms: float = 50) -> str:
    """The race as one HTML file that plays offline: plotly.js and the view's code in
    it, the surface and every path in it, no address of this server."""
    plotly_js = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text()
    code = base64.b64encode(VIEW_JS.read_bytes()).decode()
    data = json.dumps(dict(view.data(frame_ms=frame_ms), standalone=True))
    data = data.replace("</", "<\\/")  # no "</script>" inside the script element
    title = html.escape(title)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body {{ font-family: system-ui, sans-serif; margin: 16px 24px; color: #222; }}
{CSS}</style>
<script>{plotly_js}</script>
</head><body>
<h3>{title}</h3>
<div id="race"></div>
<script type="application/json" id="race-data">{data}</script>
<script type="module">
import render from "data:text/javascript;base64,{code}";
render({{ data: JSON.parse(document.getElementById("race-data").textContent),
          parentElement: document.getElementById("race"), setTriggerValue: () => {{}} }});
</script>
</body></html>
"""


def race_view(view: viz.RaceView, *, frame_ms: float, on_click, key: str = "race",
              present: bool = False, on_step=None, seek: dict | None = None,
              numbers: dict | None = None):  # fmt: skip
    """Draw ``view`` (the surface's parts and paths the browser has are left out);
    ``on_click`` runs when the contour is clicked (the point is
    ``st.session_state[key].click``). ``present``: larger controls (presentation mode).

    With ``on_step`` (presentation mode's step controls), the browser tells the step it
    shows whenever it stops there (paused, the slider, the arrow keys), as
    ``st.session_state[key].step``, and ``on_step`` runs. ``seek`` moves the view:
    ``{"token", "step", "delta"}``, acted on once per token: to ``step``, or, while it
    plays, ``delta`` steps on from where it is. ``numbers``: ``{"step", "rows"}``, each
    run's numbers at that step (``viz.step_numbers``), shown as a table under the
    view's controls (dimmed while the view shows another step)."""
    sent = _sent()
    data = view.data(frame_ms=frame_ms, with_static=view.key not in sent["static"],
                     known=sent["paths"])  # fmt: skip
    data.update(present=present, report=on_step is not None, seek=seek, numbers=numbers)
    result = _component(
        key=key, data=data, on_click_change=on_click,
        on_missing_change=lambda: _on_missing(key),
        **({"on_step_change": on_step} if on_step is not None else {}),
    )  # fmt: skip
    sent["static"].add(view.key)
    sent["paths"].update(view.path_ids())
    return result
