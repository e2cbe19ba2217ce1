# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # mergesim in twenty minutes
#
# This tutorial walks through one study with mergesim: the seed county, its merger plan, one
# simulated run, two scenarios compared on the same seeds, the results in pandas, a figure,
# and a small sweep. Every step is either Python (`mergesim.config`, `mergesim.api`, the model)
# or the `mergesim` command line, which is what you would type in a shell.
#
# It is a notebook kept as a plain Python file in
# [jupytext](https://jupytext.readthedocs.io)'s percent format. Open it in Jupyter (with
# jupytext installed it opens as a notebook), or convert it:
# `jupytext --to notebook docs/tutorial/tutorial.py`. CI runs it from start to end
# (`tests/docs/test_tutorial.py`), so what you read here works. It runs in about a minute at
# the small villager scales used here; the numbers are then noisy, so use a scale near 1 for
# figures you mean to report.
#
# Run it from anywhere inside the repository: it finds the repository's `scenarios/` folder
# and writes into `results/tutorial/` (or the folder named by `MERGESIM_TUTORIAL_OUT`).
#
# To look at the same county interactively, start the browser app: `mergesim app` (needs
# `pip install -e '.[app]'`).

# %%
import os
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

ROOT = next(
    p for p in [Path.cwd(), *Path.cwd().parents] if (p / "scenarios" / "seed_county.toml").is_file()
)
OUT = Path(os.environ.get("MERGESIM_TUTORIAL_OUT", ROOT / "results" / "tutorial"))
OUT.mkdir(parents=True, exist_ok=True)
SEED_COUNTY = ROOT / "scenarios" / "seed_county.toml"
SCALE = 0.05  # share of the county's 800,000 villagers simulated: small, so this runs fast


