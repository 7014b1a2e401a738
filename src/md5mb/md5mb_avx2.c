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

/* AVX2 has no rotate: two shifts and an or. */
#define MD5MB_YMM_ROTL(x, r)                                                                       \
        _mm256_or_si256(_mm256_slli_epi32(x, r), _mm256_srli_epi32(x, 32 - (r)))
#define MD5MB_YMM_BLOCKS avx2_blocks
#define MD5MB_YMM_ATTR   AVX2_INLINE
#include "md5mb_ymm_blocks.h"

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
