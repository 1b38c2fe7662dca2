/*
 * The configuration file, read as xl reads xl.cfg: libxlutil's
 * xlu_cfg_readfile() and xlu_cfg_get_*().  libxlutil reports syntax and
 * type errors with file and line on a FILE, captured here.  It neither
 * lists the keys it read nor says on which line a string value sits, so
 * a small scan of our own finds each key's line: that is how a typo or a
 * key of a later version is refused with its line instead of ignored,
 * and how an unusable value names its line.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxl.h>
#include <libxlutil.h>

#include "cfgfile.h"
#include "log.h"

static const char *const known_keys[] = {
	"toolstack_domid", "state_dir", "request_timeout", "log_level",
	"assignable", "script_dir", "script_timeout", "protect",
	"reset_policy",
};

struct keyline {
	char name[64];
	int line;
};

struct reader {
	const char *path;
	struct keyline keys[64];
	unsigned int nkeys;
	char *err;
	size_t errlen;
};

static int fail(struct reader *r, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct reader *r, const char *key, const char *fmt, ...)
{
	char why[256];
	va_list ap;
	int line = 0;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	for (unsigned int i = 0; i < r->nkeys; i++)
		if (!strcmp(r->keys[i].name, key))
			line = r->keys[i].line;	/* the last one wins, as in xl */
	snprintf(r->err, r->errlen, "%s:%d: %s: %s", r->path, line, key, why);
	return -1;
}

/*
 * The keys of the file and their lines: an identifier at the start of a
 * statement (line start or after ';'), outside quotes and brackets,
 * followed by '=' or '+='.  The grammar of libxlu_cfg_y.y has no other
 * place for an identifier.
 */
static int scan_keys(struct reader *r, FILE *f)
{
	int c, line = 1, depth = 0;
	char quote = 0, word[64];
	bool start = true;
	size_t n;

	while ((c = getc(f)) != EOF) {
		if (quote) {
			if (c == '\\')
				c = getc(f);
			else if (c == quote)
				quote = 0;
			if (c == '\n')
				line++;
			continue;
		}
		if (c == '#') {
			while ((c = getc(f)) != EOF && c != '\n')
				;
		}
		if (c == '\n' || c == EOF) {
			line++;
			start = !depth;
			continue;
		}
		if (c == '\'' || c == '"') {
			quote = c;
			start = false;
		} else if (c == '[') {
			depth++;
		} else if (c == ']') {
			depth--;
		} else if (c == ';') {
			start = !depth;
		} else if (start && (isalpha(c) || c == '_')) {
			n = 0;
			do {
				if (n < sizeof(word) - 1)
					word[n++] = c;
			} while ((c = getc(f)) != EOF &&
				 (isalnum(c) || c == '_'));
			word[n] = 0;
			ungetc(c, f);
			start = false;
			if (r->nkeys == sizeof(r->keys) / sizeof(r->keys[0])) {
				snprintf(r->err, r->errlen, "%s:%d: too many "
					 "settings", r->path, line);
				return -1;
			}
			snprintf(r->keys[r->nkeys].name,
				 sizeof(r->keys[0].name), "%s", word);
			r->keys[r->nkeys++].line = line;
		} else if (!isspace(c)) {
			start = false;
		}
	}
	return 0;
}

static int check_known(struct reader *r)
{
	for (unsigned int i = 0; i < r->nkeys; i++) {
		size_t k;

		for (k = 0; k < sizeof(known_keys) / sizeof(known_keys[0]); k++)
			if (!strcmp(r->keys[i].name, known_keys[k]))
				break;
		if (k == sizeof(known_keys) / sizeof(known_keys[0])) {
			snprintf(r->err, r->errlen, "%s:%d: %s: unknown key "
				 "(see xen-pci-agent.cfg(5))", r->path,
				 r->keys[i].line, r->keys[i].name);
			return -1;
		}
	}
	return 0;
}

/*
 * libxlutil's own message, "FILE:LINE: warning: why", as ours,
 * "FILE:LINE: KEY: why": some of its messages do not name the key.  A
 * syntax error (no key) keeps libxlutil's words.
 */
static int xlu_fail(struct reader *r, const char *key, FILE *rep,
		    char **repbuf, const char *what)
{
	char *msg, *nl, *w;

	fflush(rep);
	msg = *repbuf;
	if (!msg || !*msg)
		return fail(r, key, "%s", what);
	nl = strchr(msg, '\n');
	if (nl)
		*nl = 0;
	if (!*key) {
		snprintf(r->err, r->errlen, "%s", msg);
		return -1;
	}
	w = strstr(msg, ": warning: ");
	return fail(r, key, "%s", w ? w + strlen(": warning: ") : msg);
}

