"""The browser app: explore a county, move the levers, watch the merger play out.

``mergesim app [SCENARIO]`` (:func:`mergesim.api.app`) serves a Solara page on a local port.
Solara and the rest of the web stack are an optional extra (``pip install -e '.[app]'``):
only :mod:`.server`, :mod:`.components` and :mod:`.page` import it, and only
:func:`mergesim.app.server.serve` imports those, so ``import mergesim.app`` stays cheap.

Modules, one concern each:

* :mod:`.controls` — what the controls offer, read from the scenario schema (plan method and
  target factor, the report's measures as switches, scale, seed) and how a choice becomes a
  validated scenario;
* :mod:`.session` — a live run (the model plus per-village accumulators), the outcomes a map
  can show, a pair of runs on the same seeds, and the frame clock;
* :mod:`.figures` — pure data functions and matplotlib plots of the live map and series;
* :mod:`.results` — what a results folder holds (tables, figures, report);
* :mod:`.components`, :mod:`.page` — the Solara user interface;
* :mod:`.server` — start the web server (prints the address).

Why not Mesa's ``SolaraViz``: it drives one model re-created from keyword ``model_params`` and
draws Mesa spaces (grids, networks, continuous space) of agent objects. The app needs two
models on paired seeds (side-by-side mode), villagers kept as arrays, and a map of village
territories; and ``mesa.visualization`` imports Altair, which mergesim does not otherwise
need. The app follows SolaraViz's layout instead: a sidebar with the run controls (step, play
with a threaded loop as SolaraViz's ``ModelController`` does, pause, reset) and the parameters,
and the model's views in the main area.
"""
