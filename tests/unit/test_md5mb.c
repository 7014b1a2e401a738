/*
 * test_md5mb.c - every multi-buffer MD5 kernel against OpenSSL's MD5: each
 * length from 0 to 1,100 bytes, random lengths up to tens of MiB, lanes
 * that end at different times and are refilled, lane buffers smaller than
 * a stream; and the hasher over real files: a file that grows, one that
 * cannot be read, a run stopped by its caller. A kernel this CPU cannot
 * run is skipped with a message naming it.
 */
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "check.h"
#include "scratch.h"
#include "error.h"
#include "md5mb/md5mb.h"

/* Streams handed out by next, checked by done. */
struct feed {
        const unsigned char *data;
        const size_t *off, *len;
        size_t count, next, done, failed;
        char (*got)[NEREID_MD5_HEXLEN + 1];
};

static void reference(const unsigned char *p, size_t n, char out[NEREID_MD5_HEXLEN + 1])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0, i;

        EVP_Digest(p, n, md, &mdlen, EVP_md5(), NULL);
        for (i = 0; i < mdlen; i++)
                snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static int feed_next(void *payload, md5mb_stream *s, unsigned held)
{
        struct feed *f = payload;

        (void)held;
        if (f->next == f->count)
                return 0;
        s->data = f->data + f->off[f->next];
        s->size = f->len[f->next];
        s->item = (void *)(uintptr_t)f->next;
        f->next++;
        return 1;
}

static int feed_done(void *payload, md5mb_stream *s, int rc)
{
        struct feed *f = payload;
        size_t i = (size_t)(uintptr_t)s->item;

        f->done++;
        if (rc < 0) {
                f->failed++;
                return 0;
        }
        CHECK(s->nread == f->len[i]);
        memcpy(f->got[i], s->md5, sizeof(f->got[i]));
        return 0;
}

/* Hash count streams (data + off[i], len[i]) on kernel k with lane
 * buffers of block bytes; 1 when every digest is OpenSSL's. */
static int run_kernel(const struct md5mb_kernel *k, size_t block, const unsigned char *data,
                      const size_t *off, const size_t *len, size_t count)
{
        struct feed f = {data, off, len, count, 0, 0, 0, NULL};
        md5mb *mb = NULL;
        size_t i, bad = 0;

        f.got = calloc(count, sizeof(*f.got));
        if (!f.got || nrd_md5mb_new_kernel(&mb, k, block) < 0) {
                free(f.got);
                return 0;
        }
        CHECK(nrd_md5mb_run(mb, feed_next, feed_done, &f) == 0);
        CHECK(f.done == count && f.failed == 0);
        for (i = 0; i < count; i++) {
                char want[NEREID_MD5_HEXLEN + 1];

                reference(data + off[i], len[i], want);
                if (strcmp(want, f.got[i]) != 0) {
                        if (bad++ < 5)
                                fprintf(stderr, "%s: length %zu: %s, want %s\n", k->name, len[i],
                                        f.got[i], want);
                }
        }
        nrd_md5mb_free(mb);
        free(f.got);
        return bad == 0;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        return rng_state;
}

/* Every length 0..1100, at odd offsets, in lane buffers of one block (a
 * refill every 64 bytes) and of the default size. */
static void test_every_length(const struct md5mb_kernel *k, const unsigned char *data)
{
        enum { N = 1101 };
        static size_t off[N], len[N];
        size_t i;

        for (i = 0; i < N; i++) {
                off[i] = i * 7 % 61;
                len[i] = i;
        }
        CHECK(run_kernel(k, 64, data, off, len, N));
        CHECK(run_kernel(k, 0, data, off, len, N));
        /* Longest first: lanes end one after the other. */
        for (i = 0; i < N; i++)
                len[i] = N - 1 - i;
        CHECK(run_kernel(k, 192, data, off, len, N));
}

/* One stream of 16 to 24 MiB among random lengths up to 2 MiB and
 * small ones, so lanes end at very different times and the large stream
 * ends alone. */
static void test_random_lengths(const struct md5mb_kernel *k, const unsigned char *data,
                                size_t data_len)
{
        enum { N = 40 };
        size_t off[N], len[N], i;

        for (i = 0; i < N; i++) {
                size_t max = i % 8 == 0 ? 2u << 20 : 200000;

                len[i] = (size_t)(rng() % (max + 1));
                if (i == 1)
                        len[i] = (16u << 20) + (size_t)(rng() % ((8u << 20) + 1));
                off[i] = (size_t)(rng() % (data_len - len[i] + 1));
        }
        CHECK(run_kernel(k, 0, data, off, len, N));
}

struct files {
        int fd[4];
        uint64_t size[4];
        size_t next, done;
        int rc[4];
        char md5[4][NEREID_MD5_HEXLEN + 1];
        int stop_at; /* done returns an error for this stream (-1: none) */
};

