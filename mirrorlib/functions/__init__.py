"""Functions of one variable: activations (:mod:`.activations`), exact piecewise-linear functions
(:mod:`.pwl`) and reflection trees over data (:mod:`.reflections`)."""
