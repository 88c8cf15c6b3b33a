// C++-only checks of the text core: UTF-8 decoding (maximal-subpart rule), the
// generic kernels of kernels.h on UTF-8 / UCS1 / UCS2 / UCS4 input, and the batch
// drivers of batch.h (thread-count and SIMD-level independence).
//
// No framework: CHECK* macros count failures, main() returns non-zero if any.
// Built with -DCE_BUILD_CPP_TESTS=ON; run directly or through ctest.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "common/arena.h"
#include "common/cpu.h"
#include "io/warc.h"
#include "pii/pii.h"
#include "repetition/repetition.h"
#include "match/lines.h"
#include "text/batch.h"
#include "text/chartable.h"
#include "text/kernels.h"
#include "text/utf8.h"

using namespace ce;
using namespace ce::text;

namespace {

int g_checks = 0;
int g_failures = 0;

#define CHECK(cond)                                                          \
  do {                                                                       \
    ++g_checks;                                                              \
    if (!(cond)) {                                                           \
      ++g_failures;                                                          \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                        \
  } while (0)

#define CHECK_EQ(a, b)                                                                           \
  do {                                                                                           \
    ++g_checks;                                                                                  \
    const auto va_ = (a);                                                                        \
    const auto vb_ = (b);                                                                        \
    if (!(va_ == vb_)) {                                                                         \
      ++g_failures;                                                                              \
      std::fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s (%s vs %s)\n", __FILE__, __LINE__, #a, #b, \
                   show(va_).c_str(), show(vb_).c_str());                                        \
    }                                                                                            \
  } while (0)

std::string show(long long v) { return std::to_string(v); }
std::string show(long v) { return std::to_string(v); }
std::string show(int v) { return std::to_string(v); }
std::string show(uint32_t v) { return std::to_string(v); }
[[maybe_unused]] std::string show(bool v) { return v ? "true" : "false"; }
std::string show(size_t v) { return std::to_string(v); }
[[maybe_unused]] std::string show(double v) { return std::to_string(v); }
template <class T>
std::string show(const std::vector<T>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    char b[16];
    std::snprintf(b, sizeof b, "%s%llx", i ? " " : "", static_cast<unsigned long long>(v[i]));
    s += b;
  }
  return s + "]";
}
std::string show(const std::string& s) {
  std::string o = "\"";
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7F && c != '\\' && c != '"') {
      o += static_cast<char>(c);
    } else {
      char b[8];
      std::snprintf(b, sizeof b, "\\x%02X", c);
      o += b;
    }
  }
  return o + "\"";
}

const uint8_t* u8p(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// ---------------------------------------------------------------------------
// An independent reading of Unicode Table 3-7 (well-formed UTF-8 byte sequences),
// used as the oracle for decode() and invalid_len().

// Allowed range of the second byte after lead b0; false when b0 cannot lead.
bool second_range(uint8_t b0, uint8_t& lo, uint8_t& hi, int& len) {
  if (b0 >= 0xC2 && b0 <= 0xDF) { lo = 0x80, hi = 0xBF, len = 2; return true; }
  if (b0 == 0xE0) { lo = 0xA0, hi = 0xBF, len = 3; return true; }
  if ((b0 >= 0xE1 && b0 <= 0xEC) || b0 == 0xEE || b0 == 0xEF) { lo = 0x80, hi = 0xBF, len = 3; return true; }
  if (b0 == 0xED) { lo = 0x80, hi = 0x9F, len = 3; return true; }
  if (b0 == 0xF0) { lo = 0x90, hi = 0xBF, len = 4; return true; }
  if (b0 >= 0xF1 && b0 <= 0xF3) { lo = 0x80, hi = 0xBF, len = 4; return true; }
  if (b0 == 0xF4) { lo = 0x80, hi = 0x8F, len = 4; return true; }
  return false;
}

// Length of the longest prefix of [p, e) that is a prefix of some well-formed
// sequence (capped at the sequence length); *complete says whether it is whole.
int oracle_prefix(const uint8_t* p, const uint8_t* e, bool* complete) {
  *complete = false;
  if (p[0] < 0x80) { *complete = true; return 1; }
  uint8_t lo, hi;
  int len;
  if (!second_range(p[0], lo, hi, len)) return 0;
  int k = 1;
  if (e - p > 1 && p[1] >= lo && p[1] <= hi) {
    k = 2;
    while (k < len && e - p > k && (p[k] & 0xC0) == 0x80) ++k;
  }
  *complete = k == len;
  return k;
}

// Splits bytes into (length, valid) pieces with decode() + invalid_len().
std::vector<std::pair<int, bool>> segment(const std::string& s) {
  std::vector<std::pair<int, bool>> out;
  const uint8_t* p = u8p(s);
  const uint8_t* e = p + s.size();
  while (p < e) {
    uint32_t cp;
    int k = utf8::decode(p, e, cp);
    if (k) {
      out.push_back({k, true});
    } else {
      k = utf8::invalid_len(p, e);
      out.push_back({k, false});
    }
    p += k;
  }
  return out;
}

void check_segments(const std::string& s, const std::vector<std::pair<int, bool>>& want, int line) {
  ++g_checks;
  const auto got = segment(s);
  if (got != want) {
    ++g_failures;
    std::string g, w;
    for (auto [k, ok] : got) g += std::to_string(k) + (ok ? "v " : "x ");
    for (auto [k, ok] : want) w += std::to_string(k) + (ok ? "v " : "x ");
    std::fprintf(stderr, "%s:%d: segments of %s: got [%s] want [%s]\n", __FILE__, line, show(s).c_str(), g.c_str(),
                 w.c_str());
  }
}
#define CHECK_SEGMENTS(s, ...) check_segments(std::string(s, sizeof(s) - 1), __VA_ARGS__, __LINE__)

void test_utf8_decode_wellformed() {
  struct Case {
    const char* bytes;
    int len;
    uint32_t cp;
  } cases[] = {
      {"A", 1, 0x41},
      {"\x7F", 1, 0x7F},
      {"\xC2\x80", 2, 0x80},
      {"\xC3\xA9", 2, 0xE9},
      {"\xDF\xBF", 2, 0x7FF},
      {"\xE0\xA0\x80", 3, 0x800},
      {"\xE4\xB8\x80", 3, 0x4E00},  // 一
      {"\xED\x9F\xBF", 3, 0xD7FF},
      {"\xEE\x80\x80", 3, 0xE000},
      {"\xEF\xBF\xBD", 3, 0xFFFD},
      {"\xF0\x90\x80\x80", 4, 0x10000},
      {"\xF0\x9F\x98\x80", 4, 0x1F600},
      {"\xF0\xA0\x80\x80", 4, 0x20000},  // Extension B
      {"\xF4\x8F\xBF\xBF", 4, 0x10FFFF},
  };
  for (const auto& c : cases) {
    const std::string s(c.bytes);
    uint32_t cp = 0;
    CHECK_EQ(utf8::decode(u8p(s), u8p(s) + s.size(), cp), c.len);
    CHECK_EQ(cp, c.cp);
  }
  // NUL is a well-formed one-byte sequence.
  const uint8_t nul[1] = {0};
  uint32_t cp = 1;
  CHECK_EQ(utf8::decode(nul, nul + 1, cp), 1);
  CHECK_EQ(cp, 0u);
}

void test_utf8_maximal_subparts() {
  using V = std::vector<std::pair<int, bool>>;
  // The examples of the Unicode standard (section 3.9) and Python's decoder.
  CHECK_SEGMENTS("\xE0\x80", V{{1, false}, {1, false}});  // E0 needs A0..BF next
  CHECK_SEGMENTS("\xF0\x9F\x98", V{{3, false}});          // truncated at the end: one subpart
  CHECK_SEGMENTS("\xF0\x9F\x98" "A", V{{3, false}, {1, true}});
  CHECK_SEGMENTS("\xED\xA0\x80", V{{1, false}, {1, false}, {1, false}});  // encoded surrogate
  CHECK_SEGMENTS("\xC0\x80", V{{1, false}, {1, false}});                  // overlong
  CHECK_SEGMENTS("\xC1\xBF", V{{1, false}, {1, false}});
  CHECK_SEGMENTS("\xE0\x9F\xBF", V{{1, false}, {1, false}, {1, false}});  // overlong 3-byte
  CHECK_SEGMENTS("\xF0\x8F\xBF\xBF", V{{1, false}, {1, false}, {1, false}, {1, false}});
  CHECK_SEGMENTS("\xF4\x90\x80\x80", V{{1, false}, {1, false}, {1, false}, {1, false}});  // > U+10FFFF
  CHECK_SEGMENTS("\xF5\x80\x80\x80", V{{1, false}, {1, false}, {1, false}, {1, false}});
  CHECK_SEGMENTS("\xE4\xB8" "A", V{{2, false}, {1, true}});
  CHECK_SEGMENTS("\xE4\xB8", V{{2, false}});
  CHECK_SEGMENTS("\xF1\x80", V{{2, false}});
  CHECK_SEGMENTS("\xF1\x80\x80\xE4\xB8\x80", V{{3, false}, {3, true}});
  CHECK_SEGMENTS("\x80\xBF", V{{1, false}, {1, false}});  // lone continuation bytes
  CHECK_SEGMENTS("\xC3", V{{1, false}});
  CHECK_SEGMENTS("\xC3" "A", V{{1, false}, {1, true}});
  CHECK_SEGMENTS("\xFE\xFF", V{{1, false}, {1, false}});
  CHECK_SEGMENTS("a\xE4\xB8\x80\xF0\x9F\x98\x80z",
                 V{{1, true}, {3, true}, {4, true}, {1, true}});
}

// Every 1- and 2-byte input exhaustively, and every 3- and 4-byte input built from
// bytes at the edges of the ranges of Table 3-7, against the oracle above.
void test_utf8_against_oracle() {
  const uint8_t edge[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF,
                          0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
  long mismatches = 0;
  auto check_one = [&](const uint8_t* p, int n) {
    const uint8_t* e = p + n;
    bool complete;
    const int k = oracle_prefix(p, e, &complete);
    uint32_t cp = 0;
    const int d = utf8::decode(p, e, cp);
    bool ok = complete ? d == k : d == 0;
    if (ok && !complete) ok = utf8::invalid_len(p, e) == (k ? k : 1);
    if (ok && complete && k > 1) {  // decoded value re-encodes to the same bytes
      uint8_t buf[4];
      ok = utf8::encode(cp, buf) == k && std::memcmp(buf, p, static_cast<size_t>(k)) == 0;
    }
    if (!ok && ++mismatches <= 10) {
      std::string s(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
      std::fprintf(stderr, "utf8 oracle mismatch on %s: decode=%d invalid_len=%d oracle=%d%s\n", show(s).c_str(), d,
                   d ? 0 : utf8::invalid_len(p, e), k, complete ? " complete" : "");
    }
  };
  uint8_t b[4];
  for (int x = 0; x < 256; ++x) {
    b[0] = static_cast<uint8_t>(x);
    check_one(b, 1);
    for (int y = 0; y < 256; ++y) {
      b[1] = static_cast<uint8_t>(y);
      check_one(b, 2);
    }
  }
  for (uint8_t x : edge)
    for (uint8_t y : edge)
      for (uint8_t z : edge) {
        b[0] = x, b[1] = y, b[2] = z;
        check_one(b, 3);
        for (uint8_t w : edge) {
          b[3] = w;
          check_one(b, 4);
        }
      }
  ++g_checks;
  if (mismatches) {
    ++g_failures;
    std::fprintf(stderr, "%s:%d: %ld UTF-8 inputs disagree with the Table 3-7 oracle\n", __FILE__, __LINE__, mismatches);
  }
}

void test_utf8_encode_roundtrip() {
  long bad = 0;
  for (uint32_t cp = 0; cp <= kMaxCp; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    uint8_t buf[4];
    const int n = utf8::encode(cp, buf);
    const int want = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    uint32_t back = 0;
    if (n != want || utf8::decode(buf, buf + n, back) != n || back != cp) ++bad;
  }
  CHECK_EQ(bad, 0L);
  // Surrogates encoded the CESU way are ill-formed.
  long accepted = 0;
  for (uint32_t cp = 0xD800; cp <= 0xDFFF; ++cp) {
    uint8_t buf[3] = {static_cast<uint8_t>(0xE0 | (cp >> 12)), static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3F)),
                      static_cast<uint8_t>(0x80 | (cp & 0x3F))};
    uint32_t back;
    if (utf8::decode(buf, buf + 3, back)) ++accepted;
  }
  CHECK_EQ(accepted, 0L);
  uint8_t buf[4];
  CHECK_EQ(utf8::encode(utf8::kReplacement, buf), 3);
  CHECK(buf[0] == 0xEF && buf[1] == 0xBF && buf[2] == 0xBD);
}

// ---------------------------------------------------------------------------
// Kernels on hand-made input.

std::vector<Range> chars(const std::u32string& s) {
  std::vector<Range> r;
  for (char32_t c : s) r.push_back({static_cast<uint32_t>(c), static_cast<uint32_t>(c)});
  return r;
}

// A small table in the spirit of corpus_engine/charsets.py.
const CharTable& small_table() {
  static const CharTable t({
      {kZh, {{0x3001, 0x303F}, {0x4E00, 0x9FFF}, {0xFF01, 0xFF60}, {0x20000, 0x2A6DF}}},
      {kWs, {{0x09, 0x0D}, {0x20, 0x20}, {0x3000, 0x3000}}},
      {kPh, {{0x00, 0x1F}, {0x7F, 0x9F}, {0x200B, 0x200F}, {0xFFFD, 0xFFFD}}},
      {kDigitDot, {{0x30, 0x39}, {0x2E, 0x2E}}},
      {kCtrl, {{0x00, 0x08}, {0x0B, 0x1F}, {0x7F, 0x9F}, {0x200B, 0x200F}, {0x3000, 0x3000}}},
      {kPunct, chars(U"，、；：,;。！？!?")},
      {kEnd, chars(U"。！？!?")},
      {kClose, chars(U"”’）」")},
  });
  return t;
}

Bands paper_bands() {
  Bands b;
  b.by_zh_count = false;
  b.bands = {{70, 0.80}, {230, 0.70}, {std::numeric_limits<double>::infinity(), 0.60}};
  return b;
}

Bands nkcorpus_bands() {
  Bands b;
  b.by_zh_count = true;
  b.bands = {{0, 0.80}, {50, 0.70}, {150, 0.60}};
  return b;
}

// Code units of a UTF-32 string in storage type U (UCS1/UCS2/UCS4, like a Python str).
template <class U>
std::vector<U> ucs(const std::u32string& s) {
  std::vector<U> v;
  for (char32_t c : s) v.push_back(static_cast<U>(c));
  return v;
}

std::string utf8_of(const std::u32string& s) {
  std::string o;
  for (char32_t c : s) {
    uint8_t b[4];
    o.append(reinterpret_cast<const char*>(b), static_cast<size_t>(utf8::encode(static_cast<uint32_t>(c), b)));
  }
  return o;
}

// Runs an editing kernel on UTF-8 text; returns (ok, output bytes).
template <class F>
std::pair<bool, std::string> run_utf8(const std::string& in, F&& kernel) {
  Arena a;
  a.push('#');  // a kernel writes after what the arena already holds
  Out<uint8_t> out(a);
  const bool ok = kernel(u8p(in), u8p(in) + in.size(), out);
  std::string s(reinterpret_cast<const char*>(a.data()) + 1, a.size() - 1);
  CHECK_EQ(out.units(), s.size());
  CHECK(a.data()[0] == '#');
  return {ok, s};
}

template <class U, class F>
std::pair<bool, std::vector<U>> run_ucs(const std::vector<U>& in, F&& kernel) {
  Arena a;
  Out<U> out(a);
  const bool ok = kernel(in.data(), in.data() + in.size(), out);
  std::vector<U> v(out.units());
  if (!v.empty()) std::memcpy(v.data(), a.data(), v.size() * sizeof(U));
  return {ok, v};
}

void test_count_chars() {
  const uint8_t* t = small_table().data();
  const uint8_t paper = kWs | kPh, nk = kWs | kPh | kDigitDot;
  Counts c;
  const std::string s = utf8_of(U"中文 ab\u200b12.5，\t𠀀");
  CHECK(count_chars<Utf8Unit>(u8p(s), u8p(s) + s.size(), t, paper, c));
  CHECK_EQ(c.zh, 4LL);       // 中 文 ， 𠀀
  CHECK_EQ(c.counted, 10LL);  // + a b 1 2 . 5
  CHECK(count_chars<Utf8Unit>(u8p(s), u8p(s) + s.size(), t, nk, c));
  CHECK_EQ(c.zh, 4LL);
  CHECK_EQ(c.counted, 6LL);
  // The same text as UCS4 and (without the astral character) UCS2.
  const auto s4 = ucs<uint32_t>(U"中文 ab\u200b12.5，\t𠀀");
  CHECK(count_chars<UcsUnit<uint32_t>>(s4.data(), s4.data() + s4.size(), t, paper, c));
  CHECK_EQ(c.zh, 4LL);
  CHECK_EQ(c.counted, 10LL);
  const auto s2 = ucs<uint16_t>(U"中文 ab\u200b12.5，\t");
  CHECK(count_chars<UcsUnit<uint16_t>>(s2.data(), s2.data() + s2.size(), t, paper, c));
  CHECK_EQ(c.zh, 3LL);
  CHECK_EQ(c.counted, 9LL);
  const auto s1 = ucs<uint8_t>(U"caf\u00e9 1.5\u0085");  // Latin-1 storage: é counts, NEL (C1) is a placeholder
  CHECK(count_chars<UcsUnit<uint8_t>>(s1.data(), s1.data() + s1.size(), t, paper, c));
  CHECK_EQ(c.zh, 0LL);
  CHECK_EQ(c.counted, 7LL);
  // Empty input: nothing counted.
  c.zh = c.counted = 99;
  CHECK(count_chars<Utf8Unit>(u8p(s), u8p(s), t, paper, c));
  CHECK_EQ(c.counted, 0LL);
  // Ill-formed input is refused (the batch driver sanitizes and retries).
  const std::string bad = "\xE4\xB8\x80\xE4\xB8";
  CHECK(!count_chars<Utf8Unit>(u8p(bad), u8p(bad) + bad.size(), t, paper, c));
  const std::vector<uint16_t> lone = {0x4E00, 0xD800, 0x4E00};
  CHECK(!count_chars<UcsUnit<uint16_t>>(lone.data(), lone.data() + lone.size(), t, paper, c));
  const std::vector<uint32_t> high = {0x4E00, 0xDFFF};
  CHECK(!count_chars<UcsUnit<uint32_t>>(high.data(), high.data() + high.size(), t, paper, c));
}

void test_bands() {
  const Bands p = paper_bands(), n = nkcorpus_bands();
  CHECK(!p.keep(0, 0));      // nothing counted: dropped
  CHECK(p.keep(1, 1));
  CHECK(!p.keep(4, 5));      // ratio 0.8 is not above 0.8
  CHECK(p.keep(57, 70));     // 0.814 > 0.80, band 1-70
  CHECK(!p.keep(56, 70));    // 0.8
  CHECK(p.keep(50, 71));     // 0.704 > 0.70, band 71-230
  CHECK(!p.keep(49, 70));
  CHECK(!p.keep(161, 230));  // exactly 0.70
  CHECK(p.keep(139, 231));   // 0.6017 > 0.60, band > 230
  CHECK(!p.keep(138, 230));
  CHECK(!n.keep(0, 0));
  CHECK(n.keep(1, 1));
  CHECK(!n.keep(4, 5));      // 0.8, and 4 <= 50 so the 0.7 band does not apply
  CHECK(n.keep(51, 70));     // 0.729 > 0.7 and 51 > 50
  CHECK(!n.keep(50, 70));    // 50 is not above 50
  CHECK(n.keep(151, 250));   // 0.604 > 0.6 and 151 > 150
  CHECK(!n.keep(150, 250));
}

void test_extract_lines() {
  const uint8_t* t = small_table().data();
  const Bands p = paper_bands(), n = nkcorpus_bands();
  const uint8_t paper = kWs | kPh, nk = kWs | kPh | kDigitDot;
  auto extract = [&](const std::string& in, const Bands& b, uint8_t skip) {
    return run_utf8(in, [&](const uint8_t* q, const uint8_t* e, Out<uint8_t>& o) {
      return extract_lines<Utf8Unit>(q, e, t, skip, b, o);
    });
  };
  // \r\n, \r and \n all end lines; output joined with \n, no trailing newline.
  const std::string doc = utf8_of(U"中文中文\r\nabc\r中文a\n\n中文\n");
  auto r = extract(doc, p, paper);
  CHECK(r.first);
  CHECK_EQ(r.second, utf8_of(U"中文中文\n中文"));
  r = extract(doc, n, nk);
  CHECK(r.first);
  CHECK_EQ(r.second, utf8_of(U"中文中文\n中文"));
  // Digits and '.' count in paper mode, not in NKCorpus mode.
  const std::string nums = utf8_of(U"价格12.5元");
  CHECK_EQ(extract(nums, p, paper).second, std::string());               // 3/7
  CHECK_EQ(extract(nums, n, nk).second, nums);                            // 3/3
  // White space and placeholders never count; a line with nothing counted is dropped.
  CHECK_EQ(extract(utf8_of(U"  中 文 \u200b\n \t\n"), p, paper).second, utf8_of(U"  中 文 \u200b"));
  CHECK_EQ(extract(std::string(), p, paper).second, std::string());
  CHECK_EQ(extract("\n\r\n\r", p, paper).second, std::string());
  // Nothing kept: empty output, still a success.
  r = extract("hello\nworld", p, paper);
  CHECK(r.first);
  CHECK_EQ(r.second, std::string());
  // Ill-formed UTF-8 anywhere: refused, whatever was written is the caller's to reset.
  CHECK(!extract("\xE4\xB8\x80\n\xFF", p, paper).first);

  // UCS2 and UCS4 give the same lines.
  const std::u32string d32 = U"中文中文\r\nabc\r中文a\n\n中文\n";
  auto r2 = run_ucs(ucs<uint16_t>(d32), [&](const uint16_t* q, const uint16_t* e, Out<uint16_t>& o) {
    return extract_lines<UcsUnit<uint16_t>>(q, e, t, paper, p, o);
  });
  CHECK(r2.first);
  CHECK_EQ(r2.second, ucs<uint16_t>(U"中文中文\n中文"));
  auto r4 = run_ucs(ucs<uint32_t>(d32 + U"𠀀𠀀"), [&](const uint32_t* q, const uint32_t* e, Out<uint32_t>& o) {
    return extract_lines<UcsUnit<uint32_t>>(q, e, t, paper, p, o);
  });
  CHECK(r4.first);
  CHECK_EQ(r4.second, ucs<uint32_t>(U"中文中文\n中文\n𠀀𠀀"));
}

void test_strip_chars() {
  const uint8_t* t = small_table().data();
  auto strip = [&](const std::string& in) {
    return run_utf8(in, [&](const uint8_t* q, const uint8_t* e, Out<uint8_t>& o) { return strip_chars<Utf8Unit>(q, e, t, o); });
  };
  const std::string in = std::string("a\x01") + "b" + utf8_of(U"\u200b中\u3000文") + "\tc\r\nd\x7F" + std::string(1, '\0');
  auto r = strip(in);
  CHECK(r.first);
  CHECK_EQ(r.second, utf8_of(U"ab中文\tc\nd"));  // \t and \n stay; \r (a C0 control) goes
  CHECK_EQ(strip("").second, std::string());
  CHECK_EQ(strip("\x01\x02").second, std::string());
  CHECK(!strip("ok\xC3").first);
  auto r2 = run_ucs(ucs<uint16_t>(U"\ufeff\u200b标题\u3000正文"), [&](const uint16_t* q, const uint16_t* e, Out<uint16_t>& o) {
    return strip_chars<UcsUnit<uint16_t>>(q, e, t, o);
  });
  CHECK(r2.first);
  CHECK_EQ(r2.second, ucs<uint16_t>(U"\ufeff标题正文"));  // U+FEFF is not in this small table's set
  auto r1 = run_ucs(ucs<uint8_t>(U"x\u0085y\u00a0z"), [&](const uint8_t* q, const uint8_t* e, Out<uint8_t>& o) {
    return strip_chars<UcsUnit<uint8_t>>(q, e, t, o);
  });
  CHECK_EQ(r1.second, ucs<uint8_t>(U"xy\u00a0z"));
}

void test_trim_doc() {
  const uint8_t* t = small_table().data();
  auto trim = [&](const std::string& in) {
    return run_utf8(in, [&](const uint8_t* q, const uint8_t* e, Out<uint8_t>& o) { return trim_doc<Utf8Unit>(q, e, t, o); });
  };
  // Head (no punctuation) and tail (after the last end + closers) are cut.
  auto r = trim(utf8_of(U"导航\n第一句，好。\n菜单\n第二句！”）尾巴\n版权"));
  CHECK(r.first);
  CHECK_EQ(r.second, utf8_of(U"第一句，好。\n第二句！”）"));
  // Closers only count right after a sentence end.
  CHECK_EQ(trim(utf8_of(U"说：“好。”然后）")).second, utf8_of(U"说：“好。”"));
  // No sentence end: nothing is kept.
  r = trim(utf8_of(U"只有逗号，没有句号"));
  CHECK(r.first);
  CHECK_EQ(r.second, std::string());
  CHECK_EQ(trim("").second, std::string());
  // \r\n and \r end lines; kept lines are joined with \n.
  CHECK_EQ(trim(utf8_of(U"一，\r\n二\r三。\r\n")).second, utf8_of(U"一，\n三。"));
  // ASCII '!' and '?' are ends here; '.' is not.
  CHECK_EQ(trim("Hello, world! v1.2 ok.").second, std::string("Hello, world!"));
  CHECK(!trim(utf8_of(U"句子。") + "\xED\xA0\x80").first);
  auto r2 = run_ucs(ucs<uint16_t>(U"菜单\r\n正文，内容。）\n尾"), [&](const uint16_t* q, const uint16_t* e, Out<uint16_t>& o) {
    return trim_doc<UcsUnit<uint16_t>>(q, e, t, o);
  });
  CHECK(r2.first);
  CHECK_EQ(r2.second, ucs<uint16_t>(U"正文，内容。）"));
}

void test_count_len() {
  int64_t n = -1;
  const std::string s = utf8_of(U"a中😀\n");
  CHECK(count_len<Utf8Unit>(u8p(s), u8p(s) + s.size(), n));
  CHECK_EQ(n, 4LL);
  CHECK(count_len<Utf8Unit>(u8p(s), u8p(s), n));
  CHECK_EQ(n, 0LL);
  CHECK(!count_len<Utf8Unit>(u8p("\x80"), u8p("\x80") + 1, n));
  const auto s2 = ucs<uint16_t>(U"中文abc");
  CHECK(count_len<UcsUnit<uint16_t>>(s2.data(), s2.data() + s2.size(), n));
  CHECK_EQ(n, 5LL);
  const std::vector<uint16_t> lone = {0x61, 0xDC00};
  CHECK(!count_len<UcsUnit<uint16_t>>(lone.data(), lone.data() + lone.size(), n));
}

void test_sanitize() {
  auto san8 = [](const std::string& in, Errors err) {
    std::vector<uint8_t> out;
    sanitize<Utf8Unit>(u8p(in), u8p(in) + in.size(), err, out);
    return std::string(out.begin(), out.end());
  };
  const std::string fffd = "\xEF\xBF\xBD";
  // One U+FFFD per maximal subpart, as Python's bytes.decode(errors="replace").
  CHECK_EQ(san8("a\xE0\x80" "b", Errors::kReplace), "a" + fffd + fffd + "b");
  CHECK_EQ(san8("a\xE0\x80" "b", Errors::kDrop), std::string("ab"));
  CHECK_EQ(san8("x\xF0\x9F\x98", Errors::kReplace), "x" + fffd);
  CHECK_EQ(san8("\xED\xA0\x80", Errors::kReplace), fffd + fffd + fffd);
  CHECK_EQ(san8("\xF0\x9F\x98" "A\xE4\xB8\x80", Errors::kReplace), fffd + "A\xE4\xB8\x80");
  CHECK_EQ(san8("ok \xE4\xB8\x80", Errors::kReplace), std::string("ok \xE4\xB8\x80"));
  CHECK_EQ(san8("", Errors::kReplace), std::string());
  // The output is well-formed: every kernel accepts it.
  const std::string fixed = san8("\xC0\xAF\xE0\x80\xBF\xF4\x90\x80\x80\xED\xBF\xBF\xF8", Errors::kReplace);
  int64_t n = 0;
  CHECK(count_len<Utf8Unit>(u8p(fixed), u8p(fixed) + fixed.size(), n));
  CHECK_EQ(n, 13LL);  // every one of these 13 bytes is a maximal subpart of its own
  // UCS2/UCS4: a lone surrogate is one invalid unit.
  std::vector<uint16_t> o2;
  const std::vector<uint16_t> in2 = {0x61, 0xD800, 0xDC00, 0x4E00};
  sanitize<UcsUnit<uint16_t>>(in2.data(), in2.data() + in2.size(), Errors::kReplace, o2);
  CHECK_EQ(o2, (std::vector<uint16_t>{0x61, 0xFFFD, 0xFFFD, 0x4E00}));
  sanitize<UcsUnit<uint16_t>>(in2.data(), in2.data() + in2.size(), Errors::kDrop, o2);
  CHECK_EQ(o2, (std::vector<uint16_t>{0x61, 0x4E00}));
  std::vector<uint32_t> o4;
  const std::vector<uint32_t> in4 = {0x20000, 0xDBFF, 0x41};
  sanitize<UcsUnit<uint32_t>>(in4.data(), in4.data() + in4.size(), Errors::kReplace, o4);
  CHECK_EQ(o4, (std::vector<uint32_t>{0x20000, 0xFFFD, 0x41}));
}

// ---------------------------------------------------------------------------
// Batch drivers: sanitize-and-retry, document order, thread count and SIMD level.

struct Corpus {
  std::vector<std::string> utf8;            // owned bytes
  std::vector<std::vector<uint16_t>> ucs2;  // owned UCS2 copies of the well-formed ones
};

Corpus make_corpus(size_t n) {
  Corpus c;
  const std::u32string pieces[] = {U"导航 首页 登录\n", U"这是一个中文句子，包含标点。", U"English text only.\r\n",
                                   U"数字 12.5% 和 3.14\n", U"\u200b\u3000控制\u0001字符！”\n", U"𠀀𠀁 扩展B。\r",
                                   U"短\n", U"版权所有 © 2024"};
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (size_t i = 0; i < n; ++i) {
    std::u32string d;
    const size_t k = 1 + i % 23;
    for (size_t j = 0; j < k; ++j) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      d += pieces[x % 8];
    }
    std::string b = utf8_of(d);
    if (i % 17 == 5) b += "\xE0\x80";      // ill-formed tail
    if (i % 29 == 3) b.insert(0, "\xF0\x9F\x98");
    c.utf8.push_back(b);
    std::vector<uint16_t> u;
    for (char32_t ch : d)
      if (ch < 0x10000) u.push_back(static_cast<uint16_t>(ch));
    if (i % 31 == 7) u.push_back(0xD800);  // lone surrogate
    c.ucs2.push_back(u);
  }
  return c;
}

std::vector<DocIn> utf8_docs(const Corpus& c) {
  std::vector<DocIn> d;
  for (const auto& s : c.utf8) d.push_back({s.data(), static_cast<int64_t>(s.size()), 0});
  return d;
}

std::vector<DocIn> ucs2_docs(const Corpus& c) {
  std::vector<DocIn> d;
  for (const auto& s : c.ucs2) d.push_back({s.data(), static_cast<int64_t>(s.size()), 2});
  return d;
}

// Expected edit output of one document with the generic kernels (sanitize first).
template <class Tag>
std::vector<typename Tag::unit> expect_edit(const typename Tag::unit* p, int64_t n, EditOp op, const EditParams& prm) {
  using U = typename Tag::unit;
  std::vector<U> clean;
  sanitize<Tag>(p, p + n, prm.errors, clean);
  Arena a;
  Out<U> out(a);
  bool ok = false;
  const U* b = clean.data();
  const U* e = b + clean.size();
  switch (op) {
    case EditOp::kExtract: ok = extract_lines<Tag>(b, e, prm.table->data(), prm.skip, *prm.bands, out); break;
    case EditOp::kStrip: ok = strip_chars<Tag>(b, e, prm.table->data(), out); break;
    default: ok = trim_doc<Tag>(b, e, prm.table->data(), out); break;
  }
  CHECK(ok);
  std::vector<U> v(out.units());
  if (!v.empty()) std::memcpy(v.data(), a.data(), v.size() * sizeof(U));
  return v;
}

// Document i of an edit's output, read as the Edited struct documents it: units[i] code
// units at arenas[chunk of i].data() + start[i].
template <class U>
std::vector<std::vector<U>> outputs(const Edited& ed) {
  std::vector<std::vector<U>> v(ed.units.size());
  size_t chunk = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    while (i >= ed.chunk_begin[chunk + 1]) ++chunk;
    if (ed.start[i] % static_cast<int64_t>(sizeof(U)) != 0) {
      ++g_failures;
      std::fprintf(stderr, "%s:%d: document %zu starts at a misaligned offset\n", __FILE__, __LINE__, i);
      continue;
    }
    const uint8_t* p = ed.arenas[chunk].data() + ed.start[i];
    v[i].resize(static_cast<size_t>(ed.units[i]));
    if (!v[i].empty()) std::memcpy(v[i].data(), p, v[i].size() * sizeof(U));
  }
  return v;
}

