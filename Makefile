# `make run` starts techjobs with a demo team; `make test` runs the whole suite.
# Both install what is missing (system packages, the Python environment) first.

PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test soak bench lint venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11"; exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: venv
	scripts/run.sh

test: venv
	scripts/test.sh

soak: venv
	scripts/soak.sh

bench: venv
	@mkdir -p .var; scripts/test.sh benchmarks -q -s --no-header -p no:cacheprovider \
		-o addopts="" -o python_files="bench_*.py" > .var/bench.log 2>&1; \
		status=$$?; grep -E '^[a-z0-9_]+: [0-9.]+ ' .var/bench.log; \
		[ $$status -eq 0 ] || { tail -n 30 .var/bench.log; exit $$status; }

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) .var staticfiles
