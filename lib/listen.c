/* listen.c - a daemon's listening sockets: PREFIX_listen (HOST:PORT,
 * [V6]:PORT, unix:PATH), PREFIX_unix_mode/_user/_group for the UNIX
 * sockets, or the sockets systemd passed (socket activation) */
#include "auto-config.h"
#include "listen.h"


#include "config.h"
#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <netinet/in.h>

#define LISTEN_BACKLOG 128
/* the first descriptor systemd passes (SD_LISTEN_FDS_START) */
#define SYSTEMD_FD_START 3

static void listeners_add(struct listeners *ls, int fd, const char *name,
			  const char *unix_path)
{
	ls->v = xreallocarray(ls->v, ls->count + 1, sizeof(*ls->v));
	ls->v[ls->count].fd = fd;
	ls->v[ls->count].name = xstrdup(name);
	ls->v[ls->count].unix_path = unix_path != NULL ? xstrdup(unix_path)
						       : NULL;
	ls->count++;
}

static int fd_prepare(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -1;
	return 0;
}

/* systemd_fds - sockets passed by socket activation (sd_listen_fds(3)
 * protocol: LISTEN_PID is us, LISTEN_FDS of them from fd 3); -1 none */
static int systemd_fds(struct listeners *ls)
{
	const char *pid = getenv("LISTEN_PID"), *n = getenv("LISTEN_FDS");
	long count, i;
	char *end;

	if (pid == NULL || n == NULL || strtol(pid, &end, 10) != (long)getpid() ||
	    *end != '\0')
		return -1;
	count = strtol(n, &end, 10);
	if (*end != '\0' || count <= 0 || count > 64)
		return -1;
	for (i = 0; i < count; i++) {
		char name[32];
		int fd = (int)(SYSTEMD_FD_START + i);

		if (fd_prepare(fd) < 0)
			return -1;
		(void)snprintf(name, sizeof(name), "systemd:%d", fd);
		listeners_add(ls, fd, name, NULL);
	}
	(void)unsetenv("LISTEN_PID");
	(void)unsetenv("LISTEN_FDS");
	(void)unsetenv("LISTEN_FDNAMES");
	return 0;
}

