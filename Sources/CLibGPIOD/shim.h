// libgpiod: API v1 (1.6, Debian 12) or v2 (2.x, Debian 13); CLinuxShim hides which.
#include <gpiod.h>
