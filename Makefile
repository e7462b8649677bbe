# Two commands matter: `make run` (the app with demo data) and `make test` (the suite).
PY := $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install run test lint bench messages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/fangfan migrate --noinput
	$(BIN)/fangfan demo
	$(BIN)/fangfan serve

# SQLite always; PostgreSQL as well, side by side, when DATABASE_URL is set (tools/test.sh).
test: install
	tools/test.sh

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python benchmarks/run.py

messages: install
	cd src/fangfan && ../../$(BIN)/fangfan makemessages -l zh_Hans --no-obsolete && ../../$(BIN)/fangfan compilemessages
