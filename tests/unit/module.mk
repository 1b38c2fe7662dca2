# C unit tests: tests/unit/test-<name>.c, each linked with the agent
# objects it names in UNIT_OBJS_<name> (agent/<file>.o, relative to
# $(OBJDIR)) and, if it needs them, fakes of its own in the same .c.
# No xenstored, no sysfs: they run in milliseconds, from
# tests/t-unit.sh, which `make check` runs with the other tests.
UNIT_SRCS := $(wildcard tests/unit/test-*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BINDIR)/unit/%)
BINS += $(UNIT_BINS)

UNIT_LIBS = $(shell pkg-config --libs xenstore xlutil xenlight \
		xencontrol xentoollog) -lev -lyajl -lpthread

UNIT_OBJS_test-bdf := agent/bdf.o
UNIT_OBJS_test-sysfs := agent/sysfs.o agent/bdf.o agent/config.o
UNIT_OBJS_test-intent := agent/statedir.o agent/log.o agent/bdf.o \
	agent/config.o
UNIT_OBJS_test-device-table := agent/device.o agent/devstep.o \
	agent/xenbus.o agent/xenbus_conn.o agent/hypervisor.o \
	agent/libxl_pci.o agent/policy.o agent/records.o agent/sysfs.o \
	agent/script.o agent/qemupt.o agent/qmp.o agent/savedcfg.o \
	agent/statedir.o agent/xs.o agent/log.o agent/bdf.o \
	agent/config.o agent/cancel.o
UNIT_OBJS_test-qmp := agent/qemupt.o agent/qmp.o agent/log.o agent/sysfs.o \
	agent/config.o agent/cancel.o agent/bdf.o
UNIT_OBJS_test-hint := agent/hint.o agent/log.o agent/bdf.o agent/config.o
UNIT_OBJS_test-queue := agent/queue.o agent/bdf.o
UNIT_OBJS_test-reqparse := agent/reqparse.o agent/spec.o agent/bdf.o
UNIT_OBJS_test-request := tests/unit/request-fakes.o \
	agent/request.o agent/reqwatch.o agent/ops.o \
	agent/reqparse.o agent/spec.o agent/bdf.o agent/cancel.o \
	agent/config.o

.SECONDEXPANSION:
$(BINDIR)/unit/%: $(OBJDIR)/tests/unit/%.o $(OBJDIR)/tests/unit/unit.o \
		  $$(addprefix $(OBJDIR)/,$$(UNIT_OBJS_$$*))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(UNIT_LIBS)
.PRECIOUS: $(OBJDIR)/tests/unit/%.o
