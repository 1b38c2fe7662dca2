/*
 * On-disk state (--state-dir): remembered drivers and the intent
 * journal.  The design is at the top of statedir.c.
 */
#ifndef XENPCI_STATEDIR_H
#define XENPCI_STATEDIR_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "bdf.h"

/*
 * One device's operation in progress: the goal it is being driven to
 * and the goal a failure or a crash returns it to, by name (device.c's
 * dev_goal_name()), each with its guest (-1 none), and the driver it
 * had when the operation began.
 */
#define INTENT_GOAL_LEN	24
struct intent {
	struct bdf bdf;
	char goal[INTENT_GOAL_LEN];
	long goal_domid;
	char ret[INTENT_GOAL_LEN];
	long ret_domid;
	char request[XENPCI_REQ_ID_MAX + 1];
	char orig_driver[PATH_MAX];	/* host path or "" */
	bool wrote_xs_path;	/* add: we created /libxl/pci/K/driver_path */
	char boot_id[40];
};
int statedir_init(void);
int intent_write(const struct intent *in);
int intent_read(const struct bdf *b, struct intent *in);	/* -ENOENT */
/* The record's text (changed in place) as intent_read() reads it. */
int intent_parse(char *text, const struct bdf *b, struct intent *in);
int intent_clear(const struct bdf *b);
/* The BDFs with an intent record, malloc'd. */
int intent_list(struct bdf **out, unsigned int *n);
int driver_remember(const struct bdf *b, const char *host_path);
int driver_recall(const struct bdf *b, char *host_path, size_t len);
int driver_forget(const struct bdf *b);
const char *current_boot_id(void);

#endif
