/*
 * local_scan.c - the scan of the local source driver: walks a folder (links
 * to files followed, links to folders and special files skipped with a
 * warning, never opened), looks every file up in the hash cache and hashes
 * the rest on the worker pool, then makes the records, in the order of
 * their paths.
 *
 * The walk keeps its own stack on the heap, never the C stack, so any depth
 * works, and opens every folder and file relative to its parent folder's
 * descriptor without following links: a folder swapped for a link while
 * the track runs cannot lead it elsewhere. Only the deepest folders stay
 * open; going back up, a folder is reopened through ".." and checked to be
 * the one the walk left. Nereid's own store and download temporaries are
 * skipped. Not for path parsing (local_location.c), digests (hash.c) or fetching
 * records back (local.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../buf.h"
#include "../error.h"
#include "fileurl.h"
#include "../fs.h"
#include "../hash.h"
#include "../hashcache.h"
#include "../md5mb/md5mb.h"
#include "../pool.h"
#include "local_scan.h"
#include "../os/os.h"

/* Ancestors of the folder being read that stay open; deeper ones are
 * closed and reopened through "..", so a deep tree costs no descriptors. */
#define LOCAL_HELD_DEPTH 16
/* Folders open at once, held by the walk or by files waiting to be
 * hashed; the walk waits for the workers beyond it. */
#define LOCAL_OPEN_DIRS_MAX 64
/* Files open at once for multi-buffer hashing, over all workers (each
 * worker may keep its narrowest SIMD kernel's lanes open, 8 or 16, even
 * beyond this), well below the usual limit of 1024 descriptors. */
#define LOCAL_STREAMS_MAX 256

void (*nrd_local_scan_hook)(const char *folder, const char *name);

/* An open folder. Each file waiting to be hashed holds a reference, and so
 * does the walk while it reads the folder; the last one closes it. */
typedef struct local_dir {
        int fd;
        dev_t dev;          /* the folder's device, which its files share */
        atomic_size_t refs; /* the walk's hold and one per file not yet opened */
} local_dir;

/* One regular file found by the walk. */
typedef struct local_entry {
        char *rel;        /* path below the tracked folder (or the base name) */
        char *source;     /* absolute resolved path */
        local_dir *dir;   /* the folder it is opened from, until it is opened */
        const char *name; /* its name in dir: the end of rel (a link) or source */
        ino_t d_ino;      /* the inode readdir gave, when the worker takes st */
        int is_link;      /* a link to a file: opened following the link */
        struct stat st;   /* what the walk saw (the target's, for a link) */
        char md5[NEREID_MD5_HEXLEN + 1];
        int cached;
        int needs_stat; /* st is taken by the worker, from the open file */
        int taken;      /* taken by a multi-buffer worker beside its item */
        int has_rec;    /* rec made by the worker that hashed it */
        struct nereid_file rec;
        struct local_entry *next_in_order; /* the next in the order of paths */
} local_entry;

/* One name of a folder's listing, in the order listed: a file (a regular
 * file, or a link to one), already handed on, or a subfolder, entered
 * after the listing. When the walk leaves the folder it links the entries
 * below it in the order of their paths (local_order_folder). */
typedef struct local_child {
        local_entry *entry; /* a file (the walk's entries own it): its name is entry->name */
        char *name;         /* a subfolder */
        dev_t dev;          /* a subfolder: what fstatat saw, which the */
        ino_t ino;          /* folder opened later must be */
        local_entry *head;  /* a subfolder, once left: its entries in order, */
        local_entry *tail;  /* linked by next_in_order (NULL: none) */
} local_child;

/* A folder on the walk's stack. */
typedef struct local_frame {
        local_dir *dir; /* held by the walk; NULL when closed (deep) */
        char *abs;      /* absolute path, for sources and messages */
        char *rel;      /* path below the tracked folder, "" at the top */
        dev_t dev;      /* the folder's identity, checked when reopened */
        ino_t ino;
        int is_home;           /* the store's folder: its files are skipped */
        local_child *children; /* as listed; next is the next one to look at */
        size_t nchildren, next, cap_children;
        size_t in_parent; /* this folder's index in its parent's children */
} local_frame;

/* The walk finds files and looks them up in the hash cache on the calling
 * thread, and hands the others to the worker pool at once, so that hashing
 * overlaps with walking. Entries are allocated one by one: workers hold
 * pointers to them while the array of pointers grows. */
typedef struct local_walk {
        nereid_project *project;
        local_entry **entries;
        size_t count, cap;
        /* The same entries in the order of their paths, linked by
         * next_in_order (local_order_folder): the records are made in
         * this order, so they need no sort. */
        local_entry *ordered;
        hashcache *cache;
        size_t cached; /* files the cache answered: done at once, for progress */
        pool_stream *stream;
        /* A scan that makes records: each worker makes the record of the
         * file it hashed (in parallel, rather than all at the end), with
         * its file_path below destination. */
        int records;
        const char *destination;
        unsigned char **buffers; /* one read buffer per worker (scalar MD5) */
        md5mb **hashers;         /* one multi-buffer hasher per worker, or NULL */
        unsigned workers;
        /* Nothing to look up in the cache (a first track): regular files
         * known from readdir's d_type are not stat'ed during the walk;
         * each worker fstat's the file it opens. */
        int defer_stat;
        local_dir **dirs; /* every folder opened, freed at the end */
        size_t ndirs, cap_dirs;
        pthread_mutex_t lock;   /* open_dirs, waiting, failed */
        pthread_cond_t settled; /* a folder was closed, or a worker failed */
        int lock_made;
        size_t open_dirs; /* folders open now */
        int waiting;      /* the walk waits on settled */
        int failed;       /* a worker failed: no folder will be closed now */
        int has_home;     /* NEREID_HOME exists: home_dev, home_ino */
        dev_t home_dev;
        ino_t home_ino;
        int has_cache; /* the hash cache's folder exists apart from the store's */
        dev_t cache_dev;
        ino_t cache_ino;
        struct stat own[16]; /* the store's and cache's files that exist, for links */
        size_t nown;
        size_t skipped_own, skipped_temp; /* Nereid's files not tracked */
        char *first_temp;                 /* the first temporary skipped */
} local_walk;

/* The files Nereid keeps in NEREID_HOME: its two databases and what
 * SQLite puts beside them (-wal, -shm, -journal, -mj...). */
