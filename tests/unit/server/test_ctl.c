/*
 * server/ctl: codec round trips and every rejection, names and IDs, the text
 * rules, and a real control socket on an event loop (requests in pieces,
 * malformed requests, the connection limit, the idle timeout, ctl_call).
 */
#include "../test.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server/ctl.h"
#include "util/clock.h"
#include "util/ev.h"

/* Reply field offsets, from the layout in ctl.h. */
enum {
	R_STATUS = 8,
	R_PORT = 12,
	R_KEY = 14,
	R_ERR = 37,
	R_PID = 166,
	R_STATE = 170,
	R_ID = 183,
	R_NAME = 192,
	R_CLIENT = 225,
	R_COMMAND = 290,
};

static const char good_key[] = "4NeCCgvZFe2RnPgrcU1PQw";

static struct ctl_reply info_reply(void)
{
	struct ctl_reply rp;

	memset(&rp, 0, sizeof rp);
	rp.op = CTL_OP_INFO;
	strcpy(rp.info.id, "ab12cd34");
	strcpy(rp.info.name, "work");
	rp.info.pid = 4242;
	rp.info.state = CTL_STATE_DETACHED;
	strcpy(rp.info.client_addr, "2001:db8::1");
	rp.info.idle_s = 77;
	rp.info.age_s = 123456;
	rp.info.rows = 50;
	rp.info.cols = 132;
	strcpy(rp.info.command, "vim caf\xc3\xa9.txt");
	return rp;
}

static struct ctl_request attach_request(void)
{
	struct ctl_request rq;

	memset(&rq, 0, sizeof rq);
	rq.op = CTL_OP_ATTACH;
	rq.rows = 40;
	rq.cols = 100;
	strcpy(rq.bind_ip, "192.0.2.7");
	rq.port_low = 60001;
	rq.port_high = 60010;
	return rq;
}

TEST(request_round_trip)
{
	struct ctl_request rq = attach_request(), back;
	uint8_t buf[CTL_REQUEST_SIZE + 8];

	CHECK_EQ_INT(ctl_request_encode(&rq, buf, sizeof buf), CTL_REQUEST_SIZE);
	CHECK_EQ_INT(ctl_request_decode(buf, CTL_REQUEST_SIZE, &back), 0);
	CHECK_EQ_INT(back.op, CTL_OP_ATTACH);
	CHECK_EQ_INT(back.rows, 40);
	CHECK_EQ_INT(back.cols, 100);
	CHECK_EQ_STR(back.bind_ip, "192.0.2.7");
	CHECK_EQ_INT(back.port_low, 60001);
	CHECK_EQ_INT(back.port_high, 60010);
	CHECK_EQ_MEM(buf, "mcRQ\x00\x01\x02\x00", 8);
	/* too small a buffer */
	CHECK_EQ_INT(ctl_request_encode(&rq, buf, CTL_REQUEST_SIZE - 1), 0);
}

TEST(reply_round_trips)
{
	struct ctl_reply rp = info_reply(), back;
	uint8_t buf[CTL_REPLY_SIZE];

	CHECK_EQ_INT(CTL_REPLY_SIZE, 419);
	CHECK_EQ_INT(ctl_reply_encode(&rp, buf, sizeof buf), CTL_REPLY_SIZE);
	CHECK_EQ_INT(ctl_reply_decode(buf, sizeof buf, &back), 0);
	CHECK_EQ_MEM(&back.info, &rp.info, sizeof rp.info);
	CHECK_EQ_INT(back.status, 0);

	rp.op = CTL_OP_ATTACH;
	rp.port = 60005;
	strcpy(rp.key, good_key);
	CHECK_EQ_INT(ctl_reply_encode(&rp, buf, sizeof buf), CTL_REPLY_SIZE);
	CHECK_EQ_INT(ctl_reply_decode(buf, sizeof buf, &back), 0);
	CHECK_EQ_STR(back.key, good_key);
	CHECK_EQ_INT(back.port, 60005);

	rp = info_reply();
	rp.op = CTL_OP_KILL;
	rp.status = ERR_NOTFOUND;
	rp.info.state = 0;
	strcpy(rp.err, "no such thing");
	CHECK_EQ_INT(ctl_reply_encode(&rp, buf, sizeof buf), CTL_REPLY_SIZE);
	CHECK_EQ_INT(ctl_reply_decode(buf, sizeof buf, &back), 0);
	CHECK_EQ_INT(back.status, ERR_NOTFOUND);
	CHECK_EQ_STR(back.err, "no such thing");
}

