/* lmtp-load - bench/lmtp's load client (see bench/README.md).
 *
 *   lmtp-load -P PORT -c CONNS -n COUNT -R RCPTS [-U] [-u PREFIX]
 *             [-d DOMAIN] [-f SENDER] [-t SECS] MSGDIR
 *	CONNS processes, released together, each with one LMTP connection
 *	to 127.0.0.1:PORT; connection k sends messages k, k+CONNS, ...
 *	below COUNT (MSGDIR/NNNNNN.eml as bench/driver -g writes them,
 *	sent with CRLF line ends and dot-stuffed), each to RCPTS
 *	recipients PREFIX1@DOMAIN .. PREFIXn@DOMAIN (-U: connection k,
 *	from 0, to PREFIX(k*n+1) .. PREFIX(k*n+n), so that no two
 *	connections share a mailbox). Pipelined: MAIL, the RCPTs and DATA
 *	in one write, then their replies; the body and the dot in one
 *	write, then one reply per accepted recipient.
 *   lmtp-load -L -P PORT -c CONNS -n COUNT -N USERS [-u PREFIX]
 *             [-d DOMAIN] [-f SENDER] [-t SECS]
 *	lookups only (bench/lookup): CONNS connections as above share
 *	COUNT transactions (connection k does k, k+CONNS, ... below
 *	COUNT), each MAIL FROM, one RCPT TO and RSET, pipelined in one
 *	write, then their three replies; no DATA, so nothing is delivered
 *	and every transaction is one user lookup. Connection k's j-th
 *	recipient is PREFIX((k*USERS/CONNS + j) mod USERS + 1)@DOMAIN:
 *	each connection goes through all USERS in turn, starting at its
 *	own offset, so COUNT = R*USERS*CONNS asks for every user R times
 *	on every connection. ok counts the 250 replies to RCPT.
 *   lmtp-load -w SECS -P PORT
 *	wait until 127.0.0.1:PORT greets with 220 (exit 0), else exit 1
 *   lmtp-load -F
 *	print a TCP port on 127.0.0.1 free now, below the ephemeral range
 *
 * Prints one line: ok=N fail=N secs=S rate=RCPTS/S msgs=M conns=C
 * rcpts=R (-L: ok=N fail=N secs=S rate=LOOKUPS/S lookups=COUNT
 * conns=C users=N). ok counts the 250 replies after the dot (-L: to
 * RCPT); fail = COUNT*RCPTS - ok (any other reply, or a connection
 * that broke off); the first failures of each connection go to stderr.
 * The time runs from the release of the connections (before their
 * connect) to the last reply after the last dot (-L: to RSET). A read
 * waiting longer than SECS (60) is a failure. Exits 1 if anything
 * failed, 2 on usage or setup errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#define MAX_CONNS 256
#define MAX_RCPTS 100
#define LINE_MAX_LEN 4096
#define FAIL_KEEP 3

struct opts {
	unsigned port, conns, count, rcpts, timeout_s, wait_s, users;
	const char *prefix, *domain, *sender, *msgdir;
	int free_port, own_users, lookups;
};

struct msg {
	char *data;		/* CRLF, dot-stuffed, ending ".\r\n" */
	size_t len;
};

/* one per connection, in shared memory */
struct slot {
	unsigned ok, msgs, bad, nkept;	/* bad: replies other than expected */
	double end;		/* CLOCK_MONOTONIC at the last reply */
	char kept[FAIL_KEEP][200];
};

struct conn {
	int fd;
	const struct opts *o;
	struct slot *s;
	int pipelining;		/* seen in the LHLO reply */
	char buf[16384];
	size_t have, pos;
};