static int files_next(void *payload, md5mb_stream *s, unsigned held)
{
        struct files *f = payload;

        (void)held;
        if (f->next == 4)
                return 0;
        s->fd = f->fd[f->next];
        s->size = f->size[f->next];
        s->name = "stream";
        s->item = (void *)(uintptr_t)f->next;
        f->next++;
        return 1;
}

static int files_done(void *payload, md5mb_stream *s, int rc)
{
        struct files *f = payload;
        size_t i = (size_t)(uintptr_t)s->item;

        f->done++;
        f->rc[i] = rc;
        memcpy(f->md5[i], s->md5, sizeof(f->md5[i]));
        return (int)i == f->stop_at ? nrd_error(NEREID_EINVALID, "stop") : 0;
}

static int make_file(const char *name, const unsigned char *data, size_t n)
{
        int fd = open(path_in(root, name), O_RDWR | O_CREAT | O_TRUNC, 0600);

        if (fd < 0 || write(fd, data, n) != (ssize_t)n)
                return -1;
        lseek(fd, 0, SEEK_SET);
        return fd;
}

/* The hasher over files: digests, a size that lies, a folder, a stop. */
static void test_files(int impl, const unsigned char *data)
{
        struct files f;
        md5mb *mb = NULL;
        char want[NEREID_MD5_HEXLEN + 1];
        int i;

        memset(&f, 0, sizeof(f));
        f.stop_at = -1;
        f.fd[0] = make_file("a", data, 100000);
        f.size[0] = 100000;
        f.fd[1] = make_file("b", data, 5);
        f.size[1] = UINT64_MAX;
        f.fd[2] = make_file("c", data, 3000);
        f.size[2] = 2999; /* it "grew" */
        f.fd[3] = open(root, O_RDONLY | O_DIRECTORY);
        f.size[3] = 0;
        CHECK(nrd_md5mb_new(&mb, impl, 4096) == 0);
        if (!mb)
                return;
        CHECK(nrd_md5mb_run(mb, files_next, files_done, &f) == 0);
        CHECK(f.done == 4);
        reference(data, 100000, want);
        CHECK(f.rc[0] == 0);
        CHECK_STR(f.md5[0], want);
        reference(data, 5, want);
        CHECK(f.rc[1] == 0);
        CHECK_STR(f.md5[1], want);
        CHECK(f.rc[2] == NEREID_ERROR);
        CHECK(f.md5[2][0] == '\0');
        /* A folder cannot be read: the error names the stream. */
        CHECK(f.rc[3] < 0);

        /* done stops the run: the other streams come back cancelled. */
        memset(f.rc, 0, sizeof(f.rc));
        for (i = 0; i < 4; i++)
                lseek(f.fd[i], 0, SEEK_SET);
        f.size[2] = 3000;
        f.size[3] = 0;
        f.next = f.done = 0;
        f.stop_at = 1;
        CHECK(nrd_md5mb_run(mb, files_next, files_done, &f) == NEREID_EINVALID);
        CHECK(f.done == f.next);
        CHECK(f.rc[0] == NEREID_ECANCELLED || f.rc[0] == 0);
        for (i = 0; i < 4; i++)
                close(f.fd[i]);
        nrd_md5mb_free(mb);
}

int main(void)
{
        size_t n, i, data_len = 32u << 20;
        const struct md5mb_kernel *k = nrd_md5mb_kernels(&n);
        unsigned char *data = malloc(data_len);
        int impl;

        if (!data || scratch_begin("md5mb") < 0)
                return 1;
        for (i = 0; i < data_len; i++)
                data[i] = (unsigned char)(rng() >> 32);
        for (i = 0; i < n; i++) {
                if (k[i].usable && !k[i].usable()) {
                        printf("skip: kernel %s: this CPU cannot run it\n", k[i].name);
                        continue;
                }
                printf("kernel %s (%u lanes)\n", k[i].name, k[i].lanes);
                test_every_length(&k[i], data);
                test_random_lengths(&k[i], data, data_len);
        }
        for (impl = NEREID_MD5_AVX2; impl <= NEREID_MD5_AVX512; impl++) {
                int resolved;

                if (nrd_md5mb_resolve(impl, &resolved) < 0) {
                        printf("skip: md5 %s: %s\n", nrd_md5mb_name(impl), nereid_error_last());
                        continue;
                }
                test_files(impl, data);
        }
        CHECK(nrd_md5mb_resolve(99, &impl) == NEREID_EINVALID);
        CHECK(nrd_md5mb_resolve(NEREID_MD5_AUTO, &impl) == 0 && impl != NEREID_MD5_AUTO);
        CHECK(nrd_md5mb_new(&(md5mb *){NULL}, NEREID_MD5_SCALAR, 0) == NEREID_EINVALID);
        free(data);
        return scratch_end(CHECK_DONE());
}
