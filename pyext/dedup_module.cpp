// Python bindings of the dedup kernels.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "common.h"
#include "dedup/dedup.h"
#include "dedup/lsh_index.h"
#include "dedup/xxh64.h"

using namespace ce::py_glue;
using ce::dedup::NormOptions;
using ce::dedup::SigParams;
using ce::text::CharTable;
using Pairs = std::vector<std::pair<uint32_t, uint32_t>>;

namespace {

// A rows x cols array in pooled memory (ce::alloc_output): large outputs made call
// after call reuse pages instead of faulting in fresh ones.
template <class T>
py::array_t<T> matrix(size_t rows, size_t cols) {
  T* p = reinterpret_cast<T*>(ce::alloc_output(std::max<size_t>(rows * cols, 1) * sizeof(T)));
  py::capsule cap(p, [](void* q) { ce::free_output(static_cast<uint8_t*>(q)); });
  return py::array_t<T>({static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(cols)},
                        {static_cast<py::ssize_t>(cols * sizeof(T)), static_cast<py::ssize_t>(sizeof(T))}, p, cap);
}

Pairs to_pairs(const py::array_t<int64_t, py::array::c_style | py::array::forcecast>& a, size_t n) {
  if (a.ndim() != 2 || a.shape(1) != 2) throw py::value_error("pairs must have shape (p, 2)");
  Pairs out(static_cast<size_t>(a.shape(0)));
  const int64_t* d = a.data();
  for (size_t i = 0; i < out.size(); ++i) {
    const int64_t x = d[2 * i], y = d[2 * i + 1];
    if (x < 0 || y < 0 || static_cast<size_t>(x) >= n || static_cast<size_t>(y) >= n)
      throw py::index_error("pair " + std::to_string(i) + " names a document outside 0.." + std::to_string(n - 1));
    out[i] = {static_cast<uint32_t>(x), static_cast<uint32_t>(y)};
  }
  return out;
}

py::array_t<int64_t> from_pairs(const Pairs& p) {
  auto out = matrix<int64_t>(p.size(), 2);
  int64_t* d = out.mutable_data();
  for (size_t i = 0; i < p.size(); ++i) d[2 * i] = p[i].first, d[2 * i + 1] = p[i].second;
  return out;
}

}  // namespace

