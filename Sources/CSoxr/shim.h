// libsoxr (Debian libsoxr-dev): the SoX resampler library.
#include <soxr.h>
