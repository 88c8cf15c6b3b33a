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
  // Writes into caller-owned memory [ext, ext + cap) until that is full, then
  // moves to heap memory of its own (see owned()).
  Arena(uint8_t* ext, size_t cap) noexcept : data_(ext), cap_(cap), owned_(false) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  Arena(Arena&& o) noexcept : data_(o.data_), size_(o.size_), cap_(o.cap_), owned_(o.owned_) { o.forget(); }
  Arena& operator=(Arena&& o) noexcept {
    if (this != &o) {
      if (owned_) std::free(data_);
      data_ = o.data_, size_ = o.size_, cap_ = o.cap_, owned_ = o.owned_;
      o.forget();
    }
    return *this;
  }
  ~Arena() {
    if (owned_) std::free(data_);
  }

  void reserve(size_t cap) {
    if (cap <= cap_) return;
    void* p;
    if (owned_) {
      p = std::realloc(data_, cap);
    } else {
      p = std::malloc(cap);
      if (p && size_) std::memcpy(p, data_, size_);
    }
    if (!p) throw std::bad_alloc();
    data_ = static_cast<uint8_t*>(p);
    cap_ = cap;
    owned_ = true;
  }
  bool owned() const noexcept { return owned_; }
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
    forget();
    return p;
  }

 private:
  void forget() noexcept { data_ = nullptr, size_ = cap_ = 0, owned_ = true; }

  uint8_t* data_ = nullptr;
  size_t size_ = 0, cap_ = 0;
  bool owned_ = true;
};

// Memory for an output buffer that NumPy will own; give it back with
// free_output(). Large buffers are 2 MiB aligned and marked for transparent huge
// pages, and a few freed ones are kept for reuse, so a pipeline that handles
// batch after batch does not pay the kernel for zeroing fresh pages each time.
uint8_t* alloc_output(size_t n);
void free_output(uint8_t* p) noexcept;

}  // namespace ce
