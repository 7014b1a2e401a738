/*
 * test_md5mb_sched.c - the multi-buffer hasher's scheduler over real
 * files: a lane is refilled the moment its file ends while a large file
 * goes on in another lane; files of mixed sizes in small lane buffers;
 * files that grow or shrink while they are hashed; a read that fails in
 * one lane, at once or halfway, leaves every other lane's digest right;
 * while files of 16 MiB or more are in flight beside small ones the
 * hasher holds no more streams than its narrowest SIMD kernel has lanes,
 * and widens after, or with large files only.
 * Every digest is compared with OpenSSL's. Run for every SIMD kernel this
 * CPU has (the others are skipped with a message) and for the hashers
 * that choose their kernel. Not the kernels' arithmetic (test_md5mb.c).
 */
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "check.h"
#include "scratch.h"
#include "error.h"
#include "md5mb/md5mb.h"

enum { MAXF = 200 };

static unsigned char *data;
static const size_t data_len = 20u << 20;
/* What md5mb.c counts as a large stream. */
static const size_t large_len = 16u << 20;

struct sched {
        int fd[MAXF];
        size_t len[MAXF];    /* bytes in the file */
        uint64_t size[MAXF]; /* the size the stream is given */
        size_t count, next, done;
        size_t order[MAXF]; /* done's order: stream numbers */
        int rc[MAXF];
        uint64_t nread[MAXF];
        char md5[MAXF][NEREID_MD5_HEXLEN + 1];
        unsigned max_held;
        unsigned large_live, max_held_large; /* held while a large stream was in flight */
        unsigned calls, starve;              /* starve: next has none now on most calls */
        /* After done of stream `at`, do `what` to stream `victim`. */
        size_t at, victim;
        int what;               /* 0 nothing, 1 append, 2 truncate, 3 close */
        int victim_done_before; /* the victim ended before the action */
};

static void reference(const unsigned char *p, size_t n, char out[NEREID_MD5_HEXLEN + 1])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0, i;

        EVP_Digest(p, n, md, &mdlen, EVP_md5(), NULL);
        for (i = 0; i < mdlen; i++)
                snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rng(void)
{
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        return rng_state;
}

static int sched_next(void *payload, md5mb_stream *s, unsigned held)
{
        struct sched *f = payload;

        if (held > f->max_held)
                f->max_held = held;
        /* "None now" three calls in four: the lanes run down to one
         * stream and fill again, so the kernel narrows and widens (with
         * none held, "none" would end the run). */
        if (f->starve && held > 0 && ++f->calls % 4 != 0)
                return 0;
        if (f->next == f->count)
                return 0;
        if (f->large_live && held > f->max_held_large)
                f->max_held_large = held;
        f->large_live += f->len[f->next] >= large_len;
        s->fd = f->fd[f->next];
        s->size = f->size[f->next];
        s->name = "stream";
        s->item = (void *)(uintptr_t)f->next;
        f->next++;
        return 1;
}

static int sched_done(void *payload, md5mb_stream *s, int rc)
{
        struct sched *f = payload;
        size_t i = (size_t)(uintptr_t)s->item;

        f->order[f->done++] = i;
        f->large_live -= f->len[i] >= large_len;
        f->rc[i] = rc;
        f->nread[i] = s->nread;
        memcpy(f->md5[i], s->md5, sizeof(f->md5[i]));
        if (f->what && i == f->at) {
                size_t k;

                for (k = 0; k < f->done; k++)
                        if (f->order[k] == f->victim)
                                f->victim_done_before = 1;
                if (f->what == 1)
                        CHECK(pwrite(f->fd[f->victim], data, 100, (off_t)f->len[f->victim]) == 100);
                else if (f->what == 2)
                        CHECK(ftruncate(f->fd[f->victim], (off_t)(f->len[f->victim] / 2)) == 0);
                else if (f->what == 3)
                        close(f->fd[f->victim]);
                f->what = 0;
        }
        return 0;
}

