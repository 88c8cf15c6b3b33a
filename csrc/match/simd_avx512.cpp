// AVX-512 candidate filter of the matcher: 16 positions per step.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "matcher.h"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,bmi,popcnt"))), apply_to = function)
#else
#pragma GCC push_options
// GCC 12's AVX-512 headers trip its own uninitialised-value check (GCC bug 105593).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,bmi,popcnt")
#endif

namespace ce::match::avx512 {

namespace {
inline __mmask16 bits(const uint32_t* bitmap, __m512i idx, __mmask16 live) {
  const __m512i word = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), live, _mm512_srli_epi32(idx, 5),
                                                   bitmap, 4);
  const __m512i bit = _mm512_sllv_epi32(_mm512_set1_epi32(1), _mm512_and_si512(idx, _mm512_set1_epi32(31)));
  return _mm512_mask_test_epi32_mask(live, word, bit);
}
}  // namespace

// Positions i in [from, to) (to + 1 <= m: c[i + 1] is read) where a word may
// start, as the scalar Matcher::candidate decides; written to out (room for
// to - from + 16 values). Returns how many.
// fs: 2 bits per BMP code point (bit 0: a word starts with it; bit 1: it is a
// one-character word), 16 code points per 32-bit word: one gather gives both.
size_t candidates(const uint32_t* c, size_t from, size_t to, const uint32_t* fs, const uint32_t* bigram,
                  bool astral_first, uint32_t* out) {
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i bmp_max = _mm512_set1_epi32(0xFFFF);
  uint32_t* o = out;
  for (size_t i = from; i + 16 <= to; i += 16) {
    const __m512i c0 = _mm512_loadu_si512(c + i), c1 = _mm512_loadu_si512(c + i + 1);
    const __mmask16 bmp = _mm512_cmple_epu32_mask(c0, bmp_max);
    const __m512i w = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), bmp, _mm512_srli_epi32(c0, 4), fs, 4);
    const __m512i sh = _mm512_srlv_epi32(w, _mm512_slli_epi32(_mm512_and_si512(c0, _mm512_set1_epi32(15)), 1));
    const __mmask16 f = _mm512_mask_test_epi32_mask(bmp, sh, _mm512_set1_epi32(1));
    __mmask16 cand = astral_first ? static_cast<__mmask16>(~bmp) : __mmask16(0);
    if (f) {
      const __mmask16 s = _mm512_mask_test_epi32_mask(f, sh, _mm512_set1_epi32(2));
      const __m512i h = _mm512_and_si512(
          _mm512_srli_epi32(_mm512_xor_si512(_mm512_mullo_epi32(c0, _mm512_set1_epi32(static_cast<int>(0x9E3779B1u))),
                                             _mm512_mullo_epi32(c1, _mm512_set1_epi32(static_cast<int>(0x85EBCA77u)))),
                            7),
          _mm512_set1_epi32((1 << kBigramBits) - 1));
      cand |= s | bits(bigram, h, f & ~s);
    }
    if (cand) {
      _mm512_storeu_si512(o, _mm512_maskz_compress_epi32(cand, _mm512_add_epi32(lane, _mm512_set1_epi32(static_cast<int>(i)))));
      o += __builtin_popcount(cand);
    }
  }
  return static_cast<size_t>(o - out);
}

// The same superset of word starts with one gather instead of two: every
// position whose bigram passes the Bloom filter, plus every position holding a
// one-character word, found in a 64-slot collision-free table (singles64, hashed
// by (c * mult) >> 26) looked up with two in-register permutes.
size_t candidates_bloom(const uint32_t* c, size_t from, size_t to, const uint32_t* bigram, const uint32_t* singles64,
                        uint32_t mult, uint32_t* out) {
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i t0 = _mm512_loadu_si512(singles64), t1 = _mm512_loadu_si512(singles64 + 16);
  const __m512i t2 = _mm512_loadu_si512(singles64 + 32), t3 = _mm512_loadu_si512(singles64 + 48);
  const __m512i m = _mm512_set1_epi32(static_cast<int>(mult));
  uint32_t* o = out;
  for (size_t i = from; i + 16 <= to; i += 16) {
    const __m512i c0 = _mm512_loadu_si512(c + i), c1 = _mm512_loadu_si512(c + i + 1);
    const __m512i h = _mm512_and_si512(
        _mm512_srli_epi32(_mm512_xor_si512(_mm512_mullo_epi32(c0, _mm512_set1_epi32(static_cast<int>(0x9E3779B1u))),
                                           _mm512_mullo_epi32(c1, _mm512_set1_epi32(static_cast<int>(0x85EBCA77u)))),
                          7),
        _mm512_set1_epi32((1 << kBigramBits) - 1));
    const __m512i idx = _mm512_srli_epi32(_mm512_mullo_epi32(c0, m), 26);
    const __m512i lo = _mm512_permutex2var_epi32(t0, idx, t1), hi = _mm512_permutex2var_epi32(t2, idx, t3);
    const __mmask16 upper = _mm512_test_epi32_mask(idx, _mm512_set1_epi32(32));
    const __mmask16 single = _mm512_cmpeq_epi32_mask(_mm512_mask_mov_epi32(lo, upper, hi), c0);
    const __mmask16 cand = single | bits(bigram, h, static_cast<__mmask16>(0xFFFF));
    if (cand) {
      _mm512_storeu_si512(o, _mm512_maskz_compress_epi32(cand, _mm512_add_epi32(lane, _mm512_set1_epi32(static_cast<int>(i)))));
      o += __builtin_popcount(cand);
    }
  }
  return static_cast<size_t>(o - out);
}

}  // namespace ce::match::avx512

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
