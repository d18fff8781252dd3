# Yanshen — the two commands a new user needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH  ?=
BENCH_ARGS ?=
PYTEST_ARGS ?=

.PHONY: run test bench lint typecheck install kafka-jars java lock clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: embedded PostgreSQL, demo hall, GraphQL at http://127.0.0.1:8000/graphql
run: $(STAMP)
	$(BIN)/yanshen run

## Java for the Kafka broker (installed from Debian packages when missing).
java:
	@command -v java >/dev/null 2>&1 || deploy/kafka/ensure-java.sh

## The Apache Kafka broker jars, fetched once with mvn into the cache.
kafka-jars: java
	@test -n "$$KAFKA_HOME" || $(BIN)/python -m deploy.kafka.broker fetch

## make test: the whole suite against a real PostgreSQL and a real Kafka broker.
test: $(STAMP) kafka-jars
	$(BIN)/python -m deploy.testenv -- $(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

## make bench [BENCH=name] [BENCH_ARGS=--quick]
bench: $(STAMP) kafka-jars
	$(BIN)/python -m deploy.testenv -- $(BIN)/python -m bench $(if $(BENCH),--only $(BENCH)) $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check services projections gateway contracts deploy bench tests
	$(BIN)/mypy services projections gateway contracts deploy

## Re-pin constraints.txt from the current environment.
lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache
