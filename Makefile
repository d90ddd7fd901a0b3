# The README's two commands: `make run` and `make test`. Both set up whatever is missing first, and set-up is
# idempotent: a second call finds the stamp newer than pyproject.toml and the constraints, and installs nothing.
#
#   make setup   .venv/ with Python 3.11, course_lib (editable) and its extras, Fashion-MNIST located or fetched
#   make run     every notebook in quick mode, both frameworks, with papermill -> build/ and a summary table
#   make test    the whole test suite: unit tests, and every notebook in both frameworks on the Colab replica
#   make colab-check   every notebook, both frameworks, on a replica of Colab's runtime, installed by its own
#                Colab cell (tools/colab_check.py; environments cached in build/colab/ or $$COLAB_REPLICA_CACHE)
#   make browser-test  every notebook run in JupyterLab in headless Chromium (needs Debian's chromium package)
#
# TF_PACKAGE=tensorflow gives the GPU build of TensorFlow instead of the light CPU one.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.course-setup-done
CONSTRAINTS := requirements/ci-constraints.txt
TF_PACKAGE ?= tensorflow-cpu
JOBS ?= 2
CHROMIUM ?= /usr/bin/chromium
ONE_THREAD := OMP_NUM_THREADS=1 TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1

.PHONY: setup data run test colab-check browser-test clean

setup: $(STAMP) data

# uv installs (30-45 s on a fresh 2-core machine, downloads included; pip took 2.3 minutes); it does not read
# pip's configuration, so the folder of local wheels (the CPU torch) is passed to it. It compiles no byte-code: Python caches what is
# imported, at first import. So PYTHONDONTWRITEBYTECODE (set on the CI machine) is dropped for everything make
# runs: with it, every process recompiled TensorFlow at import (23 s instead of 8).
unexport PYTHONDONTWRITEBYTECODE
UV_VERSION := 0.13.9
FIND_LINKS ?= $(or $(PIP_FIND_LINKS),$(wildcard /opt/wheels))

$(STAMP): pyproject.toml $(CONSTRAINTS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv==$(UV_VERSION)
	$(VENV)/bin/uv pip install --quiet --python $(PY) $(if $(FIND_LINKS),--find-links $(FIND_LINKS)) \
		-c $(CONSTRAINTS) $(TF_PACKAGE) -e ".[torch,notebooks,dev,browser]"
	@touch $(STAMP)

data: $(STAMP)
	@$(PY) -m course_lib data download

run: setup
	$(ONE_THREAD) $(PY) tools/run_notebooks.py --jobs $(JOBS)

# One math thread per process: $(JOBS) pytest workers plus their notebook kernels share the cores, and torch's
# OpenMP threads spin when oversubscribed (a small VAE step: 23 ms with one thread, 294 ms with two, busy machine).
# TensorFlow ignores OMP_NUM_THREADS and reads its own variables: two toy-GAN runs side by side took 9.3 s each
# with its default pools, 6.8 s with one thread each.
# --no-loadscope-reorder keeps conftest.py's order (long scopes first); xdist's default puts scopes with many
# tests first, which left the one-test notebook runs to the end with one worker idle.
# The notebooks run in the Colab replica (tests/test_notebooks.py), whose environments are built (cached in
# build/colab/) and given course_lib before pytest starts, so that no pytest worker waits on the other to build them.
test: setup
	$(VENV)/bin/ruff check .
	export COLAB_REPLICA_RUN=make-test-$$$$-$$(date +%s); $(PY) -m tools.colab_replica.session && \
	$(ONE_THREAD) COURSE_QUICK=1 $(PY) -m pytest -n $(JOBS) --dist loadscope --no-loadscope-reorder \
		-p no:cacheprovider tests

# Colab's versions from requirements/colab-constraints.txt: the TensorFlow half on Colab's Python 3.13, the torch
# half on Python 3.11 (the CPU torch on disk; a torch for 3.13 is a CUDA build of several GB).
# COLAB_CHECK_ARGS=--one-framework-each runs each notebook once, the frameworks taking turns (CI's shorter variant).
COLAB_CHECK_ARGS ?=
colab-check: setup
	$(ONE_THREAD) $(PY) tools/colab_check.py $(COLAB_CHECK_ARGS)

# One notebook at a time in one browser: each kernel already uses the second core's share of the work.
browser-test: setup
	@test -x $(CHROMIUM) || { echo "make browser-test needs Chromium at $(CHROMIUM): sudo apt-get install chromium"; exit 1; }
	$(ONE_THREAD) COURSE_CHROMIUM=$(CHROMIUM) $(PY) -m pytest -q -p no:cacheprovider browser_tests

clean:
	rm -rf build runs .pytest_cache notebooks/course_records