/* Encode a good request, overwrite bytes at off, expect the decoder to refuse with want. */
static void request_refused(size_t off, const char *bytes, size_t n, int want)
{
	struct ctl_request rq = attach_request(), back;
	uint8_t buf[CTL_REQUEST_SIZE];

	CHECK_EQ_INT(ctl_request_encode(&rq, buf, sizeof buf), CTL_REQUEST_SIZE);
	memcpy(buf + off, bytes, n);
	CHECK_EQ_INT(ctl_request_decode(buf, sizeof buf, &back), want);
}

TEST(request_rejections)
{
	struct ctl_request rq = attach_request(), back;
	uint8_t buf[CTL_REQUEST_SIZE + 1];

	CHECK_EQ_INT(ctl_request_encode(&rq, buf, sizeof buf), CTL_REQUEST_SIZE);
	CHECK_EQ_INT(ctl_request_decode(buf, CTL_REQUEST_SIZE - 1, &back), ERR_RANGE);
	CHECK_EQ_INT(ctl_request_decode(buf, CTL_REQUEST_SIZE + 1, &back), ERR_RANGE);
	request_refused(0, "X", 1, ERR_PROTO);                    /* magic */
	request_refused(5, "\x02", 1, ERR_UNSUPP);                /* version */
	request_refused(6, "\x00", 1, ERR_PROTO);                 /* op 0 */
	request_refused(6, "\x04", 1, ERR_PROTO);                 /* op 4 */
	request_refused(7, "\x01", 1, ERR_PROTO);                 /* reserved */
	request_refused(16, "\x1b", 1, ERR_INVAL);                /* control byte in the address */
	request_refused(16, " ", 1, ERR_INVAL);                   /* blank in the address */
	request_refused(16 + 12, "x", 1, ERR_INVAL);              /* bytes after the NUL */
	request_refused(CTL_REQUEST_SIZE - 1, "x", 1, ERR_INVAL); /* no NUL in the field */
	request_refused(12, "\xff", 1, ERR_RANGE);                /* low port above high */
	request_refused(12, "\x00\x00", 2, ERR_RANGE);            /* low 0 with a high port */
	/* a single port and the default range are fine */
	rq.port_low = rq.port_high = 7;
	CHECK_EQ_INT(ctl_request_encode(&rq, buf, sizeof buf), CTL_REQUEST_SIZE);
	rq.port_low = rq.port_high = 0;
	CHECK_EQ_INT(ctl_request_encode(&rq, buf, sizeof buf), CTL_REQUEST_SIZE);
	/* the encoder refuses what the decoder would */
	rq.op = 9;
	CHECK_EQ_INT(ctl_request_encode(&rq, buf, sizeof buf), 0);
	rq = attach_request();
	memset(rq.bind_ip, 'a', sizeof rq.bind_ip);
	CHECK_EQ_INT(ctl_request_encode(&rq, buf, sizeof buf), 0);
}

/* Encode a good reply, overwrite bytes at off, expect the decoder to refuse it. */
static void reply_refused(const struct ctl_reply *rp, size_t off, const char *bytes, size_t n)
{
	uint8_t buf[CTL_REPLY_SIZE];
	struct ctl_reply back;

	CHECK_EQ_INT(ctl_reply_encode(rp, buf, sizeof buf), CTL_REPLY_SIZE);
	memcpy(buf + off, bytes, n);
	CHECK(ctl_reply_decode(buf, sizeof buf, &back) < 0);
}

