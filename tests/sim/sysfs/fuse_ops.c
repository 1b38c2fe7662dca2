// SPDX-License-Identifier: GPL-2.0
/*
 * The FUSE side: turn a path into a node (tree_resolve()), list directories,
 * and route reads and writes to the attribute handlers the way kernfs
 * does (fs/kernfs/file.c: one store() call per write(), at most a page,
 * the buffer NUL-terminated; a read-only attribute cannot be opened for
 * writing and vice versa, even by root: -EACCES).
 *
 * The tree is rebuilt from the model on every lookup, so a bind or a
 * removal shows at once; the kernel caches nothing but names that
 * exist, for a second (simfs_init()), and every use of one still asks
 * here (attribute timeout 0, direct_io).  Requests are served by several threads under one lock,
 * which a delayed write drops while it sleeps.
 */
#define FUSE_USE_VERSION 31

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "simsysfs.h"


/* The per-open read buffer: a seq_file, refilled on a read at 0. */
struct ofile {
	struct strbuf sb;
	bool filled;
	struct kmsg_reader *kmsg;	/* dev/kmsg: its reader */
};

static pthread_mutex_t sim_lock = PTHREAD_MUTEX_INITIALIZER;
static time_t start_time;

/* The per-device loops skip their formatting for a name not wanted. */

static void fill_stat(const struct node *n, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_atime = st->st_mtime = st->st_ctime = start_time;
	switch (n->kind) {
	case N_DIR:
		st->st_mode = S_IFDIR | n->mode;
		st->st_nlink = 2;
		break;
	case N_LINK:
		st->st_mode = S_IFLNK | 0777;
		st->st_nlink = 1;
		st->st_size = strlen(n->link);
		break;
	case N_FILE:
		st->st_mode = S_IFREG | n->mode;
		st->st_nlink = 1;
		/* sysfs reports a page; a bin attribute its real size. */
		st->st_size = n->attr->binary ? n->dev->cfg_size :
			      attr_is_kmsg(n->attr) ? kmsg_size() :
			      SIM_PAGE_SIZE;
		break;
	}
}

static int simfs_getattr(const char *path, struct stat *st,
			 struct fuse_file_info *fi)
{
	struct node n;
	int err;

	(void)fi;
	pthread_mutex_lock(&sim_lock);
	err = tree_resolve(path, &n);
	if (!err)
		fill_stat(&n, st);
	pthread_mutex_unlock(&sim_lock);
	return err;
}

static int simfs_readlink(const char *path, char *buf, size_t size)
{
	struct node n;
	int err;

	pthread_mutex_lock(&sim_lock);
	err = tree_resolve(path, &n);
	if (!err && n.kind != N_LINK)
		err = -EINVAL;
	if (!err)
		snprintf(buf, size, "%s", n.link);
	pthread_mutex_unlock(&sim_lock);
	return err;
}

struct dirfill {
	void *buf;
	fuse_fill_dir_t fill;
};

static void fill_one(void *arg, const char *name, const struct node *n)
{
	struct dirfill *f = arg;
	struct stat st;

	fill_stat(n, &st);
	f->fill(f->buf, name, &st, 0, 0);
}

static int simfs_readdir(const char *path, void *buf, fuse_fill_dir_t fill,
			 off_t off, struct fuse_file_info *fi,
			 enum fuse_readdir_flags flags)
{
	struct dirfill f = { buf, fill };
	struct node n;
	int err;

	(void)off;
	(void)fi;
	(void)flags;
	pthread_mutex_lock(&sim_lock);
	err = tree_resolve(path, &n);
	if (!err && n.kind != N_DIR)
		err = -ENOTDIR;
	if (!err) {
		fill(buf, ".", NULL, 0, 0);
		fill(buf, "..", NULL, 0, 0);
		tree_list(&n, fill_one, &f);
	}
	pthread_mutex_unlock(&sim_lock);
	return err;
}

/* fs/kernfs/file.c kernfs_fop_open(): the mode and the ops must allow it */
static int check_access(const struct node *n, int flags)
{
	int acc = flags & O_ACCMODE;
	bool can_read = n->attr->show || n->attr->binary;
	bool can_write = n->attr->store || n->attr->binary;

	if (acc != O_RDONLY && (!(n->mode & 0222) || !can_write))
		return -EACCES;
	if (acc != O_WRONLY && (!(n->mode & 0444) || !can_read))
		return -EACCES;
	return 0;
}

