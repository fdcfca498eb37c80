# PatternVault's developer commands. `make test` is the README's test command.
GO ?= go
PKGS := ./...

# The linters ./scripts/tools installs with `go install`.
GOBIN := $(shell $(GO) env GOPATH)/bin
STATICCHECK := $(GOBIN)/staticcheck
DEADCODE := $(GOBIN)/deadcode

.PHONY: build test vet fmt-check lint bench run cluster-test

# CGO_ENABLED=0: nothing here needs C, and a binary without the C
# runtime and libc starts about 5 ms sooner (every command, issue 14).
build:
	CGO_ENABLED=0 $(GO) build -buildvcs=true -o bin/patternvault ./cmd/patternvault

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# lint: staticcheck (its unused-code check included), and deadcode, which
# lists functions that neither the program nor any test reaches: there must
# be none.
lint:
	@test -x $(STATICCHECK) -a -x $(DEADCODE) || { echo "lint: staticcheck or deadcode missing: run ./scripts/tools"; exit 1; }
	$(STATICCHECK) $(PKGS)
	@out=$$($(DEADCODE) -test $(PKGS)); if [ -n "$$out" ]; then echo "deadcode: unreachable functions (remove them, or use them):"; echo "$$out"; exit 1; fi

test: fmt-check vet lint
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
