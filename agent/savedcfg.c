/*
 * libxl's saved domain configuration (savedcfg.h), read, changed and
 * written back as libxl 4.17 does it:
 *
 *   lock   libxl__lock_domain_userdata(): XEN_LIB_DIR/userdata-l.<domid>.
 *          <uuid>.domain-userdata-lock, open(O_RDWR|O_CREAT, 0666),
 *          flock(LOCK_EX), then the file must still be the one the path
 *          names (an unlocker unlinks it before closing), then the
 *          domain must still exist; unlock unlinks, then closes.
 *   read   libxl__get_domain_configuration(): userdata-d.<...>.libxl-json
 *          through libxl_domain_config_from_json().
 *   write  libxl__set_domain_configuration(): libxl_domain_config_to_json()
 *          and its NUL, into userdata-n.<...> (0600), renamed over the
 *          d file (libxl__userdata_store()).
 *
 * libxl_userdata_retrieve() and libxl_userdata_store() take the lock
 * themselves, each on a fresh open of the lock file, so a caller that
 * holds it across the read and the write (as libxl does inside, and as
 * a read-modify-write must, or xl's own change could be lost between
 * them) would wait on itself: flock() locks conflict between two open
 * files of one process.  Hence the two files are read and written here
 * the way those functions do, with the lock held, and libxl's public
 * API does the JSON both ways, so the file is byte for byte what libxl
 * writes.
 *
 * libxl's own detach leaves the entry (libxl_retrieve_domain_
 * configuration() drops entries with no backend device when it is
 * read); the agent removes it, so the file never names a device the
 * guest does not have.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libxl.h>
#include <libxl_utils.h>

#include "config.h"
#include "hypervisor.h"
#include "log.h"
#include "savedcfg.h"

#define LOCK_POLL_MS		20
#define LOCK_WAIT_DEFAULT_MS	10000
#define JSON_MAX		(16 << 20)

static pthread_mutex_t ctx_lock = PTHREAD_MUTEX_INITIALIZER;
static libxl_ctx *ctx;
static xentoollog_logger_stdiostream *ctx_log;

static int say(char *msg, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int say(char *msg, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return -err;
}

/* libxl's JSON needs a context; made once, on first use. */
static libxl_ctx *get_ctx(void)
{
	pthread_mutex_lock(&ctx_lock);
	if (!ctx_log)
		ctx_log = xtl_createlogger_stdiostream(stderr, XTL_ERROR, 0);
	if (!ctx && ctx_log && libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0,
					       (xentoollog_logger *)ctx_log))
		ctx = NULL;
	pthread_mutex_unlock(&ctx_lock);
	return ctx;
}

void savedcfg_close(void)
{
	pthread_mutex_lock(&ctx_lock);
	if (ctx)
		libxl_ctx_free(ctx);
	if (ctx_log)
		xtl_logger_destroy((xentoollog_logger *)ctx_log);
	ctx = NULL;
	ctx_log = NULL;
	pthread_mutex_unlock(&ctx_lock);
}

/* libxl__userdata_path(): XEN_LIB_DIR/userdata-<wh>.<domid>.<uuid>.<id> */
struct paths {
	char lock[PATH_MAX], data[PATH_MAX], next[PATH_MAX];
};

static int make_paths(unsigned int domid, struct paths *p)
{
	unsigned char h[16];
	char uuid[40];
	libxl_uuid u;
	int rc = hv_domain_uuid(domid, h);

	if (rc)
		return rc;
	memcpy(libxl_uuid_bytearray(&u), h, sizeof(h));
	snprintf(uuid, sizeof(uuid), LIBXL_UUID_FMT, LIBXL_UUID_BYTES(u));
#define UD(buf, wh, id) \
	(snprintf(buf, sizeof(buf), "%s/userdata-%s.%u.%s.%s", \
		  cfg.xen_lib_dir, wh, domid, uuid, id) >= (int)sizeof(buf))
	if (UD(p->lock, "l", "domain-userdata-lock") ||
	    UD(p->data, "d", "libxl-json") || UD(p->next, "n", "libxl-json"))
		return -ENAMETOOLONG;
#undef UD
	return 0;
}

static void unlock_file(int fd, const char *path)
{
	/* libxl__unlock_file(): unlink first, or a waiter could lock a
	 * file that is about to vanish and think it holds the lock. */
	unlink(path);
	close(fd);
}

