/*
 * What the agent remembers of each device between requests, in the
 * state dir (policy.h): whether it was reset since its last guest
 * (<state dir>/reset/K) and its last operations and last error
 * (<state dir>/history/K).  Split from policy.c, which decides; this
 * file only keeps.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "policy.h"

/* ---------------------------------------------------- reset records */

static void reset_path(const struct bdf *b, char *buf, size_t len)
{
	char key[KEY_STR_LEN];

	snprintf(buf, len, "%s/reset/%s", cfg.state_dir, bdf_key(b, key));
}

void policy_reset_get(const struct bdf *b, struct reset_rec *r)
{
	char p[4096], st[16];
	FILE *f;

	memset(r, 0, sizeof(*r));
	r->domid = -1;
	reset_path(b, p, sizeof(p));
	f = fopen(p, "re");
	if (!f)
		return;
	/* "clean|dirty|in-use DOMID METHOD\nWHY\n" */
	if (fscanf(f, "%15s %ld %31s\n", st, &r->domid, r->method) == 3) {
		r->state = !strcmp(st, "clean") ? RESET_CLEAN :
			   !strcmp(st, "in-use") ? RESET_IN_USE : RESET_DIRTY;
		if (!fgets(r->why, sizeof(r->why), f))
			r->why[0] = '\0';
		r->why[strcspn(r->why, "\n")] = '\0';
		if (!strcmp(r->method, "-"))
			r->method[0] = '\0';
	}
	fclose(f);
}

int policy_reset_put(const struct bdf *b, const struct reset_rec *r)
{
	char p[4096], tmp[4112], dir[4096];
	FILE *f;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/reset", cfg.state_dir);
	if (mkdir(dir, 0700) && errno != EEXIST)
		rc = -errno;
	reset_path(b, p, sizeof(p));
	snprintf(tmp, sizeof(tmp), "%s.tmp", p);
	f = rc ? NULL : fopen(tmp, "we");
	if (!f && !rc)
		rc = -errno;
	if (f) {
		fprintf(f, "%s %ld %s\n%s\n", r->state == RESET_CLEAN ?
			"clean" : r->state == RESET_IN_USE ? "in-use" :
			"dirty", r->domid, r->method[0] ? r->method : "-",
			r->why);
		if (fclose(f))
			rc = -errno;
		else if (rename(tmp, p))
			rc = -errno;
	}
	if (rc)
		log_dev(LOG_WARNING, b, "record its reset state in %s: %s",
			dir, strerror(-rc));
	return rc;
}

const char *policy_reset_str(const struct reset_rec *r, char *buf,
			     size_t len)
{
	if (r->state == RESET_NEVER)
		snprintf(buf, len, "%s", "");
	else if (r->state == RESET_CLEAN)
		snprintf(buf, len, "clean (%s)", r->method);
	else if (r->state == RESET_IN_USE)
		snprintf(buf, len, "dirty: domain %ld has it%s%.150s",
			 r->domid, r->why[0] ? "; " : "", r->why);
	else
		snprintf(buf, len, "dirty: domain %ld had it; %.150s",
			 r->domid, r->why);
	return buf;
}

int policy_reset_parse(const char *s, enum reset_policy *p)
{
	if (!strcmp(s, "strict"))
		*p = RESET_POLICY_STRICT;
	else if (!strcmp(s, "best-effort"))
		*p = RESET_POLICY_BEST_EFFORT;
	else
		return -EINVAL;
	return 0;
}

/* ------------------------------------------------------- history */

static void history_path(const struct bdf *b, char *buf, size_t len)
{
	char key[KEY_STR_LEN];

	snprintf(buf, len, "%s/history/%s", cfg.state_dir, bdf_key(b, key));
}

/* "H line" for each history line, then "E last error". */
void policy_history_get(const struct bdf *b, struct policy_history *h)
{
	char p[4096], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;

	memset(h, 0, sizeof(*h));
	history_path(b, p, sizeof(p));
	f = fopen(p, "re");
	if (!f)
		return;
	while ((n = getline(&line, &cap, f)) > 2) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == 'E')
			snprintf(h->last_error, sizeof(h->last_error), "%s",
				 line + 2);
		else if (line[0] == 'H' && h->n < POLICY_HISTORY)
			snprintf(h->line[h->n++], sizeof(h->line[0]), "%s",
				 line + 2);
	}
	free(line);
	fclose(f);
}

static int history_put(const struct bdf *b, const struct policy_history *h)
{
	char p[4096], tmp[4112], dir[4096];
	FILE *f;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/history", cfg.state_dir);
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	history_path(b, p, sizeof(p));
	snprintf(tmp, sizeof(tmp), "%s.tmp", p);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	for (unsigned int i = 0; i < h->n; i++)
		fprintf(f, "H %s\n", h->line[i]);
	if (h->last_error[0])
		fprintf(f, "E %s\n", h->last_error);
	if (fclose(f) || rename(tmp, p))
		rc = -errno;
	return rc;
}

/* The history of a device is written by one request at a time. */
static pthread_mutex_t history_lock = PTHREAD_MUTEX_INITIALIZER;

void policy_history_add(const struct bdf *b, const char *what, int err,
			const char *msg)
{
	struct policy_history h;
	char when[32], line[200];
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(line, sizeof(line), "%s %.120s: %s", when, what,
		 err ? errno_name(err) : "ok");
	pthread_mutex_lock(&history_lock);
	policy_history_get(b, &h);
	if (h.n == POLICY_HISTORY) {
		memmove(h.line[0], h.line[1], sizeof(h.line[0]) * (h.n - 1));
		h.n--;
	}
	snprintf(h.line[h.n++], sizeof(h.line[0]), "%s", line);
	if (err)
		snprintf(h.last_error, sizeof(h.last_error), "%s %.120s: %s: "
			 "%.400s", when, what, errno_name(err), msg);
	rc = history_put(b, &h);
	pthread_mutex_unlock(&history_lock);
	if (rc)
		log_dev(LOG_WARNING, b, "record its history in %s/history: %s",
			cfg.state_dir, strerror(-rc));
}