void test_batch() {
  const Corpus corpus = make_corpus(8000);
  const auto d8 = utf8_docs(corpus);
  size_t bytes = 0;
  for (const auto& d : d8) bytes += static_cast<size_t>(d.n);
  CHECK(bytes > (size_t(1) << 20));  // enough for any batch driver to split the work
  const auto d16 = ucs2_docs(corpus);
  const Bands bands = paper_bands();
  const EditOp ops[] = {EditOp::kExtract, EditOp::kStrip, EditOp::kTrim};

  for (Errors err : {Errors::kReplace, Errors::kDrop}) {
    EditParams prm;
    prm.table = &small_table();
    prm.skip = kWs | kPh;
    prm.bands = &bands;
    prm.errors = err;
    for (EditOp op : ops) {
      std::vector<std::vector<uint8_t>> want8;
      for (const auto& str : corpus.utf8)
        want8.push_back(expect_edit<Utf8Unit>(u8p(str), static_cast<int64_t>(str.size()), op, prm));
      for (int threads : {1, 2, 3, 8}) {
        Edited ed = edit_batch(d8, op, prm, threads);
        if (threads == 8) CHECK(ed.chunk_begin.size() > 2);  // the work really was split
        ++g_checks;
        if (outputs<uint8_t>(ed) != want8) {
          ++g_failures;
          std::fprintf(stderr, "%s:%d: edit_batch op=%d errors=%d threads=%d differs from the generic kernels\n",
                       __FILE__, __LINE__, static_cast<int>(op), static_cast<int>(err), threads);
        }
      }
      // UCS2 documents.
      std::vector<std::vector<uint16_t>> want16;
      for (const auto& u : corpus.ucs2)
        want16.push_back(expect_edit<UcsUnit<uint16_t>>(u.data(), static_cast<int64_t>(u.size()), op, prm));
      for (int threads : {1, 3}) {
        Edited ed = edit_batch(d16, op, prm, threads);
        ++g_checks;
        if (outputs<uint16_t>(ed) != want16) {
          ++g_failures;
          std::fprintf(stderr, "%s:%d: UCS2 edit_batch op=%d errors=%d threads=%d differs\n", __FILE__, __LINE__,
                       static_cast<int>(op), static_cast<int>(err), threads);
        }
      }
    }

    // ratio_batch / length_batch against the generic kernels.
    std::vector<double> want_r;
    std::vector<int64_t> want_n;
    for (const auto& s : corpus.utf8) {
      std::vector<uint8_t> clean;
      sanitize<Utf8Unit>(u8p(s), u8p(s) + s.size(), err, clean);
      Counts c;
      CHECK(count_chars<Utf8Unit>(clean.data(), clean.data() + clean.size(), small_table().data(), kWs | kPh, c));
      want_r.push_back(c.counted ? static_cast<double>(c.zh) / static_cast<double>(c.counted) : 0.0);
      int64_t n = 0;
      CHECK(count_len<Utf8Unit>(clean.data(), clean.data() + clean.size(), n));
      want_n.push_back(n);
    }
    for (int threads : {1, 4}) {
      std::vector<double> r(d8.size(), -1.0);
      ratio_batch(d8, small_table(), kWs | kPh, err, threads, r.data());
      CHECK(r == want_r);
      std::vector<int64_t> n(d8.size(), -1);
      length_batch(d8, err, threads, n.data());
      CHECK(n == want_n);
    }
  }

  // Empty batch and empty documents.
  {
    EditParams prm;
    prm.table = &small_table();
    prm.bands = &bands;
    std::vector<DocIn> none;
    Edited ed = edit_batch(none, EditOp::kStrip, prm, 2);
    CHECK(outputs<uint8_t>(ed).empty());
    const std::string empty;
    std::vector<DocIn> two = {{empty.data(), 0, 0}, {empty.data(), 0, 0}};
    Edited ed2 = edit_batch(two, EditOp::kTrim, prm, 2);
    CHECK(outputs<uint8_t>(ed2) == std::vector<std::vector<uint8_t>>(2));
  }
}

