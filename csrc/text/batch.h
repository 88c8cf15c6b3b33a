// Batch drivers: run a per-document kernel over many documents with OpenMP.
// Output never depends on the thread count: documents are cut into chunks in
// order, each chunk writes its own arena, and results are read in document order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "../common/arena.h"
#include "chartable.h"
#include "kernels.h"

namespace ce::text {

// One document: n code units at p. kind 0 = UTF-8 bytes, 1/2/4 = UCS code units.
struct DocIn {
  const void* p;
  int64_t n;
  uint8_t kind;
};

enum class EditOp : uint8_t { kExtract, kStrip, kTrim };

struct EditParams {
  const CharTable* table = nullptr;
  uint8_t skip = kWs | kPh;
  const Bands* bands = nullptr;
  Errors errors = Errors::kReplace;
};

// Output of an editing kernel. Document i has units[i] code units (of its input's
// kind) at arenas[chunk_of(i)].data() + start[i]. For all-UTF-8 input each
// arena is exactly the concatenated output of its chunk.
struct Edited {
  std::vector<Arena> arenas;
  // Buffer form: chunks [0, placed) were moved to out + dst[c], contiguously;
  // inplace turns false when a chunk outgrew its room in out.
  std::vector<int64_t> dst;
  size_t placed = 0;
  bool inplace = false;
  std::vector<size_t> chunk_begin;  // first document of each chunk, plus n at the end
  std::vector<int64_t> start;
  std::vector<int64_t> units;
};

int resolve_threads(int threads);

// With out != nullptr (all-UTF-8 input only; out holds at least the total input
// bytes), each chunk writes into out at its own input position and is then moved
// next to its predecessor: the room is enough unless replacing ill-formed bytes
// made a document grow, in which case that chunk's arena moves to the heap.
Edited edit_batch(const std::vector<DocIn>& docs, EditOp op, const EditParams& params, int threads,
                  uint8_t* out = nullptr);
void ratio_batch(const std::vector<DocIn>& docs, const CharTable& table, uint8_t skip, Errors errors,
                 int threads, double* out);
void length_batch(const std::vector<DocIn>& docs, Errors errors, int threads, int64_t* out);

// Concatenates UTF-8 edit output into one buffer and fills n+1 offsets: into
// `out` (given to edit_batch, out_cap bytes) when the output fits, else into a
// new buffer (and `out` is freed). Free the result with free_output().
uint8_t* concat_utf8(Edited& ed, uint8_t* out, size_t out_cap, int threads, size_t& total, int64_t* offsets);

}  // namespace ce::text
