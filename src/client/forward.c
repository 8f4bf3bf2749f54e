/* The client's forwardings; see forward.h. */
#include "client/forward.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chan/chan.h"
#include "chan/endpoint.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct listener {
	struct cfwd *f;
	const struct fwdspec *spec;
	int fd;
};

struct cfwd {
	struct ev_loop *loop;
	struct cfwd_config cfg;
	struct chan *chan;
	struct endpoint *ep;
	struct listener *ls;
	size_t nls;
	uint32_t req_of_remote[CHAN_REQS_MAX]; /* request id of each -R */
	bool reported[CHAN_REQS_MAX + 1];
	char msg[FWDSPEC_FORMAT_LEN + 280];
	bool msg_new;
};

bool cfwd_wanted(const struct cfwd_config *cfg)
{
	return cfg->agent || cfg->n_local > 0 || cfg->n_remote > 0;
}

static void say(struct cfwd *f, const char *text)
{
	snprintf(f->msg, sizeof f->msg, "%s", text);
	f->msg_new = true;
	log_info("%s", text);
}

/* "host:port" for a connection, brackets around an IPv6 literal. */
static void target_of(const char *host, unsigned port, char *out, size_t len)
{
	snprintf(out, len, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, port);
}

static int on_connect(void *arg, enum chan_kind kind, const char *target, char *reason, size_t len)
{
	struct cfwd *f = arg;
	char *end, dest[FWDSPEC_NAME_MAX + 16], text[200];
	unsigned long req;

	if (kind == CHAN_KIND_AGENT) {
		if (f->cfg.agent && f->cfg.agent_sock != NULL)
			return endpoint_unix_connect(f->cfg.agent_sock, reason, len);
		snprintf(reason, len, "agent forwarding was not requested");
		say(f, "refused an agent channel the server opened without -A");
		return -1;
	}
	errno = 0;
	req = target ? strtoul(target, &end, 10) : 0;
	for (size_t i = 0; target != NULL && *end == '\0' && errno == 0 && i < f->cfg.n_remote;
	     i++) {
		if (f->req_of_remote[i] == req) {
			const struct fwdspec *s = &f->cfg.remote[i];

			target_of(s->host, s->hostport, dest, sizeof dest);
			return endpoint_tcp(dest, reason, len);
		}
	}
	snprintf(reason, len, "not requested");
	snprintf(text, sizeof text,
	         "refused a channel to %.64s the server opened without a request",
	         target ? target : "?");
	say(f, text);
	return -1;
}

/* The server could not connect a -L channel: say so, as ssh does. */
static void on_refused(void *arg, enum chan_kind kind, const char *target, const char *reason)
{
	char text[CHAN_TEXT_MAX * 2 + 64];

	(void)kind;
	snprintf(text, sizeof text, "-L: the server could not connect to %s: %s",
	         target ? target : "?", reason);
	say(arg, text);
}

static void on_accept(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct listener *l = arg;
	char dest[FWDSPEC_NAME_MAX + 16];
	int c;

	(void)loop;
	(void)events;
	c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c < 0)
		return;
	target_of(l->spec->host, l->spec->hostport, dest, sizeof dest);
	endpoint_add(l->f->ep, c, CHAN_KIND_TCP, dest);
}

struct cfwd *cfwd_new(const struct cfwd_config *cfg, FILE *diag)
{
	struct cfwd *f = xcalloc(1, sizeof *f);
	char reason[200], spec[FWDSPEC_FORMAT_LEN];

	f->cfg = *cfg;
	f->ls = xcalloc(cfg->n_local ? cfg->n_local : 1, sizeof *f->ls);
	for (size_t i = 0; i < cfg->n_local; i++) {
		int fd = endpoint_tcp_listen(cfg->local[i].bind, cfg->local[i].port, reason,
		                             sizeof reason);

		if (fd < 0) {
			char text[FWDSPEC_FORMAT_LEN + 220];

			fwdspec_format(&cfg->local[i], spec, sizeof spec);
			snprintf(text, sizeof text, "-L %s: %.200s", spec, reason);
			fprintf(diag, "mosh: %s\n", text);
			/* Again in the bar: the screen is about to cover diag. */
			say(f, text);
			continue;
		}
		f->ls[f->nls++] = (struct listener){.f = f, .spec = &cfg->local[i], .fd = fd};
	}
	return f;
}

void cfwd_stop(struct cfwd *f)
{
	for (size_t i = 0; i < f->nls; i++) {
		if (f->ep != NULL)
			ev_fd_del(f->loop, f->ls[i].fd);
		close(f->ls[i].fd);
	}
	f->nls = 0;
}

void cfwd_free(struct cfwd *f)
{
	if (f == NULL)
		return;
	cfwd_stop(f);
	free(f->ls);
	endpoint_free(f->ep);
	chan_free(f->chan);
	free(f);
}

void cfwd_start(struct cfwd *f, struct ev_loop *loop, struct chanset *local)
{
	struct endpoint_ops ops = {
	    .connect = on_connect, .refused = on_refused, .arg = f, .filter_agent = true};

	if (f->chan != NULL)
		return;
	f->loop = loop;
	f->chan = chan_new(local, true);
	f->ep = endpoint_new(f->loop, f->chan, &ops);
	if (f->cfg.agent)
		chan_request(f->chan, CHAN_KIND_AGENT, NULL, 0);
	for (size_t i = 0; i < f->cfg.n_remote; i++)
		f->req_of_remote[i] = chan_request(f->chan, CHAN_KIND_TCP, f->cfg.remote[i].bind,
		                                   f->cfg.remote[i].port);
	for (size_t i = 0; i < f->nls; i++)
		ev_fd_add(f->loop, f->ls[i].fd, EV_READ, on_accept, &f->ls[i]);
}

/* Tell the user once about each -R the server could not set up. */
static void check_answers(struct cfwd *f, const struct chanset *remote)
{
	char spec[FWDSPEC_FORMAT_LEN], text[FWDSPEC_FORMAT_LEN + 260];

	for (size_t i = 0; i < f->cfg.n_remote; i++) {
		const struct chan_req *q = chanset_req_find(remote, f->req_of_remote[i]);

		if (q == NULL || q->status != CHAN_REQ_FAILED || f->reported[i])
			continue;
		f->reported[i] = true;
		fwdspec_format(&f->cfg.remote[i], spec, sizeof spec);
		snprintf(text, sizeof text, "-R %s failed on the server: %.200s", spec,
		         q->reason ? q->reason : "unknown error");
		say(f, text);
	}
}

void cfwd_sync(struct cfwd *f, const struct chanset *remote, const struct chanset *acked,
               uint64_t losses)
{
	if (f->chan == NULL)
		return;
	if (remote != NULL)
		check_answers(f, remote);
	endpoint_sync(f->ep, remote, acked, losses);
}

const char *cfwd_message(struct cfwd *f)
{
	if (!f->msg_new)
		return NULL;
	f->msg_new = false;
	return f->msg;
}
