# faultline: the main job is `make run`; `make test` is what CI runs.
export PATH := $(PATH):/usr/local/go/bin
GO ?= go
BIN := bin/faultline

.PHONY: build run test lint bench fuzz clean

build:
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/faultline

# Run every built-in scenario on the local testbed (no Docker needed) and
# print where each report is. Exits 1 when an SLO fails.
run: build
	./$(BIN) run --out out

test:
	$(GO) test -race -count=1 -timeout 15m ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzLoad -fuzztime 60s ./scenarios

clean:
	rm -rf bin out
