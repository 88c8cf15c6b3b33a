// UTF-8 decoding with the Unicode "maximal subpart" rule for invalid input,
// which is what Python's bytes.decode(errors="replace"/"ignore") does.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ce::utf8 {

constexpr uint32_t kReplacement = 0xFFFD;

// Length (1-4) of the well-formed sequence at p, with its code point in cp;
// 0 when p starts an ill-formed sequence. Requires p < e.
inline int decode(const uint8_t* p, const uint8_t* e, uint32_t& cp) noexcept {
  const uint32_t b0 = p[0];
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  if (b0 < 0xE0) {
    if (b0 < 0xC2 || e - p < 2 || (p[1] & 0xC0) != 0x80) return 0;
    cp = ((b0 & 0x1F) << 6) | (p[1] & 0x3F);
    return 2;
  }
  if (b0 < 0xF0) {
    if (e - p < 3) return 0;
    const uint32_t b1 = p[1], b2 = p[2];
    if (((b1 & 0xC0) != 0x80) | ((b2 & 0xC0) != 0x80)) return 0;
    cp = ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F);
    if (cp < 0x800 || (cp - 0xD800u) < 0x800u) return 0;  // overlong or surrogate
    return 3;
  }
  if (b0 < 0xF5) {
    if (e - p < 4) return 0;
    const uint32_t b1 = p[1], b2 = p[2], b3 = p[3];
    if (((b1 & 0xC0) != 0x80) | ((b2 & 0xC0) != 0x80) | ((b3 & 0xC0) != 0x80)) return 0;
    cp = ((b0 & 0x07) << 18) | ((b1 & 0x3F) << 12) | ((b2 & 0x3F) << 6) | (b3 & 0x3F);
    if (cp < 0x10000 || cp > 0x10FFFF) return 0;
    return 4;
  }
  return 0;
}

// Length of the maximal ill-formed subpart at p (>= 1), once decode() said 0:
// the longest prefix that could start a well-formed sequence, or one byte.
inline int invalid_len(const uint8_t* p, const uint8_t* e) noexcept {
  const uint8_t b0 = p[0];
  if (b0 < 0xE0 || b0 > 0xF4) return 1;  // lone continuation, C0/C1, 2-byte lead, F5..FF
  const uint8_t lo = b0 == 0xE0 ? 0xA0 : b0 == 0xF0 ? 0x90 : 0x80;
  const uint8_t hi = b0 == 0xED ? 0x9F : b0 == 0xF4 ? 0x8F : 0xBF;
  if (e - p < 2 || p[1] < lo || p[1] > hi) return 1;
  if (b0 < 0xF0) return 2;
  if (e - p < 3 || (p[2] & 0xC0) != 0x80) return 2;
  return 3;
}

// Writes cp (a valid scalar value) as UTF-8; returns the byte count.
inline int encode(uint32_t cp, uint8_t* out) noexcept {
  if (cp < 0x80) {
    out[0] = static_cast<uint8_t>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<uint8_t>(0xC0 | (cp >> 6));
    out[1] = static_cast<uint8_t>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<uint8_t>(0xE0 | (cp >> 12));
    out[1] = static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3F));
    out[2] = static_cast<uint8_t>(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = static_cast<uint8_t>(0xF0 | (cp >> 18));
  out[1] = static_cast<uint8_t>(0x80 | ((cp >> 12) & 0x3F));
  out[2] = static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3F));
  out[3] = static_cast<uint8_t>(0x80 | (cp & 0x3F));
  return 4;
}

}  // namespace ce::utf8
