"""Whether the browser journeys can run here: Playwright and Debian's Chromium."""
from __future__ import annotations

import importlib.util
import os

CHROMIUM = os.environ.get("SCHOOLPEERS_CHROMIUM", "/usr/bin/chromium")
# CI sets this, so that a missing browser fails the run instead of skipping six journeys.
REQUIRED = os.environ.get("SCHOOLPEERS_E2E_REQUIRED") == "1"


def missing_browser() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed (pip install -e '.[test]')"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-color-emoji)"
    return None
