"""Independent references that mergesim's sub-models are checked against.

:mod:`mergesim.validation.queueing` — closed-form M/M/c (Erlang C), M/M/∞ and tandem (Jackson
network) results, and batch-means confidence intervals for simulation output.

:mod:`mergesim.validation.references` — brute-force and other-library computations (networkx
Dijkstra, Floyd–Warshall, per-villager counting, replicated Poisson petition queues).

:mod:`mergesim.validation.stylised` — stylised facts of the amalgamation literature as direction
checks.

:mod:`mergesim.validation.result` — one row of the table (shared by the suite and the facts).

:mod:`mergesim.validation.suite` — the checks of ``mergesim validate --model`` and
``tests/validation/``: each a function returning rows of check, reference, ours, tolerance,
pass.
"""
