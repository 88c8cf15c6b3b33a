"""Pure-Python twins of the native kernels: the semantics, the test oracle, the benchmark baseline."""