static int simfs_open(const char *path, struct fuse_file_info *fi)
{
	struct ofile *of;
	struct node n;
	int err;

	pthread_mutex_lock(&sim_lock);
	err = tree_resolve(path, &n);
	if (!err && n.kind == N_DIR)
		err = -EISDIR;
	if (!err)
		err = check_access(&n, fi->flags);
	pthread_mutex_unlock(&sim_lock);
	if (err)
		return err;
	of = xcalloc(1, sizeof(*of));
	sb_init(&of->sb);
	if (attr_is_kmsg(n.attr)) {
		pthread_mutex_lock(&sim_lock);
		of->kmsg = kmsg_open();
		pthread_mutex_unlock(&sim_lock);
	}
	fi->fh = (uintptr_t)of;
	fi->direct_io = 1;
	fi->keep_cache = 0;
	return 0;
}

static int simfs_release(const char *path, struct fuse_file_info *fi)
{
	struct ofile *of = (struct ofile *)(uintptr_t)fi->fh;

	(void)path;
	if (of) {
		if (of->kmsg) {
			pthread_mutex_lock(&sim_lock);
			kmsg_close(of->kmsg);
			pthread_mutex_unlock(&sim_lock);
		}
		sb_free(&of->sb);
		free(of);
	}
	return 0;
}

static int simfs_read(const char *path, char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	struct ofile *of = (struct ofile *)(uintptr_t)fi->fh;
	struct node n;
	int err;

	pthread_mutex_lock(&sim_lock);
	/* A vanished kernfs node gives -ENODEV (kernfs_get_active()). */
	err = tree_resolve(path, &n) ? -ENODEV : 0;
	if (err)
		goto out;
	if (n.attr->binary) {
		err = config_read(n.dev, buf, size, off);
		goto out;
	}
	if (of->kmsg) {
		err = kmsg_read(of->kmsg, buf, size, off);
		goto out;
	}
	if (off == 0 || !of->filled) {
		of->sb.len = 0;
		if (of->sb.buf)
			of->sb.buf[0] = '\0';
		err = n.attr->show(&n, &of->sb);
		if (err)
			goto out;
		of->filled = true;
	}
	if ((size_t)off >= of->sb.len) {
		err = 0;
		goto out;
	}
	if (size > of->sb.len - off)
		size = of->sb.len - off;
	memcpy(buf, of->sb.buf + off, size);
	err = size;
out:
	pthread_mutex_unlock(&sim_lock);
	return err;
}

/* dev/kmsg is the only file that can make a reader wait. */
static int simfs_poll(const char *path, struct fuse_file_info *fi,
		      struct fuse_pollhandle *ph, unsigned int *reventsp)
{
	struct ofile *of = (struct ofile *)(uintptr_t)fi->fh;

	(void)path;
	if (!of || !of->kmsg) {
		if (ph)
			fuse_pollhandle_destroy(ph);
		*reventsp = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
		return 0;
	}
	pthread_mutex_lock(&sim_lock);
	kmsg_poll(of->kmsg, ph, reventsp);
	pthread_mutex_unlock(&sim_lock);
	return 0;
}

static void logpath_of(const char *path, char *out, size_t size)
{
	if (!strncmp(path, "/sys/", 5))
		path += 5;
	snprintf(out, size, "%s", path);
}

/* An injected fault: may sleep (lock dropped), then may fail. */
static int apply_fault(const char *path, struct node *n, const char *buf,
		       size_t size, unsigned int *delay)
{
	int ferr;

	sim_fault_check(n->logpath, &ferr, delay);
	if (*delay) {
		struct timespec ts = { *delay / 1000,
				       (*delay % 1000) * 1000000L };

		pthread_mutex_unlock(&sim_lock);
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
		pthread_mutex_lock(&sim_lock);
		if (tree_resolve(path, n)) {
			sim_log_write(n->logpath, buf, size, ENODEV, false,
				      *delay);
			return -ENODEV;
		}
	}
	if (ferr) {
		sim_log_write(n->logpath, buf, size, ferr, true, *delay);
		return -ferr;
	}
	return 0;
}

