# libsimxen.so: the simulated hypervisor, LD_PRELOADed into xenstored and
# into the agent on the simulated host.
SIMXEN_SRCS := $(wildcard tests/sim/preload/*.c)
SIMXEN_OBJS := $(SIMXEN_SRCS:%.c=$(OBJDIR)/pic/%.o)
LIBS += $(LIBDIR)/libsimxen.so

# Never sanitized: it is preloaded into xenstored, which is not, and the
# ASan runtime must come first in a process or not at all.
SIMXEN_CFLAGS = $(filter-out -fsanitize%,$(CFLAGS))

$(OBJDIR)/pic/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(SIMXEN_CFLAGS) -fPIC $(PKG_CFLAGS) -c -o $@ $<

$(LIBDIR)/libsimxen.so: $(SIMXEN_OBJS)
	@mkdir -p $(dir $@)
	$(CC) -shared -o $@ $^ -ldl