static int local_is_store_name(const char *name)
{
        static const char *const bases[] = {"store.db", "hashcache.db"};
        size_t b;

        for (b = 0; b < 2; b++) {
                size_t len = strlen(bases[b]);

                if (strncmp(name, bases[b], len) == 0 && (name[len] == '\0' || name[len] == '-'))
                        return 1;
        }
        return 0;
}

static const char *local_base_name(const char *path)
{
        const char *slash = strrchr(path, '/');

        return slash ? slash + 1 : path;
}

/* A name for messages, allocated: bytes that are not printable ASCII or
 * UTF-8 as \xNN. NULL when out of memory. */
static char *local_printable(const char *in)
{
        nereid_buf buf = NEREID_BUF_INIT;

        for (; *in; in++) {
                unsigned char c = (unsigned char)*in;

                if (c < 0x20 || c == 0x7f || (c >= 0x80 && !nrd_fs_is_utf8(in))) {
                        if (nrd_buf_printf(&buf, "\\x%02X", c) < 0)
                                break;
                } else if (nrd_buf_putc(&buf, (char)c) < 0) {
                        break;
                }
        }
        return nrd_buf_detach(&buf);
}

static int local_not_utf8(const char *path)
{
        char *shown = local_printable(path);
        int rc =
            nrd_error(NEREID_ERROR, "%s: file name is not valid UTF-8", shown ? shown : "(a file)");

        free(shown);
        return rc;
}

/* A worker failed: the pool hands out no more files, so the folders they
 * hold will not be closed; the walk must not wait for that. */
static void local_walk_fail(local_walk *walk)
{
        pthread_mutex_lock(&walk->lock);
        walk->failed = 1;
        pthread_cond_broadcast(&walk->settled);
        pthread_mutex_unlock(&walk->lock);
}

/* Take ownership of fd, an open folder, held once (by the walk). */
static local_dir *local_dir_new(local_walk *walk, int fd, dev_t dev)
{
        local_dir *dir;

        if (walk->ndirs == walk->cap_dirs) {
                size_t cap = walk->cap_dirs ? walk->cap_dirs * 2 : 64;
                local_dir **grown = nrd_calloc(cap, sizeof(*grown));

                if (!grown) {
                        close(fd);
                        return NULL;
                }
                if (walk->ndirs)
                        memcpy(grown, walk->dirs, walk->ndirs * sizeof(*grown));
                free(walk->dirs);
                walk->dirs = grown;
                walk->cap_dirs = cap;
        }
        if (!(dir = nrd_malloc(sizeof(*dir)))) {
                close(fd);
                nrd_error_oom();
                return NULL;
        }
        dir->fd = fd;
        dir->dev = dev;
        atomic_init(&dir->refs, 1);
        walk->dirs[walk->ndirs++] = dir;
        pthread_mutex_lock(&walk->lock);
        walk->open_dirs++;
        pthread_mutex_unlock(&walk->lock);
        return dir;
}

/* Drop one reference; the last closes the folder. Any thread. */
static void local_dir_release(local_walk *walk, local_dir *dir)
{
        if (!dir || atomic_fetch_sub(&dir->refs, 1) != 1)
                return;
        close(dir->fd);
        pthread_mutex_lock(&walk->lock);
        walk->open_dirs--;
        if (walk->waiting)
                pthread_cond_signal(&walk->settled);
        pthread_mutex_unlock(&walk->lock);
}

/* Wait until another folder may be opened. */
static void local_wait_for_room(local_walk *walk)
{
        pthread_mutex_lock(&walk->lock);
        while (walk->open_dirs >= LOCAL_OPEN_DIRS_MAX && !walk->failed) {
                walk->waiting = 1;
                pthread_cond_wait(&walk->settled, &walk->lock);
                walk->waiting = 0;
        }
        pthread_mutex_unlock(&walk->lock);
}

static void local_entry_free(local_entry *e)
{
        if (!e)
                return;
        free(e->rel);
        free(e->source);
        nrd_file_clear(&e->rec);
        free(e);
}

/* Free count entries and their array. */
static void local_entries_free(local_entry **entries, size_t count)
{
        size_t i;

        for (i = 0; i < count; i++)
                local_entry_free(entries[i]);
        free(entries);
}

static void local_walk_clear(local_walk *walk)
{
        size_t i;

        local_entries_free(walk->entries, walk->count);
        nrd_hashcache_free(walk->cache); /* not handed to the background: not written */
        walk->cache = NULL;
        walk->entries = NULL;
        walk->count = walk->cap = 0;
        walk->ordered = NULL;
        for (i = 0; i < walk->ndirs; i++)
                free(walk->dirs[i]);
        free(walk->dirs);
        walk->dirs = NULL;
        walk->ndirs = walk->cap_dirs = 0;
        free(walk->first_temp);
        walk->first_temp = NULL;
        if (walk->lock_made) {
                pthread_mutex_destroy(&walk->lock);
                pthread_cond_destroy(&walk->settled);
                walk->lock_made = 0;
        }
}

/* The entry of a file the walk found (a regular file, or a link to one),
 * taking rel and source (freed on failure). st is NULL when the worker is
 * to stat the file (defer_stat); d_ino is then what readdir said. */
static local_entry *local_entry_new(char *rel, char *source, int is_link, ino_t d_ino,
                                    const struct stat *st)
{
        local_entry *e = nrd_calloc(1, sizeof(*e));

        if (!e) {
                free(rel);
                free(source);
                return NULL;
        }
        e->rel = rel;
        e->source = source;
        e->is_link = is_link;
        e->name = local_base_name(is_link ? rel : source);
        e->d_ino = d_ino;
        if (st)
                e->st = *st;
        else
                e->needs_stat = 1;
        return e;
}

/* Record the entry of a file found in dir (taken): from the cache when it
 * can be trusted, else queued for hashing. */
static int local_add(local_walk *walk, local_dir *dir, local_entry *e)
{
        int rc;

        if (walk->count == walk->cap) {
                size_t cap = walk->cap ? walk->cap * 2 : 256;
                local_entry **grown = nrd_realloc_array(walk->entries, cap, sizeof(*grown));

                if (!grown) {
                        local_entry_free(e);
                        return NEREID_ERROR;
                }
                walk->entries = grown;
                walk->cap = cap;
        }
        walk->entries[walk->count++] = e;
        if ((walk->count & 1023) == 0) {
                size_t done, pushed;

                nrd_pool_stream_progress(walk->stream, &done, &pushed);
                if ((rc = nrd_project_progress(walk->project, "hashing", done + walk->cached,
                                               pushed + walk->cached)) < 0)
                        return rc;
        }
        if (!e->needs_stat) {
                rc = nrd_hashcache_lookup(walk->cache, e->source, &e->st, e->md5);
                if (rc < 0)
                        return rc;
                e->cached = rc;
                if (e->cached) {
                        walk->cached++;
                        return 0;
                }
        }
        e->dir = dir;
        atomic_fetch_add(&dir->refs, 1);
        rc = nrd_pool_stream_push(walk->stream, e);
        if (rc < 0) {
                e->dir = NULL;
                local_dir_release(walk, dir);
        }
        return rc;
}

