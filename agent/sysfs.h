/*
 * Every sysfs access of the agent, relative to --sysfs-root.  Each
 * returns 0 (or a flag or count) or -errno, the kernel's own.
 */
#ifndef XENPCI_SYSFS_H
#define XENPCI_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bdf.h"

/* libxl's PROC_PCI_NUM_RESOURCES: BARs 0-5 and the expansion ROM. */
#define SYSFS_PCI_RESOURCES	7

struct sysfs_bar {
	uint64_t start, size;
	bool io;		/* I/O ports (IORESOURCE_IO), else memory */
};

void sysfs_init(void);
int sysfs_path(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int sysfs_dev_exists(const struct bdf *b);
int sysfs_pciback_loaded(void);
/* 1 bound to pciback, 0 not, or -errno. */
int sysfs_on_pciback(const struct bdf *b);
/* 1 listed in pciback/slots, 0 not, or -errno. */
int sysfs_has_slot(const struct bdf *b);
/*
 * The driver the device is bound to: `host_path` gets what libxl
 * would store (the realpath on a real host, i.e. under /sys), empty if
 * unbound.  Returns 0 or -errno.
 */
int sysfs_dev_driver(const struct bdf *b, char *host_path, size_t len);
/*
 * All device_observe() needs from sysfs, in one readlink of the driver
 * link when the device has a driver (one more lookup when it has none):
 * -ENOENT (no such device), SYSFS_NO_DRIVER, SYSFS_ON_PCIBACK, or
 * SYSFS_ON_DRIVER with host_path as sysfs_dev_driver() sets it.
 */
enum { SYSFS_NO_DRIVER, SYSFS_ON_PCIBACK, SYSFS_ON_DRIVER };
int sysfs_dev_probe(const struct bdf *b, char *host_path, size_t len);
/* Write the BDF to <host driver path>/<file> (mapped into the root). */
int sysfs_driver_write(const char *host_drv, const char *file,
		       const struct bdf *b);
int sysfs_pciback_write(const char *file, const struct bdf *b);
/* Functions present in sysfs for dom:bus:dev, sorted. */
int sysfs_functions(const struct bdf *slot, struct bdf *out,
		    unsigned int max, unsigned int *n);
/* Devices bound to pciback.  *out is malloc'd. */
int sysfs_pciback_devices(struct bdf **out, unsigned int *n);
/* 1 if the device is listed in pciback/permissive. */
int sysfs_permissive(const struct bdf *b);
const char *driver_name(const char *host_path);	/* basename */
/*
 * The resources with a non-zero start among the first
 * SYSFS_PCI_RESOURCES lines of the device's `resource`, as libxl reads
 * them for a guest's permissions.
 */
int sysfs_resources(const struct bdf *b,
		    struct sysfs_bar bars[SYSFS_PCI_RESOURCES],
		    unsigned int *n);
/* The legacy IRQ in the device's `irq`, 0 for none, or -errno. */
int sysfs_irq(const struct bdf *b);
/* Its `vendor` and `device` ids (HVM: is QEMU's device ours?).  0/-errno. */
int sysfs_ids(const struct bdf *b, unsigned int *vendor,
	      unsigned int *device);
/*
 * libxl__device_pci_reset(): pciback's do_flr where the kernel has it,
 * else the device's reset file.  *how says which ("do_flr", "reset"),
 * or "unsupported" when there is neither: that is logged and is not a
 * failure.  0 or -errno of the write.
 */
int sysfs_reset(const struct bdf *b, const char **how);

#endif
