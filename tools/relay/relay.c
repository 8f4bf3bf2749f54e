/*
 * mosh-relay: a user-space impaired UDP link between one client and one
 * server, for tests and benchmarks on a kernel without tc netem.
 *
 * Model: the client sends to the listen socket; each datagram goes through
 * the "up" impairment model (impair.h) and, when due, leaves from the
 * upstream socket, which is connected to the target. Replies arriving on the
 * upstream socket go through the "down" model and are sent from the listen
 * socket to the client's latest source address, looked up at delivery time,
 * so a client that roams keeps receiving. A rebind (--rebind-every, SIGUSR2)
 * opens a new upstream socket before closing the old one, so the kernel must
 * give it a different ephemeral port: the server sees the client roam.
 *
 * Invariants: nothing blocks (sockets are non-blocking; a send that would
 * block is dropped and counted), each direction has at most one pending
 * util/ev timer, armed for the earliest queued delivery, and memory is
 * bounded by the models' in-flight limits. Only signals and timers change
 * state outside packet arrival; signal handlers run from the loop.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "impair.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/ev.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define RELAY_RECV_BATCH 64

struct relay;

struct dir {
	const char *name;
	struct relay *r;
	struct impair *im;
	uint64_t timer; /* 0: none pending */
	uint64_t timer_due;
	uint64_t sent, sent_bytes;
	uint64_t dropped_send;
};

struct relay {
	struct ev_loop *loop;
	int listen_fd;
	struct relay_addr listen, target, client;
	bool have_client;
	int up_fd;
	uint16_t up_port;
	struct dir up, down;
	uint64_t seed;
	uint64_t rebinds, client_changes;
	uint64_t rebind_every, stats_every;
	const char *stats_path;
	uint8_t buf[IMPAIR_MAX_DGRAM + 1];
};

/* The per-direction options; each exists as --NAME, --up-NAME and --down-NAME. */
enum {
	O_DELAY,
	O_JITTER,
	O_JITTER_DIST,
	O_NO_REORDER,
	O_LOSS,
	O_BURST_LOSS,
	O_DUP,
	O_REORDER,
	O_REORDER_DELAY,
	O_RATE,
	O_QUEUE,
	O_BLACKOUT,
	O_MAX_PACKETS,
	O_MAX_BYTES,
	O_COUNT
};

static const char *const dir_opt_names[O_COUNT] = {
    [O_DELAY] = "delay",
    [O_JITTER] = "jitter",
    [O_JITTER_DIST] = "jitter-dist",
    [O_NO_REORDER] = "no-reorder",
    [O_LOSS] = "loss",
    [O_BURST_LOSS] = "burst-loss",
    [O_DUP] = "dup",
    [O_REORDER] = "reorder",
    [O_REORDER_DELAY] = "reorder-delay",
    [O_RATE] = "rate",
    [O_QUEUE] = "queue",
    [O_BLACKOUT] = "blackout",
    [O_MAX_PACKETS] = "max-packets",
    [O_MAX_BYTES] = "max-bytes",
};

enum {
	G_LISTEN = 'l',
	G_TARGET = 't',
	G_SEED = 's',
	G_VERBOSE = 'v',
	G_HELP = 'h',
	G_STATS = 256,
	G_STATS_EVERY,
	G_READY_FILE,
	G_REBIND_EVERY,
	G_EXIT_AFTER,
	G_VERSION,
	G_DIR_BASE = 512, /* + option * 3 + scope (0 both, 1 up, 2 down) */
};

