/*
 * The simulated guests: SIMXEN_DIR/domains/<domid> ("state=...",
 * "pcifront=1|0|hung"), whether their pcifront can act, and the file
 * that shows their PCI bus.
 *
 * The guest kernel only acts while its domain is running and
 * pcifront=1; the file is read again at every event.  Events that
 * arrive while it cannot act are not lost: when it can act again, its
 * queued frontend-bus events run and the backend state is looked at
 * once more, as the queued watch events would make a real guest do.  What
 * the guest's PCI bus holds is written to SIMXEN_DIR/guests/<domid>/pci,
 * one "<virtual BDF> <- <real BDF>" line per device, replaced by
 * rename().
 */
#include <dirent.h>
#include <errno.h>
#include <ev.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcifront.h"

static struct guest *guests;
static unsigned int intro_watch, release_watch, simhost_watch;


/* ---- the guest view file ---- */

static char *view_path(struct guest *g, const char *leaf)
{
	return xasprintf("%s/guests/%u%s%s", conf.simxen_dir, g->domid,
			 leaf ? "/" : "", leaf ? leaf : "");
}

void view_write(struct guest *g)
{
	char *dir = xasprintf("%s/guests", conf.simxen_dir);
	char *gdir = view_path(g, NULL), *tmp = view_path(g, "pci.tmp");
	char *path = view_path(g, "pci");
	struct fe_view *v;
	FILE *f = NULL;

	if (!dir || !gdir || !tmp || !path)
		goto out;
	mkdir(dir, 0755);
	mkdir(gdir, 0755);
	f = fopen(tmp, "we");
	if (!f)
		goto out;
	for (v = g->view; v; v = v->next)
		fprintf(f, "%04x:%02x:%02x.%x <- %s\n", v->domain, v->bus,
			PCI_SLOT(v->devfn), PCI_FUNC(v->devfn), v->real);
	if (fclose(f) == 0 && rename(tmp, path) == 0)
		f = (FILE *)1;
	else
		f = NULL;
out:
	if (!f)
		plog("dom %u: cannot write the guest view: %s", g->domid,
		     strerror(errno));
	free(dir);
	free(gdir);
	free(tmp);
	free(path);
}

static void view_remove_file(struct guest *g)
{
	char *gdir = view_path(g, NULL), *path = view_path(g, "pci");

	if (path)
		unlink(path);
	if (gdir)
		rmdir(gdir);
	free(gdir);
	free(path);
}

struct fe_view **view_find(struct guest *g, unsigned int domain,
				  unsigned int bus, unsigned int devfn)
{
	struct fe_view **pp;

	for (pp = &g->view; *pp; pp = &(*pp)->next)
		if ((*pp)->domain == domain && (*pp)->bus == bus &&
		    (*pp)->devfn == devfn)
			return pp;
	return NULL;
}

/* Sorted by address, so the file reads like lspci. */
void view_add(struct guest *g, unsigned int domain, unsigned int bus,
		     unsigned int devfn, const char *real)
{
	unsigned long key = (unsigned long)domain << 16 | bus << 8 | devfn;
	struct fe_view **pp, *v = calloc(1, sizeof(*v));

	if (!v)
		return;
	v->domain = domain;
	v->bus = bus;
	v->devfn = devfn;
	snprintf(v->real, sizeof(v->real), "%s", real);
	for (pp = &g->view; *pp; pp = &(*pp)->next)
		if (((unsigned long)(*pp)->domain << 16 | (*pp)->bus << 8 |
		     (*pp)->devfn) > key)
			break;
	v->next = *pp;
	*pp = v;
}

void view_clear(struct guest *g)
{
	struct fe_view *v;

	while ((v = g->view)) {
		g->view = v->next;
		free(v);
	}
}

/* ---- simulated guests ---- */

