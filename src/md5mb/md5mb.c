/*
 * md5mb.c - the multi-buffer MD5 hasher: keeps a kernel's lanes full of
 * streams, reads each stream into a lane buffer of its own, pads it at its
 * end (RFC 1321 section 3.1-3.2) and takes the next stream the moment one
 * ends, so that small and large files mixed keep every lane busy. The
 * kernel is chosen per call from the streams in flight: a lane is never
 * faster than scalar MD5, so a lone stream (the tail of a large file) runs
 * on the scalar block function and a few streams on a narrow kernel. Not
 * the kernels (md5mb_*.c), not which files to hash (the callers).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../alloc.h"
#include "../error.h"
#include "md5mb.h"

#define MD5MB_MAX_KERNELS 4
/* Room after a lane's buffer for the padding (at most 72 bytes), and a
 * stride between buffers that is not a power of two, so that lanes do not
 * alias in the cache. */
#define MD5MB_SLACK 320
/* A stream this large is one long serial chain: while one is in flight
 * beside small ones, its hasher keeps to the narrowest kernel that holds
 * the large ones (md5mb_limit; at 16 MiB, a lane of the widest kernel
 * takes longer than about 50 ms). */
#define MD5MB_LARGE (16u << 20)

/* One stream in flight, in slot i of the hasher: its chaining value is
 * column i of the kernel's state rows, where it stays from call to call. */
struct md5mb_lane {
        md5mb_stream s;
        unsigned char *buf;     /* the lane's buffer: block + MD5MB_SLACK bytes */
        size_t len;             /* bytes in buf (whole blocks, then a part of one) */
        const unsigned char *p; /* the next block to hash: in buf, or in s.data */
        size_t nb;              /* whole blocks ready at p */
        int eof;                /* the stream ended; its padding is in buf */
        int large;              /* counted in the hasher's nlarge */
};

struct md5mb {
        const struct md5mb_kernel *kernels[MD5MB_MAX_KERNELS]; /* narrowest first */
        size_t nkernels;
        unsigned lanes;          /* the widest kernel's */
        size_t block;            /* bytes read per lane at a time */
        unsigned char *arena;    /* every lane's buffer */
        struct md5mb_lane *lane; /* lanes; lane[0..live) hold streams */
        unsigned live;
        unsigned max_live;         /* streams in flight at most */
        unsigned nlarge;           /* live streams of MD5MB_LARGE bytes or more */
        int last_large;            /* the stream taken last was large */
        unsigned width;            /* the state rows' width: the last kernel's lanes */
        uint32_t *state;           /* the kernel's rows: 4 * width words, then as many spare */
        const unsigned char **ptr; /* the kernel's row pointers */
};

static const struct md5mb_kernel md5mb_all[] = {
    {"scalar", 1, nrd_md5mb_scalar, NULL},
    {"avx2x8", 8, nrd_md5mb_avx2x8, nrd_md5mb_has_avx2},
    {"avx2x16", 16, nrd_md5mb_avx2x16, nrd_md5mb_has_avx2},
    {"avx512x16", 16, nrd_md5mb_avx512x16, nrd_md5mb_has_avx512},
    {"avx512x32", 32, nrd_md5mb_avx512x32, nrd_md5mb_has_avx512},
    {"avx512vlx8", 8, nrd_md5mb_avx512vlx8, nrd_md5mb_has_avx512},
};

const struct md5mb_kernel *nrd_md5mb_kernels(size_t *n)
{
        *n = sizeof(md5mb_all) / sizeof(md5mb_all[0]);
        return md5mb_all;
}

const char *nrd_md5mb_name(int impl)
{
        switch (impl) {
        case NEREID_MD5_AUTO:
                return "auto";
        case NEREID_MD5_SCALAR:
                return "scalar";
        case NEREID_MD5_AVX2:
                return "avx2";
        case NEREID_MD5_AVX512:
                return "avx512";
        default:
                return NULL;
        }
}

