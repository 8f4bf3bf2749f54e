/*
 * The control protocol's codecs, the server side on the event loop and the
 * one-shot client call; see ctl.h for the layout and the invariants.
 *
 * The encoders check their own output with the decoders, so there is one set
 * of rules, and a struct that breaks them (a handler's bug) is never sent.
 * The server keeps a fixed table of CTL_MAX_CONNS connection slots; a slot
 * is either reading the request or writing the reply, and a ticker closes
 * any slot whose deadline passed. Buffers that held a reply (it may carry a
 * key) are wiped when the slot closes.
 */
#include "server/ctl.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "crypto/key.h"
#include "crypto/random.h"
#include "server/ctldir.h"
#include "term/utf8.h"
#include "util/bytes.h"
#include "util/clock.h"
#include "util/ev.h"
#include "util/xmalloc.h"

/* How long the listener rests after accept ran out of descriptors. */
#define CTL_ACCEPT_PAUSE_MS 1000

static const uint8_t request_magic[4] = {'m', 'c', 'R', 'Q'};
static const uint8_t reply_magic[4] = {'m', 'c', 'R', 'P'};

/* ---- text rules ---- */

/* Printable ASCII without blanks: addresses. */
static bool ascii_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x21 || *s > 0x7e)
			return false;
	return true;
}

/*
 * The length of the character at s that may be shown on a terminal as is
 * (printable ASCII, or valid UTF-8 past the C1 controls), or 0.
 */
static size_t shown_char_len(const char *s, size_t left)
{
	uint32_t cp;
	size_t n;

	if ((unsigned char)*s < 0x80)
		return *s >= 0x20 && *s < 0x7f ? 1 : 0;
	n = utf8_decode_valid((const uint8_t *)s, left, &cp);
	return n > 0 && cp >= 0xa0 ? n : 0;
}

static bool text_ok(const char *s)
{
	size_t left = strlen(s), n;

	for (; left > 0; s += n, left -= n)
		if ((n = shown_char_len(s, left)) == 0)
			return false;
	return true;
}

void ctl_text_copy(char *dst, size_t cap, const char *src)
{
	size_t left = strlen(src), used = 0;

	ASSERT(cap > 0);
	while (left > 0) {
		size_t n = shown_char_len(src, left);

		if (used + (n > 0 ? n : 1) >= cap)
			break;
		if (n > 0) {
			memcpy(dst + used, src, n);
			used += n;
		} else {
			dst[used++] = '?';
			n = 1;
		}
		src += n;
		left -= n;
	}
	dst[used] = '\0';
}

void ctl_info_set_command(struct ctl_info *info, char *const *argv)
{
	char joined[CTL_CMD_MAX * 4 + 1];
	size_t used = 0;

	joined[0] = '\0';
	for (size_t i = 0; argv != NULL && argv[i] != NULL && used + 1 < sizeof joined; i++) {
		int n =
		    snprintf(joined + used, sizeof joined - used, "%s%s", i ? " " : "", argv[i]);

		if (n < 0)
			break;
		used += (size_t)n;
	}
	ctl_text_copy(info->command, sizeof info->command, joined);
}

bool ctl_id_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= CTL_ID_LEN ||
		    !((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return i == CTL_ID_LEN;
}

void ctl_new_id(char out[CTL_ID_LEN + 1])
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	const unsigned n = sizeof alphabet - 1;
	size_t got = 0;

	/* Rejection sampling: bytes at or above the largest multiple of 36 would bias the IDs. */
	while (got < CTL_ID_LEN) {
		uint8_t b[16];

		crypto_random(b, sizeof b);
		for (size_t i = 0; i < sizeof b && got < CTL_ID_LEN; i++)
			if (b[i] < 256 / n * n)
				out[got++] = alphabet[b[i] % n];
	}
	out[CTL_ID_LEN] = '\0';
}

