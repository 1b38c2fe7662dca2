/* SPDX-License-Identifier: GPL-2.0 */
/*
 * simsysfs: a FUSE file system that plays Linux 6.1's /sys/bus/pci with
 * xen-pciback, so that the PCI agent can be tested without hardware.
 *
 * One shared header: the device/driver model (model.c), the pciback
 * driver (pciback.c), the sysfs attributes (attrs.c), the inventory
 * parser (inventory.c), the sim/ control files (simctl.c) and the FUSE
 * glue (fuse_ops.c).  Every function that mirrors kernel behaviour names
 * the kernel function it copies.
 */
#ifndef SIMSYSFS_H
#define SIMSYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SIM_PAGE_SIZE		4096
#define PCI_ANY_ID		(~0U)
#define MAX_RESET_METHODS	8
#define SIM_NAME_MAX		64

/* include/linux/pci.h pci_reset_fn_methods[] order (drivers/pci/pci.c) */
enum reset_method {
	RESET_NONE = 0,
	RESET_DEVICE_SPECIFIC,
	RESET_ACPI,
	RESET_FLR,
	RESET_AF_FLR,
	RESET_PM,
	RESET_BUS,
	RESET_NR_METHODS,
};

/* A growable text buffer, the simulator's seq_file. */
struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
};

struct pci_id {
	uint32_t vendor, device, subvendor, subdevice;
	uint32_t class, class_mask;
	unsigned long driver_data;
};

struct sim_driver {
	char name[SIM_NAME_MAX];
	struct pci_id *ids;		/* static id_table */
	size_t nids;
	struct pci_id *dynids;		/* new_id entries */
	size_t ndynids;
	bool is_pciback;
	bool sriov_configure;		/* has ->sriov_configure */
	bool auto_ids;			/* ids learnt from the inventory */
};

struct bar {
	uint64_t start, end, flags;
};

struct sim_dev {
	char name[16];			/* "0000:07:00.0", dev_name() */
	unsigned int domain, bus, devfn;
	uint16_t vendor, device, subvendor, subdevice;
	uint32_t class;			/* base << 16 | sub << 8 | prog-if */
	uint8_t revision;
	uint8_t hdr_type;		/* without the multi-function bit */
	bool multifunction;
	unsigned int irq;
	unsigned int cfg_size;
	uint8_t *config;
	struct bar res[17];		/* DEVICE_COUNT_RESOURCE */
	uint8_t reset_methods[MAX_RESET_METHODS];
	uint8_t default_reset[MAX_RESET_METHODS];
	bool has_reset_attr;		/* reset/reset_method visible */
	bool reset_fail;		/* every reset times out */
	bool boot_vga;
	int secondary, subordinate;	/* bridge bus range, -1 default */
	int pcie_type;			/* PCIe capability type, -1 none */
	unsigned int msix;		/* MSI-X vectors, 0 no capability */
	int fb;				/* fbN while its driver is bound, -1 */
	char ifname[16];		/* in_use NIC: net/<ifname> */
	char operstate[16];
	int probe_fail;			/* errno every non-pciback probe gets */

	struct sim_dev *physfn;		/* VF: its PF */
	int vf_index;			/* VF: N of the PF's virtfnN */
	unsigned int totalvfs;		/* PF: sriov_totalvfs (0: not a PF) */
	unsigned int numvfs;		/* PF: VFs currently enabled */

	struct sim_driver *driver;
	char *driver_override;
	unsigned int enable_cnt;
	bool present;			/* registered on the bus */
	bool hot_removed;		/* surprise removal: no rescan */
	bool sysfs_removed;		/* removed through its "remove" file */
	unsigned long reset_count;

	/* pciback: struct pcistub_device + struct xen_pcibk_dev_data */
	bool psdev;
	bool permissive;
	bool allow_interrupt_control;
	bool warned_on_write;		/* conf_space.c: warned once */
	bool isr_on, ack_intr;
	unsigned long psdev_seq;	/* list_add() order: newest first */
	int owner_domid;		/* psdev->pdev: guest using it, or -1 */
	struct {
		unsigned int reg, size, mask;
	} quirks[16];			/* fields added through "quirks" */
	unsigned int nquirks;
};

struct sim_slot {			/* struct pcistub_device_id */
	int domain;
	unsigned int bus;
	unsigned int devfn;
};