int nrd_md5mb_resolve(int requested, int *out)
{
        switch (requested) {
        case NEREID_MD5_AUTO:
                *out = nrd_md5mb_has_avx512() ? NEREID_MD5_AVX512
                       : nrd_md5mb_has_avx2() ? NEREID_MD5_AVX2
                                              : NEREID_MD5_SCALAR;
                return 0;
        case NEREID_MD5_SCALAR:
                *out = requested;
                return 0;
        case NEREID_MD5_AVX2:
                *out = requested;
                return nrd_md5mb_has_avx2()
                           ? 0
                           : nrd_error(NEREID_EINVALID, "md5 avx2: this CPU has no AVX2");
        case NEREID_MD5_AVX512:
                *out = requested;
                return nrd_md5mb_has_avx512()
                           ? 0
                           : nrd_error(NEREID_EINVALID,
                                       "md5 avx512: this CPU has no AVX-512 F and VL");
        default:
                return nrd_error(NEREID_EINVALID, "md5 implementation %d: unknown", requested);
        }
}

static int md5mb_alloc(md5mb *mb, size_t block)
{
        size_t stride;
        unsigned i;

        if (!block)
                block = NEREID_MD5MB_BLOCK;
        /* Whole blocks, so that a full buffer leaves nothing to carry. */
        block = (block + 63) & ~(size_t)63;
        mb->block = block;
        stride = block + MD5MB_SLACK;
        mb->lanes = mb->kernels[mb->nkernels - 1]->lanes;
        mb->max_live = mb->lanes;
        mb->arena = nrd_calloc(mb->lanes, stride);
        mb->lane = nrd_calloc(mb->lanes, sizeof(*mb->lane));
        mb->width = mb->lanes;
        mb->state = nrd_calloc(8 * (size_t)mb->lanes, sizeof(*mb->state));
        mb->ptr = nrd_calloc(mb->lanes, sizeof(*mb->ptr));
        if (!mb->arena || !mb->lane || !mb->state || !mb->ptr)
                return nrd_error_oom();
        for (i = 0; i < mb->lanes; i++)
                mb->lane[i].buf = mb->arena + (size_t)i * stride;
        return 0;
}

int nrd_md5mb_new_kernel(md5mb **out, const struct md5mb_kernel *k, size_t block)
{
        md5mb *mb;
        int rc;

        *out = NULL;
        if (k->usable && !k->usable())
                return nrd_error(NEREID_EINVALID, "md5 kernel %s: this CPU cannot run it", k->name);
        if (!(mb = nrd_calloc(1, sizeof(*mb))))
                return nrd_error_oom();
        mb->kernels[0] = k;
        mb->nkernels = 1;
        if ((rc = md5mb_alloc(mb, block)) < 0) {
                nrd_md5mb_free(mb);
                return rc;
        }
        *out = mb;
        return 0;
}

int nrd_md5mb_new(md5mb **out, int impl, size_t block)
{
        md5mb *mb;
        int rc;

        *out = NULL;
        if (impl != NEREID_MD5_AVX2 && impl != NEREID_MD5_AVX512)
                return nrd_error(NEREID_EINVALID, "md5 %s: not a multi-buffer implementation",
                                 nrd_md5mb_name(impl) ? nrd_md5mb_name(impl) : "?");
        if ((rc = nrd_md5mb_resolve(impl, &impl)) < 0)
                return rc;
        if (!(mb = nrd_calloc(1, sizeof(*mb))))
                return nrd_error_oom();
        /* The narrowest kernel that holds the streams in flight: lanes
         * without a stream cost as much as lanes with one (with four
         * large files per core, AVX2's 8 lanes measured faster than
         * AVX-512's 16). AVX2's two sets of 8 need more than its 16
         * registers and measured slower than one set, so AVX2 stays at 8
         * lanes; AVX-512's two sets of 16 fill the cycles one set waits.
         * Up to 8, AVX-512 runs 8 lanes of 256 bits with its own
         * instructions (a shorter chain a step than AVX2's: 4.0-4.3 GB/s
         * against 3.3-3.5 here). */
        mb->kernels[mb->nkernels++] = &md5mb_all[0];
        if (impl == NEREID_MD5_AVX512) {
                mb->kernels[mb->nkernels++] = &md5mb_all[5];
                mb->kernels[mb->nkernels++] = &md5mb_all[3];
                mb->kernels[mb->nkernels++] = &md5mb_all[4];
        } else {
                mb->kernels[mb->nkernels++] = &md5mb_all[1];
        }
        if ((rc = md5mb_alloc(mb, block)) < 0) {
                nrd_md5mb_free(mb);
                return rc;
        }
        *out = mb;
        return 0;
}

