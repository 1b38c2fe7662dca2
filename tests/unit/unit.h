/*
 * A tiny TAP producer for the C unit tests: one "ok - ..." or
 * "not ok - ..." line per check, as tests/run-tests counts them.
 */
#ifndef XENPCI_UNIT_H
#define XENPCI_UNIT_H

#include <stdbool.h>

/* Returns cond; prints the check. */
bool unit_check(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Compares two strings (NULL allowed); prints both when they differ. */
bool unit_is(const char *got, const char *want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool unit_is_int(long got, long want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* 0 if every check passed, else 1: main's return value. */
int unit_done(void);

#define CHECK(cond, ...)	unit_check((cond), __VA_ARGS__)
#define IS(got, want, ...)	unit_is((got), (want), __VA_ARGS__)
#define IS_INT(got, want, ...)	unit_is_int((got), (want), __VA_ARGS__)

#endif