TEST(reply_rejections)
{
	struct ctl_reply rp = info_reply(), attach = info_reply(), bad;
	uint8_t buf[CTL_REPLY_SIZE];
	struct ctl_reply back;

	attach.op = CTL_OP_ATTACH;
	attach.port = 60001;
	strcpy(attach.key, good_key);
	CHECK_EQ_INT(ctl_reply_encode(&rp, buf, sizeof buf), CTL_REPLY_SIZE);
	CHECK_EQ_INT(ctl_reply_decode(buf, sizeof buf - 1, &back), ERR_RANGE);
	reply_refused(&rp, 0, "x", 1);                       /* magic */
	reply_refused(&rp, 5, "\x07", 1);                    /* version */
	reply_refused(&rp, R_STATUS, "\x00\x00\x00\x01", 4); /* positive status */
	reply_refused(&rp, R_PORT, "\x00\x01", 2);           /* port without ATTACH */
	reply_refused(&rp, R_KEY, "A", 1);                   /* key without ATTACH */
	reply_refused(&rp, R_ERR, "oops", 4);                /* err with status 0 */
	reply_refused(&rp, R_PID, "\x00\x00\x00\x00", 4);    /* pid 0 */
	reply_refused(&rp, R_PID, "\x80\x00\x00\x01", 4);    /* negative pid */
	reply_refused(&rp, R_STATE, "\x00", 1);              /* no state on success */
	reply_refused(&rp, R_STATE, "\x04", 1);              /* unknown state */
	reply_refused(&rp, R_ID, "AB12CD34", 8);             /* ID in capitals */
	reply_refused(&rp, R_ID + 8, "x", 1);                /* ID without its NUL */
	reply_refused(&rp, R_NAME, "new", 4);                /* a refused name */
	reply_refused(&rp, R_NAME, "a b", 4);                /* a blank in the name */
	reply_refused(&rp, R_NAME + 10, "x", 1);             /* junk after the NUL */
	reply_refused(&rp, R_CLIENT, "a b", 3);              /* a blank in the address */
	reply_refused(&rp, R_COMMAND, "\x1b[2J", 4);         /* escape in the command */
	reply_refused(&rp, R_COMMAND, "\xc2\x9b", 2);        /* C1 CSI in the command */
	reply_refused(&rp, R_COMMAND, "\xff", 1);            /* invalid UTF-8 */
	reply_refused(&rp, R_COMMAND, "\x7f", 1);            /* DEL */
	reply_refused(&attach, R_KEY, "!", 1);               /* not a key */
	reply_refused(&attach, R_KEY + 21, "B", 1);          /* not a canonical key */
	reply_refused(&attach, R_PORT, "\x00\x00", 2);       /* ATTACH without a port */

	/* a failed reply needs its sentence, and no key */
	bad = rp;
	bad.status = ERR_IO;
	CHECK_EQ_INT(ctl_reply_encode(&bad, buf, sizeof buf), 0);
	strcpy(bad.err, "a \x1b sentence");
	CHECK_EQ_INT(ctl_reply_encode(&bad, buf, sizeof buf), 0);
	bad = attach;
	bad.status = ERR_IO;
	strcpy(bad.err, "refused");
	CHECK_EQ_INT(ctl_reply_encode(&bad, buf, sizeof buf), 0);
	bad.port = 0;
	bad.key[0] = '\0';
	CHECK_EQ_INT(ctl_reply_encode(&bad, buf, sizeof buf), CTL_REPLY_SIZE);
	/* the encoder wiped its output when it refused */
	bad.port = 1;
	CHECK_EQ_INT(ctl_reply_encode(&bad, buf, sizeof buf), 0);
	for (size_t i = 0; i < sizeof buf; i++)
		CHECK_EQ_INT(buf[i], 0);
}

TEST(ids_and_names)
{
	char id[CTL_ID_LEN + 1], other[CTL_ID_LEN + 1], err[ERR_LEN];
	static const char *const good[] = {
	    "work",     "Work2",     "a.b_c-d",
	    "x",        "abcdefg",   "abcdefghi",
	    "ABCDEFGH", "0123456a.", "12345678901234567890123456789012x"};
	static const char *const bad[] = {"",     "new",      "-x",
	                                  "1234", "abcd1234", "a b",
	                                  "é",    "a/b",      "123456789012345678901234567890123"};

	ctl_new_id(id);
	ctl_new_id(other);
	CHECK(ctl_id_valid(id));
	CHECK(strcmp(id, other) != 0);
	CHECK(!ctl_id_valid("abcd123"));
	CHECK(!ctl_id_valid("abcd12345"));
	CHECK(!ctl_id_valid("abcD1234"));
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		if (strlen(good[i]) > CTL_NAME_MAX) {
			CHECK(ctl_name_check(good[i], err) < 0);
			continue;
		}
		if (ctl_name_check(good[i], err) != 0)
			TEST_FAIL("\"%s\" refused: %s", good[i], err);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		CHECK(ctl_name_check(bad[i], err) < 0);
		CHECK(err[0] != '\0');
	}
	ctl_name_check("abcd1234", err);
	CHECK(strstr(err, "looks like a session ID") != NULL);
	CHECK_EQ_STR(ctl_state_name(CTL_STATE_DETACHED), "detached");
	CHECK_EQ_STR(ctl_state_name(0), "unknown");
}

