// Kernel entry points that pick a SIMD variant for UTF-8 input at run time
// (cpu.h) and fall back to the generic scalar kernels (kernels.h) otherwise.
// Every variant gives the same result as the generic kernel.
#pragma once

#include <type_traits>

#include "chartable.h"
#include "kernels.h"

namespace ce::text {

// Per-batch context: the table, the skip mask of the ratio, and a byte-level
// classification derived from both. cls[b] has bit kClsCounted / kClsZh when
// every character a sequence starting with byte b can encode is counted / is
// counted Chinese, and kClsMixed when that depends on the following bytes.
enum : uint8_t { kClsCounted = 1, kClsZh = 2, kClsMixed = 4 };

struct Kctx {
  const CharTable* table = nullptr;
  uint8_t skip = kWs | kPh;
  uint8_t cls[256];
  // Exact 256-entry membership of each cls bit, as 16-entry column tables (AVX2):
  // bit r of col_lo[k][c] / col_hi[k][c] says whether byte (r << 4 | c) / ((r + 8) << 4 | c) has bit k.
  uint8_t col_lo[3][16];
  uint8_t col_hi[3][16];
  // Refiners resolve mixed leads exactly (AVX-512): for bytes equal to ref_b0[r]
  // (and followed by ref_b1[r] when that is non-zero) the class is
  // ref_tab[r][next & 63], next being the byte after the matched ones. Chosen by
  // the number of Chinese characters they resolve; applied in order.
  static constexpr int kMaxRefiners = 8;
  int nref = 0;
  uint8_t ref_b0[kMaxRefiners];
  uint8_t ref_b1[kMaxRefiners];
  alignas(64) uint8_t ref_tab[kMaxRefiners][64];

  Kctx(const CharTable& t, uint8_t skip_mask);

 private:
  void build_refiners();
};

// The context of a table and skip mask, built once and cached in the table.
std::shared_ptr<const Kctx> kctx_for(const CharTable& t, uint8_t skip);

namespace simd {
// UTF-8 kernels with run-time ISA choice; same contract as the generic kernels.
bool count_chars(const Kctx& k, const uint8_t* p, const uint8_t* e, Counts& c);
bool extract_lines(const Kctx& k, const uint8_t* p, const uint8_t* e, const Bands& bands, Out<uint8_t>& out);
bool strip_chars(const Kctx& k, const uint8_t* p, const uint8_t* e, Out<uint8_t>& out);
bool trim_doc(const Kctx& k, const uint8_t* p, const uint8_t* e, Out<uint8_t>& out);
bool count_len(const uint8_t* p, const uint8_t* e, int64_t& n);
bool valid_utf8(const uint8_t* p, const uint8_t* e);
}  // namespace simd

template <class Tag>
inline bool count_chars_fast(const Kctx& k, const typename Tag::unit* p, const typename Tag::unit* e, Counts& c) {
  if constexpr (std::is_same_v<Tag, Utf8Unit>) return simd::count_chars(k, p, e, c);
  else return count_chars<Tag>(p, e, k.table->data(), k.skip, c);
}

template <class Tag>
inline bool extract_lines_fast(const Kctx& k, const typename Tag::unit* p, const typename Tag::unit* e,
                               const Bands& bands, Out<typename Tag::unit>& out) {
  if constexpr (std::is_same_v<Tag, Utf8Unit>) return simd::extract_lines(k, p, e, bands, out);
  else return extract_lines<Tag>(p, e, k.table->data(), k.skip, bands, out);
}

template <class Tag>
inline bool strip_chars_fast(const Kctx& k, const typename Tag::unit* p, const typename Tag::unit* e,
                             Out<typename Tag::unit>& out) {
  if constexpr (std::is_same_v<Tag, Utf8Unit>) return simd::strip_chars(k, p, e, out);
  else return strip_chars<Tag>(p, e, k.table->data(), out);
}

template <class Tag>
inline bool trim_doc_fast(const Kctx& k, const typename Tag::unit* p, const typename Tag::unit* e,
                          Out<typename Tag::unit>& out) {
  if constexpr (std::is_same_v<Tag, Utf8Unit>) return simd::trim_doc(k, p, e, out);
  else return trim_doc<Tag>(p, e, k.table->data(), out);
}

template <class Tag>
inline bool count_len_fast(const typename Tag::unit* p, const typename Tag::unit* e, int64_t& n) {
  if constexpr (std::is_same_v<Tag, Utf8Unit>) return simd::count_len(p, e, n);
  else return count_len<Tag>(p, e, n);
}

}  // namespace ce::text
