/*
 * spool - durable alert queue and sent record.  See spool.h.
 *
 * Every path below the spool is reached through a directory fd and the
 * *at() calls, with a name checked by spool_id_ok() first.
 *
 * Durability, with a pool file (the reply path's usual case; see
 * put_pooled): the file is written whole, linked as new/<id> (its
 * tmp/ name stays), then fsync'd once; that one device flush writes the
 * data and the inode and, the inode not being new, no directory.  The
 * tmp/ name was made durable before the file was handed out
 * (spool_pool_fill, spool_settle sync tmp/), and spool files validate
 * themselves (magic, id, length, END trailer), so once spool_put
 * returned SPOOL_OK every crash state still holds the alert:
 *   - new/<id> on disk (with or without the tmp/ name): delivered from
 *     new/; recover_tmp drops the tmp/ name (same inode);
 *   - new/<id> lost: recover_tmp (every spool_open) finds the complete
 *     file under its tmp/ name, links it into new/<id> (unless the id
 *     is pending, sent or dead), syncs new/ and drops the tmp/ name.
 * A put that did not return may leave new/<id> incomplete: the sender's
 * spool_read moves it to bad/ (logged); its tmp/ name does not validate
 * and is removed once stale.  The putter holds the pool file's flock
 * until its fsync is done, so a sender never claims a file that is not
 * on disk yet.  spool_settle (the sender, once per pass, off the reply
 * path) syncs new/ once for all puts since, then drops their tmp/
 * names; a file delivered before it was settled (link count 2) is
 * unlinked, not recycled.  Without a pool file (a new tmp/ file, whose
 * name is not durable) the put takes the old way: fsync, rename into
 * new/ without replacing anything (renameat2 RENAME_NOREPLACE, or
 * link+unlink), fsync new/: two flushes.  The put path does nothing
 * else slow: no directory scan unless the spool looks full.  A
 * delivered file goes back into the pool (spool_ack_claimed, usable
 * after the next settle's sync of tmp/) and its sent/ record is a hard
 * link to a shared marker, so in steady state no inode is created or
 * freed per alert at all.
 *
 * Measured under a Postfix load and left out (docs/PERFORMANCE.md,
 * "Postfix: milter throughput"): group commit of the fsync(new/) (few
 * puts meet at that point, and a late one waits for the fsync in flight
 * and then its own: slower), O_TMPFILE + linkat (tmp/ untouched, but the
 * link count linkat raises must reach the disk too, a third sync per
 * put: no faster), syncfs() for a batch of files (it writes out all
 * that is dirty on the file system, Postfix's queue too: slower).
 */
#include "autoconfig.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "spool.h"

#define SPOOL_MAGIC		"SOARSPOOL 1\n"
#define SPOOL_TRAILER		"\nEND\n"
#define SPOOL_HEADER_MAX	512
#define SPOOL_STALE_TMP_SEC	60
#define SPOOL_RESCAN_MS		5000
#define SPOOL_WHY_MAX		(1024 * 1024)
/* room for any name in tmp/: an id-based tmp_create() name or a pool name */
#define SPOOL_TMP_NAME		(SPOOL_ID_MAX + 64)
#define SPOOL_POOL_PREFIX	",pool."	/* never an alert id */
#define SPOOL_MARKER_PREFIX	".sent."	/* never an alert id */

struct pool_file {
	int		 fd;		/* O_WRONLY, flock'd, empty, synced */
	char		 name[SPOOL_TMP_NAME];	/* in tmp/ */
};

struct spool {
	char		*root;		/* state_dir/spool */
	int		 dfd_tmp, dfd_new, dfd_dead, dfd_bad, dfd_sent;
	int64_t		 max_files, max_bytes;
	int64_t		 sent_retention, sent_max_entries;

	pthread_mutex_t	 lock;		/* everything below */
	bool		 scanning;
	int64_t		 last_scan_ms;	/* monotonic */
	struct spool_stats st;
	char		 marker[64];	/* current sent/ marker, or "" */
	time_t		 marker_until;	/* take a new one from then on */
	bool		 pool_wanted;	/* this handle has put an alert */
	bool		 pool_filling;
	size_t		 npool;
	struct pool_file pool[SPOOL_POOL_MAX];
	/* Delivered files taken back (recycle), in tmp/ under a pool name
	 * that is not durable yet: they join the pool at spool_settle. */
	size_t		 nrecycled;
	struct pool_file recycled[SPOOL_POOL_MAX];
	/* Pool files put and linked into new/, whose tmp/ name is still
	 * there (unsettled): spool_settle syncs new/ and drops the names. */
	size_t		 nlinked, caplinked;
	char		(*linked)[SPOOL_TMP_NAME];
};

struct dent {
	char		*name;
	struct timespec	 mtime;
	off_t		 size;
};

static int	scan_new(struct spool *, struct dent **, size_t *,
		    struct errbuf *);

/* spool_id_ok - is id a safe file name for the spool */
bool
spool_id_ok(const char *id)
{
	size_t	n, i;

	if (id == NULL || id[0] == '\0' || id[0] == '.' || id[0] == '-')
		return false;
	n = strlen(id);
	if (n > SPOOL_ID_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-'))
			return false;
	}
	if (n >= 4 && strcmp(id + n - 4, ".why") == 0)
		return false;
	return true;
}

/* check_id - spool_id_ok with an error message */
static bool
check_id(const char *id, struct errbuf *err)
{
	if (spool_id_ok(id))
		return true;
	errbuf_set(err, "unsafe alert id \"%.64s%s\": only [A-Za-z0-9._-], "
	    "1-%d characters, no leading '.' or '-', no \".why\" suffix",
	    id != NULL ? id : "(null)",
	    id != NULL && strlen(id) > 64 ? "..." : "", SPOOL_ID_MAX);
	return false;
}

