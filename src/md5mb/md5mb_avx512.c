/*
 * md5mb_avx512.c - MD5 of 16 streams in the 16 lanes of an AVX-512
 * register, and of 32 in two interleaved sets of 16. AVX-512 F gives the
 * three-input logic functions in one instruction (vpternlogd) and a
 * rotate (vprold), so a step is five instructions. Compiled for AVX-512
 * through target attributes; md5mb.c only calls it when the CPU has
 * AVX-512 F and VL (the avx512 hasher needs both). Blocks are loaded as rows and transposed (no
 * gathers). Not the padding or the scheduling (md5mb.c).
 */
#include <immintrin.h>
#include "md5mb_kernels.h"

#define AVX512        __attribute__((target("avx512f")))
#define AVX512_INLINE static inline __attribute__((always_inline, target("avx512f")))

/* The truth tables of F, G, H and I (RFC 1321 section 3.4) over x, y, z
 * taken as 0xf0, 0xcc, 0xaa. */
#define MD5_F(x, y, z) _mm512_ternarylogic_epi32(x, y, z, 0xca)
#define MD5_G(x, y, z) _mm512_ternarylogic_epi32(x, y, z, 0xe4)
#define MD5_H(x, y, z) _mm512_ternarylogic_epi32(x, y, z, 0x96)
#define MD5_I(x, y, z) _mm512_ternarylogic_epi32(x, y, z, 0x39)

/* One step on every set; see md5mb_scalar.c for the order of the sums. */
#define MD5_STEP(f, a, b, c, d, g, k, r)                                                           \
        for (s = 0; s < SETS; s++) {                                                               \
                __m512i t_ = _mm512_add_epi32(w[s][g], _mm512_set1_epi32((int)(k)));               \
                t_ = _mm512_add_epi32(t_, a[s]);                                                   \
                MD5_OFF_CHAIN(t_);                                                                 \
                t_ = _mm512_add_epi32(t_, f(b[s], c[s], d[s]));                                    \
                a[s] = _mm512_add_epi32(b[s], _mm512_rol_epi32(t_, r));                            \
        }

/* Words 0..15 of block `offset` bytes into each of the 16 rows p[0..15],
 * one vector per word index: a 16 x 16 transpose of 32-bit words. */
AVX512_INLINE void avx512_load(__m512i w[16], const unsigned char *const *p, size_t offset)
{
        __m512i r[16], t[16], u[16], v[16];
        unsigned i;

        for (i = 0; i < 16; i++)
                r[i] = _mm512_loadu_si512((const void *)(p[i] + offset));
        for (i = 0; i < 16; i += 2) {
                t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
                t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
        }
        /* u[4g + m]: word 4k + m of rows 4g..4g+3 in 128-bit lane k. */
        for (i = 0; i < 4; i++) {
                u[4 * i + 0] = _mm512_unpacklo_epi64(t[4 * i], t[4 * i + 2]);
                u[4 * i + 1] = _mm512_unpackhi_epi64(t[4 * i], t[4 * i + 2]);
                u[4 * i + 2] = _mm512_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
                u[4 * i + 3] = _mm512_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
        }
        /* For each m, a 4 x 4 transpose of 128-bit lanes of u[m], u[4 + m],
         * u[8 + m], u[12 + m]. */
        for (i = 0; i < 4; i++) {
                v[0] = _mm512_shuffle_i32x4(u[i], u[4 + i], 0x44);
                v[1] = _mm512_shuffle_i32x4(u[i], u[4 + i], 0xee);
                v[2] = _mm512_shuffle_i32x4(u[8 + i], u[12 + i], 0x44);
                v[3] = _mm512_shuffle_i32x4(u[8 + i], u[12 + i], 0xee);
                w[0 + i] = _mm512_shuffle_i32x4(v[0], v[2], 0x88);
                w[4 + i] = _mm512_shuffle_i32x4(v[0], v[2], 0xdd);
                w[8 + i] = _mm512_shuffle_i32x4(v[1], v[3], 0x88);
                w[12 + i] = _mm512_shuffle_i32x4(v[1], v[3], 0xdd);
        }
}

/* The kernel for SETS sets of 16 lanes; state rows are 16 * SETS wide. */
AVX512_INLINE void avx512_blocks(uint32_t *state, const unsigned char *const *p, size_t nblocks,
                                 const unsigned SETS)
{
        __m512i a[2], b[2], c[2], d[2];
        __m512i w[2][16];
        const size_t width = 16 * SETS;
        size_t n;
        unsigned s;

        for (s = 0; s < SETS; s++) {
                a[s] = _mm512_loadu_si512((const void *)(state + 16 * s));
                b[s] = _mm512_loadu_si512((const void *)(state + width + 16 * s));
                c[s] = _mm512_loadu_si512((const void *)(state + 2 * width + 16 * s));
                d[s] = _mm512_loadu_si512((const void *)(state + 3 * width + 16 * s));
        }
        for (n = 0; n < nblocks; n++) {
                __m512i a0[2], b0[2], c0[2], d0[2];

                for (s = 0; s < SETS; s++) {
                        avx512_load(w[s], p + 16 * s, 64 * n);
                        a0[s] = a[s];
                        b0[s] = b[s];
                        c0[s] = c[s];
                        d0[s] = d[s];
                }
#include "md5mb_steps.h"
                for (s = 0; s < SETS; s++) {
                        a[s] = _mm512_add_epi32(a[s], a0[s]);
                        b[s] = _mm512_add_epi32(b[s], b0[s]);
                        c[s] = _mm512_add_epi32(c[s], c0[s]);
                        d[s] = _mm512_add_epi32(d[s], d0[s]);
                }
        }
        for (s = 0; s < SETS; s++) {
                _mm512_storeu_si512((void *)(state + 16 * s), a[s]);
                _mm512_storeu_si512((void *)(state + width + 16 * s), b[s]);
                _mm512_storeu_si512((void *)(state + 2 * width + 16 * s), c[s]);
                _mm512_storeu_si512((void *)(state + 3 * width + 16 * s), d[s]);
        }
}

AVX512 void nrd_md5mb_avx512x16(uint32_t *state, const unsigned char *const *p, size_t nblocks)
{
        avx512_blocks(state, p, nblocks, 1);
}

AVX512 void nrd_md5mb_avx512x32(uint32_t *state, const unsigned char *const *p, size_t nblocks)
{
        avx512_blocks(state, p, nblocks, 2);
}

int nrd_md5mb_has_avx512(void)
{
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512vl") != 0;
}
