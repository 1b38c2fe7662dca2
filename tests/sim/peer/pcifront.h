/*
 * Shared by pcifront.c (the xen-pcifront driver) and guest.c (the
 * simulated guests that run it).
 */
#ifndef SIMPEER_PCIFRONT_H
#define SIMPEER_PCIFRONT_H

#include <ev.h>

#include "peer.h"

enum pf_mode { PF_ABSENT, PF_ON, PF_HUNG };

/* A device on the guest's PCI bus. */
struct fe_view {
	unsigned int domain, bus, devfn;
	char real[64];
	struct fe_view *next;
};

/* A root bus pcifront created (pdev->root_buses). */
struct fe_root {
	unsigned int domain, bus;
	struct fe_root *next;
};

struct pcifront_dev {
	struct xb_dev xdev;
	bool bound;		/* pcifront_xenbus_probe() succeeded */
	unsigned int gref, port;
	bool port_bound;	/* the backend bound our unbound port */
	struct fe_root *roots;
};

/* A frontend-bus watch event the guest could not handle yet. */
struct fe_event {
	struct fe_event *next;
	char path[];
};

struct guest {
	unsigned int domid;
	enum pf_mode mode;
	bool running;
	bool shutdown;		/* state=shutdown: the guest shut down */
	bool acts;		/* mode == PF_ON && running, last seen */
	bool catch_up;		/* became able to act: look around once */
	bool booted;		/* the frontend bus probed once already */
	struct fe_event *pending;	/* queued "device" watch events */
	bool closing;		/* in xenbus_dev_shutdown(), waiting */
	ev_tstamp closing_until;	/* ... for at most 5 s */
	bool seen;
	unsigned int dev_watch;
	unsigned int next_gref, next_port;
	struct pcifront_dev *fe;
	struct fe_view *view;
	struct guest *next;
};

/* guest.c */
struct guest *guest_find(unsigned int domid);
bool guest_acts(struct guest *g);
bool guest_catch_up(struct guest *g);
void guest_queue_event(struct guest *g, const char *path);
void view_write(struct guest *g);
struct fe_view **view_find(struct guest *g, unsigned int domain,
			   unsigned int bus, unsigned int devfn);
void view_add(struct guest *g, unsigned int domain, unsigned int bus,
	      unsigned int devfn, const char *real);
void view_clear(struct guest *g);

/* pcifront.c */
void fe_bus_changed(struct guest *g, const char *path);
void fe_probe_devices(struct guest *g);
void fe_handle_backend(struct guest *g);
void fe_dir_cb(void *ctx, const char *path);
void be_state_cb(void *ctx, const char *path);
void free_roots(struct guest *g);
void fe_forget(struct guest *g);
void guest_shutdown(struct guest *g);

#endif