int ctl_name_check(const char *name, char err[ERR_LEN])
{
	size_t len = strnlen(name, CTL_NAME_MAX + 1);
	bool digits = true;

	if (len == 0)
		return err_set(err, ERR_INVAL, "a session name may not be empty");
	if (len > CTL_NAME_MAX)
		return err_set(err, ERR_RANGE, "a session name may have at most %d characters",
		               CTL_NAME_MAX);
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return err_set(err, ERR_INVAL,
			               "a session name may hold only letters, digits, '.', '_' and "
			               "'-'");
		if (c < '0' || c > '9')
			digits = false;
	}
	if (name[0] == '-')
		return err_set(err, ERR_INVAL, "session name \"%s\" may not start with '-'", name);
	if (digits)
		return err_set(err, ERR_INVAL, "session name \"%s\" is all digits: add a letter",
		               name);
	if (ctl_id_valid(name))
		return err_set(err, ERR_INVAL,
		               "session name \"%s\" looks like a session ID (%d lower-case letters "
		               "and digits): use a capital letter, '.', '_', '-' or another length",
		               name, CTL_ID_LEN);
	if (strcmp(name, "new") == 0)
		return err_set(
		    err, ERR_INVAL,
		    "\"new\" is not a session name (mosh-server attach ignores that word)");
	return 0;
}

const char *ctl_state_name(uint8_t state)
{
	switch (state) {
	case CTL_STATE_CONNECTING:
		return "connecting";
	case CTL_STATE_ATTACHED:
		return "attached";
	case CTL_STATE_DETACHED:
		return "detached";
	}
	return "unknown";
}

bool ctl_peer_allowed(uid_t peer, uid_t self)
{
	return peer == self;
}

/* ---- codecs ---- */

/* Write s NUL-padded into a field of width bytes; false when it does not fit with its NUL. */
static bool put_str(uint8_t **p, const char *s, size_t width)
{
	size_t len = strnlen(s, width);

	if (len == width)
		return false;
	memcpy(*p, s, len);
	memset(*p + len, 0, width - len);
	*p += width;
	return true;
}

/* Read a field of width bytes: a NUL inside it and only NULs after. */
static bool get_str(struct rd *r, char *dst, size_t width)
{
	const uint8_t *f = rd_bytes(r, width);
	const uint8_t *nul = f ? memchr(f, 0, width) : NULL;

	if (nul == NULL)
		return false;
	for (const uint8_t *q = nul; q < f + width; q++)
		if (*q != 0)
			return false;
	memcpy(dst, f, width);
	return true;
}

static void put_u8(uint8_t **p, uint8_t v)
{
	*(*p)++ = v;
}

static void put_u16(uint8_t **p, uint16_t v)
{
	be16_put(*p, v);
	*p += 2;
}

static void put_u32(uint8_t **p, uint32_t v)
{
	be32_put(*p, v);
	*p += 4;
}

static void put_header(uint8_t **p, const uint8_t magic[4], uint8_t op)
{
	memcpy(*p, magic, 4);
	*p += 4;
	put_u16(p, CTL_PROTO_VERSION);
	put_u8(p, op);
	put_u8(p, 0);
}

/* Magic, version, op and the reserved byte; the op is stored in *op. */
static int get_header(struct rd *r, const uint8_t magic[4], uint8_t *op)
{
	const uint8_t *m = rd_bytes(r, 4);
	uint16_t version = rd_u16(r);

	*op = rd_u8(r);
	REQUIRE(m != NULL && memcmp(m, magic, 4) == 0, ERR_PROTO);
	REQUIRE(version == CTL_PROTO_VERSION, ERR_UNSUPP);
	REQUIRE(*op >= CTL_OP_INFO && *op <= CTL_OP_KILL, ERR_PROTO);
	REQUIRE(rd_u8(r) == 0, ERR_PROTO);
	return 0;
}

int ctl_request_decode(const uint8_t *in, size_t len, struct ctl_request *rq)
{
	struct rd r;
	int rc;

	REQUIRE(len == CTL_REQUEST_SIZE, ERR_RANGE);
	memset(rq, 0, sizeof *rq);
	rd_init(&r, in, len);
	if ((rc = get_header(&r, request_magic, &rq->op)) < 0)
		return rc;
	rq->rows = rd_u16(&r);
	rq->cols = rd_u16(&r);
	rq->port_low = rd_u16(&r);
	rq->port_high = rd_u16(&r);
	REQUIRE(get_str(&r, rq->bind_ip, sizeof rq->bind_ip), ERR_INVAL);
	REQUIRE(rd_ok(&r) && r.left == 0, ERR_PROTO);
	REQUIRE(ascii_ok(rq->bind_ip), ERR_INVAL);
	/* A single port (low == high), a range, or 0,0 for the default range. */
	REQUIRE(rq->port_low <= rq->port_high && (rq->port_low != 0 || rq->port_high == 0),
	        ERR_RANGE);
	return 0;
}

