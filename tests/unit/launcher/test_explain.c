/* launcher/explain: one sentence per way the server's start can fail. */
#include "../test.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launcher/explain.h"

/* A wait status as waitpid() reports it, built through a real child. */
static int status_of_exit(int code)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0)
		_exit(code);
	CHECK(pid > 0);
	CHECK_EQ_INT(waitpid(pid, &status, 0), pid);
	return status;
}

static int status_of_signal(int sig)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		signal(sig, SIG_DFL);
		raise(sig);
		_exit(0);
	}
	CHECK(pid > 0);
	CHECK_EQ_INT(waitpid(pid, &status, 0), pid);
	return status;
}

static const char *say(bool local, bool bad_port, int status)
{
	static char out[512];
	const struct explain_ctx c = {
	    .local = local,
	    .host = "me@example.org",
	    .server = "mosh-server",
	    .bad_udp_port = bad_port,
	};

	explain_no_server(&c, status, out, sizeof out);
	return out;
}

TEST(ssh_own_failure_points_at_ssh)
{
	CHECK_EQ_STR(say(false, false, status_of_exit(255)),
	             "ssh to me@example.org failed (status 255): see ssh's message above");
}

TEST(missing_server_names_host_and_fix)
{
	CHECK_EQ_STR(say(false, false, status_of_exit(127)),
	             "mosh-server not found on me@example.org: install mosh there, or pass "
	             "--server=PATH");
	CHECK_EQ_STR(say(true, false, status_of_exit(127)),
	             "mosh-server not found on this machine: install mosh, or pass --server=PATH");
	CHECK_EQ_STR(say(false, false, status_of_exit(126)),
	             "mosh-server on me@example.org cannot be run (status 126): check its "
	             "permissions, or pass --server=PATH");
}

TEST(server_status_is_the_servers)
{
	CHECK_EQ_STR(say(false, false, status_of_exit(3)),
	             "mosh-server exited with status 3 on me@example.org: see its message above");
	/* Without ssh, 255 is the server's own status. */
	CHECK_EQ_STR(say(true, false, status_of_exit(255)),
	             "mosh-server exited with status 255 on this machine: see its message above");
	CHECK_EQ_STR(say(false, false, status_of_exit(0)),
	             "mosh-server on me@example.org exited without printing MOSH CONNECT: is it "
	             "a mosh server? (pass --server=PATH)");
}

TEST(port_range_complaint_wins)
{
	CHECK_EQ_STR(say(false, true, status_of_exit(1)),
	             "Server does not support UDP port range option.");
}

TEST(signals)
{
	CHECK_EQ_STR(say(false, false, status_of_signal(SIGTERM)),
	             "ssh to me@example.org was killed by signal 15");
	CHECK_EQ_STR(say(true, false, status_of_signal(SIGTERM)),
	             "the server command was killed by signal 15");
}

TEST(long_names_are_cut_not_overrun)
{
	char host[1000], out[64];
	const struct explain_ctx c = {.host = host, .server = "mosh-server"};

	memset(host, 'h', sizeof host - 1);
	host[sizeof host - 1] = '\0';
	memset(out, 'x', sizeof out);
	explain_no_server(&c, status_of_exit(255), out, sizeof out);
	CHECK_EQ_INT(strlen(out), sizeof out - 1);
}

int main(void)
{
	RUN(ssh_own_failure_points_at_ssh);
	RUN(missing_server_names_host_and_fix);
	RUN(server_status_is_the_servers);
	RUN(port_range_complaint_wins);
	RUN(signals);
	RUN(long_names_are_cut_not_overrun);
	return test_done();
}
