// AVX-512 (F, DQ) variants of the dedup hashing: XXH64 of eight equal-length
// inputs at once, one per 64-bit lane, same result as xxh64() on each.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "xxh64.h"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq")
#endif

namespace ce::dedup::avx512 {

namespace {

inline __m512i mul(__m512i a, uint64_t c) { return _mm512_mullo_epi64(a, _mm512_set1_epi64(static_cast<long long>(c))); }
inline __m512i add(__m512i a, __m512i b) { return _mm512_add_epi64(a, b); }

inline __m512i round(__m512i acc, __m512i lane) {
  acc = add(acc, mul(lane, xxh::kP2));
  return mul(_mm512_rol_epi64(acc, 31), xxh::kP1);
}

inline __m512i merge(__m512i acc, __m512i v) {
  acc = _mm512_xor_si512(acc, round(_mm512_setzero_si512(), v));
  return add(mul(acc, xxh::kP1), _mm512_set1_epi64(static_cast<long long>(xxh::kP4)));
}

}  // namespace

// out[i] = xxh64(base + i * stride, len, seed) for i < 8. Every input must be
// readable for len bytes; nothing past them is read.
void xxh64_x8(const uint8_t* base, size_t stride, size_t len, uint64_t seed, uint64_t* out) {
  const __m512i offs = _mm512_mullo_epi64(_mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7),
                                          _mm512_set1_epi64(static_cast<long long>(stride)));
  auto load64 = [&](size_t at) { return _mm512_i64gather_epi64(offs, base + at, 1); };
  const __m512i s = _mm512_set1_epi64(static_cast<long long>(seed));
  __m512i acc;
  size_t at = 0;
  if (len >= 32) {
    __m512i v1 = add(s, _mm512_set1_epi64(static_cast<long long>(xxh::kP1 + xxh::kP2)));
    __m512i v2 = add(s, _mm512_set1_epi64(static_cast<long long>(xxh::kP2)));
    __m512i v3 = s;
    __m512i v4 = _mm512_sub_epi64(s, _mm512_set1_epi64(static_cast<long long>(xxh::kP1)));
    for (; len - at >= 32; at += 32) {
      v1 = round(v1, load64(at));
      v2 = round(v2, load64(at + 8));
      v3 = round(v3, load64(at + 16));
      v4 = round(v4, load64(at + 24));
    }
    acc = add(add(_mm512_rol_epi64(v1, 1), _mm512_rol_epi64(v2, 7)), add(_mm512_rol_epi64(v3, 12), _mm512_rol_epi64(v4, 18)));
    acc = merge(acc, v1);
    acc = merge(acc, v2);
    acc = merge(acc, v3);
    acc = merge(acc, v4);
  } else {
    acc = add(s, _mm512_set1_epi64(static_cast<long long>(xxh::kP5)));
  }
  acc = add(acc, _mm512_set1_epi64(static_cast<long long>(len)));
  const __m512i p4 = _mm512_set1_epi64(static_cast<long long>(xxh::kP4));
  for (; len - at >= 8; at += 8) {
    acc = _mm512_xor_si512(acc, round(_mm512_setzero_si512(), load64(at)));
    acc = add(mul(_mm512_rol_epi64(acc, 27), xxh::kP1), p4);
  }
  if (len - at >= 4) {
    const __m256i w = _mm512_i64gather_epi32(offs, base + at, 1);
    acc = _mm512_xor_si512(acc, mul(_mm512_cvtepu32_epi64(w), xxh::kP1));
    acc = add(mul(_mm512_rol_epi64(acc, 23), xxh::kP2), _mm512_set1_epi64(static_cast<long long>(xxh::kP3)));
    at += 4;
  }
  alignas(64) uint64_t tmp[8];
  _mm512_store_si512(tmp, acc);
  for (int i = 0; i < 8; ++i) {  // the last 0-3 bytes, rare: scalar
    uint64_t a = tmp[i];
    for (size_t j = at; j < len; ++j) {
      a ^= base[i * stride + j] * xxh::kP5;
      a = xxh::rotl(a, 11) * xxh::kP1;
    }
    tmp[i] = a;
  }
  acc = _mm512_load_si512(tmp);
  acc = _mm512_xor_si512(acc, _mm512_srli_epi64(acc, 33));
  acc = mul(acc, xxh::kP2);
  acc = _mm512_xor_si512(acc, _mm512_srli_epi64(acc, 29));
  acc = mul(acc, xxh::kP3);
  acc = _mm512_xor_si512(acc, _mm512_srli_epi64(acc, 32));
  _mm512_storeu_si512(out, acc);
}

}  // namespace ce::dedup::avx512

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
