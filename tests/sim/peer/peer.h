/*
 * simpeer: a stand-in for the Linux xen-pciback (dom0) and xen-pcifront
 * (guest) drivers, talking to a real xenstored.  Every behaviour names
 * the kernel function it mirrors; see the files beside this one.
 */
#ifndef SIMPEER_H
#define SIMPEER_H

#include <stdbool.h>
#include <stdio.h>
#include <xenstore.h>
#include <xen/io/xenbus.h>

#define PCI_SLOT_MAX	32
#define PCI_DEVFN(s, f)	((((s) & 0x1f) << 3) | ((f) & 0x07))
#define PCI_SLOT(devfn)	(((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)	((devfn) & 0x07)
/* include/xen/interface/io/pciif.h */
#define XEN_PCI_MAGIC	"7"

/* main.c: global configuration and logging */
struct peer_conf {
	const char *sysfs_root;
	const char *simxen_dir;
	unsigned int be_domid;
	bool vpci_bridge_check;
	struct xs_handle *xs;
	struct ev_loop *loop;
};
extern struct peer_conf conf;

void plog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One line to SYSFS_ROOT/../sim/log (best effort) and to our log. */
void sim_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A command to SYSFS_ROOT/../sim/hotplug, if the sysfs has one. */
void sim_hotplug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* xs_util.c: watches */
typedef void (*watch_fn)(void *ctx, const char *path);
unsigned int xsu_watch(const char *path, watch_fn fn, void *ctx);
void xsu_unwatch(unsigned int id);
int xsu_drain(void);
void xsu_free_watches(void);

/* xs_util.c: xenbus_xs.c look-alikes (dir may be a full path, node "") */
char *xsu_read(xs_transaction_t t, const char *dir, const char *node);
int xsu_scanf(xs_transaction_t t, const char *dir, const char *node,
	      const char *fmt, ...) __attribute__((format(scanf, 4, 5)));
int xsu_printf(xs_transaction_t t, const char *dir, const char *node,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
bool xsu_exists(const char *dir, const char *node);
unsigned int xsu_read_unsigned(const char *dir, const char *node,
			       unsigned int def);
enum xenbus_state xsu_read_driver_state(const char *path);
char **xsu_directory(const char *path, unsigned int *num);
unsigned int xsu_char_count(const char *str, char c);
int xsu_strsep_len(const char *str, char c, unsigned int len);

/* xs_util.c: xenbus_client.c / xenbus_probe.c look-alikes */
struct xb_dev {
	char *nodename;		/* absolute path of our end */
	char *rel;		/* the kernel's dev->nodename, relative */
	char *errdir;		/* /local/domain/<self>/error/<relative> */
	char *otherend;		/* absolute path, NULL until read */
	int otherend_id;
	enum xenbus_state state;	/* dev->state, the cached value */
	unsigned int otherend_watch;
};
int xb_init(struct xb_dev *dev, unsigned int self, const char *rel);
void xb_fini(struct xb_dev *dev);
void xb_switch_state(struct xb_dev *dev, enum xenbus_state state);
void xb_dev_error(struct xb_dev *dev, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void xb_dev_fatal(struct xb_dev *dev, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int xb_read_otherend_details(struct xb_dev *dev, const char *id_node,
			     const char *path_node);
bool xb_otherend_event_ok(struct xb_dev *dev, const char *path);
const char *xb_strstate(enum xenbus_state state);

/* pcistub.c: the pciback PCI driver and sysfs */
struct pci_addr {
	unsigned int domain, bus, devfn;
};
struct pcistub_dev;
struct pcistub_dev *pcistub_get_pci_dev_by_slot(int owner_domid, int domain,
						int bus, int slot, int func);
void pcistub_put_pci_dev(struct pcistub_dev *psdev);
const struct pci_addr *pcistub_addr(const struct pcistub_dev *psdev);
const char *pcistub_name(const struct pcistub_dev *psdev);
unsigned int pcistub_class(const struct pcistub_dev *psdev);
bool pcistub_is_virtfn(const struct pcistub_dev *psdev);
void pcistub_free_all(void);

/* vpci.c: the virtual PCI bus of one backend device */
struct vpci_entry {
	struct pcistub_dev *dev;
	struct vpci_entry *next;
};
struct vpci {
	struct vpci_entry *slot[PCI_SLOT_MAX];
};
typedef int (*publish_dev_cb)(void *ctx, unsigned int domain,
			      unsigned int bus, unsigned int devfn, int devid);
int vpci_add_pci_dev(struct vpci *v, struct xb_dev *xdev,
		     struct pcistub_dev *dev, int devid,
		     publish_dev_cb cb, void *ctx);
struct pcistub_dev *vpci_get_pci_dev(struct vpci *v, unsigned int domain,
				     unsigned int bus, unsigned int devfn);
void vpci_release_pci_dev(struct vpci *v, struct pcistub_dev *dev);
void vpci_release_devices(struct vpci *v);
void vpci_forget(struct vpci *v);

/* pciback.c */
int pciback_start(void);
void pciback_stop(void);
struct pcistub_dev *pciback_conf_space_dev(int fe_domid, unsigned int domain,
					   unsigned int bus,
					   unsigned int devfn);

/* pcifront.c */
int pcifront_start(void);
void pcifront_stop(void);
void pcifront_rescan_domains(void);
/* The guest's grant and event channel, as Xen would check them. */
bool pcifront_granted(int domid, unsigned int gref);
int pcifront_evtchn_bind(int domid, unsigned int port);
void pcifront_evtchn_unbind(int domid, unsigned int port);

#endif