static void usage(void)
{
	fputs("usage: lmtp-load -P PORT -c CONNS -n COUNT -R RCPTS [-U]"
	      " [-u PREFIX] [-d DOMAIN] [-f SENDER] [-t SECS] MSGDIR\n"
	      "       lmtp-load -L -P PORT -c CONNS -n COUNT -N USERS"
	      " [-u PREFIX] [-d DOMAIN] [-f SENDER] [-t SECS]\n"
	      "       lmtp-load -w SECS -P PORT\n"
	      "       lmtp-load -F\n", stderr);
	exit(2);
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* note - keep a failure's text (the first FAIL_KEEP of a connection) */
static void note(struct slot *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note(struct slot *s, const char *fmt, ...)
{
	va_list ap;

	if (s->nkept >= FAIL_KEEP)
		return;
	va_start(ap, fmt);
	vsnprintf(s->kept[s->nkept++], sizeof(s->kept[0]), fmt, ap);
	va_end(ap);
}

/* load_msg - read a message file into its wire form */
static void load_msg(struct msg *m, const char *path)
{
	struct stat st;
	char *raw, *w;
	size_t i, n;
	ssize_t r;
	int fd, bol = 1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0)
		die(path);
	n = (size_t)st.st_size;
	raw = malloc(n + 1);
	m->data = malloc(2 * n + 8);
	if (raw == NULL || m->data == NULL)
		die("malloc");
	for (i = 0; i < n; i += (size_t)r)
		if ((r = read(fd, raw + i, n - i)) <= 0)
			die(path);
	close(fd);
	for (w = m->data, i = 0; i < n; i++) {
		if (bol && raw[i] == '.')
			*w++ = '.';
		if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r'))
			*w++ = '\r';
		*w++ = raw[i];
		bol = raw[i] == '\n';
	}
	if (!bol) {
		*w++ = '\r';
		*w++ = '\n';
	}
	memcpy(w, ".\r\n", 3);
	m->len = (size_t)(w + 3 - m->data);
	free(raw);
}

static int connect_port(unsigned port)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* send_all - 0, or -1 with the failure noted */
static int send_all(struct conn *c, const char *p, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = write(c->fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			note(c->s, "write: %s", strerror(errno));
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* read_line - the next line without its CRLF into line (bounded; the
 * rest of a longer line is dropped); 0, or -1 on EOF, error or timeout
 * with the failure noted */
static int read_line(struct conn *c, char *line, size_t size)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	size_t len = 0;
	ssize_t r;
	char ch;
	int pr;

	for (;;) {
		if (c->pos == c->have) {
			pr = poll(&pfd, 1, (int)c->o->timeout_s * 1000);
			if (pr < 0 && errno == EINTR)
				continue;
			if (pr == 0) {
				note(c->s, "no reply within %us", c->o->timeout_s);
				return -1;
			}
			r = read(c->fd, c->buf, sizeof(c->buf));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				note(c->s, "read: %s", r == 0 ?
				     "connection closed" : strerror(errno));
				return -1;
			}
			c->have = (size_t)r;
			c->pos = 0;
		}
		ch = c->buf[c->pos++];
		if (ch == '\n')
			break;
		if (len + 1 < size)
			line[len++] = ch;
	}
	if (len > 0 && line[len - 1] == '\r')
		len--;
	line[len] = '\0';
	return 0;
}

/* read_reply - a whole (multi-line) reply: its code, the last line in
 * line; -1 on a broken connection or a line that is no reply */
static int read_reply(struct conn *c, char *line, size_t size)
{
	for (;;) {
		if (read_line(c, line, size) < 0)
			return -1;
		if (strlen(line) < 3 || line[0] < '1' || line[0] > '5' ||
		    line[1] < '0' || line[1] > '9' || line[2] < '0' ||
		    line[2] > '9' || (line[3] != '\0' && line[3] != ' ' &&
				      line[3] != '-')) {
			note(c->s, "not a reply: %.120s", line);
			return -1;
		}
		if (line[3] != '\0' && strcmp(line + 4, "PIPELINING") == 0)
			c->pipelining = 1;
		if (line[3] != '-')
			return atoi(line);
	}
}

/* bad_reply - count and keep a reply that was not the expected one */
static void bad_reply(struct conn *c, const char *what, const char *line)
{
	c->s->bad++;
	note(c->s, "%s: %.150s", what, line);
}

/* transact - one message, pipelined; 0, or -1 when the connection broke */
static int transact(struct conn *c, const struct msg *m, const char *cmds,
		    size_t cmdlen)
{
	char line[LINE_MAX_LEN], what[32];
	unsigned i, accepted = 0, good = 0;
	int code;

	if (send_all(c, cmds, cmdlen) < 0 ||
	    (code = read_reply(c, line, sizeof(line))) < 0)
		return -1;
	if (code != 250)
		bad_reply(c, "MAIL", line);
	for (i = 0; i < c->o->rcpts; i++) {
		if ((code = read_reply(c, line, sizeof(line))) < 0)
			return -1;
		if (code == 250)
			accepted++;
		else
			bad_reply(c, "RCPT", line);
	}
	if ((code = read_reply(c, line, sizeof(line))) < 0)
		return -1;
	if (code != 354) {
		bad_reply(c, "DATA", line);
		if (send_all(c, "RSET\r\n", 6) < 0 ||
		    read_reply(c, line, sizeof(line)) < 0)
			return -1;
		return 0;
	}
	if (send_all(c, m->data, m->len) < 0)
		return -1;
	for (i = 0; i < accepted; i++) {
		if ((code = read_reply(c, line, sizeof(line))) < 0)
			return -1;
		if (code == 250) {
			good++;
		} else {
			snprintf(what, sizeof(what), "after the dot, #%u", i + 1);
			bad_reply(c, what, line);
		}
	}
	c->s->ok += good;
	if (good == c->o->rcpts)
		c->s->msgs++;
	return 0;
}

/* lookup - one MAIL, RCPT to user number user, RSET, pipelined; 0, or
 * -1 when the connection broke */
static int lookup(struct conn *c, unsigned user)
{
	static const char *const what[3] = { "MAIL", "RCPT", "RSET" };
	char cmds[1024], line[LINE_MAX_LEN];
	unsigned i;
	int n, code;

	n = snprintf(cmds, sizeof(cmds),
		     "MAIL FROM:<%s>\r\nRCPT TO:<%s%u@%s>\r\nRSET\r\n",
		     c->o->sender, c->o->prefix, user, c->o->domain);
	if (n < 0 || (size_t)n >= sizeof(cmds)) {
		note(c->s, "commands too long");
		return -1;
	}
	if (send_all(c, cmds, (size_t)n) < 0)
		return -1;
	for (i = 0; i < 3; i++) {
		if ((code = read_reply(c, line, sizeof(line))) < 0)
			return -1;
		if (code != 250)
			bad_reply(c, what[i], line);
		else if (i == 1)
			c->s->ok++;
	}
	c->s->msgs++;
	return 0;
}

/* lookups - connection k's share of -L: users from its own offset on */
static unsigned lookups(struct conn *c, unsigned k)
{
	const struct opts *o = c->o;
	unsigned long first = (unsigned long)k * o->users / o->conns;
	unsigned i, j;

	for (i = k, j = 0; i < o->count; i += o->conns, j++)
		if (lookup(c, (unsigned)((first + j) % o->users) + 1) < 0)
			break;
	return i;
}

/* build_cmds - MAIL, the RCPTs and DATA, as sent for every message */
static size_t build_cmds(const struct opts *o, unsigned k, char *out,
			 size_t size)
{
	unsigned r, base = o->own_users ? k * o->rcpts : 0;
	size_t len;
	int n;

	n = snprintf(out, size, "MAIL FROM:<%s>\r\n", o->sender);
	if (n < 0 || (size_t)n >= size)
		goto toolong;
	for (len = (size_t)n, r = 1; r <= o->rcpts; r++, len += (size_t)n) {
		n = snprintf(out + len, size - len, "RCPT TO:<%s%u@%s>\r\n",
			     o->prefix, base + r, o->domain);
		if (n < 0 || (size_t)n >= size - len)
			goto toolong;
	}
	n = snprintf(out + len, size - len, "DATA\r\n");
	if (n < 0 || (size_t)n >= size - len)
		goto toolong;
	return len + (size_t)n;
toolong:
	fputs("lmtp-load: commands too long\n", stderr);
	exit(2);
}

/* client - connection k: wait for the start, connect, send its share */
static void client(const struct opts *o, const struct msg *msgs, unsigned k,
		   struct slot *s, int start_fd)
{
	static struct conn c;
	char line[LINE_MAX_LEN], cmds[MAX_RCPTS * 160];
	size_t cmdlen = o->lookups ? 0 : build_cmds(o, k, cmds, sizeof(cmds));
	unsigned i;
	char ch;

	memset(&c, 0, sizeof(c));
	c.o = o;
	c.s = s;
	line[0] = '\0';
	while (read(start_fd, &ch, 1) < 0 && errno == EINTR)
		;
	if ((c.fd = connect_port(o->port)) < 0) {
		note(s, "connect: %s", strerror(errno));
		return;
	}
	if (read_reply(&c, line, sizeof(line)) != 220) {
		note(s, "greeting: %.150s", line);
		return;
	}
	if (send_all(&c, "LHLO bench.example.org\r\n", 24) < 0 ||
	    read_reply(&c, line, sizeof(line)) != 250) {
		note(s, "LHLO: %.150s", line);
		return;
	}
	if (!c.pipelining)
		note(s, "warning: no PIPELINING in the LHLO reply");
	if (o->lookups)
		i = lookups(&c, k);
	else
		for (i = k; i < o->count; i += o->conns)
			if (transact(&c, &msgs[i], cmds, cmdlen) < 0)
				break;
	s->end = now();
	if (i >= o->count && send_all(&c, "QUIT\r\n", 6) == 0)
		read_reply(&c, line, sizeof(line));
	close(c.fd);
}

/* free_port - a port on 127.0.0.1 that binds now, in 20000-32767 (below
 * Linux's ephemeral range, so no outgoing connection takes it) */
static int free_port(void)
{
	struct sockaddr_in sa;
	unsigned port;
	int fd, tries, one = 1;

	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	for (tries = 0; tries < 500; tries++) {
		port = 20000 + (unsigned)rand() % 12768;
		if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			die("socket");
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_port = htons((unsigned short)port);
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(fd);
			printf("%u\n", port);
			return 0;
		}
		close(fd);
	}
	fputs("lmtp-load: no free port found\n", stderr);
	return 2;
}

