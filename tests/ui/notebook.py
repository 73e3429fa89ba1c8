"""Driving one notebook in JupyterLab the way a learner does, and reading back what they would see.

Actions go through the real front end (the Run menu, mouse and keyboard on widgets). What is read back comes from
two places: the notebook model JupyterLab holds (outputs as mime bundles, execution counts) for the logic, and the
DOM (decoded images, rendered widgets, the text on screen) for what is actually shown.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .conftest import Lab

# One JSON snapshot of the open notebook: per cell, the model and what its output area shows.
_SNAPSHOT_JS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  return panel.content.widgets.map((cell, index) => {
    const m = cell.model.toJSON();
    const area = cell.node.querySelector('.jp-OutputArea');
    const imgs = area ? [...area.querySelectorAll('img')] : [];
    return {
      index, type: m.cell_type, source: m.source, nbgrader: (m.metadata || {}).nbgrader || {},
      execution_count: m.execution_count ?? null, outputs: m.outputs || [],
      shown_text: area ? area.innerText : '',
      images: imgs.map(i => ({ok: i.complete && i.naturalWidth > 0, width: i.naturalWidth,
                              height: i.naturalHeight, src: i.src.slice(-64)})),
      widgets: area ? area.querySelectorAll('.jupyter-widgets.widget-container, .jupyter-widgets.widget-inline-hbox, .widget-slider').length : 0,
      running: (cell.node.querySelector('.jp-InputPrompt')?.innerText || '').includes('*'),
    };
  });
}"""

_IDLE_JS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
  if (!kernel || kernel.status !== 'idle') return false;
  return ![...panel.content.node.querySelectorAll('.jp-InputPrompt')].some(p => p.innerText.includes('*'));
}"""


@dataclass
class Cell:
    index: int
    type: str
    source: str
    nbgrader: dict
    execution_count: int | None
    outputs: list[dict]
    shown_text: str
    images: list[dict]
    widgets: int
    running: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def is_check(self) -> bool:
        """An autograded test cell (the one-line `check(...)` under an exercise)."""
        return self.type == "code" and bool(self.nbgrader.get("grade")) and not self.nbgrader.get("solution")

    @property
    def is_answer(self) -> bool:
        return self.type == "code" and bool(self.nbgrader.get("solution"))

    @property
    def errors(self) -> list[dict]:
        return [o for o in self.outputs if o.get("output_type") == "error"]

    def mime(self, kind: str) -> list[str]:
        """Every output's data of one mime type (text joined when stored as a list of lines)."""
        found = []
        for o in self.outputs:
            data = o.get("data", {}).get(kind)
            if data is not None:
                found.append("".join(data) if isinstance(data, list) else data)
        return found

    @property
    def label(self) -> str:
        name = self.nbgrader.get("grade_id") or (self.source.strip().splitlines() or [""])[0][:60]
        return f"cell {self.index} ({name})"


def load_lab(page, lab: Lab) -> None:
    """Load JupyterLab (an empty workspace) into the page; notebooks are then opened with `open_in_lab`."""
    page.goto(f"{lab.url}/lab?token={lab.token}&reset")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=60_000)
    page.evaluate("async () => { await window.jupyterapp.restored; }")


_CLOSE_ALL_JS = """() => {
  // Unsaved changes are dropped on purpose: every pass starts from the notebook's file, never from the last
  // pass's outputs, and closing a changed notebook the usual way would ask with a dialog.
  const app = window.jupyterapp;
  for (const w of [...app.shell.widgets('main')]) {
    if (w.context && w.context.model) w.context.model.dirty = false;
    w.dispose();
  }
  return [...app.shell.widgets('main')].length + document.querySelectorAll('.jp-Dialog').length;
}"""

_OPEN_JS = """async path => {
  const app = window.jupyterapp;
  const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await panel.context.ready;
  await panel.sessionContext.ready;
  app.shell.activateById(panel.id);
  return panel.id;
}"""