struct sim_state {
	struct sim_dev **devs;
	size_t ndevs;
	struct sim_driver **drvs;	/* bus_for_each_drv() order */
	size_t ndrvs;

	/* xen-pciback */
	bool pciback_loaded;
	bool pciback_do_flr;		/* distro-only pciback/do_flr */
	struct sim_slot *slots;
	size_t nslots;
	char *hide_param;		/* module param "hide", NULL if unset */
	bool param_permissive;
	bool param_passthrough;

	bool drivers_autoprobe;
	bool fbcon;			/* the console is fbcon's (vtcon1) */
	pid_t pid;
};

extern struct sim_state sim;

/* util.c */
void sb_init(struct strbuf *sb);
void sb_free(struct strbuf *sb);
int sb_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int sb_add(struct strbuf *sb, const void *data, size_t len);
bool sysfs_streq(const char *s1, const char *s2);
int kstrtoul(const char *s, unsigned int base, unsigned long *res);
int kstrtobool(const char *s, bool *res);
const char *errno_name(int err);
int errno_from_name(const char *name);
void escape_value(struct strbuf *sb, const char *buf, size_t len);
void *xcalloc(size_t n, size_t size) __attribute__((returns_nonnull));
char *xstrdup(const char *s) __attribute__((returns_nonnull));
char *xstrndup(const char *s, size_t n) __attribute__((returns_nonnull));