/* Nereid's own file (the store, or a download temporary): skipped, and
 * counted for the one warning at the end. 1 when skipped. */
static int local_skip_own(local_walk *walk, const local_frame *frame, const char *name)
{
        if (frame->is_home && local_is_store_name(name)) {
                walk->skipped_own++;
                return 1;
        }
        if (nrd_fs_is_nereid_temp(name)) {
                if (!walk->skipped_temp++)
                        walk->first_temp = nrd_fs_join(frame->abs, name);
                return 1;
        }
        return 0;
}

/* 1 when st is the store's folder or the hash cache's, whose Nereid
 * files are not tracked. */
static int local_is_home(const local_walk *walk, const struct stat *st)
{
        return (walk->has_home && st->st_dev == walk->home_dev && st->st_ino == walk->home_ino) ||
               (walk->has_cache && st->st_dev == walk->cache_dev && st->st_ino == walk->cache_ino);
}

static int local_is_own_target(const local_walk *walk, const struct stat *st)
{
        size_t i;

        for (i = 0; i < walk->nown; i++)
                if (walk->own[i].st_dev == st->st_dev && walk->own[i].st_ino == st->st_ino)
                        return 1;
        return 0;
}

/* A symbolic link found in frame's folder: a link to a file is recorded
 * under the link's name with the resolved target as its source (*added,
 * else NULL). */
static int local_add_link(local_walk *walk, local_frame *frame, const char *name,
                          local_entry **added)
{
        char *child_abs = nrd_fs_join(frame->abs, name), *target = NULL, *rel = NULL;
        struct stat st;
        int rc = 0;

        *added = NULL;
        if (!child_abs)
                return NEREID_ERROR;
        target = realpath(child_abs, NULL);
        if (!target && errno == ENAMETOOLONG) {
                rc = nrd_error_os(NEREID_ERROR, ENAMETOOLONG, "%s: cannot resolve the link",
                                  child_abs);
        } else if (!target || stat(target, &st) < 0) {
                nrd_project_notify(walk->project, 0, "%s: dangling link skipped", child_abs);
        } else if (S_ISDIR(st.st_mode)) {
                /* Not descended: this also rules out loops. */
                nrd_project_notify(walk->project, 0, "%s: link to a folder skipped (not followed)",
                                   child_abs);
        } else if (!S_ISREG(st.st_mode)) {
                nrd_project_notify(walk->project, 0, "%s: link to a special file skipped",
                                   child_abs);
        } else if (local_is_own_target(walk, &st)) {
                walk->skipped_own++;
        } else {
                rel = *frame->rel ? nrd_fs_join(frame->rel, name) : nrd_strdup(name);
                if (!rel) {
                        rc = NEREID_ERROR;
                } else {
                        if (nrd_local_scan_hook)
                                nrd_local_scan_hook(frame->abs, name);
                        local_entry *e = local_entry_new(rel, target, 1, 0, &st);

                        target = NULL;
                        rc = e ? local_add(walk, frame->dir, e) : NEREID_ERROR;
                        if (rc == 0)
                                *added = e;
                }
        }
        free(target);
        free(child_abs);
        return rc;
}

/* The next child of frame's listing, zeroed; NULL when out of memory. */
static local_child *local_child_new(local_frame *frame)
{
        local_child *child;

        if (frame->nchildren == frame->cap_children) {
                size_t cap = frame->cap_children ? frame->cap_children * 2 : 16;
                local_child *grown = nrd_realloc_array(frame->children, cap, sizeof(*grown));

                if (!grown)
                        return NULL;
                frame->children = grown;
                frame->cap_children = cap;
        }
        child = &frame->children[frame->nchildren++];
        memset(child, 0, sizeof(*child));
        return child;
}

static const char *local_child_name(const local_child *child)
{
        return child->entry ? child->entry->name : child->name;
}

/* Children (pointers to them) in the order of the paths they lead to: a
 * subfolder compares as its name followed by '/', where its files' paths
 * go on, so that taking each subfolder's files in its place gives the
 * files in the order of their paths, byte by byte as strcmp orders them. */
static int local_child_compare(const void *pa, const void *pb)
{
        const local_child *a = *(const local_child *const *)pa;
        const local_child *b = *(const local_child *const *)pb;
        const unsigned char *x = (const unsigned char *)local_child_name(a);
        const unsigned char *y = (const unsigned char *)local_child_name(b);
        unsigned cx, cy;

        while (*x && *x == *y) {
                x++;
                y++;
        }
        cx = *x ? *x : a->entry ? 0 : '/';
        cy = *y ? *y : b->entry ? 0 : '/';
        return cx < cy ? -1 : cx > cy;
}

/* Link the entries below frame's folder, all its subfolders left, in the
 * order of their paths: its children sorted, a subfolder's entries put in
 * its place. The records are then made sorted, instead of a sort of the
 * whole artifact after the last file (100,000 records: 0.03-0.05 s). */
static int local_order_folder(const local_frame *frame, local_entry **head, local_entry **tail)
{
        const local_child **sorted;
        local_entry *first = NULL, *last = NULL;
        size_t i;

        *head = *tail = NULL;
        if (!frame->nchildren)
                return 0;
        if (!(sorted = nrd_calloc(frame->nchildren, sizeof(*sorted))))
                return NEREID_ERROR;
        for (i = 0; i < frame->nchildren; i++)
                sorted[i] = &frame->children[i];
        qsort(sorted, frame->nchildren, sizeof(*sorted), local_child_compare);
        for (i = 0; i < frame->nchildren; i++) {
                local_entry *from = sorted[i]->entry ? sorted[i]->entry : sorted[i]->head;
                local_entry *to = sorted[i]->entry ? sorted[i]->entry : sorted[i]->tail;

                if (!from)
                        continue; /* a subfolder with no file */
                if (last)
                        last->next_in_order = from;
                else
                        first = from;
                last = to;
        }
        if (last)
                last->next_in_order = NULL;
        free(sorted);
        *head = first;
        *tail = last;
        return 0;
}

