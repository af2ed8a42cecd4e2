# shipmeter — set up, build, test, demo. Every target installs what it needs first.
SWIFT ?= swift
BUILD_FLAGS ?=
BIN = .build/debug/shipmeter
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo >/dev/null && [ "$$(id -u)" != 0 ] && echo sudo)
APT_PACKAGES = libgit2-dev libsqlite3-dev pkg-config git

.PHONY: deps build test demo bench clean

## deps: install the system libraries shipmeter links against (Debian/Ubuntu or macOS)
deps:
	@if ! pkg-config --exists libgit2 sqlite3 2>/dev/null || ! command -v git >/dev/null; then \
	  if command -v apt-get >/dev/null; then \
	    echo "installing $(APT_PACKAGES)"; \
	    $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	  elif command -v brew >/dev/null; then brew install libgit2 sqlite pkg-config; \
	  else echo "install libgit2 (and pkg-config) with your package manager" >&2; exit 1; fi; \
	fi

## build: debug build of the shipmeter binary
build: deps
	$(SWIFT) build $(BUILD_FLAGS)

## demo: build a sample repository with usage records in a temporary folder and report on it
demo: build
	$(BIN) demo

## test: build and run every test
test: deps
	./scripts/test

clean:
	rm -rf .build
