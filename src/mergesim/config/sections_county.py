"""Scenario sections of the county and the merger plan: ``county``, ``terrain``, ``border``,
``heritage``, ``roads``, ``plan``. Part of the schema (see :mod:`mergesim.config.schema`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from mergesim.config.params import Section, param

# ---------------------------------------------------------------------------------------------
# The county
# ---------------------------------------------------------------------------------------------


def _column(canonical: str) -> str:
    return param(
        "",
        "-",
        f"File column read as '{canonical}' (empty: '{canonical}' or one of its aliases, "
        "docs/data.md).",
    )


@dataclass(frozen=True)
class ColumnMap(Section):
    """Which column of a village file holds each canonical column (``[county.columns]``).

    Each key is a canonical column of ``docs/data.md``; its value is the file's column name
    (case-insensitive). Unset keys take the canonical name or one of its aliases, e.g.
    ``latitude`` for ``lat`` or ``geonameid`` for ``id``.
    """

    id: str = _column("id")
    name: str = _column("name")
    township: str = _column("township")
    x: str = _column("x")
    y: str = _column("y")
    lon: str = _column("lon")
    lat: str = _column("lat")
    population: str = _column("population")
    households: str = _column("households")
    groups: str = _column("groups")
    area_km2: str = _column("area_km2")
    terrain: str = _column("terrain")
    border: str = _column("border")
    heritage: str = _column("heritage")
    corridor: str = _column("corridor")
    township_seat: str = _column("township_seat")
    township_class: str = _column("township_class")


@dataclass(frozen=True)
class CountyParams(Section):
    """Where the county comes from, and the synthetic generator's size knobs."""

    source: str = param(
        "synthetic",
        "-",
        "Where villages come from: the seeded synthetic generator, a CSV file or a GeoJSON file.",
        choices=("synthetic", "csv", "geojson"),
    )
    data: str = param(
        "",
        "path",
        "Village file for source = csv/geojson (relative to the scenario file).",
    )
    edges: str = param(
        "",
        "path",
        "Optional road edges CSV (a, b, minutes) for real data; empty derives roads from points.",
    )
    columns: ColumnMap = field(default_factory=ColumnMap)
    seed: int | None = param(
        None,
        "-",
        "Seed of the geography: the synthetic county and the plan ensemble's draws. "
        "Unset = the scenario's seed. Sweeps and MergerModel(rng=...) pin it to the scenario's "
        "seed, so replicates vary behaviour on one county; make it a factor to sample counties.",
        lo=0,
        hi=2**63 - 1,
        source="design: replicates share the county (paired comparisons)",
    )
    area_km2: float = param(
        2200.0,
        "km²",
        "Synthetic county area.",
        lo=1.0,
        hi=1e5,
        source="assumption: a hilly county of ~800,000 people in SW China",
    )
    population: int = param(
        800_000,
        "persons",
        "Synthetic county registered population.",
        lo=1,
        hi=1e8,
        source="report (~800,000)",
    )
    villages: int = param(
        1050,
        "villages",
        "Number of administrative villages before the reform.",
        lo=1,
        hi=100_000,
        source="report: 549 merged away + 383 merged + kept units ≈ 1,050",
    )
    townships: int = param(
        60,
        "townships",
        "Number of townships before the reform (synthetic counties, and data files without a "
        "township column: the townships mergesim makes from the villages).",
        lo=1,
        hi=2_000,
        source="report: ~30 abolished, halving the count",
    )
    central_townships: int = param(
        6,
        "townships",
        "Townships classed 'central' (largest on trunk corridors).",
        lo=0,
        hi=500,
        source="report names county-seat, sub-centre and central towns",
    )
    outline_roughness: float = param(
        0.18,
        "-",
        "Relative amplitude of the outline's random harmonics (0 = a circle).",
        lo=0.0,
        hi=0.4,
    )
    outline_harmonics: int = param(
        6, "-", "Number of random harmonics shaping the outline.", lo=0, hi=20
    )
    seat_offset: float = param(
        0.12,
        "-",
        "Offset of the county seat from the centre, as a share of the radius.",
        lo=0.0,
        hi=0.6,
    )
    corridors: int = param(
        3,
        "roads",
        "Trunk corridors radiating from the county seat to the outline.",
        lo=0,
        hi=8,
    )
    corridor_width_km: float = param(
        1.8,
        "km",
        "A village within this distance of a corridor is 'on the corridor'.",
        lo=0.0,
        hi=20.0,
    )
    village_pop_sigma: float = param(
        0.45,
        "-",
        "Log-normal sigma of village population around the terrain mean.",
        lo=0.0,
        hi=2.0,
    )
    household_size: float = param(
        3.1,
        "persons",
        "Mean persons per household.",
        lo=1.0,
        hi=10.0,
        source="China 2020 census: 2.62 nationally, higher in rural SW China (assumption 3.1)",
    )
    group_households: float = param(
        40.0,
        "households",
        "Mean households per villager group (natural hamlet).",
        lo=5.0,
        hi=200.0,
        source="assumption: a villager group is a former natural hamlet of 20–100 households "
        "(docs/domain.md §1)",
        plausible=(20.0, 100.0),
    )


