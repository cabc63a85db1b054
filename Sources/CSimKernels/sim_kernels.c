#include "sim_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

int cimfw_cpu_has_avx(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx") ? 1 : 0;
}

// "avx" alone, not "fma": a fused multiply-add would round differently
// from the portable kernel and break bit-for-bit reproducibility.
__attribute__((target("avx")))
static inline float lane_sum(__m256 v) {
    float lanes[8] __attribute__((aligned(32)));
    _mm256_store_ps(lanes, v);
    float s = -0.0f;
    for (int i = 0; i < 8; i++) s += lanes[i];
    return s;
}

__attribute__((target("avx")))
void cimfw_columns_avx(const float *x, const float *weights, size_t column_stride,
                       const intptr_t *block_byte_offsets, size_t blocks,
                       size_t columns, float *y) {
    const char *xb = (const char *)x;
    const size_t column_bytes = column_stride * sizeof(float);
    size_t j = 0;
    // Eight columns per pass: eight independent add chains hide the add
    // latency, and each load of x serves eight columns. A column's own sum
    // keeps its order, so the grouping does not change any result.
    for (; j + 7 < columns; j += 8) {
        const char *w = (const char *)(weights + j * column_stride);
        __m256 a[8];
        for (int k = 0; k < 8; k++) a[k] = _mm256_setzero_ps();
        for (size_t b = 0; b < blocks; b++) {
            intptr_t o = block_byte_offsets[b];
            __m256 xv = _mm256_load_ps((const float *)(xb + o));
            for (int k = 0; k < 8; k++) {
                a[k] = _mm256_add_ps(a[k], _mm256_mul_ps(xv, _mm256_load_ps((const float *)(w + k * column_bytes + o))));
            }
        }
        for (int k = 0; k < 8; k++) y[j + k] = lane_sum(a[k]);
    }
    for (; j + 3 < columns; j += 4) {
        const char *w0 = (const char *)(weights + j * column_stride);
        const char *w1 = w0 + column_stride * sizeof(float);
        const char *w2 = w1 + column_stride * sizeof(float);
        const char *w3 = w2 + column_stride * sizeof(float);
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
        __m256 a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
        for (size_t b = 0; b < blocks; b++) {
            intptr_t o = block_byte_offsets[b];
            __m256 xv = _mm256_load_ps((const float *)(xb + o));
            a0 = _mm256_add_ps(a0, _mm256_mul_ps(xv, _mm256_load_ps((const float *)(w0 + o))));
            a1 = _mm256_add_ps(a1, _mm256_mul_ps(xv, _mm256_load_ps((const float *)(w1 + o))));
            a2 = _mm256_add_ps(a2, _mm256_mul_ps(xv, _mm256_load_ps((const float *)(w2 + o))));
            a3 = _mm256_add_ps(a3, _mm256_mul_ps(xv, _mm256_load_ps((const float *)(w3 + o))));
        }
        y[j] = lane_sum(a0);
        y[j + 1] = lane_sum(a1);
        y[j + 2] = lane_sum(a2);
        y[j + 3] = lane_sum(a3);
    }
}

#else

int cimfw_cpu_has_avx(void) { return 0; }

void cimfw_columns_avx(const float *x, const float *weights, size_t column_stride,
                       const intptr_t *block_byte_offsets, size_t blocks,
                       size_t columns, float *y) {
    (void)x; (void)weights; (void)column_stride; (void)block_byte_offsets;
    (void)blocks; (void)columns; (void)y;
}

#endif
