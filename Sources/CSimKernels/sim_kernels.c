#include "sim_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

int cimfw_cpu_has_avx(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx") ? 1 : 0;
}

// The lane sums of eight accumulators at once: transpose so that vector i
// holds lane i of every accumulator, then add lanes 0, 1, …, 7 in order,
// as SIMD8<Float>.sum() does in the portable kernel.
__attribute__((target("avx")))
static inline __m256 lane_sums8(const __m256 a[8]) {
    __m256 t0 = _mm256_unpacklo_ps(a[0], a[1]), t1 = _mm256_unpackhi_ps(a[0], a[1]);
    __m256 t2 = _mm256_unpacklo_ps(a[2], a[3]), t3 = _mm256_unpackhi_ps(a[2], a[3]);
    __m256 t4 = _mm256_unpacklo_ps(a[4], a[5]), t5 = _mm256_unpackhi_ps(a[4], a[5]);
    __m256 t6 = _mm256_unpacklo_ps(a[6], a[7]), t7 = _mm256_unpackhi_ps(a[6], a[7]);
    // Lanes (0 | 4), (1 | 5), (2 | 6), (3 | 7) of a[0..3], then of a[4..7].
    __m256 q0 = _mm256_shuffle_ps(t0, t2, 0x44), q1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 q2 = _mm256_shuffle_ps(t1, t3, 0x44), q3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 q4 = _mm256_shuffle_ps(t4, t6, 0x44), q5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 q6 = _mm256_shuffle_ps(t5, t7, 0x44), q7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    __m256 s = _mm256_permute2f128_ps(q0, q4, 0x20);
    s = _mm256_add_ps(s, _mm256_permute2f128_ps(q1, q5, 0x20));
    s = _mm256_add_ps(s, _mm256_permute2f128_ps(q2, q6, 0x20));
    s = _mm256_add_ps(s, _mm256_permute2f128_ps(q3, q7, 0x20));
    s = _mm256_add_ps(s, _mm256_permute2f128_ps(q0, q4, 0x31));
    s = _mm256_add_ps(s, _mm256_permute2f128_ps(q1, q5, 0x31));
    s = _mm256_add_ps(s, _mm256_permute2f128_ps(q2, q6, 0x31));
    return _mm256_add_ps(s, _mm256_permute2f128_ps(q3, q7, 0x31));
}

// "avx" alone, not "fma": a fused multiply-add would round differently
// from the portable kernel and break bit-for-bit reproducibility.
__attribute__((target("avx")))
void cimfw_columns_avx(const float *x, const float *weights, size_t column_stride,
                       const intptr_t *block_byte_offsets, size_t blocks,
                       size_t columns, float *y) {
    const char *xb = (const char *)x;
    // One panel of eight columns per pass: eight independent add chains
    // hide the add latency, each load of x serves eight columns, and the
    // panel's blocks are one sequential stream. A column's own sum keeps
    // its order, so the grouping does not change any result.
    for (size_t j = 0; j + 7 < columns; j += 8) {
        const char *panel = (const char *)(weights + j * column_stride);
        __m256 a[8];
        for (int k = 0; k < 8; k++) a[k] = _mm256_setzero_ps();
        for (size_t b = 0; b < blocks; b++) {
            intptr_t o = block_byte_offsets[b];
            __m256 xv = _mm256_load_ps((const float *)(xb + o));
            const char *w = panel + 8 * o;
            for (int k = 0; k < 8; k++) {
                a[k] = _mm256_add_ps(a[k], _mm256_mul_ps(xv, _mm256_load_ps((const float *)(w + 32 * k))));
            }
        }
        _mm256_storeu_ps(y + j, lane_sums8(a));
    }
}

int cimfw_cpu_has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") ? 1 : 0;
}

