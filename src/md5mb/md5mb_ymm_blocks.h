/*
 * md5mb_ymm_blocks.h - the block loop of a kernel of one or two sets of 8
 * lanes of 256 bits: state rows in and out, each block's words loaded and
 * transposed (md5mb_avx2_load.h), the 64 steps (md5mb_steps.h), the sums.
 * Shared by md5mb_avx2.c and md5mb_avx512vl.c, whose steps differ only in
 * MD5_F..I and the rotate. Include it inside such a file only, after
 * <immintrin.h>, md5mb_avx2_load.h and MD5_F..I, with MD5MB_YMM_BLOCKS
 * (the function's name), MD5MB_YMM_ATTR (static inline and the file's
 * target attributes) and MD5MB_YMM_ROTL(x, r) (a rotate left) defined;
 * like md5mb_steps.h it has no include guard on purpose.
 */
#if !defined(MD5MB_YMM_BLOCKS) || !defined(MD5MB_YMM_ATTR) || !defined(MD5MB_YMM_ROTL)
#error "define MD5MB_YMM_BLOCKS, MD5MB_YMM_ATTR and MD5MB_YMM_ROTL before md5mb_ymm_blocks.h"
#endif

/* One step on every set; see md5mb_scalar.c for the order of the sums. */
#define MD5_STEP(f, a, b, c, d, g, k, r)                                                           \
        for (s = 0; s < SETS; s++) {                                                               \
                __m256i t_ = _mm256_add_epi32(w[s][g], _mm256_set1_epi32((int)(k)));               \
                t_ = _mm256_add_epi32(t_, a[s]);                                                   \
                MD5_OFF_CHAIN(t_);                                                                 \
                t_ = _mm256_add_epi32(t_, f(b[s], c[s], d[s]));                                    \
                a[s] = _mm256_add_epi32(b[s], MD5MB_YMM_ROTL(t_, r));                              \
        }

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

#undef MD5_STEP
#undef MD5MB_YMM_BLOCKS
#undef MD5MB_YMM_ATTR
#undef MD5MB_YMM_ROTL
