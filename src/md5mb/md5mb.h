/*
 * md5mb.h - multi-buffer MD5: many independent streams (files) hashed side
 * by side in the lanes of SIMD registers, each digest identical to
 * OpenSSL's MD5 of the same bytes. A hasher belongs to one thread; it holds
 * up to its number of lanes of streams in flight, reads each through a
 * bounded buffer of its own, and takes a new stream the moment one ends.
 * Which streams to hash and what to do with a digest are the caller's
 * (local_scan.c, source.c). Not the single-stream MD5 (hash.c).
 */
#ifndef NEREID_MD5MB_H
#define NEREID_MD5MB_H

#include <stddef.h>
#include <stdint.h>
#include "../hash.h"
#include "md5mb_kernels.h"

/* Bytes each lane reads at a time: large enough that a read costs little
 * against hashing it, small enough that 32 lanes hold 2 MiB. */
#define NEREID_MD5MB_BLOCK (64 * 1024)

/* One stream to hash, filled by the caller's next function. */
typedef struct md5mb_stream {
        int fd;                    /* read to EOF, never closed here; -1: data */
        const unsigned char *data; /* with fd -1: the bytes to hash */
        uint64_t size;    /* fd: the most bytes it may hold (UINT64_MAX: any); data: length */
        const char *name; /* names the stream in messages */
        void *item;       /* the caller's */
        uint64_t nread;   /* out: bytes hashed */
        char md5[NEREID_MD5_HEXLEN + 1]; /* out: the digest, lowercase hex */
} md5mb_stream;

/* Fill *s (zeroed, fd -1) with the next stream. held is how many streams
 * the hasher has in flight, so that callers sharing work between threads
 * can leave some for the others. Returns 1 (a stream), 0 (none now) or a
 * negative code, which stops the run. */
typedef int (*md5mb_next_fn)(void *payload, md5mb_stream *s, unsigned held);

/* s is finished: rc 0 (s->md5 and s->nread are set), a negative code with
 * its message set (it could not be read), or NEREID_ECANCELLED with no
 * message (the run stopped before it ended). Returns 0, or a negative code
 * that stops the run. s is reused after it returns. */
typedef int (*md5mb_done_fn)(void *payload, md5mb_stream *s, int rc);

typedef struct md5mb md5mb;

/* Which implementation `requested` (an enum nereid_md5) is on this CPU:
 * NEREID_MD5_AUTO picks the widest the CPU runs. A forced one the CPU
 * cannot run is NEREID_EINVALID, naming it. */
int nrd_md5mb_resolve(int requested, int *out);

/* The name of an enum nereid_md5 ("auto", "scalar", "avx2", "avx512");
 * NULL for an unknown value. */
const char *nrd_md5mb_name(int impl);

/* A hasher for implementation impl (NEREID_MD5_AVX2 or NEREID_MD5_AVX512,
 * as resolved), reading block bytes per lane at a time (0: the default).
 * Freed with nrd_md5mb_free. */
int nrd_md5mb_new(md5mb **out, int impl, size_t block);

/* A hasher that runs only kernel k, for every number of streams (tests). */
int nrd_md5mb_new_kernel(md5mb **out, const struct md5mb_kernel *k, size_t block);

/* Streams in flight at most: the widest kernel's lanes, or fewer after
 * nrd_md5mb_set_max_streams. */
unsigned nrd_md5mb_lanes(const md5mb *mb);

/* Hold at most n streams in flight (each an open file): at least the
 * narrowest SIMD kernel's lanes, at most the widest's. */
void nrd_md5mb_set_max_streams(md5mb *mb, unsigned n);

/* Hash streams from next until it has none and every lane is done,
 * calling done for each. Returns 0 or the first negative code that
 * stopped the run (from next or done); every stream taken is given to
 * done once, whatever happens. */
int nrd_md5mb_run(md5mb *mb, md5mb_next_fn next, md5mb_done_fn done, void *payload);

void nrd_md5mb_free(md5mb *mb);

#endif