static void nap_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* One try at libxl__lock_file(): 1 locked, 0 busy or stale, -errno. */
static int try_lock(const char *path, int *fdp)
{
	struct stat st, fst;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666), gone;

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int e = errno;

		close(fd);
		return e == EWOULDBLOCK || e == EINTR ? 0 : -e;
	}
	gone = stat(path, &st) ? errno : 0;
	if (fstat(fd, &fst) || (gone && gone != ENOENT)) {
		int e = gone ? gone : errno;

		close(fd);
		return -e;
	}
	/* Unlinked by its last holder meanwhile: lock the new one. */
	if (gone || st.st_dev != fst.st_dev ||
	    st.st_ino != fst.st_ino) {
		close(fd);
		return 0;
	}
	*fdp = fd;
	return 1;
}

/*
 * libxl waits for ever; a request cannot, so this waits as long as the
 * request may and gives up when it is cancelled.
 */
static int lock_domain(unsigned int domid, const char *path,
		       const struct savedcfg_wait *w, int *fdp, char *msg,
		       size_t len)
{
	unsigned int waited = 0, max = w && w->timeout_ms ? w->timeout_ms :
				      LOCK_WAIT_DEFAULT_MS;
	int rc;

	while (!(rc = try_lock(path, fdp))) {
		if (waited >= max || (w && cancel_is_set(w->cancel)))
			return say(msg, len, ETIMEDOUT, "libxl's lock %s: held "
				   "by another process for %u ms", path,
				   waited);
		nap_ms(LOCK_POLL_MS);
		waited += LOCK_POLL_MS;
	}
	if (rc == -ENOENT)
		return rc;	/* no XEN_LIB_DIR: no libxl here */
	if (rc < 0)
		return say(msg, len, -rc, "libxl's lock %s: %s", path,
			   strerror(-rc));
	/* libxl__lock_domain_userdata(): the domain must still be there. */
	if (hv_domain_alive(domid) <= 0) {
		unlock_file(*fdp, path);
		return -ESRCH;
	}
	return 0;
}

