/*
 * What a service manager needs from the daemon: a pid file for the
 * SysV init script (start-stop-daemon --pidfile) and readiness for
 * systemd's Type=notify (sd_notify).
 */
#ifndef XENPCI_SERVICE_H
#define XENPCI_SERVICE_H

/* Writes our pid to path (NULL: none); 0 or -errno, logged. */
int service_pidfile_write(const char *path);
/* Removes the pid file written above, if it is still ours. */
void service_pidfile_remove(void);
/* sd_notify(): a no-op unless systemd gave us $NOTIFY_SOCKET. */
void service_notify(const char *state);

#endif