/* wait_greeting - poll until the server greets with 220 */
static int wait_greeting(const struct opts *o)
{
	static struct conn c;
	struct slot s;
	struct opts quick = *o;
	char line[LINE_MAX_LEN];
	double deadline = now() + o->wait_s;

	quick.timeout_s = 2;
	do {
		memset(&c, 0, sizeof(c));
		memset(&s, 0, sizeof(s));
		c.o = &quick;
		c.s = &s;
		if ((c.fd = connect_port(o->port)) >= 0) {
			if (read_reply(&c, line, sizeof(line)) == 220) {
				send_all(&c, "QUIT\r\n", 6);
				read_reply(&c, line, sizeof(line));
				close(c.fd);
				return 0;
			}
			close(c.fd);
		}
		usleep(50000);
	} while (now() < deadline);
	fprintf(stderr, "lmtp-load: no 220 greeting on 127.0.0.1:%u within %us\n",
		o->port, o->wait_s);
	return 1;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->prefix = "bench";
	o->domain = "example.com";
	o->sender = "sender@example.org";
	o->timeout_s = 60;
	while ((c = getopt(argc, argv, "P:c:n:R:Uu:d:f:t:w:FLN:")) != -1) {
		switch (c) {
		case 'P': o->port = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'c': o->conns = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'n': o->count = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'R': o->rcpts = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'U': o->own_users = 1; break;
		case 'u': o->prefix = optarg; break;
		case 'd': o->domain = optarg; break;
		case 'f': o->sender = optarg; break;
		case 't': o->timeout_s = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'w': o->wait_s = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'F': o->free_port = 1; break;
		case 'L': o->lookups = 1; break;
		case 'N': o->users = (unsigned)strtoul(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (o->free_port)
		return;
	if (o->port == 0 || o->port > 65535)
		usage();
	if (o->wait_s > 0)
		return;
	if (o->lookups) {
		if (optind != argc || o->conns == 0 || o->conns > MAX_CONNS ||
		    o->count < o->conns || o->users == 0 || o->timeout_s == 0)
			usage();
		o->rcpts = 1;	/* one lookup per transaction */
		return;
	}
	if (optind != argc - 1 || o->conns == 0 || o->conns > MAX_CONNS ||
	    o->count < o->conns || o->rcpts == 0 || o->rcpts > MAX_RCPTS ||
	    o->timeout_s == 0)
		usage();
	o->msgdir = argv[optind];
}

/* report - the result line on stdout, kept failures on stderr */
static int report(const struct opts *o, const struct slot *slots, double t0)
{
	unsigned k, j, ok = 0, msgs = 0, expected = o->count * o->rcpts;
	double end = t0;

	for (k = 0; k < o->conns; k++) {
		ok += slots[k].ok;
		msgs += slots[k].msgs;
		if (slots[k].end > end)
			end = slots[k].end;
		if (slots[k].bad > 0)
			fprintf(stderr, "lmtp-load: connection %u: %u bad replies\n",
				k + 1, slots[k].bad);
		for (j = 0; j < slots[k].nkept; j++)
			fprintf(stderr, "lmtp-load: connection %u: %s\n", k + 1,
				slots[k].kept[j]);
	}
	if (o->lookups)
		printf("ok=%u fail=%u secs=%.3f rate=%.1f lookups=%u conns=%u"
		       " users=%u\n", ok, expected - ok, end - t0,
		       end > t0 ? (double)ok / (end - t0) : 0.0, o->count,
		       o->conns, o->users);
	else
		printf("ok=%u fail=%u secs=%.3f rate=%.1f msgs=%u conns=%u"
		       " rcpts=%u\n", ok, expected - ok, end - t0,
		       end > t0 ? (double)ok / (end - t0) : 0.0, msgs,
		       o->conns, o->rcpts);
	return ok != expected;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct msg *msgs;
	struct slot *slots;
	char path[4096];
	unsigned i;
	double t0;
	int p[2], n, status;
	pid_t pid, parent;

	parse_opts(argc, argv, &o);
	if (o.free_port)
		return free_port();
	signal(SIGPIPE, SIG_IGN);
	if (o.wait_s > 0)
		return wait_greeting(&o);
	if ((msgs = calloc(o.lookups ? 1 : o.count, sizeof(*msgs))) == NULL)
		die("calloc");
	for (i = 0; i < o.count && !o.lookups; i++) {
		n = snprintf(path, sizeof(path), "%s/%06u.eml", o.msgdir, i);
		if (n < 0 || (size_t)n >= sizeof(path))
			die("message path");
		load_msg(&msgs[i], path);
	}
	slots = mmap(NULL, sizeof(*slots) * o.conns, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (slots == MAP_FAILED)
		die("mmap");
	memset(slots, 0, sizeof(*slots) * o.conns);
	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe");
	parent = getpid();
	for (i = 0; i < o.conns; i++) {
		if ((pid = fork()) < 0)
			die("fork");
		if (pid == 0) {
			close(p[1]);
			/* die with the parent (the script stops it on SIGTERM) */
			if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
			    getppid() != parent)
				_exit(1);
			client(&o, msgs, i, &slots[i], p[0]);
			_exit(0);
		}
	}
	close(p[0]);
	usleep(100000);		/* let every client reach its read() */
	t0 = now();
	close(p[1]);		/* EOF: go */
	while ((pid = wait(&status)) > 0 || errno == EINTR)
		;
	return report(&o, slots, t0);
}
