"""Networks: the parallel network, its exact map to and from a Lasso point (:mod:`.parallel`), and
the non-convex training baseline (:mod:`.training`)."""
