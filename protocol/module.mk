# libxenpci.a: the client library of the agent's xenstore protocol
# (protocol/xenpci_client.h), linked by tools/ and by toolstacks
# together with $(shell pkg-config --libs xenstore).
LIBXENPCI_SRCS := $(wildcard protocol/*.c)
LIBXENPCI_OBJS := $(LIBXENPCI_SRCS:%.c=$(OBJDIR)/%.o)
LIBXENPCI := $(LIBDIR)/libxenpci.a
LIBS += $(LIBXENPCI)

$(LIBXENPCI): $(LIBXENPCI_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

# libxenpci.so.1: the same library, shared, for `make install` and
# toolstacks (pkg-config xenpci, dist/xenpci.pc.in).  Position-independent
# objects of their own, never sanitized: a toolstack loading it need not
# carry the ASan runtime.
LIBXENPCI_SO_MAJOR := 1
LIBXENPCI_SO_VERSION := 1.0.0
LIBXENPCI_SO := $(LIBDIR)/libxenpci.so.$(LIBXENPCI_SO_VERSION)
LIBXENPCI_SO_OBJS := $(LIBXENPCI_SRCS:%.c=$(OBJDIR)/shared/%.o)
LIBS += $(LIBXENPCI_SO)

$(OBJDIR)/shared/protocol/%.o: protocol/%.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -fsanitize%,$(CFLAGS)) -fPIC -fvisibility=default \
		$(PKG_CFLAGS) -c -o $@ $<

$(LIBXENPCI_SO): $(LIBXENPCI_SO_OBJS)
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libxenpci.so.$(LIBXENPCI_SO_MAJOR) \
		-o $@ $^ $(shell pkg-config --libs xenstore)
	ln -sf $(notdir $@) $(LIBDIR)/libxenpci.so.$(LIBXENPCI_SO_MAJOR)
	ln -sf $(notdir $@) $(LIBDIR)/libxenpci.so
