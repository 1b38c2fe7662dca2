/*
 * Shared by the harnesses (tests/fuzz/fuzz-*.c): libFuzzer's entry
 * point, the input as a NUL-terminated string, and a check that aborts
 * (a property the parser promises and broke is a finding, like a crash).
 */
#ifndef XENPCI_FUZZ_H
#define XENPCI_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data as a C string (an embedded NUL ends it, as in xenstore); free it. */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#define FUZZ_CHECK(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: check failed: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

/* The agent's log is not what is fuzzed: swallow it (no syslog). */
#define FUZZ_FAKE_LOG							\
	void log_msg(int prio, const char *fmt, ...)			\
	{								\
		(void)prio;						\
		(void)fmt;						\
	}

#define FUZZ_FAKE_LOG_DEV						\
	void log_dev(int prio, const struct bdf *b, const char *fmt, ...) \
	{								\
		(void)prio;						\
		(void)b;						\
		(void)fmt;						\
	}

#endif