TEST(text_copy_makes_shown_text)
{
	char out[8];
	struct ctl_info info;
	char *argv[] = {"sh", "-c", "echo \x1b]0;x\x07", NULL};

	ctl_text_copy(out, sizeof out,
	              "a\x1b"
	              "b\xc2\x9b"
	              "c");
	CHECK_EQ_STR(out, "a?b??c");
	/* a cut never splits a character: "cafe" and a 2-byte é need 6 bytes and the NUL */
	ctl_text_copy(out, 6, "cafe\xc3\xa9");
	CHECK_EQ_STR(out, "cafe");
	ctl_text_copy(out, sizeof out, "\xff\xfe");
	CHECK_EQ_STR(out, "??");
	memset(&info, 0, sizeof info);
	ctl_info_set_command(&info, argv);
	CHECK_EQ_STR(info.command, "sh -c echo ?]0;x?");
}

TEST(peer_uid_check)
{
	CHECK(ctl_peer_allowed(1000, 1000));
	CHECK(!ctl_peer_allowed(0, 1000));
	CHECK(!ctl_peer_allowed(1001, 1000));
	CHECK(ctl_peer_allowed(0, 0));
}

/* ---- the socket ---- */

static char tmpdir[64];
static int handler_calls;
static struct ctl_request last_rq;

static void fake_handler(void *arg, const struct ctl_request *rq, struct ctl_reply *rp)
{
	(void)arg;
	handler_calls++;
	last_rq = *rq;
	rp->info.state = CTL_STATE_ATTACHED;
	strcpy(rp->info.command, "bash");
	if (rq->op == CTL_OP_ATTACH) {
		rp->port = 61000;
		strcpy(rp->key, good_key);
	}
}

static struct ctl_server *start_server(struct ev_loop *loop, const char *id)
{
	char err[ERR_LEN];
	struct ctl_server *s;

	snprintf(tmpdir, sizeof tmpdir, "/tmp/moshc-ctl-XXXXXX");
	CHECK(mkdtemp(tmpdir) != NULL);
	setenv("XDG_RUNTIME_DIR", tmpdir, 1);
	handler_calls = 0;
	s = ctl_server_new(loop, id, fake_handler, NULL, err);
	if (s == NULL)
		TEST_FAIL("ctl_server_new: %s", err);
	return s;
}

static void stop_server(struct ctl_server *s, struct ev_loop *loop)
{
	char dir[96];
	struct stat st;
	const char *path = ctl_server_path(s);
	char saved[128];

	snprintf(saved, sizeof saved, "%s", path);
	ctl_server_free(s);
	CHECK(lstat(saved, &st) < 0 && errno == ENOENT);
	ev_loop_free(loop);
	snprintf(dir, sizeof dir, "%s/mosh-c", tmpdir);
	rmdir(dir);
	rmdir(tmpdir);
}

static int raw_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	CHECK(fd >= 0);
	CHECK(connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
	return fd;
}

/* Run the loop until fd is readable (bounded), then read what is there. */
static ssize_t pump_read(struct ev_loop *loop, int fd, uint8_t *buf, size_t cap, int max_ms)
{
	uint64_t end = clock_ms() + (uint64_t)max_ms;
	size_t got = 0;

	while (clock_ms() < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		ev_run_once(loop, 20);
		if (poll(&p, 1, 0) <= 0)
			continue;
		n = recv(fd, buf + got, cap - got, MSG_DONTWAIT);
		if (n <= 0)
			return (ssize_t)got;
		got += (size_t)n;
	}
	return -1;
}

