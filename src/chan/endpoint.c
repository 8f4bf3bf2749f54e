/*
 * Channels joined to sockets (endpoint.h). Every change ends in pump(), which
 * walks the table once: answers channels whose connection finished, closes
 * what is done, and sets each socket's poll interest from the channel's room
 * and pending bytes, so the event loop wakes only for work it can do.
 */
#include "chan/endpoint.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "chan/agentfilter.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/lookup.h"
#include "util/xmalloc.h"

enum {
	READ_CHUNK = 16384,
	FILTER_OUT_MAX = 65536, /* filter replies waiting for room before we read more */
};

struct sock {
	uint32_t id;
	int fd;          /* the socket, or the lookup's descriptor while it runs */
	bool connecting; /* the peer's channel: answered once connected */
	/* A TCP target: its lookup, then its addresses, tried in turn. */
	struct lookup *lookup;
	struct addrinfo *addrs, *next_addr;
	char target[CHAN_TEXT_MAX + 1];
	int last_err;
	bool read_eof; /* our side sent fin */
	bool wr_shut;  /* the peer's fin went out as SHUT_WR */
	int events;    /* interest registered with the loop */
	struct endpoint *ep;
	/* Agent channels on the client: the filter and its two queues. */
	struct agentfilter *filter;
	struct buf to_sock, to_chan;
};

struct endpoint {
	struct ev_loop *loop;
	struct chan *chan;
	struct endpoint_ops ops;
	struct sock **socks;
	size_t n;
	bool pumping;
	uint64_t losses; /* SSP's lost frames, as last seen */
};

static void pump(struct endpoint *ep);

static struct sock *sock_find(const struct endpoint *ep, uint32_t id)
{
	for (size_t i = 0; i < ep->n; i++)
		if (ep->socks[i]->id == id)
			return ep->socks[i];
	return NULL;
}

static void sock_close(struct endpoint *ep, struct sock *s)
{
	size_t i;

	for (i = 0; i < ep->n && ep->socks[i] != s; i++)
		;
	if (s->fd >= 0)
		ev_fd_del(ep->loop, s->fd);
	if (s->lookup != NULL)
		lookup_cancel(s->lookup);
	else if (s->fd >= 0)
		close(s->fd);
	if (s->addrs != NULL)
		freeaddrinfo(s->addrs);
	agentfilter_free(s->filter);
	buf_fini(&s->to_sock);
	buf_fini(&s->to_chan);
	memmove(&ep->socks[i], &ep->socks[i + 1], (ep->n - i - 1) * sizeof *ep->socks);
	ep->n--;
	free(s);
}

static void on_fd(struct ev_loop *loop, int fd, int events, void *arg);

/* A channel's record, with no descriptor yet. */
static struct sock *sock_new(struct endpoint *ep, uint32_t id, enum chan_kind kind)
{
	struct sock *s = xcalloc(1, sizeof *s);

	s->id = id;
	s->fd = -1;
	s->ep = ep;
	buf_init(&s->to_sock);
	buf_init(&s->to_chan);
	if (kind == CHAN_KIND_AGENT && ep->ops.filter_agent)
		s->filter = agentfilter_new();
	ep->socks = xreallocarray(ep->socks, ep->n + 1, sizeof *ep->socks);
	ep->socks[ep->n++] = s;
	return s;
}

static struct sock *sock_add(struct endpoint *ep, int fd, uint32_t id, enum chan_kind kind)
{
	struct sock *s = sock_new(ep, id, kind);

	s->fd = fd;
	ev_fd_add(ep->loop, fd, 0, on_fd, s);
	return s;
}

struct endpoint *endpoint_new(struct ev_loop *loop, struct chan *chan,
                              const struct endpoint_ops *ops)
{
	struct endpoint *ep = xcalloc(1, sizeof *ep);

	ep->loop = loop;
	ep->chan = chan;
	ep->ops = *ops;
	return ep;
}

void endpoint_free(struct endpoint *ep)
{
	if (ep == NULL)
		return;
	while (ep->n > 0)
		sock_close(ep, ep->socks[ep->n - 1]);
	free(ep->socks);
	free(ep);
}

size_t endpoint_sockets(const struct endpoint *ep)
{
	return ep->n;
}

void endpoint_sync(struct endpoint *ep, const struct chanset *remote, const struct chanset *acked,
                   uint64_t losses)
{
	if (losses > ep->losses) {
		chan_loss(ep->chan);
		log_debug("a frame was lost: channel window %zu bytes",
		          chan_in_flight_max(ep->chan));
	}
	ep->losses = losses;
	chan_sync(ep->chan, remote, acked);
	pump(ep);
}

