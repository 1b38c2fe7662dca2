# xen-pci-agent: the daemon that serves PCI pass-through requests from
# xenstore.  Objects go through the top-level $(OBJDIR)/%.o rule.
AGENT_SRCS := $(wildcard agent/*.c)
AGENT_OBJS := $(AGENT_SRCS:%.c=$(OBJDIR)/%.o)
BINS += $(BINDIR)/xen-pci-agent

$(BINDIR)/xen-pci-agent: $(AGENT_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ \
		$(shell pkg-config --libs xenstore xlutil xenlight xencontrol xentoollog) \
		-lev -lyajl -lpthread
