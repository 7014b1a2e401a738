/*
 * md5mb_scalar.c - MD5's block function in portable C (RFC 1321), used by
 * the multi-buffer hasher for a stream left alone in its lanes (the tail
 * of a large file), where a vector lane would be no faster. Not the
 * single-stream MD5 of hash.c (OpenSSL), which stays the portable default.
 */
#include <string.h>
#include "md5mb_kernels.h"

#define MD5_F(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define MD5_G(x, y, z) ((y) ^ ((z) & ((x) ^ (y))))
#define MD5_H(x, y, z) ((x) ^ (y) ^ (z))
#define MD5_I(x, y, z) ((y) ^ ((x) | ~(z)))
#define MD5_ROL(x, r)  (((x) << (r)) | ((x) >> (32 - (r))))

/* a = b + ((a + f(b, c, d) + w + k) <<< r), with w + k + a summed first:
 * they are known before b, which the previous step just made. */
#define MD5_STEP(f, a, b, c, d, g, k, r)                                                           \
        do {                                                                                       \
                uint32_t t_ = w[g] + (k) + (a);                                                    \
                t_ += f(b, c, d);                                                                  \
                (a) = (b) + MD5_ROL(t_, r);                                                        \
        } while (0);

/* Little-endian word i of a block, whatever the host's byte order. */
static uint32_t scalar_word(const unsigned char *p, unsigned i)
{
        p += 4 * i;
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void nrd_md5mb_scalar(uint32_t *state, const unsigned char *const *p, size_t nblocks)
{
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
        const unsigned char *block = p[0];
        size_t n;

        for (n = 0; n < nblocks; n++, block += 64) {
                uint32_t w[16], a0 = a, b0 = b, c0 = c, d0 = d;
                unsigned i;

                for (i = 0; i < 16; i++)
                        w[i] = scalar_word(block, i);
#include "md5mb_steps.h"
                a += a0;
                b += b0;
                c += c0;
                d += d0;
        }
        state[0] = a;
        state[1] = b;
        state[2] = c;
        state[3] = d;
}
