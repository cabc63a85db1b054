#include "bare_gemv.h"

void bare_gemv(const float *w, const float *x, float *y, int rows, int columns) {
    for (int j = 0; j < columns; j++) {
        const float *row = w + (long)j * rows;
        float sum = 0;
        for (int i = 0; i < rows; i++) sum += row[i] * x[i];
        y[j] = sum;
    }
}