size_t ctl_request_encode(const struct ctl_request *rq, uint8_t *out, size_t cap)
{
	struct ctl_request check;
	uint8_t *p = out;

	if (cap < CTL_REQUEST_SIZE)
		return 0;
	put_header(&p, request_magic, rq->op);
	put_u16(&p, rq->rows);
	put_u16(&p, rq->cols);
	put_u16(&p, rq->port_low);
	put_u16(&p, rq->port_high);
	if (!put_str(&p, rq->bind_ip, sizeof rq->bind_ip) ||
	    ctl_request_decode(out, CTL_REQUEST_SIZE, &check) < 0) {
		memset(out, 0, CTL_REQUEST_SIZE);
		return 0;
	}
	return CTL_REQUEST_SIZE;
}

static bool info_ok(const struct ctl_info *in, bool ok_status)
{
	bool state_ok = in->state >= CTL_STATE_CONNECTING && in->state <= CTL_STATE_DETACHED;

	return ctl_id_valid(in->id) &&
	       (in->name[0] == '\0' || ctl_name_check(in->name, NULL) == 0) && in->pid > 0 &&
	       (state_ok || (!ok_status && in->state == 0)) && ascii_ok(in->client_addr) &&
	       text_ok(in->command);
}

/* The fields that depend on op and status, as ctl.h states them. */
static bool reply_fields_ok(const struct ctl_reply *rp)
{
	uint8_t key[KEY_LEN];
	bool keyed = rp->op == CTL_OP_ATTACH && rp->status == 0;
	bool key_ok = keyed ? key_parse(rp->key, key) == 0 : rp->key[0] == '\0';

	memset(key, 0, sizeof key);
	if (rp->status > 0 || !key_ok || (keyed != (rp->port != 0)))
		return false;
	if (rp->status == 0 ? rp->err[0] != '\0' : (rp->err[0] == '\0' || !text_ok(rp->err)))
		return false;
	return info_ok(&rp->info, rp->status == 0);
}

int ctl_reply_decode(const uint8_t *in, size_t len, struct ctl_reply *rp)
{
	struct ctl_info *info = &rp->info;
	struct rd r;
	int rc;

	REQUIRE(len == CTL_REPLY_SIZE, ERR_RANGE);
	memset(rp, 0, sizeof *rp);
	rd_init(&r, in, len);
	if ((rc = get_header(&r, reply_magic, &rp->op)) < 0)
		return rc;
	rp->status = (int32_t)rd_u32(&r);
	rp->port = rd_u16(&r);
	REQUIRE(get_str(&r, rp->key, sizeof rp->key), ERR_INVAL);
	REQUIRE(get_str(&r, rp->err, sizeof rp->err), ERR_INVAL);
	info->pid = (int32_t)rd_u32(&r);
	info->state = rd_u8(&r);
	info->idle_s = rd_u32(&r);
	info->age_s = rd_u32(&r);
	info->rows = rd_u16(&r);
	info->cols = rd_u16(&r);
	REQUIRE(get_str(&r, info->id, sizeof info->id), ERR_INVAL);
	REQUIRE(get_str(&r, info->name, sizeof info->name), ERR_INVAL);
	REQUIRE(get_str(&r, info->client_addr, sizeof info->client_addr), ERR_INVAL);
	REQUIRE(get_str(&r, info->command, sizeof info->command), ERR_INVAL);
	REQUIRE(rd_ok(&r) && r.left == 0, ERR_PROTO);
	if (!reply_fields_ok(rp)) {
		explicit_bzero(rp, sizeof *rp);
		return ERR_INVAL;
	}
	return 0;
}

size_t ctl_reply_encode(const struct ctl_reply *rp, uint8_t *out, size_t cap)
{
	const struct ctl_info *info = &rp->info;
	struct ctl_reply check;
	uint8_t *p = out;
	bool ok;

	if (cap < CTL_REPLY_SIZE)
		return 0;
	put_header(&p, reply_magic, rp->op);
	put_u32(&p, (uint32_t)rp->status);
	put_u16(&p, rp->port);
	ok = put_str(&p, rp->key, sizeof rp->key) && put_str(&p, rp->err, sizeof rp->err);
	if (ok) {
		put_u32(&p, (uint32_t)info->pid);
		put_u8(&p, info->state);
		put_u32(&p, info->idle_s);
		put_u32(&p, info->age_s);
		put_u16(&p, info->rows);
		put_u16(&p, info->cols);
		ok = put_str(&p, info->id, sizeof info->id) &&
		     put_str(&p, info->name, sizeof info->name) &&
		     put_str(&p, info->client_addr, sizeof info->client_addr) &&
		     put_str(&p, info->command, sizeof info->command);
	}
	ok = ok && ctl_reply_decode(out, CTL_REPLY_SIZE, &check) == 0;
	explicit_bzero(&check, sizeof check);
	if (!ok) {
		explicit_bzero(out, CTL_REPLY_SIZE);
		return 0;
	}
	return CTL_REPLY_SIZE;
}

