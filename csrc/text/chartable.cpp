#include "chartable.h"

#include <stdexcept>
#include <string>

namespace ce::text {

CharTable::CharTable(const std::vector<std::pair<uint8_t, std::vector<Range>>>& flags_ranges)
    : t_(kMaxCp + 1, 0) {
  for (const auto& [flag, ranges] : flags_ranges) {
    for (const auto& [lo, hi] : ranges) {
      if (lo > hi || hi > kMaxCp) {
        throw std::invalid_argument("invalid code point range " + std::to_string(lo) + ".." +
                                    std::to_string(hi));
      }
      for (uint32_t cp = lo; cp <= hi; ++cp) t_[cp] |= flag;
    }
  }
}

}  // namespace ce::text
