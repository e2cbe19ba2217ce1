"""Independent references that mergesim's sub-models are checked against (issue 6).

:mod:`mergesim.validation.queueing` — closed-form M/M/c (Erlang C), M/M/∞ and tandem (Jackson
network) results, and batch-means confidence intervals for simulation output.
"""
