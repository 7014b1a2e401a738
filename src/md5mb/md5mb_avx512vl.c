/*
 * md5mb_avx512vl.c - MD5 of 8 streams in the 8 lanes of a 256-bit
 * register with AVX-512 VL's instructions. The same registers as AVX2,
 * but vpternlogd makes each of F, G, H and I one instruction and vprold a
 * rotate one, so a lane's serial chain is four instructions a step
 * instead of AVX2's six: with the few streams a worker holds while it
 * hashes large files, where a kernel waits on that chain rather than on
 * the vector units, this kernel measured 4.1-4.2 GB/s against AVX2's
 * 3.4-3.5. Compiled through target attributes; md5mb.c only
 * calls it when the CPU has AVX-512 F and VL. Not the padding or the
 * scheduling (md5mb.c).
 */
#include <immintrin.h>
#include "md5mb_avx2_load.h"
#include "md5mb_kernels.h"

#define AVX512VL        __attribute__((target("avx512f,avx512vl")))
#define AVX512VL_INLINE static inline __attribute__((always_inline, target("avx512f,avx512vl")))

/* The truth tables of F, G, H and I (RFC 1321 section 3.4) over x, y, z
 * taken as 0xf0, 0xcc, 0xaa (as in md5mb_avx512.c). */
#define MD5_F(x, y, z) _mm256_ternarylogic_epi32(x, y, z, 0xca)
#define MD5_G(x, y, z) _mm256_ternarylogic_epi32(x, y, z, 0xe4)
#define MD5_H(x, y, z) _mm256_ternarylogic_epi32(x, y, z, 0x96)
#define MD5_I(x, y, z) _mm256_ternarylogic_epi32(x, y, z, 0x39)

/* One step on every set; see md5mb_scalar.c for the order of the sums. */
#define MD5_STEP(f, a, b, c, d, g, k, r)                                                           \
        for (s = 0; s < SETS; s++) {                                                               \
                __m256i t_ = _mm256_add_epi32(w[s][g], _mm256_set1_epi32((int)(k)));               \
                t_ = _mm256_add_epi32(t_, a[s]);                                                   \
                MD5_OFF_CHAIN(t_);                                                                 \
                t_ = _mm256_add_epi32(t_, f(b[s], c[s], d[s]));                                    \
                a[s] = _mm256_add_epi32(b[s], _mm256_rol_epi32(t_, r));                            \
        }

/* The kernel for SETS sets of 8 lanes; state rows are 8 * SETS wide (the
 * shape of the other kernels, though only one set is used). */
AVX512VL_INLINE void avx512vl_blocks(uint32_t *state, const unsigned char *const *p, size_t nblocks,
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

AVX512VL void nrd_md5mb_avx512vlx8(uint32_t *state, const unsigned char *const *p, size_t nblocks)
{
        avx512vl_blocks(state, p, nblocks, 1);
}
