/*
 * md5mb_avx2.c - MD5 of 8 streams in the 8 lanes of an AVX2 register, and
 * of 16 in two interleaved sets of 8: one lane is a serial chain of six
 * instructions a step, so a second independent set fills the cycles the
 * first waits. Compiled for AVX2 through target attributes, so the rest of
 * the build stays portable; md5mb.c only calls it when the CPU has AVX2.
 * Blocks are loaded as rows and transposed (md5mb_avx2_load.h). Not the
 * padding or the scheduling (md5mb.c).
 */
#include <immintrin.h>
#include "md5mb_avx2_load.h"
#include "md5mb_kernels.h"

#define AVX2        __attribute__((target("avx2")))
#define AVX2_INLINE static inline __attribute__((always_inline, target("avx2")))

AVX2_INLINE __m256i avx2_f(__m256i x, __m256i y, __m256i z)
{
        return _mm256_xor_si256(z, _mm256_and_si256(x, _mm256_xor_si256(y, z)));
}

AVX2_INLINE __m256i avx2_g(__m256i x, __m256i y, __m256i z)
{
        return _mm256_xor_si256(y, _mm256_and_si256(z, _mm256_xor_si256(x, y)));
}

AVX2_INLINE __m256i avx2_h(__m256i x, __m256i y, __m256i z)
{
        return _mm256_xor_si256(_mm256_xor_si256(x, y), z);
}

AVX2_INLINE __m256i avx2_i(__m256i x, __m256i y, __m256i z)
{
        return _mm256_xor_si256(y, _mm256_or_si256(x, _mm256_xor_si256(z, _mm256_set1_epi32(-1))));
}

#define MD5_F avx2_f
#define MD5_G avx2_g
#define MD5_H avx2_h
#define MD5_I avx2_i

/* One step on every set; see md5mb_scalar.c for the order of the sums. */
#define MD5_STEP(f, a, b, c, d, g, k, r)                                                           \
        for (s = 0; s < SETS; s++) {                                                               \
                __m256i t_ = _mm256_add_epi32(w[s][g], _mm256_set1_epi32((int)(k)));               \
                t_ = _mm256_add_epi32(t_, a[s]);                                                   \
                MD5_OFF_CHAIN(t_);                                                                 \
                t_ = _mm256_add_epi32(t_, f(b[s], c[s], d[s]));                                    \
                t_ = _mm256_or_si256(_mm256_slli_epi32(t_, r), _mm256_srli_epi32(t_, 32 - (r)));   \
                a[s] = _mm256_add_epi32(b[s], t_);                                                 \
        }

/* The kernel for SETS sets of 8 lanes; state rows are 8 * SETS wide. */
AVX2_INLINE void avx2_blocks(uint32_t *state, const unsigned char *const *p, size_t nblocks,
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

AVX2 void nrd_md5mb_avx2x8(uint32_t *state, const unsigned char *const *p, size_t nblocks)
{
        avx2_blocks(state, p, nblocks, 1);
}

AVX2 void nrd_md5mb_avx2x16(uint32_t *state, const unsigned char *const *p, size_t nblocks)
{
        avx2_blocks(state, p, nblocks, 2);
}

int nrd_md5mb_has_avx2(void)
{
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") != 0;
}
