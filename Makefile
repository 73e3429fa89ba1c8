# Two commands for a fresh machine: `make lab` opens the course, `make test` runs the whole suite.
# Both create .venv and install the project into it first; nothing else on the machine is touched.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# Re-install only when the dependency list changes.
STAMP  := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
# Every core by default (pytest-xdist); `make test PYTEST_JOBS=1` runs in one process. Work stealing: a worker
# whose queue runs dry takes half of another's (xdist's default hands out fixed shares, and with the course's few
# long tests in one share a 2-core run left one core idle for its last 17 minutes).
PYTEST_JOBS ?= auto
# Extra flags: JupyterLab's for `make lab ARGS="--port=8899 --no-browser"`, JupyterHub's for `make hub`
# (ARGS="--JupyterHub.bind_url=http://127.0.0.1:8010").
ARGS ?=

.PHONY: help install lab lab-settings hub test benchmark course-check clean

help:
	@echo "make lab        set up .venv and open the course in JupyterLab (ARGS=... passes JupyterLab flags)"
	@echo "make hub        the course's JupyterHub at http://127.0.0.1:8000 (ARGS=... passes JupyterHub flags)"
	@echo "make test       set up .venv and run the whole test suite (QUICK=1 leaves out the slow tests)"
	@echo "make benchmark  time dlkit against hand-written numpy and PyTorch"
	@echo "make course-check  prove every lesson's grader (instructors)"
	@echo "make clean      remove .venv and caches"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 10) else "dlcourse needs Python >= 3.10; $(PYTHON) is %d.%d. Run: make PYTHON=python3.11 ..." % v[:2])'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

# Opens at the start page (lessons/README.md), rendered. The venv's bin/ goes on PATH because
# nbgrader's formgrader runs `alembic` by bare name. JupyterLab refuses to run as root (a container, a
# cloud VM's root shell) unless told --allow-root: added only when we are root.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings
LAB_CONFIG   := $(VENV)/etc/jupyter/labconfig
LAB_AS_ROOT  := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
lab: install lab-settings
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/jupyter lab --ServerApp.root_dir=lessons --LabApp.default_url=/lab/tree/README.md $(LAB_AS_ROOT) $(ARGS)

# Venv-local JupyterLab settings (nothing in the user's home): Markdown opens rendered; no news or
# update pop-up over the first lesson (the announcements plugin off, news and update checks off).
lab-settings:
	@mkdir -p $(LAB_SETTINGS) $(LAB_CONFIG)
	@echo '{"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Markdown Preview"}}, "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' > $(LAB_SETTINGS)/overrides.json
	@echo '{"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": true}}' > $(LAB_CONFIG)/page_config.json

# The course's JupyterHub (course/README.md, "Large classes"): the hub extra into .venv and configurable-http-proxy
# from npm (pinned by course/hub/package-lock.json) into course/hub/node_modules, each once; then the hub runs
# until Ctrl-C. npm stamps package files with a 1985 date, so a stamp of our own says when `npm ci` last ran.
HUB_DIR   := course/hub
HUB_STAMP := $(VENV)/.hub-stamp
PROXY_STAMP := $(HUB_DIR)/node_modules/.installed-stamp
$(HUB_STAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install --quiet -e ".[hub]"
	@touch $@

$(PROXY_STAMP): $(HUB_DIR)/package.json $(HUB_DIR)/package-lock.json
	npm ci --prefix $(HUB_DIR) --no-audit --no-fund
	@touch $@

hub: install lab-settings $(HUB_STAMP) $(PROXY_STAMP)
	$(PY) -m jupyterhub -f $(HUB_DIR)/jupyterhub_config.py $(ARGS)

# The whole suite, slow-marked tests included (hostile and cheating grading, load, training runs): CI runs
# exactly this. QUICK=1 leaves the slow ones out, for a quick local loop only.
ifeq ($(QUICK),1)
MARKERS := -m "not slow"
else
MARKERS :=
endif

# pytest exits 5 when it collects nothing: that is a broken suite, never a pass.
test: install
	@$(PY) -m pytest -n $(PYTEST_JOBS) --dist worksteal $(MARKERS) $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests - failing"; exit 1; fi; exit $$rc

benchmark: install
	$(PY) benchmarks/run.py --markdown benchmarks/RESULTS.md

# Prove every lesson's grader: solution passes, blank fails, lessons/ in sync with solutions/.
course-check: install
	$(VENV)/bin/dlcourse check

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
