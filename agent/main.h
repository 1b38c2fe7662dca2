/*
 * What main.c offers the rest (to be replaced by callbacks main
 * registers: the layers below must not call up).
 */
#ifndef XENPCI_MAIN_H
#define XENPCI_MAIN_H

#include <stdbool.h>

void agent_maybe_exit(void);
extern bool agent_stopping;
extern int agent_exit_code;	/* 0, or 1 after losing xenstore */

#endif