def close_documents(page) -> int:
    """Close every document in the page's JupyterLab, changes dropped; the number of widgets and dialogs left."""
    return int(page.evaluate(_CLOSE_ALL_JS))


def open_in_lab(page, lab: Lab, path: str) -> None:
    """Open a notebook in the JupyterLab already loaded in the page (`load_lab`), as its only document with the
    only kernel, and wait until that kernel is idle (loading the whole application for each notebook took
    chromium 6 s)."""
    left = close_documents(page)
    assert left == 0, f"{left} widget(s) or dialog(s) still open before {path} (the previous pass left them)"
    lab.shutdown_kernels()  # after the close: a kernel shut down under an open notebook makes a dialog
    panel = page.evaluate(_OPEN_JS, path)
    page.wait_for_function("id => { const w = window.jupyterapp.shell.currentWidget;"
                           " return w && w.id === id && w.content.widgets.length > 0"
                           " && w.content.node.querySelector('.jp-Cell'); }", arg=panel, timeout=60_000)
    wait_idle(page, timeout=90)


def wait_idle(page, timeout: float = 120) -> None:
    """Wait until the kernel is idle and no cell shows [*] (twice in a row, so a queued cell is not missed)."""
    deadline = time.monotonic() + timeout
    calm = 0
    while time.monotonic() < deadline:
        calm = calm + 1 if page.evaluate(_IDLE_JS) else 0
        if calm >= 2:
            return
        page.wait_for_timeout(250)
    raise TimeoutError(f"the notebook was still running after {timeout:.0f} s")


def click_menu(page, menu: str, item: str) -> None:
    """Click a top-level menu, then an item in it, as a person would."""
    page.locator("#jp-menu-panel, #jp-MainMenu").get_by_text(menu, exact=True).first.click()
    page.locator(".lm-Menu:visible .lm-Menu-itemLabel").get_by_text(item, exact=True).first.click()


def snapshot(page) -> list[Cell]:
    return [Cell(**c) for c in page.evaluate(_SNAPSHOT_JS)]


_CONTINUE_JS = """async () => {
  // After Run All stopped at an error: select the first cell never run, "Run Selected Cell and All Below", repeat.
  // Right after an error the kernel aborts requests for a moment (stop_on_error), so a cell that was aborted is
  // retried after the kernel is idle again; only a cell that never runs in 3 tries is reported.
  const app = window.jupyterapp, panel = app.shell.currentWidget, nb = panel.content;
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const idle = async () => {
    for (let k = 0; k < 600; k++) {
      const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
      if (kernel && kernel.status === 'idle') return;
      await sleep(100);
    }
  };
  let last = -1, tries = 0;
  for (;;) {
    const i = nb.widgets.findIndex(c => c.model.type === 'code' && c.model.executionCount === null);
    if (i < 0) return null;
    tries = i === last ? tries + 1 : 0;
    if (tries >= 3) return i;
    last = i;
    await idle();
    await sleep(200 * tries);
    nb.activeCellIndex = i;
    nb.deselectAll();
    await app.commands.execute('notebook:run-all-below');
  }
}"""


def run_all(page, timeout: float = 240) -> list[Cell]:
    """Run → Run All Cells; where a cell's error stops the run, carry on below it, as a learner would.

    JupyterLab stops a Run All at the first cell that raises (the student version raises at every unfinished
    exercise), so after each stop the next cell not run is selected and "Run Selected Cell and All Below" runs.
    """
    click_menu(page, "Run", "Run All Cells")
    page.wait_for_timeout(200)
    wait_idle(page, timeout=timeout)
    stuck = page.evaluate(_CONTINUE_JS)
    wait_idle(page, timeout=timeout)
    cells = snapshot(page)
    if stuck is not None:
        raise AssertionError(f"{cells[stuck].label} could not be run (did the kernel die?)")
    return cells


def scroll_to_cell(page, index: int) -> None:
    page.evaluate("i => window.jupyterapp.shell.currentWidget.content.widgets[i].node"
                  ".scrollIntoView({block: 'start'})", index)
    page.wait_for_timeout(200)


