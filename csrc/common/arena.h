// A growable byte buffer that does not zero what it grows (std::vector would),
// and can hand its memory over to a NumPy array.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace ce {

class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  Arena(Arena&& o) noexcept : data_(o.data_), size_(o.size_), cap_(o.cap_) { o.data_ = nullptr, o.size_ = o.cap_ = 0; }
  Arena& operator=(Arena&& o) noexcept {
    if (this != &o) {
      std::free(data_);
      data_ = o.data_, size_ = o.size_, cap_ = o.cap_;
      o.data_ = nullptr, o.size_ = o.cap_ = 0;
    }
    return *this;
  }
  ~Arena() { std::free(data_); }

  void reserve(size_t cap) {
    if (cap <= cap_) return;
    void* p = std::realloc(data_, cap);
    if (!p) throw std::bad_alloc();
    data_ = static_cast<uint8_t*>(p);
    cap_ = cap;
  }
  // Room for n more bytes; the caller writes them.
  uint8_t* grow(size_t n) {
    if (size_ + n > cap_) reserve(std::max(size_ + n, cap_ * 2 + 64));
    uint8_t* p = data_ + size_;
    size_ += n;
    return p;
  }
  void append(const void* p, size_t n) {
    if (n) std::memcpy(grow(n), p, n);
  }
  void push(uint8_t b) { *grow(1) = b; }
  void truncate(size_t n) noexcept { size_ = n; }
  void align(size_t a) {
    const size_t pad = (a - size_ % a) % a;
    if (pad) std::memset(grow(pad), 0, pad);
  }
  uint8_t* data() noexcept { return data_; }
  const uint8_t* data() const noexcept { return data_; }
  size_t size() const noexcept { return size_; }
  // Gives up ownership; free the result with std::free.
  uint8_t* release() noexcept {
    uint8_t* p = data_;
    data_ = nullptr, size_ = cap_ = 0;
    return p;
  }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0, cap_ = 0;
};

}  // namespace ce
