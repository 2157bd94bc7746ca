"""mirrorlib: exact Lasso dictionaries ("libraries of mirrors") for neural networks on 1-D data.

The top-level names are loaded on first use, so ``import mirrorlib`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "library": "mirrorlib.libraries.closed_form",
    "Library": "mirrorlib.libraries.closed_form",
    "Feature": "mirrorlib.libraries.closed_form",
    "PWL": "mirrorlib.functions.pwl",
    "Activation": "mirrorlib.functions.activations",
    "get_activation": "mirrorlib.functions.activations",
    "NarrowUnit": "mirrorlib.units",
    "narrow_unit": "mirrorlib.units",
    "reflect": "mirrorlib.functions.reflections",
    "reflection_expressions": "mirrorlib.functions.reflections",
    "as_dataset": "mirrorlib.data",
    "ConvexNet": "mirrorlib.estimator",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mirrorlib' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
