// Helpers shared by the binding files: documents in, NumPy arrays out.
#pragma once

#include <Python.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common/arena.h"
#include "text/batch.h"

namespace py = pybind11;

namespace ce::py_glue {

using ce::text::DocIn;
using ce::text::Errors;


// Documents from either a sequence of str or a TextBatch-like object (.data, .offsets).
struct Input {
  std::vector<DocIn> docs;
  bool buffer = false;
  py::object keep;  // keeps the strings / arrays alive while the GIL is released
};

inline Input parse_docs(py::handle obj) {
  Input in;
  if (PyUnicode_Check(obj.ptr()) || PyBytes_Check(obj.ptr()))
    throw py::type_error("docs must be a sequence of str or a TextBatch, not a single str/bytes");
  if (py::hasattr(obj, "data") && py::hasattr(obj, "offsets") && !PyList_Check(obj.ptr()) &&
      !PyTuple_Check(obj.ptr())) {
    auto data = py::array_t<uint8_t, py::array::c_style>::ensure(obj.attr("data"));
    auto offs = py::array_t<int64_t, py::array::c_style>::ensure(obj.attr("offsets"));
    if (!data || !offs || data.ndim() != 1 || offs.ndim() != 1 || offs.size() < 1)
      throw py::type_error("TextBatch needs a 1-D uint8 data array and a 1-D int64 offsets array");
    const int64_t* o = offs.data();
    const int64_t n = static_cast<int64_t>(offs.size()) - 1, size = static_cast<int64_t>(data.size());
    in.docs.resize(static_cast<size_t>(n));
    const uint8_t* base = data.data();
    for (int64_t i = 0; i < n; ++i) {
      if (o[i] < 0 || o[i + 1] < o[i] || o[i + 1] > size)
        throw py::value_error("TextBatch offsets must be non-decreasing and within the buffer (at document " +
                              std::to_string(i) + ")");
      in.docs[static_cast<size_t>(i)] = DocIn{base + o[i], o[i + 1] - o[i], 0};
    }
    in.buffer = true;
    in.keep = py::make_tuple(data, offs);
    return in;
  }
  PyObject* seq = PySequence_Tuple(obj.ptr());  // a snapshot: the caller may not mutate it under us
  if (!seq) throw py::error_already_set();
  py::tuple tup = py::reinterpret_steal<py::tuple>(seq);
  const Py_ssize_t n = PyTuple_GET_SIZE(seq);
  in.docs.resize(static_cast<size_t>(n));
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* s = PyTuple_GET_ITEM(seq, i);
    if (!PyUnicode_Check(s))
      throw py::type_error("docs[" + std::to_string(i) + "] is " + Py_TYPE(s)->tp_name + ", expected str");
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(s) < 0) throw py::error_already_set();
#endif
    in.docs[static_cast<size_t>(i)] =
        DocIn{PyUnicode_DATA(s), static_cast<int64_t>(PyUnicode_GET_LENGTH(s)), static_cast<uint8_t>(PyUnicode_KIND(s))};
  }
  in.keep = tup;
  return in;
}

inline Errors parse_errors(const std::string& e) {
  if (e == "replace") return Errors::kReplace;
  if (e == "drop") return Errors::kDrop;
  throw py::value_error("errors must be 'replace' or 'drop', got '" + e + "'");
}

// A NumPy array owning p (from std::malloc, or from ce::alloc_output when pooled).
template <class T>
py::array_t<T> own_array(T* p, size_t n, bool pooled = false) {
  py::capsule cap = pooled ? py::capsule(p, [](void* q) { ce::free_output(static_cast<uint8_t*>(q)); })
                           : py::capsule(p, [](void* q) { std::free(q); });
  return py::array_t<T>({static_cast<py::ssize_t>(n)}, {static_cast<py::ssize_t>(sizeof(T))}, p, cap);
}

}  // namespace ce::py_glue
