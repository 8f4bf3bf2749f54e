/*
 * The list / attach / kill verbs; see admin.h.
 *
 * Each verb first gathers the sessions (one INFO call per socket in the
 * directory, stale sockets removed on the way), then picks by ID or name and
 * acts. A session that does not answer, or answers oddly, is reported on diag
 * and skipped: one stuck session must not hide the others. Words the user
 * typed are passed through ctl_text_copy before they are echoed.
 */
#include "server/admin.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/wire.h"
#include "server/agentsock.h"
#include "server/ctl.h"
#include "server/ctldir.h"
#include "server/daemon.h"
#include "server/opts.h"
#include "util/buf.h"
#include "util/winsize.h"
#include "util/xmalloc.h"

#define PROG "mosh-server"

enum {
	ADMIN_MAX_SESSIONS = 1024,
	ADMIN_INFO_TIMEOUT_MS = 2000,
	ADMIN_ACT_TIMEOUT_MS = 5000,
};

struct session {
	char path[CTLDIR_PATH_MAX];
	struct ctl_info info;
};

struct sessions {
	struct session *v;
	size_t n;
};

static const char list_usage[] = "Usage: " PROG " list [--json]\n"
                                 "Lists your running mosh-c sessions: ID, name, server PID, "
                                 "state, client address,\n"
                                 "idle time, age, window size and command.\n";
static const char attach_usage[] =
    "Usage: " PROG " attach [ID|NAME] [-s] [-i LOCALADDR] [-p PORT[:PORT2]]\n"
    "Gives a running session a new connection and prints MOSH CONNECT <port> <key>.\n"
    "Without ID or NAME, the only detached session is taken. ID may be abbreviated\n"
    "to any unique prefix. -c, -l and -v are accepted and ignored.\n";
static const char kill_usage[] = "Usage: " PROG " kill ID|NAME\n"
                                 "       " PROG " kill --detached\n"
                                 "Ends a session, or every detached session.\n";