/* Stream i: a file of n bytes from data + off. */
static void add_file(struct sched *f, size_t n, size_t off)
{
        char name[32];
        size_t i = f->count++;
        int fd;

        snprintf(name, sizeof(name), "f%zu", i);
        fd = open(path_in(root, name), O_RDWR | O_CREAT | O_TRUNC, 0600);
        CHECK(fd >= 0);
        CHECK(write(fd, data + off, n) == (ssize_t)n);
        lseek(fd, 0, SEEK_SET);
        f->fd[i] = fd;
        f->len[i] = n;
        f->size[i] = n;
}

static void close_files(struct sched *f)
{
        size_t i;

        for (i = 0; i < f->count; i++)
                if (f->fd[i] >= 0)
                        close(f->fd[i]);
}

/* Every stream but `except` has OpenSSL's digest of its file. */
static int digests_right(struct sched *f, size_t except, const size_t *off)
{
        char want[NEREID_MD5_HEXLEN + 1];
        size_t i;
        int ok = 1;

        for (i = 0; i < f->count; i++) {
                if (i == except)
                        continue;
                reference(data + off[i], f->len[i], want);
                if (f->rc[i] != 0 || strcmp(f->md5[i], want) != 0 || f->nread[i] != f->len[i]) {
                        fprintf(stderr, "stream %zu (%zu bytes): rc %d, %s, want %s\n", i,
                                f->len[i], f->rc[i], f->md5[i], want);
                        ok = 0;
                }
        }
        return ok;
}

/* One large file (1 MiB) first, then 150 small ones: the small ones all
 * end (their lanes refilled one after the other) while the large one goes
 * on in its lane, which ends last. */
static void test_refill(md5mb *mb, unsigned lanes)
{
        static struct sched f;
        size_t off[MAXF], i;

        memset(&f, 0, sizeof(f));
        off[0] = 0;
        add_file(&f, 1u << 20, 0);
        for (i = 1; i < 151; i++) {
                off[i] = (size_t)(rng() % (data_len - 9000));
                add_file(&f, 1 + (size_t)(rng() % 8000), off[i]);
        }
        CHECK(nrd_md5mb_run(mb, sched_next, sched_done, &f) == 0);
        CHECK(f.done == f.count);
        CHECK(digests_right(&f, SIZE_MAX, off));
        /* The large file was taken first and ends last: every other lane
         * was refilled while it was in flight. */
        CHECK(f.order[f.count - 1] == 0);
        /* The lanes were kept full: as many streams held as lanes. */
        CHECK(f.max_held == lanes - 1);
        close_files(&f);
}

/* Sizes from 0 to 300 KiB and a few of several MiB, in lane buffers of
 * 4 KiB (many reads per file); starve: streams come a few at a time. */
static void test_mixed(md5mb *mb, unsigned starve)
{
        static struct sched f;
        size_t off[MAXF], i;

        memset(&f, 0, sizeof(f));
        f.starve = starve;
        for (i = 0; i < 120; i++) {
                size_t n = i % 30 == 7  ? (2u << 20) + (size_t)(rng() % (2u << 20))
                           : i % 3 == 0 ? (size_t)(rng() % 300000)
                                        : (size_t)(rng() % 5000);

                off[i] = (size_t)(rng() % (data_len - n + 1));
                add_file(&f, n, off[i]);
        }
        CHECK(nrd_md5mb_run(mb, sched_next, sched_done, &f) == 0);
        CHECK(f.done == f.count);
        CHECK(digests_right(&f, SIZE_MAX, off));
        close_files(&f);
}

/* A 2 MiB file changes while hashed (after the first small file ends, it
 * is halfway at most): grown, it fails naming itself; shrunk, it ends
 * early and says how much it read (the callers compare that with the
 * size); closed, its read fails. Every other stream is right. */
