/*
 * server/admin: list, attach and kill against fake sessions. Each fake is a
 * child process running a real ctl_server on its own loop, in a temporary
 * XDG_RUNTIME_DIR, with a handler that answers from a fixed description;
 * a KILL makes it exit. Every child is ended by its PID.
 */
#include "../test.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/wire.h"
#include "server/admin.h"
#include "server/ctl.h"
#include "server/ctldir.h"
#include "util/clock.h"
#include "util/ev.h"

#define FAKE_PORT 60123
static const char fake_key[] = "4NeCCgvZFe2RnPgrcU1PQw";

struct fake {
	const char *id, *name;
	uint8_t state;
	uint32_t age;
	pid_t pid;
};

static char base[64];
static char *out_text, *diag_text;
static bool dying;

static void fake_handler(void *arg, const struct ctl_request *rq, struct ctl_reply *rp)
{
	const struct fake *f = arg;

	snprintf(rp->info.name, sizeof rp->info.name, "%s", f->name);
	rp->info.state = f->state;
	rp->info.age_s = f->age;
	rp->info.idle_s = 5;
	rp->info.rows = 24;
	rp->info.cols = 80;
	if (f->state != CTL_STATE_CONNECTING)
		snprintf(rp->info.client_addr, sizeof rp->info.client_addr, "192.0.2.1");
	snprintf(rp->info.command, sizeof rp->info.command, "-bash \"quoted\"");
	if (rq->op == CTL_OP_KILL)
		dying = true;
	if (rq->op != CTL_OP_ATTACH)
		return;
	if (rq->bind_ip[0] != '\0' || rq->port_low != WIRE_PORT_RANGE_LOW ||
	    rq->port_high != WIRE_PORT_RANGE_HIGH) {
		/* Shows the test what arrived, through the error path. */
		rp->status = ERR_UNSUPP;
		snprintf(rp->err, sizeof rp->err, "bind %s ports %u:%u", rq->bind_ip,
		         (unsigned)rq->port_low, (unsigned)rq->port_high);
		return;
	}
	rp->port = FAKE_PORT;
	snprintf(rp->key, sizeof rp->key, "%s", fake_key);
}

/* The child: serve until killed, asked to KILL, or 30 s (a bound, never reached in a pass). */
static _Noreturn void fake_serve(struct fake *f, int ready)
{
	struct ev_loop *loop = ev_loop_new();
	char err[ERR_LEN];
	struct ctl_server *s = ctl_server_new(loop, f->id, fake_handler, f, err);
	uint64_t end = clock_ms() + 30000;

	if (s == NULL) {
		fprintf(stderr, "fake %s: %s\n", f->id, err);
		_exit(2);
	}
	if (write(ready, "r", 1) != 1)
		_exit(2);
	close(ready);
	while (clock_ms() < end && !(dying && ctl_server_connections(s) == 0))
		ev_run_once(loop, 100);
	ctl_server_free(s);
	ev_loop_free(loop);
	_exit(0);
}

static void fake_start(struct fake *f)
{
	int p[2];
	char c;
	struct pollfd pfd;

	CHECK(pipe(p) == 0);
	fflush(stdout);
	f->pid = fork();
	CHECK(f->pid >= 0);
	if (f->pid == 0) {
		close(p[0]);
		fake_serve(f, p[1]);
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	CHECK(poll(&pfd, 1, 10000) == 1);
	CHECK(read(p[0], &c, 1) == 1);
	close(p[0]);
}

/* Whether the fake has exited on its own within a few seconds. */
static bool fake_gone(struct fake *f)
{
	for (int i = 0; i < 100; i++) {
		if (waitpid(f->pid, NULL, WNOHANG) == f->pid) {
			f->pid = 0;
			return true;
		}
		usleep(50000);
	}
	return false;
}

static void fake_stop(struct fake *f)
{
	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, NULL, 0);
		f->pid = 0;
	}
}