/* The d file, NUL-terminated: 0, -ENOENT (none), or -errno with msg. */
static int read_json(const char *path, char **out, char *msg, size_t len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;
	int rc = 0;

	*out = NULL;
	if (!f)
		return errno == ENOENT ? -ENOENT :
		       say(msg, len, errno, "read %s: %s", path,
			   strerror(errno));
	do {
		if (cap - n < 4096) {
			char *nb = cap < JSON_MAX ? realloc(buf, cap + 65536) :
				   NULL;

			if (!nb) {
				rc = say(msg, len, EFBIG, "read %s: too big "
					 "or out of memory", path);
				break;
			}
			buf = nb;
			cap += 65536;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r > 0);
	if (!rc && ferror(f))
		rc = say(msg, len, EIO, "read %s: %s", path, strerror(errno));
	fclose(f);
	/* libxl__userdata_retrieve(): an empty file is an error. */
	if (!rc && !n)
		rc = say(msg, len, EINVAL, "%s is empty", path);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

/* libxl__userdata_store(): the n file, then renamed over the d file. */
static int write_json(const struct paths *p, const char *json, char *msg,
		      size_t len)
{
	size_t n = strlen(json) + 1, off = 0;	/* its NUL too, as libxl */
	int fd = open(p->next, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ssize_t w;

	if (fd < 0)
		return say(msg, len, errno, "write %s: %s", p->next,
			   strerror(errno));
	while (off < n) {
		w = write(fd, json + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : EIO;

			close(fd);
			unlink(p->next);
			return say(msg, len, e, "write %s: %s", p->next,
				   strerror(e));
		}
		off += (size_t)w;
	}
	if (close(fd) || rename(p->next, p->data)) {
		int e = errno;

		unlink(p->next);
		return say(msg, len, e, "store %s: %s", p->data, strerror(e));
	}
	return 0;
}

static bool same_dev(const libxl_device_pci *d, const struct bdf *b)
{
	/* libxl's COMPARE_PCI(). */
	return d->domain == (int)b->dom && d->bus == b->bus &&
	       d->dev == b->dev && d->func == b->func;
}

static void to_libxl(const struct savedcfg_pci *p, libxl_device_pci *d)
{
	libxl_device_pci_init(d);
	d->domain = (int)p->bdf.dom;
	d->bus = (uint8_t)p->bdf.bus;
	d->dev = (uint8_t)p->bdf.dev;
	d->func = (uint8_t)p->bdf.func;
	d->vdevfn = p->vdevfn;
	d->vfunc_mask = p->vfunc_mask;
	d->msitranslate = p->msitranslate;
	d->power_mgmt = p->power_mgmt;
	d->permissive = p->permissive;
	d->seize = p->seize;
	/* libxl__device_pci_setdefault(): strict unless asked otherwise. */
	d->rdm_policy = p->rdm_relaxed ? LIBXL_RDM_RESERVE_POLICY_RELAXED :
			LIBXL_RDM_RESERVE_POLICY_STRICT;
	d->name = p->name ? strdup(p->name) : NULL;
}

/* device_add_domain_config(): replace the same device's entry, or add. */
static int add_dev(libxl_domain_config *dc, const struct savedcfg_pci *p)
{
	libxl_device_pci *item = NULL, *v;

	for (int i = 0; i < dc->num_pcidevs; i++)
		if (same_dev(&dc->pcidevs[i], &p->bdf))
			item = &dc->pcidevs[i];
	if (item) {
		libxl_device_pci_dispose(item);
	} else {
		v = realloc(dc->pcidevs, sizeof(*v) * (size_t)(dc->num_pcidevs
								+ 1));
		if (!v)
			return -ENOMEM;
		dc->pcidevs = v;
		item = &v[dc->num_pcidevs++];
	}
	to_libxl(p, item);
	return p->name && !item->name ? -ENOMEM : 0;
}

/* 1 removed, 0 it was not there. */
static int remove_dev(libxl_domain_config *dc, const struct bdf *b)
{
	int i, j, n = 0;

	for (i = 0; i < dc->num_pcidevs; i++) {
		if (!same_dev(&dc->pcidevs[i], b))
			continue;
		libxl_device_pci_dispose(&dc->pcidevs[i]);
		for (j = i; j < dc->num_pcidevs - 1; j++)
			dc->pcidevs[j] = dc->pcidevs[j + 1];
		dc->num_pcidevs--;
		i--;
		n = 1;
	}
	if (!dc->num_pcidevs) {
		free(dc->pcidevs);
		dc->pcidevs = NULL;
	}
	return n;
}

struct change {
	const struct savedcfg_pci *add;	/* else remove */
	const struct bdf *bdf;
};

/* With the lock held: read, change, write back if it changed. */
static int change_locked(const struct paths *p, const struct change *c,
			 char *msg, size_t len)
{
	libxl_domain_config dc;
	libxl_ctx *x = get_ctx();
	char *json = NULL, *out = NULL;
	int rc;

	if (!x)
		return say(msg, len, ENOSYS, "cannot make a libxl context for "
			   "its JSON");
	rc = read_json(p->data, &json, msg, len);
	if (rc == -ENOENT) {
		log_dev(LOG_DEBUG, c->bdf, "no saved domain configuration "
			"%s (a domain libxl did not make): not kept there",
			p->data);
		return 0;
	}
	if (rc)
		return rc;
	libxl_domain_config_init(&dc);
	if (libxl_domain_config_from_json(x, &dc, json)) {
		rc = say(msg, len, EINVAL, "%s: not a libxl domain "
			 "configuration", p->data);
		goto out;
	}
	if (c->add)
		rc = add_dev(&dc, c->add);
	else if (!remove_dev(&dc, c->bdf))
		goto out;	/* nothing to write */
	if (rc) {
		rc = say(msg, len, -rc, "%s: %s", p->data, strerror(-rc));
		goto out;
	}
	out = libxl_domain_config_to_json(x, &dc);
	rc = out ? write_json(p, out, msg, len) :
	     say(msg, len, ENOMEM, "%s: libxl cannot make its JSON", p->data);
	if (!rc)
		log_dev(LOG_DEBUG, c->bdf, "%s %s", c->add ? "kept in" :
			"taken out of", p->data);
out:
	free(out);
	free(json);
	libxl_domain_config_dispose(&dc);
	return rc;
}

static int change(unsigned int domid, const struct change *c,
		  const struct savedcfg_wait *w, char *msg, size_t len)
{
	struct paths p;
	int fd = -1, rc = make_paths(domid, &p);

	/* Gone: libxl removed its userdata.  No hypervisor: no libxl. */
	if (rc == -ESRCH || rc == -ENODEV)
		return 0;
	if (rc)
		return say(msg, len, -rc, "saved configuration of domain %u: "
			   "%s", domid, strerror(-rc));
	rc = lock_domain(domid, p.lock, w, &fd, msg, len);
	if (rc == -ENOENT)
		log_dev(LOG_DEBUG, c->bdf, "no %s: no saved configuration of "
			"domain %u to keep it in", cfg.xen_lib_dir, domid);
	if (rc == -ESRCH || rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	rc = change_locked(&p, c, msg, len);
	unlock_file(fd, p.lock);
	return rc;
}

int savedcfg_add(unsigned int domid, const struct savedcfg_pci *p,
		 const struct savedcfg_wait *w, char *msg, size_t len)
{
	struct change c = { .add = p, .bdf = &p->bdf };

	return change(domid, &c, w, msg, len);
}

int savedcfg_remove(unsigned int domid, const struct bdf *b,
		    const struct savedcfg_wait *w, char *msg, size_t len)
{
	struct change c = { .bdf = b };

	return change(domid, &c, w, msg, len);
}
