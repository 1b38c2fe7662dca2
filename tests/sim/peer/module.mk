# simpeer: Linux xen-pciback + xen-pcifront stand-in for tests.
SIMPEER_SRCS := $(wildcard tests/sim/peer/*.c)
SIMPEER_OBJS := $(SIMPEER_SRCS:%.c=$(OBJDIR)/%.o)
BINS += $(BINDIR)/simpeer

$(BINDIR)/simpeer: $(SIMPEER_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs xenstore) -lev
