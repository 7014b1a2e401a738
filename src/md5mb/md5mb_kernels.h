/*
 * md5mb_kernels.h - the MD5 block functions (RFC 1321) of the multi-buffer
 * hasher: one scalar, and SIMD ones that run 8 or 16 independent streams
 * in the lanes of a vector register. They only compress whole 64-byte
 * blocks; padding, reading files and choosing a kernel are md5mb.c's.
 */
#ifndef NEREID_MD5MB_KERNELS_H
#define NEREID_MD5MB_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* Compress nblocks blocks into each of the kernel's lanes. state holds
 * four rows of `lanes` words (A of every lane, then B, C, D); p[i] is lane
 * i's data, nblocks * 64 readable bytes, left where it is (the caller
 * advances). Lanes without a stream point at any readable data of that
 * length and their state is thrown away. */
typedef void (*md5mb_kernel_fn)(uint32_t *state, const unsigned char *const *p, size_t nblocks);

struct md5mb_kernel {
        const char *name; /* "avx2x8": for tests and messages */
        unsigned lanes;   /* streams per call */
        md5mb_kernel_fn fn;
        int (*usable)(void); /* 1 when this CPU can run it */
};

/* Keeps the sum v whole: an empty asm the compiler cannot see through.
 * A step's message word, constant and a are known before F is, so their
 * sum goes first and the step's serial chain is F, one add, the rotate and
 * one add; without it gcc reassociates the adds and puts a second one on
 * that chain (each SIMD kernel measured 10-15% slower). The scalar kernel,
 * for a lone stream's tail, is left to the compiler. */
#define MD5_OFF_CHAIN(v) __asm__("" : "+v"(v))

/* The scalar block function, the same as a one-lane kernel. */
void nrd_md5mb_scalar(uint32_t *state, const unsigned char *const *p, size_t nblocks);
void nrd_md5mb_avx2x8(uint32_t *state, const unsigned char *const *p, size_t nblocks);
void nrd_md5mb_avx2x16(uint32_t *state, const unsigned char *const *p, size_t nblocks);
void nrd_md5mb_avx512x16(uint32_t *state, const unsigned char *const *p, size_t nblocks);
void nrd_md5mb_avx512x32(uint32_t *state, const unsigned char *const *p, size_t nblocks);
void nrd_md5mb_avx512vlx8(uint32_t *state, const unsigned char *const *p, size_t nblocks);

/* The CPU's features, from __builtin_cpu_supports (what the kernels
 * need: AVX2; AVX-512 F and VL). */
int nrd_md5mb_has_avx2(void);
int nrd_md5mb_has_avx512(void);

/* Every kernel, scalar first, then by instruction set and width; count in
 * *n. Tests walk it. */
const struct md5mb_kernel *nrd_md5mb_kernels(size_t *n);

/* The MD5 initial state (RFC 1321 section 3.3). */
#define MD5MB_INIT_A 0x67452301U
#define MD5MB_INIT_B 0xefcdab89U
#define MD5MB_INIT_C 0x98badcfeU
#define MD5MB_INIT_D 0x10325476U

#endif
