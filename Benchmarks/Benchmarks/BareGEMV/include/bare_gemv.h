#ifndef BARE_GEMV_H
#define BARE_GEMV_H

/// y[j] = sum over i of w[j * rows + i] * x[i], j < columns: a plain
/// matrix-vector product with nothing of the analog model (no noise, no
/// converters), compiled for this machine. The MVM benchmark measures it
/// beside the simulator so the ratio between the two survives a noisy machine.
void bare_gemv(const float *w, const float *x, float *y, int rows, int columns);

#endif