static void usage(FILE *f)
{
	fputs("Usage: mosh-relay --listen ADDR:PORT --target ADDR:PORT [options]\n"
	      "\n"
	      "A UDP relay that impairs traffic like a bad network, for testing mosh.\n"
	      "The client sends to --listen; the relay forwards each datagram to --target\n"
	      "from its own (upstream) socket and sends the replies back to the client's\n"
	      "latest source address. ADDR is an IPv4 or IPv6 literal: 127.0.0.1:6000,\n"
	      "[::1]:6000. A listen port of 0 picks a free port.\n"
	      "\n"
	      "Impairments (each also as --up-NAME for client->server only and\n"
	      "--down-NAME for server->client only; the plain form sets both;\n"
	      "a later option overrides an earlier one):\n"
	      "  --delay MS             one-way delay (default 0)\n"
	      "  --jitter MS            delay varies by up to +-MS (default 0)\n"
	      "  --jitter-dist D        uniform (default): every integer in [-MS, MS] equally\n"
	      "                         likely; normal: sigma MS/2, clipped to +-MS\n"
	      "  --no-reorder           keep FIFO order despite jitter (a datagram never\n"
	      "                         arrives before one sent earlier)\n"
	      "  --loss PCT             drop each datagram with probability PCT %\n"
	      "  --burst-loss ENTER:EXIT[:BAD]\n"
	      "                         Gilbert-Elliott bursts: per datagram, enter the bad\n"
	      "                         state with probability ENTER %, leave it with EXIT %;\n"
	      "                         in the bad state drop with BAD % (default 100), in the\n"
	      "                         good state with --loss. Mean burst length 100/EXIT,\n"
	      "                         time in bad state ENTER/(ENTER+EXIT)\n"
	      "  --dup PCT              send a second copy with probability PCT %\n"
	      "  --reorder PCT          hold a datagram back by --reorder-delay with\n"
	      "                         probability PCT %, so later ones overtake it\n"
	      "  --reorder-delay MS     extra delay of a reordered datagram (default 30)\n"
	      "  --rate KBIT            bottleneck of KBIT kbit/s (default unlimited)\n"
	      "  --queue BYTES          bottleneck queue; tail drop beyond it (default 65536)\n"
	      "  --blackout START:LEN   drop everything from START ms after start for LEN ms\n"
	      "                         (repeatable, up to 32)\n"
	      "  --max-packets N        datagrams in flight per direction (default 4096)\n"
	      "  --max-bytes N          bytes in flight per direction (default 16777216)\n"
	      "Order per datagram: blackout, loss, duplication, bottleneck, delay+jitter,\n"
	      "reordering.\n"
	      "\n"
	      "Other options:\n"
	      "  --rebind-every MS      switch to a new upstream socket (new source port)\n"
	      "                         every MS ms: the server sees the client roam\n"
	      "  --seed N               seed of the random choices (default: from the\n"
	      "                         clock; the same seed and traffic give the same run)\n"
	      "  --stats FILE           write counters to FILE on exit and on SIGHUP\n"
	      "  --stats-every MS       also write them every MS ms\n"
	      "  --ready-file FILE      once listening, write the listen port to FILE\n"
	      "  --exit-after MS        exit by itself after MS ms\n"
	      "  -v, --verbose          log to stderr (twice: every datagram)\n"
	      "  -h, --help             this text\n"
	      "      --version          the version\n"
	      "\n"
	      "Signals: SIGUSR1 toggles a blackout (both directions); SIGUSR2 rebinds\n"
	      "now; SIGHUP writes the stats; SIGTERM and SIGINT exit cleanly (stats\n"
	      "written). The listen port is printed on stdout as \"listening on ADDR:PORT\".\n"
	      "\n"
	      "Example, 200 ms round trip with 5 % loss each way:\n"
	      "  mosh-relay --listen 127.0.0.1:0 --target 127.0.0.1:60001 --delay 100 --loss 5\n",
	      f);
}

/* Unsigned decimal in [0, max]; false on anything else. */
static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

/* A percentage 0..100 (a trailing % is allowed) as a probability. */
static bool parse_pct(const char *s, double *out)
{
	char *end;
	double v;

	if ((*s < '0' || *s > '9') && *s != '.')
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (*end == '%')
		end++;
	if (errno != 0 || *end != '\0' || !(v >= 0.0 && v <= 100.0))
		return false;
	*out = v / 100.0;
	return true;
}

#define MAX_MS 86400000u /* a day: any longer is a typo */