static int get_long(struct reader *r, XLU_Config *x, const char *key,
		    long min, long max, long *out, FILE *rep, char **repbuf)
{
	int e = xlu_cfg_get_bounded_long(x, key, min, max, out, 0);

	if (e == ESRCH)
		return 0;
	if (e)
		return xlu_fail(r, key, rep, repbuf, "not a number in range");
	return 0;
}

static int get_string(struct reader *r, XLU_Config *x, const char *key,
		      const char **out, FILE *rep, char **repbuf)
{
	int e = xlu_cfg_get_string(x, key, out, 0);

	if (e == ESRCH) {
		*out = NULL;
		return 0;
	}
	if (e)
		return xlu_fail(r, key, rep, repbuf, "not a string");
	return 0;
}

/* The devices a spec names, to compare entries however they are spelt. */
struct spec_key {
	unsigned int domain, bus, dev, func;
	bool all;	/* function '*' */
};

static int spec_key(const char *spec, struct spec_key *k)
{
	libxl_device_pci pci;
	XLU_Config *x;
	FILE *null;
	int e;

	null = fopen("/dev/null", "w");
	x = xlu_cfg_init(null ? null : stderr, "assignable");
	if (!x) {
		if (null)
			fclose(null);
		return -1;
	}
	libxl_device_pci_init(&pci);
	e = xlu_pci_parse_spec_string(x, &pci, spec);
	if (!e) {
		k->domain = pci.domain;
		k->bus = pci.bus;
		k->dev = pci.dev;
		k->func = pci.func;
		k->all = pci.vfunc_mask == LIBXL_PCI_FUNC_ALL;
	}
	libxl_device_pci_dispose(&pci);
	xlu_cfg_destroy(x);
	if (null)
		fclose(null);
	return e ? -1 : 0;
}

/* A PCI_SPEC_STRING as xl pci-assignable-add would take it. */
static int check_spec(struct reader *r, const char *spec)
{
	struct spec_key k;

	if (spec_key(spec, &k))
		return fail(r, "assignable", "'%s' is not a PCI_SPEC_STRING "
			    "([DDDD:]BB:DD.F, function * for all)", spec);
	return 0;
}

static int get_assignable(struct reader *r, XLU_Config *x,
			  struct cfgfile *c, FILE *rep, char **repbuf)
{
	XLU_ConfigList *list;
	int n, e;

	e = xlu_cfg_get_list(x, "assignable", &list, &n, 0);
	if (e == ESRCH)
		return 0;
	if (e)
		return xlu_fail(r, "assignable", rep, repbuf, "not a list");
	c->has_assignable = true;
	c->assignable = calloc(n ? n : 1, sizeof(*c->assignable));
	if (!c->assignable)
		return fail(r, "assignable", "out of memory");
	for (int i = 0; i < n; i++) {
		XLU_ConfigValue *v = xlu_cfg_get_listitem2(list, i);
		char *s;

		if (!v || xlu_cfg_value_get_string(x, v, &s, 1))
			return fail(r, "assignable", "item %d is not a "
				    "string", i + 1);
		if (check_spec(r, s))
			return -1;
		c->assignable[i] = strdup(s);
		if (!c->assignable[i])
			return fail(r, "assignable", "out of memory");
		c->n_assignable = i + 1;
	}
	return 0;
}

/* protect = [ '03:00.0', '00:1f.*' ]: the dom0 guard's --protect. */
static int get_protect(struct reader *r, XLU_Config *x, struct cfgfile *c,
		       FILE *rep, char **repbuf)
{
	XLU_ConfigList *list;
	int n, e;

	e = xlu_cfg_get_list(x, "protect", &list, &n, 0);
	if (e == ESRCH)
		return 0;
	if (e)
		return xlu_fail(r, "protect", rep, repbuf, "not a list");
	c->protect = calloc(n ? n : 1, sizeof(*c->protect));
	if (!c->protect)
		return fail(r, "protect", "out of memory");
	for (int i = 0; i < n; i++) {
		XLU_ConfigValue *v = xlu_cfg_get_listitem2(list, i);
		struct bdf b;
		bool all;
		char *s;

		if (!v || xlu_cfg_value_get_string(x, v, &s, 1))
			return fail(r, "protect", "item %d is not a string",
				    i + 1);
		if (!bdf_from_slot_spec(s, &b, &all))
			return fail(r, "protect", "'%s' is not [DDDD:]BB:DD.F "
				    "or [DDDD:]BB:DD.*", s);
		c->protect[i] = strdup(s);
		if (!c->protect[i])
			return fail(r, "protect", "out of memory");
		c->n_protect = i + 1;
	}
	return 0;
}