static void test_changes(md5mb *mb, int what)
{
        static struct sched f;
        size_t off[MAXF], i;

        memset(&f, 0, sizeof(f));
        off[0] = 0;
        add_file(&f, 2u << 20, 0);
        for (i = 1; i < 60; i++) {
                off[i] = (size_t)(rng() % (data_len - 3000));
                add_file(&f, (size_t)(rng() % 3000), off[i]);
        }
        f.what = what;
        f.at = 1;
        f.victim = 0;
        nrd_error_clear();
        CHECK(nrd_md5mb_run(mb, sched_next, sched_done, &f) == 0);
        CHECK(f.done == f.count);
        CHECK(!f.victim_done_before);
        CHECK(digests_right(&f, 0, off));
        if (what == 1) {
                CHECK(f.rc[0] == NEREID_ERROR);
                CHECK(f.md5[0][0] == '\0');
                CHECK(strstr(nereid_error_last(), "stream: holds more than its size") != NULL);
        } else if (what == 2) {
                CHECK(f.rc[0] == 0);
                CHECK(f.nread[0] < f.len[0]);
        } else {
                CHECK(f.rc[0] < 0);
                CHECK(f.md5[0][0] == '\0');
                CHECK(strstr(nereid_error_last(), "read stream") != NULL);
                f.fd[0] = -1;
        }
        close_files(&f);
}

/* A folder among files: its read fails at once, in its lane only. */
static void test_read_error(md5mb *mb)
{
        static struct sched f;
        size_t off[MAXF], i;

        memset(&f, 0, sizeof(f));
        for (i = 0; i < 50; i++) {
                off[i] = (size_t)(rng() % (data_len - 70000));
                add_file(&f, (size_t)(rng() % 70000), off[i]);
        }
        close(f.fd[17]);
        f.fd[17] = open(root, O_RDONLY | O_DIRECTORY);
        f.size[17] = UINT64_MAX;
        CHECK(nrd_md5mb_run(mb, sched_next, sched_done, &f) == 0);
        CHECK(f.done == f.count);
        CHECK(f.rc[17] < 0 && f.md5[17][0] == '\0');
        CHECK(digests_right(&f, 17, off));
        close_files(&f);
}

/* Three files of 16-17 MiB first, then 120 small ones (one large file
 * closed halfway when `fail`): while a large one is in flight, at most
 * `narrow` streams are held (the small ones fill the lanes the large
 * ones leave in the narrowest kernel). Every digest is right. */
static void test_large(md5mb *mb, unsigned narrow, int fail)
{
        static struct sched f;
        size_t off[MAXF], i;

        memset(&f, 0, sizeof(f));
        for (i = 0; i < 3; i++) {
                off[i] = (size_t)(rng() % (data_len - large_len - 2 * i * 500000));
                add_file(&f, large_len + i * 500000, off[i]);
        }
        for (; i < 123; i++) {
                off[i] = (size_t)(rng() % (data_len - 9000));
                add_file(&f, 1 + (size_t)(rng() % 8000), off[i]);
        }
        if (fail) {
                f.what = 3;
                f.at = 3;
                f.victim = 1;
        }
        nrd_error_clear();
        CHECK(nrd_md5mb_run(mb, sched_next, sched_done, &f) == 0);
        CHECK(f.done == f.count);
        CHECK(digests_right(&f, fail ? 1 : SIZE_MAX, off));
        if (fail) {
                CHECK(f.rc[1] < 0 && f.md5[1][0] == '\0');
                f.fd[1] = -1;
        }
        CHECK(f.large_live == 0);
        CHECK(f.max_held_large + 1 == narrow);
        close_files(&f);
}

/* Streams from memory: `count` large ones (16 MiB), then `small` ones of
 * 1-8 KiB; every digest is checked. */
struct from_memory {
        size_t next, done, count, small, max_held, bad;
        size_t large_live, full_calls; /* calls of next with 8 large in flight */
        char want[4][NEREID_MD5_HEXLEN + 1];
};

static int memory_next(void *payload, md5mb_stream *s, unsigned held)
{
        struct from_memory *f = payload;
        size_t i = f->next;

        if (i == f->count + f->small)
                return 0;
        if (held > f->max_held)
                f->max_held = held;
        if (f->large_live == 8)
                f->full_calls++;
        if (i < f->count) {
                s->data = data + (i % 4) * 4096;
                s->size = large_len;
                s->item = (void *)(uintptr_t)(i % 4);
                f->large_live++;
        } else {
                s->data = data + (i * 4099) % (1u << 20);
                s->size = 1024 + (i * 2654435761u >> 7) % (7 * 1024);
                s->item = (void *)(uintptr_t)(4 + i);
        }
        f->next++;
        return 1;
}

