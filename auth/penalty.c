/* penalty.c - failed authentications per remote IP, shared by workers.
 *
 * A fixed table in an anonymous shared mapping made by the master before
 * it forks the workers, so a client cannot spread its guesses over the
 * Postfix processes (each holding its own connection to some worker).
 * One process-shared mutex guards it; it is robust, so a worker killed
 * while holding it does not stop the others. Entries are found by a hash
 * of the address and a short linear probe; when the probe finds no room,
 * the entry least worth keeping (not blocked, oldest window) gives way.
 */
#include "auto-config.h"
#include "auth.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* slots looked at for one address */
#define PENALTY_PROBE 16
/* room for an IPv6 address as text */
#define PENALTY_KEY_MAX 48

struct penalty_entry {
	char key[PENALTY_KEY_MAX];	/* "" free */
	uint64_t window_start;		/* ms of the first counted failure */
	uint64_t blocked_until;		/* ms; 0 none */
	unsigned count;
};

struct penalty {
	pthread_mutex_t lock;
	struct penalty_entry e[AUTH_PENALTY_SLOTS];
};

struct penalty *penalty_new(struct sl_err *err)
{
	pthread_mutexattr_t attr;
	struct penalty *p;

	p = mmap(NULL, sizeof(*p), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		err_set_errno(err, errno, "penalty table: mmap");
		return NULL;
	}
	if (pthread_mutexattr_init(&attr) != 0 ||
	    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED) != 0 ||
	    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST) != 0 ||
	    pthread_mutex_init(&p->lock, &attr) != 0) {
		err_set(err, ERR_TEMP, "penalty table: cannot make a shared lock");
		(void)munmap(p, sizeof(*p));
		return NULL;
	}
	(void)pthread_mutexattr_destroy(&attr);
	return p;
}

void penalty_free(struct penalty **pp)
{
	if (*pp == NULL)
		return;
	(void)munmap(*pp, sizeof(**pp));
	*pp = NULL;
}

/* penalty_lock - a holder that died leaves the table as it was: every
 * update below is complete before the next one starts, or harmless */
static void penalty_lock(struct penalty *p)
{
	if (pthread_mutex_lock(&p->lock) == EOWNERDEAD)
		(void)pthread_mutex_consistent(&p->lock);
}

static void penalty_unlock(struct penalty *p)
{
	(void)pthread_mutex_unlock(&p->lock);
}

/* penalty_key - the address in one spelling (IPv4-mapped IPv6 as IPv4);
 * other text as it is, cut to the key size */
static void penalty_key(const char *rip, char key[PENALTY_KEY_MAX])
{
	unsigned char a[16];

	if (inet_pton(AF_INET6, rip, a) == 1) {
		static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
							   0, 0, 0xff, 0xff };

		if (memcmp(a, mapped, sizeof(mapped)) == 0)
			(void)inet_ntop(AF_INET, a + 12, key, PENALTY_KEY_MAX);
		else
			(void)inet_ntop(AF_INET6, a, key, PENALTY_KEY_MAX);
		return;
	}
	if (inet_pton(AF_INET, rip, a) == 1) {
		(void)inet_ntop(AF_INET, a, key, PENALTY_KEY_MAX);
		return;
	}
	(void)snprintf(key, PENALTY_KEY_MAX, "%s", rip);
}

static unsigned penalty_hash(const char *key)
{
	uint32_t h = 2166136261u;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h;
}

/* penalty_rank - 0 free or stale, 1 counting failures, 2 blocked */
static int penalty_rank(const struct penalty_entry *e, uint64_t now)
{
	if (e->blocked_until > now)
		return 2;
	if (e->key[0] == '\0' || e->count == 0 ||
	    now - e->window_start >= AUTH_PENALTY_WINDOW_MS)
		return 0;
	return 1;
}

/* penalty_rather - a is a better entry to give up than b */
static int penalty_rather(const struct penalty_entry *a,
			  const struct penalty_entry *b, uint64_t now)
{
	int ra = penalty_rank(a, now), rb = penalty_rank(b, now);

	if (ra != rb)
		return ra < rb;
	if (ra == 1)
		return a->window_start < b->window_start;
	if (ra == 2)
		return a->blocked_until < b->blocked_until;
	return 0;
}

/* penalty_find - the entry of key; with create, a new one if missing */
static struct penalty_entry *penalty_find(struct penalty *p, const char *key,
					  uint64_t now, int create)
{
	struct penalty_entry *e, *spare = NULL;
	unsigned h = penalty_hash(key), i;

	for (i = 0; i < PENALTY_PROBE; i++) {
		e = &p->e[(h + i) % AUTH_PENALTY_SLOTS];
		if (strcmp(e->key, key) == 0)
			return e;
		if (spare == NULL || penalty_rather(e, spare, now))
			spare = e;
	}
	if (!create)
		return NULL;
	memset(spare, 0, sizeof(*spare));
	memcpy(spare->key, key, strlen(key) + 1);
	return spare;
}

uint64_t penalty_blocked(struct penalty *p, const char *rip, uint64_t now_ms)
{
	char key[PENALTY_KEY_MAX];
	struct penalty_entry *e;
	uint64_t left = 0;

	penalty_key(rip, key);
	penalty_lock(p);
	e = penalty_find(p, key, now_ms, 0);
	if (e != NULL && e->blocked_until > now_ms)
		left = e->blocked_until - now_ms;
	penalty_unlock(p);
	return left;
}

int penalty_failed(struct penalty *p, const char *rip, unsigned max,
		   uint64_t block_ms, uint64_t now_ms)
{
	char key[PENALTY_KEY_MAX];
	struct penalty_entry *e;
	int started = 0;

	if (max == 0)
		return 0;
	penalty_key(rip, key);
	penalty_lock(p);
	e = penalty_find(p, key, now_ms, 1);
	if (e->count == 0 || now_ms - e->window_start >= AUTH_PENALTY_WINDOW_MS) {
		e->window_start = now_ms;
		e->count = 0;
	}
	if (++e->count >= max && e->blocked_until <= now_ms) {
		e->blocked_until = now_ms + (block_ms > 0 ? block_ms : 1);
		e->count = 0;
		started = 1;
	}
	penalty_unlock(p);
	return started;
}

void penalty_succeeded(struct penalty *p, const char *rip)
{
	char key[PENALTY_KEY_MAX];
	struct penalty_entry *e;

	penalty_key(rip, key);
	penalty_lock(p);
	e = penalty_find(p, key, 0, 0);
	if (e != NULL)
		e->count = 0;
	penalty_unlock(p);
}