static void setup(void)
{
	snprintf(base, sizeof base, "/tmp/moshc-admin-XXXXXX");
	CHECK(mkdtemp(base) != NULL);
	setenv("XDG_RUNTIME_DIR", base, 1);
	unsetenv("SSH_CONNECTION");
}

/* Ends the fakes and removes the directory; also run after a failed case (no CHECKs here). */
static int remove_all(struct fake *f, size_t n)
{
	char cmd[160];

	for (size_t i = 0; i < n; i++)
		fake_stop(&f[i]);
	if (base[0] == '\0')
		return 0;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
	base[0] = '\0';
	return system(cmd);
}

static void teardown(struct fake *f, size_t n)
{
	CHECK_EQ_INT(remove_all(f, n), 0);
}

/* Run admin_main on the words; stdout (where MOSH CONNECT goes) is captured into out_text too. */
static int run(const char *first, ...)
{
	char *argv[32];
	int argc = 0, status, saved, tmp;
	size_t out_len, diag_len;
	FILE *out, *diag;
	va_list ap;
	char path[] = "/tmp/moshc-admin-out-XXXXXX";
	char stdout_text[4096];
	ssize_t n;

	argv[argc++] = (char *)first;
	va_start(ap, first);
	for (char *a; (a = va_arg(ap, char *)) != NULL;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	free(out_text);
	free(diag_text);
	out = open_memstream(&out_text, &out_len);
	diag = open_memstream(&diag_text, &diag_len);
	fflush(stdout);
	tmp = mkstemp(path);
	saved = dup(1);
	dup2(tmp, 1);
	status = admin_main(argc, argv, out, diag);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	n = pread(tmp, stdout_text, sizeof stdout_text - 1, 0);
	stdout_text[n > 0 ? n : 0] = '\0';
	close(tmp);
	unlink(path);
	fputs(stdout_text, out);
	fclose(out);
	fclose(diag);
	return status;
}

#define RUN_ADMIN(...) run(__VA_ARGS__, (char *)NULL)

static struct fake fakes[3];

static void start_fakes(size_t n, const struct fake *desc)
{
	setup();
	for (size_t i = 0; i < n; i++) {
		fakes[i] = desc[i];
		fake_start(&fakes[i]);
	}
}

TEST(no_sessions)
{
	setup();
	CHECK_EQ_INT(RUN_ADMIN("list"), 0);
	CHECK_EQ_STR(out_text, "No mosh-c sessions.\n");
	CHECK_EQ_INT(RUN_ADMIN("list", "--json"), 0);
	CHECK_EQ_STR(out_text, "[]\n");
	CHECK_EQ_INT(RUN_ADMIN("attach"), 1);
	CHECK(strstr(diag_text, "no detached mosh-c session") != NULL);
	CHECK_EQ_INT(RUN_ADMIN("kill", "work"), 1);
	CHECK(strstr(diag_text, "no session matches \"work\"") != NULL);
	CHECK_EQ_INT(RUN_ADMIN("kill", "--detached"), 1);
	CHECK_EQ_INT(RUN_ADMIN("list", "--bogus"), 1);
	CHECK(strstr(diag_text, "Usage: mosh-server list") != NULL);
	CHECK_EQ_INT(RUN_ADMIN("kill"), 1);
	CHECK_EQ_INT(RUN_ADMIN("attach", "--help"), 0);
	CHECK(strncmp(out_text, "Usage: mosh-server attach", 25) == 0);
	CHECK(admin_is_verb("list") && admin_is_verb("attach") && admin_is_verb("kill"));
	CHECK(!admin_is_verb("new") && !admin_is_verb(NULL));
	teardown(NULL, 0);
}

static const struct fake two[] = {
    {"aaaa1111", "work", CTL_STATE_DETACHED, 7200, 0},
    {"bbbb2222", "", CTL_STATE_ATTACHED, 30, 0},
};

/* The column where word starts in line number n of text (0-based), or -1. */
static long column_of(const char *text, int n, const char *word)
{
	const char *line = text, *end, *hit;

	for (int i = 0; i < n && line != NULL; i++)
		line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL;
	if (line == NULL)
		return -1;
	end = strchr(line, '\n');
	hit = strstr(line, word);
	return hit != NULL && (end == NULL || hit < end) ? hit - line : -1;
}

TEST(list_table_and_json)
{
	char want[256];

	start_fakes(2, two);
	CHECK_EQ_INT(RUN_ADMIN("list"), 0);
	CHECK_EQ_STR(diag_text, "");
	CHECK(strncmp(out_text, "ID        NAME  PID", 19) == 0);
	/* oldest first, every column aligned with its header */
	CHECK_EQ_INT(column_of(out_text, 1, "aaaa1111"), 0);
	CHECK_EQ_INT(column_of(out_text, 2, "bbbb2222"), 0);
	CHECK_EQ_INT(column_of(out_text, 1, "detached"), column_of(out_text, 0, "STATE"));
	CHECK_EQ_INT(column_of(out_text, 2, "attached"), column_of(out_text, 0, "STATE"));
	CHECK_EQ_INT(column_of(out_text, 1, "2h00m"), column_of(out_text, 0, "AGE"));
	CHECK_EQ_INT(column_of(out_text, 2, "30s"), column_of(out_text, 0, "AGE"));
	CHECK_EQ_INT(column_of(out_text, 1, "80x24"), column_of(out_text, 0, "SIZE"));
	CHECK_EQ_INT(column_of(out_text, 2, "-bash"), column_of(out_text, 0, "COMMAND"));
	snprintf(want, sizeof want, "%ld", (long)fakes[0].pid);
	CHECK_EQ_INT(column_of(out_text, 1, want), column_of(out_text, 0, "PID"));
	CHECK_EQ_INT(column_of(out_text, 3, "x"), -1);

	CHECK_EQ_INT(RUN_ADMIN("list", "--json"), 0);
	snprintf(want, sizeof want,
	         "[\n  {\"id\": \"aaaa1111\", \"name\": \"work\", \"pid\": %ld, \"state\": "
	         "\"detached\", \"client_addr\": \"192.0.2.1\", \"idle_s\": 5, \"age_s\": 7200, "
	         "\"rows\": 24, \"cols\": 80, \"command\": \"-bash \\\"quoted\\\"\"},\n",
	         (long)fakes[0].pid);
	CHECK(strncmp(out_text, want, strlen(want)) == 0);
	CHECK(strstr(out_text, "\"id\": \"bbbb2222\", \"name\": \"\"") != NULL);
	CHECK(strcmp(out_text + strlen(out_text) - 3, "}\n]\n") == 0 ||
	      strcmp(out_text + strlen(out_text) - 4, "}\n]\n") == 0);
	teardown(fakes, 2);
}

TEST(attach_picks_the_only_detached_session)
{
	char want[128];

	start_fakes(2, two);
	snprintf(want, sizeof want, "MOSH CONNECT %d %s\n", FAKE_PORT, fake_key);
	CHECK_EQ_INT(RUN_ADMIN("attach"), 0);
	CHECK(strstr(out_text, want) != NULL);
	CHECK(strstr(diag_text, "attached to session aaaa1111 (work)") != NULL);
	/* what mosh 1.4's launcher sends with --server='mosh-server attach work' */
	CHECK_EQ_INT(RUN_ADMIN("attach", "work", "new", "-c", "256", "-s", "-l", "LANG=C.UTF-8"),
	             0);
	CHECK(strstr(out_text, want) != NULL);
	/* and with --server='mosh-server attach' */
	CHECK_EQ_INT(RUN_ADMIN("attach", "new", "-c", "256", "-l", "LANG=C.UTF-8", "-v"), 0);
	CHECK(strstr(out_text, want) != NULL);
	/* by unique ID prefix, and an attached session by its full ID */
	CHECK_EQ_INT(RUN_ADMIN("attach", "aa"), 0);
	CHECK_EQ_INT(RUN_ADMIN("attach", "bbbb2222"), 0);
	CHECK(strstr(diag_text, "attached to session bbbb2222,") != NULL);
	/* -i, -p and -s reach the session */
	CHECK_EQ_INT(RUN_ADMIN("attach", "work", "-i", "10.1.2.3", "-p", "60001:60009"), 1);
	CHECK(strstr(diag_text, "session aaaa1111: bind 10.1.2.3 ports 60001:60009") != NULL);
	setenv("SSH_CONNECTION", "192.0.2.9 5555 10.9.9.9 22", 1);
	CHECK_EQ_INT(RUN_ADMIN("attach", "work", "-s", "-p", "60100"), 1);
	CHECK(strstr(diag_text, "bind 10.9.9.9 ports 60100:60100") != NULL);
	unsetenv("SSH_CONNECTION");
	/* -p 0 is any port, as for new (not the default range) */
	CHECK_EQ_INT(RUN_ADMIN("attach", "work", "-p", "0"), 1);
	CHECK(strstr(diag_text, "bind  ports 0:0") != NULL);
	/* refusals */
	CHECK_EQ_INT(RUN_ADMIN("attach", "work", "new", "--", "top"), 1);
	CHECK(strstr(diag_text, "already runs its command") != NULL);
	CHECK_EQ_INT(RUN_ADMIN("attach", "work", "--name", "other"), 1);
	CHECK_EQ_INT(RUN_ADMIN("attach", "work", "-p", "99999"), 1);
	CHECK(strstr(diag_text, "Bad UDP port range") != NULL);
	CHECK_EQ_INT(RUN_ADMIN("attach", "zzz"), 1);
	CHECK(strstr(diag_text, "no session matches \"zzz\"") != NULL);
	CHECK_EQ_INT(RUN_ADMIN("attach", "x\x1b[2J"), 1);
	CHECK(strstr(diag_text, "\x1b") == NULL);
	CHECK(strstr(out_text, "MOSH CONNECT") == NULL);
	teardown(fakes, 2);
}

static const struct fake three[] = {
    {"aaaa1111", "work", CTL_STATE_DETACHED, 100, 0},
    {"aaaa2222", "play", CTL_STATE_DETACHED, 200, 0},
    {"cccc3333", "conn", CTL_STATE_CONNECTING, 1, 0},
};

TEST(several_detached_or_ambiguous_need_a_name)
{
	start_fakes(3, three);
	CHECK_EQ_INT(RUN_ADMIN("attach"), 1);
	CHECK(strstr(diag_text, "several detached sessions") != NULL);
	CHECK(strstr(diag_text, "aaaa1111") != NULL && strstr(diag_text, "aaaa2222") != NULL);
	CHECK(strstr(diag_text, "cccc3333") == NULL);
	CHECK(strstr(out_text, "MOSH CONNECT") == NULL);
	CHECK_EQ_INT(RUN_ADMIN("attach", "aaaa"), 1);
	CHECK(strstr(diag_text, "matches several sessions") != NULL);
	CHECK_EQ_INT(RUN_ADMIN("attach", "play"), 0);
	CHECK(strstr(diag_text, "session aaaa2222 (play)") != NULL);
	/* a connecting session: no client address, no idle time */
	CHECK_EQ_INT(RUN_ADMIN("list"), 0);
	CHECK(strstr(out_text, "connecting  -  ") != NULL);
	teardown(fakes, 3);
}

TEST(kill_by_name_and_every_detached)
{
	start_fakes(3, three);
	CHECK_EQ_INT(RUN_ADMIN("kill", "conn"), 0);
	CHECK_EQ_STR(out_text, "Killed session cccc3333.\n");
	CHECK(fake_gone(&fakes[2]));
	CHECK_EQ_INT(RUN_ADMIN("kill", "--detached"), 0);
	CHECK_EQ_STR(out_text, "Killed 2 detached sessions.\n");
	CHECK(fake_gone(&fakes[0]));
	CHECK(fake_gone(&fakes[1]));
	/* their sockets went with them */
	CHECK_EQ_INT(RUN_ADMIN("list"), 0);
	CHECK_EQ_STR(out_text, "No mosh-c sessions.\n");
	CHECK_EQ_INT(RUN_ADMIN("kill", "--detached"), 1);
	CHECK(strstr(diag_text, "no detached mosh-c session to kill") != NULL);
	teardown(fakes, 3);
}

/* A socket nobody listens on at dir/name, as a killed session leaves it. */
static void dead_socket(const char *dir, const char *name, char *path, size_t cap)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/%s", dir, name);
	snprintf(path, cap, "%s", sa.sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
	close(fd);
}

TEST(list_removes_stale_sockets_and_refuses_a_bad_directory)
{
	char dir[80], dead[108], dead_agent[108], live_agent[108];
	struct stat st;

	start_fakes(1, two);
	snprintf(dir, sizeof dir, "%s/mosh-c", base);
	dead_socket(dir, "dead0001", dead, sizeof dead);
	dead_socket(dir, "dead0001.agent", dead_agent, sizeof dead_agent);
	dead_socket(dir, "aaaa1111.agent", live_agent, sizeof live_agent);
	CHECK_EQ_INT(RUN_ADMIN("list"), 0);
	CHECK(strstr(out_text, "aaaa1111") != NULL);
	CHECK(strstr(out_text, "dead0001") == NULL);
	CHECK(lstat(dead, &st) < 0 && errno == ENOENT);
	CHECK(lstat(dead_agent, &st) < 0 && errno == ENOENT);
	/* A live session's agent socket is its own business. */
	CHECK(lstat(live_agent, &st) == 0);
	CHECK(unlink(live_agent) == 0);
	CHECK(chmod(dir, 0711) == 0);
	CHECK_EQ_INT(RUN_ADMIN("list"), 1);
	CHECK(strstr(diag_text, "chmod 700") != NULL);
	CHECK(chmod(dir, 0700) == 0);
	teardown(fakes, 1);
}

/* The notice a new session prints: detached sessions only; the caller frees it (and nothing else).
 */
TEST(detached_notice_names_only_detached_sessions)
{
	char *notice;

	setup();
	CHECK(admin_detached_notice() == NULL);
	teardown(NULL, 0);
	start_fakes(2, two);
	notice = admin_detached_notice();
	CHECK(notice != NULL);
	CHECK(strncmp(notice, "mosh-c: you have 1 detached session on this server:\n", 52) == 0);
	CHECK(strstr(notice, "  aaaa1111 (work), idle 5s: -bash \"quoted\"\n") != NULL);
	CHECK(strstr(notice, "bbbb2222") == NULL);
	free(notice);
	teardown(fakes, 2);
}

/* A failed case jumps past its teardown: end its fakes here. */
#define RUN_CASE(name)                                                                             \
	do {                                                                                       \
		RUN(name);                                                                         \
		remove_all(fakes, sizeof fakes / sizeof fakes[0]);                                 \
	} while (0)

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	RUN_CASE(no_sessions);
	RUN_CASE(list_table_and_json);
	RUN_CASE(attach_picks_the_only_detached_session);
	RUN_CASE(several_detached_or_ambiguous_need_a_name);
	RUN_CASE(kill_by_name_and_every_detached);
	RUN_CASE(list_removes_stale_sockets_and_refuses_a_bad_directory);
	RUN_CASE(detached_notice_names_only_detached_sessions);
	free(out_text);
	free(diag_text);
	return test_done();
}
