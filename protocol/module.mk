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