static int do_store(struct node *n, const char *buf, size_t size, off_t off)
{
	char *kbuf;
	int ret;

	if (n->attr->binary) {
		ret = config_write(n->dev, buf, size, off);
		return ret;
	}
	/* kernfs copies the data and NUL-terminates it for store(). */
	kbuf = xcalloc(1, size + 1);
	memcpy(kbuf, buf, size);
	ret = n->attr->store(n, kbuf, size);
	free(kbuf);
	return ret ? ret : (int)size;
}

static int simfs_write(const char *path, const char *buf, size_t size,
		       off_t off, struct fuse_file_info *fi)
{
	unsigned int delay = 0;
	struct node n;
	int ret;

	(void)fi;
	/* sysfs_kf_write(): nothing to do for 0 bytes; at most a page. */
	if (!size)
		return 0;
	if (size > SIM_PAGE_SIZE)
		size = SIM_PAGE_SIZE;
	pthread_mutex_lock(&sim_lock);
	if (tree_resolve(path, &n)) {
		logpath_of(path, n.logpath, sizeof(n.logpath));
		sim_log_write(n.logpath, buf, size, ENODEV, false, 0);
		ret = -ENODEV;
		goto out;
	}
	if (n.in_sys) {
		ret = apply_fault(path, &n, buf, size, &delay);
		if (ret)
			goto out;
	}
	ret = do_store(&n, buf, size, off);
	if (n.in_sys)
		sim_log_write(n.logpath, buf, size, ret < 0 ? -ret : 0, false,
			      delay);
	else
		sim_log_flush();
out:
	pthread_mutex_unlock(&sim_lock);
	return ret;
}

/* "echo x > file" truncates first: sysfs ignores that. */
static int simfs_truncate(const char *path, off_t size,
			  struct fuse_file_info *fi)
{
	struct node n;
	int err;

	(void)size;
	(void)fi;
	pthread_mutex_lock(&sim_lock);
	err = tree_resolve(path, &n);
	if (!err && n.kind == N_DIR)
		err = -EISDIR;
	pthread_mutex_unlock(&sim_lock);
	return err;
}

static void *simfs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	/*
	 * Everything is dynamic: the kernel must ask every time, for what
	 * a node holds (attributes, links, reads, writes: all go by path to
	 * tree_resolve(), so a name cached here that is gone in the model still
	 * gets ENOENT) and for names not there (negative entries).  But a
	 * name that was there is kept a moment: kernfs revalidates its
	 * dentries in the kernel (kernfs_dop_revalidate()), where FUSE
	 * without an entry timeout sends a LOOKUP for every component of
	 * every path, the walk that made an add with 256 devices on
	 * pciback cost 3 times one with a single one (issue 10).
	 */
	cfg->entry_timeout = 1.0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	cfg->direct_io = 1;
	cfg->kernel_cache = 0;
	return NULL;
}

static const struct fuse_operations simfs_ops = {
	.init = simfs_init,
	.getattr = simfs_getattr,
	.readlink = simfs_readlink,
	.readdir = simfs_readdir,
	.open = simfs_open,
	.release = simfs_release,
	.read = simfs_read,
	.write = simfs_write,
	.truncate = simfs_truncate,
	.poll = simfs_poll,
};

/*
 * fuse_main() spelled out: mount first, daemonize after, so that the
 * command returns only once DIR is usable.
 */
int simfs_main(const char *mnt, bool foreground)
{
	char *argv[] = { "simsysfs", "-o", "fsname=simsysfs", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);
	struct fuse_session *se;
	struct fuse *f;
	int ret = 1;

	start_time = time(NULL);
	f = fuse_new(&args, &simfs_ops, sizeof(simfs_ops), NULL);
	if (!f)
		goto out_args;
	if (fuse_mount(f, mnt))
		goto out_destroy;
	if (fuse_daemonize(foreground))
		goto out_unmount;
	sim.pid = getpid();
	se = fuse_get_session(f);
	if (fuse_set_signal_handlers(se))
		goto out_unmount;
	ret = fuse_loop_mt(f, 0) ? 1 : 0;
	fuse_remove_signal_handlers(se);
out_unmount:
	fuse_unmount(f);
out_destroy:
	fuse_destroy(f);
out_args:
	fuse_opt_free_args(&args);
	return ret;
}
