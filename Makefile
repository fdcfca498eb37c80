# PatternVault's developer commands. `make test` is the README's test command.
GO ?= go
PKGS := ./...

.PHONY: build test vet fmt-check bench run cluster-test

build:
	$(GO) build -o bin/patternvault ./cmd/patternvault

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

test: fmt-check vet
	$(GO) test -count=1 -timeout 20m $(PKGS)

run: build
	./bin/patternvault serve

bench:
	$(GO) run ./cmd/benchtable

# The production topology on this machine (docs/scaling.md): starts it with
# scripts/cluster up, runs internal/clustertest (usual flow, rolling
# restart, failover under load, backup and restore drill), stops it.
cluster-test:
	./scripts/cluster up
	./scripts/cluster failover-test; rc=$$?; ./scripts/cluster down; exit $$rc
