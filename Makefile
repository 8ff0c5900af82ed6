# Convenience targets; each is the README command of the same name.
PYTHON ?= python
.PHONY: demo test lint bench

demo:
	$(PYTHON) -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/siyi demo

test:
	$(PYTHON) -m venv .venv && .venv/bin/pip install -q -e ".[test]" && .venv/bin/python -m pytest -q

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

bench:
	.venv/bin/python benchmarks/bench_model.py