bool endpoint_add(struct endpoint *ep, int fd, enum chan_kind kind, const char *target)
{
	uint32_t id = chan_open(ep->chan, kind, target);

	if (id == 0) {
		log_info("channel refused locally: %d channels are open", CHAN_MAX);
		close(fd);
		return false;
	}
	sock_add(ep, fd, id, kind);
	pump(ep);
	return true;
}

/* Socket → channel, within the channel's room. */
static void do_read(struct endpoint *ep, struct sock *s, size_t room)
{
	uint8_t tmp[READ_CHUNK];
	size_t want = room < sizeof tmp ? room : sizeof tmp;
	ssize_t n;

	if (s->filter != NULL && s->to_chan.len >= FILTER_OUT_MAX)
		return;
	n = read(s->fd, tmp, s->filter ? sizeof tmp : want);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n < 0) {
		log_info("channel %u: read: %s", s->id, strerror(errno));
		chan_abort(ep->chan, s->id);
		sock_close(ep, s);
		return;
	}
	if (n == 0) {
		s->read_eof = true;
		return;
	}
	if (s->filter == NULL) {
		chan_send(ep->chan, s->id, tmp, (size_t)n);
	} else if (agentfilter_from_agent(s->filter, tmp, (size_t)n, &s->to_chan) < 0) {
		log_info("channel %u: the agent broke its protocol", s->id);
		chan_abort(ep->chan, s->id);
		sock_close(ep, s);
	}
}

/* Channel → socket (through the filter for agent channels). */
static bool do_write(struct endpoint *ep, struct sock *s)
{
	const uint8_t *p;
	size_t n = chan_peek(ep->chan, s->id, &p);
	ssize_t w;

	if (s->filter != NULL) {
		size_t take = agentfilter_room(s->filter);

		if (take > n)
			take = n;
		if (take > 0) {
			if (agentfilter_from_server(s->filter, p, take) < 0) {
				log_info("channel %u: a malformed agent request: reset", s->id);
				chan_abort(ep->chan, s->id);
				sock_close(ep, s);
				return false;
			}
			chan_delivered(ep->chan, s->id, take);
		}
		agentfilter_pump(s->filter, &s->to_sock, &s->to_chan);
		p = s->to_sock.data;
		n = s->to_sock.len;
	}
	if (n == 0)
		return true;
	w = send(s->fd, p, n, MSG_NOSIGNAL);
	if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return true;
	if (w < 0) {
		log_info("channel %u: write: %s", s->id, strerror(errno));
		chan_abort(ep->chan, s->id);
		sock_close(ep, s);
		return false;
	}
	if (s->filter != NULL)
		buf_consume(&s->to_sock, (size_t)w);
	else
		chan_delivered(ep->chan, s->id, (size_t)w);
	return true;
}

static int nonblock(int fd);

/* Start a connection to the target's next address; false when none is left
 * (the channel is then refused with the last error). */
static bool connect_next(struct endpoint *ep, struct sock *s)
{
	char reason[CHAN_TEXT_MAX + 80];

	while (s->next_addr != NULL) {
		const struct addrinfo *ai = s->next_addr;
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);

		s->next_addr = ai->ai_next;
		if (fd < 0 || nonblock(fd) < 0 ||
		    (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS)) {
			s->last_err = errno;
			if (fd >= 0)
				close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
		s->fd = fd;
		s->events = 0;
		ev_fd_add(ep->loop, fd, 0, on_fd, s);
		return true;
	}
	snprintf(reason, sizeof reason, "connect to %s: %s", s->target, strerror(s->last_err));
	chan_refuse(ep->chan, s->id, reason);
	return false;
}

/* The target's lookup finished: try its addresses. */
static void looked_up(struct endpoint *ep, struct sock *s)
{
	char reason[CHAN_TEXT_MAX + 80];
	int rc;

	ev_fd_del(ep->loop, s->fd);
	rc = lookup_finish(s->lookup, &s->addrs);
	s->lookup = NULL;
	s->fd = -1;
	if (rc != 0) {
		snprintf(reason, sizeof reason, "%s: %s", s->target,
		         rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		chan_refuse(ep->chan, s->id, reason);
	} else {
		s->next_addr = s->addrs;
		s->last_err = EHOSTUNREACH;
		if (connect_next(ep, s))
			return;
	}
	sock_close(ep, s);
}

/* A connection for the peer's channel finished: answer the channel, or try
 * the target's next address (a name may have IPv6 and IPv4 ones: the service
 * may listen on one only). */
static void connected(struct endpoint *ep, struct sock *s)
{
	int err = 0;
	socklen_t len = sizeof err;

	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == EINPROGRESS)
		return;
	if (err != 0) {
		if (s->addrs == NULL) {
			chan_refuse(ep->chan, s->id, strerror(err));
			sock_close(ep, s);
			return;
		}
		ev_fd_del(ep->loop, s->fd);
		close(s->fd);
		s->fd = -1;
		s->last_err = err;
		if (!connect_next(ep, s))
			sock_close(ep, s);
		return;
	}
	s->connecting = false;
	chan_accept(ep->chan, s->id);
}

