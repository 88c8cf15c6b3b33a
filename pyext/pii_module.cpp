// Python bindings of the PII scanner and masker.
#include <cstdlib>
#include <string>
#include <vector>

#include "common.h"
#include "pii/pii.h"

using namespace ce::py_glue;
namespace pii = ce::pii;

namespace {

constexpr py::ssize_t kK = pii::kNumKinds;

py::array_t<int64_t> count_matrix(size_t n) { return py::array_t<int64_t>({static_cast<py::ssize_t>(n), kK}); }

int64_t* offsets_of(const std::vector<pii::Doc>& res, const std::vector<uint8_t>& write) {
  const size_t n = res.size();
  int64_t* offs = static_cast<int64_t*>(std::malloc((n + 1) * sizeof(int64_t)));
  if (!offs) throw std::bad_alloc();
  offs[0] = 0;
  for (size_t i = 0; i < n; ++i) offs[i + 1] = offs[i] + (write[i] ? res[i].out_len : 0);
  return offs;
}

}  // namespace

void bind_pii(py::module_& m) {
  m.def(
      "pii_scan",
      [](py::handle docs, uint32_t kinds, const std::string& errors, int threads) {
        Input in = parse_docs(docs);
        const ce::text::Errors err = parse_errors(errors);
        py::array_t<int64_t> counts = count_matrix(in.docs.size());
        int64_t* c = counts.mutable_data();
        {
          py::gil_scoped_release nogil;
          pii::scan_batch(in.docs, kinds, err, threads, c);
        }
        return counts;
      },
      py::arg("docs"), py::arg("kinds"), py::arg("errors"), py::arg("threads"));

  m.def(
      "pii_spans",
      [](py::handle docs, uint32_t kinds, const std::string& errors, int threads) {
        Input in = parse_docs(docs);
        const ce::text::Errors err = parse_errors(errors);
        std::vector<std::vector<int64_t>> spans;
        {
          py::gil_scoped_release nogil;
          pii::spans_batch(in.docs, kinds, err, threads, spans);
        }
        py::list out(spans.size());
        for (size_t i = 0; i < spans.size(); ++i) {
          py::array_t<int64_t> a({static_cast<py::ssize_t>(spans[i].size() / 3), py::ssize_t(3)});
          std::copy(spans[i].begin(), spans[i].end(), a.mutable_data());
          out[i] = a;
        }
        return out;
      },
      py::arg("docs"), py::arg("kinds"), py::arg("errors"), py::arg("threads"));

  m.def(
      "pii_mask",
      [](py::handle docs, uint32_t kinds, const std::vector<std::string>& repl, const std::string& errors,
         int threads) -> py::tuple {
        if (repl.size() != static_cast<size_t>(pii::kNumKinds))
          throw py::value_error("replacements: one string per kind expected");
        Input in = parse_docs(docs);
        const pii::Masker mk{kinds, repl, parse_errors(errors)};
        const size_t n = in.docs.size();
        py::array_t<int64_t> counts = count_matrix(n);
        int64_t* c = counts.mutable_data();
        std::vector<pii::Doc> res;
        std::vector<uint8_t> write;
        int64_t* offs = nullptr;
        uint8_t* buf = nullptr;
        {
          py::gil_scoped_release nogil;
          mk.plan(in.docs, threads, res, c);
          // Buffer form: every document is written. list[str]: only changed ones; the
          // others are returned as the very same str objects.
          write.resize(n);
          for (size_t i = 0; i < n; ++i) write[i] = in.buffer || res[i].changed;
          offs = offsets_of(res, write);
          buf = static_cast<uint8_t*>(std::malloc(static_cast<size_t>(offs[n]) + 1));
          if (!buf) {
            std::free(offs);
            throw std::bad_alloc();
          }
          mk.write(in.docs, res, write, offs, buf, threads);
        }
        if (in.buffer) {
          py::tuple batch = py::make_tuple(own_array(buf, static_cast<size_t>(offs[n])), own_array(offs, n + 1));
          return py::make_tuple(batch, counts);
        }
        py::array_t<uint8_t> hold = own_array(buf, static_cast<size_t>(offs[n]));  // freed with the array
        py::array_t<int64_t> hold_offs = own_array(offs, n + 1);
        py::list out(n);
        for (size_t i = 0; i < n; ++i) {
          PyObject* s;
          if (write[i]) {
            s = PyUnicode_DecodeUTF8(reinterpret_cast<const char*>(buf + offs[i]), offs[i + 1] - offs[i], "strict");
            if (!s) throw py::error_already_set();
          } else {
            s = PyTuple_GET_ITEM(in.keep.ptr(), static_cast<Py_ssize_t>(i));
            Py_INCREF(s);
          }
          PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), s);
        }
        return py::make_tuple(out, counts);
      },
      py::arg("docs"), py::arg("kinds"), py::arg("replacements"), py::arg("errors"), py::arg("threads"));
}
