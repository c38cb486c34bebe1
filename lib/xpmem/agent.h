/* SPDX-License-Identifier: MIT */
/* The owner's agent thread of the user-space backend (agent.c). */
#ifndef XPMEM_AGENT_H
#define XPMEM_AGENT_H

#include <stdbool.h>

/* Binds the socket and starts the thread; -EADDRINUSE if squatted. */
int xpmem_agent_start(void);
/* Wakes the thread, waits for it to exit, closes the socket. */
void xpmem_agent_stop(void);
/* In a fork child: the thread does not exist there; close its sockets. */
void xpmem_agent_forget(void);
bool xpmem_agent_running(void);

#endif /* XPMEM_AGENT_H */