static void on_fd(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct sock *s = arg;
	struct endpoint *ep = s->ep;
	struct chan_status st;
	uint32_t id = s->id;

	(void)loop;
	(void)fd;
	if (s->lookup != NULL) {
		if (events & (EV_READ | EV_ERROR))
			looked_up(ep, s);
		pump(ep);
		return;
	}
	if (s->connecting) {
		if (events & (EV_WRITE | EV_ERROR))
			connected(ep, s);
		pump(ep);
		return;
	}
	if ((events & (EV_WRITE | EV_ERROR)) && !do_write(ep, s)) {
		pump(ep);
		return;
	}
	if ((events & (EV_READ | EV_ERROR)) && (s = sock_find(ep, id)) != NULL &&
	    chan_status(ep->chan, id, &st))
		do_read(ep, s, st.room);
	pump(ep);
}

static bool split_target(const char *target, char *host, size_t hlen, char *port, size_t plen);

/* Start reaching a TCP target for channel id: an address literal at once, a
 * name through a lookup; false when the channel was refused. */
static bool tcp_start(struct endpoint *ep, uint32_t id, enum chan_kind kind, const char *target)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
	                         .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
	char host[CHAN_TEXT_MAX + 1], port[8], reason[CHAN_TEXT_MAX + 40];
	struct addrinfo *addrs;
	struct lookup *l;
	struct sock *s;

	if (!split_target(target, host, sizeof host, port, sizeof port)) {
		snprintf(reason, sizeof reason, "bad target %s", target);
		chan_refuse(ep->chan, id, reason);
		return false;
	}
	if (getaddrinfo(host, port, &hints, &addrs) == 0) {
		s = sock_new(ep, id, kind);
		s->connecting = true;
		snprintf(s->target, sizeof s->target, "%s", target);
		s->addrs = s->next_addr = addrs;
		s->last_err = EHOSTUNREACH;
		if (connect_next(ep, s))
			return true;
		sock_close(ep, s);
		return false;
	}
	if ((l = lookup_start(host, port)) == NULL) {
		snprintf(reason, sizeof reason, "cannot look %s up: %s", host, strerror(errno));
		chan_refuse(ep->chan, id, reason);
		return false;
	}
	s = sock_add(ep, lookup_fd(l), id, kind);
	s->connecting = true;
	s->lookup = l;
	snprintf(s->target, sizeof s->target, "%s", target);
	return true;
}

/* The peer's new channels: connect each through the owner. */
static void take_incoming(struct endpoint *ep)
{
	for (size_t i = 0; i < chan_count(ep->chan); i++) {
		uint32_t id = chan_id_at(ep->chan, i);
		struct chan_status st;
		char text[CHAN_TEXT_MAX + 1] = "";
		int fd;

		if (!chan_status(ep->chan, id, &st) || st.state != CHAN_INCOMING ||
		    sock_find(ep, id) != NULL)
			continue;
		fd = ep->ops.connect
		         ? ep->ops.connect(ep->ops.arg, st.kind, st.target, text, sizeof text)
		         : -1;
		if (fd == ENDPOINT_TCP) {
			if (!tcp_start(ep, id, st.kind, text))
				i = (size_t)-1; /* the table changed: walk it again */
			continue;
		}
		if (fd < 0) {
			chan_refuse(ep->chan, id, text[0] ? text : "not allowed");
			i = (size_t)-1;
			continue;
		}
		sock_add(ep, fd, id, st.kind)->connecting = true;
	}
}

/* Move queued filter replies into the channel. */
static void flush_filter(struct endpoint *ep, struct sock *s, size_t room)
{
	size_t n = s->to_chan.len < room ? s->to_chan.len : room;

	if (n == 0)
		return;
	chan_send(ep->chan, s->id, s->to_chan.data, n);
	buf_consume(&s->to_chan, n);
}

