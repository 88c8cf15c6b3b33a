// Kernel entry points that pick a SIMD variant for UTF-8 input at run time and
// fall back to the generic scalar kernels (kernels.h) otherwise.
#pragma once

#include <type_traits>

#include "kernels.h"

namespace ce::text {

// UTF-8 specialisations (simd_*.cpp); same contract as the generic kernels.
bool utf8_count_chars(const uint8_t* p, const uint8_t* e, const uint8_t* t, uint8_t skip, Counts& c);
bool utf8_extract_lines(const uint8_t* p, const uint8_t* e, const uint8_t* t, uint8_t skip, const Bands& bands,
                        Out<uint8_t>& out);
bool utf8_strip_chars(const uint8_t* p, const uint8_t* e, const uint8_t* t, Out<uint8_t>& out);
bool utf8_count_len(const uint8_t* p, const uint8_t* e, int64_t& n);

template <class Tag>
inline bool count_chars_fast(const typename Tag::unit* p, const typename Tag::unit* e, const uint8_t* t, uint8_t skip,
                             Counts& c) {
  if constexpr (std::is_same_v<Tag, Utf8Unit>) return utf8_count_chars(p, e, t, skip, c);
  else return count_chars<Tag>(p, e, t, skip, c);
}

template <class Tag>
inline bool extract_lines_fast(const typename Tag::unit* p, const typename Tag::unit* e, const uint8_t* t,
                               uint8_t skip, const Bands& bands, Out<typename Tag::unit>& out) {
  if constexpr (std::is_same_v<Tag, Utf8Unit>) return utf8_extract_lines(p, e, t, skip, bands, out);
  else return extract_lines<Tag>(p, e, t, skip, bands, out);
}

template <class Tag>
inline bool strip_chars_fast(const typename Tag::unit* p, const typename Tag::unit* e, const uint8_t* t,
                             Out<typename Tag::unit>& out) {
  if constexpr (std::is_same_v<Tag, Utf8Unit>) return utf8_strip_chars(p, e, t, out);
  else return strip_chars<Tag>(p, e, t, out);
}

template <class Tag>
inline bool count_len_fast(const typename Tag::unit* p, const typename Tag::unit* e, int64_t& n) {
  if constexpr (std::is_same_v<Tag, Utf8Unit>) return utf8_count_len(p, e, n);
  else return count_len<Tag>(p, e, n);
}

}  // namespace ce::text