TEST(request_in_pieces_reaches_handler)
{
	struct ev_loop *loop = ev_loop_new();
	struct ctl_server *s = start_server(loop, "pieces01");
	struct ctl_request rq = attach_request();
	struct ctl_reply rp;
	struct ctl_server_stats st;
	uint8_t req[CTL_REQUEST_SIZE], rep[CTL_REPLY_SIZE + 16];
	struct stat sst;
	int fd;

	CHECK(lstat(ctl_server_path(s), &sst) == 0);
	CHECK(S_ISSOCK(sst.st_mode));
	CHECK_EQ_INT(sst.st_mode & 0777, 0600);
	CHECK(fcntl(ctl_server_fd(s), F_GETFD) & FD_CLOEXEC);
	fd = raw_connect(ctl_server_path(s));
	ctl_request_encode(&rq, req, sizeof req);
	CHECK_EQ_INT(send(fd, req, 10, 0), 10);
	ev_run_once(loop, 50);
	ev_run_once(loop, 50);
	CHECK_EQ_INT(handler_calls, 0);
	CHECK_EQ_INT(ctl_server_connections(s), 1);
	CHECK_EQ_INT(send(fd, req + 10, sizeof req - 10, 0), (long)(sizeof req - 10));
	CHECK_EQ_INT(pump_read(loop, fd, rep, sizeof rep, 3000), CTL_REPLY_SIZE);
	CHECK_EQ_INT(handler_calls, 1);
	CHECK_EQ_STR(last_rq.bind_ip, "192.0.2.7");
	CHECK_EQ_INT(ctl_reply_decode(rep, CTL_REPLY_SIZE, &rp), 0);
	CHECK_EQ_STR(rp.info.id, "pieces01");
	CHECK_EQ_INT(rp.info.pid, getpid());
	CHECK_EQ_INT(rp.port, 61000);
	CHECK_EQ_STR(rp.key, good_key);
	CHECK_EQ_INT(ctl_server_connections(s), 0);
	ctl_server_stats(s, &st);
	CHECK_EQ_U64(st.served, 1);
	close(fd);
	stop_server(s, loop);
}

TEST(malformed_request_gets_error_not_handler)
{
	struct ev_loop *loop = ev_loop_new();
	struct ctl_server *s = start_server(loop, "malfrm01");
	uint8_t junk[CTL_REQUEST_SIZE], rep[CTL_REPLY_SIZE];
	struct ctl_request rq = attach_request();
	struct ctl_reply rp;
	struct ctl_server_stats st;
	int fd = raw_connect(ctl_server_path(s));

	memset(junk, 'A', sizeof junk);
	CHECK_EQ_INT(send(fd, junk, sizeof junk, 0), (long)sizeof junk);
	CHECK_EQ_INT(pump_read(loop, fd, rep, sizeof rep, 3000), CTL_REPLY_SIZE);
	CHECK_EQ_INT(ctl_reply_decode(rep, sizeof rep, &rp), 0);
	CHECK_EQ_INT(rp.status, ERR_PROTO);
	CHECK(strstr(rp.err, "malformed") != NULL);
	close(fd);

	/* another version gets a sentence that says so */
	fd = raw_connect(ctl_server_path(s));
	ctl_request_encode(&rq, junk, sizeof junk);
	junk[5] = 9;
	CHECK_EQ_INT(send(fd, junk, sizeof junk, 0), (long)sizeof junk);
	CHECK_EQ_INT(pump_read(loop, fd, rep, sizeof rep, 3000), CTL_REPLY_SIZE);
	CHECK_EQ_INT(ctl_reply_decode(rep, sizeof rep, &rp), 0);
	CHECK_EQ_INT(rp.status, ERR_UNSUPP);
	CHECK(strstr(rp.err, "version") != NULL);
	close(fd);

	CHECK_EQ_INT(handler_calls, 0);
	ctl_server_stats(s, &st);
	CHECK_EQ_U64(st.malformed, 2);
	stop_server(s, loop);
}

TEST(connection_limit_and_idle_timeout)
{
	struct ev_loop *loop = ev_loop_new();
	struct ctl_server *s = start_server(loop, "limits01");
	struct ctl_server_stats st;
	int fds[CTL_MAX_CONNS + 1];
	uint8_t buf[16];
	uint64_t start;

	for (int i = 0; i <= CTL_MAX_CONNS; i++) {
		fds[i] = raw_connect(ctl_server_path(s));
		ev_run_once(loop, 20);
	}
	ctl_server_stats(s, &st);
	CHECK_EQ_U64(st.busy, 1);
	CHECK_EQ_INT(ctl_server_connections(s), CTL_MAX_CONNS);
	/* the one beyond the limit sees end-of-file at once */
	CHECK_EQ_INT(pump_read(loop, fds[CTL_MAX_CONNS], buf, sizeof buf, 2000), 0);
	/* the silent ones are dropped after CTL_CONN_TIMEOUT_MS (generous bounds) */
	start = clock_ms();
	CHECK_EQ_INT(pump_read(loop, fds[0], buf, sizeof buf, CTL_CONN_TIMEOUT_MS + 5000), 0);
	CHECK(clock_ms() - start >= CTL_CONN_TIMEOUT_MS - 1000);
	for (int i = 0; i < 20 && ctl_server_connections(s) > 0; i++)
		ev_run_once(loop, 50);
	CHECK_EQ_INT(ctl_server_connections(s), 0);
	ctl_server_stats(s, &st);
	CHECK_EQ_U64(st.timed_out, CTL_MAX_CONNS);
	CHECK_EQ_U64(st.served, 0);
	for (int i = 0; i <= CTL_MAX_CONNS; i++)
		close(fds[i]);
	stop_server(s, loop);
}

