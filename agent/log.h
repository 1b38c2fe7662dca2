/*
 * Logging: syslog, or stderr with --foreground.  A line about a device
 * starts with its BDF.
 */
#ifndef XENPCI_LOG_H
#define XENPCI_LOG_H

#include <stdbool.h>
#include <syslog.h>

#include "bdf.h"

void log_init(bool foreground, int level);
int log_level_from_str(const char *s);
void log_msg(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "0000:07:00.0: <message>" */
void log_dev(int prio, const struct bdf *b, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
