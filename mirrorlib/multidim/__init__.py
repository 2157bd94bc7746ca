"""Two-layer networks on d-dimensional data: activation patterns, the group Lasso over them,
certificates and stationary points (docs/theory.md §8)."""
