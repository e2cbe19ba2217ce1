"""The ``[province]`` section of a province experiment: how its counties are described.

A province is a set of counties, each run as one run of a sweep. By default its counties are
drawn by :mod:`mergesim.province.generate` from the distributions below, shaped like the
province-wide reform of Sichuan (2019–2020): **183 counties; 4,610 townships merged into
3,101; 45,447 villages merged into 26,369** (the figures cited in the project's issue on scale,
from Sichuan's reform announcements). Figures of one county come from the seed county's report
(``docs/domain.md``: 60 townships, about 1,050 villages, about 800,000 people, 8 border
townships and 72 border villages kept). Everything else is a stated assumption.

Alternatively ``table`` names a CSV file with one line per county (:mod:`mergesim.province.table`).
"""

from __future__ import annotations

from dataclasses import dataclass

from mergesim.config.params import param

#: Sichuan's reform totals (source: the issue on scale, citing the province's announcements).
SICHUAN_COUNTIES = 183
SICHUAN_TOWNSHIPS = (4610, 3101)
SICHUAN_VILLAGES = (45447, 26369)
#: County types by terrain, in the order of ``terrain_mix``.
TERRAINS = ("plain", "hill", "mountain")


@dataclass
class ProvinceParams:
    """How the province's counties are drawn (or read), and how its report groups them."""

    counties: int = param(
        SICHUAN_COUNTIES,
        "counties",
        "Counties in the province (synthetic provinces).",
        lo=1,
        hi=5000,
        source="Sichuan: 183 counties (issue on scale)",
    )
    seed: int = param(
        0,
        "-",
        "Seed of the province's geography (0: derived from the experiment's root seed).",
        lo=0,
        hi=2**63 - 1,
        source="design: same seed, same province",
    )
    table: str = param(
        "",
        "path",
        "CSV file of counties, one line per county (relative to the experiment file; "
        "docs/experiments.md lists its columns); empty: the synthetic province.",
    )
    townships_mean: float = param(
        SICHUAN_TOWNSHIPS[0] / SICHUAN_COUNTIES,
        "townships",
        "Mean townships per county before the reform; the province's total is "
        "round(counties × this).",
        lo=1.0,
        hi=2000.0,
        source="Sichuan: 4,610 townships in 183 counties = 25.2",
    )
    townships_sigma: float = param(
        0.45,
        "-",
        "Log-normal sigma of county size (townships) around the mean.",
        lo=0.0,
        hi=3.0,
        source="assumption: a county of 2.5× the median is rare but present",
    )
    villages_per_township: float = param(
        SICHUAN_VILLAGES[0] / SICHUAN_TOWNSHIPS[0],
        "villages",
        "Mean villages per township before the reform; the province's total villages is "
        "round(total townships × this).",
        lo=1.0,
        hi=200.0,
        source="Sichuan: 45,447 villages in 4,610 townships = 9.86",
    )
    villages_sigma: float = param(
        0.3,
        "-",
        "Log-normal sigma of villages per township across counties.",
        lo=0.0,
        hi=3.0,
    )
    township_merge_share: float = param(
        1 - SICHUAN_TOWNSHIPS[1] / SICHUAN_TOWNSHIPS[0],
        "-",
        "Mean share of townships merged away (the plan's township target factor is "
        "before / after).",
        lo=0.0,
        hi=0.95,
        source="Sichuan: 4,610 → 3,101 townships, 32.7 % merged away",
    )
    village_merge_share: float = param(
        1 - SICHUAN_VILLAGES[1] / SICHUAN_VILLAGES[0],
        "-",
        "Mean share of villages merged away (the plan's target factor is before / after).",
        lo=0.0,
        hi=0.95,
        source="Sichuan: 45,447 → 26,369 villages, 42.0 % merged away",
    )
    merge_sigma: float = param(
        0.4,
        "-",
        "Spread of counties' merge intensity: sigma of the merged-away share on the logit scale.",
        lo=0.0,
        hi=3.0,
    )
    population_per_village: float = param(
        800_000 / 1050,
        "persons",
        "Mean registered population per village.",
        lo=1.0,
        hi=1e5,
        source="report: the seed county, ~800,000 people in ~1,050 villages",
    )
    population_sigma: float = param(
        0.3, "-", "Log-normal sigma of population per village across counties.", lo=0.0, hi=3.0
    )
    area_per_village_km2: float = param(
        2200.0 / 1050,
        "km²",
        "Mean area per village in a hill county (plain and mountain counties: times terrain_area).",
        lo=0.01,
        hi=1000.0,
        source="seed county scenario: 2,200 km² (assumption) over ~1,050 villages",
    )
    terrain_mix: list[float] = param(
        [0.2, 0.45, 0.35],
        "-",
        "Shares of plain, hill and mountain counties (normalised to sum 1).",
        lo=0.0,
        hi=1.0,
        source="assumption: Sichuan's Chengdu plain, hilly basin and western mountains",
    )
    terrain_area: list[float] = param(
        [0.8, 1.0, 2.5],
        "-",
        "Area per village of plain, hill and mountain counties, relative to a hill county.",
        lo=0.05,
        hi=20.0,
    )
    plain_county: list[float] = param(
        [0.65, 0.05],
        "-",
        "terrain.plain_share and terrain.mountain_share of a plain county (hill counties "
        "keep the base scenario's).",
        lo=0.0,
        hi=1.0,
    )
    mountain_county: list[float] = param(
        [0.1, 0.6],
        "-",
        "terrain.plain_share and terrain.mountain_share of a mountain county.",
        lo=0.0,
        hi=1.0,
    )
    border_township_share: float = param(
        8 / 60,
        "-",
        "Share of a border county's townships that are border townships (counties on the "
        "province's outline are border counties).",
        lo=0.0,
        hi=1.0,
        source="report: 8 of the seed county's 60 townships",
    )
    border_village_share: float = param(
        72 / 1050,
        "-",
        "Share of a border county's villages that are border villages (三边村).",
        lo=0.0,
        hi=1.0,
        source="report: 72 of the seed county's ~1,050 villages",
    )
    central_share: float = param(
        6 / 60,
        "-",
        "Share of a county's townships classed central (at least one).",
        lo=0.0,
        hi=1.0,
        source="seed county scenario: 6 of 60 (assumption)",
    )
    heritage_township_share: float = param(
        2 / 60,
        "-",
        "Share of a county's townships kept for their heritage.",
        lo=0.0,
        hi=1.0,
        source="report: two of the seed county's 60 townships",
    )
    heritage_village_share: float = param(
        4 / 1050,
        "-",
        "Share of a county's villages kept for their heritage.",
        lo=0.0,
        hi=1.0,
        source="seed county scenario: 4 named villages of ~1,050",
    )

    def check(self) -> tuple[str, str] | None:
        if len(self.terrain_mix) != 3 or sum(self.terrain_mix) <= 0:
            return ("terrain_mix", "allowed: three shares [plain, hill, mountain], sum > 0")
        if len(self.terrain_area) != 3:
            return ("terrain_area", "allowed: three factors [plain, hill, mountain]")
        for name in ("plain_county", "mountain_county"):
            v = getattr(self, name)
            if len(v) != 2 or v[0] + v[1] > 1:
                return (name, f"value {list(v)!r}: allowed [plain_share, mountain_share], sum <= 1")
        return None


