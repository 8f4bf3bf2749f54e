/* server/utmprec: the record's text, graceful failure, and the detached-session notice. */
#include "../test.h"

#include <fcntl.h>
#include <pty.h>
#include <stdlib.h>
#include <unistd.h>
#include <utmpx.h>

#include "server/utmprec.h"
#include "util/err.h"

static char utmp_path[64];
static char pts_line[32];

static void add_entry(const char *id, short type, const char *user, const char *line,
                      const char *host)
{
	struct utmpx e;

	memset(&e, 0, sizeof e);
	e.ut_type = type;
	e.ut_pid = 1;
	strncpy(e.ut_id, id, sizeof e.ut_id);
	strncpy(e.ut_user, user, sizeof e.ut_user);
	strncpy(e.ut_line, line, sizeof e.ut_line);
	strncpy(e.ut_host, host, sizeof e.ut_host);
	utmpxname(utmp_path);
	setutxent();
	pututxline(&e);
	endutxent();
	utmpxname(_PATH_UTMPX);
}

/* Find the system utmp record for host text; returns its type or -1. */
static int system_record_type(const char *host)
{
	struct utmpx *e;
	int type = -1;

	setutxent();
	while ((e = getutxent()) != NULL) {
		if (strncmp(e->ut_host, host, sizeof e->ut_host) == 0)
			type = e->ut_type;
	}
	endutxent();
	return type;
}

TEST(record_follows_client_or_degrades)
{
	int master, slave;
	struct utmprec u;
	int rc;
	char host[96];

	CHECK_EQ_INT(openpty(&master, &slave, NULL, NULL, NULL), 0);
	utmprec_init(&u, master, 4242);
	rc = utmprec_set(&u, NULL);
	if (rc < 0) {
		/* No utmp file or helper here: the session goes on without a record. */
		printf("# libutempter unavailable (%s): checking graceful failure only\n",
		       err_str(rc));
		CHECK_EQ_INT(rc, ERR_IO);
		CHECK(!u.added);
		utmprec_fini(&u);
	} else {
		CHECK(u.added);
		CHECK_EQ_STR(u.host, "mosh [4242]");
		CHECK_EQ_INT(system_record_type("mosh [4242]"), USER_PROCESS);
		CHECK_EQ_INT(utmprec_set(&u, "10.0.0.1"), 0);
		snprintf(host, sizeof host, "10.0.0.1 via mosh [4242]");
		CHECK_EQ_STR(u.host, host);
		CHECK_EQ_INT(system_record_type(host), USER_PROCESS);
		CHECK_EQ_INT(utmprec_set(&u, "10.0.0.1"), 0); /* unchanged: no rewrite */
		utmprec_fini(&u);
		CHECK(!u.added);
		CHECK(system_record_type(host) != USER_PROCESS);
	}
	close(slave);
	close(master);
}

TEST(detached_notice_singular_and_plural)
{
	char *n;

	add_entry("m1", USER_PROCESS, "alice", pts_line, "mosh [111]");
	add_entry("m2", USER_PROCESS, "alice", "no-such-tty9", "mosh [222]");       /* tty gone */
	add_entry("m3", USER_PROCESS, "bob", pts_line, "mosh [333]");               /* other user */
	add_entry("m4", USER_PROCESS, "alice", pts_line, "1.2.3.4 via mosh [444]"); /* attached */
	add_entry("m5", USER_PROCESS, "alice", pts_line, "mosh [555]");             /* ourselves */
	add_entry("m6", DEAD_PROCESS, "alice", pts_line, "mosh [666]");             /* ended */
	add_entry("m7", USER_PROCESS, "alice", pts_line, "mosh [77");               /* not ours */

	n = utmprec_detached_notice(utmp_path, "alice", "mosh [555]");
	CHECK(n != NULL);
	CHECK_EQ_STR(n, "\033[37;44mMosh: You have a detached Mosh session on this server "
	                "(mosh [111]).\033[m\n\n");
	free(n);
	CHECK(utmprec_detached_notice(utmp_path, "carol", "mosh [555]") == NULL);

	add_entry("m8", USER_PROCESS, "alice", pts_line, "mosh [888]");
	n = utmprec_detached_notice(utmp_path, "alice", "mosh [555]");
	CHECK(n != NULL);
	CHECK_EQ_STR(n, "\033[37;44mMosh: You have 2 detached Mosh sessions on this server, with "
	                "PIDs:\n        - mosh [111]\n        - mosh [888]\n\033[m\n");
	free(n);
}

int main(void)
{
	int master, slave, fd;
	char tmpl[] = "/tmp/moshc-utmp-XXXXXX";

	fd = mkstemp(tmpl);
	if (fd < 0 || openpty(&master, &slave, NULL, NULL, NULL) < 0)
		return 1;
	close(fd);
	snprintf(utmp_path, sizeof utmp_path, "%s", tmpl);
	snprintf(pts_line, sizeof pts_line, "%s", ptsname(master) + 5); /* strip "/dev/" */
	RUN(record_follows_client_or_degrades);
	RUN(detached_notice_singular_and_plural);
	close(slave);
	close(master);
	unlink(utmp_path);
	return test_done();
}
