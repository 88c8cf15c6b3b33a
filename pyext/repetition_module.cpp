// Python bindings of the repetition statistics.
#include <string>
#include <vector>

#include "common.h"
#include "repetition/repetition.h"

using namespace ce::py_glue;

void bind_repetition(py::module_& m) {
  m.def(
      "repetition_measure",
      [](py::handle docs, const ce::text::CharTable& table, const std::vector<std::u32string>& stopwords,
         const std::string& errors, int threads) {
        std::vector<uint32_t> cps;
        std::vector<int64_t> offsets{0};
        for (const auto& w : stopwords) {
          if (w.empty()) throw py::value_error("stop words must not be empty");
          cps.insert(cps.end(), w.begin(), w.end());
          offsets.push_back(static_cast<int64_t>(cps.size()));
        }
        const ce::rep::StopWords stop(cps, offsets);
        Input in = parse_docs(docs);
        const Errors err = parse_errors(errors);
        const auto n = static_cast<py::ssize_t>(in.docs.size());
        py::array_t<int64_t> ints({py::ssize_t{ce::rep::kNumInt}, n});
        py::array_t<double> floats({py::ssize_t{ce::rep::kNumFloat}, n});
        int64_t* iv = ints.mutable_data();
        double* fv = floats.mutable_data();
        {
          py::gil_scoped_release nogil;
          ce::rep::measure(in.docs, table, stop, err, threads, iv, fv);
        }
        return py::make_tuple(ints, floats);
      },
      py::arg("docs"), py::arg("table"), py::arg("stopwords"), py::arg("errors"), py::arg("threads"),
      "Repetition statistics: (int64 array kNumInt x n, float64 array kNumFloat x n).");
}
