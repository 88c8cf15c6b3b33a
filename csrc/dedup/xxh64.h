// XXH64, written from the published xxHash specification (XXH64 section):
// bit-identical with the reference implementation and the `xxhash` package.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ce::xxh {

constexpr uint64_t kP1 = 0x9E3779B185EBCA87ULL;
constexpr uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
constexpr uint64_t kP3 = 0x165667B19E3779F9ULL;
constexpr uint64_t kP4 = 0x85EBCA77C2B2AE63ULL;
constexpr uint64_t kP5 = 0x27D4EB2F165667C5ULL;

inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
inline uint64_t read64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;  // little-endian hosts only (x86-64, aarch64)
}
inline uint32_t read32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline uint64_t round(uint64_t acc, uint64_t lane) {
  acc += lane * kP2;
  acc = rotl(acc, 31);
  return acc * kP1;
}

inline uint64_t merge(uint64_t acc, uint64_t v) {
  acc ^= round(0, v);
  return acc * kP1 + kP4;
}

inline uint64_t avalanche(uint64_t h) {
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return h;
}

// The tail (< 32 bytes) and the final mix, given the accumulator after the stripes.
inline uint64_t finish(uint64_t acc, const uint8_t* p, size_t len) {
  for (; len >= 8; p += 8, len -= 8) {
    acc ^= round(0, read64(p));
    acc = rotl(acc, 27) * kP1 + kP4;
  }
  if (len >= 4) {
    acc ^= static_cast<uint64_t>(read32(p)) * kP1;
    acc = rotl(acc, 23) * kP2 + kP3;
    p += 4, len -= 4;
  }
  for (; len > 0; ++p, --len) {
    acc ^= (*p) * kP5;
    acc = rotl(acc, 11) * kP1;
  }
  return avalanche(acc);
}

inline uint64_t xxh64(const void* data, size_t len, uint64_t seed) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  uint64_t acc;
  const size_t total = len;
  if (len >= 32) {
    uint64_t v1 = seed + kP1 + kP2, v2 = seed + kP2, v3 = seed, v4 = seed - kP1;
    for (; len >= 32; p += 32, len -= 32) {
      v1 = round(v1, read64(p));
      v2 = round(v2, read64(p + 8));
      v3 = round(v3, read64(p + 16));
      v4 = round(v4, read64(p + 24));
    }
    acc = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
    acc = merge(acc, v1);
    acc = merge(acc, v2);
    acc = merge(acc, v3);
    acc = merge(acc, v4);
  } else {
    acc = seed + kP5;
  }
  acc += static_cast<uint64_t>(total);
  return finish(acc, p, len);
}

// SplitMix64's output function: a cheap, good 64-bit mixer.
inline uint64_t mix64(uint64_t z) {
  z ^= z >> 30;
  z *= 0xBF58476D1CE4E5B9ULL;
  z ^= z >> 27;
  z *= 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return z;
}

}  // namespace ce::xxh
