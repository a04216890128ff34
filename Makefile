# peerboard: `make run` serves the portal with demo data, `make test` runs the whole suite.
# With DATABASE_URL unset, both use a private PostgreSQL cluster under .data/.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PGBIN    ?= /usr/lib/postgresql/15/bin
DATA_DIR := $(CURDIR)/.data

# initdb and postgres refuse to run as root: run them as the postgres user then.
ifeq ($(shell id -u),0)
AS_PG := runuser -u postgres -- env -C /
# That user must reach the cluster's folder, and a socket path must stay under 108 bytes. A
# checkout under /root (mode 700) or a deep one cannot hold it, so the cluster then lives in
# /var/tmp and .data links to it.
ifneq ($(shell runuser -u postgres -- test -x '$(CURDIR)' 2>/dev/null && echo ok),ok)
DATA_DIR := /var/tmp/peerboard-$(shell printf %s '$(CURDIR)' | md5sum | cut -c1-12)
endif
endif
ifeq ($(shell test $$(printf %s '$(CURDIR)' | wc -c) -gt 70 && echo long),long)
DATA_DIR := /var/tmp/peerboard-$(shell printf %s '$(CURDIR)' | md5sum | cut -c1-12)
endif
PGDATA   := $(DATA_DIR)/pg
PGSOCK   := $(DATA_DIR)/run
CHROMIUM ?= /usr/bin/chromium
# staticcheck 2026.2.2 is module version v0.8.2 (the proxy serves only the latter).
STATICCHECK_VERSION := v0.8.2
BIN      := $(CURDIR)/bin/peerboard

ifeq ($(strip $(DATABASE_URL)),)
LOCAL_DB := 1
export DATABASE_URL := postgres://postgres@/peerboard?host=$(PGSOCK)&sslmode=disable
endif


.PHONY: help run test stop db build generate check-generated lint bench chromium vendor-ui clean-db

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

run: db build ## migrate, seed demo data and serve on http://localhost:8080
	@$(BIN) migrate
	@$(BIN) seed
	@exec $(BIN) serve

test: db chromium check-generated lint ## run the whole suite (race detector, real PostgreSQL, headless Chromium)
	CHROMIUM=$(CHROMIUM) go test -race -count=1 -timeout 30m ./...

bench: db ## benchmarks through the real router and database (seeds 100,000 records; slow)
	set -o pipefail; go test -run '^$$' -bench 'Verify|Reviewer|Holder' -benchtime 2000x -timeout 60m -v ./internal/bench/ | grep -v '^=== RUN'
	go test -run '^$$' -bench 'CERoster' -benchtime 5x -timeout 20m ./internal/bench/
	go test -run '^$$' -bench 'DailyRun' -benchtime 30x -timeout 20m ./internal/bench/

build: ## compile bin/peerboard
	@go build -o $(BIN) ./cmd/peerboard

generate: ## regenerate the templ views
	go tool templ generate -path web

check-generated: ## fail when committed *_templ.go files are stale
	@go tool templ generate -path web >/dev/null
	@if [ -d .git ] && ! git diff --quiet -- 'web/*_templ.go' 'web/**/*_templ.go'; then \
		git --no-pager diff --stat -- 'web/*_templ.go' 'web/**/*_templ.go'; \
		echo "generated templ files are stale: run 'make generate' and commit them"; exit 1; fi
	@if [ -d .git ] && [ -n "$$(git ls-files --others --exclude-standard -- 'web/*_templ.go' 'web/**/*_templ.go')" ]; then \
		echo "generated templ files are not committed: run 'make generate' and commit them"; exit 1; fi

lint: ## gofmt, go vet and staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './web/_ui/*') | grep -v '_templ.go$$' || true); \
		if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi
	go vet ./...
	@[ -x "$$(go env GOPATH)/bin/staticcheck" ] || go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	"$$(go env GOPATH)/bin/staticcheck" ./...

chromium: ## install Chromium for the browser tests when missing (apt, as root)
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing chromium (about a minute)"; \
			DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "Chromium is missing at $(CHROMIUM): install it (sudo apt-get install -y chromium) or set CHROMIUM=path"; exit 1; fi; \
	fi

# fsync is off: the cluster holds demo and test data only, rebuilt by `make clean-db run`.
db: ## start the private PostgreSQL cluster under .data/ (skipped when DATABASE_URL is set)
ifdef LOCAL_DB
	@mkdir -p $(PGDATA) $(PGSOCK)
	@if [ "$(DATA_DIR)" != "$(CURDIR)/.data" ] && [ ! -e .data ]; then ln -s $(DATA_DIR) .data; fi
	@if [ -n "$(AS_PG)" ]; then chown postgres:postgres $(PGDATA) $(PGSOCK); fi
	@chmod 700 $(PGDATA)
	@if [ ! -f $(PGDATA)/PG_VERSION ]; then \
		echo "creating a private PostgreSQL cluster in $(PGDATA)"; \
		$(AS_PG) $(PGBIN)/initdb -D $(PGDATA) -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null; fi
	@if ! $(AS_PG) $(PGBIN)/pg_ctl -D $(PGDATA) status >/dev/null 2>&1; then \
		$(AS_PG) $(PGBIN)/pg_ctl -D $(PGDATA) -l $(PGDATA)/server.log -w -s \
		-o "-k $(PGSOCK) -c listen_addresses='' -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start; fi
	@$(PGBIN)/psql -h $(PGSOCK) -U postgres -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = 'peerboard'" | grep -q 1 || \
		$(PGBIN)/createdb -h $(PGSOCK) -U postgres peerboard
endif

stop: ## stop the private PostgreSQL cluster
	@if [ -f $(PGDATA)/postmaster.pid ]; then $(AS_PG) $(PGBIN)/pg_ctl -D $(PGDATA) -w -s stop -m fast; fi

clean-db: stop ## delete the private cluster and its data
	rm -rf $(DATA_DIR) .data

vendor-ui: ## re-vendor USWDS, axe-core and the common-password list from npm (needs node)
	web/_ui/vendor.sh
