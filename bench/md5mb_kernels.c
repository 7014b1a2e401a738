/*
 * md5mb_kernels.c - throughput of each multi-buffer MD5 kernel on one core (CPU time, not wall
 * time: the machine may be shared), from memory (every lane hashing 1 MiB of its own, hot in cache
 * or not), against OpenSSL's single-stream MD5; then the scheduler (nrd_md5mb_run) over 100,000
 * streams of 1-8 KiB from memory, the way a track of case A feeds it, to show what keeping the
 * lanes full costs against the kernel alone. Build (after the library):
 *   cc -O2 -Iinclude -Isrc bench/md5mb_kernels.c build/libnereid.a -lcrypto -lssl \
 *      -lsqlite3 -lcurl -lexpat -ljansson -lpthread -o md5mb_kernels
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include "md5mb/md5mb.h"
#include "md5mb/md5mb_kernels.h"

static double now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Small streams from memory for the scheduler's figure. */
struct small {
        const unsigned char *data;
        size_t next, count, bytes;
};

static int small_next(void *payload, md5mb_stream *s, unsigned held)
{
        struct small *f = payload;
        size_t len = 1024 + (f->next * 2654435761u >> 7) % (7 * 1024);

        (void)held;
        if (f->next == f->count)
                return 0;
        s->data = f->data + (f->next * 4099) % (1 << 20);
        s->size = len;
        f->bytes += len;
        f->next++;
        return 1;
}

static int small_done(void *payload, md5mb_stream *s, int rc)
{
        (void)payload;
        (void)s;
        return rc;
}

static void scheduler(const unsigned char *data, int impl, const char *name)
{
        struct small f = {data, 0, 100000, 0};
        md5mb *mb = NULL;
        double t;

        if (nrd_md5mb_new(&mb, impl, 0) < 0) {
                printf("scheduler %-7s skipped: this CPU cannot run it\n", name);
                return;
        }
        t = now();
        if (nrd_md5mb_run(mb, small_next, small_done, &f) == 0)
                printf("scheduler %-7s 100,000 streams of 1-8 KiB %6.2f GB/s\n", name,
                       (double)f.bytes / (now() - t) / 1e9);
        nrd_md5mb_free(mb);
}

int main(void)
{
        const size_t per_lane = 32 << 10, nblocks = per_lane / 64;
        size_t n, i, r;
        const struct md5mb_kernel *k = nrd_md5mb_kernels(&n);
        unsigned char *data = malloc(32 * (per_lane + 320) + (2 << 20));
        const unsigned char *p[32];
        uint32_t state[4 * 32];
        double t;

        if (!data)
                return 1;
        for (i = 0; i < 32 * (per_lane + 320) + (2 << 20); i++)
                data[i] = (unsigned char)(i * 2654435761u >> 13);
        for (i = 0; i < 32; i++)
                p[i] = data + i * (per_lane + 320);
        t = now();
        for (r = 0; r < 600; r++) {
                unsigned char md[EVP_MAX_MD_SIZE];
                unsigned len;

                EVP_Digest(data, per_lane, md, &len, EVP_md5(), NULL);
        }
        t = now() - t;
        printf("%-10s %2u lanes %6.2f GB/s\n", "openssl", 1u, 600.0 * per_lane / t / 1e9);
        for (i = 0; i < n; i++) {
                if (k[i].usable && !k[i].usable()) {
                        printf("%-10s skipped: this CPU cannot run it\n", k[i].name);
                        continue;
                }
                memset(state, 0, sizeof(state));
                t = now();
                for (r = 0; r < 600; r++)
                        k[i].fn(state, p, nblocks);
                t = now() - t;
                printf("%-10s %2u lanes %6.2f GB/s\n", k[i].name, k[i].lanes,
                       600.0 * (double)k[i].lanes * per_lane / t / 1e9);
        }
        scheduler(data, NEREID_MD5_AVX2, "avx2");
        scheduler(data, NEREID_MD5_AVX512, "avx512");
        return 0;
}
