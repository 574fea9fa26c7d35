# GoDialog — the two commands: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Serving flags (the real-time engine's memory budget): no per-message deflate, small frames/queues.
UVICORN_FLAGS := --ws app.realtime.uvicorn_ws:FramesProtocol --ws-per-message-deflate false --ws-max-size 65536 --ws-max-queue 16 --ws-ping-interval 20 --ws-ping-timeout 20

.PHONY: run test install install-dev i18n migrate demo serve lint bench ci clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install -q -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed i18n

install-dev: $(VENV)/.installed-dev i18n

i18n: $(VENV)/.installed
	$(BIN)/pybabel compile -d app/translations -D messages

migrate: install
	mkdir -p var
	$(BIN)/alembic upgrade head

demo: migrate
	$(BIN)/python -m app.demo

run: demo
	$(BIN)/uvicorn --factory app.main:create_app --host 0.0.0.0 --port $(PORT) $(UVICORN_FLAGS)

test: install-dev
	@command -v chromium >/dev/null 2>&1 || { echo "Installing Debian chromium for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; }
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: install-dev
	$(BIN)/ruff check .

bench: install-dev
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) var