// Every SIMD level this CPU/build offers gives the scalar result.
void test_simd_levels() {
  const cpu::Level best = cpu::detected();
  std::printf("SIMD: detected %s, active %s\n", cpu::name(best), cpu::name(cpu::active()));
  const cpu::Level saved = cpu::active();
  const Corpus corpus = make_corpus(1500);
  const auto d8 = utf8_docs(corpus);
  const Bands bands = nkcorpus_bands();
  EditParams prm;
  prm.table = &small_table();
  prm.skip = kWs | kPh | kDigitDot;
  prm.bands = &bands;

  auto snapshot = [&]() {
    std::string all;
    for (EditOp op : {EditOp::kExtract, EditOp::kStrip, EditOp::kTrim}) {
      Edited ed = edit_batch(d8, op, prm, 2);
      for (const auto& d : outputs<uint8_t>(ed)) {
        all.append(d.begin(), d.end());
        all += '\0';
      }
    }
    std::vector<double> r(d8.size());
    ratio_batch(d8, small_table(), prm.skip, prm.errors, 2, r.data());
    std::vector<int64_t> n(d8.size());
    length_batch(d8, prm.errors, 2, n.data());
    all.append(reinterpret_cast<const char*>(r.data()), r.size() * sizeof(double));
    all.append(reinterpret_cast<const char*>(n.data()), n.size() * sizeof(int64_t));
    return all;
  };

  cpu::set_level(cpu::Level::kScalar);
  CHECK(cpu::active() == cpu::Level::kScalar);
  const std::string scalar = snapshot();
  for (cpu::Level l : {cpu::Level::kAvx2, cpu::Level::kAvx512}) {
    if (static_cast<int>(l) > static_cast<int>(best)) {
      bool threw = false;
      try {
        cpu::set_level(l);
      } catch (const std::exception&) {
        threw = true;
      }
      CHECK(threw);  // a level above detected() is refused
      continue;
    }
    cpu::set_level(l);
    ++g_checks;
    if (snapshot() != scalar) {
      ++g_failures;
      std::fprintf(stderr, "%s:%d: SIMD level %s differs from scalar\n", __FILE__, __LINE__, cpu::name(l));
    }
  }
  cpu::set_level(saved);
  CHECK(cpu::parse("scalar") == cpu::Level::kScalar);
  CHECK(cpu::parse("avx2") == cpu::Level::kAvx2);
  CHECK(cpu::parse("avx512") == cpu::Level::kAvx512);
  bool threw = false;
  try {
    cpu::parse("sse9");
  } catch (const std::exception&) {
    threw = true;
  }
  CHECK(threw);
}