/* ---- shared socket pieces ---- */

static int sockaddr_for(struct sockaddr_un *sa, const char *path, char err[ERR_LEN])
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa->sun_path)
		return err_set(err, ERR_RANGE, "control socket path %s is too long", path);
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return 0;
}

/* Whether SO_PEERCRED names our own uid (false when it cannot be read). */
static bool peer_is_us(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof cred)
		return false;
	return ctl_peer_allowed(cred.uid, getuid());
}

/* ---- client ---- */

static int64_t ms_left(uint64_t deadline)
{
	uint64_t now = clock_ms();

	return now >= deadline ? 0 : (int64_t)(deadline - now);
}

/* Read exactly n bytes before the deadline. */
static int read_full(int fd, uint8_t *buf, size_t n, uint64_t deadline, const char *path,
                     char err[ERR_LEN])
{
	size_t got = 0;

	while (got < n) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int64_t left = ms_left(deadline);
		ssize_t r;

		if (left == 0)
			return err_set(err, ERR_IO, "the session at %s did not answer in time",
			               path);
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			return err_set(err, ERR_IO, "poll: %s", strerror(errno));
		r = recv(fd, buf + got, n - got, MSG_DONTWAIT);
		if (r == 0)
			return err_set(err, ERR_PROTO,
			               "the session at %s closed the connection without an answer",
			               path);
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			return err_set(err, ERR_IO, "reading from %s: %s", path, strerror(errno));
		if (r > 0)
			got += (size_t)r;
	}
	return 0;
}

int ctl_call(const char *path, const struct ctl_request *rq, struct ctl_reply *rp, int timeout_ms,
             char err[ERR_LEN])
{
	uint64_t deadline = clock_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
	struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = timeout_ms % 1000 * 1000};
	uint8_t req[CTL_REQUEST_SIZE], rep[CTL_REPLY_SIZE];
	struct sockaddr_un sa;
	int fd, rc;

	memset(rp, 0, sizeof *rp);
	if ((rc = sockaddr_for(&sa, path, err)) < 0)
		return rc;
	if (ctl_request_encode(rq, req, sizeof req) == 0)
		return err_set(err, ERR_INVAL, "the control request is malformed");
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(err, ERR_IO, "socket: %s", strerror(errno));
	/* The send timeout also bounds a blocking connect to a session whose backlog is full. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = errno;

		if (e == ECONNREFUSED)
			rc = ERR_CLOSED;
		else if (e == ENOENT)
			rc = ERR_NOTFOUND;
		else
			rc = ERR_IO;
		err_set(err, rc, "cannot connect to %s: %s", path, strerror(e));
		goto out;
	}
	if (!peer_is_us(fd)) {
		rc = err_set(err, ERR_PROTO, "the socket %s belongs to another user: remove it",
		             path);
		goto out;
	}
	if (send(fd, req, sizeof req, MSG_NOSIGNAL) != (ssize_t)sizeof req) {
		rc = err_set(err, ERR_IO, "writing to %s: %s", path, strerror(errno));
		goto out;
	}
	if ((rc = read_full(fd, rep, sizeof rep, deadline, path, err)) < 0)
		goto out;
	rc = ctl_reply_decode(rep, sizeof rep, rp);
	if (rc < 0)
		err_set(err, rc,
		        "the session at %s sent a reply this mosh-server cannot read (%s): is it "
		        "another version?",
		        path, err_str(rc));
out:
	explicit_bzero(rep, sizeof rep);
	close(fd);
	return rc;
}

/* ---- server ---- */

struct ctl_conn {
	int fd; /* -1: the slot is free */
	uint64_t deadline;
	size_t done; /* bytes of the request read, or of the reply written */
	bool replying;
	uint8_t buf[CTL_REPLY_SIZE > CTL_REQUEST_SIZE ? CTL_REPLY_SIZE : CTL_REQUEST_SIZE];
};

