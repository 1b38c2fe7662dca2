# simsysfs: FUSE simulation of Linux 6.1 /sys/bus/pci with xen-pciback.
SIMSYSFS_SRCS := $(wildcard tests/sim/sysfs/*.c)
SIMSYSFS_OBJS := $(SIMSYSFS_SRCS:%.c=$(OBJDIR)/%.o)

BINS += $(BINDIR)/simsysfs

$(BINDIR)/simsysfs: $(SIMSYSFS_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs fuse3) -lpthread