void test_chartable() {
  const CharTable& t = small_table();
  CHECK_EQ(static_cast<int>(t[0x4E00]), static_cast<int>(kZh));
  CHECK_EQ(static_cast<int>(t[0x3002]), static_cast<int>(kZh | kPunct | kEnd));  // 。
  CHECK_EQ(static_cast<int>(t[0x3000]), static_cast<int>(kWs | kCtrl));
  CHECK_EQ(static_cast<int>(t[0x0A]), static_cast<int>(kWs | kPh));
  CHECK_EQ(static_cast<int>(t['.']), static_cast<int>(kDigitDot));
  CHECK_EQ(static_cast<int>(t[kMaxCp]), 0);
  bool threw = false;
  try {
    CharTable bad({{kZh, {{0x20, 0x10}}}});
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  CHECK(threw);
  threw = false;
  try {
    CharTable bad({{kZh, {{0x10FFFF, 0x110000}}}});
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  CHECK(threw);
}

// Repetition statistics: hand-computed values, the same for UTF-8 and UCS4 input
// and at 1 and 2 threads.
void test_repetition() {
  const CharTable t({{rep::kWs, {{0x09, 0x0D}, {0x20, 0x20}, {0x3000, 0x3000}}},
                     {rep::kSymbol, {{'#', '#'}}},
                     {rep::kDigit, {{'0', '9'}}},
                     {rep::kLineEnd, {{0x3002, 0x3002}}},
                     {rep::kStopWord, {{0x7684, 0x7684}}},     // 的
                     {rep::kStopPrefix, {{0x6211, 0x6211}}}});  // 我 (of 我们)
  const rep::StopWords stop({0x6211, 0x4EEC, 0x7684}, {0, 2, 3});  // 我们, 的
  // "首页\n首页\n\n我们的#1。" : 3 lines, 2 paragraphs
  const std::string utf8 = "\xE9\xA6\x96\xE9\xA1\xB5\n\xE9\xA6\x96\xE9\xA1\xB5\n\n"
                           "\xE6\x88\x91\xE4\xBB\xAC\xE7\x9A\x84#1\xE3\x80\x82";
  const std::vector<uint32_t> ucs4 = {0x9996, 0x9875, '\n', 0x9996, 0x9875, '\n', '\n',
                                      0x6211, 0x4EEC, 0x7684, '#', '1', 0x3002};
  std::vector<DocIn> docs;
  for (int k = 0; k < 3000; ++k) {  // over 1 MB of input in all: two threads are used
    docs.push_back(DocIn{utf8.data(), static_cast<int64_t>(utf8.size()), 0});
    docs.push_back(DocIn{ucs4.data(), static_cast<int64_t>(ucs4.size()), 4});
  }
  const size_t n = docs.size();
  std::vector<int64_t> iv(rep::kNumInt * n), iv2(rep::kNumInt * n);
  std::vector<double> fv(rep::kNumFloat * n), fv2(rep::kNumFloat * n);
  rep::measure(docs, t, stop, Errors::kReplace, 1, iv.data(), fv.data());
  rep::measure(docs, t, stop, Errors::kReplace, 2, iv2.data(), fv2.data());
  CHECK(iv == iv2);
  CHECK(fv == fv2);
  for (size_t i = 0; i < 2; ++i) {
    auto F = [&](int c) { return fv[static_cast<size_t>(c) * n + i]; };
    CHECK_EQ(iv[rep::kChars * n + i], 13L);
    CHECK_EQ(iv[rep::kLines * n + i], 3L);
    CHECK(F(rep::kDupLine) == 1.0 / 3);
    CHECK(F(rep::kDupLineChar) == 2.0 / 10);
    CHECK(F(rep::kDupPara) == 0.0);
    CHECK(F(rep::kSymbolRatio) == 1.0 / 10);
    CHECK(F(rep::kDigitRatio) == 1.0 / 10);
    CHECK(F(rep::kMeanLineLength) == 10.0 / 3);
    CHECK(F(rep::kPunctEndLine) == 1.0 / 3);
    CHECK(F(rep::kStopword) == 3.0 / 10);
    CHECK(F(rep::kTop2) == 2.0 * 2 / 10);  // 首页 twice
    CHECK(F(rep::kTop3) == 0.0);
    CHECK(F(rep::kDup5) == 0.0);
  }
  // Up to 65,518 distinct characters the n-grams are grouped by 16-bit rank, beyond
  // by code point: the same statistics either way. A 12-character prefix repeated.
  for (const uint32_t distinct : {65000u, 65518u, 65519u, 66000u}) {
    std::vector<uint32_t> big;
    for (uint32_t k = 0; k < distinct; ++k) big.push_back(0x10000 + k);
    for (uint32_t k = 0; k < 12; ++k) big.push_back(0x10000 + k);
    const std::vector<DocIn> one = {DocIn{big.data(), static_cast<int64_t>(big.size()), 4}};
    std::vector<int64_t> bi(rep::kNumInt);
    std::vector<double> bf(rep::kNumFloat);
    rep::measure(one, t, stop, Errors::kReplace, 1, bi.data(), bf.data());
    const double M = distinct + 12.0;
    CHECK_EQ(bi[rep::kChars], static_cast<int64_t>(M));
    CHECK(bf[rep::kTop2] == 2 * 2 / M);
    CHECK(bf[rep::kTop3] == 3 * 2 / M);
    CHECK(bf[rep::kTop4] == 4 * 2 / M);
    for (int c = rep::kDup5; c <= rep::kDup10; ++c) CHECK(bf[c] == 24 / M);
  }
}

}  // namespace

// PII scanner: spans of a few documents (byte offsets), the same at every SIMD level and
// thread count (docs/pii.md; the Python tests hold the full rule set).
void test_pii() {
  const std::string doc = "\xe7\x94\xb5\xe8\xaf\x9d 138 1234 5678, a@b.cn, QQ:12345678, 11010519491231002X, "
                          "4111111111111111 2023-10-01 1.2.3.4.5 fe80::1";
  const std::vector<std::vector<int64_t>> want = {{7, 20, pii::kMobile},  {22, 28, pii::kEmail},
                                                  {33, 41, pii::kQq},     {43, 61, pii::kIdCard},
                                                  {63, 79, pii::kBankCard}, {101, 108, pii::kIpv6}};
  const cpu::Level before = cpu::active();
  for (int lv = 0; lv <= static_cast<int>(cpu::detected()); ++lv) {
    cpu::set_level(static_cast<cpu::Level>(lv));
    std::vector<pii::Span> got;
    pii::find(u8p(doc), doc.size(), ~0u, got);
    CHECK_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size() && i < want.size(); ++i) {
      CHECK_EQ(got[i].start, want[i][0]);
      CHECK_EQ(got[i].end, want[i][1]);
      CHECK_EQ(static_cast<int64_t>(got[i].kind), want[i][2]);
    }
    got.clear();
    pii::find(u8p(doc), doc.size(), 1u << pii::kQq, got);
    CHECK(got.size() == 1 && got[0].kind == pii::kQq);
  }
  cpu::set_level(before);
  std::vector<std::string> texts;
  for (int i = 0; i < 3000; ++i) texts.push_back(i % 3 ? doc : std::string(200, 'x') + std::to_string(i));
  std::vector<DocIn> docs;
  for (const auto& t : texts) docs.push_back(DocIn{t.data(), static_cast<int64_t>(t.size()), 0});
  std::vector<int64_t> c1(docs.size() * pii::kNumKinds), c2(c1.size());
  pii::scan_batch(docs, ~0u, Errors::kReplace, 1, c1.data());
  pii::scan_batch(docs, ~0u, Errors::kReplace, 4, c2.data());
  CHECK(c1 == c2);
  CHECK_EQ(c1[pii::kNumKinds + pii::kMobile], int64_t{1});
}

