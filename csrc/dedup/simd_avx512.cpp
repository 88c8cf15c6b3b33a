// AVX-512 (F, DQ, BW, VBMI) variants of the dedup kernels: XXH64 of eight
// equal-length inputs at once, one per 64-bit lane, same result as xxh64() on
// each; and the densification walk for up to 128 bins.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "xxh64.h"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx512vbmi,avx512vbmi2,bmi,popcnt"))), apply_to = function)
#else
#pragma GCC push_options
// GCC 12's AVX-512 headers trip its own uninitialised-value check (GCC bug 105593).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC target("avx512f,avx512dq,avx512bw,avx512vl,avx512vbmi,avx512vbmi2,bmi,popcnt")
#endif

namespace ce::dedup::avx512 {

namespace {

struct V {  // the policy simd_validate.inc needs
  struct Blk {
    __m512i v;
  };
  static Blk load(const uint8_t* p) { return {_mm512_loadu_si512(p)}; }
  static uint64_t eq(const Blk& b, uint8_t c) { return _mm512_cmpeq_epi8_mask(b.v, _mm512_set1_epi8(static_cast<char>(c))); }
  static uint64_t ge(const Blk& b, uint8_t c) { return _mm512_cmpge_epu8_mask(b.v, _mm512_set1_epi8(static_cast<char>(c))); }
};

#include "../text/simd_validate.inc"

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

// The 32-byte case (a band of 8 rows): one stripe per lane, loaded row by row
// and transposed in registers instead of gathered word by word. G groups of
// eight inputs are interleaved: one group alone is a chain of dependent
// multiplies, and two keep the multiplier busy.
template <int G>
static inline void xxh64_32_groups(const uint8_t* base, size_t stride, uint64_t seed, uint64_t* out) {
  const __m512i s = _mm512_set1_epi64(static_cast<long long>(seed));
  __m512i v[G][4], acc[G];
  for (int g = 0; g < G; ++g) {
    const uint8_t* b0 = base + static_cast<size_t>(8 * g) * stride;
    auto pair = [&](int l) {
      return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b0 + l * stride))),
                                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b0 + (l + 1) * stride)), 1);
    };
    const __m512i a = pair(0), b = pair(2), c = pair(4), d = pair(6);
    for (int j = 0; j < 4; ++j) {  // word j of every lane
      const __m512i idx = _mm512_setr_epi64(j, 4 + j, 8 + j, 12 + j, j, 4 + j, 8 + j, 12 + j);
      const __m512i lo = _mm512_permutex2var_epi64(a, idx, b), hi = _mm512_permutex2var_epi64(c, idx, d);
      v[g][j] = _mm512_shuffle_i64x2(lo, hi, 0x44);  // lanes 0-3 from lo, 4-7 from hi
    }
  }
  for (int g = 0; g < G; ++g) {
    v[g][0] = round(add(s, _mm512_set1_epi64(static_cast<long long>(xxh::kP1 + xxh::kP2))), v[g][0]);
    v[g][1] = round(add(s, _mm512_set1_epi64(static_cast<long long>(xxh::kP2))), v[g][1]);
    v[g][2] = round(s, v[g][2]);
    v[g][3] = round(_mm512_sub_epi64(s, _mm512_set1_epi64(static_cast<long long>(xxh::kP1))), v[g][3]);
    acc[g] = add(add(_mm512_rol_epi64(v[g][0], 1), _mm512_rol_epi64(v[g][1], 7)),
                 add(_mm512_rol_epi64(v[g][2], 12), _mm512_rol_epi64(v[g][3], 18)));
  }
  for (int j = 0; j < 4; ++j)
    for (int g = 0; g < G; ++g) acc[g] = merge(acc[g], v[g][j]);
  for (int g = 0; g < G; ++g) {
    __m512i x = add(acc[g], _mm512_set1_epi64(32));
    x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 33));
    x = mul(x, xxh::kP2);
    x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 29));
    x = mul(x, xxh::kP3);
    x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 32));
    _mm512_storeu_si512(out + 8 * g, x);
  }
}

static void xxh64_x8_32(const uint8_t* base, size_t stride, uint64_t seed, uint64_t* out) {
  xxh64_32_groups<1>(base, stride, seed, out);
}

void xxh64_32_x8n(const uint8_t* base, size_t stride, size_t n, uint64_t seed, uint64_t* out) {
  size_t j = 0;
  for (; j + 16 <= n; j += 16) xxh64_32_groups<2>(base + j * stride, stride, seed, out + j);
  for (; j + 8 <= n; j += 8) xxh64_32_groups<1>(base + j * stride, stride, seed, out + j);
}