/* open_dir - create root/sub if needed and open it as a directory fd */
static int
open_dir(const char *root, const char *sub, struct errbuf *err)
{
	char	*path;
	int	 fd;

	path = xasprintf("%s/%s", root, sub);
	if (mkdir_p(path, 0700, err) == -1) {
		free(path);
		return -1;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		errbuf_set(err, "open %s: %s", path, strerror(errno));
	free(path);
	return fd;
}

/* timespec_cmp - order two mtimes */
static int
timespec_cmp(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	if (a->tv_nsec != b->tv_nsec)
		return a->tv_nsec < b->tv_nsec ? -1 : 1;
	return 0;
}

/* dent_cmp - oldest first, then by name (stable across runs) */
static int
dent_cmp(const void *a, const void *b)
{
	const struct dent *x = a, *y = b;
	int	c;

	if ((c = timespec_cmp(&x->mtime, &y->mtime)) != 0)
		return c;
	return strcmp(x->name, y->name);
}

static void
dents_free(struct dent *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/*
 * read_dir - the regular files in dirfd whose names pass keep(),
 * with mtime and size.  Names that fail keep() are passed to reject()
 * if it is not NULL.
 */
static int
read_dir(int dirfd, bool (*keep)(const char *),
    void (*reject)(struct spool *, const char *), struct spool *sp,
    struct dent **v_r, size_t *n_r, struct errbuf *err)
{
	struct dent	*v = NULL;
	size_t		 n = 0, cap = 0;
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	int		 fd;

	if ((fd = dup(dirfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		errbuf_set(err, "opendir: %s", strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	rewinddir(d);
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (!keep(de->d_name)) {
			if (reject != NULL)
				reject(sp, de->d_name);
			continue;
		}
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			continue;	/* gone meanwhile */
		if (!S_ISREG(st.st_mode)) {
			if (reject != NULL)
				reject(sp, de->d_name);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n].name = xstrdup(de->d_name);
		v[n].mtime = st.st_mtim;
		v[n].size = st.st_size;
		n++;
	}
	if (errno != 0) {
		errbuf_set(err, "readdir: %s", strerror(errno));
		closedir(d);
		dents_free(v, n);
		return -1;
	}
	closedir(d);
	if (n > 1)
		qsort(v, n, sizeof(*v), dent_cmp);
	*v_r = v;
	*n_r = n;
	return 0;
}

/* move_to_bad - rename new/<name> to bad/<name>.<ms>, best effort */
static void
move_to_bad(struct spool *sp, const char *name)
{
	char	*dst;

	dst = xasprintf("%.200s.%" PRId64, name, util_now_ms());
	if (renameat(sp->dfd_new, name, sp->dfd_bad, dst) == 0) {
		log_warn("-: spool: new/%.200s moved to bad/%s", name, dst);
		(void)fsync(sp->dfd_bad);
		pthread_mutex_lock(&sp->lock);
		sp->st.bad++;
		pthread_mutex_unlock(&sp->lock);
	} else if (errno != ENOENT)
		log_err("-: spool: rename new/%.200s to bad/: %s", name,
		    strerror(errno));
	free(dst);
}

static int	read_fd_bounded(int, size_t, char **, size_t *);
static bool	exists_at(int, const char *);
static const char *parse_file(const char *, char *, size_t, const char **,
		    size_t *);

/*
 * file_id - the id a spool file image names in its header ("id X"),
 * copied into id (SPOOL_ID_MAX + 1 bytes), if the image is a complete,
 * valid spool file for that id.  buf is modified (parse_file).
 */
static bool
file_id(char *buf, size_t n, char *id)
{
	const char	*p, *e, *body;
	size_t		 ml = strlen(SPOOL_MAGIC), len;

	if (n < ml || memcmp(buf, SPOOL_MAGIC, ml) != 0)
		return false;
	p = buf + ml;
	if (n - ml < 3 || strncmp(p, "id ", 3) != 0)
		return false;
	p += 3;
	if ((e = memchr(p, '\n', n - (size_t)(p - buf))) == NULL ||
	    (size_t)(e - p) > SPOOL_ID_MAX)
		return false;
	memcpy(id, p, (size_t)(e - p));
	id[e - p] = '\0';
	return spool_id_ok(id) && parse_file(id, buf, n, &body, &len) ==
	    NULL;
}

/*
 * recover_tmp - deal with the tmp/ files nobody holds (no lock).  A
 * complete spool file there is an alert whose put returned SPOOL_OK
 * (its data and its tmp/ name are durable) but whose new/ name may not
 * be: it is linked into new/<id> unless the id is already pending,
 * sent or dead, new/ is synced, then the tmp/ name goes.  This also
 * settles the linked files of a live handle (they are not locked once
 * their put returned): harmless, it is what spool_settle does.
 * Anything else is a put that did not return, or a pool file of a
 * process that is gone: removed once older than SPOOL_STALE_TMP_SEC (a
 * young one may be a file being created right now).
 */
static void
recover_tmp(struct spool *sp)
{
	struct dirent	*de;
	struct stat	 st, st2;
	struct strlist	 settle = { 0 };
	char		 id[SPOOL_ID_MAX + 1], *buf;
	time_t		 now = time(NULL);
	size_t		 n, i;
	DIR		*d;
	int		 fd, ffd;
	bool		 complete;

	if ((fd = dup(sp->dfd_tmp)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (fstatat(sp->dfd_tmp, de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		complete = false;
		ffd = -1;
		if (S_ISREG(st.st_mode)) {
			ffd = openat(sp->dfd_tmp, de->d_name, O_RDONLY |
			    O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
			if (ffd == -1)
				continue;
			/* Locked: being written, or another process's
			 * pool. */
			if (flock(ffd, LOCK_EX | LOCK_NB) == -1 ||
			    fstat(ffd, &st) == -1) {
				close(ffd);
				continue;
			}
			if (st.st_size > 0 && read_fd_bounded(ffd,
			    SPOOL_MAX_BODY + SPOOL_HEADER_MAX + 16, &buf,
			    &n) == 0) {
				complete = file_id(buf, n, id);
				free(buf);
			}
		}
		if (complete) {
			if (fstatat(sp->dfd_new, id, &st2,
			    AT_SYMLINK_NOFOLLOW) == 0) {
				if (st2.st_ino == st.st_ino &&
				    st2.st_dev == st.st_dev)
					strlist_add(&settle, de->d_name);
				else
					(void)unlinkat(sp->dfd_tmp,
					    de->d_name, 0);
			} else if (spool_was_sent(sp, id) ||
			    exists_at(sp->dfd_dead, id))
				(void)unlinkat(sp->dfd_tmp, de->d_name, 0);
			else if (linkat(sp->dfd_tmp, de->d_name, sp->dfd_new,
			    id, 0) == 0) {
				log_warn("-: spool: %s: recovered from "
				    "tmp/%.200s (its new/ name was lost)", id,
				    de->d_name);
				strlist_add(&settle, de->d_name);
			} else
				log_err("-: spool: %s: cannot recover "
				    "tmp/%.200s into new/: %s", id, de->d_name,
				    strerror(errno));
		} else if (now - st.st_mtime >= SPOOL_STALE_TMP_SEC &&
		    unlinkat(sp->dfd_tmp, de->d_name, 0) == 0)
			log_info("-: spool: removed stale tmp/%.200s",
			    de->d_name);
		if (ffd != -1)
			close(ffd);
	}
	closedir(d);
	if (settle.n > 0) {
		if (fsync(sp->dfd_new) == -1)
			log_err("-: spool: %s/new: fsync: %s (tmp/ names "
			    "kept)", sp->root, strerror(errno));
		else
			for (i = 0; i < settle.n; i++)
				(void)unlinkat(sp->dfd_tmp, settle.v[i], 0);
	}
	strlist_free(&settle);
}

/* rescan - recount new/ (files, bytes) */
static int
rescan(struct spool *sp, struct errbuf *err)
{
	struct dent	*v;
	size_t		 n, i;
	uint64_t	 bytes = 0;

	if (scan_new(sp, &v, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++)
		bytes += (uint64_t)v[i].size;
	dents_free(v, n);
	pthread_mutex_lock(&sp->lock);
	sp->st.files = n;
	sp->st.bytes = bytes;
	sp->last_scan_ms = util_mono_ms();
	pthread_mutex_unlock(&sp->lock);
	return 0;
}

/* spool_open - create the directories, clean up, count pending */
struct spool *
spool_open(const struct config *cfg, struct errbuf *err)
{
	struct spool	*sp;

	if (cfg->state_dir == NULL || cfg->state_dir[0] == '\0') {
		errbuf_set(err, "state_dir is not set");
		return NULL;
	}
	sp = xcalloc(1, sizeof(*sp));
	sp->dfd_tmp = sp->dfd_new = sp->dfd_dead = sp->dfd_bad =
	    sp->dfd_sent = -1;
	pthread_mutex_init(&sp->lock, NULL);
	sp->root = xasprintf("%s/spool", cfg->state_dir);
	sp->max_files = cfg->spool_max_files;
	sp->max_bytes = cfg->spool_max_bytes;
	sp->sent_retention = cfg->sent_retention;
	sp->sent_max_entries = cfg->sent_max_entries;
	if ((sp->dfd_tmp = open_dir(sp->root, "tmp", err)) == -1 ||
	    (sp->dfd_new = open_dir(sp->root, "new", err)) == -1 ||
	    (sp->dfd_dead = open_dir(sp->root, "dead", err)) == -1 ||
	    (sp->dfd_bad = open_dir(sp->root, "bad", err)) == -1 ||
	    (sp->dfd_sent = open_dir(cfg->state_dir, "sent", err)) == -1)
		goto fail;
	recover_tmp(sp);
	if (rescan(sp, err) == -1)
		goto fail;
	return sp;
fail:
	spool_close(&sp);
	return NULL;
}

/* spool_close - release everything; *spp becomes NULL */
void
spool_close(struct spool **spp)
{
	struct spool	*sp = *spp;
	struct errbuf	 err;

	if (sp == NULL)
		return;
	if (sp->nlinked > 0 && spool_settle(sp, &err) == -1)
		log_warn("-: spool: %s (the next open settles them)",
		    err.msg);
	for (; sp->npool > 0; sp->npool--) {
		struct pool_file *pf = &sp->pool[sp->npool - 1];

		(void)unlinkat(sp->dfd_tmp, pf->name, 0);
		close(pf->fd);
	}
	for (; sp->nrecycled > 0; sp->nrecycled--) {
		struct pool_file *pf = &sp->recycled[sp->nrecycled - 1];

		(void)unlinkat(sp->dfd_tmp, pf->name, 0);
		close(pf->fd);
	}
	free(sp->linked);
	if (sp->dfd_tmp != -1)
		close(sp->dfd_tmp);
	if (sp->dfd_new != -1)
		close(sp->dfd_new);
	if (sp->dfd_dead != -1)
		close(sp->dfd_dead);
	if (sp->dfd_bad != -1)
		close(sp->dfd_bad);
	if (sp->dfd_sent != -1)
		close(sp->dfd_sent);
	pthread_mutex_destroy(&sp->lock);
	free(sp->root);
	free(sp);
	*spp = NULL;
}

/* writev_all - write the iovecs whole (they are modified) */
static int
writev_all(int fd, struct iovec *iov, int n)
{
	ssize_t	w;

	while (n > 0) {
		w = writev(fd, iov, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -1;
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/* exists_at - does name exist in dirfd */
static bool
exists_at(int dirfd, const char *name)
{
	struct stat	st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/*
 * move_noreplace - rename sfd/src to dfd/dst unless dst exists: 0 done,
 * 1 dst exists (src left in place), -1 error (errno).
 */
static int
move_noreplace(int sfd, const char *src, int dfd, const char *dst)
{
#ifdef RENAME_NOREPLACE
	if (renameat2(sfd, src, dfd, dst, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno == EEXIST)
		return 1;
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return -1;
#endif
	/* No RENAME_NOREPLACE here: link() never replaces either. */
	if (linkat(sfd, src, dfd, dst, 0) == -1)
		return errno == EEXIST ? 1 : -1;
	(void)unlinkat(sfd, src, 0);
	return 0;
}

/* over_cap - would one more file of size bytes exceed a cap */
static bool
over_cap(struct spool *sp, uint64_t size)
{
	if (sp->max_files > 0 && sp->st.files + 1 > (uint64_t)sp->max_files)
		return true;
	if (sp->max_bytes > 0 &&
	    sp->st.bytes + size > (uint64_t)sp->max_bytes)
		return true;
	return false;
}

/* count - bump one stats counter under the lock */
static void
count(struct spool *sp, uint64_t *ctr)
{
	pthread_mutex_lock(&sp->lock);
	(*ctr)++;
	pthread_mutex_unlock(&sp->lock);
}

/* uncount - take one file of size bytes off the pending counters; a
 * rescan may have reset them meanwhile, so never go below zero.  Called
 * with the lock held. */
static void
uncount(struct spool *sp, uint64_t size)
{
	if (sp->st.files > 0)
		sp->st.files--;
	sp->st.bytes -= size < sp->st.bytes ? size : sp->st.bytes;
}

/* next_seq - a number unique in this process, for tmp/ names */
static uint64_t
next_seq(void)
{
	static pthread_mutex_t	seq_lock = PTHREAD_MUTEX_INITIALIZER;
	static uint64_t		seq;
	uint64_t		s;

	pthread_mutex_lock(&seq_lock);
	s = ++seq;
	pthread_mutex_unlock(&seq_lock);
	return s;
}

/*
 * tmp_create - create a new tmp/ file for id: its fd, name in tmp (n
 * bytes), or -1 with errno.  Names are <id>.<pid>.<seq> with seq counted
 * per process, not per handle: two handles in one process share tmp/.
 */
static int
tmp_create(struct spool *sp, const char *id, char *tmp, size_t n)
{
	int	fd, tries;

	for (tries = 0; tries < 8; tries++) {
		snprintf(tmp, n, "%s.%ld.%" PRIu64, id, (long)getpid(),
		    next_seq());
		fd = openat(sp->dfd_tmp, tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd != -1) {
			/* Ours until it is in new/: recover_tmp in another
			 * process skips locked files. */
			(void)flock(fd, LOCK_EX | LOCK_NB);
			return fd;
		}
		if (errno != EEXIST)
			return fd;
		/* Left by a crashed process that had our pid: next name. */
	}
	return -1;
}

/* linked_add - remember a tmp/ name for spool_settle (sp->lock held) */
static void
linked_add(struct spool *sp, const char *name)
{
	if (sp->nlinked == sp->caplinked) {
		sp->caplinked = sp->caplinked ? sp->caplinked * 2 : 64;
		sp->linked = xrealloc(sp->linked, sp->caplinked *
		    sizeof(*sp->linked));
	}
	snprintf(sp->linked[sp->nlinked++], sizeof(sp->linked[0]), "%s",
	    name);
}

/*
 * sync_tmp_or_drop - make the tmp/ names of pool files f[0..n) durable
 * with one fsync of tmp/; when that fails, remove and close them all
 * (a pool file must have a durable name) and say why in err (if not
 * NULL)
 */
static int
sync_tmp_or_drop(struct spool *sp, struct pool_file *f, size_t n,
    struct errbuf *err)
{
	size_t	i;

	if (fsync(sp->dfd_tmp) == 0)
		return 0;
	if (err != NULL)
		errbuf_set(err, "%s/tmp: fsync: %s", sp->root,
		    strerror(errno));
	for (i = 0; i < n; i++) {
		(void)unlinkat(sp->dfd_tmp, f[i].name, 0);
		close(f[i].fd);
	}
	return -1;
}

/*
 * spool_pool_fill - top the pool up (see spool.h).  Files are created
 * first and synced afterwards, so that the first fsync writes tmp/ with
 * all their entries and the others find it clean.
 */
int
spool_pool_fill(struct spool *sp, struct errbuf *err)
{
	struct pool_file	 fresh[SPOOL_POOL_MAX];
	size_t			 want, n = 0, i, j;
	int			 fd, rc = 0;

	pthread_mutex_lock(&sp->lock);
	if (!sp->pool_wanted || sp->pool_filling ||
	    sp->npool + sp->nrecycled > SPOOL_POOL_MAX / 2) {
		pthread_mutex_unlock(&sp->lock);
		return 0;
	}
	sp->pool_filling = true;
	want = SPOOL_POOL_MAX - sp->npool - sp->nrecycled;
	pthread_mutex_unlock(&sp->lock);

	while (n < want) {
		snprintf(fresh[n].name, sizeof(fresh[n].name),
		    SPOOL_POOL_PREFIX "%ld.%" PRIu64, (long)getpid(),
		    next_seq());
		fd = openat(sp->dfd_tmp, fresh[n].name, O_WRONLY | O_CREAT |
		    O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd == -1 && errno == EEXIST)
			continue;	/* a crashed process had our pid */
		if (fd == -1) {
			errbuf_set(err, "%s/tmp/%s: %s", sp->root,
			    fresh[n].name, strerror(errno));
			rc = -1;
			break;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
			errbuf_set(err, "%s/tmp/%s: flock: %s", sp->root,
			    fresh[n].name, strerror(errno));
			(void)unlinkat(sp->dfd_tmp, fresh[n].name, 0);
			close(fd);
			rc = -1;
			break;
		}
		fresh[n++].fd = fd;
	}
	for (i = j = 0; i < n; i++) {
		if (rc == -1 || fsync(fresh[i].fd) == -1) {
			if (rc == 0)
				errbuf_set(err, "%s/tmp/%s: fsync: %s",
				    sp->root, fresh[i].name, strerror(errno));
			rc = -1;
			(void)unlinkat(sp->dfd_tmp, fresh[i].name, 0);
			close(fresh[i].fd);
		} else
			fresh[j++] = fresh[i];
	}
	/* A put relies on the tmp/ names being durable: the first fsync
	 * of a new file syncs its directory on some file systems (ext4
	 * without a journal), not on all. */
	if (j > 0 && sync_tmp_or_drop(sp, fresh, j, rc == 0 ? err : NULL)
	    == -1) {
		rc = -1;
		j = 0;
	}
	pthread_mutex_lock(&sp->lock);
	for (i = 0; i < j; i++)
		sp->pool[sp->npool++] = fresh[i];
	sp->st.pool = sp->npool;
	sp->pool_filling = false;
	pthread_mutex_unlock(&sp->lock);
	return rc == -1 ? -1 : (int)j;
}

/*
 * pool_return - an unused pool file (fd, flock'd) back to the pool,
 * emptied; dropped when that fails or the pool is full.  Its tmp/ name
 * is durable already.
 */
static void
pool_return(struct spool *sp, int fd, const char *name)
{
	bool	kept = false;

	if (ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0) {
		pthread_mutex_lock(&sp->lock);
		if (sp->npool < SPOOL_POOL_MAX) {
			sp->pool[sp->npool].fd = fd;
			snprintf(sp->pool[sp->npool].name,
			    sizeof(sp->pool[0].name), "%s", name);
			sp->npool++;
			sp->st.pool = sp->npool;
			kept = true;
		}
		pthread_mutex_unlock(&sp->lock);
	}
	if (!kept) {
		(void)unlinkat(sp->dfd_tmp, name, 0);
		close(fd);
	}
}

/*
 * put_pooled - the end of spool_put for a pool file, written whole
 * (fd, still flock'd): one device flush.  new/<id> is a second link to
 * the file (linkat never replaces: EEXIST is a duplicate), then one
 * fsync of the file writes its data and its inode (the link count
 * included); it is not a new inode, so no directory is written.  The
 * new/ entry may not be on disk yet, but the tmp/ one is (spool_pool_
 * fill, spool_settle), so after a crash recover_tmp finds the complete
 * file under its tmp/ name and links it into new/ again.  The lock is
 * held until the fsync is done: a sender's claim of new/<id> finds it
 * busy, so no sender reads a file that is not on disk.  The tmp/ name
 * goes at spool_settle, after a sync of new/.
 */
static enum spool_put_result
put_pooled(struct spool *sp, const char *id, int fd, const char *tmp,
    uint64_t size, struct errbuf *err)
{
	if (linkat(sp->dfd_tmp, tmp, sp->dfd_new, id, 0) == -1) {
		int e = errno;

		pool_return(sp, fd, tmp);
		pthread_mutex_lock(&sp->lock);
		uncount(sp, size);
		if (e == EEXIST)
			sp->st.dup++;
		else
			sp->st.err++;
		pthread_mutex_unlock(&sp->lock);
		if (e == EEXIST)
			return SPOOL_DUP;
		errbuf_set(err, "%s: link into %s/new: %s", id, sp->root,
		    strerror(e));
		return SPOOL_ERR;
	}
	if (fsync(fd) == -1) {
		errbuf_set(err, "%s/tmp/%s: fsync: %s", sp->root, tmp,
		    strerror(errno));
		/* Still locked: no sender has read it. */
		(void)unlinkat(sp->dfd_new, id, 0);
		(void)unlinkat(sp->dfd_tmp, tmp, 0);
		close(fd);
		pthread_mutex_lock(&sp->lock);
		uncount(sp, size);
		sp->st.err++;
		pthread_mutex_unlock(&sp->lock);
		return SPOOL_ERR;
	}
	pthread_mutex_lock(&sp->lock);
	linked_add(sp, tmp);
	sp->st.put++;
	pthread_mutex_unlock(&sp->lock);
	close(fd);
	return SPOOL_OK;
}

/*
 * spool_settle - see spool.h: sync new/ for the files this handle's
 * puts linked there, drop their tmp/ names; sync tmp/ for the files
 * recycled since, which then join the pool.
 */
int
spool_settle(struct spool *sp, struct errbuf *err)
{
	char			(*names)[SPOOL_TMP_NAME];
	struct pool_file	 rec[SPOOL_POOL_MAX];
	size_t			 n, nrec, i;
	int			 rc = 0;

	pthread_mutex_lock(&sp->lock);
	names = sp->linked;
	n = sp->nlinked;
	sp->linked = NULL;
	sp->nlinked = sp->caplinked = 0;
	nrec = sp->nrecycled;
	memcpy(rec, sp->recycled, nrec * sizeof(rec[0]));
	sp->nrecycled = 0;
	pthread_mutex_unlock(&sp->lock);

	if (n > 0) {
		if (fsync(sp->dfd_new) == -1) {
			errbuf_set(err, "%s/new: fsync: %s", sp->root,
			    strerror(errno));
			rc = -1;
			/* Keep them for the next try. */
			pthread_mutex_lock(&sp->lock);
			for (i = 0; i < n; i++)
				linked_add(sp, names[i]);
			pthread_mutex_unlock(&sp->lock);
		} else
			for (i = 0; i < n; i++)
				(void)unlinkat(sp->dfd_tmp, names[i], 0);
	}
	free(names);
	if (nrec > 0 && sync_tmp_or_drop(sp, rec, nrec, rc == 0 ? err : NULL)
	    == -1) {
		rc = -1;
		nrec = 0;
	}
	pthread_mutex_lock(&sp->lock);
	for (i = 0; i < nrec && sp->npool < SPOOL_POOL_MAX; i++)
		sp->pool[sp->npool++] = rec[i];
	sp->st.pool = sp->npool;
	pthread_mutex_unlock(&sp->lock);
	for (; i < nrec; i++) {
		(void)unlinkat(sp->dfd_tmp, rec[i].name, 0);
		close(rec[i].fd);
	}
	return rc == -1 ? -1 : (int)n;
}

/* spool_put - durably enqueue one alert */
enum spool_put_result
spool_put(struct spool *sp, const char *id, const char *body, size_t len,
    struct errbuf *err)
{
	char		 hdr[SPOOL_HEADER_MAX], tmp[SPOOL_TMP_NAME];
	struct iovec	 iov[3];
	uint64_t	 size;
	bool		 scan, pooled = false;
	int		 fd = -1, hl, r;

	if (!check_id(id, err)) {
		count(sp, &sp->st.err);
		return SPOOL_ERR;
	}
	if (len > SPOOL_MAX_BODY) {
		errbuf_set(err, "%s: alert of %zu bytes is over the %d byte "
		    "limit", id, len, SPOOL_MAX_BODY);
		count(sp, &sp->st.err);
		return SPOOL_ERR;
	}
	if (spool_was_sent(sp, id) || exists_at(sp->dfd_new, id)) {
		count(sp, &sp->st.dup);
		return SPOOL_DUP;
	}
	hl = snprintf(hdr, sizeof(hdr), SPOOL_MAGIC "id %s\nlength %zu\n"
	    "created %" PRId64 "\n\n", id, len, util_now_ms());
	size = (uint64_t)hl + len + strlen(SPOOL_TRAILER);

	/*
	 * Other processes also fill and drain new/, so the counters may be
	 * stale.  While they show room a put trusts them: no directory
	 * scan in the MTA's reply path (the sender recounts on every pass).
	 * When they say full, recount before refusing (at most every
	 * SPOOL_RESCAN_MS): a backfill run, which has no sender of its own,
	 * would otherwise stay "full" while the daemon drains the spool.
	 */
	pthread_mutex_lock(&sp->lock);
	scan = !sp->scanning && over_cap(sp, size) &&
	    util_mono_ms() - sp->last_scan_ms >= SPOOL_RESCAN_MS;
	if (scan)
		sp->scanning = true;
	pthread_mutex_unlock(&sp->lock);
	if (scan) {
		struct errbuf e2;

		if (rescan(sp, &e2) == -1)
			log_warn("-: spool: recount: %s", e2.msg);
		pthread_mutex_lock(&sp->lock);
		sp->scanning = false;
		pthread_mutex_unlock(&sp->lock);
	}

	pthread_mutex_lock(&sp->lock);
	if (over_cap(sp, size)) {
		sp->st.full++;
		pthread_mutex_unlock(&sp->lock);
		errbuf_set(err, "%s: spool full (%" PRIu64 " files, %" PRIu64
		    " bytes pending; spool_max_files %" PRId64
		    ", spool_max_bytes %" PRId64 ")", id, sp->st.files,
		    sp->st.bytes, sp->max_files, sp->max_bytes);
		return SPOOL_FULL;
	}
	/* Reserve the room now so concurrent puts see it. */
	sp->st.files++;
	sp->st.bytes += size;
	/* A file from the pool: no inode to create, tmp/ already synced. */
	sp->pool_wanted = true;
	if (sp->npool > 0) {
		struct pool_file *pf = &sp->pool[--sp->npool];

		fd = pf->fd;
		snprintf(tmp, sizeof(tmp), "%s", pf->name);
		pooled = true;
		sp->st.pool_used++;
		sp->st.pool = sp->npool;
	}
	pthread_mutex_unlock(&sp->lock);

	if (!pooled && (fd = tmp_create(sp, id, tmp, sizeof(tmp))) == -1) {
		errbuf_set(err, "%s/tmp/%s: %s", sp->root, tmp,
		    strerror(errno));
		tmp[0] = '\0';		/* not ours: leave it */
		goto fail;
	}
	iov[0].iov_base = hdr;
	iov[0].iov_len = (size_t)hl;
	iov[1].iov_base = (void *)(uintptr_t)body;
	iov[1].iov_len = len;
	iov[2].iov_base = (void *)(uintptr_t)SPOOL_TRAILER;
	iov[2].iov_len = strlen(SPOOL_TRAILER);
	if (writev_all(fd, iov, 3) == -1) {
		errbuf_set(err, "%s/tmp/%s: write: %s", sp->root, tmp,
		    strerror(errno));
		goto fail;
	}
	if (pooled)
		return put_pooled(sp, id, fd, tmp, size, err);
	if (fsync(fd) == -1) {
		errbuf_set(err, "%s/tmp/%s: fsync: %s", sp->root, tmp,
		    strerror(errno));
		goto fail;
	}
	/* The lock (tmp_create) is kept until new/<id> is durable: a
	 * sender's claim finds it busy, and recover_tmp leaves it alone. */
	r = move_noreplace(sp->dfd_tmp, tmp, sp->dfd_new, id);
	if (r == 1) {
		(void)unlinkat(sp->dfd_tmp, tmp, 0);
		close(fd);
		pthread_mutex_lock(&sp->lock);
		uncount(sp, size);
		sp->st.dup++;
		pthread_mutex_unlock(&sp->lock);
		return SPOOL_DUP;
	}
	if (r == -1) {
		errbuf_set(err, "%s: rename into %s/new: %s", id, sp->root,
		    strerror(errno));
		goto fail;
	}
	if (fsync(sp->dfd_new) == -1) {
		/* The rename happened; durability is what is in doubt. */
		errbuf_set(err, "%s/new: fsync: %s", sp->root,
		    strerror(errno));
		close(fd);
		pthread_mutex_lock(&sp->lock);
		sp->st.err++;
		pthread_mutex_unlock(&sp->lock);
		return SPOOL_ERR;
	}
	close(fd);
	count(sp, &sp->st.put);
	return SPOOL_OK;
fail:
	if (fd != -1)
		close(fd);
	if (tmp[0] != '\0')
		(void)unlinkat(sp->dfd_tmp, tmp, 0);
	pthread_mutex_lock(&sp->lock);
	uncount(sp, size);
	sp->st.err++;
	pthread_mutex_unlock(&sp->lock);
	return SPOOL_ERR;
}

static bool
keep_id(const char *name)
{
	return spool_id_ok(name);
}

/* scan_new - the pending files, oldest first; junk names go to bad/ */
static int
scan_new(struct spool *sp, struct dent **v_r, size_t *n_r,
    struct errbuf *err)
{
	struct errbuf	e2;

	if (read_dir(sp->dfd_new, keep_id, move_to_bad, sp, v_r, n_r,
	    &e2) == -1) {
		errbuf_set(err, "%s/new: %s", sp->root, e2.msg);
		return -1;
	}
	return 0;
}

/* spool_list - pending ids, oldest first; also recounts */
int
spool_list(struct spool *sp, struct strlist *ids_r, struct errbuf *err)
{
	struct dent	*v;
	size_t		 n, i;
	uint64_t	 bytes = 0;
	struct errbuf	 e2;

	if (spool_settle(sp, &e2) == -1)
		log_warn("-: spool: %s", e2.msg);
	if (scan_new(sp, &v, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		bytes += (uint64_t)v[i].size;
		strlist_add_owned(ids_r, v[i].name);
		v[i].name = NULL;
	}
	free(v);
	pthread_mutex_lock(&sp->lock);
	sp->st.files = n;
	sp->st.bytes = bytes;
	sp->last_scan_ms = util_mono_ms();
	pthread_mutex_unlock(&sp->lock);
	return 0;
}

/* read_fd_bounded - read all of fd (at most max bytes) */
static int
read_fd_bounded(int fd, size_t max, char **buf_r, size_t *len_r)
{
	struct stat	 st;
	char		*buf;
	size_t		 n = 0, cap;
	ssize_t		 r;

	if (fstat(fd, &st) == -1)
		return -1;
	if (st.st_size < 0 || (uint64_t)st.st_size > max) {
		errno = EFBIG;
		return -1;
	}
	cap = (size_t)st.st_size + 1;
	buf = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap) {
			if (cap > max + 1) {
				free(buf);
				errno = EFBIG;
				return -1;
			}
			cap = cap * 2 > max + 2 ? max + 2 : cap * 2;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + n, cap - 1 - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			free(buf);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*buf_r = buf;
	*len_r = n;
	return 0;
}

/*
 * parse_file - validate a spool file image; on success body_r/len_r
 * point into buf.  NULL on success, else what is wrong.
 */
static const char *
parse_file(const char *id, char *buf, size_t n, const char **body_r,
    size_t *len_r)
{
	char		*p, *end, *nl;
	unsigned long long len;
	size_t		 tl = strlen(SPOOL_TRAILER);
	bool		 have_id = false, have_len = false;

	if (n < strlen(SPOOL_MAGIC) ||
	    memcmp(buf, SPOOL_MAGIC, strlen(SPOOL_MAGIC)) != 0)
		return strncmp(buf, "SOARSPOOL ", 10) == 0 ?
		    "unsupported format version" : "no SOARSPOOL header";
	p = buf + strlen(SPOOL_MAGIC);
	end = buf + n;
	len = 0;
	for (;;) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL ||
		    nl - buf > SPOOL_HEADER_MAX)
			return "header not terminated";
		*nl = '\0';
		if (*p == '\0') {
			p = nl + 1;
			break;
		}
		if (strncmp(p, "id ", 3) == 0) {
			if (strcmp(p + 3, id) != 0)
				return "id in header does not match the "
				    "file name";
			have_id = true;
		} else if (strncmp(p, "length ", 7) == 0) {
			char *e;

			errno = 0;
			len = strtoull(p + 7, &e, 10);
			if (errno != 0 || *e != '\0' || e == p + 7 ||
			    len > SPOOL_MAX_BODY)
				return "bad length";
			have_len = true;
		} else if (strncmp(p, "created ", 8) != 0)
			return "unknown header line";
		p = nl + 1;
	}
	if (!have_id || !have_len)
		return "id or length missing";
	if ((size_t)(end - p) < tl || (size_t)(end - p) - tl != len)
		return "truncated or trailing data (length mismatch)";
	if (memcmp(p + len, SPOOL_TRAILER, tl) != 0)
		return "END trailer missing";
	p[len] = '\0';		/* overwrites the trailer's newline */
	*body_r = p;
	*len_r = (size_t)len;
	return NULL;
}

/* spool_read - read and validate new/<id> */
int
spool_read(struct spool *sp, const char *id, char **body_r, size_t *len_r,
    struct errbuf *err)
{
	const char	*why, *body;
	char		*buf;
	size_t		 n, len;
	int		 fd;

	if (!check_id(id, err))
		return SPOOL_READ_ERR;
	fd = openat(sp->dfd_new, id, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1) {
		if (errno == ENOENT) {
			errbuf_set(err, "%s: not pending", id);
			return SPOOL_READ_GONE;
		}
		errbuf_set(err, "%s/new/%s: %s", sp->root, id,
		    strerror(errno));
		if (errno != ELOOP)
			return SPOOL_READ_ERR;
		move_to_bad(sp, id);
		return SPOOL_READ_BAD;
	}
	if (read_fd_bounded(fd, SPOOL_MAX_BODY + SPOOL_HEADER_MAX + 16,
	    &buf, &n) == -1) {
		int e = errno;

		close(fd);
		errbuf_set(err, "%s/new/%s: %s", sp->root, id, strerror(e));
		if (e != EFBIG)
			return SPOOL_READ_ERR;
		move_to_bad(sp, id);
		return SPOOL_READ_BAD;
	}
	close(fd);
	if ((why = parse_file(id, buf, n, &body, &len)) != NULL) {
		free(buf);
		errbuf_set(err, "%s/new/%s: invalid spool file: %s", sp->root,
		    id, why);
		move_to_bad(sp, id);
		return SPOOL_READ_BAD;
	}
	memmove(buf, body, len + 1);
	*body_r = buf;
	*len_r = len;
	return SPOOL_READ_OK;
}

/* spool_claim - take the cross-process lock on new/<id> */
int
spool_claim(struct spool *sp, const char *id, int *fd_r, struct errbuf *err)
{
	struct stat	st, st2;
	int		fd;

	*fd_r = -1;
	if (!check_id(id, err))
		return -1;
	/* Writable, so that spool_ack_claimed can recycle the file. */
	fd = openat(sp->dfd_new, id, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1 && errno == EACCES)
		fd = openat(sp->dfd_new, id, O_RDONLY | O_CLOEXEC |
		    O_NOFOLLOW);
	if (fd == -1) {
		if (errno == ENOENT)
			return 0;
		errbuf_set(err, "%s/new/%s: %s", sp->root, id,
		    strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		int e = errno;

		close(fd);
		if (e == EWOULDBLOCK)
			return 0;
		errbuf_set(err, "%s/new/%s: flock: %s", sp->root, id,
		    strerror(e));
		return -1;
	}
	/*
	 * Acked by another sender between open and flock?  The file then
	 * lives on as sent/<id> (a hard link), so compare inodes rather
	 * than test the link count.
	 */
	if (fstat(fd, &st) == -1 || fstatat(sp->dfd_new, id, &st2,
	    AT_SYMLINK_NOFOLLOW) == -1 || st.st_ino != st2.st_ino ||
	    st.st_dev != st2.st_dev) {
		close(fd);
		return 0;
	}
	*fd_r = fd;
	return 1;
}

/* spool_release - drop a claim */
void
spool_release(int fd)
{
	if (fd != -1)
		close(fd);
}

/* unlink_pending - remove new/<id> and fix the counters */
static int
unlink_pending(struct spool *sp, const char *id, struct errbuf *err)
{
	struct stat	st;

	if (fstatat(sp->dfd_new, id, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return 0;	/* already gone: fine */
	if (unlinkat(sp->dfd_new, id, 0) == -1) {
		if (errno == ENOENT)
			return 0;
		errbuf_set(err, "%s/new/%s: unlink: %s", sp->root, id,
		    strerror(errno));
		return -1;
	}
	pthread_mutex_lock(&sp->lock);
	uncount(sp, (uint64_t)st.st_size);
	pthread_mutex_unlock(&sp->lock);
	return 0;
}

/*
 * sent_window - how long one marker takes records: a sixteenth of the
 * retention, between a minute and an hour
 */
static time_t
sent_window(const struct spool *sp)
{
	time_t	w = (time_t)(sp->sent_retention / 16);

	return w < 60 ? 60 : w > 3600 ? 3600 : w;
}

/*
 * sent_marker - the name of the current marker in sent/ (a new one when
 * there is none, its window is over, or force).  A marker is an empty
 * file whose mtime is the end of its window, made durable before any
 * record links to it.  Copies the name into buf.
 */
static int
sent_marker(struct spool *sp, bool force, char *buf, size_t n,
    struct errbuf *err)
{
	struct timespec	 ts[2];
	time_t		 now = time(NULL), w;
	char		 name[sizeof(sp->marker)];
	int		 fd;

	pthread_mutex_lock(&sp->lock);
	if (!force && sp->marker[0] != '\0' && now < sp->marker_until) {
		snprintf(buf, n, "%s", sp->marker);
		pthread_mutex_unlock(&sp->lock);
		return 0;
	}
	pthread_mutex_unlock(&sp->lock);
	w = sent_window(sp);
	for (;;) {
		snprintf(name, sizeof(name), SPOOL_MARKER_PREFIX "%ld.%" PRIu64,
		    (long)getpid(), next_seq());
		fd = openat(sp->dfd_sent, name, O_WRONLY | O_CREAT | O_EXCL |
		    O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd != -1 || errno != EEXIST)
			break;
	}
	if (fd == -1) {
		errbuf_set(err, "sent/%s: %s", name, strerror(errno));
		return -1;
	}
	ts[0].tv_sec = ts[1].tv_sec = now + w;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	if (futimens(fd, ts) == -1 || fsync(fd) == -1) {
		errbuf_set(err, "sent/%s: %s", name, strerror(errno));
		close(fd);
		(void)unlinkat(sp->dfd_sent, name, 0);
		return -1;
	}
	close(fd);
	pthread_mutex_lock(&sp->lock);
	/* Two threads may both have made one: the later one wins, the
	 * other is removed by spool_sent_expire once unused. */
	snprintf(sp->marker, sizeof(sp->marker), "%s", name);
	sp->marker_until = now + w;
	pthread_mutex_unlock(&sp->lock);
	snprintf(buf, n, "%s", name);
	return 0;
}

/*
 * sent_link - record id in sent/, not yet durable: a hard link to the
 * current marker (no inode created).  An id already recorded is linked
 * anew (link to a temporary name, renamed over the old record), so that
 * a re-delivery refreshes its time.
 */
static int
sent_link(struct spool *sp, const char *id, struct errbuf *err)
{
	char	marker[sizeof(sp->marker)], tmp[sizeof(sp->marker) + 16];
	bool	forced = false;
	int	r;

	if (sent_marker(sp, false, marker, sizeof(marker), err) == -1)
		return -1;
	for (;;) {
		if ((r = linkat(sp->dfd_sent, marker, sp->dfd_sent, id, 0))
		    == 0 || (errno != EMLINK && errno != ENOENT) || forced)
			break;
		/* The marker has as many links as the file system allows,
		 * or someone removed it. */
		if (sent_marker(sp, true, marker, sizeof(marker), err) == -1)
			return -1;
		forced = true;
	}
	if (r == -1 && errno == EEXIST) {
		struct stat	a, b;

		/* Recorded already; a refresh is a bonus.  rename() does
		 * nothing when both names are links to one file. */
		if (fstatat(sp->dfd_sent, id, &a, AT_SYMLINK_NOFOLLOW) == -1 ||
		    fstatat(sp->dfd_sent, marker, &b, AT_SYMLINK_NOFOLLOW) ==
		    -1 || a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
			snprintf(tmp, sizeof(tmp), "%s.r%" PRIu64, marker,
			    next_seq());
			if (linkat(sp->dfd_sent, marker, sp->dfd_sent, tmp, 0)
			    == 0 && renameat(sp->dfd_sent, tmp, sp->dfd_sent,
			    id) == -1)
				(void)unlinkat(sp->dfd_sent, tmp, 0);
		}
		r = 0;
	}
	if (r == -1) {
		errbuf_set(err, "%s: sent record: link to sent/%s: %s", id,
		    marker, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * sent_sync - make the records linked so far durable.  A record must be
 * on disk before its alert leaves new/: losing both would let a later
 * backfill alert on the message again.
 */
static int
sent_sync(struct spool *sp, struct errbuf *err)
{
	if (fsync(sp->dfd_sent) == -1) {
		errbuf_set(err, "sent/: fsync: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* sent_record - sent_link, then sent_sync */
static int
sent_record(struct spool *sp, const char *id, struct errbuf *err)
{
	if (sent_link(sp, id, err) == -1)
		return -1;
	return sent_sync(sp, err);
}

/* spool_ack - delivered: record in sent/, then drop new/<id> */
int
spool_ack(struct spool *sp, const char *id, struct errbuf *err)
{
	if (!check_id(id, err) || sent_record(sp, id, err) == -1 ||
	    unlink_pending(sp, id, err) == -1)
		return -1;
	count(sp, &sp->st.acked);
	return 0;
}

/*
 * recycle - put the claimed, delivered file new/<id> into the pool
 * instead of deleting it: renamed to tmp/, emptied, kept open with its
 * lock.  Only when this handle uses a pool that has room, the claim fd
 * is writable and new/<id> is the only name of the file.  True when
 * new/<id> is gone (recycled, or dropped on a late error); false: the
 * caller unlinks it as usual.
 */
static bool
recycle(struct spool *sp, const char *id, int fd)
{
	struct pool_file pf;
	struct stat	 st, st2;
	int		 fl;
	bool		 room;

	pthread_mutex_lock(&sp->lock);
	room = sp->pool_wanted &&
	    sp->npool + sp->nrecycled < SPOOL_POOL_MAX;
	pthread_mutex_unlock(&sp->lock);
	if (!room || (fl = fcntl(fd, F_GETFL)) == -1 ||
	    (fl & O_ACCMODE) != O_RDWR || fstat(fd, &st) == -1 ||
	    !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
	    fstatat(sp->dfd_new, id, &st2, AT_SYMLINK_NOFOLLOW) == -1 ||
	    st.st_ino != st2.st_ino || st.st_dev != st2.st_dev)
		return false;
	pf.fd = fd;
	snprintf(pf.name, sizeof(pf.name), SPOOL_POOL_PREFIX "%ld.%" PRIu64,
	    (long)getpid(), next_seq());
	if (renameat(sp->dfd_new, id, sp->dfd_tmp, pf.name) == -1)
		return false;
	pthread_mutex_lock(&sp->lock);
	uncount(sp, (uint64_t)st.st_size);
	pthread_mutex_unlock(&sp->lock);
	if (ftruncate(fd, 0) == -1 || lseek(fd, 0, SEEK_SET) == -1) {
		(void)unlinkat(sp->dfd_tmp, pf.name, 0);
		close(fd);
		return true;
	}
	pthread_mutex_lock(&sp->lock);
	if (sp->npool + sp->nrecycled < SPOOL_POOL_MAX) {
		sp->recycled[sp->nrecycled++] = pf;
		sp->st.pool_recycled++;
		pf.fd = -1;
	}
	pthread_mutex_unlock(&sp->lock);
	if (pf.fd != -1) {
		(void)unlinkat(sp->dfd_tmp, pf.name, 0);
		close(fd);
	}
	return true;
}

/* drop_pending - a recorded alert leaves new/ (recycled or unlinked),
 * and its claim is released */
static int
drop_pending(struct spool *sp, const char *id, int fd, struct errbuf *err)
{
	if (fd == -1 || !recycle(sp, id, fd)) {
		if (unlink_pending(sp, id, err) == -1) {
			spool_release(fd);
			return -1;
		}
		spool_release(fd);
	}
	count(sp, &sp->st.acked);
	return 0;
}

/* spool_ack_claimed - spool_ack, then release the claim (see spool.h) */
int
spool_ack_claimed(struct spool *sp, const char *id, int fd,
    struct errbuf *err)
{
	if (!check_id(id, err) || sent_record(sp, id, err) == -1) {
		spool_release(fd);
		return -1;
	}
	return drop_pending(sp, id, fd, err);
}

/* spool_ack_batch - spool_ack_claimed for n alerts, one sync of sent/ */
int
spool_ack_batch(struct spool *sp, char *const *ids, const int *fds,
    size_t n, bool *ok, struct errbuf *err)
{
	struct errbuf	e2;
	size_t		i;
	int		done = 0;
	bool		any = false;

	for (i = 0; i < n; i++) {
		ok[i] = check_id(ids[i], &e2) && sent_link(sp, ids[i], &e2)
		    == 0;
		if (ok[i])
			any = true;
		else {
			log_err("-: spool: %s", e2.msg);
			spool_release(fds[i]);
		}
	}
	if (any && sent_sync(sp, err) == -1) {
		for (i = 0; i < n; i++)
			if (ok[i]) {
				ok[i] = false;
				spool_release(fds[i]);
			}
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!ok[i])
			continue;
		if (drop_pending(sp, ids[i], fds[i], &e2) == -1) {
			/* Recorded: the next pass drops it as sent. */
			log_err("-: spool: %s", e2.msg);
		}
		done++;
	}
	return done;
}

/* write_file_at - tmp + fsync + rename + fsync dir, in dirfd */
static int
write_file_at(int dirfd, const char *name, const char *data, size_t len,
    struct errbuf *err)
{
	char	*tmp;
	int	 fd;

	tmp = xasprintf(".%s.tmp.%ld", name, (long)getpid());
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	if (fd == -1) {
		errbuf_set(err, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	if (fd_write_all(fd, data, len) == -1 || fsync(fd) == -1) {
		errbuf_set(err, "%s: write: %s", tmp, strerror(errno));
		close(fd);
		(void)unlinkat(dirfd, tmp, 0);
		free(tmp);
		return -1;
	}
	close(fd);
	if (renameat(dirfd, tmp, dirfd, name) == -1) {
		errbuf_set(err, "rename %s: %s", name, strerror(errno));
		(void)unlinkat(dirfd, tmp, 0);
		free(tmp);
		return -1;
	}
	free(tmp);
	if (fsync(dirfd) == -1) {
		errbuf_set(err, "fsync: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* iso_time - UTC ISO-8601 of now, for .why files */
static void
iso_time(char *buf, size_t n, time_t t)
{
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* spool_dead - move new/<id> to dead/ with the reason */
int
spool_dead(struct spool *sp, const char *id, long status,
    const char *response, struct errbuf *err)
{
	struct strbuf	 why = { 0 };
	struct stat	 st;
	char		 when[32], *name;
	size_t		 rlen;
	int		 r;

	if (!check_id(id, err))
		return -1;
	if (fstatat(sp->dfd_new, id, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		errbuf_set(err, "%s: not pending: %s", id, strerror(errno));
		return -1;
	}
	iso_time(when, sizeof(when), time(NULL));
	sb_printf(&why, "status: %ld\ntime: %s\nresponse:\n", status, when);
	if (response != NULL) {
		rlen = strlen(response);
		sb_append(&why, response, rlen > SPOOL_WHY_MAX ?
		    SPOOL_WHY_MAX : rlen);
		sb_putc(&why, '\n');
	}
	name = xasprintf("%s.why", id);
	r = write_file_at(sp->dfd_dead, name, why.s, why.len, err);
	free(name);
	sb_free(&why);
	if (r == -1)
		return -1;
	if (renameat(sp->dfd_new, id, sp->dfd_dead, id) == -1) {
		errbuf_set(err, "%s: rename to dead/: %s", id,
		    strerror(errno));
		return -1;
	}
	if (fsync(sp->dfd_dead) == -1)
		log_warn("-: spool: dead/: fsync: %s", strerror(errno));
	pthread_mutex_lock(&sp->lock);
	uncount(sp, (uint64_t)st.st_size);
	sp->st.dead++;
	pthread_mutex_unlock(&sp->lock);
	return 0;
}

static bool
keep_dead(const char *name)
{
	return spool_id_ok(name);	/* excludes the .why files */
}

/* spool_dead_list - dead letters, oldest first */
int
spool_dead_list(struct spool *sp, struct strlist *ids_r, struct errbuf *err)
{
	struct errbuf	 e2;
	struct dent	*v;
	size_t		 n, i;

	if (read_dir(sp->dfd_dead, keep_dead, NULL, sp, &v, &n, &e2) == -1) {
		errbuf_set(err, "%s/dead: %s", sp->root, e2.msg);
		return -1;
	}
	for (i = 0; i < n; i++) {
		strlist_add_owned(ids_r, v[i].name);
		v[i].name = NULL;
	}
	free(v);
	return 0;
}

/* dead_retry_one - dead/<id> back to new/ */
static int
dead_retry_one(struct spool *sp, const char *id, struct errbuf *err)
{
	struct stat	st;
	char		*why;
	int		 r;

	if (fstatat(sp->dfd_dead, id, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		errbuf_set(err, "%s: no such dead letter", id);
		return -1;
	}
	why = xasprintf("%s.why", id);
	r = move_noreplace(sp->dfd_dead, id, sp->dfd_new, id);
	if (r == -1) {
		errbuf_set(err, "%s: rename to new/: %s", id,
		    strerror(errno));
		free(why);
		return -1;
	}
	if (r == 1) {
		/* Pending again already (spooled anew): that copy wins. */
		(void)unlinkat(sp->dfd_dead, id, 0);
	} else {
		pthread_mutex_lock(&sp->lock);
		sp->st.files++;
		sp->st.bytes += (uint64_t)st.st_size;
		pthread_mutex_unlock(&sp->lock);
	}
	(void)unlinkat(sp->dfd_dead, why, 0);
	free(why);
	(void)fsync(sp->dfd_new);
	(void)fsync(sp->dfd_dead);
	return 0;
}

/* dead_purge_one - delete dead/<id> and its reason */
static int
dead_purge_one(struct spool *sp, const char *id, struct errbuf *err)
{
	char	*why;

	if (unlinkat(sp->dfd_dead, id, 0) == -1) {
		errbuf_set(err, "%s: %s", id, errno == ENOENT ?
		    "no such dead letter" : strerror(errno));
		return -1;
	}
	why = xasprintf("%s.why", id);
	(void)unlinkat(sp->dfd_dead, why, 0);
	free(why);
	(void)fsync(sp->dfd_dead);
	return 0;
}

/* dead_each - apply fn to one id or (id NULL) to every dead letter */
static int
dead_each(struct spool *sp, const char *id,
    int (*fn)(struct spool *, const char *, struct errbuf *),
    struct errbuf *err)
{
	struct strlist	ids = { 0 };
	size_t		i;
	int		n = 0;

	if (id != NULL) {
		if (!check_id(id, err) || fn(sp, id, err) == -1)
			return -1;
		return 1;
	}
	if (spool_dead_list(sp, &ids, err) == -1)
		return -1;
	for (i = 0; i < ids.n; i++) {
		if (fn(sp, ids.v[i], err) == -1) {
			strlist_free(&ids);
			return -1;
		}
		n++;
	}
	strlist_free(&ids);
	return n;
}

int
spool_dead_retry(struct spool *sp, const char *id, struct errbuf *err)
{
	return dead_each(sp, id, dead_retry_one, err);
}

int
spool_dead_purge(struct spool *sp, const char *id, struct errbuf *err)
{
	return dead_each(sp, id, dead_purge_one, err);
}

/* spool_dead_reason - the .why text of a dead letter */
char *
spool_dead_reason(struct spool *sp, const char *id)
{
	char	*name, *buf;
	size_t	 n;
	int	 fd;

	if (!spool_id_ok(id))
		return NULL;
	name = xasprintf("%s.why", id);
	fd = openat(sp->dfd_dead, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	free(name);
	if (fd == -1)
		return NULL;
	if (read_fd_bounded(fd, SPOOL_WHY_MAX + 4096, &buf, &n) == -1)
		buf = NULL;
	close(fd);
	return buf;
}

/* why_field - value of "key: " line in a .why text, copied into out */
static void
why_field(const char *why, const char *key, char *out, size_t n)
{
	const char	*p, *e;
	size_t		 kl = strlen(key);

	snprintf(out, n, "-");
	for (p = why; p != NULL && *p != '\0'; p = e != NULL ? e + 1 : NULL) {
		e = strchr(p, '\n');
		if (strncmp(p, "response:", 9) == 0) {
			if (strcmp(key, "response") == 0 && e != NULL) {
				const char *e2 = strchr(e + 1, '\n');

				snprintf(out, n, "%.*s", e2 != NULL ?
				    (int)(e2 - e - 1) : (int)strlen(e + 1),
				    e + 1);
			}
			return;
		}
		if (strncmp(p, key, kl) == 0 && p[kl] == ':' &&
		    p[kl + 1] == ' ') {
			snprintf(out, n, "%.*s", e != NULL ?
			    (int)(e - p - kl - 2) : (int)strlen(p + kl + 2),
			    p + kl + 2);
			return;
		}
	}
}

/* spool_dead_print - one line per dead letter */
int
spool_dead_print(struct spool *sp, FILE *out, struct errbuf *err)
{
	struct strlist	ids = { 0 };
	char		status[32], when[64], resp[160], *why;
	size_t		i, j;

	if (spool_dead_list(sp, &ids, err) == -1)
		return -1;
	for (i = 0; i < ids.n; i++) {
		why = spool_dead_reason(sp, ids.v[i]);
		why_field(why, "status", status, sizeof(status));
		why_field(why, "time", when, sizeof(when));
		why_field(why, "response", resp, sizeof(resp));
		for (j = 0; resp[j] != '\0'; j++)
			if ((unsigned char)resp[j] < 0x20)
				resp[j] = ' ';
		fprintf(out, "%s\t%s\t%s\t%s\n", ids.v[i], when, status,
		    resp);
		free(why);
	}
	strlist_free(&ids);
	return (int)i;
}

/* spool_dead_show - the reason and the alert of one dead letter */
int
spool_dead_show(struct spool *sp, const char *id, FILE *out,
    struct errbuf *err)
{
	const char	*why, *body;
	char		*reason, *buf;
	size_t		 n, len;
	int		 fd;

	if (!check_id(id, err))
		return -1;
	fd = openat(sp->dfd_dead, id, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1) {
		errbuf_set(err, "%s: %s", id, errno == ENOENT ?
		    "no such dead letter" : strerror(errno));
		return -1;
	}
	if (read_fd_bounded(fd, SPOOL_MAX_BODY + SPOOL_HEADER_MAX + 16,
	    &buf, &n) == -1) {
		errbuf_set(err, "%s: %s", id, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	reason = spool_dead_reason(sp, id);
	fprintf(out, "%s", reason != NULL ? reason : "(no reason recorded)\n");
	if ((why = parse_file(id, buf, n, &body, &len)) != NULL)
		fprintf(out, "\n(invalid spool file: %s)\n", why);
	else {
		fputc('\n', out);
		fwrite(body, 1, len, out);
		fputc('\n', out);
	}
	free(reason);
	free(buf);
	return 0;
}

/* spool_was_sent - is id in the sent record */
bool
spool_was_sent(struct spool *sp, const char *id)
{
	return spool_id_ok(id) && exists_at(sp->dfd_sent, id);
}

/* spool_is_pending - is id in new/ */
bool
spool_is_pending(struct spool *sp, const char *id)
{
	return spool_id_ok(id) && exists_at(sp->dfd_new, id);
}

/*
 * expire_markers - remove sent/ markers no record links to any more
 * (link count 1) whose window ended over a minute ago, except ours
 */
static void
expire_markers(struct spool *sp)
{
	struct dirent	*de;
	struct stat	 st;
	char		 cur[sizeof(sp->marker)];
	time_t		 now = time(NULL);
	DIR		*d;
	int		 fd;

	pthread_mutex_lock(&sp->lock);
	snprintf(cur, sizeof(cur), "%s", sp->marker);
	pthread_mutex_unlock(&sp->lock);
	if ((fd = dup(sp->dfd_sent)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, SPOOL_MARKER_PREFIX,
		    strlen(SPOOL_MARKER_PREFIX)) != 0 ||
		    strcmp(de->d_name, cur) == 0)
			continue;
		if (fstatat(sp->dfd_sent, de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1 || !S_ISREG(st.st_mode) ||
		    st.st_nlink != 1 || st.st_mtime > now - 60)
			continue;
		(void)unlinkat(sp->dfd_sent, de->d_name, 0);
	}
	closedir(d);
}

/* spool_sent_expire - drop old sent records; returns how many */
int
spool_sent_expire(struct spool *sp, struct errbuf *err)
{
	struct dent	*v;
	size_t		 n, i, keep_from = 0;
	time_t		 cutoff;
	int		 removed = 0;
	struct errbuf	 e2;

	if (read_dir(sp->dfd_sent, keep_id, NULL, sp, &v, &n, &e2) == -1) {
		errbuf_set(err, "sent/: %s", e2.msg);
		return -1;
	}
	/* v is oldest first: drop the expired prefix, then the excess. */
	if (sp->sent_retention > 0) {
		cutoff = time(NULL) - (time_t)sp->sent_retention;
		while (keep_from < n && v[keep_from].mtime.tv_sec < cutoff)
			keep_from++;
	}
	if (sp->sent_max_entries > 0 &&
	    n - keep_from > (size_t)sp->sent_max_entries)
		keep_from = n - (size_t)sp->sent_max_entries;
	for (i = 0; i < keep_from; i++)
		if (unlinkat(sp->dfd_sent, v[i].name, 0) == 0)
			removed++;
	dents_free(v, n);
	expire_markers(sp);
	return removed;
}

/* spool_get_stats - counters since open, pending counts */
void
spool_get_stats(struct spool *sp, struct spool_stats *st)
{
	pthread_mutex_lock(&sp->lock);
	*st = sp->st;
	pthread_mutex_unlock(&sp->lock);
}
