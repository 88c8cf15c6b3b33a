#include "chartable.h"

#include <algorithm>
#include <bitset>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>

#include "utf8.h"

namespace ce::text {

namespace {

// Scalar values encodable by a sequence with lead byte b: [lo, hi], or false.
bool lead_range(unsigned b, uint32_t& lo, uint32_t& hi) {
  if (b < 0x80) {
    lo = hi = b;
  } else if (b >= 0xC2 && b <= 0xDF) {
    lo = (b & 0x1F) << 6, hi = lo + 0x3F;
  } else if (b >= 0xE0 && b <= 0xEF) {
    lo = (b & 0x0F) << 12, hi = lo + 0xFFF;
    if (b == 0xE0) lo = 0x800;
  } else if (b >= 0xF0 && b <= 0xF4) {
    lo = (b & 0x07) << 18, hi = lo + 0x3FFFF;
    if (b == 0xF0) lo = 0x10000;
    if (b == 0xF4) hi = kMaxCp;
  } else {
    return false;
  }
  return true;
}

struct Bucket {
  std::bitset<256> s[3];
};

void build_filter(const std::vector<uint8_t>& t, uint8_t flag, ByteFilter& f) {
  // Group the flag's characters by (lead, second byte); each group is exact as
  // the product of its three byte sets.
  std::map<uint32_t, Bucket> groups;
  for (uint32_t cp = 0; cp <= kMaxCp; ++cp) {
    if (!(t[cp] & flag) || (cp - 0xD800u) < 0x800u) continue;
    uint8_t b[4] = {0, 0, 0, 0};
    const int n = utf8::encode(cp, b);
    const uint32_t key = n == 1 ? 0 : n == 2 ? (0x100u | b[0]) : (0x10000u | (b[0] << 8) | b[1]);
    Bucket& g = groups[key];
    g.s[0].set(b[0]);
    if (n == 1) {
      g.s[1].set(), g.s[2].set();
    } else if (n == 2) {
      g.s[1].set(b[1]), g.s[2].set();
    } else {
      g.s[1].set(b[1]), g.s[2].set(b[2]);
    }
  }
  std::vector<Bucket> bs;
  for (auto& kv : groups) bs.push_back(kv.second);
  // More groups than bits: merge neighbours (by key order); the union is a superset.
  while (bs.size() > 8) {
    std::vector<Bucket> merged;
    for (size_t i = 0; i < bs.size(); i += 2) {
      Bucket m = bs[i];
      if (i + 1 < bs.size())
        for (int k = 0; k < 3; ++k) m.s[k] |= bs[i + 1].s[k];
      merged.push_back(m);
    }
    bs.swap(merged);
  }
  std::memset(&f, 0, sizeof(f));
  for (size_t g = 0; g < bs.size(); ++g) {
    for (int k = 0; k < 3; ++k) {
      for (unsigned v = 0; v < 256; ++v) {
        if (!bs[g].s[k].test(v)) continue;
        f.lut[k][v] |= static_cast<uint8_t>(1u << g);
        f.lo[k][v & 15] |= static_cast<uint8_t>(1u << g);
        f.hi[k][v >> 4] |= static_cast<uint8_t>(1u << g);
      }
    }
  }
}

}  // namespace

CharTable::CharTable(const std::vector<std::pair<uint8_t, std::vector<Range>>>& flags_ranges)
    : t_(kTableSize, 0) {
  for (const auto& [flag, ranges] : flags_ranges) {
    for (const auto& [lo, hi] : ranges) {
      if (lo > hi || hi > kMaxCp) {
        throw std::invalid_argument("invalid code point range " + std::to_string(lo) + ".." +
                                    std::to_string(hi));
      }
      for (uint32_t cp = lo; cp <= hi; ++cp) t_[cp] |= flag;
    }
  }
  for (unsigned b = 0; b < 256; ++b) {
    uint32_t lo, hi;
    lead_or_[b] = 0, lead_and_[b] = 0;
    if (!lead_range(b, lo, hi)) continue;
    uint8_t o = 0, a = 0xFF;
    for (uint32_t cp = lo; cp <= hi; ++cp) {
      if ((cp - 0xD800u) < 0x800u) continue;
      o |= t_[cp];
      a &= t_[cp];
    }
    lead_or_[b] = o, lead_and_[b] = a;
  }
  build_filter(t_, kCtrl, filters_[kFilterCtrl]);
  build_filter(t_, kEnd, filters_[kFilterEnd]);
  build_filter(t_, kPunct, filters_[kFilterPunct]);
}

}  // namespace ce::text
