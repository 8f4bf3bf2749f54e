/* A link's forwarded channels on the server; see forward.h. */
#include "server/forward.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chan/chan.h"
#include "chan/endpoint.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct listener {
	struct sfwd *f;
	uint32_t req;
	int fd;
};

struct sfwd {
	struct ev_loop *loop;
	struct chan *chan;
	struct endpoint *ep;
	struct listener *ls[CHAN_REQS_MAX];
	size_t nls;
	uint32_t reqs_seen; /* requests taken in: ids 1..reqs_seen */
	bool agent;
};

/* The client opened a channel: only TCP targets, connected from here. */
static int on_connect(void *arg, enum chan_kind kind, const char *target, char *reason, size_t len)
{
	(void)arg;
	if (kind != CHAN_KIND_TCP || target == NULL) {
		snprintf(reason, len, "the server opens no such channel");
		return -1;
	}
	return endpoint_tcp(target, reason, len);
}

static void on_refused(void *arg, enum chan_kind kind, const char *target, const char *reason)
{
	(void)arg;
	log_info("the client refused a%s channel%s%s: %s",
	         kind == CHAN_KIND_AGENT ? "n agent" : " TCP", target ? " for " : "",
	         target ? target : "", reason);
}

static void on_accept(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct listener *l = arg;
	char target[12];
	int c;

	(void)loop;
	(void)events;
	c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			log_info("-R %u: accept: %s", l->req, strerror(errno));
		return;
	}
	snprintf(target, sizeof target, "%u", l->req);
	endpoint_add(l->f->ep, c, CHAN_KIND_TCP, target);
}

struct sfwd *sfwd_new(struct ev_loop *loop, struct chanset *local)
{
	struct sfwd *f = xcalloc(1, sizeof *f);
	struct endpoint_ops ops = {.connect = on_connect, .refused = on_refused, .arg = f};
	const char *rogue = getenv("MOSH_TEST_ROGUE_CHANNEL");
	int sv[2];

	f->loop = loop;
	f->chan = chan_new(local, false);
	f->ep = endpoint_new(loop, f->chan, &ops);
	/* Tests only: a channel the client never asked for, which it must refuse. */
	if (rogue != NULL &&
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0) {
		close(sv[1]);
		endpoint_add(f->ep, sv[0], CHAN_KIND_TCP, rogue);
	}
	return f;
}

void sfwd_free(struct sfwd *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->nls; i++) {
		ev_fd_del(f->loop, f->ls[i]->fd);
		close(f->ls[i]->fd);
		free(f->ls[i]);
	}
	endpoint_free(f->ep);
	chan_free(f->chan);
	free(f);
}

/* The client's new requests: listen for each -R, note an offered agent. */
static void take_requests(struct sfwd *f, const struct chanset *remote)
{
	for (size_t i = 0; i < chanset_nreqs(remote); i++) {
		const struct chan_req *q = chanset_req_at(remote, i);
		char reason[160] = "";
		int fd;

		if (q->id <= f->reqs_seen)
			continue;
		f->reqs_seen = q->id;
		if (q->kind == CHAN_KIND_AGENT) {
			f->agent = true;
			chan_answer(f->chan, q->id, CHAN_REQ_OK, NULL);
			continue;
		}
		fd = endpoint_tcp_listen(q->bind, q->port, reason, sizeof reason);
		if (fd < 0) {
			log_info("-R %u: %s", q->id, reason);
			chan_answer(f->chan, q->id, CHAN_REQ_FAILED, reason);
			continue;
		}
		f->ls[f->nls] = xcalloc(1, sizeof **f->ls);
		*f->ls[f->nls] = (struct listener){.f = f, .req = q->id, .fd = fd};
		ev_fd_add(f->loop, fd, EV_READ, on_accept, f->ls[f->nls]);
		f->nls++;
		log_info("-R %u: listening on %s:%u", q->id, q->bind ? q->bind : "localhost",
		         q->port);
		chan_answer(f->chan, q->id, CHAN_REQ_OK, NULL);
	}
}

void sfwd_sync(struct sfwd *f, const struct chanset *remote, const struct chanset *acked,
               uint64_t losses)
{
	if (remote != NULL)
		take_requests(f, remote);
	endpoint_sync(f->ep, remote, acked, losses);
}

bool sfwd_agent_offered(const struct sfwd *f)
{
	return f->agent;
}

bool sfwd_agent(struct sfwd *f, int fd)
{
	if (!f->agent) {
		close(fd);
		return false;
	}
	return endpoint_add(f->ep, fd, CHAN_KIND_AGENT, NULL);
}