/* Set one per-direction option (typed as --name) on one direction's configuration. */
static int apply_dir_opt(struct impair_cfg *cfg, int opt, const char *name, const char *arg,
                         char *err)
{
	uint64_t a, b;
	double p[3];
	char *copy, *f1, *f2, *f3;
	bool ok = true;

	switch (opt) {
	case O_DELAY:
	case O_JITTER:
	case O_REORDER_DELAY:
		if (!parse_u64(arg, MAX_MS, &a))
			return err_set(err, ERR_INVAL,
			               "--%s wants milliseconds (0 to %u), not \"%s\"", name,
			               MAX_MS, arg);
		*(opt == O_DELAY    ? &cfg->delay_ms
		  : opt == O_JITTER ? &cfg->jitter_ms
		                    : &cfg->reorder_ms) = (uint32_t)a;
		return 0;
	case O_JITTER_DIST:
		if (strcmp(arg, "uniform") == 0)
			cfg->jitter_dist = IMPAIR_JITTER_UNIFORM;
		else if (strcmp(arg, "normal") == 0)
			cfg->jitter_dist = IMPAIR_JITTER_NORMAL;
		else
			return err_set(err, ERR_INVAL, "--%s is uniform or normal, not \"%s\"",
			               name, arg);
		return 0;
	case O_NO_REORDER:
		cfg->no_reorder = true;
		return 0;
	case O_LOSS:
	case O_DUP:
	case O_REORDER:
		if (!parse_pct(arg, &p[0]))
			return err_set(err, ERR_INVAL,
			               "--%s wants a percentage (0 to 100), not \"%s\"", name, arg);
		*(opt == O_LOSS ? &cfg->loss : opt == O_DUP ? &cfg->dup : &cfg->reorder) = p[0];
		return 0;
	case O_BURST_LOSS:
		copy = xstrdup(arg);
		f1 = copy;
		f2 = strchr(f1, ':');
		f3 = f2 ? strchr(f2 + 1, ':') : NULL;
		if (f2 != NULL)
			*f2++ = '\0';
		if (f3 != NULL)
			*f3++ = '\0';
		p[2] = 1.0;
		ok = f2 != NULL && parse_pct(f1, &p[0]) && parse_pct(f2, &p[1]) &&
		     (f3 == NULL || parse_pct(f3, &p[2])) && p[1] > 0.0;
		free(copy);
		if (!ok)
			return err_set(err, ERR_INVAL,
			               "--%s wants ENTER:EXIT[:BAD] percentages with EXIT above "
			               "0, e.g. 1:25, not \"%s\"",
			               name, arg);
		cfg->burst = true;
		cfg->burst_enter = p[0];
		cfg->burst_exit = p[1];
		cfg->burst_loss = p[2];
		return 0;
	case O_RATE:
	case O_QUEUE:
		if (!parse_u64(arg, UINT32_MAX, &a))
			return err_set(err, ERR_INVAL, "--%s wants a whole number, not \"%s\"",
			               name, arg);
		*(opt == O_RATE ? &cfg->rate_kbps : &cfg->queue_bytes) = (uint32_t)a;
		return 0;
	case O_MAX_PACKETS:
	case O_MAX_BYTES:
		if (!parse_u64(arg, 1u << 30, &a) || a == 0)
			return err_set(err, ERR_INVAL,
			               "--%s wants a number from 1 to 2^30, not \"%s\"", name, arg);
		*(opt == O_MAX_PACKETS ? &cfg->max_pkts : &cfg->max_bytes) = (size_t)a;
		return 0;
	case O_BLACKOUT:
		copy = xstrdup(arg);
		f2 = strchr(copy, ':');
		if (f2 != NULL)
			*f2++ = '\0';
		ok = f2 != NULL && parse_u64(copy, MAX_MS, &a) && parse_u64(f2, MAX_MS, &b);
		free(copy);
		if (!ok)
			return err_set(err, ERR_INVAL,
			               "--%s wants START_MS:LEN_MS, e.g. 5000:2000, not \"%s\"",
			               name, arg);
		if (cfg->nblackouts == IMPAIR_MAX_BLACKOUTS)
			return err_set(err, ERR_RANGE, "at most %d --blackout windows",
			               IMPAIR_MAX_BLACKOUTS);
		cfg->blackouts[cfg->nblackouts].start_ms = a;
		cfg->blackouts[cfg->nblackouts].len_ms = b;
		cfg->nblackouts++;
		return 0;
	}
	ASSERT(!"unknown option");
	return ERR_INVAL;
}

