/*
 * simhost guest DOMID cfgwrite VBDF OFFSET SIZE VALUE: the guest's
 * driver writes its device's configuration space through pcifront.
 *
 * As drivers/pci/xen-pcifront.c pcifront_bus_write() -> do_pci_op()
 * sends XEN_PCI_OP_conf_write with the guest's own (virtual) address,
 * and pciback_ops.c xen_pcibk_do_op() finds the real device through
 * its virtual bus (xen_pcibk_get_pci_dev()) before conf_space.c
 * xen_pcibk_config_write().  The guest's bus is what simpeer published
 * in SIMXEN_DIR/guests/<domid>/pci ("<vBDF> <- <real BDF>"); the write
 * itself is simsysfs's (sim/hotplug "cfgwrite"), which holds the
 * permissive flags and prints the kernel's warning to dev/kmsg.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "simhost.h"

/* include/xen/interface/io/pciif.h */
static const char *const pci_err_names[] = {
	"XEN_PCI_ERR_success", "XEN_PCI_ERR_dev_not_found",
	"XEN_PCI_ERR_invalid_offset", "XEN_PCI_ERR_access_denied",
	"XEN_PCI_ERR_not_implemented", "XEN_PCI_ERR_op_failed",
};

/* The real device behind a guest's virtual address, or -1. */
static int guest_lookup(const struct host *h, unsigned int domid,
			const char *vbdf, char *real, size_t len)
{
	char path[700], line[256], v[64], r[64];
	int found = -1;
	FILE *f;

	host_path(h, path, sizeof(path), "xen/guests/%u/pci", domid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s <- %63s", v, r) == 2 &&
		    !strcmp(v, vbdf)) {
			snprintf(real, len, "%s", r);
			found = 0;
		}
	fclose(f);
	return found;
}

static void sim_write(const struct host *h, const char *file,
		      const char *line)
{
	char path[700];
	int fd;

	host_path(h, path, sizeof(path), "sysfs/sim/%s", file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	if (write(fd, line, strlen(line)) < 0)
		die("%s: %s", path, strerror(errno));
	close(fd);
}

static int sim_result(const struct host *h)
{
	char path[700];
	int v = 0;
	FILE *f;

	host_path(h, path, sizeof(path), "sysfs/sim/cfgwrite-result");
	f = fopen(path, "re");
	if (!f || fscanf(f, "%d", &v) != 1)
		die("read %s: %s", path, strerror(errno));
	fclose(f);
	return v;
}

static int guest_cfgwrite(const struct host *h, unsigned int domid,
			  char **argv)
{
	char real[64], line[256];
	int err;

	if (guest_lookup(h, domid, argv[0], real, sizeof(real))) {
		err = -1;	/* xen_pcibk_get_pci_dev() found nothing */
		goto out;
	}
	snprintf(line, sizeof(line), "cfgwrite %u %s %s %s %s\n", domid,
		 real, argv[1], argv[2], argv[3]);
	sim_write(h, "hotplug", line);
	err = sim_result(h);
out:
	if (err) {
		fprintf(stderr, "simhost: guest %u: %s: config write at %s: "
			"%s\n", domid, argv[0], argv[1],
			-err < 6 ? pci_err_names[-err] : "XEN_PCI_ERR_?");
		return 1;
	}
	return 0;
}

int cmd_guest(int argc, char **argv)
{
	const char *dir = NULL;
	unsigned int domid;
	struct host h;
	char *end;
	int i = 1;

	if (argc > 2 && !strcmp(argv[1], "--dir")) {
		dir = argv[2];
		i = 3;
	}
	if (argc - i != 6 || strcmp(argv[i + 1], "cfgwrite"))
		die("usage: simhost guest DOMID cfgwrite VBDF OFFSET SIZE "
		    "VALUE");
	domid = strtoul(argv[i], &end, 10);
	if (*end || end == argv[i])
		die("guest: bad domid '%s'", argv[i]);
	host_init(&h, dir);
	return guest_cfgwrite(&h, domid, argv + i + 2);
}
