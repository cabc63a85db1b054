#ifndef CIMFW_CRC8_FOLD_H
#define CIMFW_CRC8_FOLD_H

#include <stddef.h>
#include <stdint.h>

/// Folds the leading whole 16-byte blocks of `bytes` (at least two) into
/// one 16-byte remainder with carry-less multiplication, for the CRC-8 of
/// polynomial x^8 + x^2 + x + 1 (SMBus PEC), starting from `crc`.
///
/// Writes the remainder to `folded` and returns how many bytes of `bytes`
/// it stands for (a multiple of 16). The CRC of the whole is then the
/// table CRC, from 0, of `folded` followed by the bytes not consumed.
/// Returns 0, and consumes nothing, where `count` is under 32 or the code
/// is not built for x86-64. Call only where `cimfw_cpu_has_clmul()` is 1.
size_t cimfw_crc8_fold(const uint8_t *bytes, size_t count, uint8_t crc, uint8_t folded[16]);

/// 1 where the CPU has PCLMULQDQ and SSSE3 (x86-64 only); ask once.
int cimfw_cpu_has_clmul(void);

#endif