static void write_stats(struct relay *r)
{
	static const char *const hdr = "# mosh-relay counters; drops by cause, see --help\n";
	struct dir *dirs[2] = {&r->up, &r->down};
	char *tmp;
	FILE *f;

	if (r->stats_path == NULL)
		return;
	tmp = xasprintf("%s.tmp", r->stats_path);
	f = fopen(tmp, "w");
	if (f == NULL) {
		fprintf(stderr, "mosh-relay: cannot write %s: %s\n", tmp, strerror(errno));
		free(tmp);
		return;
	}
	fputs(hdr, f);
	fprintf(f, "seed=%" PRIu64 "\n", r->seed);
	fprintf(f, "listen_port=%u\n", (unsigned)relay_addr_port(&r->listen));
	fprintf(f, "upstream_port=%u\n", (unsigned)r->up_port);
	fprintf(f, "rebinds=%" PRIu64 "\n", r->rebinds);
	fprintf(f, "client_changes=%" PRIu64 "\n", r->client_changes);
	fprintf(f, "blackout=%d\n", impair_blackout(r->up.im) ? 1 : 0);
	for (int i = 0; i < 2; i++) {
		const struct impair_stats *s = impair_stats(dirs[i]->im);
		const char *n = dirs[i]->name;

		fprintf(f, "%s.received=%" PRIu64 "\n", n, s->received);
		fprintf(f, "%s.received_bytes=%" PRIu64 "\n", n, s->received_bytes);
		fprintf(f, "%s.forwarded=%" PRIu64 "\n", n, dirs[i]->sent);
		fprintf(f, "%s.forwarded_bytes=%" PRIu64 "\n", n, dirs[i]->sent_bytes);
		fprintf(f, "%s.dropped_blackout=%" PRIu64 "\n", n, s->dropped_blackout);
		fprintf(f, "%s.dropped_loss=%" PRIu64 "\n", n, s->dropped_loss);
		fprintf(f, "%s.dropped_queue=%" PRIu64 "\n", n, s->dropped_queue);
		fprintf(f, "%s.dropped_overflow=%" PRIu64 "\n", n, s->dropped_overflow);
		fprintf(f, "%s.dropped_send=%" PRIu64 "\n", n, dirs[i]->dropped_send);
		fprintf(f, "%s.duplicated=%" PRIu64 "\n", n, s->duplicated);
		fprintf(f, "%s.reordered=%" PRIu64 "\n", n, s->reordered);
		fprintf(f, "%s.queued=%" PRIu64 "\n", n, s->queued);
	}
	if (fclose(f) != 0 || rename(tmp, r->stats_path) != 0)
		fprintf(stderr, "mosh-relay: cannot write %s: %s\n", r->stats_path,
		        strerror(errno));
	free(tmp);
}

static void dir_flush(struct dir *d);

static void dir_timer(struct ev_loop *loop, void *arg)
{
	struct dir *d = arg;

	d->timer = 0;
	dir_flush(d);
}

/* Send every due datagram, then arm the timer for the next one. */
static void dir_flush(struct dir *d)
{
	struct relay *r = d->r;
	uint64_t now = clock_ms(), due;
	ssize_t n;

	while ((n = impair_pop(d->im, now, r->buf, sizeof r->buf, NULL)) >= 0) {
		ssize_t w;

		if (d == &r->up) {
			w = send(r->up_fd, r->buf, (size_t)n, 0);
			/*
			 * The connected socket reports an earlier datagram's ICMP error
			 * instead of sending this one; a link does not lose a datagram
			 * because another bounced, so send it again.
			 */
			if (w < 0 && errno == ECONNREFUSED)
				w = send(r->up_fd, r->buf, (size_t)n, 0);
		} else if (r->have_client)
			w = sendto(r->listen_fd, r->buf, (size_t)n, 0,
			           (const struct sockaddr *)&r->client.ss, r->client.len);
		else
			w = -1;
		if (w < 0) {
			d->dropped_send++;
			log_debug("%s: send failed: %s", d->name, strerror(errno));
		} else {
			d->sent++;
			d->sent_bytes += (uint64_t)n;
			log_debug("%s: sent %zd bytes", d->name, n);
		}
	}
	due = impair_next_due(d->im);
	if (d->timer != 0 && d->timer_due == due)
		return;
	if (d->timer != 0)
		ev_timer_cancel(r->loop, d->timer);
	d->timer = 0;
	if (due != UINT64_MAX) {
		now = clock_ms();
		d->timer = ev_timer_add(r->loop, due > now ? due - now : 0, dir_timer, d);
		d->timer_due = due;
	}
}

static void dir_offer(struct dir *d, size_t len)
{
	int v = impair_push(d->im, clock_ms(), d->r->buf, len);

	log_debug("%s: received %zu bytes, verdict %d", d->name, len, v);
	dir_flush(d);
}

