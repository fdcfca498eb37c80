# PatternVault's developer commands. `make test` is the README's test command.
GO ?= go
PKGS := ./...

.PHONY: build test vet fmt-check bench run

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
