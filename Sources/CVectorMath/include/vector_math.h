#ifndef CIMFW_VECTOR_MATH_H
#define CIMFW_VECTOR_MATH_H

#include <stddef.h>

/// Elementwise logistic sigmoid 1 / (1 + e^(−x)) of n floats, within 2e-7
/// absolute of the libm expression; x and y must not overlap.
void cimfw_sigmoid(const float *restrict x, float *restrict y, size_t n);

/// Elementwise tanh as 2 / (1 + e^(−2x)) − 1, within 1e-6 absolute of
/// libm's tanhf; x and y must not overlap.
void cimfw_tanh(const float *restrict x, float *restrict y, size_t n);

/// Elementwise e^x, within 2 ulp on [−87, 88]; clamped to e^−87 and e^88
/// outside that range; NaN stays NaN. x and y must not overlap.
void cimfw_exp(const float *restrict x, float *restrict y, size_t n);

/// initial + Σ a[k]·b[k] over k = 0 ..< n, each product and sum in double,
/// in order: the same bits as that loop written in Swift. The float
/// reference runtime's dot products; a C loop keeps unoptimised (debug)
/// builds usable, where the Swift loop costs ~100x its optimised time.
double cimfw_dot_accumulate(double initial, const float *a, const float *b, size_t n);

#endif
