# uivmm — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
ADDR ?= 127.0.0.1:7500
DATA_DIR ?= ./data
TEST_TIMEOUT ?= 30m

.PHONY: build run test test-unit test-esdb vet lxd-up lxd-down bench clean deps

## build: compile bin/uivmm
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/uivmm ./cmd/uivmm

## run: serve the API on $(ADDR) with the embedded SQLite store in $(DATA_DIR)
run: build
	./bin/uivmm serve --addr $(ADDR) --data-dir $(DATA_DIR)

## vet: go vet, including the EventStoreDB contract test (build tag esdb)
vet:
	$(GO) vet ./...
	$(GO) vet -tags esdb ./eventstore/esdb/

## test: every test, including the ones against a real LXD daemon that
## scripts/lxd-testenv.sh installs (Debian's lxd) and starts on loopback.
## Packages run one at a time (-p 1): several of them share that one daemon.
test: vet
	$(GO) test -tags esdb -count=1 -run '^$$' ./eventstore/esdb/
	@set -euo pipefail; \
	trap 'scripts/lxd-testenv.sh down >/dev/null 2>&1 || true' EXIT; \
	eval "$$(scripts/lxd-testenv.sh up)"; \
	$(GO) test -p 1 -count=1 -timeout $(TEST_TIMEOUT) ./...

## test-unit: the tests that need no LXD (LXD tests fail and say why)
test-unit:
	$(GO) test -count=1 ./...

## test-esdb: the event store contract suite against a real EventStoreDB;
## set UIVMM_TEST_ESDB_URL (see README)
test-esdb:
	@test -n "$$UIVMM_TEST_ESDB_URL" || { echo "UIVMM_TEST_ESDB_URL is not set: start EventStoreDB (see README) and set it"; exit 1; }
	$(GO) test -tags esdb -count=1 -v ./eventstore/esdb/

## lxd-up: start the private LXD daemon by hand and print its environment
lxd-up:
	@scripts/lxd-testenv.sh up
	@echo '# to use it in your shell:  eval "$$(scripts/lxd-testenv.sh env)"' 

## lxd-down: stop it
lxd-down:
	scripts/lxd-testenv.sh down

## bench: the benchmarks, with a summary table
bench:
	scripts/bench.sh

clean:
	rm -rf bin
