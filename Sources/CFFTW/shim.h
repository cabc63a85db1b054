// FFTW 3, single precision (Debian libfftw3-dev): the MFCC frontend's FFT.
#include <fftw3.h>