void bind_dedup(py::module_& m) {
  m.def(
      "dedup_band_runs",
      [](py::array_t<uint64_t, py::array::c_style | py::array::forcecast> keys,
         py::array_t<int64_t, py::array::c_style | py::array::forcecast> ids,
         py::array_t<uint8_t, py::array::c_style | py::array::forcecast> active, int threads) {
        if (keys.ndim() != 2) throw py::value_error("band keys must be a 2-D array (docs x bands)");
        const size_t n = static_cast<size_t>(keys.shape(0));
        const int bands = static_cast<int>(keys.shape(1));
        if (ids.size() != static_cast<py::ssize_t>(n) || active.size() != static_cast<py::ssize_t>(n))
          throw py::value_error("ids and active must have one entry per document");
        size_t m = 0;
        for (size_t i = 0; i < n; ++i) m += active.data()[i] != 0;
        py::array_t<uint64_t> out({static_cast<py::ssize_t>(bands), static_cast<py::ssize_t>(m), py::ssize_t(2)});
        uint64_t* o = out.mutable_data();
        {
          py::gil_scoped_release nogil;
          ce::dedup::band_runs(keys.data(), n, bands, ids.data(), active.data(), threads, o);
        }
        return out;
      },
      py::arg("band_keys"), py::arg("ids"), py::arg("active"), py::arg("threads"),
      "Band-major (key, id) records sorted within each band: shape (bands, m, 2).");

  m.def(
      "dedup_merge_band",
      [](py::list runs) {
        std::vector<py::array_t<uint64_t, py::array::c_style | py::array::forcecast>> keep;
        std::vector<ce::dedup::Run> rs;
        for (py::handle h : runs) {
          auto a = py::array_t<uint64_t, py::array::c_style | py::array::forcecast>::ensure(h);
          if (!a || (a.size() && (a.ndim() != 2 || a.shape(1) != 2)))
            throw py::value_error("each run must be a (m, 2) uint64 array of sorted (key, id) records");
          rs.push_back({a.data(), a.size() ? static_cast<size_t>(a.shape(0)) : 0});
          keep.push_back(std::move(a));
        }
        std::vector<std::pair<int64_t, int64_t>> p;
        {
          py::gil_scoped_release nogil;
          p = ce::dedup::merge_band(rs);
        }
        py::array_t<int64_t> out({static_cast<py::ssize_t>(p.size()), py::ssize_t(2)});
        int64_t* d = out.mutable_data();
        for (size_t i = 0; i < p.size(); ++i) d[2 * i] = p[i].first, d[2 * i + 1] = p[i].second;
        return out;
      },
      py::arg("runs"), "Candidate id pairs of one band from sorted runs (k-way merge).");

  m.def(
      "gather_docs_files",
      [](std::vector<std::string> paths, py::list offsets, py::array_t<int64_t, py::array::c_style | py::array::forcecast> shard,
         py::array_t<int64_t, py::array::c_style | py::array::forcecast> pos) {
        // Documents (shard[i], pos[i]) read with pread from raw text files: only
        // these bytes are read, and no file page stays mapped into the process.
        std::vector<py::array_t<int64_t, py::array::c_style | py::array::forcecast>> offs;
        for (py::handle h : offsets) offs.push_back(py::array_t<int64_t, py::array::c_style | py::array::forcecast>::ensure(h));
        if (offs.size() != paths.size()) throw py::value_error("one offsets array per file");
        const size_t n = static_cast<size_t>(shard.size());
        if (pos.size() != shard.size()) throw py::value_error("shard and pos must have the same length");
        int64_t* out_offs = static_cast<int64_t*>(std::malloc((n + 1) * sizeof(int64_t)));
        if (!out_offs) throw std::bad_alloc();
        out_offs[0] = 0;
        for (size_t i = 0; i < n; ++i) {
          const int64_t s = shard.data()[i], p = pos.data()[i];
          if (s < 0 || static_cast<size_t>(s) >= offs.size() || p < 0 || p + 1 >= offs[s].size()) {
            std::free(out_offs);
            throw py::index_error("document (" + std::to_string(s) + ", " + std::to_string(p) + ") does not exist");
          }
          out_offs[i + 1] = out_offs[i] + (offs[s].data()[p + 1] - offs[s].data()[p]);
        }
        uint8_t* buf = ce::alloc_output(static_cast<size_t>(out_offs[n]) + 1);
        std::string err;
        {
          py::gil_scoped_release nogil;
          std::vector<int> fds(paths.size(), -1);
          for (size_t i = 0; i < n && err.empty(); ++i) {
            const int64_t s = shard.data()[i], p = pos.data()[i];
            if (fds[s] < 0 && (fds[s] = ::open(paths[s].c_str(), O_RDONLY)) < 0) {
              err = "cannot open " + paths[s];
              break;
            }
            int64_t at = offs[s].data()[p], left = offs[s].data()[p + 1] - at;
            uint8_t* dst = buf + out_offs[i];
            while (left > 0) {
              const ssize_t got = ::pread(fds[s], dst, static_cast<size_t>(left), at);
              if (got <= 0) {
                err = "short read in " + paths[s];
                break;
              }
              dst += got, at += got, left -= got;
            }
          }
          for (int fd : fds)
            if (fd >= 0) ::close(fd);
        }
        if (!err.empty()) {
          ce::free_output(buf);
          std::free(out_offs);
          throw py::value_error(err);
        }
        return py::make_tuple(own_array(buf, static_cast<size_t>(out_offs[n]), true), own_array(out_offs, n + 1));
      },
      py::arg("paths"), py::arg("offsets"), py::arg("shard"), py::arg("pos"));

  m.def(
      "gather_docs",
      [](py::list shards, py::array_t<int64_t, py::array::c_style | py::array::forcecast> shard,
         py::array_t<int64_t, py::array::c_style | py::array::forcecast> pos) {
        // Documents (shard[i], pos[i]) from several (data, offsets) stores into one buffer.
        struct Store {
          py::array_t<uint8_t, py::array::c_style | py::array::forcecast> data;
          py::array_t<int64_t, py::array::c_style | py::array::forcecast> offs;
        };
        std::vector<Store> st;
        for (py::handle h : shards) {
          py::tuple t = py::reinterpret_borrow<py::tuple>(h);
          st.push_back({py::array_t<uint8_t, py::array::c_style | py::array::forcecast>::ensure(t[0]),
                        py::array_t<int64_t, py::array::c_style | py::array::forcecast>::ensure(t[1])});
          if (!st.back().data || !st.back().offs) throw py::type_error("each store must be (uint8 data, int64 offsets)");
        }
        const size_t n = static_cast<size_t>(shard.size());
        if (pos.size() != shard.size()) throw py::value_error("shard and pos must have the same length");
        int64_t* offs = static_cast<int64_t*>(std::malloc((n + 1) * sizeof(int64_t)));
        if (!offs) throw std::bad_alloc();
        offs[0] = 0;
        for (size_t i = 0; i < n; ++i) {
          const int64_t s = shard.data()[i], p = pos.data()[i];
          if (s < 0 || static_cast<size_t>(s) >= st.size() || p < 0 || p + 1 >= st[s].offs.size()) {
            std::free(offs);
            throw py::index_error("document (" + std::to_string(s) + ", " + std::to_string(p) + ") does not exist");
          }
          const int64_t* o = st[s].offs.data();
          offs[i + 1] = offs[i] + (o[p + 1] - o[p]);
        }
        uint8_t* buf = ce::alloc_output(static_cast<size_t>(offs[n]) + 1);
        for (size_t i = 0; i < n; ++i) {
          const int64_t s = shard.data()[i], p = pos.data()[i];
          const int64_t* o = st[s].offs.data();
          std::memcpy(buf + offs[i], st[s].data.data() + o[p], static_cast<size_t>(o[p + 1] - o[p]));
        }
        return py::make_tuple(own_array(buf, static_cast<size_t>(offs[n]), true), own_array(offs, n + 1));
      },
      py::arg("stores"), py::arg("shard"), py::arg("pos"));

  py::class_<ce::dedup::LshTable>(m, "LSHTable", "Banded LSH hash tables (see corpus_engine.dedup.LSHIndex).")
      .def(py::init<int>(), py::arg("bands"))
      .def(
          "insert",
          [](ce::dedup::LshTable& t, py::array_t<uint64_t, py::array::c_style | py::array::forcecast> keys,
             py::array_t<int64_t, py::array::c_style | py::array::forcecast> ids, int threads) {
            if (keys.ndim() != 2 || keys.shape(1) != t.bands())
              throw py::value_error("band keys must have shape (n, " + std::to_string(t.bands()) + ")");
            const size_t n = static_cast<size_t>(keys.shape(0));
            if (ids.ndim() != 1 || static_cast<size_t>(ids.shape(0)) != n)
              throw py::value_error("ids must have one entry per document");
            py::gil_scoped_release nogil;
            t.insert(keys.data(), ids.data(), n, threads);
          },
          py::arg("keys"), py::arg("ids"), py::arg("threads") = 0)
      .def(
          "insert_signatures",
          [](ce::dedup::LshTable& t, py::array_t<uint32_t, py::array::c_style | py::array::forcecast> sig,
             int rows, py::array_t<int64_t, py::array::c_style | py::array::forcecast> ids, int threads) {
            if (sig.ndim() != 2) throw py::value_error("signatures must be a 2-D array (docs x num_perm)");
            const size_t n = static_cast<size_t>(sig.shape(0));
            if (ids.ndim() != 1 || static_cast<size_t>(ids.shape(0)) != n)
              throw py::value_error("ids must have one entry per document");
            const int num_perm = static_cast<int>(sig.shape(1));
            py::gil_scoped_release nogil;
            t.insert_signatures(sig.data(), num_perm, rows, ids.data(), n, threads);
          },
          "Insert documents by their (non-empty) signatures; band keys are computed on the fly.",
          py::arg("signatures"), py::arg("rows"), py::arg("ids"), py::arg("threads") = 0)
      .def(
          "query",
          [](const ce::dedup::LshTable& t, py::array_t<uint64_t, py::array::c_style | py::array::forcecast> keys,
             int threads) {
            if (keys.ndim() != 2 || keys.shape(1) != t.bands())
              throw py::value_error("band keys must have shape (n, " + std::to_string(t.bands()) + ")");
            std::vector<int64_t> offs, ids;
            {
              py::gil_scoped_release nogil;
              t.query(keys.data(), static_cast<size_t>(keys.shape(0)), threads, offs, ids);
            }
            return py::make_tuple(py::array_t<int64_t>(offs.size(), offs.data()),
                                  py::array_t<int64_t>(ids.size(), ids.data()));
          },
          py::arg("keys"), py::arg("threads") = 0)
      .def("__len__", &ce::dedup::LshTable::size);

  py::class_<NormOptions>(m, "DedupNorm", "Normalisation switches of the dedup shingles (docs/dedup.md).")
      .def(py::init([](bool fw, bool fc, bool ds, bool dp, const std::string& errors) {
             NormOptions o;
             o.fold_width = fw, o.fold_case = fc, o.drop_space = ds, o.drop_punct = dp;
             o.errors = parse_errors(errors);
             return o;
           }),
           py::arg("fold_width"), py::arg("fold_case"), py::arg("drop_space"), py::arg("drop_punct"),
           py::arg("errors"));

  m.def(
      "xxh64", [](py::bytes data, uint64_t seed) {
        const std::string s = data;
        return ce::xxh::xxh64(s.data(), s.size(), seed);
      },
      py::arg("data"), py::arg("seed") = 0, "XXH64 of bytes (same as xxhash.xxh64_intdigest).");

  m.def(
      "dedup_normalize",
      [](py::handle docs, const CharTable& t, const NormOptions& o) {
        Input in = parse_docs(docs);
        py::list out(in.docs.size());
        std::vector<uint32_t> cps;
        for (size_t i = 0; i < in.docs.size(); ++i) {
          ce::dedup::normalize(in.docs[i], t, o, cps);
          PyObject* s = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, cps.data(), static_cast<Py_ssize_t>(cps.size()));
          if (!s) throw py::error_already_set();
          PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), s);
        }
        return out;
      },
      py::arg("docs"), py::arg("table"), py::arg("norm"));

  m.def(
      "dedup_signatures",
      [](py::handle docs, const CharTable& t, const NormOptions& o, int num_perm, int ngram, uint64_t seed,
         bool classic, int threads) {
        if (num_perm < 1 || ngram < 1) throw py::value_error("num_perm and ngram must be >= 1");
        Input in = parse_docs(docs);
        const size_t n = in.docs.size();
        auto sig = matrix<uint32_t>(n, static_cast<size_t>(num_perm));
        py::array_t<int64_t> len(static_cast<py::ssize_t>(n));
        uint32_t* s = sig.mutable_data();
        int64_t* l = len.mutable_data();
        SigParams p{num_perm, ngram, seed, classic};
        {
          py::gil_scoped_release nogil;
          ce::dedup::signatures(in.docs, t, o, p, threads, s, l);
        }
        return py::make_tuple(sig, len);
      },
      py::arg("docs"), py::arg("table"), py::arg("norm"), py::arg("num_perm"), py::arg("ngram"), py::arg("seed"),
      py::arg("classic"), py::arg("threads"));

  m.def(
      "dedup_exact_keys",
      [](py::handle docs, const CharTable& t, const NormOptions& o, uint64_t seed, int threads) {
        Input in = parse_docs(docs);
        auto keys = matrix<uint64_t>(in.docs.size(), 2);
        uint64_t* k = keys.mutable_data();
        {
          py::gil_scoped_release nogil;
          ce::dedup::exact_keys(in.docs, t, o, seed, threads, k);
        }
        return keys;
      },
      py::arg("docs"), py::arg("table"), py::arg("norm"), py::arg("seed"), py::arg("threads"));

  m.def(
      "dedup_band_keys",
      [](py::array_t<uint32_t, py::array::c_style | py::array::forcecast> sig, int bands, int rows, int threads) {
        if (sig.ndim() != 2) throw py::value_error("signatures must be a 2-D array (docs x num_perm)");
        const size_t n = static_cast<size_t>(sig.shape(0));
        const int K = static_cast<int>(sig.shape(1));
        if (bands < 1 || rows < 1 || bands * rows > K)
          throw py::value_error("need bands >= 1, rows >= 1 and bands * rows <= num_perm (" + std::to_string(K) + ")");
        auto keys = matrix<uint64_t>(n, static_cast<size_t>(bands));
        const uint32_t* s = sig.data();
        uint64_t* k = keys.mutable_data();
        {
          py::gil_scoped_release nogil;
          ce::dedup::band_keys(s, n, K, bands, rows, threads, k);
        }
        return keys;
      },
      py::arg("signatures"), py::arg("bands"), py::arg("rows"), py::arg("threads"));

  m.def(
      "dedup_candidates",
      [](py::array_t<uint64_t, py::array::c_style | py::array::forcecast> keys,
         py::array_t<uint8_t, py::array::c_style | py::array::forcecast> active, int threads) {
        if (keys.ndim() != 2) throw py::value_error("band keys must be a 2-D array (docs x bands)");
        const size_t n = static_cast<size_t>(keys.shape(0));
        if (active.ndim() != 1 || static_cast<size_t>(active.shape(0)) != n)
          throw py::value_error("active must have one entry per document");
        if (n >= (size_t(1) << 32)) throw py::value_error("at most 2^32 - 1 documents per call");
        Pairs p;
        {
          py::gil_scoped_release nogil;
          p = ce::dedup::candidate_pairs(keys.data(), n, static_cast<int>(keys.shape(1)), active.data(), threads);
        }
        return from_pairs(p);
      },
      py::arg("band_keys"), py::arg("active"), py::arg("threads"));

  m.def(
      "dedup_pair_jaccard",
      [](py::handle docs, const CharTable& t, const NormOptions& o, int ngram, uint64_t seed,
         py::array_t<int64_t, py::array::c_style | py::array::forcecast> pairs, int threads) {
        Input in = parse_docs(docs);
        Pairs p = to_pairs(pairs, in.docs.size());
        py::array_t<double> out(static_cast<py::ssize_t>(p.size()));
        double* o_ = out.mutable_data();
        {
          py::gil_scoped_release nogil;
          ce::dedup::pair_jaccard(in.docs, t, o, ngram, seed, p, threads, o_);
        }
        return out;
      },
      py::arg("docs"), py::arg("table"), py::arg("norm"), py::arg("ngram"), py::arg("seed"), py::arg("pairs"),
      py::arg("threads"));

  m.def(
      "dedup_shingles",
      [](py::handle docs, const CharTable& t, const NormOptions& o, int ngram, uint64_t seed) {
        Input in = parse_docs(docs);
        py::list out(in.docs.size());
        std::vector<uint64_t> set;
        for (size_t i = 0; i < in.docs.size(); ++i) {
          ce::dedup::shingle_set(in.docs[i], t, o, ngram, seed, set);
          py::array_t<uint64_t> a(static_cast<py::ssize_t>(set.size()));
          if (!set.empty()) std::memcpy(a.mutable_data(), set.data(), set.size() * sizeof(uint64_t));
          out[i] = a;
        }
        return out;
      },
      py::arg("docs"), py::arg("table"), py::arg("norm"), py::arg("ngram"), py::arg("seed"));

  m.def(
      "dedup_clusters",
      [](size_t n, py::array_t<int64_t, py::array::c_style | py::array::forcecast> pairs, int policy,
         py::object lengths, py::object scores) {
        Pairs p = to_pairs(pairs, n);
        py::array_t<int64_t, py::array::c_style | py::array::forcecast> len_a;
        py::array_t<double, py::array::c_style | py::array::forcecast> sc_a;
        const int64_t* len = nullptr;
        const double* sc = nullptr;
        if (policy == 1) {
          len_a = py::array_t<int64_t, py::array::c_style | py::array::forcecast>::ensure(lengths);
          if (!len_a || static_cast<size_t>(len_a.size()) != n) throw py::value_error("lengths must have n entries");
          len = len_a.data();
        } else if (policy == 2) {
          sc_a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(scores);
          if (!sc_a || static_cast<size_t>(sc_a.size()) != n) throw py::value_error("scores must have n entries");
          sc = sc_a.data();
        } else if (policy != 0) {
          throw py::value_error("unknown keep policy");
        }
        py::array_t<bool> keep(static_cast<py::ssize_t>(n));
        py::array_t<int64_t> root(static_cast<py::ssize_t>(n));
        ce::dedup::clusters(n, p, policy, len, sc, reinterpret_cast<uint8_t*>(keep.mutable_data()),
                            root.mutable_data());
        return py::make_tuple(keep, root);
      },
      py::arg("n"), py::arg("pairs"), py::arg("policy"), py::arg("lengths") = py::none(),
      py::arg("scores") = py::none());
}
