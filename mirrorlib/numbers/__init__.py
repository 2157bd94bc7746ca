"""Exact numbers: parsing rationals (:mod:`.exact`) and exact linear algebra on FLINT (:mod:`.linalg`)."""
