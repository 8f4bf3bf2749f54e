/* The session's login record via libutempter; see utmprec.h. */
#include "server/utmprec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <utempter.h>
#include <utmpx.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/xmalloc.h"

void utmprec_init(struct utmprec *u, int master_fd, pid_t pid)
{
	memset(u, 0, sizeof *u);
	u->master_fd = master_fd;
	u->pid = pid;
}

int utmprec_set(struct utmprec *u, const char *client_ip)
{
	char host[sizeof u->host];

	if (client_ip != NULL)
		snprintf(host, sizeof host, "%s via mosh [%ld]", client_ip, (long)u->pid);
	else
		snprintf(host, sizeof host, "mosh [%ld]", (long)u->pid);
	if (u->added && strcmp(host, u->host) == 0)
		return 0;
	if (u->added) {
		utempter_remove_record(u->master_fd);
		u->added = false;
	}
	if (!utempter_add_record(u->master_fd, host)) {
		log_info("utempter could not add the record \"%s\"", host);
		return ERR_IO;
	}
	u->added = true;
	memcpy(u->host, host, sizeof host);
	return 0;
}

void utmprec_fini(struct utmprec *u)
{
	if (u->added)
		utempter_remove_record(u->master_fd);
	u->added = false;
}

static bool is_detached_host(const char *host, size_t len)
{
	return len >= 6 && strncmp(host, "mosh [", 6) == 0 && host[len - 1] == ']';
}

static bool tty_exists(const char *line, size_t len)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof path, "/dev/%.*s", (int)len, line);
	return stat(path, &st) == 0;
}

char *utmprec_detached_notice(const char *utmp_path, const char *user, const char *own_host)
{
	struct buf list;
	struct utmpx *e;
	int count = 0;
	char *notice = NULL;
	char first[sizeof e->ut_host + 1] = "";

	buf_init(&list);
	if (utmp_path != NULL && utmpxname(utmp_path) != 0)
		return NULL;
	setutxent();
	while ((e = getutxent()) != NULL) {
		size_t hlen = strnlen(e->ut_host, sizeof e->ut_host);

		if (e->ut_type != USER_PROCESS ||
		    strncmp(e->ut_user, user, sizeof e->ut_user) != 0 ||
		    !is_detached_host(e->ut_host, hlen))
			continue;
		if (own_host != NULL && strlen(own_host) == hlen &&
		    memcmp(own_host, e->ut_host, hlen) == 0)
			continue;
		if (!tty_exists(e->ut_line, strnlen(e->ut_line, sizeof e->ut_line)))
			continue;
		if (count++ == 0)
			snprintf(first, sizeof first, "%.*s", (int)hlen, e->ut_host);
		buf_appendf(&list, "        - %.*s\n", (int)hlen, e->ut_host);
	}
	endutxent();
	if (utmp_path != NULL)
		utmpxname(_PATH_UTMPX);
	if (count == 1)
		notice = xasprintf("\033[37;44mMosh: You have a detached Mosh session on this "
		                   "server (%s).\033[m\n\n",
		                   first);
	else if (count > 1)
		notice = xasprintf("\033[37;44mMosh: You have %d detached Mosh sessions on this "
		                   "server, with PIDs:\n%s\033[m\n",
		                   count, (const char *)list.data);
	buf_fini(&list);
	return notice;
}