static void on_listen(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct relay *r = arg;

	for (int i = 0; i < RELAY_RECV_BATCH; i++) {
		struct relay_addr from;
		ssize_t n;

		from.len = sizeof from.ss;
		n = recvfrom(fd, r->buf, sizeof r->buf, MSG_TRUNC, (struct sockaddr *)&from.ss,
		             &from.len);
		if (n < 0)
			break;
		if (!r->have_client || !relay_addr_equal(&from, &r->client)) {
			if (r->have_client)
				r->client_changes++;
			r->client = from;
			r->have_client = true;
			log_info("client is now %s", relay_addr_str(&from));
		}
		if ((size_t)n > IMPAIR_MAX_DGRAM)
			continue; /* truncated: cannot happen for UDP over IP, never forward a part
			           */
		dir_offer(&r->up, (size_t)n);
	}
}

static void on_upstream(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct relay *r = arg;

	for (int i = 0; i < RELAY_RECV_BATCH; i++) {
		ssize_t n = recv(fd, r->buf, sizeof r->buf, MSG_TRUNC);

		if (n < 0) {
			/* ECONNREFUSED reports an earlier ICMP error: the server is not there yet.
			 */
			if (errno == ECONNREFUSED)
				continue;
			break;
		}
		if ((size_t)n > IMPAIR_MAX_DGRAM)
			continue;
		dir_offer(&r->down, (size_t)n);
	}
}

/* Open a new upstream socket, then close the old one, so the port must differ. */
static int rebind(struct relay *r, char *err)
{
	struct relay_addr local;
	int fd = relay_addr_socket(&r->target, NULL, err);

	if (fd < 0)
		return fd;
	if (connect(fd, (const struct sockaddr *)&r->target.ss, r->target.len) < 0) {
		close(fd);
		return err_set(err, ERR_IO, "cannot connect to %s: %s", relay_addr_str(&r->target),
		               strerror(errno));
	}
	local.len = sizeof local.ss;
	if (getsockname(fd, (struct sockaddr *)&local.ss, &local.len) < 0) {
		close(fd);
		return err_set(err, ERR_IO, "getsockname: %s", strerror(errno));
	}
	if (r->up_fd >= 0) {
		ev_fd_del(r->loop, r->up_fd);
		close(r->up_fd);
		r->rebinds++;
	}
	r->up_fd = fd;
	r->up_port = relay_addr_port(&local);
	ev_fd_add(r->loop, fd, EV_READ, on_upstream, r);
	log_info("upstream socket now %s", relay_addr_str(&local));
	return 0;
}

static void do_rebind(struct relay *r)
{
	char err[ERR_LEN];

	/* Out of descriptors or ports: keep the old socket, the link still works. */
	if (rebind(r, err) < 0)
		fprintf(stderr, "mosh-relay: rebind failed: %s\n", err);
}

static void on_rebind_timer(struct ev_loop *loop, void *arg)
{
	struct relay *r = arg;

	do_rebind(r);
	ev_timer_add(loop, r->rebind_every, on_rebind_timer, r);
}

static void on_stats_timer(struct ev_loop *loop, void *arg)
{
	struct relay *r = arg;

	write_stats(r);
	ev_timer_add(loop, r->stats_every, on_stats_timer, r);
}

static void on_exit_timer(struct ev_loop *loop, void *arg)
{
	ev_stop(loop);
}

static void on_signal(struct ev_loop *loop, int signo, void *arg)
{
	struct relay *r = arg;
	bool on;

	switch (signo) {
	case SIGUSR1:
		on = !impair_blackout(r->up.im);
		impair_set_blackout(r->up.im, on);
		impair_set_blackout(r->down.im, on);
		log_info("blackout %s", on ? "on" : "off");
		break;
	case SIGUSR2:
		do_rebind(r);
		break;
	case SIGHUP:
		write_stats(r);
		break;
	default:
		ev_stop(loop);
		break;
	}
}

static int write_ready(const char *path, uint16_t port, char *err)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int rc = 0;

	if (f == NULL || fprintf(f, "%u\n", (unsigned)port) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) != 0)
		rc = err_set(err, ERR_IO, "cannot write the ready file %s: %s", path,
		             strerror(errno));
	free(tmp);
	return rc;
}

struct options {
	const char *listen, *target, *ready_file, *stats;
	uint64_t seed, rebind_every, stats_every, exit_after;
	bool have_seed;
	int verbose;
	struct impair_cfg cfg[2]; /* up, down */
};

