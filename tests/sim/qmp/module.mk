# The QMP peer (qemu-xen's monitor for simulated HVM guests) and the
# test clients that go with it.  yajl: the JSON library libxl uses.
BINS += $(BINDIR)/simxcinfo

$(BINDIR)/simxcinfo: $(OBJDIR)/tests/sim/qmp/xcinfo.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs xencontrol)