// The noise-line filter: both rules, the cuts (kept lines joined by single
// breaks) and the assembled buffer; a UCS-4 document gives the same decisions.
void test_noise_lines() {
  auto cps = [](const char32_t* w) {
    std::vector<uint32_t> v;
    for (; *w; ++w) v.push_back(static_cast<uint32_t>(*w));
    return v;
  };
  std::vector<uint32_t> words = cps(U"\u8054\u7cfb\u6211\u4eec");  // a marker phrase (4 characters)
  const std::vector<uint32_t> menu = cps(U"\u9996\u9875");          // a cover-only word (2 characters)
  words.insert(words.end(), menu.begin(), menu.end());
  const match::Matcher mt(words, {0, 4, 6}, {1, 2}, 2);
  match::LineRule rule;
  rule.max_line_chars = 5;
  rule.min_cover = 0.5;
  rule.marker = {1, 0};
  const CharTable table({{static_cast<uint8_t>(kWs), {{0x20, 0x20}}}});
  const dedup::NormOptions norm{true, true, false, false, Errors::kReplace};
  const std::vector<std::string> texts = {
      "a\n\xe8\x81\x94\xe7\xb3\xbb\xe6\x88\x91\xe4\xbb\xac\nb",   // a / phrase (4 <= 5) / b
      "\xe8\x81\x94\xe7\xb3\xbb\xe6\x88\x91\xe4\xbb\xacxy",        // 6 non-space > 5, cover 4/6: goes
      "\xe8\x81\x94\xe7\xb3\xbb\xe6\x88\x91\xe4\xbb\xacxyzz",      // 8 > 5, cover 4/8: goes
      "\xe8\x81\x94\xe7\xb3\xbb\xe6\x88\x91\xe4\xbb\xacxyzzzz",    // 10 > 5, cover 4/10: stays
      "x \xe9\xa6\x96\xe9\xa1\xb5 y\nz\n\xe9\xa6\x96\xe9\xa1\xb5",  // cover 2/4 goes; last line goes
  };
  std::vector<DocIn> docs;
  for (const auto& t : texts) docs.push_back(DocIn{t.data(), static_cast<int64_t>(t.size()), 0});
  const size_t n = docs.size();
  std::vector<int64_t> lines(n), noise(n), chars(n), nchars(n), groups(2 * n);
  std::vector<match::Cuts> cuts;
  match::noise_lines(mt, rule, docs, table, norm, 1, {lines.data(), noise.data(), nchars.data(), chars.data(),
                     groups.data()}, &cuts);
  CHECK_EQ(lines, (std::vector<int64_t>{3, 1, 1, 1, 3}));
  CHECK_EQ(noise, (std::vector<int64_t>{1, 1, 1, 0, 2}));
  CHECK_EQ(chars, (std::vector<int64_t>{8, 6, 8, 10, 11}));
  CHECK_EQ(nchars, (std::vector<int64_t>{5, 6, 8, 0, 10}));
  CHECK_EQ(groups, (std::vector<int64_t>{1, 0, 1, 0, 1, 0, 0, 0, 0, 2}));
  std::vector<uint8_t> out(64);
  std::vector<int64_t> offs(n + 1);
  match::assemble_utf8(docs, cuts, 1, out.data(), offs.data());
  CHECK_EQ(std::string(reinterpret_cast<const char*>(out.data()), static_cast<size_t>(offs[n])),
           std::string("a\nb") + texts[3] + "z");
  // The last document as UCS-4 code points: same decisions, the cuts in code points.
  const std::vector<uint32_t> wide = cps(U"x \u9996\u9875 y\nz\n\u9996\u9875");
  const std::vector<DocIn> one = {DocIn{wide.data(), static_cast<int64_t>(wide.size()), 4}};
  int64_t l1, n1, c1, nc1, g1[2];
  std::vector<match::Cuts> cuts1;
  match::noise_lines(mt, rule, one, table, norm, 1, {&l1, &n1, &nc1, &c1, g1}, &cuts1);
  CHECK_EQ(n1, int64_t(2));
  CHECK_EQ(nc1, int64_t(10));
  CHECK_EQ(match::kept_units(one[0].n, cuts1[0]), int64_t(1));
  uint32_t z = 0;
  match::copy_kept(one[0], cuts1[0], reinterpret_cast<uint8_t*>(&z));
  CHECK_EQ(z, uint32_t('z'));
}

