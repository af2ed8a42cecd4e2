# shipmeter — set up, build, test, demo, install. Every target installs what it needs first.
SWIFT ?= swift
# Builds use the package versions Package.resolved pins (the ones tested), never newer ones.
BUILD_FLAGS ?= --force-resolved-versions
BIN = .build/debug/shipmeter
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo >/dev/null && [ "$$(id -u)" != 0 ] && echo sudo)
APT_PACKAGES = libgit2-dev libsqlite3-dev pkg-config git

# Where `make install` puts things: $(DESTDIR)$(PREFIX)/bin, share/man/man1 and the completion folders.
PREFIX ?= /usr/local
DESTDIR ?=
ROOT = $(DESTDIR)$(PREFIX)
BINDIR = $(ROOT)/bin
MANDIR = $(ROOT)/share/man/man1
BASHDIR = $(ROOT)/share/bash-completion/completions
ZSHDIR = $(ROOT)/share/zsh/site-functions
FISHDIR = $(ROOT)/share/fish/vendor_completions.d
# The installed binaries carry the Swift runtime inside on Linux (no toolchain needed to run
# them; the hook starts in a few milliseconds), built apart from .build/release.
INSTALL_BUILD ?= .build/install
CONFIG ?= release
STATIC ?= $(shell [ "$$(uname -s)" = Linux ] && echo --static-swift-stdlib)
OUT = $(INSTALL_BUILD)/$(CONFIG)
# Installed binaries are stripped of their symbol tables (half the size); INSTALL_STRIP= keeps them.
INSTALL_STRIP ?= -s
INSTALLED = $(BINDIR)/shipmeter $(BINDIR)/shipmeter-hook $(MANDIR)/shipmeter.1 \
	$(BASHDIR)/shipmeter $(ZSHDIR)/_shipmeter $(FISHDIR)/shipmeter.fish

.PHONY: deps build test demo release install uninstall deb dist clean

## deps: install the system libraries shipmeter links against (Debian/Ubuntu or macOS)
deps:
	@if ! pkg-config --exists libgit2 sqlite3 2>/dev/null || ! command -v git >/dev/null; then \
	  if command -v apt-get >/dev/null; then \
	    echo "installing $(APT_PACKAGES)"; \
	    $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	  elif command -v brew >/dev/null; then brew install libgit2 sqlite pkg-config; \
	  else echo "install libgit2 (and pkg-config) with your package manager" >&2; exit 1; fi; \
	fi

## build: debug build of every product (shipmeter, shipmeter-hook), with the PostgreSQL ledger
build: deps
	$(SWIFT) build $(BUILD_FLAGS)

## demo: build a sample repository with usage records in a temporary folder and report on it.
## A first build leaves out the PostgreSQL backend (the demo's ledger is SQLite), which halves
## it; a binary already built with PostgreSQL (`make build`, `make test`) is used as it is.
demo:
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory deps || exit 1; \
	if $(BIN) --version 2>/dev/null | grep -q "and PostgreSQL"; then traits=; else traits=--disable-default-traits; fi; \
	$(SWIFT) build $(BUILD_FLAGS) --product shipmeter $$traits || exit 1; \
	$(BIN) demo || exit 1; \
	elapsed=$$(( $$(date +%s) - start )); \
	echo "make demo: first report $$((elapsed / 60)) min $$((elapsed % 60)) s after starting (setup, build and run)" >&2

## test: build and run every test (both ledgers, the fuzz targets briefly, the browser check)
test: deps
	./scripts/test

## release: what `make install` installs, built in $(INSTALL_BUILD) (release, the Swift
## runtime linked in on Linux): shipmeter, shipmeter-hook, the man page and completions
release: deps
	$(SWIFT) build $(BUILD_FLAGS) -c $(CONFIG) $(STATIC) --scratch-path $(INSTALL_BUILD) --product shipmeter
	$(SWIFT) build $(BUILD_FLAGS) -c $(CONFIG) $(STATIC) --scratch-path $(INSTALL_BUILD) --product shipmeter-hook
	$(SWIFT) build $(BUILD_FLAGS) -c $(CONFIG) $(STATIC) --scratch-path $(INSTALL_BUILD) --product generate-manual
	rm -rf $(INSTALL_BUILD)/share && mkdir -p $(INSTALL_BUILD)/share
	$(OUT)/generate-manual $(OUT)/shipmeter --output-directory $(INSTALL_BUILD)/share
	$(OUT)/shipmeter --generate-completion-script bash > $(INSTALL_BUILD)/share/shipmeter.bash
	$(OUT)/shipmeter --generate-completion-script zsh > $(INSTALL_BUILD)/share/_shipmeter
	$(OUT)/shipmeter --generate-completion-script fish > $(INSTALL_BUILD)/share/shipmeter.fish

## install: `make release`, then the binaries, man page and bash/zsh/fish completions under
## $(DESTDIR)$(PREFIX) (default /usr/local; sudo is used only to copy, when needed)
install: release
	@sudo=; mkdir -p "$(ROOT)" 2>/dev/null; [ -w "$(ROOT)" ] || sudo="$(SUDO)"; set -e; \
	$$sudo install -d "$(BINDIR)" "$(MANDIR)" "$(BASHDIR)" "$(ZSHDIR)" "$(FISHDIR)"; \
	$$sudo install -m 755 $(INSTALL_STRIP) $(OUT)/shipmeter $(OUT)/shipmeter-hook "$(BINDIR)/"; \
	$$sudo install -m 644 $(INSTALL_BUILD)/share/shipmeter.1 "$(MANDIR)/shipmeter.1"; \
	$$sudo install -m 644 $(INSTALL_BUILD)/share/shipmeter.bash "$(BASHDIR)/shipmeter"; \
	$$sudo install -m 644 $(INSTALL_BUILD)/share/_shipmeter "$(ZSHDIR)/_shipmeter"; \
	$$sudo install -m 644 $(INSTALL_BUILD)/share/shipmeter.fish "$(FISHDIR)/shipmeter.fish"; \
	for file in $(INSTALLED); do echo "installed $$file"; done; \
	"$(BINDIR)/shipmeter" --version

## deb: dist/shipmeter_<version>_<arch>.deb from `make release` (installs with apt-get, no
## Swift toolchain needed): binaries, man page, completions, a disabled systemd unit for serve
deb: release
	scripts/package deb $(INSTALL_BUILD) $(CONFIG)

## dist: dist/shipmeter-<version>-linux-<arch>.tar.gz (bin/, share/, SHA256SUMS) from `make release`
dist: release
	scripts/package dist $(INSTALL_BUILD) $(CONFIG)

## uninstall: remove what `make install` put under $(DESTDIR)$(PREFIX)
uninstall:
	@sudo=; [ -w "$(BINDIR)" ] || [ ! -e "$(BINDIR)" ] || sudo="$(SUDO)"; \
	for file in $(INSTALLED); do \
	  if [ -e "$$file" ]; then $$sudo rm -f "$$file" && echo "removed $$file"; fi; \
	done

clean:
	rm -rf .build dist
