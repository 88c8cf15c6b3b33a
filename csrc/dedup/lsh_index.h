// Incremental banded LSH index: per band, an open-addressing table from band
// key to a chain of entries (documents in insertion order).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ce::dedup {

class LshTable {
 public:
  explicit LshTable(int bands);

  // keys: n x bands band keys; ids: the caller's id of each document.
  void insert(const uint64_t* keys, const int64_t* ids, size_t n, int threads);
  // The same from signatures (n x num_perm, none empty): the band keys are
  // computed block by block and never stored.
  void insert_signatures(const uint32_t* sig, int num_perm, int rows, const int64_t* ids, size_t n, int threads);
  // For each of the n queries, the sorted unique ids sharing at least one band.
  void query(const uint64_t* keys, size_t n, int threads, std::vector<int64_t>& offsets,
             std::vector<int64_t>& ids) const;
  size_t size() const noexcept { return ids_.size(); }
  int bands() const noexcept { return static_cast<int>(tables_.size()); }

 private:
#pragma pack(push, 4)
  struct Slot {  // 12 bytes: the tables are most of the index's memory
    uint64_t key;
    uint32_t head;  // first entry + 1 of the slot's chain; 0 = empty slot
  };
#pragma pack(pop)
  // Slots live in huge-page-backed memory: inserts touch random slots, and with
  // 4 KiB pages every one would also miss the TLB.
  struct SlotArray {
    Slot* p = nullptr;
    size_t n = 0;
    SlotArray() = default;
    SlotArray(const SlotArray&) = delete;
    SlotArray& operator=(const SlotArray&) = delete;
    SlotArray(SlotArray&& o) noexcept : p(o.p), n(o.n) { o.p = nullptr, o.n = 0; }
    SlotArray& operator=(SlotArray&& o) noexcept;
    ~SlotArray();
    void reset(size_t count);  // count zeroed slots
  };
  struct Band {
    SlotArray slots;
    std::vector<uint32_t> next;  // per entry: next entry + 1 in its chain; 0 = end
    size_t used = 0;
  };
  static void grow(Band& b, size_t want);
  size_t reserve(const int64_t* ids, size_t n);  // appends ids, grows tables; returns the first entry
  // column(k, lo, cnt, out): keys of documents [lo, lo + cnt) in band k.
  template <class Column>
  void insert_batch(const Column& column, size_t n, size_t base, int threads);
  static void put(Band& b, size_t slot, uint64_t key, uint32_t entry);

  std::vector<Band> tables_;
  std::vector<int64_t> ids_;
};

}  // namespace ce::dedup
