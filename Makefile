# xen-pci-agent: top-level build.  GNU make.
#
# Each component keeps its rules in a module.mk beside its sources and
# appends its outputs to BINS/LIBS, so that adding a component never
# touches this file.

CC ?= cc
BUILD := build
BINDIR := $(BUILD)/bin
LIBDIR := $(BUILD)/lib
OBJDIR := $(BUILD)/obj

PKGS := xenstore xenlight xlutil xencontrol fuse3
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)

CFLAGS ?= -O2 -g
# gnu11: C11 plus the GNU extensions that xenctrl.h relies on
# (__align8__ in xen/foreign/x86_64.h is defined only for GNU C).
CFLAGS += -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror
CFLAGS += -MMD -MP -Iprotocol
ifeq ($(SANITIZE),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif

BINS :=
LIBS :=

.PHONY: all check asan demo bench clean deps realxen
all: deps-ok

include $(sort $(wildcard */module.mk */*/module.mk */*/*/module.mk))

all: $(BINS) $(LIBS)

# Installs missing Debian packages once; the stamp keeps it off the
# fast path.
deps-ok: $(BUILD)/.deps-ok
$(BUILD)/.deps-ok: tests/deps.sh
	@mkdir -p $(BUILD)
	tests/deps.sh
	@touch $@
deps: $(BUILD)/.deps-ok

# Then the tests of the agent, the CLI and the peers again on oxenstored,
# Debian 12's default xenstored (about 9 minutes more).
OXENSTORED_TESTS := agent- attach- cli- sim-peer sim-world robust-
check: all fuzz-bins
	BUILD=$(BUILD) tests/run-tests
	BUILD=$(BUILD) XENPCI_XENSTORED=oxenstored tests/run-tests \
		$(OXENSTORED_TESTS)

# The real-Xen tier alone (part of check): Xen 4.17 in QEMU.
realxen: all
	BUILD=$(BUILD) tests/run-tests realxen

demo: all
	BUILD=$(BUILD) tests/sim/demo.sh

# xl 4.17 against the agent on the simulated host (tests/bench/bench.sh):
# `make bench N=5`, `make bench SCALE=1` (256 devices, ~15 minutes).
bench: all
	BUILD=$(BUILD) N=$(or $(N),20) SCALE=$(or $(SCALE),0) tests/bench/bench.sh

asan:
	$(MAKE) SANITIZE=1 BUILD=build/asan check

clean:
	rm -rf $(BUILD)

$(OBJDIR)/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

-include $(shell find $(OBJDIR) -name '*.d' 2>/dev/null)