// Strict WARC framing: fields parsed like the Python reader, a record framed only
// when the next one follows its Content-Length, stopping at the first that does not.
void test_warc_frame() {
  static const char raw[] =
      "\r\nWARC/1.0\r\nWARC-Type: conversion\r\nContent-Length: 5\r\nwarc-TYPE: x\r\n\x1c: e \r\n"
      "NoColon\r\n\r\nhello\r\n\r\n"
      "WARC/1.0\nContent-Length: 0\n\n\x00\nWARC/1.0\r\nContent-Length: 12\r\n\r\nshort\r\n\r\n"
      "WARC/1.0\r\n\r\n";
  const std::string data(raw, sizeof raw - 1);  // holds a NUL
  const auto* buf = reinterpret_cast<const uint8_t*>(data.data());
  std::vector<warc::Frame> out;
  warc::frame_strict(buf, data.size(), 0, 1 << 20, 64 << 20, out);
  CHECK_EQ(out.size(), size_t(2));
  if (out.size() != 2) return;
  CHECK_EQ(out[0].start, size_t(2));
  CHECK_EQ(std::string(data, out[0].block, out[0].block_end - out[0].block), std::string("hello"));
  CHECK_EQ(out[0].fields.size(), size_t(3));  // warc-type, content-length, "" (the \x1c name strips to "")
  CHECK_EQ(out[0].fields[0].first, std::string("warc-type"));
  const auto [a, b] = out[0].fields[0].second;
  CHECK_EQ(std::string(data, a, b - a), std::string("conversion"));
  CHECK_EQ(out[0].fields[2].first, std::string(""));
  CHECK_EQ(out[1].block, out[1].block_end);
  CHECK_EQ(data.compare(out[1].next, 5, "WARC/"), 0);  // the third record's length is wrong: left to Python
  std::vector<warc::Frame> none;
  warc::frame_strict(buf, data.size(), 0, 20, 64 << 20, none);  // header longer than the limit
  CHECK_EQ(none.size(), size_t(0));
  warc::frame_strict(buf, data.size(), 0, 1 << 20, 4, none);  // block above the limit
  CHECK_EQ(none.size(), size_t(0));
}