/* SIMXEN_DIR/domains/<domid>; -1 if the domain does not exist */
static int read_domain(struct guest *g)
{
	char *path = xasprintf("%s/domains/%u", conf.simxen_dir, g->domid);
	char line[256];
	FILE *f;

	g->mode = PF_ON;
	g->running = false;
	g->shutdown = false;
	f = path ? fopen(path, "re") : NULL;
	free(path);
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, "state=running"))
			g->running = true;
		else if (!strcmp(line, "state=shutdown"))
			g->shutdown = true;
		else if (!strcmp(line, "pcifront=0"))
			g->mode = PF_ABSENT;
		else if (!strcmp(line, "pcifront=hung"))
			g->mode = PF_HUNG;
		else if (!strcmp(line, "pcifront=1"))
			g->mode = PF_ON;
	}
	fclose(f);
	return 0;
}

/*
 * Whether the guest's pcifront can act now.  A guest that comes back
 * (unpaused, pcifront loaded or no longer hung) looks at its bus and
 * at the backend state once, as if its queued watch events ran.
 */
bool guest_acts(struct guest *g)
{
	bool was = g->acts;

	if (read_domain(g))
		g->running = false;
	g->acts = g->running && g->mode == PF_ON;
	if (g->acts && !was) {
		plog("dom %u: pcifront active", g->domid);
		g->catch_up = true;
	}
	if (!g->acts && was) {
		plog("dom %u: pcifront not reacting (%s)", g->domid,
		     g->mode == PF_HUNG ? "hung" :
		     g->mode == PF_ABSENT ? "no pcifront" :
		     g->shutdown ? "shut down" : "not running");
		if (g->shutdown && g->mode == PF_ON)
			guest_shutdown(g);
	}
	return g->acts;
}

/* Keep a "device" watch event for when the guest can act again. */
void guest_queue_event(struct guest *g, const char *path)
{
	size_t len = strlen(path) + 1;
	struct fe_event **pp, *e = malloc(sizeof(*e) + len);

	if (!e) {
		plog("dom %u: event %s lost: %s", g->domid, path,
		     strerror(errno));
		return;
	}
	memcpy(e->path, path, len);
	e->next = NULL;
	for (pp = &g->pending; *pp; pp = &(*pp)->next)
		;
	*pp = e;
}

static void drop_events(struct guest *g)
{
	struct fe_event *e;

	while ((e = g->pending)) {
		g->pending = e->next;
		free(e);
	}
}

/*
 * Once a guest can act again: the frontend-bus events it could not
 * handle meanwhile run in order, each against the store as it is now,
 * as xenwatch would run them; the first time, the bus probes what is
 * there instead (xenbus_probe_devices(), before its watch counts).
 * Backend states are not queued: one look at the backend stands for
 * them.  Whoever calls guest_acts() first after the change (an event
 * or the simhost's notification) does it.
 */
bool guest_catch_up(struct guest *g)
{
	struct fe_event *e;

	if (!g->catch_up)
		return false;
	g->catch_up = false;
	if (!g->booted) {
		g->booted = true;
		drop_events(g);
		fe_probe_devices(g);
	}
	while ((e = g->pending)) {
		g->pending = e->next;
		fe_bus_changed(g, e->path);
		free(e);
	}
	fe_handle_backend(g);
	return true;
}

struct guest *guest_find(unsigned int domid)
{
	struct guest *g;

	for (g = guests; g; g = g->next)
		if (g->domid == domid)
			return g;
	return NULL;
}

static struct guest *guest_new(unsigned int domid)
{
	struct guest *g = calloc(1, sizeof(*g));
	char path[64];

	if (!g)
		return NULL;
	g->domid = domid;
	g->next_gref = 8;	/* after GNTTAB_NR_RESERVED_ENTRIES */
	g->next_port = 4;
	g->next = guests;
	guests = g;
	plog("dom %u: new guest", domid);
	view_write(g);
	/* The frontend bus watches "device" as a whole, never a device. */
	snprintf(path, sizeof(path), "/local/domain/%u/device", domid);
	g->dev_watch = xsu_watch(path, fe_dir_cb, g);
	return g;
}