@dataclass(frozen=True)
class TerrainParams(Section):
    """The synthetic terrain field and how terrain shapes settlement."""

    plain_share: float = param(
        0.30, "-", "Share of the county area that is plain (flattest quantile).", lo=0.0, hi=1.0
    )
    mountain_share: float = param(
        0.25,
        "-",
        "Share of the county area that is mountain (steepest quantile).",
        lo=0.0,
        hi=1.0,
    )
    mountain_direction_deg: float = param(
        30.0,
        "degrees",
        "Direction (from the seat, counter-clockwise from east) of the mountainous edge.",
        lo=0.0,
        hi=360.0,
    )
    rivers: int = param(2, "rivers", "River valleys (plains) crossing the county.", lo=0, hi=6)
    density_plain: float = param(
        1.6, "-", "Relative village density on plains (hill = 1).", lo=0.05, hi=10.0
    )
    density_mountain: float = param(
        0.55, "-", "Relative village density in mountains (hill = 1).", lo=0.05, hi=10.0
    )
    pop_plain: float = param(
        1.3, "-", "Relative village population on plains (hill = 1).", lo=0.05, hi=10.0
    )
    pop_mountain: float = param(
        0.7, "-", "Relative village population in mountains (hill = 1).", lo=0.05, hi=10.0
    )

    def check(self) -> tuple[str, str] | None:
        if self.plain_share + self.mountain_share > 1.0:
            return (
                "mountain_share",
                f"plain_share + mountain_share = {self.plain_share + self.mountain_share:g} "
                "exceeds 1; allowed: a sum <= 1",
            )
        return None


@dataclass(frozen=True)
class BorderParams(Section):
    """The stretch of the outline shared with another province or prefecture ("三边")."""

    center_deg: float = param(
        210.0,
        "degrees",
        "Direction (from the seat, counter-clockwise from east) of the middle "
        "of the border stretch.",
        lo=0.0,
        hi=360.0,
    )
    townships: int = param(
        8,
        "townships",
        "Edge townships along the stretch, nearest its middle, that are border "
        "townships (synthetic counties).",
        lo=0,
        hi=500,
        source="report: 8 border townships kept",
    )
    villages: int = param(
        72,
        "villages",
        "Border villages: the villages of the border townships nearest the "
        "outline (synthetic counties).",
        lo=0,
        hi=10_000,
        source="report: 72 '三边村' kept",
    )


@dataclass(frozen=True)
class HeritageParams(Section):
    """Units with special history or culture, kept by the policy plan."""

    townships: int = param(
        2,
        "townships",
        "Heritage townships drawn at random (synthetic counties).",
        lo=0,
        hi=500,
        source="report names two kept towns (*江镇, *乡)",
    )
    villages: int = param(
        4,
        "villages",
        "Heritage villages drawn at random (synthetic counties).",
        lo=0,
        hi=10_000,
        source="report names 南池村, 云台村 and 'a batch' of others",
    )


