#include "CLinuxShim.h"
#include <gpiod.h>

int cimfw_gpiod_api_version(void) {
#ifdef GPIOD_LINE_BULK_MAX_LINES
    return 1;
#else
    return 2;
#endif
}