#: The province section of ``docs/experiments.md`` (rendered by :mod:`mergesim.sweep.docs`
#: before the table of :class:`ProvinceParams`).
REFERENCE = (
    'With `kind = "province"` the experiment\'s units are counties. It takes one base '
    "scenario (`scenarios = [...]`); `[province]` describes the counties and each county "
    "becomes one scenario of the sweep, labelled `county_001`, … (or the table's labels): "
    "the base scenario with the county's `county.townships`, `county.villages`, "
    "`county.population`, `county.area_km2`, `county.seed` (its own geography, a child of "
    "the province's seed), `terrain.*` (plain and mountain counties), `border.*` (counties "
    "on the province's outline, their border stretch towards it), `heritage.*`, "
    "`county.central_townships` and the plan's `target_factor` and "
    "`township_target_factor` (before / after) set. The synthetic province is drawn from "
    "the distributions below, shaped like Sichuan's reform (183 counties; 4,610 townships "
    "merged into 3,101; 45,447 villages into 26,369): the counts before are allocated "
    "exactly, the counts after are each county's draw of merge intensity. Same seed, same "
    "province and the same runs, whatever the worker count; `--resume` and the resolved "
    "`experiment.toml` (which lists the counties as scenarios) continue the same study. "
    "`[smoke.province]` keys replace `[province]` keys in `--smoke`.\n\n"
    '`table = "counties.csv"` reads the counties instead: one line per county with '
    "columns `county`, `townships`, `villages`, `population` (required), `townships_after`, "
    "`villages_after`, `area_km2`, `terrain` (plain, hill, mountain), `border` (0/1), "
    "`x_km`, `y_km` (optional; see `mergesim.province.table`). A bad value is one line "
    "naming the file, the column, the row and what is allowed (exit code 2).\n\n"
    "The results folder also holds `province.csv` (the counties) and `province.geojson` "
    "(a schematic map: Voronoi cells of the county centres clipped to the province's "
    "outline); the report adds `## Province`: per county (`<out>/tables/province_counties.csv`), "
    "pooled by county type, terrain × size class (`<out>/tables/province_pooled.csv`: the mean "
    "over counties with a 95 % t interval across counties — counties are the units, not "
    "replicates), and a county map of each of the first six metrics."
)