/* List the folder of frame: files (regular files, links to one) get their
 * entries and go to the workers (or the cache) at once, subfolders are kept
 * to be entered after the listing, other links and special files are
 * judged one by one. */
static int local_read_dir(local_walk *walk, local_frame *frame)
{
        int dirfd = frame->dir->fd, fd, rc = 0;
        struct dirent *de;
        DIR *dir;

        /* The folder's descriptor outlives the listing (the workers open
         * files from it): the listing reads a copy. */
        fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
        dir = fd >= 0 ? fdopendir(fd) : NULL;
        if (!dir) {
                int err = errno;

                if (fd >= 0)
                        close(fd);
                return nrd_error_os(nrd_error_from_errno(err), err, "%s: cannot list", frame->abs);
        }
        while (rc == 0) {
                const char *name;
                local_child *child;
                local_entry *e;
                struct stat st;
                int have_st = 0;

                errno = 0;
                de = readdir(dir);
                if (!de) {
                        if (errno)
                                rc = nrd_error_os(NEREID_ERROR, errno, "%s: cannot list",
                                                  frame->abs);
                        break;
                }
                name = de->d_name;
                if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                        continue;
                if (!nrd_fs_is_utf8(name)) {
                        char *child_abs = nrd_fs_join(frame->abs, name);

                        rc = child_abs ? local_not_utf8(child_abs) : NEREID_ERROR;
                        free(child_abs);
                        break;
                }
                if (!nrd_os_dirent_is_file(de) || !walk->defer_stat) {
                        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                                int err = errno;
                                char *child_abs = nrd_fs_join(frame->abs, name);

                                rc = nrd_error_os(nrd_error_from_errno(err), err, "%s",
                                                  child_abs ? child_abs : name);
                                free(child_abs);
                                break;
                        }
                        have_st = 1;
                }
                if (!(have_st && S_ISDIR(st.st_mode)) && local_skip_own(walk, frame, name))
                        continue;
                if (have_st && !S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) &&
                    !S_ISLNK(st.st_mode)) {
                        char *child_abs = nrd_fs_join(frame->abs, name);

                        nrd_project_notify(
                            walk->project, 0,
                            "%s: not a regular file (FIFO, socket or device), skipped",
                            child_abs ? child_abs : name);
                        free(child_abs);
                        continue;
                }
                if (have_st && S_ISLNK(st.st_mode)) {
                        e = NULL;
                        rc = local_add_link(walk, frame, name, &e);
                        if (rc == 0 && e && !(child = local_child_new(frame)))
                                rc = NEREID_ERROR;
                        else if (rc == 0 && e)
                                child->entry = e;
                        continue;
                }
                if (!(child = local_child_new(frame))) {
                        rc = NEREID_ERROR;
                        break;
                }
                if (have_st && S_ISDIR(st.st_mode)) {
                        child->dev = st.st_dev;
                        child->ino = st.st_ino;
                } else {
                        char *rel = *frame->rel ? nrd_fs_join(frame->rel, name) : nrd_strdup(name);
                        char *source = nrd_fs_join(frame->abs, name);

                        if (!rel || !source) {
                                free(rel);
                                free(source);
                                frame->nchildren--;
                                rc = NEREID_ERROR;
                                break;
                        }
                        e = local_entry_new(rel, source, 0, de->d_ino, have_st ? &st : NULL);
                        if (e && nrd_local_scan_hook)
                                nrd_local_scan_hook(frame->abs, name);
                        /* local_add takes e (freed, or the walk's, on failure). */
                        rc = e ? local_add(walk, frame->dir, e) : NEREID_ERROR;
                        if (rc == 0)
                                child->entry = e;
                        else
                                frame->nchildren--;
                        continue;
                }
                if (!(child->name = nrd_strdup(name))) {
                        frame->nchildren--;
                        rc = NEREID_ERROR;
                }
        }
        closedir(dir);
        return rc;
}

/* The walk's stack of folders, on the heap. */
typedef struct local_stack {
        local_frame *frames;
        size_t depth, cap;
} local_stack;

static void local_frame_free(local_walk *walk, local_frame *frame)
{
        size_t i;

        local_dir_release(walk, frame->dir);
        for (i = 0; i < frame->nchildren; i++)
                free(frame->children[i].name);
        free(frame->children);
        free(frame->abs);
        free(frame->rel);
}

/* Push a folder, open at dir (held), the child at index in_parent of the
 * folder below it, and read it. Takes dir, abs, rel. */
static int local_push(local_walk *walk, local_stack *stack, local_dir *dir, char *abs, char *rel,
                      const struct stat *st, size_t in_parent)
{
        local_frame *frame;

        if (stack->depth == stack->cap) {
                size_t cap = stack->cap ? stack->cap * 2 : 32;
                local_frame *grown = nrd_realloc_array(stack->frames, cap, sizeof(*grown));

                if (!grown) {
                        local_dir_release(walk, dir);
                        free(abs);
                        free(rel);
                        return nrd_error_oom();
                }
                stack->frames = grown;
                stack->cap = cap;
        }
        frame = &stack->frames[stack->depth++];
        memset(frame, 0, sizeof(*frame));
        frame->dir = dir;
        frame->abs = abs;
        frame->rel = rel;
        frame->dev = st->st_dev;
        frame->ino = st->st_ino;
        frame->in_parent = in_parent;
        frame->is_home = local_is_home(walk, st);
        if (!abs || !rel)
                return NEREID_ERROR;
        /* Only the deepest folders stay open. */
        if (stack->depth > LOCAL_HELD_DEPTH + 1) {
                local_frame *old = &stack->frames[stack->depth - LOCAL_HELD_DEPTH - 2];

                local_dir_release(walk, old->dir);
                old->dir = NULL;
        }
        return local_read_dir(walk, frame);
}

