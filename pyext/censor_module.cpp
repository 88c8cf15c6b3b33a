// Python bindings of the censor matcher.
#include <string>
#include <vector>

#include "common.h"
#include "match/matcher.h"

using namespace ce::py_glue;
using ce::match::Matcher;

void bind_censor(py::module_& m) {
  py::class_<Matcher>(m, "CensorMatcher", "Lexicon word matcher (see corpus_engine.censor.Matcher).")
      .def(py::init([](py::array_t<uint32_t, py::array::c_style | py::array::forcecast> cps,
                       py::array_t<int64_t, py::array::c_style | py::array::forcecast> offsets,
                       py::array_t<uint64_t, py::array::c_style | py::array::forcecast> cats, int ncat) {
             std::vector<uint32_t> c(cps.data(), cps.data() + cps.size());
             std::vector<int64_t> o(offsets.data(), offsets.data() + offsets.size());
             std::vector<uint64_t> k(cats.data(), cats.data() + cats.size());
             for (size_t i = 0; i + 1 < o.size(); ++i)
               if (o[i] < 0 || o[i + 1] < o[i] || static_cast<size_t>(o[i + 1]) > c.size())
                 throw py::value_error("word offsets must be non-decreasing and within the code points");
             return new Matcher(c, o, k, ncat);
           }),
           py::arg("cps"), py::arg("offsets"), py::arg("cats"), py::arg("ncat"))
      .def_property_readonly("words", &Matcher::words)
      .def_property_readonly("categories", &Matcher::categories)
      .def(
          "scan",
          [](const Matcher& mt, py::handle docs, const ce::text::CharTable& table, const ce::dedup::NormOptions& norm,
             int threads, bool want_spans) {
            Input in = parse_docs(docs);
            const size_t n = in.docs.size(), C = static_cast<size_t>(mt.categories());
            auto mk = [&] {
              return py::array_t<int64_t>({static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(C)});
            };
            py::array_t<int64_t> hits = mk(), distinct = mk(), covered = mk();
            py::array_t<int64_t> length(static_cast<py::ssize_t>(n));
            int64_t *h = hits.mutable_data(), *d = distinct.mutable_data(), *c = covered.mutable_data(),
                    *l = length.mutable_data();
            std::vector<std::vector<ce::match::Span>> spans;
            {
              py::gil_scoped_release nogil;
              mt.scan(in.docs, table, norm, threads, h, d, c, l, want_spans ? &spans : nullptr);
            }
            py::object sp = py::none();
            if (want_spans) {
              py::list out(n);
              for (size_t i = 0; i < n; ++i) {
                py::array_t<int64_t> a({static_cast<py::ssize_t>(spans[i].size()), py::ssize_t(3)});
                int64_t* p = a.mutable_data();
                for (size_t k = 0; k < spans[i].size(); ++k)
                  p[3 * k] = spans[i][k].start, p[3 * k + 1] = spans[i][k].end, p[3 * k + 2] = spans[i][k].word;
                out[i] = a;
              }
              sp = out;
            }
            return py::make_tuple(hits, distinct, covered, length, sp);
          },
          py::arg("docs"), py::arg("table"), py::arg("norm"), py::arg("threads"), py::arg("spans"));
}