unsigned nrd_md5mb_lanes(const md5mb *mb)
{
        return mb->max_live;
}

void nrd_md5mb_set_max_streams(md5mb *mb, unsigned n)
{
        unsigned least = mb->kernels[mb->nkernels > 1 ? 1 : 0]->lanes;

        mb->max_live = n < least ? least : n > mb->lanes ? mb->lanes : n;
}

void nrd_md5mb_free(md5mb *mb)
{
        if (!mb)
                return;
        free(mb->arena);
        free(mb->lane);
        free(mb->state);
        free(mb->ptr);
        free(mb);
}

/* The stream ended at s.nread bytes: append the 0x80 byte, zeros and the
 * length in bits, little-endian, to a multiple of 64 bytes. */
static void md5mb_pad(struct md5mb_lane *l)
{
        uint64_t bits = l->s.nread * 8;
        unsigned i;

        l->buf[l->len++] = 0x80;
        while (l->len % 64 != 56)
                l->buf[l->len++] = 0;
        for (i = 0; i < 8; i++)
                l->buf[l->len++] = (unsigned char)(bits >> (8 * i));
        l->eof = 1;
}

/* Bytes from memory: whole blocks are hashed where they are (no copy);
 * the last part of a block is copied into the lane's buffer and padded. */
static void md5mb_fill_data(struct md5mb_lane *l)
{
        uint64_t rest = l->s.size - l->s.nread;

        if (rest >= 64) {
                l->p = l->s.data + l->s.nread;
                l->nb = (size_t)(rest / 64);
                l->s.nread += 64 * (uint64_t)l->nb;
                return;
        }
        memcpy(l->buf, l->s.data + l->s.nread, (size_t)rest);
        l->s.nread += rest;
        l->len = (size_t)rest;
        md5mb_pad(l);
        l->p = l->buf;
        l->nb = l->len / 64;
}

/* Make whole blocks ready in the lane (nb > 0 after it succeeds): what is
 * left of a block moves to the front of the buffer, then reads until the
 * buffer is full or the stream ends. With a size, a short read that
 * reaches it is the end (a regular file read short is at its end), which
 * saves a read per small file: a file of at most a block is one read;
 * the callers check the size and time of the file after. */
static int md5mb_fill(md5mb *mb, struct md5mb_lane *l)
{
        size_t left;

        if (l->s.fd < 0) {
                md5mb_fill_data(l);
                return 0;
        }
        left = l->len % 64;
        if (left)
                memmove(l->buf, l->buf + l->len - left, left);
        l->len = left;
        while (l->len < mb->block) {
                size_t want = mb->block - l->len;
                ssize_t n;

                /* One byte more than the size allows, so the read that
                 * shows a file grew is the one that fails. */
                if (l->s.size - l->s.nread < want)
                        want = (size_t)(l->s.size - l->s.nread) + 1;
                n = read(l->s.fd, l->buf + l->len, want);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return nrd_error_os(nrd_error_from_errno(errno), errno, "read %s",
                                            l->s.name);
                if ((uint64_t)n > l->s.size - l->s.nread)
                        return nrd_error(NEREID_ERROR,
                                         "%s: holds more than its size of %llu bytes (it "
                                         "grew while being read, or its size is not true)",
                                         l->s.name, (unsigned long long)l->s.size);
                l->len += (size_t)n;
                l->s.nread += (uint64_t)n;
                if (n == 0 ||
                    (l->s.size != UINT64_MAX && l->s.nread == l->s.size && (size_t)n < want)) {
                        md5mb_pad(l);
                        break;
                }
        }
        l->p = l->buf;
        l->nb = l->len / 64;
        return 0;
}

/* The digest of slot i's stream, from column i of the state rows. */
static void md5mb_hex(md5mb *mb, unsigned i)
{
        static const char digits[] = "0123456789abcdef";
        struct md5mb_lane *l = &mb->lane[i];
        unsigned w, j;

        for (w = 0; w < 4; w++) {
                uint32_t v = mb->state[w * mb->width + i];

                for (j = 0; j < 4; j++) {
                        unsigned char byte = (unsigned char)(v >> (8 * j));

                        l->s.md5[8 * w + 2 * j] = digits[byte >> 4];
                        l->s.md5[8 * w + 2 * j + 1] = digits[byte & 15];
                }
        }
        l->s.md5[NEREID_MD5_HEXLEN] = '\0';
}