// out[i] = xxh64(base + i * stride, len, seed) for i < 8. Every input must be
// readable for len bytes; nothing past them is read.
void xxh64_x8(const uint8_t* base, size_t stride, size_t len, uint64_t seed, uint64_t* out) {
  if (len == 32 && stride >= 32) {
    xxh64_x8_32(base, stride, seed, out);
    return;
  }
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

// XXH64 of the windows c[i .. i + w) for i = 0, 1, ... in groups of eight, as
// long as whole groups fit (i + 8 <= count); returns how many were hashed.
// Window words come from plain loads: lane l's k-th 8-byte word is
// c[i + l + 2k] | c[i + l + 2k + 1] << 32.
size_t window_hashes(const uint32_t* c, size_t w, size_t count, uint64_t seed, uint64_t* out) {
  const size_t len = 4 * w;
  if (len >= 32) {  // long windows: the general gather path
    size_t i = 0;
    for (; i + 8 <= count; i += 8) xxh64_x8(reinterpret_cast<const uint8_t*>(c + i), 4, len, seed, out + i);
    return i;
  }
  const __m512i p4 = _mm512_set1_epi64(static_cast<long long>(xxh::kP4));
  const __m512i start = _mm512_set1_epi64(static_cast<long long>(seed + xxh::kP5 + len));
  auto lanes32 = [&](const uint32_t* at) {
    return _mm512_cvtepu32_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(at)));
  };
  size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    __m512i acc = start;
    size_t k = 0;
    for (; k + 2 <= w; k += 2) {
      const __m512i word = _mm512_or_si512(lanes32(c + i + k), _mm512_slli_epi64(lanes32(c + i + k + 1), 32));
      acc = _mm512_xor_si512(acc, round(_mm512_setzero_si512(), word));
      acc = add(mul(_mm512_rol_epi64(acc, 27), xxh::kP1), p4);
    }
    if (k < w) {
      acc = _mm512_xor_si512(acc, mul(lanes32(c + i + k), xxh::kP1));
      acc = add(mul(_mm512_rol_epi64(acc, 23), xxh::kP2), _mm512_set1_epi64(static_cast<long long>(xxh::kP3)));
    }
    acc = _mm512_xor_si512(acc, _mm512_srli_epi64(acc, 33));
    acc = mul(acc, xxh::kP2);
    acc = _mm512_xor_si512(acc, _mm512_srli_epi64(acc, 29));
    acc = mul(acc, xxh::kP3);
    acc = _mm512_xor_si512(acc, _mm512_srli_epi64(acc, 32));
    _mm512_storeu_si512(out + i, acc);
  }
  return i;
}

// For each empty bin i (filled[i] == 0, K <= 128), the first of its 64 planned
// attempts seq[i * 64 + t] that lands on a filled bin: written to first[i], or
// 255 when none of the 64 does. filled must have 128 readable bytes (zero past K).
void densify_first(const uint8_t* seq, size_t chunks, const uint8_t* filled, size_t K, uint8_t* first) {
  const __m512i lo = _mm512_loadu_si512(filled), hi = _mm512_loadu_si512(filled + 64);
  const __m512i one = _mm512_set1_epi8(1);
  // Visit only the empty bins (K <= 128: two 64-bit masks).
  uint64_t empty[2] = {_mm512_testn_epi8_mask(lo, one), _mm512_testn_epi8_mask(hi, one)};
  if (K < 64) empty[0] &= (uint64_t(1) << K) - 1, empty[1] = 0;
  else if (K < 128) empty[1] &= (uint64_t(1) << (K - 64)) - 1;
  for (int w = 0; w < 2; ++w) {
    for (uint64_t m = empty[w]; m; m &= m - 1) {
      const size_t i = static_cast<size_t>(w * 64 + __builtin_ctzll(m));
      first[i] = 255;
      for (size_t c = 0; c < chunks; ++c) {  // 64 attempts per step
        const uint8_t* at = seq + (i * chunks + c) * 64;
        const uint64_t hit = _mm512_test_epi8_mask(_mm512_permutex2var_epi8(lo, _mm512_loadu_si512(at), hi), one);
        if (hit) {
          first[i] = at[__builtin_ctzll(hit)];
          break;
        }
      }
    }
  }
}

