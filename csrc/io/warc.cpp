#include "warc.h"

#include <cstring>

namespace ce::warc {

namespace {

// The bytes the reader skips between records.
inline bool gap_byte(uint8_t c) { return c == '\r' || c == '\n' || c == '\t' || c == ' ' || c == 0; }

// ASCII white space of Python's str.strip().
inline bool py_space(uint8_t c) { return c == ' ' || (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x1f); }

inline void strip(const uint8_t* buf, size_t& a, size_t& b) {
  while (a < b && py_space(buf[a])) ++a;
  while (b > a && py_space(buf[b - 1])) --b;
}

// End of the header ("\n\r?\n"): sets hend (first '\n') and block; false if none
// ends within [start, lim).
bool header_end(const uint8_t* buf, size_t start, size_t lim, size_t& hend, size_t& block) {
  size_t k = start;
  while (k < lim) {
    const void* q = std::memchr(buf + k, '\n', lim - k);
    if (!q) return false;
    k = static_cast<size_t>(static_cast<const uint8_t*>(q) - buf);
    if (k + 1 < lim && buf[k + 1] == '\n') {
      hend = k, block = k + 2;
      return true;
    }
    if (k + 2 < lim && buf[k + 1] == '\r' && buf[k + 2] == '\n') {
      hend = k, block = k + 3;
      return true;
    }
    ++k;
  }
  return false;
}

// Parses the header lines after the version line; false where the Python parser
// would see something this path does not model (non-ASCII bytes, folded lines).
bool parse_fields(const uint8_t* buf, size_t start, size_t hend, Frame& f) {
  for (size_t i = start; i < hend; ++i) {
    if (buf[i] >= 0x80) return false;
    if (buf[i] == '\n' && i + 1 < hend && (buf[i + 1] == ' ' || buf[i + 1] == '\t')) return false;
  }
  const void* nl = std::memchr(buf + start, '\n', hend - start);
  size_t a = nl ? static_cast<size_t>(static_cast<const uint8_t*>(nl) - buf) + 1 : hend;
  while (a < hend) {
    const void* e = std::memchr(buf + a, '\n', hend - a);
    const size_t b = e ? static_cast<size_t>(static_cast<const uint8_t*>(e) - buf) : hend;
    const void* c = std::memchr(buf + a, ':', b - a);
    if (c) {
      const size_t colon = static_cast<size_t>(static_cast<const uint8_t*>(c) - buf);
      if (colon > a) {  // an empty name is skipped; a blank one gives the key ""
        size_t na = a, nb = colon, va = colon + 1, vb = b;
        strip(buf, na, nb);
        strip(buf, va, vb);
        std::string key(reinterpret_cast<const char*>(buf + na), nb - na);
        for (char& ch : key)
          if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
        bool seen = false;
        for (const auto& kv : f.fields) seen = seen || kv.first == key;
        if (!seen) f.fields.emplace_back(std::move(key), std::make_pair(va, vb));
      }
    }
    a = b + 1;
  }
  return true;
}

// Content-Length as the reader reads it (digits only); false if absent, not a
// number or above max_block.
bool content_length(const uint8_t* buf, const Frame& f, uint64_t max_block, uint64_t& cl) {
  for (const auto& kv : f.fields) {
    if (kv.first != "content-length") continue;
    const size_t a = kv.second.first, b = kv.second.second;
    if (a == b || b - a > 18) return false;
    cl = 0;
    for (size_t i = a; i < b; ++i) {
      if (buf[i] < '0' || buf[i] > '9') return false;
      cl = cl * 10 + (buf[i] - '0');
    }
    return cl <= max_block;
  }
  return false;
}

}  // namespace

void frame_strict(const uint8_t* buf, size_t len, size_t pos, size_t max_header, uint64_t max_block,
                  std::vector<Frame>& out) {
  size_t p = pos;
  for (;;) {
    size_t start = p;
    while (start < len && gap_byte(buf[start])) ++start;
    if (start + 16 > len || std::memcmp(buf + start, "WARC/", 5) != 0) return;
    Frame f;
    f.start = start;
    size_t hend = 0;
    const size_t lim = max_header < len - start ? start + max_header : len;
    if (!header_end(buf, start, lim, hend, f.block)) return;
    if (!parse_fields(buf, start, hend, f)) return;
    uint64_t cl = 0;
    if (!content_length(buf, f, max_block, cl) || cl > len - f.block) return;
    f.block_end = f.block + static_cast<size_t>(cl);
    size_t j = f.block_end;
    while (j < len && gap_byte(buf[j])) ++j;
    if (j + 5 > len || std::memcmp(buf + j, "WARC/", 5) != 0) return;
    f.next = j;
    out.push_back(std::move(f));
    p = j;
  }
}

}  // namespace ce::warc