/* unix_stale - a socket file at path that nobody listens on */
static int unix_stale(const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, r;

	if (lstat(sun->sun_path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return 0;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	r = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	(void)close(fd);
	return r < 0 && errno == ECONNREFUSED;
}

/* key - "PREFIX_name" in buf */
static const char *key(char *buf, size_t size, const char *prefix,
		       const char *name)
{
	(void)snprintf(buf, size, "%s_%s", prefix, name);
	return buf;
}

/* unix_owner - PREFIX_unix_user and _unix_group as ids; (uid_t)-1 and
 * (gid_t)-1 when not set */
static int unix_owner(const struct config *cfg, const char *prefix,
		      uid_t *uid_r, gid_t *gid_r,
		      struct sl_err *err)
{
	char k1[64], k2[64];
	const char *u = config_str(cfg, key(k1, sizeof(k1), prefix, "unix_user"));
	const char *g = config_str(cfg, key(k2, sizeof(k2), prefix, "unix_group"));
	struct passwd *pw;
	struct group *gr;
	char *end;
	unsigned long n;

	*uid_r = (uid_t)-1;
	*gid_r = (gid_t)-1;
	if (*u != '\0') {
		n = strtoul(u, &end, 10);
		if (*end == '\0') {
			*uid_r = (uid_t)n;
		} else if ((pw = getpwnam(u)) != NULL) {
			*uid_r = pw->pw_uid;
		} else {
			return err_set(err, ERR_USAGE, "%s: no user %s",
				       k1, u);
		}
	}
	if (*g == '\0')
		return 0;
	n = strtoul(g, &end, 10);
	if (*end == '\0') {
		*gid_r = (gid_t)n;
		return 0;
	}
	gr = getgrnam(g);
	if (gr == NULL)
		return err_set(err, ERR_USAGE, "%s: no group %s", k2, g);
	*gid_r = gr->gr_gid;
	return 0;
}

static int listen_unix(const struct config *cfg, const char *prefix,
		       struct listeners *ls,
		       const char *spec, const char *path, struct sl_err *err)
{
	struct sockaddr_un sun;
	unsigned long mode;
	char *end, *dir, k[64];
	uid_t uid;
	gid_t gid;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (*path != '/' || strlen(path) >= sizeof(sun.sun_path))
		return err_set(err, ERR_USAGE, "%s_listen: %s: a UNIX socket "
			       "needs an absolute path under %zu bytes", prefix, spec,
			       sizeof(sun.sun_path));
	memcpy(sun.sun_path, path, strlen(path));
	mode = strtoul(config_str(cfg, key(k, sizeof(k), prefix, "unix_mode")),
		       &end, 8);
	if (*end != '\0' || mode > 07777)
		return err_set(err, ERR_USAGE, "%s: not an octal mode", k);
	if (unix_owner(cfg, prefix, &uid, &gid, err) < 0)
		return -1;
	/* a missing directory (Postfix's private/ when Postfix is not there
	   yet) is made */
	dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	if (*dir != '\0' && mkdir(dir, 0755) < 0 && errno != EEXIST) {
		err_set_errno(err, errno, "%s_listen: mkdir %s", prefix, dir);
		free(dir);
		return -1;
	}
	free(dir);
	if (unix_stale(&sun))
		(void)unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return err_set_errno(err, errno, "socket");
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    ((uid != (uid_t)-1 || gid != (gid_t)-1) && chown(path, uid, gid) < 0) ||
	    chmod(path, (mode_t)mode) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
		err_set_errno(err, errno, "%s_listen: %s", prefix, spec);
		(void)close(fd);
		return -1;
	}
	listeners_add(ls, fd, spec, path);
	return 0;
}

/* split_host_port - "HOST:PORT" or "[V6]:PORT" into host and port */
static int split_host_port(char *s, char **host_r, char **port_r)
{
	char *colon;

	if (*s == '[') {
		char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		*close = '\0';
		*host_r = s + 1;
		*port_r = close + 2;
		return 0;
	}
	colon = strrchr(s, ':');
	if (colon == NULL || strchr(s, ':') != colon)
		return -1;
	*colon = '\0';
	*host_r = s;
	*port_r = colon + 1;
	return 0;
}

static int listen_inet(const char *prefix, struct listeners *ls,
		       const char *spec, struct sl_err *err)
{
	struct addrinfo hints, *res = NULL, *ai;
	char *copy = xstrdup(spec), *host, *port;
	int fd = -1, r, one = 1;

	if (split_host_port(copy, &host, &port) < 0 || *port == '\0') {
		free(copy);
		return err_set(err, ERR_USAGE, "%s_listen: %s: not HOST:PORT, "
			       "[V6]:PORT or unix:PATH", prefix, spec);
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	r = getaddrinfo(strcmp(host, "*") == 0 || *host == '\0' ? NULL : host,
			port, &hints, &res);
	if (r != 0) {
		err_set(err, ERR_USAGE, "%s_listen: %s: %s", prefix, spec,
			gai_strerror(r));
		free(copy);
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
			    SOCK_NONBLOCK, ai->ai_protocol);
		if (fd < 0)
			continue;
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ai->ai_family == AF_INET6)
			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
					 sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, LISTEN_BACKLOG) == 0)
			break;
		err_set_errno(err, errno, "%s_listen: %s", prefix, spec);
		(void)close(fd);
		fd = -1;
	}
	if (res != NULL)
		freeaddrinfo(res);
	free(copy);
	if (fd < 0) {
		if (err->cls == ERR_NONE)
			err_set(err, ERR_TEMP, "%s_listen: %s: no address",
				prefix, spec);
		return -1;
	}
	listeners_add(ls, fd, spec, NULL);
	return 0;
}

/* next_item - the next comma-separated, blank-trimmed item of *s */
static char *next_item(char **s)
{
	char *p = *s, *start, *end;

	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	if (*p == '\0')
		return NULL;
	start = p;
	while (*p != '\0' && *p != ',')
		p++;
	end = p;
	if (*p == ',')
		p++;
	*s = p;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	return start;
}

int listeners_open(const struct config *cfg, const char *prefix,
		   struct listeners *ls, struct sl_err *err)
{
	char *specs, *cur, *item, k[64];
	int ret = 0;

	memset(ls, 0, sizeof(*ls));
	if (systemd_fds(ls) == 0)
		return 0;
	specs = xstrdup(config_str(cfg, key(k, sizeof(k), prefix, "listen")));
	cur = specs;
	while (ret == 0 && (item = next_item(&cur)) != NULL) {
		if (strncmp(item, "unix:", 5) == 0)
			ret = listen_unix(cfg, prefix, ls, item, item + 5, err);
		else
			ret = listen_inet(prefix, ls, item, err);
	}
	free(specs);
	if (ret == 0 && ls->count == 0)
		ret = err_set(err, ERR_USAGE, "%s is empty", k);
	if (ret < 0)
		listeners_close(ls, 1);
	return ret;
}

void listeners_close(struct listeners *ls, int remove_unix)
{
	size_t i;

	for (i = 0; i < ls->count; i++) {
		(void)close(ls->v[i].fd);
		if (remove_unix && ls->v[i].unix_path != NULL)
			(void)unlink(ls->v[i].unix_path);
		free(ls->v[i].name);
		free(ls->v[i].unix_path);
	}
	free(ls->v);
	memset(ls, 0, sizeof(*ls));
}
