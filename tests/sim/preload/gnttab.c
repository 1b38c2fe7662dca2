/*
 * Grant tables for xenstored: introducing a guest maps its xenstore
 * ring page (xenstored_domain.c map_interface()).  The page is the file
 * $SIMXEN_DIR/rings/<domid>, shared, so a test can speak to xenstored
 * as that guest through the real ring protocol (simhost xs --domid).
 * oxenstored maps the same page by its frame instead, through
 * libxenctrl (tools/ocaml/xenstored/domains.ml create,
 * xenctrl_stubs.c stub_map_foreign_range(): xc_map_foreign_range()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xengnttab.h>

#include "simxen.h"

struct xengntdev_handle {
	int unused;
};

xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger,
				 unsigned int open_flags)
{
	(void)logger;
	(void)open_flags;
	return calloc(1, sizeof(xengnttab_handle));
}

int xengnttab_close(xengnttab_handle *xgt)
{
	free(xgt);
	return 0;
}

int xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants)
{
	(void)xgt;
	(void)nr_grants;
	return 0;
}

static void *map_ring(uint32_t domid, int prot)
{
	char path[512];
	void *p;
	int fd;

	if (sim_path(path, sizeof(path), "rings"))
		return NULL;
	if (mkdir(path, 0755) && errno != EEXIST)
		return NULL;
	if (sim_path(path, sizeof(path), "rings/%u", domid))
		return NULL;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	if (ftruncate(fd, getpagesize())) {
		close(fd);
		return NULL;
	}
	p = mmap(NULL, getpagesize(), prot, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

void *xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid,
			      uint32_t ref, int prot)
{
	(void)xgt;
	(void)ref;
	return map_ring(domid, prot);
}

void *xc_map_foreign_range(xc_interface *xch, uint32_t dom, int size,
			   int prot, unsigned long mfn)
{
	(void)xch;
	(void)mfn;
	if (size != getpagesize()) {
		errno = EINVAL;
		return NULL;
	}
	return map_ring(dom, prot);
}

int xengnttab_unmap(xengnttab_handle *xgt, void *start_address,
		    uint32_t count)
{
	(void)xgt;
	return munmap(start_address, (size_t)count * getpagesize());
}
