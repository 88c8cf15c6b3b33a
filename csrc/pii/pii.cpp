#include "pii.h"

#include <algorithm>
#include <cstring>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "../common/cpu.h"
#include "../text/kernels.h"
#include "../text/simd.h"

namespace ce::pii {

#ifdef CE_ENABLE_SIMD
namespace avx2 {
size_t next_trigger(const uint8_t* p, size_t i, size_t n);  // simd_avx2.cpp
}
#endif

namespace {

constexpr size_t kNone = ~size_t(0);

// --------------------------------------------------------------------------- code points
// The text is well-formed UTF-8 here; out of range reads give code point 0, which no
// rule treats differently from "no character".

inline uint32_t decode(const uint8_t* p, size_t& len) noexcept {
  const uint32_t b = p[0];
  if (b < 0x80) return len = 1, b;
  if (b < 0xE0) return len = 2, ((b & 0x1F) << 6) | (p[1] & 0x3F);
  if (b < 0xF0) return len = 3, ((b & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
  return len = 4, ((b & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) | (p[3] & 0x3F);
}

struct Text {
  const uint8_t* p;
  size_t n;

  // Code point at byte i; next = the byte after it.
  uint32_t at(size_t i, size_t& next) const noexcept {
    if (i >= n) return next = i, 0;
    size_t len;
    const uint32_t c = decode(p + i, len);
    next = i + len;
    return c;
  }
  uint32_t at(size_t i) const noexcept {
    size_t nx;
    return at(i, nx);
  }
  // Code point that ends at byte i; start = its first byte.
  uint32_t before(size_t i, size_t& start) const noexcept {
    if (i == 0) return start = 0, 0;
    size_t j = i - 1;
    while (j > 0 && (p[j] & 0xC0) == 0x80) --j;
    start = j;
    size_t len;
    return decode(p + j, len);
  }
  uint32_t before(size_t i) const noexcept {
    size_t s;
    return before(i, s);
  }
};

inline bool ascii_digit(uint32_t c) noexcept { return c - '0' < 10u; }
inline bool ascii_letter(uint32_t c) noexcept { return ((c | 0x20u) - 'a') < 26u; }
inline bool ascii_alnum(uint32_t c) noexcept { return ascii_digit(c) || ascii_letter(c); }
inline bool hex_or_colon(uint32_t b) noexcept { return ascii_digit(b) || ((b | 0x20u) - 'a') < 6u || b == ':'; }

// Word characters: ASCII and full-width letters and digits.
inline bool is_w(uint32_t c) noexcept {
  return ascii_alnum(c) || c - 0xFF10u < 10u || c - 0xFF21u < 26u || c - 0xFF41u < 26u;
}

// The number kinds read full-width digits, '＋', '（', '）', '－', 'Ｘ', 'ｘ' as ASCII.
inline uint32_t fold(uint32_t c) noexcept {
  if (c < 0xFF08) return c;
  if (c - 0xFF10u < 10u) return c - 0xFF10u + '0';
  switch (c) {
    case 0xFF08: return '(';
    case 0xFF09: return ')';
    case 0xFF0B: return '+';
    case 0xFF0D: return '-';
    case 0xFF38: return 'X';
    case 0xFF58: return 'x';
    default: return c;
  }
}

// --------------------------------------------------------------------------- number helpers

struct Run {
  static constexpr int kCap = 24;  // longer runs match nothing; len stops at kCap + 1
  size_t end;
  int len;
  uint8_t d[kCap];
};

// The digits (folded) from byte i on.
inline Run digit_run(const Text& t, size_t i) noexcept {
  Run r;
  r.len = 0;
  for (;;) {
    size_t nx;
    const uint32_t c = fold(t.at(i, nx));
    if (!ascii_digit(c) || r.len > Run::kCap) break;
    if (r.len < Run::kCap) r.d[r.len] = static_cast<uint8_t>(c - '0');
    ++r.len;
    i = nx;
  }
  r.end = i;
  return r;
}

inline bool digit_at(const Text& t, size_t i) noexcept { return ascii_digit(fold(t.at(i))); }
inline bool digit_before(const Text& t, size_t i) noexcept { return ascii_digit(fold(t.before(i))); }

// Left edge of a number at s: no word character and no "digit." before it.
inline bool left_ok(const Text& t, size_t s) noexcept {
  size_t q;
  const uint32_t c = t.before(s, q);
  if (is_w(c)) return false;
  return !(c == '.' && digit_before(t, q));
}

// Right edge at u: no word character and no ".digit" after it.
inline bool right_ok(const Text& t, size_t u) noexcept {
  size_t nx;
  const uint32_t c = t.at(u, nx);
  if (is_w(c)) return false;
  return !(c == '.' && digit_at(t, nx));
}

// "digit sep" right before s / "sep digit" right at u (sep folded).
inline bool chain_left(const Text& t, size_t s, uint32_t sep) noexcept {
  size_t q;
  return fold(t.before(s, q)) == sep && digit_before(t, q);
}
inline bool chain_right(const Text& t, size_t u, uint32_t sep) noexcept {
  size_t nx;
  return fold(t.at(u, nx)) == sep && digit_at(t, nx);
}

inline bool group_sep(uint32_t c) noexcept { return c == ' ' || c == '-'; }

// Consumes the folded ASCII characters of lit at i.
inline bool expect(const Text& t, size_t& i, const char* lit) noexcept {
  for (; *lit; ++lit) {
    size_t nx;
    if (fold(t.at(i, nx)) != static_cast<uint8_t>(*lit)) return false;
    i = nx;
  }
  return true;
}

// --------------------------------------------------------------------------- kinds

struct Cand {
  int64_t start, end, cps;
  int kind;
};

class Finder {
 public:
  Finder(const Text& t, uint32_t kinds, std::vector<Cand>& out) : t_(t), kinds_(kinds), out_(out) {}

  void run();

 private:
  bool want(int k) const noexcept { return (kinds_ >> k) & 1u; }
  void add(size_t s, size_t e, int k) {
    int64_t cps = 0;
    for (size_t i = s; i < e; ++i) cps += (t_.p[i] & 0xC0) != 0x80;
    out_.push_back(Cand{static_cast<int64_t>(s), static_cast<int64_t>(e), cps, k});
  }

  void digits(size_t s, const Run& r);
  void mobile(size_t s0);
  void landline(size_t s0);
  void id_card(size_t s, const Run& r);
  void bank_card(size_t s, const Run& r);
  void ipv4(size_t s);
  void ipv6(size_t k);
  void email(size_t a);
  void account(size_t kw_end, bool qq, bool cjk);
  void keyword(size_t i);

  const Text& t_;
  uint32_t kinds_;
  std::vector<Cand>& out_;
  size_t v6_done_ = 0;  // the [0-9A-Fa-f:] run before this byte is done
};

void Finder::mobile(size_t s0) {
  size_t i = s0, nx;
  const uint32_t c = fold(t_.at(i, nx));
  bool prefix = true;
  if (c == '+') {
    i = nx;
    if (!expect(t_, i, "86")) return;
  } else if (c == '(') {
    i = nx;
    if (fold(t_.at(i, nx)) == '+') i = nx;
    if (!expect(t_, i, "86)")) return;
  } else if (c == '0') {
    if (!expect(t_, i, "0086")) return;
  } else if (c == '8') {
    if (!expect(t_, i, "86")) return;
  } else if (c == '1') {
    prefix = false;
  } else {
    return;
  }
  if (prefix && group_sep(fold(t_.at(i, nx)))) i = nx;
  const Run r = digit_run(t_, i);
  if (r.len < 3 || r.d[0] != 1 || r.d[1] < 3) return;
  size_t u;
  if (r.len == 11) {
    u = r.end;
    if (!right_ok(t_, u)) return;
  } else if (r.len == 3) {
    const uint32_t sep = fold(t_.at(r.end, nx));
    if (!group_sep(sep)) return;
    const Run g2 = digit_run(t_, nx);
    if (g2.len != 4 || fold(t_.at(g2.end, nx)) != sep) return;
    const Run g3 = digit_run(t_, nx);
    if (g3.len != 4) return;
    u = g3.end;
    if (!right_ok(t_, u) || chain_left(t_, s0, sep) || chain_right(t_, u, sep)) return;
  } else {
    return;
  }
  if (left_ok(t_, s0)) add(s0, u, kMobile);
}

void Finder::landline(size_t s0) {
  size_t i = s0, nx;
  const bool paren = fold(t_.at(i, nx)) == '(';
  if (paren) i = nx;
  const Run a = digit_run(t_, i);
  const bool area = a.len >= 3 && a.d[0] == 0 &&
                    ((a.len == 3 && ((a.d[1] == 1 && a.d[2] == 0) || a.d[1] == 2)) || (a.len == 4 && a.d[1] >= 3));
  if (!area) return;
  i = a.end;
  if (paren) {
    if (fold(t_.at(i, nx)) != ')') return;
    i = nx;
    if (group_sep(fold(t_.at(i, nx)))) i = nx;
  } else {
    if (fold(t_.at(i, nx)) != '-') return;
    i = nx;
  }
  const Run num = digit_run(t_, i);
  if (num.len < 7 || num.len > 8 || num.d[0] < 2) return;
  size_t u = num.end;
  const uint32_t c = fold(t_.at(u, nx));
  if (c == '-' || c == 0x8F6C) {  // extension: -123 or 转123
    const Run x = digit_run(t_, nx);
    if (x.len >= 1 && x.len <= 6 && right_ok(t_, x.end) && !chain_right(t_, x.end, '-')) u = x.end;
  }
  if (!right_ok(t_, u) || chain_right(t_, u, '-')) return;
  if (left_ok(t_, s0) && !chain_left(t_, s0, '-')) add(s0, u, kLandline);
}

bool valid_date(int y, int m, int d) noexcept {
  static const int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1900 || y > 2099 || m < 1 || m > 12 || d < 1) return false;
  const bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
  return d <= kDays[m - 1] + (m == 2 && leap);
}

void Finder::id_card(size_t s, const Run& r) {
  size_t u, nx;
  int check;
  if (r.len == 18) {
    u = r.end;
    check = r.d[17];
  } else if (r.len == 17 && (fold(t_.at(r.end, nx)) | 0x20) == 'x') {
    u = nx;
    check = 10;
  } else {
    return;
  }
  if (r.d[0] < 1 || r.d[0] > 8) return;
  const uint8_t* d = r.d;
  const int y = d[6] * 1000 + d[7] * 100 + d[8] * 10 + d[9], m = d[10] * 10 + d[11], day = d[12] * 10 + d[13];
  if (!valid_date(y, m, day)) return;
  static const int kW[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int k = 0; k < 17; ++k) sum += d[k] * kW[k];
  if ((12 - sum % 11) % 11 != check) return;  // ISO 7064 MOD 11-2
  if (left_ok(t_, s) && right_ok(t_, u)) add(s, u, kIdCard);
}

bool valid_bank(const uint8_t* d, int n) noexcept {
  bool same = true;
  int sum = 0;
  for (int i = 0; i < n; ++i) {
    same &= d[i] == d[0];
    int v = d[n - 1 - i];
    if (i & 1) v = v > 4 ? 2 * v - 9 : 2 * v;
    sum += v;
  }
  return !same && sum % 10 == 0;
}

void Finder::bank_card(size_t s, const Run& r) {
  if (r.len < 4 || r.d[0] < 3 || r.d[0] > 6 || !left_ok(t_, s)) return;
  if (r.len >= 16 && r.len <= 19) {
    if (right_ok(t_, r.end) && valid_bank(r.d, r.len)) add(s, r.end, kBankCard);
    return;
  }
  if (r.len != 4) return;
  size_t nx;
  const uint32_t sep = fold(t_.at(r.end, nx));
  if (!group_sep(sep) || chain_left(t_, s, sep)) return;
  uint8_t d[19];
  std::memcpy(d, r.d, 4);
  int nd = 4;
  size_t u = r.end;
  for (int g = 0; g < 3; ++g) {  // groups 2-4 follow "sep"
    if (fold(t_.at(u, nx)) != sep) return;
    const Run x = digit_run(t_, nx);
    if (x.len != 4) return;
    std::memcpy(d + nd, x.d, 4);
    nd += 4;
    u = x.end;
  }
  if (chain_right(t_, u, sep)) {  // a short fifth group (17-19 digits), or a longer chain
    t_.at(u, nx);
    const Run x = digit_run(t_, nx);
    if (x.len > 3) return;
    std::memcpy(d + nd, x.d, static_cast<size_t>(x.len));
    nd += x.len;
    u = x.end;
    if (chain_right(t_, u, sep)) return;
  }
  if (right_ok(t_, u) && valid_bank(d, nd)) add(s, u, kBankCard);
}

void Finder::ipv4(size_t s) {
  if (t_.before(s) == '.') return;  // the dotted run starts with a dot
  const uint8_t* p = t_.p;
  size_t r = s;
  while (r < t_.n && (ascii_digit(p[r]) || p[r] == '.')) ++r;
  if (p[r - 1] == '.') --r;
  int parts = 0;
  bool wide = false;
  for (size_t i = s; i <= r; ++i) {  // each part: 1-3 digits, <= 255, no leading zero
    size_t j = i;
    int v = 0;
    for (; j < r && p[j] != '.'; ++j)
      if (j - i < 4) v = v * 10 + (p[j] - '0');
    const size_t len = j - i;
    if (len == 0 || len > 3 || v > 255 || (len > 1 && p[i] == '0')) return;
    wide |= len > 1;
    ++parts;
    i = j;
  }
  if (parts != 4 || !wide) return;
  if (is_w(t_.before(s)) || is_w(t_.at(r))) return;
  add(s, r, kIpv4);
}

// Groups of [a, b) split at ':': each 1-4 hex digits; -1 when one is not.
int hex_groups(const uint8_t* p, size_t a, size_t b) noexcept {
  if (a == b) return 0;
  int n = 0;
  for (size_t i = a;; ++i) {
    size_t j = i;
    while (j < b && p[j] != ':') ++j;
    if (j == i || j - i > 4) return -1;
    ++n;
    if (j == b) return n;
    i = j;
  }
}

void Finder::ipv6(size_t k) {
  if (k < v6_done_) return;
  const uint8_t* p = t_.p;
  size_t lo = k, hi = k + 1;
  while (lo > 0 && hex_or_colon(p[lo - 1])) --lo;
  while (hi < t_.n && hex_or_colon(p[hi])) ++hi;
  v6_done_ = hi;
  if (hi - lo >= 2 && p[lo] == ':' && p[lo + 1] != ':') ++lo;  // a lone colon at either end is punctuation
  if (hi - lo >= 2 && p[hi - 1] == ':' && p[hi - 2] != ':') --hi;
  size_t dbl = kNone;
  int ndbl = 0;
  for (size_t i = lo; i + 1 < hi; ++i) {
    if (p[i] == ':' && p[i + 1] == ':') {
      if (i + 2 < hi && p[i + 2] == ':') return;
      if (ndbl++ == 0) dbl = i;
      ++i;
    }
  }
  if (ndbl > 1) return;
  if (ndbl == 1) {
    const int a = hex_groups(p, lo, dbl), b = hex_groups(p, dbl + 2, hi);
    if (a < 0 || b < 0 || a + b < 2 || a + b > 7) return;
  } else if (hex_groups(p, lo, hi) != 8) {
    return;
  }
  const uint32_t l = t_.before(lo), r = t_.at(hi);
  if (is_w(l) || l == '.' || is_w(r) || r == '.') return;
  add(lo, hi, kIpv6);
}

inline bool local_char(uint8_t b) noexcept {
  return ascii_alnum(b) || b == '.' || b == '_' || b == '%' || b == '+' || b == '-';
}
inline bool domain_char(uint8_t b) noexcept { return ascii_alnum(b) || b == '.' || b == '-'; }

void Finder::email(size_t a) {
  const uint8_t* p = t_.p;
  size_t lo = a, hi = a + 1;
  while (lo > 0 && local_char(p[lo - 1])) --lo;
  while (lo < a && p[lo] == '.') ++lo;
  while (hi < t_.n && domain_char(p[hi])) ++hi;
  while (hi > a + 1 && (p[hi - 1] == '.' || p[hi - 1] == '-')) --hi;
  if (a - lo < 1 || a - lo > 64 || p[a - 1] == '.') return;
  for (size_t i = lo; i + 1 < a; ++i)
    if (p[i] == '.' && p[i + 1] == '.') return;
  const uint32_t l = t_.before(lo), r = t_.at(hi);
  if (is_w(l) || l == '@' || is_w(r) || r == '@' || r == '_') return;
  if (hi - (a + 1) > 253) return;
  int labels = 0;
  size_t last = a + 1;
  for (size_t i = a + 1; i <= hi; ++i) {  // labels: 1-63 of [A-Za-z0-9-], no '-' at either end
    size_t j = i;
    while (j < hi && p[j] != '.') ++j;
    if (j == i || j - i > 63 || p[i] == '-' || p[j - 1] == '-') return;
    ++labels;
    last = i;
    i = j;
  }
  if (labels < 2 || hi - last < 2) return;
  for (size_t i = last; i < hi; ++i)
    if (!ascii_letter(p[i])) return;
  add(lo, hi, kEmail);
}

// Separators allowed between a keyword and the account.
inline bool gap_char(uint32_t c) noexcept {
  return c == ':' || c == 0xFF1A || c == ' ' || c == 0x3000 || c == 0x53F7 /*号*/ || c == 0x7801 /*码*/ ||
         c == 0x662F /*是*/ || c == 0x4E3A /*为*/;
}

void Finder::account(size_t kw_end, bool qq, bool cjk) {
  size_t a = kw_end, nx;
  int gap = 0;
  while (gap <= 4 && gap_char(t_.at(a, nx))) a = nx, ++gap;
  if (gap > 4) return;
  const Run r = digit_run(t_, a);
  if (qq) {
    if (r.len >= 5 && r.len <= 11 && r.d[0] != 0 && right_ok(t_, r.end)) add(a, r.end, kQq);
    return;
  }
  if (r.len == 11 && r.d[0] == 1 && r.d[1] >= 3 && right_ok(t_, r.end)) {
    add(a, r.end, kWechat);
    return;
  }
  if (gap == 0 && !cjk) return;  // "wxabc123" is one word, not a keyword and an id
  const uint8_t* p = t_.p;
  if (a >= t_.n || !ascii_letter(p[a])) return;
  size_t e = a + 1;
  bool mark = false;
  for (; e < t_.n && (ascii_alnum(p[e]) || p[e] == '_' || p[e] == '-'); ++e) mark |= !ascii_letter(p[e]);
  if (e - a < 6 || e - a > 20 || !mark) return;
  const uint32_t c = t_.at(e, nx);
  if (c == '@' || is_w(c) || (c == '.' && nx < t_.n && ascii_alnum(p[nx]))) return;
  add(a, e, kWechat);
}

inline bool ieq(const uint8_t* p, size_t i, size_t n, const char* lit) noexcept {
  for (; *lit; ++lit, ++i)
    if (i >= n || (p[i] | 0x20) != static_cast<uint8_t>(*lit)) return false;
  return true;
}

void Finder::keyword(size_t i) {
  const uint8_t* p = t_.p;
  const size_t n = t_.n;
  const uint8_t b = p[i];
  if (b >= 0x80) {  // 企鹅号 / 微信
    if (b == 0xE4) {
      if (want(kQq) && i + 9 <= n && std::memcmp(p + i, "\xE4\xBC\x81\xE9\xB9\x85\xE5\x8F\xB7", 9) == 0)
        account(i + 9, true, true);
    } else if (want(kWechat) && i + 6 <= n && std::memcmp(p + i, "\xE5\xBE\xAE\xE4\xBF\xA1", 6) == 0) {
      account(i + 6, false, true);
    }
    return;
  }
  size_t end = 0;
  bool qq = false;
  switch (b | 0x20) {
    case 'q':
      qq = true;
      if (ieq(p, i + 1, n, "q")) end = i + 2;
      else if (i + 4 <= n && std::memcmp(p + i + 1, "\xE5\x8F\xB7", 3) == 0) end = i + 4;
      break;
    case 'w':
      if (ieq(p, i + 1, n, "echat") || ieq(p, i + 1, n, "eixin")) end = i + 6;
      else if (ieq(p, i + 1, n, "x")) end = i + 2;
      break;
    case 'v':
      if (ieq(p, i + 1, n, "x")) end = i + 2;
      break;
  }
  if (!end || !want(qq ? kQq : kWechat) || is_w(t_.before(i))) return;
  account(end, qq, false);
}

void Finder::digits(size_t s, const Run& r) {
  size_t q;
  const uint32_t prev = fold(t_.before(s, q));
  if (want(kMobile)) {
    mobile(s);
    if (prev == '+') {
      mobile(q);
      size_t q2;
      if (fold(t_.before(q, q2)) == '(') mobile(q2);
    } else if (prev == '(') {
      mobile(q);
    }
  }
  if (want(kLandline)) {
    if (r.d[0] == 0) landline(s);
    if (prev == '(') landline(q);
  }
  if (want(kIdCard)) id_card(s, r);
  if (want(kBankCard)) bank_card(s, r);
  if (want(kIpv4) && t_.p[s] < 0x80) ipv4(s);
}

// Bytes that may start a match: ASCII digits, ':', '@' and the first letters of the keywords.
struct AsciiTriggers {
  uint8_t t[128] = {};
  AsciiTriggers() {
    for (int c = '0'; c <= '9'; ++c) t[c] = 1;
    t[':'] = t['@'] = 1;
    for (char c : {'Q', 'q', 'W', 'w', 'V', 'v'}) t[static_cast<uint8_t>(c)] = 1;
  }
};
const AsciiTriggers kTrig;

// The first trigger at or after byte i (n when none): an ASCII trigger byte, or the lead
// byte of a full-width digit (EF BC 90-99), 企 (E4 BC 81) or 微 (E5 BE AE). i may be
// inside a character (after a SIMD block); continuation bytes are stepped over one by one.
size_t next_trigger_scalar(const uint8_t* p, size_t i, size_t n) noexcept {
  while (i < n) {
    const uint8_t b = p[i];
    if (b < 0x80) {
      if (kTrig.t[b]) return i;
      ++i;
    } else if (b < 0xC0) {
      ++i;
    } else if (b < 0xE0) {
      i += 2;
    } else if (b >= 0xF0) {
      i += 4;
    } else {
      const uint32_t b1 = p[i + 1], b2 = p[i + 2];
      const bool fw_digit = (b == 0xEF) & (b1 == 0xBC) & (b2 - 0x90u < 10u);
      const bool kw = ((b == 0xE4) & (b1 == 0xBC) & (b2 == 0x81)) | ((b == 0xE5) & (b1 == 0xBE) & (b2 == 0xAE));
      if (fw_digit | kw) return i;
      i += 3;
    }
  }
  return n;
}

void Finder::run() {
  const uint8_t* p = t_.p;
  const size_t n = t_.n;
  const bool want_digits = kinds_ & ((1u << kMobile) | (1u << kLandline) | (1u << kIdCard) | (1u << kBankCard) |
                                     (1u << kIpv4) | (1u << kQq) | (1u << kWechat));
  const bool want_kw = kinds_ & ((1u << kQq) | (1u << kWechat));
#ifdef CE_ENABLE_SIMD
  const bool simd = cpu::active() != cpu::Level::kScalar;
#endif
  size_t i = 0;
  for (;;) {
#ifdef CE_ENABLE_SIMD
    if (simd) i = avx2::next_trigger(p, i, n);
#endif
    i = next_trigger_scalar(p, i, n);
    if (i >= n) break;
    const uint8_t b = p[i];
    if (ascii_digit(b) || b == 0xEF) {  // a digit run (ASCII or full-width digits)
      const Run r = digit_run(t_, i);
      if (want_digits) digits(i, r);
      i = r.end;
      while (i < n && digit_at(t_, i)) i += p[i] < 0x80 ? 1 : 3;  // past a run longer than the cap
    } else if (b == ':') {
      if (want(kIpv6)) ipv6(i);
      ++i;
    } else if (b == '@') {
      if (want(kEmail)) email(i);
      ++i;
    } else {
      if (want_kw) keyword(i);
      i += b < 0x80 ? 1 : 3;
    }
  }
}

// Rank of each kind among spans of equal length: an account named by its keyword first
// ("QQ：13812345678" is a QQ number), then the order of Kind.
constexpr int kTieRank[kNumKinds] = {2, 3, 4, 5, 6, 7, 8, 0, 1};

// Longer spans first, then kTieRank, then earlier start; a span that overlaps one
// already kept is dropped. Overlaps only chain inside clusters of overlapping candidates,
// so each cluster is resolved on its own.
void resolve(std::vector<Cand>& c, std::vector<Span>& out) {
  out.clear();
  if (c.empty()) return;
  std::sort(c.begin(), c.end(), [](const Cand& a, const Cand& b) {
    return a.start != b.start ? a.start < b.start : a.end < b.end;
  });
  std::vector<Cand> cluster, kept;
  size_t i = 0;
  while (i < c.size()) {
    size_t j = i + 1;
    int64_t reach = c[i].end;
    while (j < c.size() && c[j].start < reach) reach = std::max(reach, c[j++].end);
    if (j == i + 1) {
      out.push_back(Span{c[i].start, c[i].end, c[i].kind});
    } else {
      cluster.assign(c.begin() + static_cast<std::ptrdiff_t>(i), c.begin() + static_cast<std::ptrdiff_t>(j));
      std::sort(cluster.begin(), cluster.end(), [](const Cand& a, const Cand& b) {
        if (a.cps != b.cps) return a.cps > b.cps;
        if (a.kind != b.kind) return kTieRank[a.kind] < kTieRank[b.kind];
        return a.start < b.start;
      });
      kept.clear();
      for (const Cand& x : cluster) {
        bool free = true;
        for (const Cand& y : kept) free &= x.end <= y.start || y.end <= x.start;
        if (free) kept.push_back(x);
      }
      std::sort(kept.begin(), kept.end(), [](const Cand& a, const Cand& b) { return a.start < b.start; });
      for (const Cand& x : kept) out.push_back(Span{x.start, x.end, x.kind});
    }
    i = j;
  }
}

// --------------------------------------------------------------------------- documents

inline bool three_bytes(uint32_t c) noexcept { return c >= 0x800 && c < 0x10000 && (c - 0xD800u) >= 0x800u; }

inline void put3(uint8_t* o, uint32_t c) noexcept {
  o[0] = static_cast<uint8_t>(0xE0 | (c >> 12));
  o[1] = static_cast<uint8_t>(0x80 | ((c >> 6) & 0x3F));
  o[2] = static_cast<uint8_t>(0x80 | (c & 0x3F));
}

// UTF-8 of the code units of a Python str; a lone surrogate is ill-formed (bad = true).
template <class T>
uint8_t* encode_ucs(const T* s, int64_t m, uint8_t* o, bool replace, bool& bad) noexcept {
  int64_t j = 0;
  while (j < m) {
    if constexpr (sizeof(T) == 2) {  // runs of Chinese: four three-byte characters at a time
      while (j + 4 <= m && three_bytes(s[j]) & three_bytes(s[j + 1]) & three_bytes(s[j + 2]) &
                               three_bytes(s[j + 3])) {
        put3(o, s[j]), put3(o + 3, s[j + 1]), put3(o + 6, s[j + 2]), put3(o + 9, s[j + 3]);
        o += 12;
        j += 4;
      }
      if (j >= m) break;
    }
    uint32_t c = s[j++];
    if (c < 0x80) {
      *o++ = static_cast<uint8_t>(c);
      continue;
    }
    if ((c - 0xD800u) < 0x800u || c > 0x10FFFF) {
      bad = true;
      if (!replace) continue;
      c = utf8::kReplacement;
    }
    o += utf8::encode(c, o);
  }
  return o;
}

// The document as well-formed UTF-8: the input bytes themselves, or a repaired / encoded
// copy in buf. Returns true when the text differs from the input (ill-formed input).
bool prepare(const text::DocIn& d, text::Errors errors, std::vector<uint8_t>& buf, const uint8_t*& p, size_t& n) {
  const bool replace = errors == text::Errors::kReplace;
  if (d.kind == 0) {
    p = static_cast<const uint8_t*>(d.p);
    n = static_cast<size_t>(d.n);
    if (text::simd::valid_utf8(p, p + n)) return false;
    text::sanitize<text::Utf8Unit>(p, p + n, errors, buf);
    p = buf.data();
    n = buf.size();
    return true;
  }
  buf.resize(static_cast<size_t>(d.n) * (d.kind == 1 ? 2 : d.kind == 2 ? 3 : 4));
  bool bad = false;
  uint8_t* o = d.kind == 1   ? encode_ucs(static_cast<const uint8_t*>(d.p), d.n, buf.data(), replace, bad)
               : d.kind == 2 ? encode_ucs(static_cast<const uint16_t*>(d.p), d.n, buf.data(), replace, bad)
                             : encode_ucs(static_cast<const uint32_t*>(d.p), d.n, buf.data(), replace, bad);
  n = static_cast<size_t>(o - buf.data());
  p = buf.data();
  return bad;
}

struct Scratch {
  std::vector<uint8_t> buf;
  std::vector<Cand> cands;
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

template <class F>
void for_docs(size_t n, int threads, const std::vector<text::DocIn>& docs, F&& f) {
  threads = text::resolve_threads(threads);
  size_t total = 0;
  for (const auto& d : docs) total += static_cast<size_t>(d.n) * (d.kind ? d.kind : 1);
  if (total < (size_t(1) << 18)) threads = 1;  // not worth waking threads
  const int64_t m = static_cast<int64_t>(n);
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads) if (threads > 1)
  for (int64_t i = 0; i < m; ++i) f(static_cast<size_t>(i));
}

}  // namespace

void find(const uint8_t* p, size_t n, uint32_t kinds, std::vector<Span>& out) {
  std::vector<Cand>& c = scratch().cands;
  c.clear();
  Text t{p, n};
  Finder(t, kinds, c).run();
  resolve(c, out);
}

namespace {

// Runs f(i, p, n, repaired, spans) on every document: its well-formed text and kept spans.
template <class F>
void each_found(const std::vector<text::DocIn>& docs, uint32_t kinds, text::Errors errors, int threads, F&& f) {
  for_docs(docs.size(), threads, docs, [&](size_t i) {
    thread_local std::vector<Span> spans;
    const uint8_t* p;
    size_t n;
    const bool repaired = prepare(docs[i], errors, scratch().buf, p, n);
    find(p, n, kinds, spans);
    f(i, p, n, repaired, spans);
  });
}

}  // namespace

void scan_batch(const std::vector<text::DocIn>& docs, uint32_t kinds, text::Errors errors, int threads,
                int64_t* counts) {
  std::memset(counts, 0, docs.size() * kNumKinds * sizeof(int64_t));
  each_found(docs, kinds, errors, threads, [&](size_t i, const uint8_t*, size_t, bool, const std::vector<Span>& spans) {
    for (const Span& s : spans) ++counts[i * kNumKinds + static_cast<size_t>(s.kind)];
  });
}

void spans_batch(const std::vector<text::DocIn>& docs, uint32_t kinds, text::Errors errors, int threads,
                 std::vector<std::vector<int64_t>>& out) {
  out.assign(docs.size(), {});
  each_found(docs, kinds, errors, threads,
             [&](size_t i, const uint8_t* p, size_t, bool, const std::vector<Span>& spans) {
               std::vector<int64_t>& o = out[i];
               size_t byte = 0;
               int64_t cp = 0;
               auto to_cp = [&](int64_t b) {  // spans are in order: one walk per document
                 for (; byte < static_cast<size_t>(b); ++byte) cp += (p[byte] & 0xC0) != 0x80;
                 return cp;
               };
               for (const Span& s : spans) {
                 const int64_t a = to_cp(s.start);
                 o.insert(o.end(), {a, to_cp(s.end), static_cast<int64_t>(s.kind)});
               }
             });
}

void Masker::plan(const std::vector<text::DocIn>& docs, int threads, std::vector<Doc>& res, int64_t* counts) const {
  res.assign(docs.size(), Doc{});
  std::memset(counts, 0, docs.size() * kNumKinds * sizeof(int64_t));
  each_found(docs, kinds, errors, threads,
             [&](size_t i, const uint8_t*, size_t n, bool repaired, const std::vector<Span>& spans) {
               Doc& d = res[i];
               d.spans = spans;
               int64_t len = static_cast<int64_t>(n);
               for (const Span& s : spans) {
                 len += static_cast<int64_t>(repl[static_cast<size_t>(s.kind)].size()) - (s.end - s.start);
                 ++counts[i * kNumKinds + static_cast<size_t>(s.kind)];
               }
               d.out_len = len;
               d.changed = repaired || !spans.empty();
             });
}

void Masker::write(const std::vector<text::DocIn>& docs, const std::vector<Doc>& res,
                   const std::vector<uint8_t>& write, const int64_t* offsets, uint8_t* out, int threads) const {
  for_docs(docs.size(), threads, docs, [&](size_t i) {
    if (!write[i]) return;
    const uint8_t* p;
    size_t n;
    prepare(docs[i], errors, scratch().buf, p, n);
    uint8_t* o = out + offsets[i];
    size_t pos = 0;
    for (const Span& s : res[i].spans) {
      std::memcpy(o, p + pos, static_cast<size_t>(s.start) - pos);
      o += static_cast<size_t>(s.start) - pos;
      const std::string& r = repl[static_cast<size_t>(s.kind)];
      std::memcpy(o, r.data(), r.size());
      o += r.size();
      pos = static_cast<size_t>(s.end);
    }
    std::memcpy(o, p + pos, n - pos);
  });
}

}  // namespace ce::pii