static int memory_done(void *payload, md5mb_stream *s, int rc)
{
        struct from_memory *f = payload;
        uintptr_t i = (uintptr_t)s->item;
        char want[NEREID_MD5_HEXLEN + 1];

        f->done++;
        if (i < 4) {
                f->large_live--;
                if (rc != 0 || strcmp(s->md5, f->want[i]) != 0)
                        f->bad++;
        } else {
                reference(s->data, (size_t)s->size, want);
                if (rc != 0 || strcmp(s->md5, want) != 0)
                        f->bad++;
        }
        return 0;
}

static void memory_run(md5mb *mb, struct from_memory *f, size_t count, size_t small)
{
        size_t i;

        memset(f, 0, sizeof(*f));
        f->count = count;
        f->small = small;
        for (i = 0; i < 4; i++)
                reference(data + i * 4096, large_len, f->want[i]);
        CHECK(nrd_md5mb_run(mb, memory_next, memory_done, f) == 0);
        CHECK(f->done == count + small && f->bad == 0);
}

/* A folder of large files only: the hasher widens as usual, to all its
 * lanes. Eight large ones, then small ones: the 8 lanes they fill are not
 * widened for the small ones, one after the other (one is taken before
 * the hasher knows it is small). */
static void test_all_large(md5mb *mb)
{
        struct from_memory f;

        memory_run(mb, &f, nrd_md5mb_lanes(mb) + 1, 0);
        CHECK(f.max_held + 1 == nrd_md5mb_lanes(mb));
        memory_run(mb, &f, 8, 2000);
        CHECK(f.full_calls <= 1);
}

static void run_all(md5mb *mb, unsigned narrow)
{
        test_large(mb, narrow, 0);
        test_large(mb, narrow, 1);
        /* Wide again once the large ones are done. */
        test_refill(mb, nrd_md5mb_lanes(mb));
        test_mixed(mb, 0);
        test_mixed(mb, 1);
        test_changes(mb, 1);
        test_changes(mb, 2);
        test_changes(mb, 3);
        test_read_error(mb);
}

int main(void)
{
        size_t n, i;
        const struct md5mb_kernel *k = nrd_md5mb_kernels(&n);
        md5mb *mb = NULL;

        data = malloc(data_len);
        if (!data || scratch_begin("md5mb_sched") < 0)
                return 1;
        for (i = 0; i < data_len; i++)
                data[i] = (unsigned char)(rng() >> 32);
        for (i = 0; i < n; i++) {
                if (k[i].lanes < 2)
                        continue; /* one lane: nothing to schedule */
                if (k[i].usable && !k[i].usable()) {
                        printf("skip: kernel %s: this CPU cannot run it\n", k[i].name);
                        continue;
                }
                printf("kernel %s (%u lanes)\n", k[i].name, k[i].lanes);
                CHECK(nrd_md5mb_new_kernel(&mb, &k[i], 4096) == 0);
                if (mb)
                        run_all(mb, k[i].lanes);
                nrd_md5mb_free(mb);
                mb = NULL;
        }
        for (i = NEREID_MD5_AVX2; i <= NEREID_MD5_AVX512; i++) {
                int impl;

                if (nrd_md5mb_resolve((int)i, &impl) < 0) {
                        printf("skip: md5 %s: this CPU cannot run it\n", nrd_md5mb_name((int)i));
                        nrd_error_clear();
                        continue;
                }
                printf("hasher %s\n", nrd_md5mb_name((int)i));
                CHECK(nrd_md5mb_new(&mb, (int)i, 4096) == 0);
                /* Both start at AVX2's or AVX-512 VL's 8 lanes. */
                if (mb) {
                        run_all(mb, 8);
                        test_all_large(mb);
                }
                nrd_md5mb_free(mb);
                mb = NULL;
        }
        free(data);
        return scratch_end(CHECK_DONE());
}