/* Slot i is free: the last live lane takes its place, state and all. */
static void md5mb_remove(md5mb *mb, unsigned i)
{
        unsigned last = --mb->live, w;

        if (i != last) {
                unsigned char *buf = mb->lane[i].buf;

                mb->lane[i] = mb->lane[last];
                mb->lane[last].buf = buf;
                for (w = 0; w < 4; w++)
                        mb->state[w * mb->width + i] = mb->state[w * mb->width + last];
        }
}

static void md5mb_relayout(md5mb *mb, unsigned width);

/* Streams in flight at most now. Beside large streams, small ones only
 * fill the lanes the large ones leave in the narrowest kernel that holds
 * them: each lane of a wider kernel runs slower (AVX-512's 8 lanes of 256
 * bits hash about 0.5 GB/s each here, its 32 lanes 0.2), and a large file,
 * one serial chain, that shares a wide kernel with hundreds of small files
 * is still being hashed, nearly alone, long after they are done. While
 * every stream in flight is large and so was the last one taken (a folder
 * of large files), the hasher may widen as usual: then the total, not one
 * lane, is what counts. A small one taken then ends that until a large one
 * comes again: a kernel full of large streams is not widened for small
 * ones, one after the other. */
static unsigned md5mb_limit(const md5mb *mb)
{
        size_t k;

        if (!mb->nlarge || (mb->nlarge == mb->live && mb->last_large))
                return mb->max_live;
        for (k = mb->nkernels > 1 ? 1 : 0; k < mb->nkernels; k++)
                if (mb->kernels[k]->lanes >= mb->nlarge)
                        return mb->kernels[k]->lanes < mb->max_live ? mb->kernels[k]->lanes
                                                                    : mb->max_live;
        return mb->max_live;
}

/* The stream in l is no longer in flight (it ended, failed or is given
 * back): it no longer counts as a large one. */
static void md5mb_untrack(md5mb *mb, struct md5mb_lane *l)
{
        if (l->large) {
                mb->nlarge--;
                l->large = 0;
        }
}

/* Take the next stream into slot i, which holds none (held: how many
 * streams the hasher holds besides), and read its first blocks. Returns
 * 1 (slot i holds a stream), 0 (next has none now), or a negative code
 * that stops the run. A stream that fails at once is given to done and
 * the slot taken again. */
static int md5mb_take(md5mb *mb, unsigned i, unsigned held, md5mb_next_fn next, md5mb_done_fn done,
                      void *payload)
{
        for (;;) {
                struct md5mb_lane *l = &mb->lane[i];
                unsigned char *buf = l->buf;
                int r;

                memset(l, 0, sizeof(*l));
                l->buf = buf;
                l->s.fd = -1;
                if ((r = next(payload, &l->s, held)) <= 0)
                        return r;
                if (!l->s.name)
                        l->s.name = "(unnamed stream)";
                l->large = l->s.size != UINT64_MAX && l->s.size >= MD5MB_LARGE;
                mb->nlarge += (unsigned)l->large;
                mb->last_large = l->large;
                /* Rows narrowed for fewer streams widen again. */
                if (i >= mb->width)
                        md5mb_relayout(mb, mb->lanes);
                mb->state[i] = MD5MB_INIT_A;
                mb->state[mb->width + i] = MD5MB_INIT_B;
                mb->state[2 * mb->width + i] = MD5MB_INIT_C;
                mb->state[3 * mb->width + i] = MD5MB_INIT_D;
                if ((r = md5mb_fill(mb, l)) == 0)
                        return 1;
                md5mb_untrack(mb, l);
                l->s.md5[0] = '\0';
                if ((r = done(payload, &l->s, r)) < 0)
                        return r;
        }
}

/* Slot i has no block ready: read more of its stream, or give the stream
 * that ended (or failed) to done and take the next stream into the same
 * slot at once (*more: next may have streams); with none, the last lane
 * moves into it. Returns 0, or a code that stops the run. */
