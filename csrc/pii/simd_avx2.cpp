// AVX2 trigger search of the PII scanner: 32 bytes at a time, the positions where a
// match can start (same set as the scalar search in pii.cpp).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,bmi"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,bmi")
#endif

namespace ce::pii::avx2 {

namespace {

inline __m256i splat(int c) { return _mm256_set1_epi8(static_cast<char>(c)); }
inline __m256i eq(__m256i v, int c) { return _mm256_cmpeq_epi8(v, splat(c)); }
// Bytes of v in [lo, lo + n).
inline __m256i in_range(__m256i v, int lo, int n) {
  const __m256i t = _mm256_sub_epi8(v, splat(lo));
  return _mm256_cmpeq_epi8(_mm256_min_epu8(t, splat(n - 1)), t);
}

}  // namespace

size_t next_trigger(const uint8_t* p, size_t i, size_t n) {
  for (; i + 34 <= n; i += 32) {
    const __m256i v0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    const __m256i v1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 1));
    const __m256i v2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 2));
    const __m256i low = _mm256_or_si256(v0, splat(0x20));
    __m256i m = _mm256_or_si256(in_range(v0, '0', 11), eq(v0, '@'));  // digits, ':' and '@'
    m = _mm256_or_si256(m, _mm256_or_si256(eq(low, 'q'), _mm256_or_si256(eq(low, 'w'), eq(low, 'v'))));
    // full-width digits EF BC 90-99, 企 E4 BC 81, 微 E5 BE AE
    const __m256i fw = _mm256_and_si256(_mm256_and_si256(eq(v0, 0xEF), eq(v1, 0xBC)), in_range(v2, 0x90, 10));
    const __m256i qi = _mm256_and_si256(_mm256_and_si256(eq(v0, 0xE4), eq(v1, 0xBC)), eq(v2, 0x81));
    const __m256i wei = _mm256_and_si256(_mm256_and_si256(eq(v0, 0xE5), eq(v1, 0xBE)), eq(v2, 0xAE));
    m = _mm256_or_si256(m, _mm256_or_si256(fw, _mm256_or_si256(qi, wei)));
    const uint32_t bits = static_cast<uint32_t>(_mm256_movemask_epi8(m));
    if (bits) return i + static_cast<size_t>(_tzcnt_u32(bits));
  }
  return i;  // fewer than 34 bytes left: the caller's scalar search finishes
}

}  // namespace ce::pii::avx2

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
