/*
 * The watch on R/requests: what each of its events means for which
 * request (reqwatch.c).
 */
#ifndef XENPCI_REQWATCH_H
#define XENPCI_REQWATCH_H

/* dir: R/requests, set once before the watch's first event. */
void reqwatch_init(const char *dir);
/* A watch event at path, anywhere under dir (or dir itself). */
void reqwatch_event(const char *path);

#endif