/* log.c: sim/log and sim/fault */
void sim_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sim_log_defer(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sim_log_flush(void);
void sim_log_discard(void);
void sim_log_write(const char *path, const char *buf, size_t len, int err,
		   bool injected, unsigned int delay_ms);
void sim_log_show(struct strbuf *sb);
int sim_fault_add(const char *line);
void sim_fault_show(struct strbuf *sb);
void sim_fault_check(const char *path, int *err, unsigned int *delay_ms);
void sim_log_free(void);

/* host.c: what dom0 uses (block devices, mounts, swaps, IP) */
#define SIM_MAX_HOLDS	4
struct sim_blk {
	char name[SIM_NAME_MAX];	/* "sda1", "dm-0" */
	unsigned int major, minor;
	struct sim_dev *dev;		/* its controller; NULL: virtual */
	int disk;			/* a partition: its disk's index */
	char dmname[SIM_NAME_MAX];	/* dm/name of a virtual one */
	char holds[SIM_MAX_HOLDS][SIM_NAME_MAX];	/* what it holds */
	unsigned int nholds;
};
struct sim_mount {
	unsigned int major, minor;
	char path[256], fstype[32];
};
struct sim_swap {
	char name[SIM_NAME_MAX];
};
struct sim_route {
	char ifname[16];
	uint32_t dst, gw, mask;		/* network byte order */
	unsigned int plen;
};
struct sim_addr {
	char ifname[16];
	bool v6;
	uint8_t addr[16];
	unsigned int plen;
};
struct sim_host {
	struct sim_blk *blks;
	size_t nblks;
	struct sim_mount *mounts;
	size_t nmounts;
	struct sim_swap *swaps;
	size_t nswaps;
	struct sim_route *routes;
	size_t nroutes;
	struct sim_addr *addrs;
	size_t naddrs;
};
extern struct sim_host host;
struct sim_blk *sim_find_blk(const char *name);
int host_parse_block(struct sim_dev *dev, char *list);
int host_parse_line(char *line);
bool host_blk_visible(const struct sim_blk *b);
bool host_dev_has_blocks(const struct sim_dev *dev);
bool host_has_virtual(void);
void host_move_dev(const struct sim_dev *from, struct sim_dev *to);
void host_free(void);

/* model.c: drivers/base and drivers/pci core */
struct sim_dev *bus_find_device_by_name(const char *buf);
struct sim_dev *sim_find_dev(unsigned int domain, unsigned int bus,
			     unsigned int devfn);
struct sim_dev *sim_find_dev_any(const char *name);
struct sim_driver *sim_find_driver(const char *name);
struct sim_driver *sim_add_driver(const char *name);
bool driver_match_device(struct sim_driver *drv, struct sim_dev *dev);
int device_driver_attach(struct sim_driver *drv, struct sim_dev *dev);
void device_driver_detach(struct sim_dev *dev);
int device_attach(struct sim_dev *dev);
void driver_attach(struct sim_driver *drv);
int pci_reset_function(struct sim_dev *dev, const char *why);
void sim_dev_add(struct sim_dev *dev);
void sim_dev_remove(struct sim_dev *dev, bool surprise);
void sim_dev_fill_config(struct sim_dev *dev);
void sim_free_all(void);
const char *reset_method_name(int m);
int reset_method_lookup(const char *name);

/* pciback.c: drivers/xen/xen-pciback */
int str_to_slot(const char *buf, int *domain, int *bus, int *slot, int *func);
int pcistub_device_id_add(int domain, int bus, int slot, int func);
int pcistub_probe(struct sim_dev *dev);
void pcistub_remove(struct sim_dev *dev);
void pcistub_unbind_notifier(struct sim_dev *pf);
int pciback_parse_hide(const char *hide);
int pcistub_assign(struct sim_dev *dev, int domid);
int pcistub_release(struct sim_dev *dev);

/* confspace.c: a guest's config write through pciback (conf_space.c) */
int pcibk_config_write(struct sim_dev *d, int domid, unsigned int off,
		       unsigned int size, uint32_t value);

/* kmsg.c: dev/kmsg */
struct kmsg_reader;
struct fuse_pollhandle;
struct attr;
void kmsg_dev_printk(int level, const struct sim_dev *dev,
		     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
off_t kmsg_size(void);
struct kmsg_reader *kmsg_open(void);
void kmsg_close(struct kmsg_reader *r);
int kmsg_read(struct kmsg_reader *r, char *buf, size_t size, off_t off);
int kmsg_poll(struct kmsg_reader *r, struct fuse_pollhandle *ph,
	      unsigned int *revents);
bool attr_is_kmsg(const struct attr *a);

/* attrs.c: the sysfs attribute tables */
struct node;
struct attr {
	const char *name;
	mode_t mode;
	int (*show)(struct node *n, struct strbuf *sb);
	int (*store)(struct node *n, const char *buf, size_t len);
	bool (*visible)(struct node *n);
	bool binary;			/* bin_attribute: raw read/write */
};

enum node_kind {
	N_DIR,
	N_FILE,
	N_LINK,
};

/* What a path names; filled by resolve() in fuse_ops.c. */
struct node {
	enum node_kind kind;
	mode_t mode;
	const struct attr *attr;	/* N_FILE */
	const struct attr *table;	/* N_DIR: attribute table to list */
	int dirtype;			/* N_DIR: what to list */
	struct sim_dev *dev;
	struct sim_driver *drv;
	struct sim_blk *blk;		/* a block device's directory */
	unsigned int domain, bus;	/* a root bus directory */
	char link[256];			/* N_LINK target */
	char logpath[256];		/* path for sim/log, relative to sys/ */
	bool in_sys;
};

extern const struct attr dev_attrs[];
extern const struct attr net_attrs[];
extern const struct attr drv_attrs[];
extern const struct attr pciback_attrs[];
extern const struct attr bus_attrs[];
extern const struct attr param_attrs[];
extern const struct attr simctl_attrs[];
extern const struct attr proc_attrs[];
extern const struct attr devdir_attrs[];
extern const struct attr vtcon_attrs[];
/* console.c: the device fbN is on (its driver bound), or NULL */
struct sim_dev *console_fb_dev(int fb);
extern const struct attr proc_self_attrs[];
extern const struct attr proc_net_attrs[];
extern const struct attr blk_attrs[];
extern const struct attr dm_attrs[];
const struct attr *attr_find(const struct attr *table, const char *name,
			     struct node *n);
/* tree.c: the file tree.  0 or -ENOENT, -ENOTDIR. */
int tree_resolve(const char *path, struct node *out);
typedef void (*tree_list_fn)(void *arg, const char *name,
			     const struct node *n);
void tree_list(struct node *dir, tree_list_fn fn, void *arg);
ssize_t config_read(struct sim_dev *dev, char *buf, size_t size, off_t off);
ssize_t config_write(struct sim_dev *dev, const char *buf, size_t size,
		     off_t off);

/* inventory.c */
int inventory_load(const char *file);
int inventory_load_default(void);
int inventory_parse_line(char *line, const char *where, bool hotplug);
int inventory_finish(void);
void inventory_free(void);

/* fuse_ops.c */
int simfs_main(const char *mnt, bool foreground);

#endif /* SIMSYSFS_H */
