// Repetition and outlier statistics of documents, computed per document in one
// decoding pass plus a few passes over its code points: duplicate lines and
// paragraphs, the most frequent character 2/3/4-gram, the coverage of repeated
// character 5..10-grams, symbol / digit ratios, line shape and function words.
// Semantics: docs/repetition.md; pure-Python twin: corpus_engine/reference/repetition.py.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "../text/batch.h"
#include "../text/chartable.h"

namespace ce::rep {

// Flags of the character table the Python layer builds (corpus_engine.repetition).
// kStopWord: the character alone is a stop word; kStopPrefix: it starts a longer one.
enum Flag : uint8_t { kWs = 1, kSymbol = 2, kDigit = 4, kLineEnd = 8, kStopWord = 16, kStopPrefix = 32 };

// Output columns, in corpus_engine.repetition.COLUMNS order without chars and lines.
enum Col : int {
  kDupLine = 0,
  kDupLineChar,
  kDupPara,
  kDupParaChar,
  kTop2,  // kTop2 + (n - 2) for n = 2..4
  kTop3,
  kTop4,
  kDup5,  // kDup5 + (n - 5) for n = 5..10
  kDup6,
  kDup7,
  kDup8,
  kDup9,
  kDup10,
  kSymbolRatio,
  kDigitRatio,
  kMeanLineLength,
  kPunctEndLine,
  kStopword,
  kNumFloat
};
enum IntCol : int { kChars = 0, kLines, kNumInt };

// Stop words of two or more code points, looked up by their first code point
// (one-character words are the kStopWord flag of the character table).
class StopWords {
 public:
  // word i = cps[offsets[i] .. offsets[i+1]) (non-empty; one-character words are skipped).
  StopWords(const std::vector<uint32_t>& cps, const std::vector<int64_t>& offsets);

  // Length of the longest word of two or more code points starting at s[i] (0 if
  // none); s has m code points.
  size_t longest_at(const uint32_t* s, size_t i, size_t m) const noexcept;

 private:
  struct Slot {
    uint32_t cp;     // first code point; kEmpty when unused
    uint32_t begin;  // words of this first code point: order_[begin, end)
    uint32_t end;
  };
  static constexpr uint32_t kEmpty = 0xFFFFFFFFu;
  std::vector<Slot> slots_;  // open addressing, power-of-two size
  std::vector<uint32_t> order_;  // word indices grouped by first code point, longest first
  std::vector<uint32_t> cps_;
  std::vector<int64_t> offsets_;
};

// Statistics of every document: ints is kNumInt x n (column-major: column c of
// document i at ints[c * n + i]), floats is kNumFloat x n. Deterministic for any
// thread count (each document is computed alone).
void measure(const std::vector<text::DocIn>& docs, const text::CharTable& table, const StopWords& stop,
             text::Errors errors, int threads, int64_t* ints, double* floats);

}  // namespace ce::rep
