// Python binding of the strict WARC framer (the fast path of corpus_engine.io.readers).
#include <pybind11/pybind11.h>

#include <vector>

#include "io/warc.h"

namespace py = pybind11;

namespace {

py::str ascii_str(const char* p, size_t n) { return py::reinterpret_steal<py::str>(PyUnicode_DecodeASCII(p, static_cast<Py_ssize_t>(n), "strict")); }

// [(start, block, block_end, next, headers), ...] of the records framed strictly from pos on.
py::list frame_strict(py::buffer buf, size_t pos, size_t max_header, uint64_t max_block) {
  const py::buffer_info info = buf.request();
  if (info.ndim != 1 || info.itemsize != 1) throw py::type_error("buf must be a bytes-like object");
  const auto* data = static_cast<const uint8_t*>(info.ptr);
  const size_t len = static_cast<size_t>(info.size);
  py::list out;
  if (pos >= len) return out;
  std::vector<ce::warc::Frame> frames;
  ce::warc::frame_strict(data, len, pos, max_header, max_block, frames);
  for (const auto& f : frames) {
    py::dict headers;
    for (const auto& kv : f.fields) {
      const auto [a, b] = kv.second;
      headers[ascii_str(kv.first.data(), kv.first.size())] = ascii_str(reinterpret_cast<const char*>(data + a), b - a);
    }
    out.append(py::make_tuple(f.start, f.block, f.block_end, f.next, std::move(headers)));
  }
  return out;
}

}  // namespace

void bind_io(py::module_& m) {
  m.def("warc_frame_strict", &frame_strict, py::arg("buf"), py::arg("pos"), py::arg("max_header"),
        py::arg("max_block"),
        "Records of buf[pos:] that frame strictly (ASCII header, exact Content-Length, next record "
        "right after): [(start, block, block_end, next, headers)]; stops at the first that does not.");
}
