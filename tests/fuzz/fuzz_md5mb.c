/*
 * fuzz_md5mb.c - libFuzzer target for the multi-buffer MD5 kernels: the
 * input's first byte picks a kernel (one this CPU cannot run is skipped)
 * and the size of the lane buffers, the next bytes cut the rest into up
 * to 40 streams, which the kernel hashes side by side; every digest must
 * be OpenSSL's MD5 of the same bytes, or the target aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "md5mb/md5mb.h"

enum { FUZZ_STREAMS = 40 };

struct fuzz_feed {
        const uint8_t *data;
        size_t off[FUZZ_STREAMS], len[FUZZ_STREAMS];
        size_t count, next;
};

static int fuzz_next(void *payload, md5mb_stream *s, unsigned held)
{
        struct fuzz_feed *f = payload;

        (void)held;
        if (f->next == f->count)
                return 0;
        s->data = f->data + f->off[f->next];
        s->size = f->len[f->next];
        s->item = (void *)(uintptr_t)f->next;
        f->next++;
        return 1;
}

static int fuzz_done(void *payload, md5mb_stream *s, int rc)
{
        struct fuzz_feed *f = payload;
        size_t i = (size_t)(uintptr_t)s->item;
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0, j;
        char want[NEREID_MD5_HEXLEN + 1];

        if (rc < 0 || s->nread != f->len[i])
                abort();
        if (EVP_Digest(f->data + f->off[i], f->len[i], md, &mdlen, EVP_md5(), NULL) != 1)
                abort();
        for (j = 0; j < mdlen; j++)
                snprintf(want + 2 * j, 3, "%02x", md[j]);
        if (strcmp(want, s->md5) != 0)
                abort();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct fuzz_feed f;
        const struct md5mb_kernel *k;
        size_t nkernels, at, cuts;
        md5mb *mb = NULL;

        if (size < 2)
                return 0;
        k = nrd_md5mb_kernels(&nkernels);
        k += data[0] % nkernels;
        if (k->usable && !k->usable())
                return 0;
        memset(&f, 0, sizeof(f));
        /* data[1]: how many streams; then a 16-bit length per stream,
         * cut from what follows (shorter when the input runs out). */
        cuts = data[1] % FUZZ_STREAMS + 1;
        at = 2 + 2 * cuts;
        if (at > size)
                return 0;
        f.data = data;
        for (f.count = 0; f.count < cuts; f.count++) {
                size_t want = (size_t)data[2 + 2 * f.count] | (size_t)data[3 + 2 * f.count] << 8;

                if (want > size - at)
                        want = size - at;
                f.off[f.count] = at;
                f.len[f.count] = want;
                at += want;
        }
        /* Lane buffers of 64 bytes to 16 KiB. */
        if (nrd_md5mb_new_kernel(&mb, k, (size_t)64 << (data[0] / nkernels % 9)) < 0)
                abort();
        if (nrd_md5mb_run(mb, fuzz_next, fuzz_done, &f) != 0 || f.next != f.count)
                abort();
        nrd_md5mb_free(mb);
        return 0;
}
