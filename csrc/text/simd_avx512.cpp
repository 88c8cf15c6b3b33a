// AVX-512 (BW, VL, VBMI) variants of the UTF-8 kernels.
#include <immintrin.h>

#include <cstddef>
#include <cstring>

#include "simd.h"
#include "utf8.h"

// Only the code below is built for this ISA; shared headers above keep the baseline.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi,bmi,bmi2,popcnt,lzcnt"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512vbmi,bmi,bmi2,popcnt,lzcnt")
#endif

namespace ce::text::avx512 {
namespace {

struct V {
  struct Blk {
    __m512i v;
  };
  static Blk load(const uint8_t* p) { return {_mm512_loadu_si512(p)}; }
  static uint64_t eq(const Blk& b, uint8_t c) { return _mm512_cmpeq_epi8_mask(b.v, _mm512_set1_epi8(static_cast<char>(c))); }
  static uint64_t ge(const Blk& b, uint8_t c) { return _mm512_cmpge_epu8_mask(b.v, _mm512_set1_epi8(static_cast<char>(c))); }

  // 256-entry byte table lookup: two 128-entry permutes, picked by the top bit.
  static __m512i lut(const uint8_t* t, __m512i v) {
    const __m512i lo = _mm512_permutex2var_epi8(_mm512_loadu_si512(t), v, _mm512_loadu_si512(t + 64));
    const __m512i hi = _mm512_permutex2var_epi8(_mm512_loadu_si512(t + 128), v, _mm512_loadu_si512(t + 192));
    return _mm512_mask_blend_epi8(_mm512_movepi8_mask(v), lo, hi);
  }

  struct Cls {
    __m512i x;
    uint64_t test(int bit) const { return _mm512_test_epi8_mask(x, _mm512_set1_epi8(static_cast<char>(1 << bit))); }
  };
  // Unused refiner slots match 0xFF, which valid UTF-8 never holds: no branch per slot.
  static Cls classify(const Blk& b, const uint8_t* src, const Kctx& k) {
    __m512i x = lut(k.cls, b.v);
    const __m512i v1 = _mm512_loadu_si512(src + 1), v2 = _mm512_loadu_si512(src + 2);
    for (int r = 0; r < Kctx::kMaxRefiners; ++r) {
      const __m512i tab = _mm512_load_si512(k.ref_tab[r]);
      const uint64_t m0 = _mm512_cmpeq_epi8_mask(b.v, _mm512_set1_epi8(static_cast<char>(k.ref_b0[r])));
      const uint64_t m1 = _mm512_cmpeq_epi8_mask(v1, _mm512_set1_epi8(static_cast<char>(k.ref_b1[r])));
      const uint64_t m = k.ref_b1[r] ? (m0 & m1) : m0;
      x = _mm512_mask_mov_epi8(x, m, _mm512_permutexvar_epi8(k.ref_b1[r] ? v2 : v1, tab));
    }
    return {x};
  }

  static uint64_t filter3(const uint8_t* q, const ByteFilter& f) {
    const __m512i a = lut(f.lut[0], _mm512_loadu_si512(q));
    const __m512i b = lut(f.lut[1], _mm512_loadu_si512(q + 1));
    const __m512i c = lut(f.lut[2], _mm512_loadu_si512(q + 2));
    return _mm512_test_epi8_mask(_mm512_and_si512(a, b), c);
  }
};

#include "simd_kernels.inc"

}  // namespace

bool count_chars(const Kctx& k, const uint8_t* p, const uint8_t* e, Counts& c) { return count_chars_impl<V>(k, p, e, c); }
bool extract_lines(const Kctx& k, const uint8_t* p, const uint8_t* e, const Bands& b, Out<uint8_t>& out) {
  return extract_impl<V>(k, p, e, b, out);
}
bool strip_chars(const Kctx& k, const uint8_t* p, const uint8_t* e, Out<uint8_t>& out) { return strip_impl<V>(k, p, e, out); }
bool trim_doc(const Kctx& k, const uint8_t* p, const uint8_t* e, Out<uint8_t>& out) { return trim_impl<V>(k, p, e, out); }
bool count_len(const uint8_t* p, const uint8_t* e, int64_t& n) { return count_len_impl<V>(p, e, n); }
bool valid_utf8(const uint8_t* p, const uint8_t* e) { return valid_impl<V>(p, e); }

}  // namespace ce::text::avx512

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
