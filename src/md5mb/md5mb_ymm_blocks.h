/*
 * md5mb_ymm_blocks.h - the block loop of a kernel of one or two sets of 8
 * lanes of 256 bits: state rows in and out, each block's words loaded and
 * transposed (md5mb_avx2_load.h), the 64 steps (md5mb_steps.h), the sums.
 * Shared by md5mb_avx2.c and md5mb_avx512vl.c, whose steps differ only in
 * MD5_STEP and MD5_F..I. Include it inside such a file only, after
 * <immintrin.h>, md5mb_avx2_load.h and those macros, with MD5MB_YMM_BLOCKS
 * (the function's name) and MD5MB_YMM_ATTR (static inline and the file's
 * target attributes) defined; like md5mb_steps.h it has no include guard
 * on purpose.
 */
#if !defined(MD5MB_YMM_BLOCKS) || !defined(MD5MB_YMM_ATTR)
#error "define MD5MB_YMM_BLOCKS and MD5MB_YMM_ATTR before including md5mb_ymm_blocks.h"
#endif

/* The kernel for SETS sets of 8 lanes; state rows are 8 * SETS wide. */
MD5MB_YMM_ATTR void MD5MB_YMM_BLOCKS(uint32_t *state, const unsigned char *const *p, size_t nblocks,
                                     const unsigned SETS)
{
        __m256i a[2], b[2], c[2], d[2];
        __m256i w[2][16];
        const size_t width = 8 * SETS;
        size_t n;
        unsigned s;

        for (s = 0; s < SETS; s++) {
                a[s] = _mm256_loadu_si256((const __m256i *)(const void *)(state + 8 * s));
                b[s] = _mm256_loadu_si256((const __m256i *)(const void *)(state + width + 8 * s));
                c[s] =
                    _mm256_loadu_si256((const __m256i *)(const void *)(state + 2 * width + 8 * s));
                d[s] =
                    _mm256_loadu_si256((const __m256i *)(const void *)(state + 3 * width + 8 * s));
        }
        for (n = 0; n < nblocks; n++) {
                __m256i a0[2], b0[2], c0[2], d0[2];

                for (s = 0; s < SETS; s++) {
                        md5mb_avx2_load(w[s], p + 8 * s, 64 * n);
                        a0[s] = a[s];
                        b0[s] = b[s];
                        c0[s] = c[s];
                        d0[s] = d[s];
                }
#include "md5mb_steps.h"
                for (s = 0; s < SETS; s++) {
                        a[s] = _mm256_add_epi32(a[s], a0[s]);
                        b[s] = _mm256_add_epi32(b[s], b0[s]);
                        c[s] = _mm256_add_epi32(c[s], c0[s]);
                        d[s] = _mm256_add_epi32(d[s], d0[s]);
                }
        }
        for (s = 0; s < SETS; s++) {
                _mm256_storeu_si256((__m256i *)(void *)(state + 8 * s), a[s]);
                _mm256_storeu_si256((__m256i *)(void *)(state + width + 8 * s), b[s]);
                _mm256_storeu_si256((__m256i *)(void *)(state + 2 * width + 8 * s), c[s]);
                _mm256_storeu_si256((__m256i *)(void *)(state + 3 * width + 8 * s), d[s]);
        }
}

#undef MD5MB_YMM_BLOCKS
#undef MD5MB_YMM_ATTR