/* Compare by age, oldest first, then by ID: list's order. */
static int cmp_sessions(const void *a, const void *b)
{
	const struct ctl_info *x = &((const struct session *)a)->info;
	const struct ctl_info *y = &((const struct session *)b)->info;

	if (x->age_s != y->age_s)
		return x->age_s > y->age_s ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* A session killed without a chance to clean up (SIGKILL, a crash) leaves
 * its control socket, and its agent socket if it had one: remove both. */
static void remove_stale(const char *dir, const char *id, const char *path, FILE *diag)
{
	char agent[CTLDIR_PATH_MAX], err[ERR_LEN];

	if (ctldir_remove_stale(path, err) < 0 ||
	    agentsock_path(agent, sizeof agent, dir, id, err) < 0 ||
	    ctldir_remove_stale(agent, err) < 0)
		fprintf(diag, PROG ": %s\n", err);
}

/* Ask the session at path for its info; 1 when it joins the list, 0 when skipped. */
static int probe(struct session *s, const char *dir, const char *id, FILE *diag)
{
	struct ctl_request rq = {.op = CTL_OP_INFO};
	struct ctl_reply rp;
	char err[ERR_LEN];
	int rc = ctl_call(s->path, &rq, &rp, ADMIN_INFO_TIMEOUT_MS, err);

	if (rc == ERR_CLOSED) {
		remove_stale(dir, id, s->path, diag);
		return 0;
	}
	if (rc == ERR_NOTFOUND)
		return 0; /* ended while we looked */
	if (rc < 0) {
		fprintf(diag, PROG ": skipping session %s: %s\n", id, err);
		return 0;
	}
	if (rp.status != 0 || strcmp(rp.info.id, id) != 0) {
		fprintf(diag, PROG ": skipping session %s: %s\n", id,
		        rp.status != 0 ? rp.err : "it answers with another ID");
		return 0;
	}
	s->info = rp.info;
	return 1;
}

/* Every live session of ours, sorted; -1 after a message on diag. */
static int collect(struct sessions *ss, FILE *diag)
{
	char dir[CTLDIR_PATH_MAX], err[ERR_LEN];
	struct dirent *e;
	DIR *d;
	int rc = ctldir_get(dir, sizeof dir, false, err);

	ss->v = NULL;
	ss->n = 0;
	if (rc == ERR_NOTFOUND)
		return 0;
	if (rc < 0) {
		fprintf(diag, PROG ": %s\n", err);
		return -1;
	}
	d = opendir(dir);
	if (d == NULL) {
		fprintf(diag, PROG ": cannot read %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL && ss->n < ADMIN_MAX_SESSIONS) {
		struct session *s;
		struct stat st;

		if (!ctl_id_valid(e->d_name))
			continue;
		ss->v = xreallocarray(ss->v, ss->n + 1, sizeof *ss->v);
		s = &ss->v[ss->n];
		memset(s, 0, sizeof *s);
		if (ctldir_socket_path(s->path, sizeof s->path, dir, e->d_name, err) < 0 ||
		    lstat(s->path, &st) < 0)
			continue;
		if (ctldir_check_socket(&st, getuid(), s->path, err) < 0) {
			fprintf(diag, PROG ": %s\n", err);
			continue;
		}
		ss->n += (size_t)probe(s, dir, e->d_name, diag);
	}
	closedir(d);
	if (ss->n > 0)
		qsort(ss->v, ss->n, sizeof *ss->v, cmp_sessions);
	return 0;
}

static void fmt_duration(char *out, size_t cap, uint32_t s)
{
	if (s < 60)
		snprintf(out, cap, "%lus", (unsigned long)s);
	else if (s < 3600)
		snprintf(out, cap, "%lum%02lus", (unsigned long)(s / 60), (unsigned long)(s % 60));
	else if (s < 86400)
		snprintf(out, cap, "%luh%02lum", (unsigned long)(s / 3600),
		         (unsigned long)(s / 60 % 60));
	else
		snprintf(out, cap, "%lud%02luh", (unsigned long)(s / 86400),
		         (unsigned long)(s / 3600 % 24));
}

enum { COL_ID, COL_NAME, COL_PID, COL_STATE, COL_CLIENT, COL_IDLE, COL_AGE, COL_SIZE, NCOLS };

/* One table row's cells (the command, last and unpadded, is printed as is). */
static void row_cells(const struct ctl_info *in, char cells[NCOLS][CTL_ADDR_MAX + 1])
{
	snprintf(cells[COL_ID], sizeof cells[0], "%s", in->id);
	snprintf(cells[COL_NAME], sizeof cells[0], "%s", in->name[0] ? in->name : "-");
	snprintf(cells[COL_PID], sizeof cells[0], "%ld", (long)in->pid);
	snprintf(cells[COL_STATE], sizeof cells[0], "%s", ctl_state_name(in->state));
	snprintf(cells[COL_CLIENT], sizeof cells[0], "%s",
	         in->client_addr[0] ? in->client_addr : "-");
	if (in->client_addr[0])
		fmt_duration(cells[COL_IDLE], sizeof cells[0], in->idle_s);
	else
		snprintf(cells[COL_IDLE], sizeof cells[0], "-");
	fmt_duration(cells[COL_AGE], sizeof cells[0], in->age_s);
	snprintf(cells[COL_SIZE], sizeof cells[0], "%ux%u", (unsigned)in->cols, (unsigned)in->rows);
}

static void print_table(FILE *f, const struct sessions *ss)
{
	static const char *const head[NCOLS] = {"ID",     "NAME", "PID", "STATE",
	                                        "CLIENT", "IDLE", "AGE", "SIZE"};
	char cells[NCOLS][CTL_ADDR_MAX + 1];
	int width[NCOLS];

	for (int c = 0; c < NCOLS; c++)
		width[c] = (int)strlen(head[c]);
	for (size_t i = 0; i < ss->n; i++) {
		row_cells(&ss->v[i].info, cells);
		for (int c = 0; c < NCOLS; c++)
			if ((int)strlen(cells[c]) > width[c])
				width[c] = (int)strlen(cells[c]);
	}
	for (int c = 0; c < NCOLS; c++)
		fprintf(f, "%-*s  ", width[c], head[c]);
	fprintf(f, "COMMAND\n");
	for (size_t i = 0; i < ss->n; i++) {
		row_cells(&ss->v[i].info, cells);
		for (int c = 0; c < NCOLS; c++)
			fprintf(f, "%-*s  ", width[c], cells[c]);
		fprintf(f, "%s\n", ss->v[i].info.command);
	}
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void print_json(FILE *f, const struct sessions *ss)
{
	fputc('[', f);
	for (size_t i = 0; i < ss->n; i++) {
		const struct ctl_info *in = &ss->v[i].info;

		fprintf(f, "%s\n  {\"id\": ", i ? "," : "");
		json_string(f, in->id);
		fprintf(f, ", \"name\": ");
		json_string(f, in->name);
		fprintf(f, ", \"pid\": %ld, \"state\": ", (long)in->pid);
		json_string(f, ctl_state_name(in->state));
		fprintf(f, ", \"client_addr\": ");
		json_string(f, in->client_addr);
		fprintf(f, ", \"idle_s\": %lu, \"age_s\": %lu, \"rows\": %u, \"cols\": %u",
		        (unsigned long)in->idle_s, (unsigned long)in->age_s, (unsigned)in->rows,
		        (unsigned)in->cols);
		fprintf(f, ", \"command\": ");
		json_string(f, in->command);
		fputc('}', f);
	}
	fprintf(f, "%s]\n", ss->n ? "\n" : "");
}

/* True when argv[1..argc) holds --help or -h; the verb's usage then goes to out. */
static bool wants_help(int argc, char *const *argv, const char *usage, FILE *out)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage, out);
			return true;
		}
	}
	return false;
}

