#include "crc8_fold.h"

#if defined(__x86_64__)
#include <immintrin.h>

// The message is a polynomial over GF(2), first byte's top bit highest.
// A 128-bit block X = hi·x^64 + lo followed by 128 more bits is congruent,
// modulo P = x^8 + x^2 + x + 1, to hi·(x^192 mod P) + lo·(x^128 mod P) plus
// the next block: two carry-less products of under 72 bits each, so the
// running remainder never leaves 128 bits and P's CRC is unchanged.
enum {
    x192_mod_p = 0x26,
    x128_mod_p = 0x02,
};

__attribute__((target("pclmul,ssse3")))
static size_t fold(const uint8_t *bytes, size_t count, uint8_t crc, uint8_t folded[16]) {
    // Byte 0 of a block into the top of the 128-bit value (big-endian).
    const __m128i reverse = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m128i k = _mm_set_epi64x(x192_mod_p, x128_mod_p);
    uint8_t first[16];
    for (int i = 0; i < 16; i++) first[i] = bytes[i];
    first[0] ^= crc;  // a CRC-8 register's start value is XORed into the first byte
    __m128i x = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)first), reverse);
    size_t n = 16;
    for (; n + 16 <= count; n += 16) {
        __m128i next = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(bytes + n)), reverse);
        __m128i hi = _mm_clmulepi64_si128(x, k, 0x11);
        __m128i lo = _mm_clmulepi64_si128(x, k, 0x00);
        x = _mm_xor_si128(_mm_xor_si128(hi, lo), next);
    }
    _mm_storeu_si128((__m128i *)folded, _mm_shuffle_epi8(x, reverse));
    return n;
}

int cimfw_cpu_has_clmul(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("ssse3");
}

size_t cimfw_crc8_fold(const uint8_t *bytes, size_t count, uint8_t crc, uint8_t folded[16]) {
    return count < 32 ? 0 : fold(bytes, count, crc, folded);
}

#else

int cimfw_cpu_has_clmul(void) { return 0; }

size_t cimfw_crc8_fold(const uint8_t *bytes, size_t count, uint8_t crc, uint8_t folded[16]) {
    (void)bytes; (void)count; (void)crc; (void)folded;
    return 0;
}

#endif
