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

PKGS := xenstore xenlight xlutil xencontrol fuse3 libsystemd libpci
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

.PHONY: all check asan demo bench clean deps realxen realxen-hvm install
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

# Then every simulated test that talks to xenstored again on oxenstored,
# Debian 12's default xenstored (about 17 minutes more).  Left out: the
# unit, lint, fuzz-corpus and sim-sysfs tests, which start no xenstored,
# and the real-Xen tier, whose t-realxen-ox boots dom0 on oxenstored.
OXENSTORED_TESTS := agent- attach- cli- sim-peer sim-world robust- bench-smoke \
	guard- host- hvm- script- sim-qmp
check: all
	BUILD=$(BUILD) tests/run-tests
	BUILD=$(BUILD) XENPCI_XENSTORED=oxenstored tests/run-tests \
		$(OXENSTORED_TESTS)

# The real-Xen tier alone (part of check): Xen 4.17 in QEMU.
realxen: all
	BUILD=$(BUILD) tests/run-tests realxen

# The HVM guests of the real-Xen tier (issue 11), opt-in for now: see
# tests/t-realxen-hvm.sh.
realxen-hvm: all
	BUILD=$(BUILD) REALXEN_HVM=1 tests/run-tests t-realxen-hvm

demo: all
	BUILD=$(BUILD) tests/sim/demo.sh

# xl 4.17 against the agent on the simulated host (tests/bench/bench.sh):
# `make bench N=5`, `make bench SCALE=1` (256 devices, ~15 minutes),
# `make bench REALXEN=1` (also one real-Xen boot, xl and the agent on a
# real PV guest: tests/bench/realxen.sh).
bench: all
	BUILD=$(BUILD) N=$(or $(N),20) SCALE=$(or $(SCALE),0) \
		REALXEN=$(or $(REALXEN),0) tests/bench/bench.sh

asan:
	$(MAKE) SANITIZE=1 BUILD=build/asan check

clean:
	rm -rf $(BUILD)

# make install [PREFIX=/usr/local] [DESTDIR=]: everything a Xen host
# needs (README, "Installing on a Xen host").  The configuration and the
# init script live under /etc whatever PREFIX is: the daemon and the
# scripts look there.
VERSION := 0.1
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
sbindir ?= $(PREFIX)/sbin
bindir ?= $(PREFIX)/bin
libdir ?= $(PREFIX)/lib
includedir ?= $(PREFIX)/include
mandir ?= $(PREFIX)/share/man
bashcompdir ?= $(PREFIX)/share/bash-completion/completions
systemdunitdir ?= /lib/systemd/system
# The agent's default --script-dir (agent/script.h); Xen ships no "pci".
hotplugdir ?= $(SYSCONFDIR)/xen/scripts
INSTALL ?= install

MANPAGES := man/xen-pci-agent.8 man/xen-pci.1 man/xen-pci-agent.cfg.5 \
	$(BUILD)/man/xen-pci-protocol.7
all: $(BUILD)/man/xen-pci-protocol.7
$(BUILD)/man/xen-pci-protocol.7: protocol/PROTOCOL.md man/md2man.sh
	@mkdir -p $(dir $@)
	man/md2man.sh xen-pci-protocol 7 "$(VERSION)" <$< >$@
# Made at install time: its paths are those of this PREFIX and libdir.
$(BUILD)/xenpci.pc: dist/xenpci.pc.in FORCE
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(libdir)|' \
	    -e 's|@INCLUDEDIR@|$(includedir)|' -e 's|@VERSION@|$(VERSION)|' \
	    $< >$@

FORCE:
install: all $(BUILD)/xenpci.pc
	$(INSTALL) -d $(DESTDIR)$(sbindir) $(DESTDIR)$(bindir) \
		$(DESTDIR)$(libdir)/pkgconfig $(DESTDIR)$(includedir) \
		$(DESTDIR)$(SYSCONFDIR)/xen $(DESTDIR)$(SYSCONFDIR)/init.d \
		$(DESTDIR)$(SYSCONFDIR)/default $(DESTDIR)$(systemdunitdir) \
		$(DESTDIR)$(bashcompdir) $(DESTDIR)$(mandir)/man1 \
		$(DESTDIR)$(mandir)/man5 $(DESTDIR)$(mandir)/man7 \
		$(DESTDIR)$(mandir)/man8
	$(INSTALL) -m 755 $(BINDIR)/xen-pci-agent $(DESTDIR)$(sbindir)/
	$(INSTALL) -m 755 $(BINDIR)/xen-pci $(DESTDIR)$(bindir)/
	$(INSTALL) -m 644 $(LIBXENPCI_SO) $(DESTDIR)$(libdir)/
	ln -sf $(notdir $(LIBXENPCI_SO)) \
		$(DESTDIR)$(libdir)/libxenpci.so.$(LIBXENPCI_SO_MAJOR)
	ln -sf libxenpci.so.$(LIBXENPCI_SO_MAJOR) $(DESTDIR)$(libdir)/libxenpci.so
	$(INSTALL) -m 644 $(LIBXENPCI) $(DESTDIR)$(libdir)/
	$(INSTALL) -m 644 $(BUILD)/xenpci.pc $(DESTDIR)$(libdir)/pkgconfig/
	$(INSTALL) -m 644 protocol/xenpci_client.h protocol/xenpci_protocol.h \
		$(DESTDIR)$(includedir)/
	$(INSTALL) -m 644 dist/xen-pci-agent.cfg $(DESTDIR)$(SYSCONFDIR)/xen/
	$(INSTALL) -m 644 dist/xen-pci-agent.default \
		$(DESTDIR)$(SYSCONFDIR)/default/xen-pci-agent
	$(INSTALL) -m 755 dist/xen-pci-agent.init \
		$(DESTDIR)$(SYSCONFDIR)/init.d/xen-pci-agent
	sed 's|/usr/sbin/xen-pci-agent|$(sbindir)/xen-pci-agent|' \
		dist/xen-pci-agent.service \
		>$(DESTDIR)$(systemdunitdir)/xen-pci-agent.service
	sed -i 's|^DAEMON=/usr/sbin/|DAEMON=$(sbindir)/|' \
		$(DESTDIR)$(SYSCONFDIR)/init.d/xen-pci-agent
	$(INSTALL) -m 644 dist/xen-pci.bash-completion \
		$(DESTDIR)$(bashcompdir)/xen-pci
	$(INSTALL) -m 644 man/xen-pci.1 $(DESTDIR)$(mandir)/man1/
	$(INSTALL) -m 644 man/xen-pci-agent.cfg.5 $(DESTDIR)$(mandir)/man5/
	$(INSTALL) -m 644 $(BUILD)/man/xen-pci-protocol.7 $(DESTDIR)$(mandir)/man7/
	$(INSTALL) -m 644 man/xen-pci-agent.8 $(DESTDIR)$(mandir)/man8/
	if [ -d hotplug-scripts ]; then \
		$(INSTALL) -d $(DESTDIR)$(hotplugdir) && \
		for f in hotplug-scripts/*; do \
			[ -f "$$f" ] || continue; \
			if [ -x "$$f" ]; then m=755; else m=644; fi; \
			$(INSTALL) -m $$m "$$f" $(DESTDIR)$(hotplugdir)/; \
		done; \
	fi

$(OBJDIR)/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

-include $(shell find $(OBJDIR) -name '*.d' 2>/dev/null)
