# xen-pci: the command-line client of the agent (tools/xen_pci.h).
XEN_PCI_SRCS := $(wildcard tools/*.c)
XEN_PCI_OBJS := $(XEN_PCI_SRCS:%.c=$(OBJDIR)/%.o)
BINS += $(BINDIR)/xen-pci

$(BINDIR)/xen-pci: $(XEN_PCI_OBJS) $(LIBDIR)/libxenpci.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(XEN_PCI_OBJS) $(LIBDIR)/libxenpci.a \
		$(shell pkg-config --libs xenstore xlutil xenlight libpci)
