#include "vector_math.h"

#include <stdint.h>
#include <string.h>

// Written as branch-free loops over plain floats so that the compiler
// vectorises them for whatever the target has (SSE2 on x86-64, NEON on
// AArch64; `restrict` spares them a run-time overlap test); libm's scalar expf, three per GRU unit and step, was the
// accelerator runtime's largest cost after the column sums.
//
// No contraction into fused multiply-adds: an AArch64 build would then
// round differently from an x86-64 one, and one seed must give the same
// bits on both.
#pragma STDC FP_CONTRACT OFF

// Cody–Waite range reduction x = n·ln 2 + r with |r| ≤ ln 2 / 2, then the
// degree-6 polynomial of Cephes' expf (S. L. Moshier, Cephes Math Library).
static const float ln2_high = 0.693359375f;    // n · ln2_high is exact for |n| < 2^9
static const float ln2_low = -2.12194440e-4f;
static const float log2e = 1.44269504f;
static const float rounding_magic = 12582912.0f;  // 1.5 · 2^23: adding it rounds to an integer

static inline float exp_lane(float x) {
    // Comparisons, not fminf/fmaxf, so that NaN falls through both and stays NaN.
    x = x < -87.0f ? -87.0f : x;
    x = x > 88.0f ? 88.0f : x;
    float shifted = x * log2e + rounding_magic;
    float n = shifted - rounding_magic;
    float r = (x - n * ln2_high) - n * ln2_low;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    // 2^n through the exponent field; n is within [−126, 127] after the clamp.
    int32_t bits;
    memcpy(&bits, &shifted, sizeof bits);
    int32_t exponent = (bits - 0x4B400000 + 127) << 23;
    float scale;
    memcpy(&scale, &exponent, sizeof scale);
    return p * scale;
}

void cimfw_exp(const float *restrict x, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = exp_lane(x[i]);
}

void cimfw_sigmoid(const float *restrict x, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = 1.0f / (1.0f + exp_lane(-x[i]));
}

void cimfw_tanh(const float *restrict x, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = 2.0f / (1.0f + exp_lane(-2.0f * x[i])) - 1.0f;
}

double cimfw_dot_accumulate(double initial, const float *a, const float *b, size_t n) {
    // A float times a float is exact in double (24 + 24 < 53 bits), so only
    // the sums round, one after another as in the Swift loop.
    double s = initial;
    for (size_t k = 0; k < n; k++) s += (double)a[k] * (double)b[k];
    return s;
}
