# simhost: starts and stops a simulated Xen host (tests/sim/simhost.h).
SIMHOST_SRCS := $(wildcard tests/sim/simhost/*.c)
SIMHOST_OBJS := $(SIMHOST_SRCS:%.c=$(OBJDIR)/%.o)
BINS += $(BINDIR)/simhost

$(BINDIR)/simhost: $(SIMHOST_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs xenstore xenlight) -lyajl