static int get_reset_policy(struct reader *r, XLU_Config *x,
			    struct cfgfile *c, FILE *rep, char **repbuf)
{
	const char *s;

	if (get_string(r, x, "reset_policy", &s, rep, repbuf))
		return -1;
	if (!s)
		return 0;
	if (!strcmp(s, "strict"))
		c->reset_policy = CFGFILE_RESET_STRICT;
	else if (!strcmp(s, "best-effort"))
		c->reset_policy = CFGFILE_RESET_BEST_EFFORT;
	else
		return fail(r, "reset_policy", "'%s' is not strict or "
			    "best-effort", s);
	return 0;
}

static int get_all(struct reader *r, XLU_Config *x, struct cfgfile *c,
		   FILE *rep, char **repbuf)
{
	const char *s;

	if (get_long(r, x, "toolstack_domid", 0, 0x7fef, &c->toolstack_domid,
		     rep, repbuf) ||
	    get_long(r, x, "request_timeout", 1, 86400, &c->request_timeout,
		     rep, repbuf))
		return -1;
	if (get_string(r, x, "state_dir", &s, rep, repbuf))
		return -1;
	if (s && s[0] != '/')
		return fail(r, "state_dir", "'%s' is not an absolute path", s);
	if (s && !(c->state_dir = strdup(s)))
		return fail(r, "state_dir", "out of memory");
	if (get_long(r, x, "script_timeout", 1, 3600, &c->script_timeout,
		     rep, repbuf))
		return -1;
	if (get_string(r, x, "script_dir", &s, rep, repbuf))
		return -1;
	if (s && s[0] != '/')
		return fail(r, "script_dir", "'%s' is not an absolute path", s);
	if (s && !(c->script_dir = strdup(s)))
		return fail(r, "script_dir", "out of memory");
	if (get_string(r, x, "log_level", &s, rep, repbuf))
		return -1;
	if (s && (c->log_level = log_level_from_str(s)) < 0)
		return fail(r, "log_level", "'%s' is not error, warning, "
			    "notice, info or debug", s);
	if (get_protect(r, x, c, rep, repbuf) ||
	    get_reset_policy(r, x, c, rep, repbuf))
		return -1;
	return get_assignable(r, x, c, rep, repbuf);
}

int cfgfile_read(const char *path, struct cfgfile *c, char *err,
		 size_t errlen)
{
	struct reader r = { .path = path, .err = err, .errlen = errlen };
	char *repbuf = NULL;
	size_t replen = 0;
	XLU_Config *x = NULL;
	FILE *f, *rep;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	c->toolstack_domid = -1;
	c->log_level = -1;
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = scan_keys(&r, f);
	fclose(f);
	if (rc)
		return -1;
	rc = -1;
	rep = open_memstream(&repbuf, &replen);
	if (!rep) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	x = xlu_cfg_init(rep, path);
	if (!x) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	if (xlu_cfg_readfile(x, path)) {
		xlu_fail(&r, "", rep, &repbuf, "syntax error");
		goto out;
	}
	if (check_known(&r) || get_all(&r, x, c, rep, &repbuf))
		goto out;
	rc = 0;
out:
	if (x)
		xlu_cfg_destroy(x);
	fclose(rep);
	free(repbuf);
	if (rc)
		cfgfile_free(c);
	return rc;
}

void cfgfile_free(struct cfgfile *c)
{
	for (unsigned int i = 0; i < c->n_assignable; i++)
		free(c->assignable[i]);
	free(c->assignable);
	for (unsigned int i = 0; i < c->n_protect; i++)
		free(c->protect[i]);
	free(c->protect);
	free(c->state_dir);
	free(c->script_dir);
	memset(c, 0, sizeof(*c));
	c->toolstack_domid = -1;
	c->log_level = -1;
}


static bool same_devices(const char *a, const char *b)
{
	struct spec_key ka, kb;

	if (spec_key(a, &ka) || spec_key(b, &kb))
		return false;
	return ka.domain == kb.domain && ka.bus == kb.bus &&
	       ka.dev == kb.dev && ka.all == kb.all &&
	       (ka.all || ka.func == kb.func);
}