/* A word the user typed, made safe to echo. */
static const char *shown(const char *word, char buf[CTL_NAME_MAX + 1])
{
	ctl_text_copy(buf, CTL_NAME_MAX + 1, word);
	return buf;
}

static bool is_id_prefix(const char *id, const char *word)
{
	size_t len = strlen(word);

	return len > 0 && len <= CTL_ID_LEN && strncmp(id, word, len) == 0;
}

/*
 * The session word names: an exact ID, else an exact name, else a unique ID
 * prefix. Its index, or -1 after a message (with the candidates when several
 * match).
 */
static long pick(const struct sessions *ss, const char *word, FILE *diag)
{
	struct sessions hits = {.v = xcalloc(ss->n + 1, sizeof *ss->v), .n = 0};
	char buf[CTL_NAME_MAX + 1];
	long found = -1;

	for (int pass = 0; pass < 3 && hits.n == 0; pass++) {
		for (size_t i = 0; i < ss->n; i++) {
			const struct ctl_info *in = &ss->v[i].info;
			bool hit = pass == 0   ? strcmp(in->id, word) == 0
			           : pass == 1 ? strcmp(in->name, word) == 0
			                       : is_id_prefix(in->id, word);

			if (hit) {
				hits.v[hits.n++] = ss->v[i];
				found = (long)i;
			}
		}
	}
	if (hits.n == 0)
		fprintf(diag, PROG ": no session matches \"%s\": see " PROG " list\n",
		        shown(word, buf));
	if (hits.n > 1) {
		fprintf(diag, PROG ": \"%s\" matches several sessions; give its ID:\n",
		        shown(word, buf));
		print_table(diag, &hits);
		found = -1;
	}
	free(hits.v);
	return found;
}

/* Send op to the session; 0, or -1 after a message. *rp holds the reply either way. */
static int act(const struct session *s, const struct ctl_request *rq, struct ctl_reply *rp,
               FILE *diag)
{
	char err[ERR_LEN];

	if (ctl_call(s->path, rq, rp, ADMIN_ACT_TIMEOUT_MS, err) < 0) {
		fprintf(diag, PROG ": session %s: %s\n", s->info.id, err);
		return -1;
	}
	if (rp->status != 0) {
		fprintf(diag, PROG ": session %s: %s\n", s->info.id, rp->err);
		return -1;
	}
	return 0;
}

static int do_list(int argc, char *const *argv, FILE *out, FILE *diag)
{
	struct sessions ss;
	bool json = false;

	if (wants_help(argc, argv, list_usage, out))
		return 0;
	for (int i = 1; i < argc; i++) {
		char buf[CTL_NAME_MAX + 1];

		if (strcmp(argv[i], "--json") != 0) {
			fprintf(diag, PROG " list: unknown argument \"%s\"\n%s",
			        shown(argv[i], buf), list_usage);
			return 1;
		}
		json = true;
	}
	if (collect(&ss, diag) < 0)
		return 1;
	if (json)
		print_json(out, &ss);
	else if (ss.n == 0)
		fprintf(out, "No mosh-c sessions.\n");
	else
		print_table(out, &ss);
	free(ss.v);
	return 0;
}

