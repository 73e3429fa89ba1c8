"""The system Chromium, driven by Playwright: what every browser test of the suite shares.

The browser cannot be downloaded here: Playwright drives the system Chromium (Debian's `chromium`, or the path in
$DLCOURSE_CHROMIUM). One browser per test process, started by the `browser` fixture (tests/conftest.py): Playwright's
sync API keeps its event loop running in the thread that started it, so a second `sync_playwright()` in the same
process while the first is open fails ("Sync API inside the asyncio loop").
"""

from __future__ import annotations

import os
import shutil

# Headless Chromium on a machine with no network: the background-networking flags stop it from trying to reach
# Google's hosts at every start (refused connections, failed look-ups, slow starts).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-default-apps", "--disable-extensions", "--mute-audio"]


def find_chromium() -> str | None:
    """The system Chromium: $DLCOURSE_CHROMIUM, else the first of chromium / chromium-browser on PATH."""
    env = os.environ.get("DLCOURSE_CHROMIUM")
    if env:
        return env if os.access(env, os.X_OK) else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install playwright; never `playwright install`)"
    if find_chromium() is None:
        return ("no Chromium found (apt-get install chromium, or set DLCOURSE_CHROMIUM to its path); "
                "the browser is never downloaded")
    return None
