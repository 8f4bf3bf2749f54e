# The user's verbs. Meson + Ninja do the real build; every verb first makes
# sure the Debian packages it needs are present (scripts/deps.sh).
PREFIX ?= /usr/local
BUILD := build
SAN := build-san
FUZZ := build-fuzz
DEB := build-deb
DEPS := scripts/deps.sh

.PHONY: all deps run check san fuzz bench install uninstall deb format clean

all: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

deps:
	@$(DEPS) build

$(BUILD)/build.ninja:
	meson setup $(BUILD) --prefix=$(PREFIX)

run: all
	@$(DEPS) run
	@scripts/run.sh

check:
	@$(DEPS) test
	@scripts/check.sh

san:
	@$(DEPS) test
	@scripts/check.sh --san-only

fuzz:
	@$(DEPS) fuzz
	@test -f $(FUZZ)/build.ninja || CC=clang meson setup $(FUZZ) -Dfuzz=true -Db_lundef=false -Db_sanitize=address,undefined
	ninja -C $(FUZZ)
	@scripts/fuzz.sh $(FUZZ)

bench: all
	@scripts/bench.sh $(BUILD)

install: all
	meson configure $(BUILD) --prefix=$(PREFIX)
	meson install -C $(BUILD)

uninstall:
	ninja -C $(BUILD) uninstall

# The Debian package mosh-c in $(DEB)/ (scripts/deb.sh); dpkg -i installs it.
deb:
	@$(DEPS) deb
	@scripts/deb.sh $(DEB)

format:
	@git ls-files --cached --others --exclude-standard '*.c' '*.h' | xargs -r clang-format -i

clean:
	rm -rf $(BUILD) $(SAN) $(FUZZ) $(DEB)
