"""Lasso dictionaries: the :class:`Library` type (:mod:`.library`), the closed forms of the paper
(:mod:`.closed_form`) and the array recursion that builds their columns, in float64 or exact
integers (:mod:`.narrow_columns`).

Examples
--------
>>> from mirrorlib.libraries import library
>>> library([0, 1, 3], "abs", 3).counts.naive
10
"""

from mirrorlib.libraries.library import ColumnSelection, Feature, Library, LibraryCounts, MemoryLimitExceeded, exact_column
from mirrorlib.libraries.closed_form import ARCHITECTURES, VARIANTS, generated_library, library

__all__ = ["ColumnSelection", "Feature", "Library", "LibraryCounts", "MemoryLimitExceeded", "library", "generated_library", "exact_column", "ARCHITECTURES", "VARIANTS"]
