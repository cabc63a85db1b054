#ifndef CIMFW_SIM_KERNELS_H
#define CIMFW_SIM_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this x86-64 CPU (and its OS) runs AVX, else 0 (and on other architectures).
int cimfw_cpu_has_avx(void);

/// Column sums of the simulated crossbar with 256-bit AVX, for the first
/// `columns` columns (a multiple of 8): y[j] = sum over the listed 8-row
/// blocks of x * w_j, each column's 8 lane sums added in lane order. That
/// is exactly the arithmetic of the portable Swift kernel (SIMD8<Float>
/// multiply, add and sum(), no fused multiply-add), so the two give the
/// same bits. The weights are in panels of eight columns, `column_stride`
/// rows each: column j's block at x's byte offset o starts 8·o + 32·(j % 8)
/// bytes into panel j / 8, which starts at weights + j / 8 · 8 · column_stride.
/// x and the weights are 32-byte aligned. Only call when
/// cimfw_cpu_has_avx() is 1.
void cimfw_columns_avx(const float *x, const float *weights, size_t column_stride,
                       const intptr_t *block_byte_offsets, size_t blocks,
                       size_t columns, float *y);

/// 1 when this x86-64 CPU (and its OS) runs AVX-512F, else 0.
int cimfw_cpu_has_avx512(void);

/// cimfw_columns_avx with 512-bit vectors, two columns per vector: the same
/// bits. Only call when cimfw_cpu_has_avx512() is 1.
void cimfw_columns_avx512(const float *x, const float *weights, size_t column_stride,
                          const intptr_t *block_byte_offsets, size_t blocks,
                          size_t columns, float *y);

/// cimfw_columns_avx512 for two input vectors at once, each weight load
/// serving both: the bits of two single calls.
void cimfw_columns_avx512_pair(const float *xa, const float *xb, const float *weights, size_t column_stride,
                               const intptr_t *block_byte_offsets, size_t blocks,
                               size_t columns, float *ya, float *yb);

#endif
