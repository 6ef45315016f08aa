# JobFirst AI — `make run` starts the service with embedded defaults; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test check lint typecheck format bench fixtures clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## set up and run the service (SQLite in ./data, built-in engine, no key needed)
	$(BIN)/jobfirst-ai serve

test: $(STAMP)  ## set up and run the whole test suite
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy src

check: lint typecheck test  ## what CI runs

format: $(STAMP)
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

bench: $(STAMP)  ## benchmarks (not tests); results go to bench/README.md by hand
	$(BIN)/python bench/skills_f1.py
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/idle_rss.py
	$(BIN)/python bench/model_overhead.py
	$(BIN)/python bench/match_latency.py
	$(BIN)/python bench/match_quality.py
	$(BIN)/python bench/chat_ttfb.py

fixtures: $(STAMP)
	$(BIN)/python tests/support/make_fixtures.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

bench-gateway: $(STAMP)  ## the service beside LiteLLM's proxy (bench/gateway/; SCENARIOS=all adds the 10-minute soak)
	$(BIN)/python bench/gateway/run.py $(if $(SCENARIOS),--scenarios $(SCENARIOS))
