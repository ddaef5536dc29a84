"""A tiny page that draws only the Workers page's delay-tolerant AdaGrad section (the
section's AppTest and browser test run it before the Workers page exists)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app_pages.workers_adagrad import section  # noqa: E402

section()