/*
 * Where the last `assignable` setting starts and ends in buf (the same
 * statement rules as scan_keys): 0, or -1 when there is none.
 */
static int find_setting(const char *buf, size_t len, const char *key,
			size_t *start, size_t *end)
{
	size_t i = 0, klen = strlen(key), s = 0;
	int depth = 0, found = -1;
	bool at_start = true, in = false;
	char quote = 0;

	for (; i < len; i++) {
		char c = buf[i];

		if (quote) {
			if (c == '\\')
				i++;
			else if (c == quote)
				quote = 0;
			continue;
		}
		if (c == '#') {
			while (i < len && buf[i] != '\n')
				i++;
			c = '\n';
		}
		if ((c == '\n' || c == ';') && !depth) {
			if (in) {
				*start = s;
				*end = i;
				found = 0;
				in = false;
			}
			at_start = true;
			continue;
		}
		if (c == '\'' || c == '"')
			quote = c;
		else if (c == '[')
			depth++;
		else if (c == ']')
			depth--;
		if (at_start && !isspace((unsigned char)c)) {
			at_start = false;
			if (!strncmp(buf + i, key, klen) &&
			    !(isalnum((unsigned char)buf[i + klen]) ||
			      buf[i + klen] == '_')) {
				in = true;
				s = i;
			}
		}
	}
	if (in) {
		*start = s;
		*end = len;
		found = 0;
	}
	return found;
}

static int write_list(FILE *f, char **v, unsigned int n)
{
	fputs("assignable = [", f);
	for (unsigned int i = 0; i < n; i++)
		fprintf(f, "%s '%s'", i ? "," : "", v[i]);
	return fputs(n ? " ]" : "]", f);
}

static int slurp(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "r");
	long n;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) || !(*buf = malloc(n + 1))) {
		fclose(f);
		return -1;
	}
	*len = fread(*buf, 1, n, f);
	(*buf)[*len] = 0;
	fclose(f);
	return 0;
}

/* The new text: buf with its assignable setting replaced or added. */
static int rewrite(const char *path, const char *buf, size_t len,
		   char **v, unsigned int n, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	size_t start = 0, end = 0;
	struct stat st;
	FILE *f;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp))
		goto fail_errno;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		  stat(path, &st) ? 0644 : st.st_mode & 07777);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		goto fail_errno;
	}
	if (!find_setting(buf, len, "assignable", &start, &end)) {
		fwrite(buf, 1, start, f);
		write_list(f, v, n);
		fwrite(buf + end, 1, len - end, f);
	} else {
		fwrite(buf, 1, len, f);
		if (len && buf[len - 1] != '\n')
			fputc('\n', f);
		fputs("# Persistent assignments (xen-pci ... --persistent)\n",
		      f);
		write_list(f, v, n);
		fputc('\n', f);
	}
	if (fflush(f) || fsync(fileno(f))) {
		fclose(f);
		unlink(tmp);
		goto fail_errno;
	}
	if (fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		goto fail_errno;
	}
	return 0;
fail_errno:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return -1;
}

int cfgfile_edit_assignable(const char *path, const char *spec, bool add,
			    char *err, size_t errlen)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct cfgfile c;
	char *buf = NULL, **v = NULL, why[512];
	unsigned int n = 0;
	size_t len;
	bool changed = false;
	int rc = -1;

	pthread_mutex_lock(&lock);
	if (cfgfile_read(path, &c, why, sizeof(why))) {
		snprintf(err, errlen, "the configuration is not changed: %s",
			 why);
		goto out_unlock;
	}
	v = calloc(c.n_assignable + 1, sizeof(*v));
	if (!v || slurp(path, &buf, &len)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	for (unsigned int i = 0; i < c.n_assignable; i++) {
		if (same_devices(c.assignable[i], spec)) {
			/* An add finds it there already: nothing to do. */
			if (add)
				goto done;
			changed = true;
			continue;
		}
		v[n++] = c.assignable[i];
	}
	if (add) {
		v[n++] = (char *)spec;
		changed = true;
	}
	if (changed && rewrite(path, buf, len, v, n, err, errlen))
		goto out;
done:
	rc = 0;
out:
	free(v);
	free(buf);
	cfgfile_free(&c);
out_unlock:
	pthread_mutex_unlock(&lock);
	return rc;
}