TEST(out_of_descriptors_pauses_listening)
{
	struct ev_loop *loop = ev_loop_new();
	struct ctl_server *s = start_server(loop, "nofile01");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ctl_request rq = {.op = CTL_OP_INFO};
	uint8_t req[CTL_REQUEST_SIZE], rep[CTL_REPLY_SIZE];
	struct ctl_server_stats st;
	struct rlimit old, low;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), lowest;

	CHECK(fd >= 0);
	lowest = dup(0);
	CHECK(lowest >= 0);
	close(lowest);
	CHECK(getrlimit(RLIMIT_NOFILE, &old) == 0);
	low = old;
	low.rlim_cur = (rlim_t)lowest;
	CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", ctl_server_path(s));
	CHECK(connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
	ctl_request_encode(&rq, req, sizeof req);
	CHECK_EQ_INT(send(fd, req, sizeof req, 0), (long)sizeof req);
	/* accept fails once, then the listener rests instead of failing on every iteration */
	for (int i = 0; i < 10; i++)
		ev_run_once(loop, 20);
	setrlimit(RLIMIT_NOFILE, &old);
	ctl_server_stats(s, &st);
	CHECK_EQ_U64(st.io_errors, 1);
	CHECK_EQ_INT(handler_calls, 0);
	/* and listens again later */
	CHECK_EQ_INT(pump_read(loop, fd, rep, sizeof rep, 5000), CTL_REPLY_SIZE);
	CHECK_EQ_INT(handler_calls, 1);
	close(fd);
	stop_server(s, loop);
}

TEST(ctl_call_from_another_process)
{
	struct ev_loop *loop = ev_loop_new();
	struct ctl_server *s = start_server(loop, "callme01");
	uint64_t end = clock_ms() + 10000;
	int status = -1;
	pid_t pid, done = 0;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct ctl_request rq = {.op = CTL_OP_INFO};
		struct ctl_reply rp;
		char err[ERR_LEN];
		int rc = ctl_call(ctl_server_path(s), &rq, &rp, 5000, err);

		_exit(rc == 0 && rp.status == 0 && strcmp(rp.info.id, "callme01") == 0 &&
		              rp.info.state == CTL_STATE_ATTACHED
		          ? 0
		          : 3);
	}
	CHECK(pid > 0);
	while (done == 0 && clock_ms() < end) {
		ev_run_once(loop, 20);
		done = waitpid(pid, &status, WNOHANG);
	}
	if (done == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		TEST_FAIL("the client did not finish");
	}
	CHECK(WIFEXITED(status));
	CHECK_EQ_INT(WEXITSTATUS(status), 0);
	CHECK_EQ_INT(last_rq.op, CTL_OP_INFO);
	stop_server(s, loop);
}

TEST(ctl_call_to_dead_and_missing_sockets)
{
	struct ctl_request rq = {.op = CTL_OP_INFO};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ctl_reply rp;
	char err[ERR_LEN], path[96], dir[64];
	int fd;

	snprintf(dir, sizeof dir, "/tmp/moshc-ctl-XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/deadbeef", dir);
	CHECK_EQ_INT(ctl_call(path, &rq, &rp, 1000, err), ERR_NOTFOUND);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	CHECK(bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
	close(fd);
	CHECK_EQ_INT(ctl_call(path, &rq, &rp, 1000, err), ERR_CLOSED);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	RUN(request_round_trip);
	RUN(reply_round_trips);
	RUN(request_rejections);
	RUN(reply_rejections);
	RUN(ids_and_names);
	RUN(text_copy_makes_shown_text);
	RUN(peer_uid_check);
	RUN(request_in_pieces_reaches_handler);
	RUN(malformed_request_gets_error_not_handler);
	RUN(connection_limit_and_idle_timeout);
	RUN(out_of_descriptors_pauses_listening);
	RUN(ctl_call_from_another_process);
	RUN(ctl_call_to_dead_and_missing_sockets);
	return test_done();
}