namespace {
// Folds 16 code points, drops the flagged ones and stores the rest at out
// (compressed in a register and stored whole: the memory form of vpcompressd is
// microcoded and very slow on some cores, Zen 4; out needs 16 values of slack).
template <bool kFoldWidth, bool kFoldCase, bool kDrop>
inline uint32_t* fold_keep_store(__m512i cp, __mmask16 live, const uint8_t* table, uint8_t drop, uint32_t* out) {
  if constexpr (kFoldWidth) {
    const __mmask16 fw = _mm512_cmple_epu32_mask(_mm512_sub_epi32(cp, _mm512_set1_epi32(0xFF01)), _mm512_set1_epi32(0xFF5E - 0xFF01));
    cp = _mm512_mask_sub_epi32(cp, fw, cp, _mm512_set1_epi32(0xFEE0));
    cp = _mm512_mask_mov_epi32(cp, _mm512_cmpeq_epi32_mask(cp, _mm512_set1_epi32(0x3000)), _mm512_set1_epi32(0x20));
  }
  if constexpr (kFoldCase) {
    const __mmask16 up = _mm512_cmplt_epu32_mask(_mm512_sub_epi32(cp, _mm512_set1_epi32('A')), _mm512_set1_epi32(26));
    cp = _mm512_mask_add_epi32(cp, up, cp, _mm512_set1_epi32(32));
  }
  __mmask16 keep = live;
  if constexpr (kDrop) {  // the flag gather is the costliest step: only when something may be dropped
    const __m512i flags = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), live, cp, table, 1);
    keep = _mm512_mask_testn_epi32_mask(live, flags, _mm512_set1_epi32(drop));
  }
  _mm512_storeu_si512(out, _mm512_maskz_compress_epi32(keep, cp));
  return out + __builtin_popcount(keep);
}

// Calls fn(std::integral_constant<bool, ...> x 3) for the run-time flags: the
// block loops are compiled once per combination, without branches or reloads.
template <class Fn>
auto with_flags(bool fold_width, bool fold_case, bool drop, Fn&& fn) {
  auto last = [&](auto a, auto b) { return drop ? fn(a, b, std::true_type{}) : fn(a, b, std::false_type{}); };
  auto mid = [&](auto a) { return fold_case ? last(a, std::true_type{}) : last(a, std::false_type{}); };
  return fold_width ? mid(std::true_type{}) : mid(std::false_type{});
}
}  // namespace

// Normalises the code units [p, p + n) of a Python str (1, 2 or 4 bytes per
// code point) into out, 16 at a time, up to the first block holding a lone
// surrogate or a value past U+10FFFF; returns how many units it consumed (the
// scalar path takes the rest), *out_end the end of the output.
template <class U, bool kFoldWidth, bool kFoldCase, bool kDrop>
static size_t normalize_ucs_t(const U* p, size_t n, const uint8_t* table, uint8_t drop, uint32_t* out,
                              uint32_t** out_end) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m512i cp;
    if constexpr (sizeof(U) == 1) {
      cp = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)));
    } else if constexpr (sizeof(U) == 2) {
      cp = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i)));
    } else {
      cp = _mm512_loadu_si512(p + i);
    }
    if constexpr (sizeof(U) > 1) {
      const __mmask16 bad = _mm512_cmplt_epu32_mask(_mm512_sub_epi32(cp, _mm512_set1_epi32(0xD800)), _mm512_set1_epi32(0x800)) |
                            _mm512_cmpgt_epu32_mask(cp, _mm512_set1_epi32(0x10FFFF));
      if (bad) break;
    }
    out = fold_keep_store<kFoldWidth, kFoldCase, kDrop>(cp, 0xFFFF, table, drop, out);
  }
  *out_end = out;
  return i;
}
template <class U>
size_t normalize_ucs(const U* p, size_t n, const uint8_t* table, bool fold_width, bool fold_case, uint8_t drop,
                     uint32_t* out, uint32_t** out_end) {
  return with_flags(fold_width, fold_case, drop != 0, [&](auto fw, auto fc, auto dr) {
    return normalize_ucs_t<U, decltype(fw)::value, decltype(fc)::value, decltype(dr)::value>(p, n, table, drop, out,
                                                                                             out_end);
  });
}
template size_t normalize_ucs<uint8_t>(const uint8_t*, size_t, const uint8_t*, bool, bool, uint8_t, uint32_t*, uint32_t**);
template size_t normalize_ucs<uint16_t>(const uint16_t*, size_t, const uint8_t*, bool, bool, uint8_t, uint32_t*, uint32_t**);
template size_t normalize_ucs<uint32_t>(const uint32_t*, size_t, const uint8_t*, bool, bool, uint8_t, uint32_t*, uint32_t**);

