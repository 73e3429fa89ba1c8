"""An IPython extension for the graded kernel: each cell's printed output is capped inside the kernel, so a
print flood never reaches the grader (which cuts outputs again on its side)."""
from __future__ import annotations

import sys
from typing import Any

OUTPUT_CAP = 1_000_000  # characters of stdout+stderr per cell; the rest is dropped in the kernel itself


def _cap_output(ip: Any) -> None:
    """Drop output past OUTPUT_CAP per cell in the kernel, so a print flood never reaches the grader."""
    state = {"used": 0, "noted": False}

    def reset(*_: Any) -> None:
        state["used"], state["noted"] = 0, False

    for stream in (sys.stdout, sys.stderr):
        write = stream.write

        def capped(text: str, _write: Any = write) -> int:
            n = len(text)
            room = OUTPUT_CAP - state["used"]
            state["used"] += min(n, max(room, 0))
            if n > room:
                if room > 0:
                    _write(text[:room])
                if not state["noted"]:
                    state["noted"] = True
                    _write(f"\n[output cut by the grader after {OUTPUT_CAP} characters]\n")
                return n
            return _write(text)

        stream.write = capped
    ip.events.register("pre_run_cell", reset)


def load_ipython_extension(ip: Any) -> None:
    """Install the cap (called once, at kernel start, before any notebook cell)."""
    _cap_output(ip)