/* attach's target: the named session, or the only detached one. */
static long attach_target(const struct sessions *ss, const char *word, FILE *diag)
{
	struct sessions detached = {.v = xcalloc(ss->n + 1, sizeof *ss->v), .n = 0};
	long found = -1;

	if (word != NULL) {
		free(detached.v);
		return pick(ss, word, diag);
	}
	for (size_t i = 0; i < ss->n; i++) {
		if (ss->v[i].info.state == CTL_STATE_DETACHED) {
			detached.v[detached.n++] = ss->v[i];
			found = (long)i;
		}
	}
	if (detached.n == 0) {
		fprintf(diag,
		        PROG ": no detached mosh-c session to attach to; start one with "
		             "mosh (or " PROG " new), or name one: " PROG " attach ID|NAME\n");
		found = -1;
	} else if (detached.n > 1) {
		fprintf(diag, PROG ": there are several detached sessions; name one: " PROG
		                   " attach ID|NAME\n");
		print_table(diag, &detached);
		found = -1;
	}
	free(detached.v);
	return found;
}

/*
 * attach's options are new's (mosh 1.4's launcher sends them), parsed by
 * srvopts; the command and --name make no sense for a running session.
 */
static int attach_options(struct srvopts *o, int argc, char *const *argv, FILE *out, FILE *diag)
{
	char **args = xcalloc((size_t)argc + 2, sizeof *args);
	int n = 0;
	enum srvopts_action a;

	args[n++] = PROG;
	args[n++] = "new";
	for (int i = 0; i < argc; i++)
		args[n++] = argv[i];
	a = srvopts_parse(o, n, args, getenv("SSH_CONNECTION"), PROG, out, diag);
	free(args);
	if (a != SRVOPTS_RUN)
		return a == SRVOPTS_FAIL ? 1 : 0;
	if (o->command != NULL) {
		fprintf(diag, PROG " attach: the session already runs its command; drop the words "
		                   "after \"--\" (or start another session with mosh without "
		                   "--attach)\n");
		return 1;
	}
	if (o->name != NULL) {
		fprintf(diag, PROG " attach: --name only names a new session; leave it out\n");
		return 1;
	}
	if (o->bind_ip != NULL && strlen(o->bind_ip) > CTL_ADDR_MAX) {
		fprintf(diag, PROG " attach: the -i address is too long\n");
		return 1;
	}
	return -1;
}

static int do_attach(int argc, char *const *argv, FILE *out, FILE *diag)
{
	struct ctl_request rq = {.op = CTL_OP_ATTACH};
	struct ctl_reply rp;
	struct sessions ss;
	struct srvopts o;
	const char *word = NULL;
	int i = 1, status;
	long k;

	if (wants_help(argc, argv, attach_usage, out))
		return 0;
	if (i < argc && argv[i][0] != '-' && strcmp(argv[i], "new") != 0)
		word = argv[i++];
	status = attach_options(&o, argc - i, argv + i, out, diag);
	if (status >= 0) {
		srvopts_fini(&o);
		return status;
	}
	if (o.bind_ip != NULL)
		snprintf(rq.bind_ip, sizeof rq.bind_ip, "%s", o.bind_ip);
	/* -p as for new: 0 is any port; without -p, mosh's usual range. */
	rq.port_low = o.port_spec != NULL ? o.port_low : WIRE_PORT_RANGE_LOW;
	rq.port_high = o.port_spec != NULL ? o.port_high : WIRE_PORT_RANGE_HIGH;
	srvopts_fini(&o);
	if (!winsize_get(STDIN_FILENO, &rq.rows, &rq.cols))
		rq.rows = rq.cols = 0;
	if (collect(&ss, diag) < 0)
		return 1;
	k = attach_target(&ss, word, diag);
	status = 1;
	if (k >= 0 && act(&ss.v[k], &rq, &rp, diag) == 0) {
		const struct ctl_info *in = &ss.v[k].info;

		fprintf(diag, "[" PROG " attached to session %s%s%s%s, pid = %ld]\n", in->id,
		        in->name[0] ? " (" : "", in->name, in->name[0] ? ")" : "", (long)in->pid);
		fflush(diag);
		daemon_announce(rp.port, rp.key);
		status = 0;
	}
	explicit_bzero(&rp, sizeof rp);
	free(ss.v);
	return status;
}