// Normalises UTF-8 [p, e) into out, 64 input bytes at a time, validating each
// block as it goes, as long as blocks hold 1- to 3-byte characters only; returns
// where it stopped in the input (a character boundary), *out_end the end of the
// output, or nullptr when the text is ill-formed (the caller then starts over
// on the scalar path). The code points of a block: compress the lead bytes and
// the two bytes after each, widen to 16 lanes of 32 bits, decode, fold, look up
// the drop flags (gather), and compress-store the kept ones. out needs room for
// 16 values past the last one written.
template <bool kFoldWidth, bool kFoldCase, bool kDrop>
static const uint8_t* normalize_utf8_t(const uint8_t* p, const uint8_t* e, const uint8_t* table, uint8_t drop,
                                       uint32_t* out, uint32_t** out_end) {
  Validator val;
  const __m512i c80 = _mm512_set1_epi8(static_cast<char>(0x80)), cC0 = _mm512_set1_epi8(static_cast<char>(0xC0));
  const __m512i x3F = _mm512_set1_epi32(0x3F);
  while (e - p >= 67) {
    const __m512i v0 = _mm512_loadu_si512(p), v1 = _mm512_loadu_si512(p + 1), v2 = _mm512_loadu_si512(p + 2);
    const uint64_t lead = _mm512_cmpneq_epi8_mask(_mm512_and_si512(v0, cC0), c80);
    if (_mm512_mask_cmpge_epu8_mask(lead, v0, _mm512_set1_epi8(static_cast<char>(0xF0)))) break;  // 4-byte: scalar
    if (!val.step<V>(V::Blk{v0})) return nullptr;
    const int n = __builtin_popcountll(lead);
    const __m512i b0 = _mm512_maskz_compress_epi8(lead, v0);
    const __m512i b1 = _mm512_maskz_compress_epi8(lead, v1);
    const __m512i b2 = _mm512_maskz_compress_epi8(lead, v2);
    for (int j = 0; j < n; j += 16) {
      const int lane = j / 16;
      __m128i q0, q1, q2;
      switch (lane) {
        case 0: q0 = _mm512_extracti32x4_epi32(b0, 0), q1 = _mm512_extracti32x4_epi32(b1, 0), q2 = _mm512_extracti32x4_epi32(b2, 0); break;
        case 1: q0 = _mm512_extracti32x4_epi32(b0, 1), q1 = _mm512_extracti32x4_epi32(b1, 1), q2 = _mm512_extracti32x4_epi32(b2, 1); break;
        case 2: q0 = _mm512_extracti32x4_epi32(b0, 2), q1 = _mm512_extracti32x4_epi32(b1, 2), q2 = _mm512_extracti32x4_epi32(b2, 2); break;
        default: q0 = _mm512_extracti32x4_epi32(b0, 3), q1 = _mm512_extracti32x4_epi32(b1, 3), q2 = _mm512_extracti32x4_epi32(b2, 3); break;
      }
      const __m512i x0 = _mm512_cvtepu8_epi32(q0), x1 = _mm512_cvtepu8_epi32(q1), x2 = _mm512_cvtepu8_epi32(q2);
      const __mmask16 is1 = _mm512_cmplt_epu32_mask(x0, _mm512_set1_epi32(0x80));
      const __mmask16 is2 = _mm512_cmplt_epu32_mask(x0, _mm512_set1_epi32(0xE0)) & ~is1;
      const __m512i t1 = _mm512_and_si512(x1, x3F), t2 = _mm512_and_si512(x2, x3F);
      const __m512i cp2 = _mm512_or_si512(_mm512_slli_epi32(_mm512_and_si512(x0, _mm512_set1_epi32(0x1F)), 6), t1);
      const __m512i cp3 = _mm512_or_si512(
          _mm512_or_si512(_mm512_slli_epi32(_mm512_and_si512(x0, _mm512_set1_epi32(0x0F)), 12), _mm512_slli_epi32(t1, 6)),
          t2);
      const __m512i cp = _mm512_mask_mov_epi32(_mm512_mask_mov_epi32(cp3, is2, cp2), is1, x0);
      const __mmask16 live = static_cast<__mmask16>(n - j >= 16 ? 0xFFFF : (1u << (n - j)) - 1);
      out = fold_keep_store<kFoldWidth, kFoldCase, kDrop>(cp, live, table, drop, out);
    }
    p += 64;  // blocks are contiguous: a character begun in this block is not a lead byte in the next
  }
  // The scalar path takes over here: the rest must be well-formed too (a character
  // begun in the last block ends in it), then it starts at the next lead byte.
  Validator rest = val;
  if (!rest.finish<V>(p, e)) return nullptr;
  while (p < e && (*p & 0xC0) == 0x80) ++p;
  *out_end = out;
  return p;
}

const uint8_t* normalize_utf8(const uint8_t* p, const uint8_t* e, const uint8_t* table, bool fold_width,
                              bool fold_case, uint8_t drop, uint32_t* out, uint32_t** out_end) {
  return with_flags(fold_width, fold_case, drop != 0, [&](auto fw, auto fc, auto dr) {
    return normalize_utf8_t<decltype(fw)::value, decltype(fc)::value, decltype(dr)::value>(p, e, table, drop, out,
                                                                                          out_end);
  });
}

}  // namespace ce::dedup::avx512

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
