/*
 * Logging: stderr when in the foreground (tests, debugging), syslog
 * otherwise.  Every line about a device starts with its BDF so that
 * "grep 0000:07:00.0" shows a device's whole story.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

static bool log_stderr;
static int log_max = LOG_INFO;

void log_init(bool foreground, int level)
{
	log_stderr = foreground;
	log_max = level;
	if (!foreground)
		openlog(AGENT_NAME, LOG_PID, LOG_DAEMON);
}

int log_level_from_str(const char *s)
{
	static const struct {
		const char *name;
		int prio;
	} levels[] = {
		{ "error", LOG_ERR }, { "warning", LOG_WARNING },
		{ "warn", LOG_WARNING }, { "notice", LOG_NOTICE },
		{ "info", LOG_INFO }, { "debug", LOG_DEBUG },
	};

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (!strcasecmp(s, levels[i].name))
			return levels[i].prio;
	return -1;
}

static const char *prio_name(int prio)
{
	switch (prio) {
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_NOTICE:
		return "notice";
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

/*
 * Messages carry values from outside (request fields, specs, sysfs):
 * a control character is written as \n, \t or \xHH, so that no value
 * can end a line and forge the next one, or hide in the terminal.
 */
static void escape(const char *in, char *out, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (; *in && o + 5 < len; in++) {
		unsigned char c = (unsigned char)*in;

		if (c >= 0x20 && c != 0x7f) {
			out[o++] = (char)c;
			continue;
		}
		out[o++] = '\\';
		if (c == '\n') {
			out[o++] = 'n';
		} else if (c == '\t') {
			out[o++] = 't';
		} else {
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

static void vlog(int prio, const char *prefix, const char *fmt, va_list ap)
{
	char raw[2048], msg[2048];

	if (prio > log_max)
		return;
	vsnprintf(raw, sizeof(raw), fmt, ap);
	escape(raw, msg, sizeof(msg));
	if (log_stderr) {
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		fprintf(stderr, "%02d:%02d:%02d.%03ld %s[%d]: %s: %s%s%s\n",
			tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
			AGENT_NAME, (int)getpid(), prio_name(prio),
			prefix ? prefix : "", prefix ? ": " : "", msg);
	} else {
		syslog(prio, "%s%s%s", prefix ? prefix : "",
		       prefix ? ": " : "", msg);
	}
}

void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog(prio, NULL, fmt, ap);
	va_end(ap);
	errno = saved;
}

void log_dev(int prio, const struct bdf *b, const char *fmt, ...)
{
	char buf[BDF_STR_LEN];
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog(prio, bdf_str(b, buf), fmt, ap);
	va_end(ap);
	errno = saved;
}
