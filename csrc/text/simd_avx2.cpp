// AVX2 variants of the UTF-8 kernels: a 64-byte block is two 32-byte halves.
#include <immintrin.h>

#include <cstddef>
#include <cstring>

#include "simd.h"
#include "utf8.h"

// Only the code below is built for this ISA; shared headers above keep the baseline.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,bmi,bmi2,popcnt,lzcnt"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,bmi,bmi2,popcnt,lzcnt")
#endif

namespace ce::text::avx2 {
namespace {

struct V {
  struct Blk {
    __m256i h[2];
  };
  static Blk load(const uint8_t* p) {
    return {{_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)),
             _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32))}};
  }
  static uint64_t bits(__m256i a, __m256i b) {
    return static_cast<uint32_t>(_mm256_movemask_epi8(a)) |
           (static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(b))) << 32);
  }
  static uint64_t eq(const Blk& b, uint8_t c) {
    const __m256i x = _mm256_set1_epi8(static_cast<char>(c));
    return bits(_mm256_cmpeq_epi8(b.h[0], x), _mm256_cmpeq_epi8(b.h[1], x));
  }
  static uint64_t ge(const Blk& b, uint8_t c) {
    const __m256i x = _mm256_set1_epi8(static_cast<char>(c));
    return bits(_mm256_cmpeq_epi8(_mm256_max_epu8(b.h[0], x), b.h[0]),
                _mm256_cmpeq_epi8(_mm256_max_epu8(b.h[1], x), b.h[1]));
  }
  static __m256i tab16(const uint8_t* t) { return _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(t))); }
  static __m256i lo_nib(__m256i v) { return _mm256_and_si256(v, _mm256_set1_epi8(0x0F)); }
  static __m256i hi_nib(__m256i v) { return _mm256_and_si256(_mm256_srli_epi16(v, 4), _mm256_set1_epi8(0x0F)); }
  static uint64_t nonzero(__m256i a, __m256i b) {
    const __m256i z = _mm256_setzero_si256();
    return ~bits(_mm256_cmpeq_epi8(a, z), _mm256_cmpeq_epi8(b, z));
  }

  // Exact membership in a 256-byte set: the column table holds, per low nibble,
  // one bit per high nibble (two tables for high nibbles 0-7 and 8-15).
  struct Cls {
    const Kctx* k;
    __m256i v[2], col[2], rowbit[2];
    uint64_t test(int bit) const {
      const __m256i lo = tab16(k->col_lo[bit]), hi = tab16(k->col_hi[bit]);
      __m256i m[2];
      for (int j = 0; j < 2; ++j) {
        const __m256i c = _mm256_blendv_epi8(_mm256_shuffle_epi8(lo, col[j]), _mm256_shuffle_epi8(hi, col[j]), v[j]);
        m[j] = _mm256_and_si256(c, rowbit[j]);
      }
      return nonzero(m[0], m[1]);
    }
  };
  static Cls classify(const Blk& b, const uint8_t*, const Kctx& k) {
    static const uint8_t kPow2[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    Cls c;
    c.k = &k;
    const __m256i pow2 = tab16(kPow2);
    for (int j = 0; j < 2; ++j) {
      c.v[j] = b.h[j];
      c.col[j] = lo_nib(b.h[j]);
      c.rowbit[j] = _mm256_shuffle_epi8(pow2, hi_nib(b.h[j]));
    }
    return c;
  }

  // Nibble-product candidate filter: a superset of the exact byte tables.
  static uint64_t filter3(const uint8_t* q, const ByteFilter& f) {
    __m256i acc[2] = {_mm256_set1_epi8(-1), _mm256_set1_epi8(-1)};
    for (int k = 0; k < 3; ++k) {
      const __m256i lo = tab16(f.lo[k]), hi = tab16(f.hi[k]);
      const Blk b = load(q + k);
      for (int j = 0; j < 2; ++j) {
        const __m256i x = _mm256_and_si256(_mm256_shuffle_epi8(lo, lo_nib(b.h[j])), _mm256_shuffle_epi8(hi, hi_nib(b.h[j])));
        acc[j] = _mm256_and_si256(acc[j], x);
      }
    }
    return nonzero(acc[0], acc[1]);
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

}  // namespace ce::text::avx2

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