/* Enter the subfolder at index at of the top frame's children. */
static int local_enter(local_walk *walk, local_stack *stack, size_t at)
{
        local_frame *top = &stack->frames[stack->depth - 1];
        const local_child *sub = &top->children[at];
        char *abs = nrd_fs_join(top->abs, sub->name), *rel;
        local_dir *dir;
        struct stat st;
        int fd;

        if (!abs)
                return NEREID_ERROR;
        if (nrd_local_scan_hook)
                nrd_local_scan_hook(top->abs, sub->name);
        local_wait_for_room(walk);
        /* O_NOFOLLOW: a folder swapped for a link since it was listed is
         * not entered; and it must be the very folder that was listed. */
        fd = openat(top->dir->fd, sub->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0 || st.st_dev != sub->dev || st.st_ino != sub->ino) {
                int err = errno, rc;

                if (fd >= 0 || err == ELOOP || err == ENOTDIR)
                        rc = nrd_error(NEREID_ERROR, "%s: changed while being tracked", abs);
                else
                        rc = nrd_error_os(nrd_error_from_errno(err), err, "%s: cannot open folder",
                                          abs);
                if (fd >= 0)
                        close(fd);
                free(abs);
                return rc;
        }
        if (!(dir = local_dir_new(walk, fd, st.st_dev))) {
                free(abs);
                return NEREID_ERROR;
        }
        rel = *top->rel ? nrd_fs_join(top->rel, sub->name) : nrd_strdup(sub->name);
        return local_push(walk, stack, dir, abs, rel, &st, at);
}

/* Done with the top frame: link its entries in order into its place in the
 * parent (or the walk's, at the top), and pop it, reopening its parent
 * through ".." when the parent was closed, and checking that it is the
 * folder it was. */
