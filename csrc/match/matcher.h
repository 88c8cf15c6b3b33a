// Exact multi-word matching for the censor stage: every occurrence of every
// lexicon word (overlapping ones included) in normalised text, counted per
// category. Semantics: docs/censor.md; pure-Python twin:
// corpus_engine/reference/censor.py.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "../dedup/dedup.h"
#include "../text/batch.h"

namespace ce::match {

struct Span {
  int64_t start, end, word;
};

class Matcher {
 public:
  // words: normalised words as code points, word i = cps[offsets[i] .. offsets[i+1]);
  // cats[i]: bitmask of the word's categories (ncat <= 64).
  Matcher(const std::vector<uint32_t>& cps, const std::vector<int64_t>& offsets, const std::vector<uint64_t>& cats,
          int ncat);

  // Per document i and category c (row-major n x ncat): hits, distinct words,
  // covered code points; length[i] in code points. spans (optional): per document.
  void scan(const std::vector<text::DocIn>& docs, const text::CharTable& norm_table, const dedup::NormOptions& norm,
            int threads, int64_t* hits, int64_t* distinct, int64_t* covered, int64_t* length,
            std::vector<std::vector<Span>>* spans) const;

  // Every hit in normalised code points c[0, m), ordered by start then end, appended to out.
  // cand: scratch for m + 16 values. (The noise-line filter, csrc/match/lines.h.)
  void find(const uint32_t* c, size_t m, uint32_t* cand, std::vector<Span>& out) const;

  size_t words() const noexcept { return word_len_.size(); }
  uint64_t word_categories(size_t w) const noexcept { return word_cats_[w]; }
  int categories() const noexcept { return ncat_; }

 private:
  struct Edge {
    uint64_t key;  // (node << 21 | code point) + 1; 0 = empty slot
    int32_t child;
  };
  int32_t child(int32_t node, uint32_t cp) const noexcept;
  void add_edge(uint64_t key, int32_t child);
  bool candidate(uint32_t c0, uint32_t c1) const noexcept;
  template <class Report>
  void walk(const uint32_t* c, size_t m, size_t i, Report&& report) const;
  template <class Report>
  void each_hit(const uint32_t* c, size_t m, uint32_t* cand, Report&& report) const;

  int ncat_;
  std::vector<Edge> edges_;          // open addressing, power-of-two size
  std::vector<int32_t> root_;        // children of the root for BMP code points (-1: none)
  std::vector<int32_t> terminal_;    // per trie node: word id or -1
  std::vector<uint8_t> leaf_;        // per trie node: 1 when it has no children
  std::vector<uint64_t> first_;      // BMP bitmap: a word starts with this code point
  std::vector<uint64_t> single_;     // BMP bitmap: a one-character word is this code point
  std::vector<uint32_t> fs_;         // both of the above, 2 bits per code point (AVX-512 filter)
  std::vector<uint64_t> bigram_;     // Bloom bitmap of the first two code points of longer words
  bool astral_first_ = false;        // a word starts with a code point above U+FFFF
  std::vector<uint64_t> word_cats_;
  std::vector<int32_t> word_len_;
  std::vector<uint8_t> word_alnum_;  // bit 0: first char ASCII alnum; bit 1: last char ASCII alnum
  int nodes_ = 1;
};

}  // namespace ce::match
