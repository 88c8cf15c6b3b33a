// Exact multi-word matching for the censor stage: every occurrence of every
// lexicon word (overlapping ones included) in normalised text, counted per
// category. Semantics: docs/censor.md; pure-Python twin:
// corpus_engine/reference/censor.py.
#pragma once

#include <cstddef>
#include <array>
#include <cstdint>
#include <vector>

#include "../dedup/dedup.h"
#include "../text/batch.h"

namespace ce::match {

// Bits of the Bloom filter of words' first two code points (shared with the SIMD filter).
constexpr int kBigramBits = 20;

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
  // The walk's view of a trie node, 16 bytes: its word and leaf flag, its first
  // child inline (most nodes past the root have one), the others in more_.
  struct Node {
    uint32_t cp1 = kNone;  // code point of the first child; kNone: no child
    int32_t child1 = -1;
    int32_t info = 0;      // (word id + 1) << 1 | leaf
    uint32_t more = 0;     // 1 + index in more_ of the other children (sentinel-ended); 0: none;
                           // kHashed: more than kScanMax children, looked up in edges_
  };
  static constexpr uint32_t kNone = 0xFFFFFFFFu, kHashed = 0xFFFFFFFFu;
  static constexpr size_t kScanMax = 8;
  int32_t child(int32_t node, uint32_t cp) const noexcept;
  int32_t next(int32_t v, const Node& n, uint32_t cp) const noexcept;  // child of node v (= n) past the root, or -1
  // The nodes two characters deep, keyed by those characters: a walk that starts
  // where no one-character word is takes its first two steps in one lookup.
  struct Pair {
    uint64_t key = 0;  // (c0 << 21 | c1) + 1; 0 = empty slot
    int32_t index = -1;
    Node node;
  };
  static uint64_t pair_key(uint32_t c0, uint32_t c1) { return ((static_cast<uint64_t>(c0) << 21) | c1) + 1; }
  size_t pair_slot(uint64_t key) const noexcept {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ULL) >> 20) & (pairs_.size() - 1);
  }
  const Pair* pair(uint32_t c0, uint32_t c1) const noexcept;
  void add_edge(uint64_t key, int32_t child);
  bool candidate(uint32_t c0, uint32_t c1) const noexcept;
  template <class Report>
  void walk(const uint32_t* c, size_t m, size_t i, Report&& report) const;
  template <class Report>
  void each_hit(const uint32_t* c, size_t m, uint32_t* cand, Report&& report) const;

  int ncat_;
  std::vector<Edge> edges_;          // open addressing, power-of-two size
  std::vector<int32_t> root_;        // children of the root for BMP code points (-1: none)
  std::vector<Node> node_;
  std::vector<Pair> pairs_;  // open addressing, power-of-two size
  std::vector<std::pair<uint32_t, int32_t>> more_;  // (code point, child) runs ended by (kNone, -1)
  std::vector<int32_t> terminal_;    // per trie node: word id or -1
  std::vector<uint8_t> leaf_;        // per trie node: 1 when it has no children
  std::vector<uint64_t> first_;      // BMP bitmap: a word starts with this code point
  std::vector<uint64_t> single_;     // BMP bitmap: a one-character word is this code point
  std::vector<uint32_t> fs_;         // both of the above, 2 bits per code point (AVX-512 filter)
  std::vector<uint64_t> bigram_;     // Bloom bitmap of the first two code points of longer words
  bool astral_first_ = false;        // a word starts with a code point above U+FFFF
  std::array<uint32_t, 64> singles64_{};  // one-character words by (cp * single_mult_) >> 26
  uint32_t single_mult_ = 0;              // 0: no collision-free table (too many such words)
  std::vector<uint64_t> word_cats_;
  std::vector<int32_t> word_len_;
  std::vector<uint8_t> word_alnum_;  // bit 0: first char ASCII alnum; bit 1: last char ASCII alnum
  int nodes_ = 1;
};

}  // namespace ce::match
