# make bench (tests/bench/bench.sh): its requester and xl's start-up shim.
BINS += $(BINDIR)/bench-client
LIBS += $(LIBDIR)/libbenchxl.so

$(BINDIR)/bench-client: $(OBJDIR)/tests/bench/client.o $(LIBDIR)/libxenpci.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs xenstore)

# Preloaded into xl only, after libsimxen.so; never sanitized (xl is not).
$(LIBDIR)/libbenchxl.so: tests/bench/xlshim.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -fsanitize% -MMD -MP,$(CFLAGS)) -fPIC -shared $(PKG_CFLAGS) \
		-o $@ $<
