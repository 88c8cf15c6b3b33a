#include "../common/cpu.h"
#include "simd.h"

namespace ce::text {

bool utf8_count_chars(const uint8_t* p, const uint8_t* e, const uint8_t* t, uint8_t skip, Counts& c) {
  return count_chars<Utf8Unit>(p, e, t, skip, c);
}

bool utf8_extract_lines(const uint8_t* p, const uint8_t* e, const uint8_t* t, uint8_t skip, const Bands& bands,
                        Out<uint8_t>& out) {
  return extract_lines<Utf8Unit>(p, e, t, skip, bands, out);
}

bool utf8_strip_chars(const uint8_t* p, const uint8_t* e, const uint8_t* t, Out<uint8_t>& out) {
  return strip_chars<Utf8Unit>(p, e, t, out);
}

bool utf8_count_len(const uint8_t* p, const uint8_t* e, int64_t& n) { return count_len<Utf8Unit>(p, e, n); }

}  // namespace ce::text
