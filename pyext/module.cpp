// corpus_engine._native: one extension module, one binding file per kernel family.
#include <pybind11/pybind11.h>

namespace py = pybind11;

void bind_cpu(py::module_& m);
void bind_text(py::module_& m);
void bind_dedup(py::module_& m);
void bind_censor(py::module_& m);
void bind_pii(py::module_& m);
void bind_repetition(py::module_& m);
void bind_noise(py::module_& m);
void bind_io(py::module_& m);

PYBIND11_MODULE(_native, m) {
  m.doc() = "corpus_engine native kernels (C++17, OpenMP)";
  bind_cpu(m);
  bind_text(m);
  bind_dedup(m);
  bind_censor(m);
  bind_pii(m);
  bind_repetition(m);
  bind_noise(m);
  bind_io(m);
}
