/*
 * The saved domain configuration libxl keeps for every guest it makes,
 * XEN_LIB_DIR/userdata-d.<domid>.<uuid>.libxl-json: domcreate_complete()
 * (libxl_create.c) stores it through libxl__set_domain_configuration()
 * under the domain-userdata lock, libxl__userdata_destroyall()
 * (libxl_dom.c) removes every userdata file but the lock when the
 * domain is destroyed.  The simulated host's XEN_LIB_DIR is
 * $SIMHOST_DIR/xen-lib.
 *
 * The JSON is libxl's own generator's (libxl_domain_config_gen_json()
 * with libxl_yajl_gen_alloc(), which is what libxl_domain_config_to_
 * json() runs), for the part of the configuration simhost knows: type,
 * name, UUID, passthrough, one vCPU and the real-Xen tier's 192 MiB.
 * What libxl__domain_config_setdefault() fills in besides is not there;
 * nothing here reads it.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* libxl_json.h picks yajl 2's API only when told the header exists. */
#define HAVE_YAJL_YAJL_VERSION_H 1
#include <libxl.h>
#include <libxl_json.h>
#include <libxl_utils.h>

#include "simhost.h"

#define SIM_MEMKB	(192 * 1024)

static void ud_path(const struct host *h, char *buf, size_t len,
		    unsigned int domid, const char *uuid, const char *wh,
		    const char *id)
{
	host_path(h, buf, len, "%s/userdata-%s.%u.%s.%s", XEN_LIB_SUBDIR, wh,
		  domid, uuid, id);
}

static libxl_domain_type dom_type(const char *type)
{
	if (!strcmp(type, "hvm"))
		return LIBXL_DOMAIN_TYPE_HVM;
	if (!strcmp(type, "pvh"))
		return LIBXL_DOMAIN_TYPE_PVH;
	return LIBXL_DOMAIN_TYPE_PV;
}

static char *config_json(const char *name, const char *uuid,
			 const char *type, bool passthrough)
{
	libxl_domain_config dc;
	const unsigned char *buf;
	size_t len;
	char *out = NULL;
	yajl_gen g;

	libxl_domain_config_init(&dc);
	dc.c_info.type = dom_type(type);
	dc.c_info.name = strdup(name);
	if (libxl_uuid_from_string(&dc.c_info.uuid, uuid))
		die("libxl-json: bad uuid %s", uuid);
	dc.c_info.passthrough = passthrough ? LIBXL_PASSTHROUGH_ENABLED :
				LIBXL_PASSTHROUGH_DISABLED;
	libxl_domain_build_info_init_type(&dc.b_info, dc.c_info.type);
	dc.b_info.max_vcpus = 1;
	dc.b_info.max_memkb = SIM_MEMKB;
	dc.b_info.target_memkb = SIM_MEMKB;
	g = libxl_yajl_gen_alloc(NULL);
	if (g && libxl_domain_config_gen_json(g, &dc) == yajl_gen_status_ok &&
	    yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
		out = strdup((const char *)buf);
	if (g)
		yajl_gen_free(g);
	libxl_domain_config_dispose(&dc);
	if (!out)
		die("libxl-json: libxl's generator failed");
	return out;
}

void libxl_json_create(const struct host *h, unsigned int domid,
		       const char *name, const char *uuid, const char *type,
		       bool passthrough)
{
	char path[800], next[800], lock[800];
	char *json = config_json(name, uuid, type, passthrough);
	size_t n = strlen(json) + 1;	/* libxl stores the NUL too */
	int fd, lfd;

	ud_path(h, lock, sizeof(lock), domid, uuid, "l",
		"domain-userdata-lock");
	ud_path(h, path, sizeof(path), domid, uuid, "d", "libxl-json");
	ud_path(h, next, sizeof(next), domid, uuid, "n", "libxl-json");
	lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (lfd < 0 || flock(lfd, LOCK_EX))
		die("lock %s: %s", lock, strerror(errno));
	fd = open(next, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, json, n) != (ssize_t)n || close(fd) ||
	    rename(next, path))
		die("write %s: %s", path, strerror(errno));
	unlink(lock);
	close(lfd);
	free(json);
}

void libxl_json_destroy(const struct host *h, unsigned int domid,
			const char *uuid)
{
	char pat[800];
	glob_t gl = { 0 };

	ud_path(h, pat, sizeof(pat), domid, uuid, "?", "*");
	if (glob(pat, GLOB_NOSORT, NULL, &gl) == 0)
		for (size_t i = 0; i < gl.gl_pathc; i++)
			if (!strstr(gl.gl_pathv[i], "domain-userdata-lock"))
				unlink(gl.gl_pathv[i]);
	globfree(&gl);
}