@dataclass(frozen=True)
class RoadParams(Section):
    """Road speeds: travel minutes per road edge = length × detour / speed."""

    trunk_kmh: float = param(60.0, "km/h", "Speed on trunk corridors.", lo=1.0, hi=200.0)
    plain_kmh: float = param(40.0, "km/h", "Speed on county roads in plains.", lo=1.0, hi=200.0)
    hill_kmh: float = param(30.0, "km/h", "Speed on county roads in hills.", lo=1.0, hi=200.0)
    mountain_kmh: float = param(
        20.0, "km/h", "Speed on county roads in mountains.", lo=1.0, hi=200.0
    )
    detour: float = param(
        1.3,
        "-",
        "Road length / straight-line distance.",
        lo=1.0,
        hi=5.0,
        source="circuity of rural roads ~1.2–1.4 (Ballou et al. 2002)",
        plausible=(1.2, 1.4),
    )


# ---------------------------------------------------------------------------------------------
# The merger plan
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanParams(Section):
    """Which merger plan generator to use and its targets, exemptions and density gradient."""

    method: str = param(
        "policy",
        "-",
        "Plan generator: none (baseline), policy (the seed's rules), uniform "
        "(same targets, no exemptions or gradient), file (explicit CSV), ensemble (random plans "
        "under the policy rules).",
        choices=("none", "policy", "uniform", "file", "ensemble"),
    )
    target_factor: float = param(
        2.0,
        "-",
        "Target multiplier of mean population and mean area of townships and villages "
        "(the count of units is divided by it).",
        lo=1.0,
        hi=20.0,
        source="report: '双倍增' (double-doubling)",
    )
    township_target_factor: float = param(
        0.0,
        "-",
        "Separate target for townships; 0 uses target_factor.",
        lo=0.0,
        hi=20.0,
    )
    keep_border_townships: bool = param(
        True, "-", "Border townships are kept whole (not merged with others).", source="report"
    )
    keep_border_villages: bool = param(
        True, "-", "Border villages are not merged.", source="report"
    )
    keep_heritage: bool = param(
        True, "-", "Heritage townships and villages are kept.", source="report"
    )
    seat_pull: float = param(
        1.0,
        "-",
        "Weight of closeness to the county seat in the merge propensity.",
        lo=0.0,
        hi=10.0,
    )
    corridor_pull: float = param(
        0.6, "-", "Extra merge propensity of units on a trunk corridor.", lo=0.0, hi=10.0
    )
    terrain_pull: tuple[float, ...] = param(
        [1.0, 0.55, 0.25],
        "-",
        "Merge propensity of plain, hill and mountain units.",
        lo=0.01,
        hi=10.0,
    )
    size_exponent: float = param(
        4.0,
        "-",
        "Exponent on the combined size in the merge cost; larger = more even unit "
        "sizes (too large inverts the density gradient).",
        lo=0.0,
        hi=10.0,
        source="calibrated: 345–420 merged villages in the seed county (report: 383)",
    )
    gradient_strength: float = param(
        0.75,
        "-",
        "Exponent on the propensity in the merge cost; larger = steeper gradient "
        "(0 = no gradient).",
        lo=0.0,
        hi=10.0,
        source="calibrated with size_exponent (see docs/architecture.md)",
    )
    file: str = param(
        "",
        "path",
        "Mapping CSV for method = file (village_id, new_village, new_township).",
    )
    ensemble_size: int = param(
        20,
        "plans",
        "Plans drawn by method = ensemble (mergesim plan summarises all).",
        lo=1,
        hi=10_000,
    )
    ensemble_member: int = param(0, "-", "Which ensemble plan a model run uses.", lo=0, hi=10_000)
    ensemble_noise: float = param(
        0.5,
        "-",
        "Log-normal sigma of the random factor on each merge cost (ensemble).",
        lo=0.0,
        hi=5.0,
    )

    def check(self) -> tuple[str, str] | None:
        if len(self.terrain_pull) != 3:
            return (
                "terrain_pull",
                f"value {list(self.terrain_pull)!r} must have 3 numbers (plain, hill, mountain)",
            )
        if self.method == "file" and not self.file:
            return ("file", "method = 'file' needs plan.file, the path of a mapping CSV")
        if self.ensemble_member >= self.ensemble_size:
            return (
                "ensemble_member",
                f"value {self.ensemble_member} must be < ensemble_size ({self.ensemble_size})",
            )
        return None

    @property
    def township_factor(self) -> float:
        """The township target: ``township_target_factor`` or, if 0, ``target_factor``."""
        return self.township_target_factor or self.target_factor
