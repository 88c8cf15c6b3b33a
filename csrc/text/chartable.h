// One byte of property flags per Unicode code point, built once per
// configuration and shared read-only by all threads.
#pragma once

#include <cstdint>
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

using Range = std::pair<uint32_t, uint32_t>;

class CharTable {
 public:
  // flags_ranges: for each flag, the inclusive code-point ranges that carry it.
  explicit CharTable(const std::vector<std::pair<uint8_t, std::vector<Range>>>& flags_ranges);

  uint8_t operator[](uint32_t cp) const noexcept { return t_[cp]; }
  const uint8_t* data() const noexcept { return t_.data(); }

 private:
  std::vector<uint8_t> t_;
};

}  // namespace ce::text