/* Parse argv; returns 0, 1 when --help/--version answered, or an error in err. */
static int parse_args(int argc, char **argv, struct options *o, char *err)
{
	static const struct option globals[] = {
	    {"listen", required_argument, NULL, G_LISTEN},
	    {"target", required_argument, NULL, G_TARGET},
	    {"seed", required_argument, NULL, G_SEED},
	    {"stats", required_argument, NULL, G_STATS},
	    {"stats-every", required_argument, NULL, G_STATS_EVERY},
	    {"ready-file", required_argument, NULL, G_READY_FILE},
	    {"rebind-every", required_argument, NULL, G_REBIND_EVERY},
	    {"exit-after", required_argument, NULL, G_EXIT_AFTER},
	    {"verbose", no_argument, NULL, G_VERBOSE},
	    {"help", no_argument, NULL, G_HELP},
	    {"version", no_argument, NULL, G_VERSION},
	};
	static const char *const prefix[3] = {"", "up-", "down-"};
	size_t nglob = sizeof globals / sizeof globals[0], n = 0;
	struct option *longopts = xcalloc(nglob + 3 * O_COUNT + 1, sizeof *longopts);
	char **names = xcalloc(3 * O_COUNT, sizeof *names);
	int c, rc = 0;

	memset(o, 0, sizeof *o);
	impair_cfg_default(&o->cfg[0]);
	impair_cfg_default(&o->cfg[1]);
	for (size_t i = 0; i < nglob; i++)
		longopts[n++] = globals[i];
	for (int opt = 0; opt < O_COUNT; opt++) {
		for (int scope = 0; scope < 3; scope++) {
			struct option *lo = &longopts[n++];

			names[opt * 3 + scope] =
			    xasprintf("%s%s", prefix[scope], dir_opt_names[opt]);
			lo->name = names[opt * 3 + scope];
			lo->has_arg = opt == O_NO_REORDER ? no_argument : required_argument;
			lo->val = G_DIR_BASE + opt * 3 + scope;
		}
	}
	opterr = 0;
	optind = 1;
	while (rc == 0 && (c = getopt_long(argc, argv, "l:t:s:vh", longopts, NULL)) != -1) {
		switch (c) {
		case G_LISTEN:
			o->listen = optarg;
			break;
		case G_TARGET:
			o->target = optarg;
			break;
		case G_SEED:
			if (!parse_u64(optarg, UINT64_MAX, &o->seed))
				rc = err_set(err, ERR_INVAL,
				             "--seed wants a whole number, not \"%s\"", optarg);
			o->have_seed = true;
			break;
		case G_STATS:
			o->stats = optarg;
			break;
		case G_READY_FILE:
			o->ready_file = optarg;
			break;
		case G_STATS_EVERY:
		case G_REBIND_EVERY:
		case G_EXIT_AFTER: {
			uint64_t v;

			if (!parse_u64(optarg, MAX_MS, &v) || v == 0) {
				rc = err_set(err, ERR_INVAL,
				             "%s wants milliseconds (1 to %u), not \"%s\"",
				             argv[optind - 1], MAX_MS, optarg);
				break;
			}
			*(c == G_STATS_EVERY    ? &o->stats_every
			  : c == G_REBIND_EVERY ? &o->rebind_every
			                        : &o->exit_after) = v;
			break;
		}
		case G_VERBOSE:
			o->verbose++;
			break;
		case G_HELP:
			usage(stdout);
			rc = 1;
			break;
		case G_VERSION:
			printf("mosh-relay (mosh-c %s)\n", MOSHC_VERSION);
			rc = 1;
			break;
		case '?':
			rc = err_set(err, ERR_INVAL, "unknown option or missing value: %s",
			             argv[optind - 1]);
			break;
		default: {
			int opt = (c - G_DIR_BASE) / 3, scope = (c - G_DIR_BASE) % 3;

			ASSERT(c >= G_DIR_BASE && opt < O_COUNT);
			for (int d = 0; d < 2 && rc == 0; d++) {
				if (scope == 0 || scope == d + 1)
					rc = apply_dir_opt(&o->cfg[d], opt, names[opt * 3 + scope],
					                   optarg, err);
			}
			break;
		}
		}
	}
	for (int i = 0; i < 3 * O_COUNT; i++)
		free(names[i]);
	free(names);
	free(longopts);
	if (rc != 0)
		return rc;
	if (optind < argc)
		return err_set(err, ERR_INVAL, "unexpected argument \"%s\"", argv[optind]);
	if (o->listen == NULL || o->target == NULL)
		return err_set(err, ERR_INVAL, "--listen and --target are both required");
	for (int d = 0; d < 2; d++) {
		rc = impair_cfg_check(&o->cfg[d], err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int relay_setup(struct relay *r, const struct options *o, char *err)
{
	int rc;

	if (relay_addr_parse(o->listen, &r->listen, err) < 0 ||
	    relay_addr_parse(o->target, &r->target, err) < 0)
		return ERR_INVAL;
	if (relay_addr_port(&r->target) == 0)
		return err_set(err, ERR_INVAL, "the --target port must not be 0");
	r->listen_fd = relay_addr_socket(&r->listen, &r->listen, err);
	if (r->listen_fd < 0)
		return r->listen_fd;
	rc = rebind(r, err);
	if (rc < 0)
		return rc;
	ev_fd_add(r->loop, r->listen_fd, EV_READ, on_listen, r);
	if (ev_signal_add(r->loop, SIGTERM, on_signal, r) < 0 ||
	    ev_signal_add(r->loop, SIGINT, on_signal, r) < 0 ||
	    ev_signal_add(r->loop, SIGHUP, on_signal, r) < 0 ||
	    ev_signal_add(r->loop, SIGUSR1, on_signal, r) < 0 ||
	    ev_signal_add(r->loop, SIGUSR2, on_signal, r) < 0)
		return err_set(err, ERR_IO, "cannot install signal handlers: %s", strerror(errno));
	if (r->rebind_every > 0)
		ev_timer_add(r->loop, r->rebind_every, on_rebind_timer, r);
	if (r->stats_every > 0)
		ev_timer_add(r->loop, r->stats_every, on_stats_timer, r);
	if (o->exit_after > 0)
		ev_timer_add(r->loop, o->exit_after, on_exit_timer, r);
	return 0;
}

int main(int argc, char **argv)
{
	char err[ERR_LEN] = "";
	struct options o;
	struct relay r;
	uint64_t start;
	int rc = parse_args(argc, argv, &o, err);

	if (rc == 1)
		return 0;
	if (rc < 0) {
		fprintf(stderr, "mosh-relay: %s\nTry 'mosh-relay --help'.\n", err);
		return 2;
	}
	if (o.verbose > 0)
		log_open(stderr, o.verbose > 1 ? LOG_DEBUG : LOG_INFO);
	signal(SIGPIPE, SIG_IGN);

	memset(&r, 0, sizeof r);
	r.loop = ev_loop_new();
	r.listen_fd = r.up_fd = -1;
	r.seed = o.have_seed ? o.seed : clock_ms() ^ ((uint64_t)getpid() << 32);
	r.rebind_every = o.rebind_every;
	r.stats_every = o.stats_every;
	r.stats_path = o.stats;
	start = clock_ms();
	/* Distinct streams per direction, both fixed by the one seed. */
	r.up.im = impair_new(&o.cfg[0], r.seed, start);
	r.down.im = impair_new(&o.cfg[1], r.seed ^ 0xd0e5d0e5d0e5d0e5u, start);
	r.up.name = "up";
	r.down.name = "down";
	r.up.r = r.down.r = &r;

	rc = relay_setup(&r, &o, err);
	if (rc == 0 && o.ready_file != NULL)
		rc = write_ready(o.ready_file, relay_addr_port(&r.listen), err);
	if (rc == 0) {
		printf("listening on %s\n", relay_addr_str(&r.listen));
		fflush(stdout);
		log_info("seed %" PRIu64 ", target %s", r.seed, relay_addr_str(&r.target));
		rc = ev_run(r.loop);
		write_stats(&r);
		if (rc < 0)
			err_set(err, rc, "event loop failed: %s", strerror(errno));
	}
	if (rc < 0)
		fprintf(stderr, "mosh-relay: %s\n", err);
	impair_free(r.up.im);
	impair_free(r.down.im);
	if (r.listen_fd >= 0)
		close(r.listen_fd);
	if (r.up_fd >= 0)
		close(r.up_fd);
	ev_loop_free(r.loop);
	return rc < 0 ? 1 : 0;
}
