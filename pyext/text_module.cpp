// Python bindings of the text kernels: convert, release the GIL, call csrc.
#include <Python.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common.h"
#include "common/cpu.h"
#include "text/batch.h"
#include "text/chartable.h"

namespace py = pybind11;
using namespace ce::text;

namespace {

using namespace ce::py_glue;

py::object edit(py::handle docs, EditOp op, const EditParams& prm, int threads) {
  Input in = parse_docs(docs);
  const size_t n = in.docs.size();
  if (in.buffer) {
    size_t total_in = 0;
    for (const auto& d : in.docs) total_in += static_cast<size_t>(d.n);
    int64_t* offs = static_cast<int64_t*>(std::malloc((n + 1) * sizeof(int64_t)));
    if (!offs) throw std::bad_alloc();
    size_t total = 0;
    uint8_t* buf = nullptr;
    {
      py::gil_scoped_release nogil;
      uint8_t* out = ce::alloc_output(total_in + 1);
      try {
        Edited ed = edit_batch(in.docs, op, prm, threads, out);
        buf = concat_utf8(ed, out, total_in + 1, threads, total, offs);
      } catch (...) {
        ce::free_output(out);
        std::free(offs);
        throw;
      }
    }
    return py::make_tuple(own_array(buf, total, true), own_array(offs, n + 1));
  }
  Edited ed;
  {
    py::gil_scoped_release nogil;
    ed = edit_batch(in.docs, op, prm, threads);
  }
  py::list out(n);
  size_t chunk = 0;
  for (size_t i = 0; i < n; ++i) {
    while (i >= ed.chunk_begin[chunk + 1]) ++chunk;
    const uint8_t* p = ed.arenas[chunk].data() + ed.start[i];
    PyObject* s = PyUnicode_FromKindAndData(in.docs[i].kind, ed.units[i] ? static_cast<const void*>(p) : "", ed.units[i]);
    if (!s) throw py::error_already_set();
    PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), s);
  }
  return std::move(out);
}

Bands make_bands(const std::string& mode, const std::vector<std::pair<double, double>>& bands) {
  Bands b;
  if (mode == "paper") b.by_zh_count = false;
  else if (mode == "nkcorpus") b.by_zh_count = true;
  else throw py::value_error("mode must be 'paper' or 'nkcorpus', got '" + mode + "'");
  b.bands = bands;
  return b;
}

}  // namespace

void bind_text(py::module_& m) {
  py::class_<CharTable>(m, "CharTable", "Per-code-point property flags (see corpus_engine.charsets).")
      .def(py::init<const std::vector<std::pair<uint8_t, std::vector<Range>>>&>(), py::arg("flags_ranges"))
      .def("flags", [](const CharTable& t, uint32_t cp) {
        if (cp > kMaxCp) throw py::value_error("code point out of range");
        return t[cp];
      });

  m.def(
      "zh_ratio",
      [](py::handle docs, const CharTable& table, uint8_t skip, const std::string& errors, int threads) {
        Input in = parse_docs(docs);
        Errors err = parse_errors(errors);
        py::array_t<double> out(static_cast<py::ssize_t>(in.docs.size()));
        double* o = out.mutable_data();
        {
          py::gil_scoped_release nogil;
          ratio_batch(in.docs, table, skip, err, threads, o);
        }
        return out;
      },
      py::arg("docs"), py::arg("table"), py::arg("skip"), py::arg("errors"), py::arg("threads"));

  m.def(
      "char_lengths",
      [](py::handle docs, const std::string& errors, int threads) {
        Input in = parse_docs(docs);
        Errors err = parse_errors(errors);
        py::array_t<int64_t> out(static_cast<py::ssize_t>(in.docs.size()));
        int64_t* o = out.mutable_data();
        {
          py::gil_scoped_release nogil;
          length_batch(in.docs, err, threads, o);
        }
        return out;
      },
      py::arg("docs"), py::arg("errors"), py::arg("threads"));

  m.def(
      "extract_chinese",
      [](py::handle docs, const CharTable& table, uint8_t skip, const std::string& mode,
         const std::vector<std::pair<double, double>>& bands, const std::string& errors, int threads) {
        Bands b = make_bands(mode, bands);
        EditParams prm{&table, skip, &b, parse_errors(errors)};
        return edit(docs, EditOp::kExtract, prm, threads);
      },
      py::arg("docs"), py::arg("table"), py::arg("skip"), py::arg("mode"), py::arg("bands"), py::arg("errors"),
      py::arg("threads"));

  m.def(
      "strip_control",
      [](py::handle docs, const CharTable& table, const std::string& errors, int threads) {
        EditParams prm{&table, 0, nullptr, parse_errors(errors)};
        return edit(docs, EditOp::kStrip, prm, threads);
      },
      py::arg("docs"), py::arg("table"), py::arg("errors"), py::arg("threads"));

  m.def(
      "trim_content",
      [](py::handle docs, const CharTable& table, const std::string& errors, int threads) {
        EditParams prm{&table, 0, nullptr, parse_errors(errors)};
        return edit(docs, EditOp::kTrim, prm, threads);
      },
      py::arg("docs"), py::arg("table"), py::arg("errors"), py::arg("threads"));

  m.def(
      "pack_strings",
      [](py::handle docs) {
        // UTF-8 encode each str (lone surrogates become U+FFFD) into one buffer.
        Input in = parse_docs(docs);
        const size_t n = in.docs.size();
        int64_t* offs = static_cast<int64_t*>(std::malloc((n + 1) * sizeof(int64_t)));
        if (!offs) throw std::bad_alloc();
        ce::Arena buf;
        {
          py::gil_scoped_release nogil;
          size_t cap = 0;
          for (const auto& d : in.docs) cap += static_cast<size_t>(d.n) * 3;
          buf.reserve(cap + 1);
          offs[0] = 0;
          for (size_t i = 0; i < n; ++i) {
            const DocIn& d = in.docs[i];
            for (int64_t j = 0; j < d.n; ++j) {
              uint32_t cp = d.kind == 1   ? static_cast<const uint8_t*>(d.p)[j]
                            : d.kind == 2 ? static_cast<const uint16_t*>(d.p)[j]
                                          : static_cast<const uint32_t*>(d.p)[j];
              if ((cp - 0xD800u) < 0x800u) cp = ce::utf8::kReplacement;
              uint8_t tmp[4];
              buf.append(tmp, static_cast<size_t>(ce::utf8::encode(cp, tmp)));
            }
            offs[i + 1] = static_cast<int64_t>(buf.size());
          }
        }
        const size_t total = buf.size();
        return py::make_tuple(own_array(buf.release(), total), own_array(offs, n + 1));
      },
      py::arg("docs"));
}

void bind_cpu(py::module_& m) {
  m.def("simd_level", []() { return std::string(ce::cpu::name(ce::cpu::active())); },
        "SIMD level the kernels use now.");
  m.def("simd_detected", []() { return std::string(ce::cpu::name(ce::cpu::detected())); },
        "Best SIMD level this CPU and build support.");
  m.def(
      "set_simd_level", [](const std::string& s) { ce::cpu::set_level(ce::cpu::parse(s)); }, py::arg("level"),
      "Force a SIMD level (at most simd_detected()); for tests and benchmarks.");
  m.def("max_threads", []() { return resolve_threads(0); }, "Threads a kernel uses by default (OMP_NUM_THREADS).");
}