static int md5mb_service(md5mb *mb, unsigned i, md5mb_next_fn next, md5mb_done_fn done,
                         void *payload, int *more)
{
        struct md5mb_lane *l = &mb->lane[i];
        int r;

        if (!l->eof && (r = md5mb_fill(mb, l)) == 0)
                return 0;
        if (l->eof)
                md5mb_hex(mb, i);
        else
                l->s.md5[0] = '\0';
        md5mb_untrack(mb, l);
        r = done(payload, &l->s, l->eof ? 0 : r);
        if (r == 0 && *more && mb->live <= md5mb_limit(mb)) {
                r = md5mb_take(mb, i, mb->live - 1, next, done, payload);
                if (r == 1)
                        return 0;
                if (r == 0)
                        *more = 0;
        }
        md5mb_remove(mb, i);
        return r;
}

/* Lay the state rows out for a kernel of `width` lanes, keeping the live
 * lanes' columns. */
static void md5mb_relayout(md5mb *mb, unsigned width)
{
        uint32_t *spare = mb->state + 4 * (size_t)mb->lanes;
        unsigned i, w;

        for (w = 0; w < 4; w++)
                for (i = 0; i < mb->live; i++)
                        spare[w * width + i] = mb->state[w * mb->width + i];
        memcpy(mb->state, spare, 4 * (size_t)width * sizeof(*mb->state));
        mb->width = width;
}

/* Run the narrowest kernel that holds the live lanes until the shortest
 * of them has no block ready: the moment a lane's stream ends, the
 * kernel returns and only that lane is refilled; the others' state stays
 * in the rows where the kernel left it. */
static void md5mb_compress(md5mb *mb)
{
        const struct md5mb_kernel *k = mb->kernels[mb->nkernels - 1];
        size_t nblocks = SIZE_MAX, i;

        for (i = 0; i < mb->nkernels; i++)
                if (mb->kernels[i]->lanes >= mb->live) {
                        k = mb->kernels[i];
                        break;
                }
        if (k->lanes != mb->width)
                md5mb_relayout(mb, k->lanes);
        for (i = 0; i < mb->live; i++) {
                mb->ptr[i] = mb->lane[i].p;
                if (mb->lane[i].nb < nblocks)
                        nblocks = mb->lane[i].nb;
        }
        for (; i < k->lanes; i++)
                mb->ptr[i] = mb->lane[0].p;
        k->fn(mb->state, mb->ptr, nblocks);
        for (i = 0; i < mb->live; i++) {
                mb->lane[i].p += 64 * nblocks;
                mb->lane[i].nb -= nblocks;
        }
}

int nrd_md5mb_run(md5mb *mb, md5mb_next_fn next, md5mb_done_fn done, void *payload)
{
        int more = 1, rc = 0;
        unsigned i;

        if (mb->width != mb->lanes) {
                mb->live = 0;
                md5mb_relayout(mb, mb->lanes);
        }
        for (;;) {
                while (more && mb->live < md5mb_limit(mb)) {
                        rc = md5mb_take(mb, mb->live, mb->live, next, done, payload);
                        if (rc < 0)
                                goto stopped;
                        if (rc == 0)
                                more = 0;
                        else
                                mb->live++;
                }
                rc = 0;
                if (mb->live == 0)
                        break;
                md5mb_compress(mb);
                /* Streams may have come since next last had none. */
                more = 1;
                for (i = 0; i < mb->live;) {
                        if (mb->lane[i].nb > 0) {
                                i++;
                                continue;
                        }
                        /* Refilled or replaced in place: look at slot i
                         * again (a lane moved into it may be empty too). */
                        if ((rc = md5mb_service(mb, i, next, done, payload, &more)) < 0)
                                goto stopped;
                        if (i < mb->live && mb->lane[i].nb > 0)
                                i++;
                }
        }
stopped:
        /* Stopped: the streams still in flight are given back. */
        while (mb->live > 0) {
                struct md5mb_lane *l = &mb->lane[mb->live - 1];

                md5mb_untrack(mb, l);
                l->s.md5[0] = '\0';
                done(payload, &l->s, NEREID_ECANCELLED);
                mb->live--;
        }
        return rc;
}
