# rectrack: two commands for a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DB ?= rectrack.db
PORT ?= 8001
HOST ?= 127.0.0.1

.PHONY: install serve test eval bench model clean

$(BIN)/rectrack: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/rectrack

install: $(BIN)/rectrack

serve: install
	$(BIN)/rectrack serve --db $(DB) --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest -q

eval: install
	$(BIN)/rectrack eval --gold tests/fixtures/gold

bench: install
	$(BIN)/python bench/bench.py

# retrain the learned filter (loader/filter_model.json) from the gold sets; needs scikit-learn
model: install
	$(BIN)/pip install --quiet -e '.[train]'
	$(BIN)/python bench/train_filter.py

clean:
	rm -rf $(VENV) $(DB) $(DB)-wal $(DB)-shm
