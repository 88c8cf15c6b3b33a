// PII scanner and masker for Chinese web text: phone numbers, resident ID and bank
// card numbers, e-mail and IP addresses, QQ and WeChat accounts. One pass over the
// UTF-8 bytes, triggered at digits, '@', ':' and keywords. Semantics: docs/pii.md;
// pure-Python twin: corpus_engine/reference/pii.py.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../text/batch.h"

namespace ce::pii {

// Column order of the counts (corpus_engine.pii.KINDS); also the tie order of the overlap rule.
enum Kind : int { kMobile, kLandline, kIdCard, kBankCard, kEmail, kIpv4, kIpv6, kQq, kWechat, kNumKinds };

struct Span {
  int64_t start, end;  // byte offsets in the (well-formed) UTF-8 text
  int kind;
};

// The kept spans of one well-formed UTF-8 text, in text order (overlaps resolved).
// kinds: bit k set = look for kind k.
void find(const uint8_t* p, size_t n, uint32_t kinds, std::vector<Span>& out);

struct Doc {
  std::vector<Span> spans;
  int64_t out_len = 0;  // bytes of the masked text
  bool changed = false;  // masked text differs from the input (spans, or ill-formed input)
};

// Counts per document and kind (row-major n x kNumKinds).
void scan_batch(const std::vector<text::DocIn>& docs, uint32_t kinds, text::Errors errors, int threads,
                int64_t* counts);

// Spans per document in code points: (start, end, kind) triples.
void spans_batch(const std::vector<text::DocIn>& docs, uint32_t kinds, text::Errors errors, int threads,
                 std::vector<std::vector<int64_t>>& out);

// Masking. Pass 1 finds the spans and the output length of every document; the caller
// lays the outputs out (offsets), then pass 2 writes document i at out + offsets[i]
// when write[i] is set.
struct Masker {
  uint32_t kinds;
  std::vector<std::string> repl;  // UTF-8 replacement per kind
  text::Errors errors;

  void plan(const std::vector<text::DocIn>& docs, int threads, std::vector<Doc>& res, int64_t* counts) const;
  void write(const std::vector<text::DocIn>& docs, const std::vector<Doc>& res, const std::vector<uint8_t>& write,
             const int64_t* offsets, uint8_t* out, int threads) const;
};

}  // namespace ce::pii
