/* Host name lookups on a thread; see lookup.h. */
#include "util/lookup.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/xmalloc.h"

struct lookup {
	char host[256];
	char port[8];
	struct addrinfo *res;
	int rc, err;      /* getaddrinfo()'s return, and errno for EAI_SYSTEM */
	atomic_bool done; /* rc and res are written (release) */
	atomic_int refs;  /* the caller's and the thread's */
	int fds[2];       /* [0] the caller's, readable when done; [1] the thread's */
};

static void unref(struct lookup *l)
{
	if (atomic_fetch_sub(&l->refs, 1) != 1)
		return;
	if (l->res != NULL)
		freeaddrinfo(l->res);
	free(l);
}

static void *run(void *arg)
{
	struct lookup *l = arg;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};

	l->rc = getaddrinfo(l->host, l->port, &hints, &l->res);
	l->err = errno;
	atomic_store_explicit(&l->done, true, memory_order_release);
	/* After a cancel nobody reads: MSG_NOSIGNAL turns that into EPIPE. */
	send(l->fds[1], "", 1, MSG_NOSIGNAL);
	close(l->fds[1]);
	unref(l);
	return NULL;
}

struct lookup *lookup_start(const char *host, const char *port)
{
	struct lookup *l = xcalloc(1, sizeof *l);
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	snprintf(l->host, sizeof l->host, "%s", host);
	snprintf(l->port, sizeof l->port, "%s", port);
	atomic_init(&l->done, false);
	atomic_init(&l->refs, 2);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, l->fds) < 0) {
		free(l);
		return NULL;
	}
	/* The thread inherits a full mask: signals stay the main loop's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, run, l);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		close(l->fds[0]);
		close(l->fds[1]);
		free(l);
		errno = rc;
		return NULL;
	}
	return l;
}

int lookup_fd(const struct lookup *l)
{
	return l->fds[0];
}

int lookup_finish(struct lookup *l, struct addrinfo **res)
{
	char c;
	int rc;

	while (recv(l->fds[0], &c, 1, 0) < 0 && errno == EINTR)
		;
	/* The byte came after done was set: this pairs with the release. */
	(void)atomic_load_explicit(&l->done, memory_order_acquire);
	rc = l->rc;
	if (rc == EAI_SYSTEM)
		errno = l->err;
	*res = l->res;
	l->res = NULL;
	close(l->fds[0]);
	unref(l);
	return rc;
}

void lookup_cancel(struct lookup *l)
{
	if (l == NULL)
		return;
	close(l->fds[0]);
	unref(l);
}
