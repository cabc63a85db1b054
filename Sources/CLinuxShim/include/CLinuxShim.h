#ifndef CLINUXSHIM_H
#define CLINUXSHIM_H

/// The libgpiod API this build compiled against: 1 or 2. v1's gpiod.h
/// defines GPIOD_LINE_BULK_MAX_LINES; v2's does not.
int cimfw_gpiod_api_version(void);

#endif