static void pump_one(struct endpoint *ep, struct sock *s)
{
	struct chan_status st;
	const uint8_t *p;
	int want = 0;

	if (!chan_status(ep->chan, s->id, &st)) {
		sock_close(ep, s);
		return;
	}
	if (s->connecting && st.state == CHAN_CLOSED) {
		/* The opener gave up before we reached its target. */
		chan_forget(ep->chan, s->id);
		sock_close(ep, s);
		return;
	} else if (s->connecting) {
		want = s->lookup != NULL ? EV_READ : EV_WRITE;
	} else if (st.state == CHAN_CLOSED) {
		if (st.reason != NULL && ep->ops.refused != NULL)
			ep->ops.refused(ep->ops.arg, st.kind, st.target, st.reason);
		if (st.reset) {
			struct linger lg = {1, 0};

			/* A reset travels on as a TCP reset. */
			setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
		}
		chan_forget(ep->chan, s->id);
		sock_close(ep, s);
		return;
	} else {
		if (s->filter != NULL)
			flush_filter(ep, s, st.room);
		if (!chan_status(ep->chan, s->id, &st))
			return;
		if (s->read_eof && s->to_chan.len == 0)
			chan_finish(ep->chan, s->id);
		else if (!s->read_eof && st.room > 0 && st.state != CHAN_INCOMING)
			want |= EV_READ;
		if (chan_peek(ep->chan, s->id, &p) > 0 || s->to_sock.len > 0)
			want |= EV_WRITE;
		else if (st.eof && !s->wr_shut && (s->filter == NULL || s->to_sock.len == 0)) {
			shutdown(s->fd, SHUT_WR);
			s->wr_shut = true;
		}
	}
	if (want != s->events) {
		ev_fd_set_events(ep->loop, s->fd, want);
		s->events = want;
	}
}

static void pump(struct endpoint *ep)
{
	uint32_t *ids;
	size_t n;

	if (ep->pumping)
		return;
	ep->pumping = true;
	take_incoming(ep);
	/* Walk a snapshot of ids: pump_one may close sockets. */
	for (size_t i = ep->n; i-- > 0;)
		if (i < ep->n)
			pump_one(ep, ep->socks[i]);
	/* Channels with no socket (refused, or the socket failed) are done here
	 * too; chan_forget may drop records, so walk a copy of the ids. */
	n = chan_count(ep->chan);
	ids = xcalloc(n ? n : 1, sizeof *ids);
	for (size_t i = 0; i < n; i++)
		ids[i] = chan_id_at(ep->chan, i);
	for (size_t i = 0; i < n; i++) {
		struct chan_status st;

		if (sock_find(ep, ids[i]) == NULL && chan_status(ep->chan, ids[i], &st) &&
		    st.state == CHAN_CLOSED)
			chan_forget(ep->chan, ids[i]);
	}
	free(ids);
	ep->pumping = false;
}

static int nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Split "host:port" / "[v6]:port"; false if malformed. */
static bool split_target(const char *target, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon = strrchr(target, ':');
	size_t n;

	if (colon == NULL || colon == target || strlen(colon + 1) == 0 || strlen(colon + 1) >= plen)
		return false;
	n = (size_t)(colon - target);
	if (target[0] == '[' && n >= 2 && target[n - 1] == ']') {
		target++;
		n -= 2;
	}
	if (n == 0 || n >= hlen)
		return false;
	memcpy(host, target, n);
	host[n] = '\0';
	snprintf(port, plen, "%s", colon + 1);
	return true;
}

int endpoint_tcp(const char *target, char *text, size_t len)
{
	snprintf(text, len, "%s", target);
	return ENDPOINT_TCP;
}

int endpoint_tcp_listen(const char *bind_addr, unsigned port, char *reason, size_t len)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
	                         .ai_flags = AI_NUMERICSERV | AI_PASSIVE},
	                *res, *ai;
	const char *host = bind_addr;
	char portstr[8];
	int fd = -1, rc, err = 0;

	if (host == NULL || strcmp(host, "localhost") == 0)
		host = "127.0.0.1";
	else if (host[0] == '\0' || strcmp(host, "*") == 0)
		host = NULL; /* every address */
	if (host == NULL)
		hints.ai_family = AF_INET6;
	snprintf(portstr, sizeof portstr, "%u", port);
	if ((rc = getaddrinfo(host, portstr, &hints, &res)) != 0) {
		snprintf(reason, len, "%s: %s", host ? host : "*", gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &(int){1}, sizeof(int));
		if (ai->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &(int){host != NULL},
			           sizeof(int));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 16) == 0 &&
		    nonblock(fd) == 0)
			break;
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(reason, len, "listen on %s:%u: %s", bind_addr ? bind_addr : "localhost",
		         port, strerror(err));
	return fd;
}

int endpoint_unix_connect(const char *path, char *reason, size_t len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (path == NULL || strlen(path) >= sizeof sa.sun_path) {
		snprintf(reason, len, "no usable agent socket");
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || nonblock(fd) < 0 ||
	    (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS &&
	     errno != EAGAIN)) {
		snprintf(reason, len, "agent: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}
