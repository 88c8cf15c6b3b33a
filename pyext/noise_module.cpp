// Python binding of the noise-line filter (see corpus_engine.noise_lines).
#include <cstdlib>
#include <string>
#include <vector>

#include "common.h"
#include "match/lines.h"

using namespace ce::py_glue;
using ce::match::Cuts;

namespace {

// The documents of a list[str] input without their cuts: unchanged ones are the
// same str objects.
py::list strings_out(const Input& in, const std::vector<Cuts>& cuts, int threads) {
  const size_t n = in.docs.size();
  std::vector<size_t> changed;
  for (size_t i = 0; i < n; ++i)
    if (!cuts[i].empty()) changed.push_back(i);
  std::vector<int64_t> at(changed.size() + 1, 0);
  for (size_t j = 0; j < changed.size(); ++j) {
    const auto& d = in.docs[changed[j]];
    at[j + 1] = at[j] + ce::match::kept_units(d.n, cuts[changed[j]]) * d.kind;
  }
  std::vector<uint8_t> buf(static_cast<size_t>(at.back()) + 1);
  {
    py::gil_scoped_release nogil;
    const int nt = at.back() < (int64_t(1) << 20) ? 1 : ce::text::resolve_threads(threads);
#pragma omp parallel for schedule(dynamic, 16) num_threads(nt) if (nt > 1)
    for (long j = 0; j < static_cast<long>(changed.size()); ++j)
      ce::match::copy_kept(in.docs[changed[j]], cuts[changed[j]], buf.data() + at[j]);
  }
  py::tuple src = py::reinterpret_borrow<py::tuple>(in.keep);
  py::list out(n);
  size_t j = 0;
  for (size_t i = 0; i < n; ++i) {
    PyObject* s;
    if (j < changed.size() && changed[j] == i) {
      const auto& d = in.docs[i];
      s = PyUnicode_FromKindAndData(d.kind, buf.data() + at[j], (at[j + 1] - at[j]) / d.kind);
      if (!s) throw py::error_already_set();
      ++j;
    } else {
      s = src[i].ptr();
      Py_INCREF(s);
    }
    PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), s);
  }
  return out;
}

}  // namespace

void bind_noise(py::module_& m) {
  m.def(
      "noise_lines",
      [](const ce::match::Matcher& mt, py::array_t<uint8_t, py::array::c_style | py::array::forcecast> marker,
         int64_t max_line_chars, double min_cover, py::handle docs, const ce::text::CharTable& table,
         const ce::dedup::NormOptions& norm, int threads, bool edit) -> py::tuple {
        if (static_cast<size_t>(marker.size()) != mt.words())
          throw py::value_error("marker needs one flag per phrase");
        if (max_line_chars < 0) throw py::value_error("max_line_chars must be >= 0");
        if (!(min_cover >= 0.0 && min_cover <= 1.0)) throw py::value_error("min_cover must be in [0, 1]");
        ce::match::LineRule rule;
        rule.max_line_chars = max_line_chars;
        rule.min_cover = min_cover;
        rule.marker.assign(marker.data(), marker.data() + marker.size());
        Input in = parse_docs(docs);
        const auto n = static_cast<py::ssize_t>(in.docs.size());
        py::array_t<int64_t> lines(n), noise_lines(n), noise_chars(n), chars(n);
        py::array_t<int64_t> group_lines({n, static_cast<py::ssize_t>(mt.categories())});
        ce::match::LineStats st{lines.mutable_data(), noise_lines.mutable_data(), noise_chars.mutable_data(),
                                chars.mutable_data(), group_lines.mutable_data()};
        py::dict stats;
        stats["lines"] = lines;
        stats["noise_lines"] = noise_lines;
        stats["noise_chars"] = noise_chars;
        stats["chars"] = chars;
        stats["group_lines"] = group_lines;
        std::vector<Cuts> cuts;
        {
          py::gil_scoped_release nogil;
          ce::match::noise_lines(mt, rule, in.docs, table, norm, threads, st, edit ? &cuts : nullptr);
        }
        if (!edit) return py::make_tuple(stats, py::none());
        if (!in.buffer) return py::make_tuple(stats, strings_out(in, cuts, threads));
        const size_t nd = in.docs.size();
        int64_t* offs = static_cast<int64_t*>(std::malloc((nd + 1) * sizeof(int64_t)));
        if (!offs) throw std::bad_alloc();
        size_t total = 0;
        for (size_t i = 0; i < nd; ++i) total += static_cast<size_t>(ce::match::kept_units(in.docs[i].n, cuts[i]));
        uint8_t* out = ce::alloc_output(total + 1);
        {
          py::gil_scoped_release nogil;
          ce::match::assemble_utf8(in.docs, cuts, threads, out, offs);
        }
        return py::make_tuple(stats, py::make_tuple(own_array(out, total, true), own_array(offs, nd + 1)));
      },
      py::arg("matcher"), py::arg("marker"), py::arg("max_line_chars"), py::arg("min_cover"), py::arg("docs"),
      py::arg("table"), py::arg("norm"), py::arg("threads"), py::arg("edit"));
}
