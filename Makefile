# faultline: the main job is `make run`; `make test` is what CI runs.
export PATH := $(PATH):/usr/local/go/bin
GO ?= go
BIN := bin/faultline

.PHONY: build run test lint bench fuzz clean

build:
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/faultline

# Run the built-in scenarios (all, or those named in SCENARIOS) on the
# local testbed (no Docker needed) and print where each report is, then,
# with several scenarios, the suite index (out/index.html) last. Exits 1
# when an SLO fails.
SCENARIOS ?=
run: build
	./$(BIN) run --out out $(SCENARIOS)

# Two passes: every unit test under the race detector (-short skips the
# timing-sensitive scenario runs, which the detector's 5-10x slowdown would
# distort on 2 cores, and the single-goroutine heavy work, such as rendering
# every plot, where it finds nothing: testkit.Slow), then everything at full
# speed, one package at a time so scenario runs do not compete for the cores.
test:
	$(GO) test -race -short -count=1 -timeout 10m ./...
	$(GO) test -count=1 -p 1 -timeout 20m ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 60s ./scenarios

clean:
	rm -rf bin out