/* The domain is gone: forget it without writing anything for it. */
static void guest_free(struct guest *g, bool remove_view)
{
	if (g->dev_watch)
		xsu_unwatch(g->dev_watch);
	if (g->fe)
		fe_forget(g);
	drop_events(g);
	view_clear(g);
	if (remove_view)
		view_remove_file(g);
	free(g);
}

static void guest_destroyed(struct guest *g)
{
	struct guest **pp;

	for (pp = &guests; *pp; pp = &(*pp)->next) {
		if (*pp == g) {
			*pp = g->next;
			break;
		}
	}
	plog("dom %u: domain gone", g->domid);
	guest_free(g, true);
}

static void guest_refresh(struct guest *g)
{
	if (guest_acts(g))
		guest_catch_up(g);
}

/* Parse a domains/ entry: a decimal domid other than ours */
static bool domid_name(const char *name, unsigned int *domid)
{
	char *end;
	unsigned long v;

	if (!*name || *name == '.')
		return false;
	v = strtoul(name, &end, 10);
	if (*end || v >= 0x7ff0 || v == conf.be_domid || v == 0)
		return false;
	*domid = v;
	return true;
}

/*
 * A dying domain's kernel is gone for good.  simhost removes the file
 * only after @releaseDomain, so a rescan may still see it: forget the
 * guest now, or a new domain with the same domid would inherit its
 * frontend bus (the removal of /local/domain/<d> reaches the watch on
 * "device" as "device" alone, which xenbus_dev_changed() ignores).
 */
static bool domain_dying(unsigned int domid)
{
	char *path = xasprintf("%s/domains/%u", conf.simxen_dir, domid);
	char line[256];
	bool dying = false;
	FILE *f;

	f = path ? fopen(path, "re") : NULL;
	free(path);
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, "state=dying\n"))
			dying = true;
	fclose(f);
	return dying;
}

/* Rescan SIMXEN_DIR/domains (@introduceDomain, @releaseDomain, timer) */
void pcifront_rescan_domains(void)
{
	char *dir = xasprintf("%s/domains", conf.simxen_dir);
	struct guest *g, *next;
	struct dirent *de;
	unsigned int domid;
	DIR *d;

	d = dir ? opendir(dir) : NULL;
	free(dir);
	if (!d)
		return;
	for (g = guests; g; g = g->next)
		g->seen = false;
	while ((de = readdir(d))) {
		if (!domid_name(de->d_name, &domid) || domain_dying(domid))
			continue;
		g = guest_find(domid);
		if (!g)
			g = guest_new(domid);
		if (g)
			g->seen = true;
	}
	closedir(d);
	for (g = guests; g; g = next) {
		next = g->next;
		if (!g->seen)
			guest_destroyed(g);
		else
			guest_refresh(g);
	}
}

static void domain_watch_cb(void *ctx, const char *path)
{
	(void)ctx;
	(void)path;
	pcifront_rescan_domains();
}

/*
 * Domain state and the pcifront= line change in files without any
 * hypervisor event (unpause, "hung"); simhost writes this node after
 * each such change, so the simulated guests act at once, as a running
 * guest would, and nothing polls.
 */
#define SIMHOST_DOMAINS_NODE "/tool/simhost/domains"

int pcifront_start(void)
{
	intro_watch = xsu_watch("@introduceDomain", domain_watch_cb, NULL);
	release_watch = xsu_watch("@releaseDomain", domain_watch_cb, NULL);
	simhost_watch = xsu_watch(SIMHOST_DOMAINS_NODE, domain_watch_cb,
				  NULL);
	if (!intro_watch || !release_watch || !simhost_watch)
		return -1;
	pcifront_rescan_domains();
	return 0;
}

/* At exit: the guests keep their state; only our memory goes. */
void pcifront_stop(void)
{
	struct guest *g;

	while ((g = guests)) {
		guests = g->next;
		guest_free(g, false);
	}
}
