// Exact and near-duplicate detection: normalised character shingles, XXH64,
// MinHash signatures (one-permutation hashing with densification, or classic),
// LSH band keys, candidate pairs, exact Jaccard verification, union-find.
// Semantics: docs/dedup.md; pure-Python twin: corpus_engine/reference/dedup.py.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "../text/batch.h"
#include "../text/chartable.h"

namespace ce::dedup {

// Flags of the normalisation table (a CharTable built by the Python layer).
enum NormFlag : uint8_t { kSpace = 1, kPunctuation = 2 };

struct NormOptions {
  bool fold_width = true;
  bool fold_case = true;
  bool drop_space = true;
  bool drop_punct = true;
  text::Errors errors = text::Errors::kReplace;
};

struct SigParams {
  int num_perm = 128;
  int ngram = 5;
  uint64_t seed = 0;
  bool classic = false;
};

using text::DocIn;

// Normalised code points of one document (appended to out after clearing it).
void normalize(const DocIn& d, const text::CharTable& t, const NormOptions& o, std::vector<uint32_t>& out);
// The same into out, which needs room for d.n + 17 values; returns the count.
size_t normalize_into(const DocIn& d, const text::CharTable& t, const NormOptions& o, uint32_t* out);

// Signatures of all documents: sig is n x num_perm, len gets the normalised length.
void signatures(const std::vector<DocIn>& docs, const text::CharTable& t, const NormOptions& o,
                const SigParams& p, int threads, uint32_t* sig, int64_t* len);

// 128-bit keys of the normalised texts (n x 2).
void exact_keys(const std::vector<DocIn>& docs, const text::CharTable& t, const NormOptions& o, uint64_t seed,
                int threads, uint64_t* keys);

// Band keys (n x bands) of signatures (n x num_perm).
void band_keys(const uint32_t* sig, size_t n, int num_perm, int bands, int rows, int threads, uint64_t* keys);
// The keys of one band, on the calling thread: out[j] = key of document j in band k.
void band_key_column(const uint32_t* sig, size_t n, int num_perm, int rows, int k, uint64_t* out);

// Candidate pairs (i < j, sorted, unique) of the documents with active[i] != 0.
std::vector<std::pair<uint32_t, uint32_t>> candidate_pairs(const uint64_t* keys, size_t n, int bands,
                                                           const uint8_t* active, int threads);

// Exact Jaccard similarity of each pair's shingle sets.
void pair_jaccard(const std::vector<DocIn>& docs, const text::CharTable& t, const NormOptions& o, int ngram,
                  uint64_t seed, const std::vector<std::pair<uint32_t, uint32_t>>& pairs, int threads, double* out);

// Sorted, unique shingle hashes of one document.
void shingle_set(const DocIn& d, const text::CharTable& t, const NormOptions& o, int ngram, uint64_t seed,
                 std::vector<uint64_t>& out);

double jaccard_sorted(const uint64_t* a, size_t na, const uint64_t* b, size_t nb);

// Union-find over the pairs; each cluster keeps one document: the lowest index
// (policy 0), the greatest length (1) or the greatest score (2), ties to the
// lowest index. keep[i] = 1 for kept documents; root[i] = the kept member.
void clusters(size_t n, const std::vector<std::pair<uint32_t, uint32_t>>& pairs, int policy, const int64_t* lengths,
              const double* scores, uint8_t* keep, int64_t* root);

// --- out of core ---------------------------------------------------------

// Band-major sorted runs of one shard: out is bands x m x 2 (key, id), each
// band sorted by (key, id), holding the m documents with active[i] != 0.
void band_runs(const uint64_t* keys, size_t n, int bands, const int64_t* ids, const uint8_t* active, int threads,
               uint64_t* out);

// One sorted (key, id) run of a band.
struct Run {
  const uint64_t* rec;  // m x 2
  size_t m;
};

// k-way merge of the runs of one band; each group of equal keys proposes pairs
// of ids (smaller id first) by the bucket rule of candidate_pairs.
std::vector<std::pair<int64_t, int64_t>> merge_band(const std::vector<Run>& runs);

}  // namespace ce::dedup