def mergesim(*args: str) -> str:
    """Run the mergesim command line (as in a shell) and return what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "mergesim", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in (0, 1):  # 1: a run finished but a check failed; shown below
        raise RuntimeError(done.stderr)
    return done.stdout


print("repository:", ROOT)
print("results go to:", OUT)

# %% [markdown]
# ## 1. The seed county and its merger plan
#
# A *scenario* is a TOML file; every parameter it does not set keeps the default of the
# schema (`docs/scenarios.md` lists them all with units, ranges and sources). Loading one
# validates it: a wrong key or value is one clear error.

# %%
from mergesim.config import load_scenario  # noqa: E402

scenario = load_scenario(SEED_COUNTY)
print(scenario.name, "-", scenario.description)
print("plan method:", scenario.plan.method, "| target factor:", scenario.plan.target_factor)
print("agency service on:", scenario.services.agency_service)

# %% [markdown]
# `mergesim.api.plan_scenario` builds the county (townships, villages, roads) and the merger
# plan, checks the plan, and can write its files; here it only computes. The summary holds
# the report's headline figures.

# %%
from mergesim import api  # noqa: E402

planned = api.plan_scenario(SEED_COUNTY, write=False, maps=False)
summary = planned.summary
print(
    pd.Series(
        {
            k: summary[k]
            for k in (
                "townships_before",
                "townships_after",
                "villages_before",
                "villages_after",
                "merged_villages",
                "border_villages_kept",
            )
        }
    )
)
print("all plan checks pass:", planned.all_checks_ok)

# %%
from IPython.display import Image  # noqa: E402

from mergesim.plotting.maps import plot_before_after  # noqa: E402

fig = plot_before_after(planned.county, planned.plan)
fig.savefig(OUT / "plan_before_after.png", dpi=80)
Image(filename=OUT / "plan_before_after.png")  # mergesim's figures are not pyplot figures

# %% [markdown]
# ## 2. One run
#
# `mergesim run` simulates the county week by week — villagers' service needs and trips,
# cadres, grievance and petitions — over the warm-up, the reform week and three years after,
# and writes `summary.json`, the weekly `timeseries.csv`, `villages.csv` and figures.
# `--scale` sets the share of villagers simulated, `--seed` the run's seed.

# %%
print(mergesim("run", SEED_COUNTY, "--scale", SCALE, "--seed", 1, "--out", OUT / "reform"))

# %% [markdown]
# ## 3. Two scenarios on the same seeds
#
# `seed_county_no_duty_agency.toml` extends the seed county and switches off two measures:
# the village agency service and the transition duty teams. Run with the **same seed**, both
# scenarios draw the same random numbers wherever they agree (each mechanism has its own
# named random stream), so their week-by-week difference is the effect of the two measures
# rather than noise.

# %%
NO_AGENCY = ROOT / "scenarios" / "seed_county_no_duty_agency.toml"
print(load_scenario(NO_AGENCY).description)
print(
    mergesim(
        "run", NO_AGENCY, "--scale", SCALE, "--seed", 1, "--out", OUT / "no_agency"
    ).splitlines()[0]
)

# %% [markdown]
# ## 4. The results in pandas
#
# Every result is a plain file. `timeseries.csv` has one row per week: the week, its phase
# (`pre`, `transition`, `post`), its summary window and every metric (`docs/metrics.md`
# defines each one with its unit).

# %%
weekly = {name: pd.read_csv(OUT / name / "timeseries.csv") for name in ("reform", "no_agency")}
weekly["reform"][
    ["week", "phase", "travel_min_mean", "admin_in_village_share", "grievance_mean"]
].tail()

# %% [markdown]
# Paired differences, week by week, and their means over the post-reform weeks:

# %%
keys = ["travel_min_mean", "admin_in_village_share", "one_trip_share", "grievance_mean"]
a, b = (weekly[n].set_index("week") for n in ("reform", "no_agency"))
paired = (b[keys] - a[keys]).assign(phase=a["phase"])
paired.groupby("phase")[keys].mean().loc[["pre", "transition", "post"]]

# %% [markdown]
# Before the reform both runs are the same county with the same seeds, so the differences
# are exactly zero; afterwards they are the two measures' effect.
#
# `summary.json` holds each metric for the pre-reform, transition and post-reform windows:

# %%
import json  # noqa: E402

windows = {n: json.loads((OUT / n / "summary.json").read_text()) for n in weekly}
pd.DataFrame({n: {k: s["post"][k] for k in keys} for n, s in windows.items()})

# %% [markdown]
# ## 5. A figure
#
# Weekly travel per administrative affair in both runs, the reform week marked:

# %%
from mergesim.metrics import METRICS  # noqa: E402

key = "travel_min_mean_admin"
fig, ax = plt.subplots(figsize=(8, 3.5))
for name, label in (
    ("reform", "with the agency service and duty teams"),
    ("no_agency", "without them"),
):
    ax.plot(weekly[name]["week"], weekly[name][key], label=label)
ax.axvline(scenario.timeline.warmup_weeks, color="crimson", ls="--", label="reform week")
ax.set_xlabel("week")
ax.set_ylabel(f"{METRICS[key].name} ({METRICS[key].unit})")
ax.legend(frameon=False)
fig.savefig(OUT / "admin_travel.png", dpi=80)

# %% [markdown]
# ## 6. A small sweep
#
# An *experiment* file names scenarios, factors (any scenario key) and replications;
# `mergesim sweep` runs every combination on all cores (or a Dask cluster), resumes if
# interrupted, and writes a tidy runs table, the weekly series of every run, figures and
# `report.md`. Here: the agency service on and off, two replications each, at a small scale
# and over a shorter horizon (a year and a half after the reform).

# %%
experiment = OUT / "agency_sweep.toml"
experiment.write_text(f"""
name = "tutorial_agency"
description = "Agency service on and off (tutorial)."
seed = 20191201
replications = 2
scenarios = ["{SEED_COUNTY.as_posix()}"]
metrics = ["post.travel_min_mean", "post.admin_in_village_share", "post.petitions_per10k"]

[overrides]
"villagers.scale" = 0.02
"timeline.horizon_weeks" = 78
"timeline.post_window_weeks" = 26

[design]
method = "factorial"

[[factors]]
key = "services.agency_service"
label = "agency service"
values = [true, false]
""")
print(mergesim("sweep", experiment, "--out", OUT / "sweep", "--workers", 2, "--no-progress"))

# %%
runs = pd.read_csv(OUT / "sweep" / "runs.csv")
print(runs.columns.tolist()[:12], "...")
factor = next(c for c in runs.columns if "agency" in c)
runs.groupby(factor)[["post.travel_min_mean", "post.admin_in_village_share"]].agg(["mean", "std"])

# %% [markdown]
# `results/tutorial/sweep/report.md` describes the sweep with its figures; `mergesim plot`
# redraws them from the tables, and `mergesim compare` sets several results folders side by
# side. The app's *Results* tab opens the same folders in the browser.
#
# Next: `docs/scenarios.md` (every parameter), `docs/metrics.md` (every metric),
# `docs/architecture.md` (how the code is organised) and the experiments in `experiments/`.
