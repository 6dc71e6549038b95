# `make demo` and `make test` each build .venv on a fresh machine by themselves.
PYTHON     ?= python3.11
VENV       ?= .venv
TORCH_SPEC ?= torch==2.13.0
EXTRAS     ?= all
PY          = $(VENV)/bin/python
STAMP       = $(VENV)/.statgen-installed
PYTEST_ARGS ?= -m "not slow and not gpu" --durations=15

.PHONY: demo test test-slow venv lint bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(TORCH_SPEC)
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

# exits non-zero when any figure failed (the others are still rendered; logs: figures/NAME.log)
demo: $(STAMP)
	$(VENV)/bin/statgen figures make all --quick --out figures

# pytest exits 5 when it collected nothing: that is not a failure of the suite.
test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$rc

test-slow: $(STAMP)
	$(PY) -m pytest -m slow

lint: $(STAMP)
	$(PY) -m pip install --quiet ruff && $(VENV)/bin/ruff check statgen tests studies paper_figures benchmarks

bench: $(STAMP)
	for f in benchmarks/*.py; do case $$f in */harness.py) ;; *) $(PY) $$f || exit 1;; esac; done

clean:
	rm -rf $(VENV) results figures