def full_screenshot(page, path: Path, max_height: int = 14000) -> None:
    """A screenshot of the whole notebook: the viewport is made as tall as the notebook, then restored."""
    size = page.viewport_size
    height = page.evaluate("""() => {
      const nb = window.jupyterapp.shell.currentWidget.content.node;
      const scroller = nb.querySelector('.jp-WindowedPanel-outer') || nb;
      return scroller.scrollHeight;
    }""")
    page.set_viewport_size({"width": size["width"], "height": min(max_height, int(height) + 160)})
    page.evaluate("() => { const nb = window.jupyterapp.shell.currentWidget.content.node;"
                  " (nb.querySelector('.jp-WindowedPanel-outer') || nb).scrollTop = 0; }")
    page.wait_for_timeout(400)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


_CELL_VIEW_JS = """i => {
  const cell = window.jupyterapp.shell.currentWidget.content.widgets[i];
  const area = cell.node.querySelector('.jp-OutputArea');
  const imgs = [...area.querySelectorAll('img')].map(im => im.src);
  let h = 0;  // a cheap hash of every image's bytes: changes when a figure is redrawn differently
  for (const s of imgs) for (let k = 0; k < s.length; k += 7) h = (h * 31 + s.charCodeAt(k)) | 0;
  return {images: imgs.length, hash: h,
          readouts: [...area.querySelectorAll('.widget-readout')].map(r => r.innerText || r.value || '')};
}"""


def cell_view(page, index: int) -> dict:
    """What a cell's output area shows now: number of images, a hash of them, the widgets' readouts."""
    return page.evaluate(_CELL_VIEW_JS, index)


def _settled_box(page, locator, timeout: float = 5.0) -> dict | None:
    """The element's bounding box once the page stops moving it (figures above may still be laying out,
    and a press aimed at where the handle was a moment ago misses it)."""
    box = locator.bounding_box()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page.wait_for_timeout(150)
        again = locator.bounding_box()
        if again == box:
            return box
        box = again
    return box


def drag_sliders(page, index: int) -> list[str]:
    """Drag every slider in a cell's output with the mouse; each must change its readout and redraw the output.

    Returns one line per slider saying what changed; raises AssertionError when a slider does not respond.
    """
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    sliders = cell.locator(".widget-slider .noUi-target")
    moved = []
    for k in range(sliders.count()):
        track = sliders.nth(k)
        track.scroll_into_view_if_needed()
        before = cell_view(page, index)
        handle = track.locator(".noUi-handle").first
        hb, tb = _settled_box(page, handle), track.bounding_box()
        assert hb and tb, f"cell {index}: slider {k} is not visible"
        x0, y0 = hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2
        # Drag toward whichever end is farther away, by a third of the track.
        direction = 1 if x0 < tb["x"] + tb["width"] / 2 else -1
        page.mouse.move(x0, y0)
        page.mouse.down()
        for step in range(1, 6):
            page.mouse.move(x0 + direction * step * tb["width"] / 15, y0)
            page.wait_for_timeout(30)
        page.mouse.up()
        deadline = time.monotonic() + 20
        after = cell_view(page, index)
        while time.monotonic() < deadline:
            wait_idle(page, timeout=60)
            after = cell_view(page, index)
            if after["readouts"] != before["readouts"] and (after["hash"] != before["hash"] or not before["images"]):
                break
            page.wait_for_timeout(250)
        assert after["readouts"] != before["readouts"], (
            f"cell {index}: dragging slider {k} did not change its value ({before['readouts']})")
        if before["images"]:
            assert after["images"] and after["hash"] != before["hash"], (
                f"cell {index}: slider {k} moved {before['readouts']} -> {after['readouts']} but the figure "
                f"did not change ({before['images']} image(s) before, {after['images']} after)")
        moved.append(f"cell {index} slider {k}: {before['readouts']} -> {after['readouts']}, "
                     f"figure {'redrawn' if before['images'] else 'none'}")
    return moved
