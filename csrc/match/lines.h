// Noise-line filter: removes the boilerplate lines of documents (copyright
// footers, ICP filings, breadcrumbs, menus...) found with the censor matcher's
// automaton over a phrase list. Semantics: docs/noise-lines.md; pure-Python
// twin: corpus_engine/reference/noise_lines.py.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "../dedup/dedup.h"
#include "../text/batch.h"
#include "../text/chartable.h"
#include "matcher.h"

namespace ce::match {

struct LineRule {
  int64_t max_line_chars = 60;  // a line of at most max_line_chars x (distinct marker phrases) goes
  double min_cover = 0.5;       // a line whose phrases cover this share of its non-space chars goes
  std::vector<uint8_t> marker;  // per word: 1 when it counts for the length rule
};

// Per-document statistics; group_lines is n x groups, row-major.
struct LineStats {
  int64_t* lines;
  int64_t* noise_lines;
  int64_t* noise_chars;
  int64_t* chars;
  int64_t* group_lines;
};

// Code-unit ranges [first, second) to cut out of one document (sorted, disjoint).
using Cuts = std::vector<std::pair<int64_t, int64_t>>;

// Measures every document; with cuts != nullptr also fills (*cuts)[i] with what
// removing document i's noise lines cuts (left empty when nothing goes).
// table: white space (kWs) of the line lengths; norm: the matcher's folding.
void noise_lines(const Matcher& m, const LineRule& rule, const std::vector<text::DocIn>& docs,
                 const text::CharTable& table, const dedup::NormOptions& norm, int threads, LineStats out,
                 std::vector<Cuts>* cuts);

// Units of a document of n units that stay after its cuts.
int64_t kept_units(int64_t n, const Cuts& cuts);
// Copies the units of d that stay (unit size 1 for UTF-8, else d.kind) to out.
void copy_kept(const text::DocIn& d, const Cuts& cuts, uint8_t* out);

// All-UTF-8 documents without their cuts, concatenated into out (room for the
// sum of the kept units); offsets gets n + 1 entries.
void assemble_utf8(const std::vector<text::DocIn>& docs, const std::vector<Cuts>& cuts, int threads, uint8_t* out,
                   int64_t* offsets);

}  // namespace ce::match
