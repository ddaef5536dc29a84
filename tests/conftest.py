"""Shared set-up for the tests."""

import os

# The race page waits a moment on a session's first run so that the browser mounts the
# preload element before the rest of the page (app_pages/race_view.preload): a speed-up
# for a person opening the page, a cost for tests that open hundreds of sessions and
# time nothing. The app servers the browser tests start inherit it.
os.environ.setdefault("RACE_VIEW_FIRST_RUN_PAUSE", "0")
