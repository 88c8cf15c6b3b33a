// Per-document text kernels, generic over the code unit of the input:
// UTF-8 bytes (buffer form) or the UCS1/UCS2/UCS4 storage of a Python str.
//
// Every kernel assumes well-formed input and returns false at the first
// ill-formed sequence; the batch driver then sanitizes that document
// (replace with U+FFFD or drop, the rule of Python's decoder) and runs the
// kernel again. Ill-formed input is rare, so the hot loops stay simple.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "../common/arena.h"
#include "chartable.h"
#include "utf8.h"

namespace ce::text {

enum class Errors : uint8_t { kReplace = 0, kDrop = 1 };

struct Utf8Unit {
  using unit = uint8_t;
  static int step(const unit* p, const unit* e, uint32_t& cp) noexcept { return utf8::decode(p, e, cp); }
};

template <class T>
struct UcsUnit {
  using unit = T;
  // A lone surrogate in a Python str is ill-formed text.
  static int step(const unit* p, const unit*, uint32_t& cp) noexcept {
    cp = *p;
    if constexpr (sizeof(T) == 1) {
      return 1;
    } else {
      return ((cp - 0xD800u) < 0x800u || cp > kMaxCp) ? 0 : 1;
    }
  }
};

// Line-keeping rule of the Chinese extraction.
struct Bands {
  bool by_zh_count = false;  // false: paper (band by counted length); true: NKCorpus code
  std::vector<std::pair<double, double>> bands;  // (bound, threshold)

  bool keep(int64_t zh, int64_t counted) const noexcept {
    const double z = static_cast<double>(zh), n = static_cast<double>(counted);
    if (!by_zh_count) {
      if (counted == 0) return false;
      for (const auto& [bound, thr] : bands) {
        if (n <= bound) return z > thr * n;
      }
      return false;
    }
    for (const auto& [bound, thr] : bands) {
      if (z > bound && z > thr * n) return true;
    }
    return false;
  }
};

struct Counts {
  int64_t zh = 0;
  int64_t counted = 0;
};

// Appends one document's code units to an arena.
template <class U>
class Out {
 public:
  explicit Out(Arena& a) : a_(a), start_(a.size()) {}
  void append(const U* p, size_t n) { a_.append(p, n * sizeof(U)); }
  void push(U c) { a_.append(&c, sizeof(U)); }
  size_t units() const noexcept { return (a_.size() - start_) / sizeof(U); }
  void reset() noexcept { a_.truncate(start_); }

 private:
  Arena& a_;
  size_t start_;
};

// --- kernels -----------------------------------------------------------------

template <class Tag>
bool count_chars(const typename Tag::unit* p, const typename Tag::unit* e, const uint8_t* t, uint8_t skip,
                 Counts& c) noexcept {
  int64_t zh = 0, counted = 0;
  while (p < e) {
    uint32_t cp = 0;
    const int k = Tag::step(p, e, cp);
    if (!k) return false;
    const uint8_t f = t[cp];
    const int in = (f & skip) == 0;
    counted += in;
    zh += in & (f & kZh);
    p += k;
  }
  c.zh = zh;
  c.counted = counted;
  return true;
}

template <class Tag>
bool extract_lines(const typename Tag::unit* p, const typename Tag::unit* e, const uint8_t* t, uint8_t skip,
                   const Bands& bands, Out<typename Tag::unit>& out) {
  using U = typename Tag::unit;
  bool first = true;
  const U* q = p;
  for (;;) {
    const U* line = q;
    int64_t zh = 0, counted = 0;
    while (q < e && *q != '\n' && *q != '\r') {
      uint32_t cp = 0;
      const int k = Tag::step(q, e, cp);
      if (!k) return false;
      const uint8_t f = t[cp];
      const int in = (f & skip) == 0;
      counted += in;
      zh += in & (f & kZh);
      q += k;
    }
    if (bands.keep(zh, counted)) {
      if (!first) out.push(U('\n'));
      out.append(line, static_cast<size_t>(q - line));
      first = false;
    }
    if (q >= e) return true;
    if (*q++ == '\r' && q < e && *q == '\n') ++q;
  }
}

template <class Tag>
bool strip_chars(const typename Tag::unit* p, const typename Tag::unit* e, const uint8_t* t,
                 Out<typename Tag::unit>& out) {
  using U = typename Tag::unit;
  const U* run = p;
  while (p < e) {
    uint32_t cp = 0;
    const int k = Tag::step(p, e, cp);
    if (!k) return false;
    if (t[cp] & kCtrl) {
      out.append(run, static_cast<size_t>(p - run));
      run = p + k;
    }
    p += k;
  }
  out.append(run, static_cast<size_t>(e - run));
  return true;
}

template <class Tag>
bool trim_doc(const typename Tag::unit* p, const typename Tag::unit* e, const uint8_t* t,
              Out<typename Tag::unit>& out) {
  using U = typename Tag::unit;
  // Pass 1: the cut point, after the last sentence end and the closers that follow it.
  const U* cut = nullptr;
  bool closing = false;
  for (const U* q = p; q < e;) {
    uint32_t cp = 0;
    const int k = Tag::step(q, e, cp);
    if (!k) return false;
    const uint8_t f = t[cp];
    q += k;
    if (f & kEnd) {
      cut = q;
      closing = true;
    } else if (closing && (f & kClose)) {
      cut = q;
    } else {
      closing = false;
    }
  }
  if (!cut) return true;
  // Pass 2: the lines before the cut that hold sentence punctuation (valid by pass 1).
  bool first = true;
  const U* q = p;
  for (;;) {
    const U* line = q;
    uint8_t any = 0;
    while (q < cut && *q != '\n' && *q != '\r') {
      uint32_t cp = 0;
      q += Tag::step(q, cut, cp);
      any |= t[cp];
    }
    if (any & kPunct) {
      if (!first) out.push(U('\n'));
      out.append(line, static_cast<size_t>(q - line));
      first = false;
    }
    if (q >= cut) return true;
    if (*q++ == '\r' && q < cut && *q == '\n') ++q;
  }
}

template <class Tag>
bool count_len(const typename Tag::unit* p, const typename Tag::unit* e, int64_t& n) noexcept {
  int64_t c = 0;
  while (p < e) {
    uint32_t cp = 0;
    const int k = Tag::step(p, e, cp);
    if (!k) return false;
    p += k;
    ++c;
  }
  n = c;
  return true;
}

// Well-formed copy of [p, e): each ill-formed sequence becomes U+FFFD or nothing.
template <class Tag>
void sanitize(const typename Tag::unit* p, const typename Tag::unit* e, Errors errors,
              std::vector<typename Tag::unit>& out) {
  using U = typename Tag::unit;
  out.clear();
  out.reserve(static_cast<size_t>(e - p) + 8);
  while (p < e) {
    uint32_t cp = 0;
    const int k = Tag::step(p, e, cp);
    if (k) {
      out.insert(out.end(), p, p + k);
      p += k;
      continue;
    }
    if constexpr (sizeof(U) == 1 && std::is_same_v<Tag, Utf8Unit>) {
      p += utf8::invalid_len(p, e);
      if (errors == Errors::kReplace) out.insert(out.end(), {U(0xEF), U(0xBF), U(0xBD)});
    } else {
      ++p;
      if (errors == Errors::kReplace) out.push_back(U(utf8::kReplacement));
    }
  }
}

}  // namespace ce::text
