/*
 * The daemon's exit statuses (main.c), as its --help and the README
 * document them, so that a supervisor can tell a failure a retry may
 * cure from one it cannot.
 */
#ifndef XENPCI_MAIN_H
#define XENPCI_MAIN_H

enum agent_exit {
	AGENT_EXIT_OK = 0,	/* a clean stop (SIGTERM, SIGINT) */
	/* xenstore unreachable or lost, the state dir held by another
	 * agent, no resources: a retry may work. */
	AGENT_EXIT_TEMPORARY = 1,
	AGENT_EXIT_USAGE = 2,	/* bad options */
	/* bad configuration (an unusable state dir): no retry helps. */
	AGENT_EXIT_CONFIG = 3,
};

#endif