static int local_leave(local_walk *walk, local_stack *stack)
{
        local_frame *top = &stack->frames[stack->depth - 1];
        local_entry *head, *tail;
        int rc = local_order_folder(top, &head, &tail);

        if (rc == 0 && stack->depth >= 2) {
                local_child *place = &stack->frames[stack->depth - 2].children[top->in_parent];

                place->head = head;
                place->tail = tail;
        } else if (rc == 0) {
                walk->ordered = head;
        }
        if (rc == 0 && stack->depth >= 2 && !stack->frames[stack->depth - 2].dir) {
                local_frame *parent = &stack->frames[stack->depth - 2];
                struct stat st;
                int fd = openat(top->dir->fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

                if (fd < 0 || fstat(fd, &st) < 0 || st.st_dev != parent->dev ||
                    st.st_ino != parent->ino) {
                        rc = fd < 0 ? nrd_error_os(nrd_error_from_errno(errno), errno,
                                                   "%s: cannot open folder", parent->abs)
                                    : nrd_error(NEREID_ERROR, "%s: moved while being tracked",
                                                top->abs);
                        if (fd >= 0)
                                close(fd);
                } else if (!(parent->dir = local_dir_new(walk, fd, st.st_dev))) {
                        rc = NEREID_ERROR;
                }
        }
        local_frame_free(walk, top);
        stack->depth--;
        return rc;
}

/* Walk the folder open at fd (taken), whose absolute path is abs and whose
 * stat the caller took before opening it. */
static int local_walk_tree(local_walk *walk, int fd, const char *abs, const struct stat *st)
{
        local_stack stack = {0};
        struct stat now;
        local_dir *dir;
        int rc;

        if (fstat(fd, &now) < 0 || now.st_dev != st->st_dev || now.st_ino != st->st_ino) {
                close(fd);
                return nrd_error(NEREID_ERROR, "%s: changed while being tracked", abs);
        }
        if (!(dir = local_dir_new(walk, fd, now.st_dev)))
                return NEREID_ERROR;
        rc = local_push(walk, &stack, dir, nrd_strdup(abs), nrd_strdup(""), &now, 0);
        while (rc == 0 && stack.depth > 0) {
                local_frame *top = &stack.frames[stack.depth - 1];

                while (top->next < top->nchildren && top->children[top->next].entry)
                        top->next++; /* files: handed on when listed */
                if (top->next == top->nchildren)
                        rc = local_leave(walk, &stack);
                else
                        rc = local_enter(walk, &stack, top->next++);
        }
        while (stack.depth > 0)
                local_frame_free(walk, &stack.frames[--stack.depth]);
        free(stack.frames);
        return rc;
}

/* Open one file from its folder without following links (but following
 * a link to a file the walk chose to follow) and check it is still the
 * file the walk saw. Releases the entry's folder; *fd is the open file,
 * or -1 on failure. */
static int local_open_entry(local_walk *walk, local_entry *e, int *fd_out)
{
        int fd, rc = 0;

        *fd_out = -1;
        if (nrd_project_cancelled(walk->project)) {
                /* Asked to stop: no more files are read. */
                local_dir_release(walk, e->dir);
                e->dir = NULL;
                return NEREID_ECANCELLED;
        }
        /* O_NONBLOCK: should the file have been replaced by a FIFO since the
         * walk, open must not hang; fstat below then rejects it. */
        fd = openat(e->dir->fd, e->name,
                    O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | (e->is_link ? 0 : O_NOFOLLOW));
        if (fd < 0) {
                int err = errno;

                if (err == ENOENT)
                        rc = nrd_error(NEREID_ENOTFOUND, "%s: vanished while tracking", e->source);
                else if (err == ELOOP && !e->is_link)
                        rc = nrd_error(NEREID_ERROR, "%s: changed while being tracked", e->source);
                else
                        rc = nrd_error_os(nrd_error_from_errno(err), err, "%s: cannot read",
                                          e->source);
        } else if (e->needs_stat) {
                struct stat there;

                /* readdir's inode, or (a file mounted over, some overlay file
                 * systems) what the name is now. */
                if (fstat(fd, &e->st) < 0 || !S_ISREG(e->st.st_mode) ||
                    ((e->st.st_ino != e->d_ino || e->st.st_dev != e->dir->dev) &&
                     (fstatat(e->dir->fd, e->name, &there, AT_SYMLINK_NOFOLLOW) < 0 ||
                      there.st_ino != e->st.st_ino || there.st_dev != e->st.st_dev)))
                        rc = nrd_error(NEREID_ERROR, "%s: changed while being tracked", e->source);
        }
        local_dir_release(walk, e->dir);
        e->dir = NULL;
        if (rc < 0 && fd >= 0)
                close(fd);
        else
                *fd_out = fd;
        return rc;
}

/* After reading nread bytes: one fstat tells whether this is still the
 * file the walk saw, unchanged: same inode, size and mtime, and every
 * byte. Closes fd. */
static int local_check_entry(local_entry *e, int fd, uint64_t nread)
{
        struct stat now;
        int rc = 0;

        if (fstat(fd, &now) < 0 || !S_ISREG(now.st_mode) || now.st_ino != e->st.st_ino ||
            now.st_dev != e->st.st_dev || nread != (uint64_t)e->st.st_size ||
            now.st_size != e->st.st_size || nrd_fs_mtime_ns(&now) != nrd_fs_mtime_ns(&e->st))
                rc = nrd_error(NEREID_ERROR, "%s: changed while being tracked", e->source);
        close(fd);
        return rc;
}

/* The record of one entry, its file_path below destination. */
static int local_entry_record(const local_entry *e, const char *destination,
                              struct nereid_file *rec)
{
        char when[20];

        memset(rec, 0, sizeof(*rec));
        nrd_fs_format_utc(e->st.st_mtime, when);
        rec->file_path = nrd_source_prefixed(destination, e->rel);
        rec->file_hash = nrd_strdup(e->md5);
        rec->type = nrd_strdup(nrd_source_local.type);
        rec->size = (uint64_t)e->st.st_size;
        rec->has_size = 1;
        rec->source = nrd_fileurl_from_path(e->source); /* percent-encoded */
        rec->last_modified = nrd_strdup(when);
        if (!rec->file_path || !rec->file_hash || !rec->type || !rec->source ||
            !rec->last_modified) {
                nrd_file_clear(rec);
                return NEREID_ERROR;
        }
        return 0;
}

/* A file hashed and checked: queued for the hash cache and, for a scan
 * that makes records, its record made, on the worker's thread. */
static int local_entry_hashed(local_walk *walk, local_entry *e)
{
        int rc = nrd_hashcache_put(walk->cache, e->source, &e->st, e->md5, nrd_fs_now_ns());

        if (rc == 0 && walk->records &&
            (rc = local_entry_record(e, walk->destination, &e->rec)) == 0)
                e->has_rec = 1;
        return rc;
}

/* Hash one file with OpenSSL's MD5 (the scalar implementation). */
static int local_hash_entry(void *payload, void *item, unsigned worker)
{
        local_walk *walk = payload;
        local_entry *e = item;
        uint64_t nread = 0;
        int fd, rc;

        rc = local_open_entry(walk, e, &fd);
        if (rc == 0) {
                rc = nrd_hash_md5_fd_sized(fd, e->source, walk->buffers[worker],
                                           (uint64_t)e->st.st_size, e->md5, &nread);
                if (rc == 0)
                        rc = local_check_entry(e, fd, nread);
                else
                        close(fd);
                if (rc == 0)
                        rc = local_entry_hashed(walk, e);
        }
        if (rc < 0)
                local_walk_fail(walk);
        return rc;
}

/* A worker's multi-buffer run: the item the pool gave it, then more taken
 * from the queue while its lanes have room. */
struct local_mb_run {
        local_walk *walk;
        local_entry *first; /* the pool's item, until it is started */
};

static int local_mb_next(void *payload, md5mb_stream *s, unsigned held)
{
        struct local_mb_run *run = payload;
        local_walk *walk = run->walk;
        local_entry *e = run->first;
        void *item;
        int fd, rc;

        if (e) {
                run->first = NULL;
        } else if (nrd_pool_stream_take(walk->stream, held, &item)) {
                e = item;
                e->taken = 1;
        } else {
                return 0;
        }
        if ((rc = local_open_entry(walk, e, &fd)) < 0) {
                local_walk_fail(walk);
                if (e->taken)
                        nrd_pool_stream_item_done(walk->stream, rc);
                return rc;
        }
        s->fd = fd;
        s->size = (uint64_t)e->st.st_size;
        s->name = e->source;
        s->item = e;
        return 1;
}

static int local_mb_done(void *payload, md5mb_stream *s, int rc)
{
        struct local_mb_run *run = payload;
        local_entry *e = s->item;

        if (rc == 0) {
                memcpy(e->md5, s->md5, sizeof(e->md5));
                rc = local_check_entry(e, s->fd, s->nread);
                if (rc == 0)
                        rc = local_entry_hashed(run->walk, e);
        } else {
                close(s->fd);
        }
        if (rc < 0 && rc != NEREID_ECANCELLED)
                local_walk_fail(run->walk);
        /* A stream the run gave back after a failure elsewhere: that
         * failure is the one reported. */
        if (e->taken)
                nrd_pool_stream_item_done(run->walk->stream, rc == NEREID_ECANCELLED ? 0 : rc);
        return rc == NEREID_ECANCELLED ? 0 : rc;
}

/* Hash the pool's item and whatever else is queued side by side in the
 * SIMD lanes of this worker's hasher. */
static int local_hash_entries(void *payload, void *item, unsigned worker)
{
        local_walk *walk = payload;
        struct local_mb_run run = {walk, item};

        return nrd_md5mb_run(walk->hashers[worker], local_mb_next, local_mb_done, &run);
}

static void local_tick(void *payload, size_t done, size_t count)
{
        local_walk *walk = payload;

        nrd_project_progress(walk->project, "hashing", done + walk->cached, count + walk->cached);
}

/* The hash cache's warning (it could not be used as it was). */
static void local_cache_warning(void *payload, const char *message)
{
        nrd_project_notify(payload, 0, "%s", message);
}

/* Where the store is (by device and inode, whatever path names it), and
 * its files as they are now, for links that point at them. */
static void local_find_home(local_walk *walk)
{
        static const char *const names[] = {
            "store.db",     "store.db-wal",     "store.db-shm",     "store.db-journal",
            "hashcache.db", "hashcache.db-wal", "hashcache.db-shm", "hashcache.db-journal"};
        struct stat st;
        size_t i;
        int fd;

        fd = walk->project->home ? open(walk->project->home, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                                 : -1;
        if (fd >= 0 && fstat(fd, &st) == 0) {
                walk->has_home = 1;
                walk->home_dev = st.st_dev;
                walk->home_ino = st.st_ino;
                for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                        if (fstatat(fd, names[i], &walk->own[walk->nown], 0) == 0)
                                walk->nown++;
        }
        if (fd >= 0)
                close(fd);
        /* The hash cache may have a folder of its own (the cache option). */
        fd = open(walk->project->cache, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return;
        if (fstat(fd, &st) == 0 && !local_is_home(walk, &st)) {
                walk->has_cache = 1;
                walk->cache_dev = st.st_dev;
                walk->cache_ino = st.st_ino;
                for (i = 4; i < sizeof(names) / sizeof(names[0]); i++)
                        if (fstatat(fd, names[i], &walk->own[walk->nown], 0) == 0)
                                walk->nown++;
        }
        close(fd);
}

/* Open the hash cache, the read buffers and the worker pool. */
static int local_walk_begin(local_walk *walk, int writable)
{
        unsigned w;
        int rc;

        if (pthread_mutex_init(&walk->lock, NULL) != 0)
                return nrd_error(NEREID_ERROR, "track: cannot make a lock");
        if (pthread_cond_init(&walk->settled, NULL) != 0) {
                pthread_mutex_destroy(&walk->lock);
                return nrd_error(NEREID_ERROR, "track: cannot make a condition variable");
        }
        walk->lock_made = 1;
        walk->workers = nrd_project_workers(walk->project);
        if ((rc = nrd_hashcache_open(&walk->cache, walk->project->cache, writable,
                                     local_cache_warning, walk->project)) < 0)
                return rc;
        local_find_home(walk);
        walk->defer_stat = nrd_hashcache_empty(walk->cache);
        if (walk->project->cfg.md5 != NEREID_MD5_SCALAR) {
                walk->hashers = nrd_calloc(walk->workers, sizeof(*walk->hashers));
                if (!walk->hashers)
                        return NEREID_ERROR;
                for (w = 0; w < walk->workers; w++) {
                        if ((rc = nrd_md5mb_new(&walk->hashers[w], walk->project->cfg.md5, 0)) < 0)
                                return rc;
                        nrd_md5mb_set_max_streams(walk->hashers[w],
                                                  LOCAL_STREAMS_MAX / walk->workers);
                }
                return nrd_pool_stream_start(&walk->stream, walk->workers, 0, local_hash_entries,
                                             walk);
        }
        walk->buffers = nrd_calloc(walk->workers, sizeof(*walk->buffers));
        if (!walk->buffers)
                return NEREID_ERROR;
        for (w = 0; w < walk->workers; w++)
                if (!(walk->buffers[w] = nrd_malloc(NEREID_HASH_BLOCK)))
                        return nrd_error_oom();
        return nrd_pool_stream_start(&walk->stream, walk->workers, 0, local_hash_entry, walk);
}

typedef struct local_cache_write {
        nereid_project *project;
        hashcache *cache;
        local_entry **entries; /* the walk's, done with: freed here too */
        size_t count;
} local_cache_write;

/* Free the walk's entries (100,000 files are 300,000 blocks: freed here
 * rather than on the thread that sorts the records and writes the store,
 * and first, so that they are usually gone before the store's write uses
 * its memory), then write the hash cache and close it. A failure costs only
 * speed (the files are hashed again next time), so it is a warning, not a
 * failed track. */
static void *local_cache_commit(void *arg)
{
        local_cache_write *job = arg;

        local_entries_free(job->entries, job->count);
        if (nrd_hashcache_commit(job->cache) < 0)
                nrd_project_notify(job->project, 0, "%s (files will be hashed again next time)",
                                   nereid_error_last());
        nrd_hashcache_free(job->cache);
        free(job);
        return NULL;
}

/* The one warning about Nereid's own files left out. */
static void local_warn_skipped(local_walk *walk)
{
        if (walk->skipped_own && walk->skipped_temp)
                nrd_project_notify(
                    walk->project, 0,
                    "Nereid's own files not tracked: its store in %s (%zu files) and "
                    "download temporaries such as %s (%zu)",
                    walk->project->home, walk->skipped_own,
                    walk->first_temp ? walk->first_temp : "?", walk->skipped_temp);
        else if (walk->skipped_own)
                nrd_project_notify(walk->project, 0,
                                   "Nereid's own files not tracked: its store in %s (%zu files)",
                                   walk->project->home, walk->skipped_own);
        else if (walk->skipped_temp)
                nrd_project_notify(walk->project, 0,
                                   "Nereid's own files not tracked: download temporaries such as "
                                   "%s (%zu)",
                                   walk->first_temp ? walk->first_temp : "?", walk->skipped_temp);
}

/* Wait for the hashing and let the hashers go (local_walk_commit writes
 * what they queued for the hash cache). rc is the walk's result: the pool
 * is always finished, even when the walk failed. */
static int local_walk_end(local_walk *walk, int rc)
{
        size_t i;
        unsigned w;
        int hashed = 0;

        if (walk->stream) {
                hashed = nrd_pool_stream_finish(walk->stream, local_tick, walk);
                walk->stream = NULL;
                if (rc == 0)
                        rc = hashed;
        }
        /* Files a failed pool never opened still hold their folders. */
        for (i = 0; i < walk->ndirs; i++)
                if (atomic_load(&walk->dirs[i]->refs) > 0) {
                        close(walk->dirs[i]->fd);
                        atomic_store(&walk->dirs[i]->refs, 0);
                }
        if (rc == 0)
                local_warn_skipped(walk);
        if (walk->buffers) {
                for (w = 0; w < walk->workers; w++)
                        free(walk->buffers[w]);
                free(walk->buffers);
                walk->buffers = NULL;
        }
        if (walk->hashers) {
                for (w = 0; w < walk->workers; w++)
                        nrd_md5mb_free(walk->hashers[w]);
                free(walk->hashers);
                walk->hashers = NULL;
        }
        return rc;
}

/* After a walk that succeeded, its records made: the hash cache (what the
 * workers queued for it) is written, and the entries freed, in the
 * background while the caller writes the store. */
static void local_walk_commit(local_walk *walk)
{
        local_cache_write *job;

        if (!walk->cache)
                return;
        if (!(job = nrd_malloc(sizeof(*job))))
                return; /* not written (local_walk_clear frees it): hashed again next time */
        job->project = walk->project;
        job->cache = walk->cache;
        job->entries = walk->entries;
        job->count = walk->count;
        walk->cache = NULL;
        walk->entries = NULL;
        walk->count = walk->cap = 0;
        nrd_project_background(walk->project, local_cache_commit, job);
}

/* The records, moved from the entries the workers made them for, made
 * here for the ones the hash cache knew. */
static int local_to_records(local_walk *walk, nereid_files *out)
{
        local_entry *next = walk->ordered;
        size_t i, linked = 0;
        int rc = 0;

        /* In the order of paths when the walk linked every entry (else in
         * the walk's order: the caller sorts them). */
        for (; next; next = next->next_in_order)
                linked++;
        next = linked == walk->count ? walk->ordered : NULL;
        for (i = 0; i < walk->count && rc == 0; i++) {
                local_entry *e = next ? next : walk->entries[i];

                if (next)
                        next = next->next_in_order;

                if (!e->has_rec && (rc = local_entry_record(e, walk->destination, &e->rec)) < 0)
                        break;
                e->has_rec = 0;
                rc = nrd_files_push(out, &e->rec); /* takes the strings, clears e->rec */
        }
        return rc;
}

/* One file named as the path itself: opened from its folder like the
 * files of a walk. */
static int local_find_file(local_walk *walk, const source_location *loc, const char *resolved,
                           const struct stat *st)
{
        const char *base = local_base_name(resolved);
        char *parent = NULL, *rel = NULL, *source = NULL;
        local_frame frame = {0};
        char top[1] = "";
        struct stat pst;
        int fd, rc = 0;

        if (!nrd_fs_is_utf8(local_base_name(loc->path)))
                return local_not_utf8(loc->path);
        parent = nrd_strdup(base == resolved + 1 ? "/" : resolved);
        if (!parent)
                return NEREID_ERROR;
        if (base != resolved + 1)
                parent[base - resolved - 1] = '\0';
        /* Only the file is read: a folder that can be searched but not
         * listed will do. */
        fd = nrd_os_open_search_dir(parent);
        if (fd < 0 || fstat(fd, &pst) < 0) {
                rc = nrd_error_os(nrd_error_from_errno(errno), errno, "%s: cannot open folder",
                                  parent);
                if (fd >= 0)
                        close(fd);
                goto cleanup;
        }
        frame.abs = parent;
        frame.rel = top;
        frame.is_home = local_is_home(walk, &pst);
        if (!(frame.dir = local_dir_new(walk, fd, pst.st_dev))) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        if (local_skip_own(walk, &frame, base))
                goto cleanup;
        if (local_is_own_target(walk, st)) {
                walk->skipped_own++;
                goto cleanup;
        }
        rel = nrd_strdup(local_base_name(loc->path));
        source = nrd_strdup(resolved);
        if (!rel || !source) {
                free(rel);
                free(source);
                rc = NEREID_ERROR;
                goto cleanup;
        }
        {
                local_entry *e = local_entry_new(rel, source, 0, st->st_ino, st);

                rc = e ? local_add(walk, frame.dir, e) : NEREID_ERROR;
                if (rc == 0)
                        walk->ordered = e;
        }
cleanup:
        local_dir_release(walk, frame.dir);
        free(parent);
        return rc;
}

/* Walk (or take) what the resolved path names, adding entries. */
static int local_find(local_walk *walk, const source_location *loc, const char *resolved,
                      const struct stat *st)
{
        if (S_ISREG(st->st_mode))
                return local_find_file(walk, loc, resolved, st);
        if (loc->exact)
                return nrd_error(NEREID_ENOTFOUND, "%s: no longer a regular file", loc->path);
        if (S_ISDIR(st->st_mode)) {
                int fd = open(resolved, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

                if (fd < 0)
                        return nrd_error_os(nrd_error_from_errno(errno), errno,
                                            "%s: cannot open folder", loc->path);
                return local_walk_tree(walk, fd, resolved, st);
        }
        return nrd_error(NEREID_ERROR, "%s: not a regular file or folder (FIFO, socket or device)",
                         loc->path);
}

int nrd_local_scan(nereid_project *project, const source_location *loc, const char *destination,
                   nereid_files *out)
{
        local_walk walk = {0};
        struct stat st;
        char *resolved = NULL;
        int rc = 0, writable;

        walk.project = project;
        walk.records = 1;
        walk.destination = destination;
        writable = project->mode != NEREID_MODE_READ_ONLY && project->mode != NEREID_MODE_DEBUG;
        if (lstat(loc->path, &st) < 0)
                return nrd_error_os(nrd_error_from_errno(errno), errno, "%s", loc->path);
        /* The path the user named is resolved once; below it links are
         * judged one by one by the walk. */
        resolved = realpath(loc->path, NULL);
        if (!resolved || stat(resolved, &st) < 0) {
                rc = nrd_error_os(nrd_error_from_errno(errno), errno, "%s", loc->path);
                goto cleanup;
        }
        rc = local_walk_begin(&walk, writable);
        if (rc == 0)
                rc = local_find(&walk, loc, resolved, &st);
        rc = local_walk_end(&walk, rc);
        if (rc == 0)
                rc = local_to_records(&walk, out);
        if (rc == 0)
                local_walk_commit(&walk);
cleanup:
        free(resolved);
        local_walk_clear(&walk);
        return rc;
}

/* Whether an error of lstat, realpath or stat means the path is gone. */
static int local_gone(int err)
{
        return err == ENOENT || err == ENOTDIR;
}

int nrd_local_scan_files(nereid_project *project, const source_location *locs, size_t n,
                         struct nereid_file *got)
{
        local_walk walk = {0};
        size_t i, *at;
        int rc = 0, writable;

        for (i = 0; i < n; i++)
                memset(&got[i], 0, sizeof(got[i]));
        if (!(at = nrd_calloc(n ? n : 1, sizeof(*at))))
                return NEREID_ERROR;
        walk.project = project;
        writable = project->mode != NEREID_MODE_READ_ONLY && project->mode != NEREID_MODE_DEBUG;
        rc = local_walk_begin(&walk, writable);
        for (i = 0; i < n && rc == 0; i++) {
                const source_location *loc = &locs[i];
                char *resolved = NULL;
                size_t before = walk.count;
                struct stat st;

                /* As the walk does: few folders held open at once. */
                local_wait_for_room(&walk);
                if (walk.failed)
                        break;
                if (lstat(loc->path, &st) < 0 || !(resolved = realpath(loc->path, NULL)) ||
                    stat(resolved, &st) < 0) {
                        int err = errno;

                        free(resolved);
                        if (local_gone(err))
                                continue; /* no file there now */
                        rc = nrd_error_os(nrd_error_from_errno(err), err, "%s", loc->path);
                        break;
                }
                rc = local_find(&walk, loc, resolved, &st);
                free(resolved);
                if (rc == NEREID_ENOTFOUND) { /* no longer a regular file */
                        nrd_error_clear();
                        rc = 0;
                }
                if (rc == 0 && walk.count == before + 1)
                        at[i] = walk.count;
        }
        rc = local_walk_end(&walk, rc);
        for (i = 0; i < n && rc == 0; i++)
                if (at[i])
                        rc = local_entry_record(walk.entries[at[i] - 1], NULL, &got[i]);
        if (rc == 0)
                local_walk_commit(&walk);
        if (rc < 0)
                for (i = 0; i < n; i++)
                        nrd_file_clear(&got[i]);
        free(at);
        local_walk_clear(&walk);
        return rc;
}