struct ctl_server {
	struct ev_loop *loop;
	int fd;
	char id[CTL_ID_LEN + 1];
	char path[CTLDIR_PATH_MAX];
	ctl_handler_fn *fn;
	void *arg;
	struct ctl_conn conns[CTL_MAX_CONNS];
	size_t nconns;
	uint64_t paused_until; /* accept failed (out of descriptors): listen again then; 0 = not */
	struct ctl_server_stats stats;
};

static struct ctl_conn *conn_find(struct ctl_server *s, int fd)
{
	for (size_t i = 0; i < CTL_MAX_CONNS; i++)
		if (s->conns[i].fd == fd)
			return &s->conns[i];
	return NULL;
}

static void conn_close(struct ctl_server *s, struct ctl_conn *c)
{
	ev_fd_del(s->loop, c->fd);
	close(c->fd);
	explicit_bzero(c->buf, sizeof c->buf);
	c->fd = -1;
	s->nconns--;
}

static void conn_write(struct ctl_server *s, struct ctl_conn *c)
{
	ssize_t n = send(c->fd, c->buf + c->done, CTL_REPLY_SIZE - c->done, MSG_NOSIGNAL);

	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		ev_fd_set_events(s->loop, c->fd, EV_WRITE);
		return;
	}
	if (n <= 0) {
		s->stats.io_errors++;
		conn_close(s, c);
		return;
	}
	c->done += (size_t)n;
	if (c->done == CTL_REPLY_SIZE)
		conn_close(s, c);
	else
		ev_fd_set_events(s->loop, c->fd, EV_WRITE);
}

static void error_reply(struct ctl_reply *rp, int status, const char *what)
{
	char id[CTL_ID_LEN + 1];
	int32_t pid = rp->info.pid;
	uint8_t op = rp->op >= CTL_OP_INFO && rp->op <= CTL_OP_KILL ? rp->op : CTL_OP_INFO;

	memcpy(id, rp->info.id, sizeof id);
	explicit_bzero(rp, sizeof *rp);
	rp->op = op;
	memcpy(rp->info.id, id, sizeof id);
	rp->info.pid = pid;
	rp->status = status;
	snprintf(rp->err, sizeof rp->err, "%s", what);
}

/* The whole request is in: decode it, ask the handler, start writing the reply. */
static void conn_answer(struct ctl_server *s, struct ctl_conn *c)
{
	struct ctl_request rq;
	struct ctl_reply rp;
	int rc = ctl_request_decode(c->buf, CTL_REQUEST_SIZE, &rq);

	memset(&rp, 0, sizeof rp);
	memcpy(rp.info.id, s->id, sizeof rp.info.id);
	rp.info.pid = (int32_t)getpid();
	if (rc == ERR_UNSUPP) {
		s->stats.malformed++;
		error_reply(&rp, rc,
		            "this session speaks another control protocol version: use the "
		            "mosh-server that started it");
	} else if (rc < 0) {
		s->stats.malformed++;
		error_reply(&rp, rc, "malformed control request");
	} else {
		s->stats.served++;
		rp.op = rq.op;
		s->fn(s->arg, &rq, &rp);
	}
	if (ctl_reply_encode(&rp, c->buf, sizeof c->buf) == 0) {
		error_reply(&rp, ERR_PROTO,
		            "the session could not describe itself (a bug in mosh-server)");
		ASSERT(ctl_reply_encode(&rp, c->buf, sizeof c->buf) == CTL_REPLY_SIZE);
	}
	explicit_bzero(&rp, sizeof rp);
	c->replying = true;
	c->done = 0;
	conn_write(s, c);
}

static void conn_read(struct ctl_server *s, struct ctl_conn *c)
{
	ssize_t n = recv(c->fd, c->buf + c->done, CTL_REQUEST_SIZE - c->done, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		s->stats.io_errors++;
		conn_close(s, c);
		return;
	}
	c->done += (size_t)n;
	if (c->done == CTL_REQUEST_SIZE)
		conn_answer(s, c);
}

static void on_conn(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct ctl_server *s = arg;
	struct ctl_conn *c = conn_find(s, fd);

	(void)loop;
	(void)events;
	if (c == NULL)
		return;
	if (c->replying)
		conn_write(s, c);
	else
		conn_read(s, c);
}