static int kill_detached(const struct sessions *ss, FILE *out, FILE *diag)
{
	struct ctl_request rq = {.op = CTL_OP_KILL};
	struct ctl_reply rp;
	size_t killed = 0, failed = 0;

	for (size_t i = 0; i < ss->n; i++) {
		if (ss->v[i].info.state != CTL_STATE_DETACHED)
			continue;
		if (act(&ss->v[i], &rq, &rp, diag) == 0)
			killed++;
		else
			failed++;
	}
	if (killed == 0 && failed == 0) {
		fprintf(diag, PROG ": no detached mosh-c session to kill\n");
		return 1;
	}
	fprintf(out, "Killed %zu detached session%s.\n", killed, killed == 1 ? "" : "s");
	return failed ? 1 : 0;
}

static int do_kill(int argc, char *const *argv, FILE *out, FILE *diag)
{
	struct ctl_request rq = {.op = CTL_OP_KILL};
	struct ctl_reply rp;
	struct sessions ss;
	int status = 1;
	long k;

	if (wants_help(argc, argv, kill_usage, out))
		return 0;
	if (argc != 2 || (argv[1][0] == '-' && strcmp(argv[1], "--detached") != 0)) {
		fprintf(diag, PROG " kill: name one session, or use --detached\n%s", kill_usage);
		return 1;
	}
	if (collect(&ss, diag) < 0)
		return 1;
	if (strcmp(argv[1], "--detached") == 0) {
		status = kill_detached(&ss, out, diag);
	} else if ((k = pick(&ss, argv[1], diag)) >= 0 && act(&ss.v[k], &rq, &rp, diag) == 0) {
		fprintf(out, "Killed session %s.\n", ss.v[k].info.id);
		status = 0;
	}
	free(ss.v);
	return status;
}

char *admin_detached_notice(void)
{
	FILE *quiet = fopen("/dev/null", "w");
	struct sessions ss;
	struct buf b;
	size_t n = 0;
	char idle[16];
	char *notice;

	if (quiet == NULL)
		return NULL;
	if (collect(&ss, quiet) < 0) {
		fclose(quiet);
		return NULL;
	}
	fclose(quiet);
	buf_init(&b);
	for (size_t i = 0; i < ss.n; i++) {
		const struct ctl_info *in = &ss.v[i].info;

		if (in->state != CTL_STATE_DETACHED)
			continue;
		fmt_duration(idle, sizeof idle, in->idle_s);
		buf_appendf(&b, "  %s%s%s%s, idle %s: %s\n", in->id, in->name[0] ? " (" : "",
		            in->name, in->name[0] ? ")" : "", idle, in->command);
		n++;
	}
	free(ss.v);
	if (n == 0) {
		buf_fini(&b);
		return NULL;
	}
	notice =
	    xasprintf("mosh-c: you have %zu detached session%s on this server:\n%s"
	              "Reattach with \"mosh --attach=ID HOST\" (\"mosh-server list\" shows "
	              "them all);\nend them with \"mosh-server kill ID\" or \"mosh-server kill "
	              "--detached\".\n",
	              n, n == 1 ? "" : "s", (const char *)b.data);
	buf_fini(&b);
	return notice;
}

bool admin_is_verb(const char *word)
{
	return word != NULL && (strcmp(word, "list") == 0 || strcmp(word, "attach") == 0 ||
	                        strcmp(word, "kill") == 0);
}

int admin_main(int argc, char *const *argv, FILE *out, FILE *diag)
{
	ASSERT(argc >= 1 && admin_is_verb(argv[0]));
	if (strcmp(argv[0], "list") == 0)
		return do_list(argc, argv, out, diag);
	if (strcmp(argv[0], "attach") == 0)
		return do_attach(argc, argv, out, diag);
	return do_kill(argc, argv, out, diag);
}
