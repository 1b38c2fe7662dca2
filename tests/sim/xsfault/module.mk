# libxsfault.so: makes chosen xenstore changes of the process it is
# preloaded into fail (tests/sim/xsfault/xsfault.c).  Built like
# libsimxen.so, through its $(OBJDIR)/pic/%.o rule: never sanitized.
XSFAULT_OBJS := $(OBJDIR)/pic/tests/sim/xsfault/xsfault.o
LIBS += $(LIBDIR)/libxsfault.so

$(LIBDIR)/libxsfault.so: $(XSFAULT_OBJS)
	@mkdir -p $(dir $@)
	$(CC) -shared -o $@ $^ -ldl
