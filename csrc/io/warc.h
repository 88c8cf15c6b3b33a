// Strict framing of WARC records in a decompressed buffer: the fast path of the
// lenient Python reader (corpus_engine/io/readers.py), which handles every other case.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ce::warc {

struct Frame {
  size_t start;      // "WARC/" of the version line
  size_t block;      // first byte of the block (after the blank line)
  size_t block_end;  // block + Content-Length
  size_t next;       // "WARC/" of the next record
  // Header fields as the reader parses them: lower-cased, stripped name and the
  // stripped value's byte range; the first occurrence of a name only, in order.
  std::vector<std::pair<std::string, std::pair<size_t, size_t>>> fields;
};

// Appends to out the records of buf[pos, len) that frame strictly, one after the
// other: an ASCII header without folded lines ending within max_header bytes, a
// Content-Length of at most max_block, and the next record's "WARC/" right after
// the block (past white space and NULs), inside the buffer. Stops at the first
// record that does not, so the caller frames that one its own way.
void frame_strict(const uint8_t* buf, size_t len, size_t pos, size_t max_header, uint64_t max_block,
                  std::vector<Frame>& out);

}  // namespace ce::warc
