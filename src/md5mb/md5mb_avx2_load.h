/*
 * md5mb_avx2_load.h - the message words of a block of 8 streams, as 16
 * AVX2 vectors of one word index each: rows loaded and transposed (no
 * gathers). Shared by the kernels that work on 8 lanes of 256 bits
 * (md5mb_avx2.c, md5mb_avx512vl.c); include it only from a file compiled
 * with AVX2 target attributes, after <immintrin.h>.
 */
#ifndef NEREID_MD5MB_AVX2_LOAD_H
#define NEREID_MD5MB_AVX2_LOAD_H

#include <stddef.h>

/* Words 0..15 of block `offset` bytes into each of the 8 rows p[0..7],
 * one vector per word index: two 8 x 8 transposes of 32-bit words. */
static inline __attribute__((always_inline, target("avx2"))) void
md5mb_avx2_load(__m256i w[16], const unsigned char *const *p, size_t offset)
{
        unsigned half;

        for (half = 0; half < 2; half++) {
                __m256i r[8], t[8], u[8];
                unsigned i;

                for (i = 0; i < 8; i++)
                        r[i] = _mm256_loadu_si256(
                            (const __m256i *)(const void *)(p[i] + offset + 32 * half));
                for (i = 0; i < 8; i += 2) {
                        t[i] = _mm256_unpacklo_epi32(r[i], r[i + 1]);
                        t[i + 1] = _mm256_unpackhi_epi32(r[i], r[i + 1]);
                }
                /* u[4g + m]: word 4k + m of rows 4g..4g+3 in 128-bit lane k. */
                for (i = 0; i < 2; i++) {
                        u[4 * i + 0] = _mm256_unpacklo_epi64(t[4 * i], t[4 * i + 2]);
                        u[4 * i + 1] = _mm256_unpackhi_epi64(t[4 * i], t[4 * i + 2]);
                        u[4 * i + 2] = _mm256_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
                        u[4 * i + 3] = _mm256_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
                }
                for (i = 0; i < 4; i++) {
                        w[8 * half + i] = _mm256_permute2x128_si256(u[i], u[4 + i], 0x20);
                        w[8 * half + 4 + i] = _mm256_permute2x128_si256(u[i], u[4 + i], 0x31);
                }
        }
}

#endif
