/*
 * md5mb_kernels.c - throughput of each multi-buffer MD5 kernel on one core (CPU time, not wall
 * time: the machine may be shared), from memory (every lane hashing 1 MiB of its own, hot in cache
 * or not), against OpenSSL's single-stream MD5. Build (after the library):
 *   cc -O2 -Iinclude -Isrc bench/md5mb_kernels.c build/libnereid.a -lcrypto -lssl \
 *      -lsqlite3 -lcurl -lexpat -ljansson -lpthread -o md5mb_kernels
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include "md5mb/md5mb_kernels.h"

static double now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
        const size_t per_lane = 32 << 10, nblocks = per_lane / 64;
        size_t n, i, r;
        const struct md5mb_kernel *k = nrd_md5mb_kernels(&n);
        unsigned char *data = malloc(32 * (per_lane + 320));
        const unsigned char *p[32];
        uint32_t state[4 * 32];
        double t;

        if (!data)
                return 1;
        for (i = 0; i < 32 * (per_lane + 320); i++)
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
        return 0;
}
