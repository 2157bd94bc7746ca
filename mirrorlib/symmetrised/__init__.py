"""Deep narrow symmetrised-ReLU networks on 1-D data: units, the exact dual oracle and the
certified group-Lasso fit."""
