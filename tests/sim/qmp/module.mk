# simqmp: qemu-xen's QMP monitor for simulated HVM guests, and the test
# clients that go with it.  yajl: the JSON library libxl itself uses.
SIMQMP_SRCS := tests/sim/qmp/main.c tests/sim/qmp/monitor.c \
	tests/sim/qmp/pcibus.c
SIMQMP_OBJS := $(SIMQMP_SRCS:%.c=$(OBJDIR)/%.o)
BINS += $(BINDIR)/simqmp $(BINDIR)/qmpc $(BINDIR)/simxcinfo

$(BINDIR)/simqmp: $(SIMQMP_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs xenstore \
		xencontrol yajl) -lev

$(BINDIR)/qmpc: $(OBJDIR)/tests/sim/qmp/client.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs yajl)

$(BINDIR)/simxcinfo: $(OBJDIR)/tests/sim/qmp/xcinfo.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs xencontrol)