// The same arithmetic as cimfw_columns_avx, two columns per 512-bit vector:
// lanes 0-7 hold column 2m's eight row lanes and lanes 8-15 column 2m+1's,
// whose blocks sit next to each other in the panel, so one 64-byte load
// takes both and each lane sees exactly the multiplies and adds (in order,
// each rounded, no fused multiply-add) it sees in the 256-bit kernel. The
// lane sums reuse the 256-bit transpose, so the bits are the same.
__attribute__((target("avx512f")))
void cimfw_columns_avx512(const float *x, const float *weights, size_t column_stride,
                          const intptr_t *block_byte_offsets, size_t blocks,
                          size_t columns, float *y) {
    const char *xb = (const char *)x;
    for (size_t j = 0; j + 7 < columns; j += 8) {
        const char *panel = (const char *)(weights + j * column_stride);
        __m512 a[4];
        for (int k = 0; k < 4; k++) a[k] = _mm512_setzero_ps();
        for (size_t b = 0; b < blocks; b++) {
            intptr_t o = block_byte_offsets[b];
            __m256d x8 = _mm256_castps_pd(_mm256_load_ps((const float *)(xb + o)));
            __m512 xv = _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castpd256_pd512(x8), x8, 1));
            const char *w = panel + 8 * o;
            for (int k = 0; k < 4; k++) {
                a[k] = _mm512_add_ps(a[k], _mm512_mul_ps(xv, _mm512_load_ps((const float *)(w + 64 * k))));
            }
        }
        __m256 halves[8];
        for (int k = 0; k < 4; k++) {
            halves[2 * k] = _mm512_castps512_ps256(a[k]);
            halves[2 * k + 1] = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a[k]), 1));
        }
        _mm256_storeu_ps(y + j, lane_sums8(halves));
    }
}

// cimfw_columns_avx512 for two input vectors in one pass over the weights:
// each 64-byte load of weights serves both, halving the weight traffic
// (a 256x256 tile's 256 KiB come from L2, whose bandwidth is what a single
// vector's pass runs into). Each vector's lanes see the operations they see
// alone, in the same order: the same bits.
__attribute__((target("avx512f")))
void cimfw_columns_avx512_pair(const float *xa, const float *xb, const float *weights, size_t column_stride,
                               const intptr_t *block_byte_offsets, size_t blocks,
                               size_t columns, float *ya, float *yb) {
    const char *pa = (const char *)xa, *pb = (const char *)xb;
    for (size_t j = 0; j + 7 < columns; j += 8) {
        const char *panel = (const char *)(weights + j * column_stride);
        __m512 a[4], b[4];
        for (int k = 0; k < 4; k++) { a[k] = _mm512_setzero_ps(); b[k] = _mm512_setzero_ps(); }
        for (size_t n = 0; n < blocks; n++) {
            intptr_t o = block_byte_offsets[n];
            __m256d x8a = _mm256_castps_pd(_mm256_load_ps((const float *)(pa + o)));
            __m256d x8b = _mm256_castps_pd(_mm256_load_ps((const float *)(pb + o)));
            __m512 va = _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castpd256_pd512(x8a), x8a, 1));
            __m512 vb = _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castpd256_pd512(x8b), x8b, 1));
            const char *w = panel + 8 * o;
            for (int k = 0; k < 4; k++) {
                __m512 wk = _mm512_load_ps((const float *)(w + 64 * k));
                a[k] = _mm512_add_ps(a[k], _mm512_mul_ps(va, wk));
                b[k] = _mm512_add_ps(b[k], _mm512_mul_ps(vb, wk));
            }
        }
        __m256 ha[8], hb[8];
        for (int k = 0; k < 4; k++) {
            ha[2 * k] = _mm512_castps512_ps256(a[k]);
            ha[2 * k + 1] = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a[k]), 1));
            hb[2 * k] = _mm512_castps512_ps256(b[k]);
            hb[2 * k + 1] = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(b[k]), 1));
        }
        _mm256_storeu_ps(ya + j, lane_sums8(ha));
        _mm256_storeu_ps(yb + j, lane_sums8(hb));
    }
}

#else

int cimfw_cpu_has_avx(void) { return 0; }

void cimfw_columns_avx512_pair(const float *xa, const float *xb, const float *weights, size_t column_stride,
                               const intptr_t *block_byte_offsets, size_t blocks,
                               size_t columns, float *ya, float *yb) {
    (void)xa; (void)xb; (void)weights; (void)column_stride; (void)block_byte_offsets;
    (void)blocks; (void)columns; (void)ya; (void)yb;
}
int cimfw_cpu_has_avx512(void) { return 0; }

void cimfw_columns_avx512(const float *x, const float *weights, size_t column_stride,
                          const intptr_t *block_byte_offsets, size_t blocks,
                          size_t columns, float *y) {
    (void)x; (void)weights; (void)column_stride; (void)block_byte_offsets;
    (void)blocks; (void)columns; (void)y;
}

void cimfw_columns_avx(const float *x, const float *weights, size_t column_stride,
                       const intptr_t *block_byte_offsets, size_t blocks,
                       size_t columns, float *y) {
    (void)x; (void)weights; (void)column_stride; (void)block_byte_offsets;
    (void)blocks; (void)columns; (void)y;
}

#endif
