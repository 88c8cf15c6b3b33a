// One byte of property flags per Unicode code point, built once per
// configuration and shared read-only by all threads; plus byte-level tables
// derived from it that the SIMD kernels use to classify UTF-8 without decoding.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace ce::text {

enum Flag : uint8_t {
  kZh = 1,
  kWs = 2,
  kPh = 4,
  kDigitDot = 8,
  kCtrl = 16,
  kPunct = 32,
  kEnd = 64,
  kClose = 128,
};

constexpr uint32_t kMaxCp = 0x10FFFF;
// Entries past kMaxCp are zero: a SIMD kernel may look up the 21-bit value that
// unchecked decoding of ill-formed bytes yields before validation rejects them.
constexpr uint32_t kTableSize = 0x200000;

using Range = std::pair<uint32_t, uint32_t>;

// Candidate filter for one flag over UTF-8: a byte position i may start a
// character with the flag only if lut[0][b[i]] & lut[1][b[i+1]] & lut[2][b[i+2]]
// is non-zero (8 buckets of (lead, second, third) byte sets; a superset when the
// flag's characters need more than 8 buckets). lo/hi are nibble tables whose
// product lo[b & 15] & hi[b >> 4] is a superset of lut[k][b] (for AVX2).
struct ByteFilter {
  uint8_t lut[3][256];
  uint8_t lo[3][16];
  uint8_t hi[3][16];
};

enum FilterId { kFilterCtrl = 0, kFilterEnd = 1, kFilterPunct = 2 };

class CharTable {
 public:
  // flags_ranges: for each flag, the inclusive code-point ranges that carry it.
  explicit CharTable(const std::vector<std::pair<uint8_t, std::vector<Range>>>& flags_ranges);

  uint8_t operator[](uint32_t cp) const noexcept { return t_[cp]; }
  const uint8_t* data() const noexcept { return t_.data(); }

  // For a UTF-8 lead (or ASCII) byte: OR / AND of the flags of every scalar value
  // that a sequence starting with it can encode. 0/0 for continuation and invalid bytes.
  uint8_t lead_or(uint8_t b) const noexcept { return lead_or_[b]; }
  uint8_t lead_and(uint8_t b) const noexcept { return lead_and_[b]; }
  const ByteFilter& filter(FilterId id) const noexcept { return filters_[id]; }

  // Per-table cache of derived kernel contexts (keyed by a small integer), so that
  // a call on a few documents does not rebuild them.
  template <class T, class Make>
  std::shared_ptr<const T> cached(uint32_t key, Make&& make) const {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& kv : cache_)
      if (kv.first == key) return std::static_pointer_cast<const T>(kv.second);
    std::shared_ptr<const T> v = make();
    cache_.emplace_back(key, v);
    return v;
  }

 private:
  mutable std::mutex mu_;
  mutable std::vector<std::pair<uint32_t, std::shared_ptr<const void>>> cache_;
  std::vector<uint8_t> t_;
  uint8_t lead_or_[256];
  uint8_t lead_and_[256];
  ByteFilter filters_[3];
};

}  // namespace ce::text