/* A new connection: checked, then given a free slot, or closed and counted. */
static void conn_admit(struct ctl_server *s, int fd)
{
	struct ctl_conn *c;

	if (!peer_is_us(fd)) {
		s->stats.wrong_uid++;
		close(fd);
		return;
	}
	c = conn_find(s, -1);
	if (c == NULL) {
		s->stats.busy++;
		close(fd);
		return;
	}
	c->fd = fd;
	c->deadline = ev_now(s->loop) + CTL_CONN_TIMEOUT_MS;
	c->done = 0;
	c->replying = false;
	s->nconns++;
	ev_fd_add(s->loop, fd, EV_READ, on_conn, s);
}

static void on_accept(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct ctl_server *s = arg;

	(void)events;
	/* Bounded, so a flood of connections cannot hold the loop. */
	for (int i = 0; i < 2 * CTL_MAX_CONNS; i++) {
		int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (c >= 0) {
			conn_admit(s, c);
			continue;
		}
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
			/*
			 * Out of descriptors: the connection stays queued and poll would
			 * report it at once, forever. Stop listening for a while instead.
			 */
			s->stats.io_errors++;
			s->paused_until = ev_now(loop) + CTL_ACCEPT_PAUSE_MS;
			ev_fd_set_events(loop, fd, 0);
		}
		return;
	}
}

static int64_t on_tick(struct ev_loop *loop, uint64_t now, void *arg)
{
	struct ctl_server *s = arg;
	int64_t wait = -1;

	if (s->paused_until != 0) {
		if (now < s->paused_until) {
			wait = (int64_t)(s->paused_until - now);
		} else {
			s->paused_until = 0;
			ev_fd_set_events(loop, s->fd, EV_READ);
		}
	}
	for (size_t i = 0; i < CTL_MAX_CONNS; i++) {
		struct ctl_conn *c = &s->conns[i];

		if (c->fd < 0)
			continue;
		if (now >= c->deadline) {
			s->stats.timed_out++;
			conn_close(s, c);
			continue;
		}
		wait = ev_wait_min(wait, (int64_t)(c->deadline - now));
	}
	return wait;
}

struct ctl_server *ctl_server_new(struct ev_loop *loop, const char *id, ctl_handler_fn *fn,
                                  void *arg, char err[ERR_LEN])
{
	struct ctl_server *s = xcalloc(1, sizeof *s);
	char dir[CTLDIR_PATH_MAX];
	struct sockaddr_un sa;
	bool bound = false;

	ASSERT(ctl_id_valid(id));
	s->loop = loop;
	s->fd = -1;
	s->fn = fn;
	s->arg = arg;
	memcpy(s->id, id, sizeof s->id);
	for (size_t i = 0; i < CTL_MAX_CONNS; i++)
		s->conns[i].fd = -1;
	if (ctldir_get(dir, sizeof dir, true, err) < 0 ||
	    ctldir_socket_path(s->path, sizeof s->path, dir, id, err) < 0 ||
	    sockaddr_for(&sa, s->path, err) < 0)
		goto fail;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0) {
		err_set(err, ERR_IO, "socket: %s", strerror(errno));
		goto fail;
	}
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		err_set(err, ERR_IO, "cannot create the control socket %s: %s", s->path,
		        strerror(errno));
		goto fail;
	}
	bound = true;
	/* The 0700 directory already keeps others out; the mode says so again. */
	if (chmod(s->path, 0600) < 0 || listen(s->fd, CTL_MAX_CONNS) < 0) {
		err_set(err, ERR_IO, "cannot listen on %s: %s", s->path, strerror(errno));
		goto fail;
	}
	ev_fd_add(loop, s->fd, EV_READ, on_accept, s);
	ev_ticker_add(loop, on_tick, s);
	return s;

fail:
	if (bound)
		unlink(s->path);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	return NULL;
}

void ctl_server_free(struct ctl_server *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < CTL_MAX_CONNS; i++)
		if (s->conns[i].fd >= 0)
			conn_close(s, &s->conns[i]);
	ev_ticker_del(s->loop, on_tick, s);
	ev_fd_del(s->loop, s->fd);
	close(s->fd);
	unlink(s->path);
	free(s);
}

int ctl_server_fd(const struct ctl_server *s)
{
	return s->fd;
}

const char *ctl_server_path(const struct ctl_server *s)
{
	return s->path;
}

void ctl_server_stats(const struct ctl_server *s, struct ctl_server_stats *out)
{
	*out = s->stats;
}

size_t ctl_server_connections(const struct ctl_server *s)
{
	return s->nconns;
}
