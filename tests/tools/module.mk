# Small test programs used by the test scripts.
BINS += $(BINDIR)/xstest

$(BINDIR)/xstest: $(OBJDIR)/tests/tools/xstest.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs xenstore)

BINS += $(BINDIR)/xctest

$(BINDIR)/xctest: $(OBJDIR)/tests/tools/xctest.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs xencontrol)

# What cxenstored and oxenstored answer differently (t-robust-xenstored).
BINS += $(BINDIR)/xsprobe

$(BINDIR)/xsprobe: $(OBJDIR)/tests/tools/xsprobe.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs xenstore)

# libxl's saved domain configuration after xl pci-attach (t-host-savedcfg).
BINS += $(BINDIR)/libxl-json

$(BINDIR)/libxl-json: $(OBJDIR)/tests/tools/libxljson.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ \
		$(shell pkg-config --libs xenlight xlutil xentoollog) -lyajl