int main() {
  struct {
    const char* name;
    void (*fn)();
  } tests[] = {
      {"utf8_decode_wellformed", test_utf8_decode_wellformed},
      {"utf8_maximal_subparts", test_utf8_maximal_subparts},
      {"utf8_against_oracle", test_utf8_against_oracle},
      {"utf8_encode_roundtrip", test_utf8_encode_roundtrip},
      {"chartable", test_chartable},
      {"count_chars", test_count_chars},
      {"bands", test_bands},
      {"extract_lines", test_extract_lines},
      {"strip_chars", test_strip_chars},
      {"trim_doc", test_trim_doc},
      {"count_len", test_count_len},
      {"sanitize", test_sanitize},
      {"batch", test_batch},
      {"simd_levels", test_simd_levels},
      {"pii", test_pii},
      {"repetition", test_repetition},
      {"noise_lines", test_noise_lines},
      {"warc_frame", test_warc_frame},
  };
  int passed = 0, failed = 0;
  for (const auto& t : tests) {
    const int before = g_failures;
    t.fn();
    const bool ok = g_failures == before;
    std::printf("%s %s\n", ok ? "PASS" : "FAIL", t.name);
    (ok ? passed : failed) += 1;
  }
  std::printf("cpp_tests: %d checks, %d failed checks\n", g_checks, g_failures);
  std::printf("%d passed, %d failed\n", passed, failed);
  return g_failures ? 1 : 0;
}
