"""The scenario schema: every parameter of mergesim, its default, unit, range and source.

This module is the single place where defaults live. A scenario file (TOML) overrides any of
them; :mod:`mergesim.config.load` reads the file, resolves ``extends`` and ``--set`` and builds a
:class:`Scenario` through :func:`~mergesim.config.params.build_section`, which rejects unknown
keys, wrong types and out-of-range values with one line.

Sources: "report" marks a figure from the seed county's report (see ``../shared/DOMAIN.md``);
"assumption" marks a modelling choice documented here; other sources are cited inline.

The defaults describe the *seed county*: a hilly county of about 800,000 people with 60
townships and about 1,050 administrative villages (report: 8 border townships and 72 border
villages kept, about 30 townships abolished, 549 villages merged into 383).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mergesim.config.params import param

# ---------------------------------------------------------------------------------------------
# The county
# ---------------------------------------------------------------------------------------------


@dataclass
class CountyParams:
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
    area_km2: float = param(
        2200.0, "km²", "Synthetic county area.", lo=1.0, hi=1e5,
        source="assumption: a hilly county of ~800,000 people in SW China",
    )
    population: int = param(
        800_000, "persons", "Synthetic county registered population.", lo=1, hi=1e8,
        source="report (~800,000)",
    )
    villages: int = param(
        1050, "villages", "Number of administrative villages before the reform.", lo=1, hi=100_000,
        source="report: 549 merged away + 383 merged + kept units ≈ 1,050",
    )
    townships: int = param(
        60, "townships", "Number of townships before the reform.", lo=1, hi=2_000,
        source="report: ~30 abolished, halving the count",
    )
    central_townships: int = param(
        6, "townships", "Townships classed 'central' (largest on trunk corridors).", lo=0, hi=500,
        source="report names county-seat, sub-centre and central towns",
    )
    outline_roughness: float = param(
        0.18, "-", "Relative amplitude of the outline's random harmonics (0 = a circle).",
        lo=0.0, hi=0.4,
    )
    outline_harmonics: int = param(
        6, "-", "Number of random harmonics shaping the outline.", lo=0, hi=20
    )
    seat_offset: float = param(
        0.12, "-", "Offset of the county seat from the centre, as a share of the radius.",
        lo=0.0, hi=0.6,
    )
    corridors: int = param(
        3, "roads", "Trunk corridors radiating from the county seat to the outline.", lo=0, hi=8,
    )
    corridor_width_km: float = param(
        1.8, "km", "A village within this distance of a corridor is 'on the corridor'.",
        lo=0.0, hi=20.0,
    )
    village_pop_sigma: float = param(
        0.45, "-", "Log-normal sigma of village population around the terrain mean.",
        lo=0.0, hi=2.0,
    )
    household_size: float = param(
        3.1, "persons", "Mean persons per household.", lo=1.0, hi=10.0,
        source="China 2020 census: 2.62 nationally, higher in rural SW China (assumption 3.1)",
    )
    group_households: float = param(
        40.0, "households", "Mean households per villager group (natural hamlet).",
        lo=5.0, hi=200.0, source="DOMAIN.md: 20–100 households per group",
    )


@dataclass
class TerrainParams:
    """The synthetic terrain field and how terrain shapes settlement."""

    plain_share: float = param(
        0.30, "-", "Share of the county area that is plain (flattest quantile).", lo=0.0, hi=1.0
    )
    mountain_share: float = param(
        0.25, "-", "Share of the county area that is mountain (steepest quantile).",
        lo=0.0, hi=1.0,
    )
    mountain_direction_deg: float = param(
        30.0, "degrees", "Direction (from the seat, counter-clockwise from east) of the "
        "mountainous edge.", lo=0.0, hi=360.0,
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


@dataclass
class BorderParams:
    """The stretch of the outline shared with another province or prefecture ("三边")."""

    center_deg: float = param(
        210.0, "degrees", "Direction (from the seat, counter-clockwise from east) of the middle "
        "of the border stretch.", lo=0.0, hi=360.0,
    )
    townships: int = param(
        8, "townships", "Edge townships along the stretch, nearest its middle, that are border "
        "townships (synthetic counties).", lo=0, hi=500, source="report: 8 border townships kept",
    )
    villages: int = param(
        72, "villages", "Border villages: the villages of the border townships nearest the "
        "outline (synthetic counties).", lo=0, hi=10_000, source="report: 72 '三边村' kept",
    )


@dataclass
class HeritageParams:
    """Units with special history or culture, kept by the policy plan."""

    townships: int = param(
        2, "townships", "Heritage townships drawn at random (synthetic counties).", lo=0, hi=500,
        source="report names two kept towns (*江镇, *乡)",
    )
    villages: int = param(
        4, "villages", "Heritage villages drawn at random (synthetic counties).", lo=0, hi=10_000,
        source="report names 南池村, 云台村 and 'a batch' of others",
    )


@dataclass
class RoadParams:
    """Road speeds: travel minutes per road edge = length × detour / speed."""

    trunk_kmh: float = param(60.0, "km/h", "Speed on trunk corridors.", lo=1.0, hi=200.0)
    plain_kmh: float = param(40.0, "km/h", "Speed on county roads in plains.", lo=1.0, hi=200.0)
    hill_kmh: float = param(30.0, "km/h", "Speed on county roads in hills.", lo=1.0, hi=200.0)
    mountain_kmh: float = param(
        20.0, "km/h", "Speed on county roads in mountains.", lo=1.0, hi=200.0
    )
    detour: float = param(
        1.3, "-", "Road length / straight-line distance.", lo=1.0, hi=5.0,
        source="circuity of rural roads ~1.2–1.4 (Ballou et al. 2002)",
    )


# ---------------------------------------------------------------------------------------------
# The merger plan
# ---------------------------------------------------------------------------------------------


@dataclass
class PlanParams:
    """Which merger plan generator to use and its targets, exemptions and density gradient."""

    method: str = param(
        "policy", "-", "Plan generator: none (baseline), policy (the seed's rules), uniform "
        "(same targets, no exemptions or gradient), file (explicit CSV), ensemble (random plans "
        "under the policy rules).", choices=("none", "policy", "uniform", "file", "ensemble"),
    )
    target_factor: float = param(
        2.0, "-", "Target multiplier of mean population and mean area of townships and villages "
        "(the count of units is divided by it).", lo=1.0, hi=20.0,
        source="report: '双倍增' (double-doubling)",
    )
    township_target_factor: float = param(
        0.0, "-", "Separate target for townships; 0 uses target_factor.", lo=0.0, hi=20.0,
    )
    keep_border_townships: bool = param(
        True, "-", "Border townships are kept whole (not merged with others).", source="report"
    )
    keep_border_villages: bool = param(
        True, "-", "Border villages are not merged.", source="report"
    )
    keep_heritage: bool = param(True, "-", "Heritage townships and villages are kept.",
                                source="report")
    seat_pull: float = param(
        1.0, "-", "Weight of closeness to the county seat in the merge propensity.", lo=0.0,
        hi=10.0,
    )
    corridor_pull: float = param(
        0.6, "-", "Extra merge propensity of units on a trunk corridor.", lo=0.0, hi=10.0
    )
    terrain_pull: list[float] = param(
        [1.0, 0.55, 0.25], "-", "Merge propensity of plain, hill and mountain units.",
        lo=0.01, hi=10.0,
    )
    size_exponent: float = param(
        4.0, "-", "Exponent on the combined size in the merge cost; larger = more even unit "
        "sizes (too large inverts the density gradient).", lo=0.0, hi=10.0,
        source="calibrated: 345–420 merged villages in the seed county (report: 383)",
    )
    gradient_strength: float = param(
        0.75, "-", "Exponent on the propensity in the merge cost; larger = steeper gradient "
        "(0 = no gradient).", lo=0.0, hi=10.0,
        source="calibrated with size_exponent (see docs/architecture.md)",
    )
    file: str = param(
        "", "path", "Mapping CSV for method = file (village_id, new_village, new_township).",
    )
    ensemble_size: int = param(
        20, "plans", "Plans drawn by method = ensemble (mergesim plan summarises all).", lo=1,
        hi=10_000,
    )
    ensemble_member: int = param(
        0, "-", "Which ensemble plan a model run uses.", lo=0, hi=10_000
    )
    ensemble_noise: float = param(
        0.5, "-", "Log-normal sigma of the random factor on each merge cost (ensemble).",
        lo=0.0, hi=5.0,
    )

    def check(self) -> tuple[str, str] | None:
        if len(self.terrain_pull) != 3:
            return ("terrain_pull", f"value {self.terrain_pull!r} must have 3 numbers "
                    "(plain, hill, mountain)")
        if self.method == "file" and not self.file:
            return ("file", "method = 'file' needs plan.file, the path of a mapping CSV")
        if self.ensemble_member >= self.ensemble_size:
            return ("ensemble_member", f"value {self.ensemble_member} must be < ensemble_size "
                    f"({self.ensemble_size})")
        return None

    @property
    def township_factor(self) -> float:
        """The township target: ``township_target_factor`` or, if 0, ``target_factor``."""
        return self.township_target_factor or self.target_factor


# ---------------------------------------------------------------------------------------------
# The scenario
# ---------------------------------------------------------------------------------------------


@dataclass
class Scenario:
    """A complete, validated scenario: every section with every default filled in."""

    name: str = param("", "-", "Scenario name (defaults to the file's stem).")
    description: str = param("", "-", "What this scenario represents.")
    seed: int = param(20191201, "-", "Root seed of the run's SeedSequence.", lo=0, hi=2**63 - 1)
    county: CountyParams = field(default_factory=CountyParams)
    terrain: TerrainParams = field(default_factory=TerrainParams)
    border: BorderParams = field(default_factory=BorderParams)
    heritage: HeritageParams = field(default_factory=HeritageParams)
    roads: RoadParams = field(default_factory=RoadParams)
    plan: PlanParams = field(default_factory=PlanParams)
    # The model's sections are defined below Scenario (appended), hence the lambdas.
    timeline: TimelineParams = field(default_factory=lambda: TimelineParams())
    villagers: VillagerParams = field(default_factory=lambda: VillagerParams())
    needs: NeedParams = field(default_factory=lambda: NeedParams())
    services: ServiceParams = field(default_factory=lambda: ServiceParams())
    cadres: CadreParams = field(default_factory=lambda: CadreParams())
    grievance: GrievanceParams = field(default_factory=lambda: GrievanceParams())
    guarantees: GuaranteeParams = field(default_factory=lambda: GuaranteeParams())
    communication: CommunicationParams = field(default_factory=lambda: CommunicationParams())
    petitions: PetitionParams = field(default_factory=lambda: PetitionParams())

    #: Directory of the scenario file; relative data paths resolve against it. Not a parameter.
    base_dir: str = field(default=".", repr=False, compare=False, metadata={"internal": True})


# ---------------------------------------------------------------------------------------------
# The model: timeline, villagers, needs, services (issue 3)
# ---------------------------------------------------------------------------------------------


@dataclass
class TimelineParams:
    """The run's weeks: warm-up (pre-reform reference), reform week, transition, horizon."""

    warmup_weeks: int = param(
        26, "weeks", "Weeks simulated before the reform; they form the pre-reform reference.",
        lo=1, hi=520,
    )
    burn_in_weeks: int = param(
        4, "weeks", "First warm-up weeks left out of the pre-reform window (queues start empty).",
        lo=0, hi=519,
    )
    transition_weeks: int = param(
        26, "weeks", "Transition period after the reform week (hand-over, duty teams).",
        lo=0, hi=1040, source="assumption: the report's 交接过渡期, about half a year",
    )
    horizon_weeks: int = param(
        156, "weeks", "Weeks simulated from the reform week on (the reform week included).",
        lo=1, hi=1040, source="issue 3: 3 years after the reform",
    )
    post_window_weeks: int = param(
        52, "weeks", "Length of the post-reform summary window: the last weeks of the horizon "
        "(0 = every week after the transition).", lo=0, hi=1040,
    )

    def check(self) -> tuple[str, str] | None:
        if self.burn_in_weeks >= self.warmup_weeks:
            return ("burn_in_weeks", f"value {self.burn_in_weeks} must be < warmup_weeks "
                    f"({self.warmup_weeks}) so that the pre-reform window is not empty")
        if self.transition_weeks >= self.horizon_weeks:
            return ("transition_weeks", f"value {self.transition_weeks} must be < horizon_weeks "
                    f"({self.horizon_weeks}) so that some post-transition weeks remain")
        if self.post_window_weeks > self.horizon_weeks - self.transition_weeks:
            return ("post_window_weeks", f"value {self.post_window_weeks} exceeds the "
                    f"{self.horizon_weeks - self.transition_weeks} weeks after the transition")
        return None


@dataclass
class VillagerParams:
    """Villager synthesis: how many individuals, their households, age, mobility and state."""

    scale: float = param(
        1.0, "-", "Share of the registered population simulated as individuals (1 = every "
        "villager); capacities scale with it so that rate metrics stay comparable (queue "
        "metrics need a scale near 1: see docs/metrics.md).",
        lo=0.0001, hi=1.0,
    )
    child_share: float = param(
        0.19, "-", "Share of villagers aged 0–14 (age group 'child').", lo=0.0, hi=1.0,
        source="China 2020 census, rural population: 0–14 ≈ 19 %",
    )
    elderly_share: float = param(
        0.24, "-", "Share of villagers aged 60+ (age group 'elderly').", lo=0.0, hi=1.0,
        source="China 2020 census, rural population: 60+ ≈ 24 %",
    )
    vehicle_share: float = param(
        0.65, "-", "Share of households owning a car or motorcycle (all members use it).",
        lo=0.0, hi=1.0,
        source="assumption from NBS rural surveys (~26 cars, ~60 motorcycles per 100 households)",
    )
    no_vehicle_factor: float = param(
        2.0, "-", "Travel-time multiplier for villagers without a vehicle (walking, waiting "
        "for a bus or a lift).", lo=1.0, hi=10.0,
    )
    local_kmh: float = param(
        12.0, "km/h", "Speed of the trip inside the home village to its seat (walk/bike mix); "
        "the distance is half the square root of the village area times the road detour.",
        lo=1.0, hi=100.0,
    )
    key_person_share: float = param(
        0.001, "-", "Share of villagers who are key persons (opinion leaders who can mobilise "
        "others).", lo=0.0, hi=0.1,
        source="assumption; the report watched 10 key persons county-wide",
    )
    trust_mean: float = param(
        0.6, "-", "Mean initial trust in local government (Beta-distributed, 0–1).",
        lo=0.01, hi=0.99,
    )
    trust_sd: float = param(
        0.15, "-", "Standard deviation of initial trust.", lo=0.0, hi=0.45,
    )
    threshold_mean: float = param(
        0.5, "-", "Mean petition threshold on the 0–1 grievance scale (Granovetter-style "
        "heterogeneous thresholds, Beta-distributed).", lo=0.01, hi=0.99,
        source="Granovetter (1978) threshold model; values an assumption",
    )
    threshold_sd: float = param(
        0.15, "-", "Standard deviation of petition thresholds.", lo=0.0, hi=0.45,
    )
    sample_agents: int = param(
        100, "villagers", "Villagers registered as inspectable Mesa agents at set-up (views "
        "over the arrays; any other row can be viewed on demand).", lo=0, hi=100_000,
    )

    def check(self) -> tuple[str, str] | None:
        if self.child_share + self.elderly_share > 1.0:
            return ("elderly_share", f"child_share + elderly_share = "
                    f"{self.child_share + self.elderly_share:g} exceeds 1")
        for name in ("trust", "threshold"):
            m, s = getattr(self, f"{name}_mean"), getattr(self, f"{name}_sd")
            if s * s >= m * (1 - m):
                return (f"{name}_sd", f"value {s:g} is too large for a Beta with mean {m:g}; "
                        f"allowed: sd < {(m * (1 - m)) ** 0.5:.3f}")
        return None


@dataclass
class NeedParams:
    """Weekly service needs per villager by age group [child, working, elderly].

    Rates are Poisson rates per person per week. Sources are stated per rate; where no figure
    exists the rate is an assumption of the order of magnitude of rural service use.
    """

    admin: list[float] = param(
        [0.002, 0.012, 0.010], "needs/person/week", "Administrative affairs (certificates, "
        "social insurance, subsidies, household registration, land).", lo=0.0, hi=1.0,
        source="assumption: about 0.6 affairs per adult per year",
    )
    health_routine: list[float] = param(
        [0.035, 0.025, 0.060], "needs/person/week", "Outpatient visits needing a township "
        "health centre or higher (village clinics' basic care is not a trip here).",
        lo=0.0, hi=1.0, source="order of magnitude: China Health Statistics Yearbook 2020, "
        "~2 township-health-centre visits per rural resident per year",
    )
    health_serious: list[float] = param(
        [0.002, 0.003, 0.008], "needs/person/week", "Serious care needing a regional medical "
        "centre or the county hospital.", lo=0.0, hi=1.0,
        source="order of magnitude: rural inpatient admission rate ~15–20 % per year",
    )
    school: list[float] = param(
        [0.04, 0.0, 0.0], "needs/person/week", "School affairs of a child (enrolment, parents' "
        "meetings), carried by the household.", lo=0.0, hi=1.0, source="assumption",
    )
    elderly_care: list[float] = param(
        [0.0, 0.0, 0.01], "needs/person/week", "Visits to an elderly-care home (day care, "
        "assessments).", lo=0.0, hi=1.0, source="assumption",
    )
    police_legal: list[float] = param(
        [0.0, 0.002, 0.001], "needs/person/week", "Police station or people's court affairs "
        "(identity cards, disputes).", lo=0.0, hi=1.0, source="assumption",
    )
    banking_telecom: list[float] = param(
        [0.0, 0.03, 0.02], "needs/person/week", "Errands at a bank or telecom outlet.",
        lo=0.0, hi=1.0, source="assumption: about monthly for adults",
    )
    long_trip_minutes: float = param(
        60.0, "min", "One-way trip length beyond which a villager may put a non-urgent trip off.",
        lo=0.0, hi=1000.0,
    )
    defer_vehicle: float = param(
        0.0, "-", "Weekly probability that a villager with a vehicle puts a long trip off.",
        lo=0.0, hi=0.95,
    )
    defer_no_vehicle: float = param(
        0.3, "-", "Weekly probability that a villager without a vehicle puts a long trip off "
        "(mobility sets willingness).", lo=0.0, hi=0.95,
    )
    max_trips: int = param(
        6, "trips", "Trips after which a villager turned away every time gives up the affair.",
        lo=1, hi=100,
    )

    def check(self) -> tuple[str, str] | None:
        for name in ("admin", "health_routine", "health_serious", "school", "elderly_care",
                     "police_legal", "banking_telecom"):
            v = getattr(self, name)
            if len(v) != 3:
                return (name, f"value {v!r} must have 3 numbers (child, working, elderly)")
        return None


@dataclass
class ServiceParams:
    """Service points: the reform's service policies (switches), affair shares and staffing.

    Defaults are the seed county's choices ("public services not lowered", DOMAIN.md §5).
    """

    keep_abolished_points: bool = param(
        True, "-", "Keep the health, school, elderly-care, police, bank and telecom points of "
        "abolished townships (else they close and their staff move to the merged seat).",
        source="report: 点位不变、数量不少、能力不减",
    )
    seat_stations: bool = param(
        True, "-", "Convert an abolished township's service centre into a convenience service "
        "station (else it closes).", source="report: 30 stations kept",
    )
    village_rooms: bool = param(
        True, "-", "A convenience service room at the seat of each merged village (else the "
        "merged village keeps an ordinary village office).", source="report: 383 rooms",
    )
    agency_service: bool = param(
        True, "-", "Village agency service from the reform on: a cadre carries the paperwork, "
        "so the villager does not leave the village.", source="report: 村级民事代办",
    )
    transition_duty: bool = param(
        True, "-", "A duty team in each merged-away village for duty_weeks after the reform.",
        source="report: duty in all 549 merged-away villages",
    )
    duty_weeks: int = param(
        26, "weeks", "Weeks the transition duty teams stay, from the reform week.", lo=0, hi=1040,
        source="assumption: the transition period",
    )
    health_network: bool = param(
        True, "-", "Reorganise health as '1 + 4 + N': upgrade township health centres to "
        "regional medical centres for serious care.", source="report",
    )
    regional_centres: int = param(
        4, "centres", "Regional medical centres of the '1 + 4 + N' network.", lo=0, hi=100,
        source="report: 1 + 4 + N",
    )
    transfer_staff: bool = param(
        True, "-", "Staff of a closed or converted point move to the merged unit's point of the "
        "same kind (else the county takes the posts back).",
        source="report: 乡镇编制不上收 (township staffing not taken up)",
    )
    office_share: float = param(
        0.3, "-", "Share of administrative affair types a village office handles.",
        lo=0.0, hi=1.0, source="assumption: certificates and simple proofs",
    )
    room_share: float = param(
        0.6, "-", "Share of administrative affair types a village convenience room handles.",
        lo=0.0, hi=1.0, source="assumption",
    )
    duty_share: float = param(
        0.3, "-", "Share of administrative affair types a transition duty team handles.",
        lo=0.0, hi=1.0, source="assumption: as the old village office",
    )
    agency_share: float = param(
        0.6, "-", "Share of administrative affair types the agency service can carry (the rest "
        "need the villager in person).", lo=0.0, hi=1.0, source="assumption",
    )
    station_share: float = param(
        0.8, "-", "Share of administrative affair types a convenience station handles (most "
        "of the old centre's windows stay).",
        lo=0.0, hi=1.0, source="assumption",
    )
    headroom: float = param(
        1.25, "-", "Capacity of pre-reform points over their expected weekly demand (points are "
        "staffed for the old units).", lo=0.1, hi=10.0,
    )
    admin_per_staff_week: float = param(
        40.0, "affairs/staff/week", "Administrative affairs one staff member handles a week.",
        lo=0.1, hi=1000.0, source="assumption: about 8 a working day",
    )
    health_per_staff_week: float = param(
        25.0, "visits/staff/week", "Patients one health worker sees a week (trips needing a "
        "township health centre or higher).", lo=0.1, hi=1000.0, source="assumption",
    )
    other_per_staff_week: float = param(
        40.0, "affairs/staff/week", "Affairs one staff member of any other point handles a week.",
        lo=0.1, hi=1000.0, source="assumption",
    )
    station_staff: float = param(
        3.0, "staff", "Staff kept at a convenience station (the rest of the old centre's move).",
        lo=0.0, hi=100.0, source="assumption",
    )
    room_staff: float = param(
        2.0, "staff", "Staff of a village convenience room.", lo=0.0, hi=100.0,
        source="report: the temporary party secretary heads it; assumption: one helper",
    )
    office_staff: float = param(
        1.0, "staff", "Staff of an ordinary village office.", lo=0.0, hi=100.0,
    )
    agency_staff: float = param(
        1.0, "staff", "Agency cadres per merged village.", lo=0.0, hi=100.0,
    )
    duty_staff: float = param(
        1.0, "staff", "Duty team members on duty at a time in a merged-away village.",
        lo=0.0, hi=100.0, source="report: 专干轮流值班 (rotating duty)",
    )


# ---------------------------------------------------------------------------------------------
# Cadres: posts, pools, selection and redeployment, pay, training (issue 4)
# ---------------------------------------------------------------------------------------------

#: Order of the per-origin lists of ``[cadres]`` (``mergesim.mechanisms.cadre_pool.Origin``).
CADRE_ORIGINS = ("local", "migrant", "veteran", "graduate", "party_reserve", "former_cadre")
#: Order of the per-kind lists of ``[cadres]`` for incumbents.
CADRE_KINDS = ("township_leader", "township_staff", "village_cadre", "group_leader")


@dataclass
class CadreParams:
    """Cadres: posts per unit, incumbent and candidate pools, selection, placement, pay, training.

    Lists "per kind" follow (township leader, township staff, village two-committee cadre,
    villager-group leader); lists "per origin" follow (local, returning migrant worker, veteran,
    returning graduate, party member / reserve cadre, former village cadre). Scores are on the
    competence scale (relative productivity, about 1 for a pre-reform cadre; sd about 0.15).
    "calibrated" marks a default tuned so that the seed county reproduces the report's cadre
    figures (``python -m mergesim.mechanisms.cadre_calibration``); the tuned values are
    assumptions, not data.
    """

    # -- posts ---------------------------------------------------------------------------
    township_leaders: int = param(
        11, "posts/township", "Leadership posts (party committee and government team) of a "
        "township before the reform and of a township the reform leaves unmerged.", lo=1, hi=60,
        source="assumption: a township team of ~11 (secretary, head, deputies, committee members)",
    )
    township_leaders_merged: int = param(
        13, "posts/township", "Leadership posts of a merged township.", lo=1, hi=60,
        source="assumption: larger team for a doubled township; report: 班子齐装满员",
    )
    township_staff_base: float = param(
        15.0, "posts/township", "Staff posts (non-leading civil servants and public-institution "
        "staff) of a township, fixed part.", lo=0.0, hi=500.0, source="assumption",
    )
    township_staff_per_10k: float = param(
        12.0, "posts/10,000 persons", "Staff posts of a township per 10,000 residents.",
        lo=0.0, hi=500.0, source="assumption: 30–50 staff for a township of 10,000–20,000",
    )
    staff_retained_share: float = param(
        1.0, "-", "Share of the merged townships' staff posts kept after the reform (1 = the "
        "county takes no posts back).", lo=0.0, hi=1.0,
        source="report: 乡镇编制不上收 (township staffing not taken up)",
    )
    village_others: int = param(
        2, "posts/village", "Full-time two-committee posts of a village besides secretary and "
        "director (clerk, deputy), before the reform and in unmerged villages.", lo=0, hi=20,
        source="assumption: 3–4 paid full-time village cadres (村常职干部)",
    )
    village_others_merged: int = param(
        3, "posts/village", "Other full-time two-committee posts of a merged village.",
        lo=0, hi=20, source="assumption",
    )
    one_shoulder_before: float = param(
        0.3, "-", "Share of villages whose secretary already heads the village committee "
        "(一肩挑) before the reform.", lo=0.0, hi=1.0,
        source="assumption: the national 一肩挑 drive had reached part of the villages by 2019",
    )
    one_shoulder: bool = param(
        True, "-", "A village secretary chosen at the reform also heads the village committee "
        "(else a separate director is chosen).", source="report: 全部实现一肩挑",
    )
    group_merge_factor: float = param(
        1.5, "-", "Villager groups of a merged village are consolidated: groups after = "
        "round(groups before / factor), at least 1 (1 = groups kept).", lo=1.0, hi=10.0,
        source="assumption: report says group leaders were reduced (count masked)",
    )
    reselect_unchanged: bool = param(
        False, "-", "Also re-select the posts of units the plan leaves unmerged (else their "
        "incumbents simply stay).", source="report: transitional teams only in merged units",
    )

    # -- incumbents ----------------------------------------------------------------------
    age_mean: list[float] = param(
        [43.0, 38.0, 49.0, 53.0], "years", "Mean age of incumbents per kind.", lo=18.0, hi=75.0,
        source="assumption: village cadres around 50, group leaders older, township staff younger",
    )
    age_sd: list[float] = param(
        [6.0, 9.0, 8.0, 9.0], "years", "Age standard deviation of incumbents per kind.",
        lo=0.0, hi=20.0, source="assumption",
    )
    edu_shift: list[float] = param(
        [2.3, 1.8, 0.4, 0.0], "-", "Education of incumbents per kind: shift of the latent "
        "(ordered-probit) education variable.", lo=-5.0, hi=5.0,
        source="assumption: township leaders ~58 % bachelor+, village cadres ~45 % and group "
        "leaders ~65 % below high school",
    )
    edu_cutpoints: list[float] = param(
        [0.0, 1.0, 2.0], "-", "Cut points of the latent education variable between below high "
        "school | high school | college | bachelor+ (ascending).", lo=-10.0, hi=10.0,
        source="assumption",
    )
    edu_age_slope: float = param(
        0.3, "1/10 years", "Latent education gained per 10 years younger than 40 (younger "
        "cohorts are better educated).", lo=0.0, hi=3.0,
        source="assumption: China's education expansion across cohorts",
    )
    origin_township: list[float] = param(
        [0.6, 0.0, 0.15, 0.2, 0.05, 0.0], "-", "Origin shares of township cadres (per origin).",
        lo=0.0, hi=1.0, source="assumption: demobilised officers, 选调生 graduates",
    )
    origin_village: list[float] = param(
        [0.59, 0.12, 0.008, 0.002, 0.25, 0.03], "-", "Origin shares of incumbent "
        "two-committee village cadres (per origin).", lo=0.0, hi=1.0,
        source="calibrated: veterans and graduates rare among pre-reform cadres (why the "
        "report singles them out as new blood)",
    )
    origin_group: list[float] = param(
        [0.6, 0.08, 0.04, 0.0, 0.28, 0.0], "-", "Origin shares of incumbent villager-group "
        "leaders (per origin).", lo=0.0, hi=1.0, source="assumption",
    )
    tenure_mean: list[float] = param(
        [4.0, 8.0, 7.0, 6.0], "years", "Mean tenure in the current post per kind (exponential).",
        lo=0.0, hi=40.0, source="assumption",
    )

    # -- candidate pools -----------------------------------------------------------------
    township_recruits: float = param(
        4.0, "candidates/township", "Candidates from outside a merged township for its posts "
        "(county cadres sent down, selected graduates; Poisson mean).", lo=0.0, hi=100.0,
        source="assumption",
    )
    origin_recruit: list[float] = param(
        [0.4, 0.0, 0.2, 0.4, 0.0, 0.0], "-", "Origin shares of township recruits (per origin).",
        lo=0.0, hi=1.0, source="assumption",
    )
    recruit_age: list[float] = param(
        [35.0, 5.0], "years", "Mean and sd of township recruits' age.", lo=0.0, hi=75.0,
        source="assumption",
    )
    secretary_pool: list[float] = param(
        [1.0, 1.0, 0.045, 0.045, 1.0, 0.0], "candidates/village", "New candidates for the "
        "two-committee posts of a merged village, per origin (Poisson means).", lo=0.0, hi=50.0,
        source="calibrated: veterans + returning graduates 10.2 % of secretaries (report)",
    )
    group_pool: list[float] = param(
        [0.11, 0.18, 0.03, 0.02, 0.22, 0.0], "candidates/post", "New candidates per villager-group "
        "leader post of a merged village, per origin (Poisson means).", lo=0.0, hi=50.0,
        source="calibrated: group-leader origins 14 % migrants, 34.8 % party members/reserve "
        "(report)",
    )
    cand_age_mean: list[float] = param(
        [45.0, 40.0, 34.0, 27.0, 38.0, 56.0], "years", "Mean age of new candidates per origin.",
        lo=18.0, hi=75.0, source="assumption",
    )
    cand_age_sd: list[float] = param(
        [8.0, 7.0, 6.0, 3.0, 8.0, 6.0], "years", "Age sd of new candidates per origin.",
        lo=0.0, hi=20.0, source="assumption",
    )
    cand_edu_shift: list[float] = param(
        [0.15, 0.1, 1.5, 2.3, 0.33, 0.48], "-", "Latent-education shift of new candidates per "
        "origin.", lo=-5.0, hi=5.0,
        source="assumption: returning graduates ~95 % college+, recruited veterans ~95 % high "
        "school+, others ~35–50 % below high school",
    )
    cand_competence_shift: list[float] = param(
        [0.0, 0.05, 0.25, 0.25, 0.05, 0.0], "-", "Competence shift of new candidates per origin "
        "(the 'excellent' migrants, veterans, graduates, party members the county recruits).",
        lo=-1.0, hi=1.0, source="calibrated: veterans + returning graduates 10.2 % of "
        "secretaries (report: 优秀返乡农民工, 退役军人和返乡大学生)",
    )

    # -- competence and assessment ---------------------------------------------------------
    competence_sd: float = param(
        0.15, "-", "Standard deviation of competence (relative productivity; 1 = a cadre "
        "between high-school and college education).",
        lo=0.0, hi=1.0, source="assumption",
    )
    competence_edu: float = param(
        0.05, "-/level", "Competence gained per education level.", lo=0.0, hi=1.0,
        source="assumption",
    )
    competence_cap: float = param(
        1.8, "-", "Upper bound of competence (training approaches it).", lo=1.0, hi=5.0,
        source="assumption",
    )
    assess_noise: float = param(
        0.08, "-", "Noise sd of the evaluation (研判评议) and appraisal (考核评价) signals around "
        "competence.", lo=0.0, hi=2.0, source="assumption",
    )
    track_noise: float = param(
        0.08, "-", "Noise sd of an incumbent's track record (实绩评比) around competence.",
        lo=0.0, hi=2.0, source="assumption",
    )
    no_record_noise: float = param(
        0.2, "-", "Noise sd of a new candidate's track record (no record in office).",
        lo=0.0, hi=2.0, source="assumption",
    )
    track_tenure: float = param(
        0.01, "-/year", "Track-record credit per year of tenure (up to 10 years).",
        lo=0.0, hi=1.0, source="assumption",
    )
    assessment_weights: list[float] = param(
        [1.0, 1.0, 1.0], "-", "Weights of evaluation, appraisal and track record in the "
        "assessment score (normalised).", lo=0.0, hi=100.0,
        source="report: three coordinates 研判评议、考核评价、实绩评比",
    )
    rate_criminal: float = param(
        0.004, "-", "Share with a criminal record (hard disqualifier).", lo=0.0, hi=1.0,
        source="assumption",
    )
    rate_gang: float = param(
        0.002, "-", "Share with gang or organised-crime links (hard disqualifier).",
        lo=0.0, hi=1.0, source="assumption",
    )
    rate_gambling_drugs: float = param(
        0.006, "-", "Share involved in gambling, pornography or drugs (hard disqualifier).",
        lo=0.0, hi=1.0, source="assumption",
    )
    rate_discipline: float = param(
        0.01, "-", "Share with a breach of political discipline (hard disqualifier).",
        lo=0.0, hi=1.0, source="assumption",
    )
    candidate_dq_factor: float = param(
        1.5, "-", "Disqualifier rates of new candidates relative to incumbents (not yet vetted).",
        lo=0.0, hi=20.0, source="assumption",
    )
    screen: bool = param(
        True, "-", "Screen candidates by the hard disqualifiers (the 'ten unsuitables').",
        source="report: 十不宜 and three joint qualification reviews",
    )

    # -- selection preferences -----------------------------------------------------------
    leader_max_age: float = param(
        53.0, "years", "Oldest age at which a cadre is appointed to township leadership.",
        lo=18.0, hi=70.0, source="calibrated: leaders' mean age −2 years (report); practice: "
        "township leaders step back in their early fifties",
    )
    young_leaders: int = param(
        3, "posts/township", "Posts of a merged township's team reserved for the best-assessed "
        "candidates under young_age.", lo=0, hi=60,
        source="calibrated: township leaders' mean age falls by 2 years (report); practice: "
        "township teams must include young cadres",
    )
    young_age: float = param(
        35.0, "years", "Age under which a cadre counts as young for the reserved posts.",
        lo=18.0, hi=70.0, source="assumption: 35, the usual cut-off for young cadres",
    )
    leader_youth_weight: float = param(
        0.004, "-/year", "Score bonus per year younger for township leadership.", lo=0.0, hi=1.0,
        source="calibrated: township leaders' mean age falls by 2 years (report)",
    )
    leader_edu_weight: float = param(
        0.03, "-/level", "Score bonus per education level for township leadership.",
        lo=0.0, hi=1.0, source="assumption: report, bachelor share rose",
    )
    leader_incumbent_bonus: float = param(
        0.5, "-", "Score bonus of an incumbent leader over a promoted staff member or recruit "
        "(rank and experience).", lo=0.0, hi=2.0,
        source="calibrated: leaders' mean age −2 years (report)",
    )
    secretary_min_education: int = param(
        1, "level", "Education floor of a village secretary chosen at the reform (0 below high "
        "school, 1 high school, 2 college, 3 bachelor+).", lo=0, hi=3,
        source="report: every temporary secretary has high school or above",
    )
    send_down: bool = param(
        True, "-", "Where no local candidate meets the secretary's education floor, the township "
        "sends one of its staff down as secretary (选派); else the floor is waived there.",
        source="assumption: common practice (选派第一书记/下派干部) behind the report's 'all'",
    )
    secretary_max_age: float = param(
        60.0, "years", "Oldest age at which a cadre is appointed secretary.", lo=18.0, hi=80.0,
        source="assumption",
    )
    secretary_youth_weight: float = param(
        0.005, "-/year", "Score bonus per year younger for village secretary.", lo=0.0, hi=1.0,
        source="assumption: report, secretaries' mean age fell",
    )
    secretary_edu_weight: float = param(
        0.03, "-/level", "Score bonus per education level for village secretary.", lo=0.0,
        hi=1.0, source="assumption",
    )
    secretary_origin_bonus: list[float] = param(
        [0.0, 0.03, 0.25, 0.25, 0.03, 0.0], "-", "Score bonus per origin for village "
        "secretary (policy preference).", lo=-2.0, hi=2.0,
        source="calibrated: veterans + returning graduates 10.2 % of secretaries (report)",
    )
    village_incumbent_bonus: float = param(
        0.05, "-", "Score bonus of an incumbent village cadre for two-committee posts.",
        lo=0.0, hi=2.0, source="assumption",
    )
    member_max_age: float = param(
        60.0, "years", "Oldest age at which a cadre is appointed to another two-committee post.",
        lo=18.0, hi=80.0, source="assumption",
    )
    group_max_age: float = param(
        65.0, "years", "Oldest age at which a villager becomes or stays a group leader.",
        lo=18.0, hi=80.0, source="assumption",
    )
    group_origin_bonus: list[float] = param(
        [0.0, 0.05, 0.0, 0.0, 0.1, 0.14], "-", "Score bonus per origin for villager-group "
        "leader ('former_cadre' = a displaced two-committee cadre).", lo=-2.0, hi=2.0,
        source="calibrated: new group leaders 16.5 % former village cadres, 14 % migrants, "
        "34.8 % party members/reserve (report)",
    )
    group_incumbent_bonus: float = param(
        0.0, "-", "Score bonus of an incumbent group leader.", lo=-2.0, hi=2.0,
        source="assumption",
    )

    # -- placement channels --------------------------------------------------------------
    township_retire_age: float = param(
        57.0, "years", "A displaced township cadre this old retires (early or in-post "
        "retirement before the statutory 60).", lo=18.0, hi=70.0, source="assumption",
    )
    up_county_per_abolished: float = param(
        3.0, "posts/township", "County posts for displaced township leaders, per abolished "
        "township (moved up; best assessed first).", lo=0.0, hi=100.0,
        source="assumption; report: 向上分流 (count masked)",
    )
    rank_on_spot_per_township: float = param(
        4.0, "posts/township", "Non-leading rank posts in a merged township for its displaced "
        "leaders (就地职级安置).", lo=0.0, hi=100.0,
        source="assumption; report: 就地职级安置 (count masked)",
    )
    transfer_per_abolished: float = param(
        4.0, "posts/township", "Posts in other units (county departments, other townships) per "
        "abolished township for displaced township cadres.", lo=0.0, hi=100.0,
        source="assumption",
    )
    village_retire_age: float = param(
        60.0, "years", "A displaced village cadre this old leaves office (retires).",
        lo=18.0, hi=80.0, source="assumption",
    )
    group_leader_willing: float = param(
        0.58, "-", "Share of displaced village cadres who stand for villager-group leader.",
        lo=0.0, hi=1.0, source="calibrated: 16.5 % of new group leaders (report); "
        "report: 鼓励支持离任村干部转任村民小组长",
    )
    business_propensity: float = param(
        0.15, "-", "Share of displaced village cadres (not yet placed, not over "
        "business_max_age) who leave to start a business with preferential policy.",
        lo=0.0, hi=1.0, source="assumption; report: 离岗创业 (count masked)",
    )
    business_max_age: float = param(
        50.0, "years", "Oldest age at which a displaced village cadre starts a business.",
        lo=18.0, hi=80.0, source="assumption",
    )
    specialists_per_village: float = param(
        2.0, "posts/village", "Transitional specialist posts (poverty-alleviation, grass-roots "
        "governance) per merged village for displaced cadres; the rest leave office.",
        lo=0.0, hi=50.0, source="assumption; report: 脱贫攻坚专干、基层治理专干",
    )
    election_weeks: int = param(
        60, "weeks", "Weeks from the reform to the next village two-committee election: "
        "transitional posts and kept pay end then.", lo=0, hi=520,
        source="assumption: reform late 2019, election early 2021; report: 待遇保留至村两委换届",
    )

    # -- pay and running costs (yuan per week) --------------------------------------------
    transition_pay: bool = param(
        True, "-", "Departing village cadres and group leaders keep their pay until the "
        "election (less any new pay).", source="report: 五个不变, 过渡期待遇不变",
    )
    pay_township_leader: float = param(
        2000.0, "yuan/week", "Salary and allowances of a township leader.", lo=0.0, hi=1e5,
        source="assumption: ~105,000 yuan/year in a western county",
    )
    pay_township_staff: float = param(
        1500.0, "yuan/week", "Salary of township staff (also kept by cadres placed on the spot "
        "or in transitional posts).", lo=0.0, hi=1e5,
        source="assumption: ~78,000 yuan/year",
    )
    pay_secretary: float = param(
        600.0, "yuan/week", "Pay of a village secretary (or director).", lo=0.0, hi=1e5,
        source="assumption: ~2,600 yuan/month for full-time village cadres in Sichuan",
    )
    pay_one_shoulder: float = param(
        750.0, "yuan/week", "Pay of a secretary who also heads the committee (一肩挑).",
        lo=0.0, hi=1e5, source="assumption",
    )
    pay_member: float = param(
        450.0, "yuan/week", "Pay of another full-time two-committee cadre.", lo=0.0, hi=1e5,
        source="assumption: ~2,000 yuan/month",
    )
    pay_group_leader: float = param(
        100.0, "yuan/week", "Allowance of a villager-group leader.", lo=0.0, hi=1e5,
        source="assumption: ~400 yuan/month",
    )
    pay_specialist: float = param(
        450.0, "yuan/week", "Pay of a village transitional specialist.", lo=0.0, hi=1e5,
        source="assumption",
    )
    cost_township_office: float = param(
        8000.0, "yuan/week", "Running cost of a township government (office, vehicles, "
        "utilities; not salaries).", lo=0.0, hi=1e7, source="assumption: ~420,000 yuan/year",
    )
    cost_village_office: float = param(
        300.0, "yuan/week", "Running cost of a village committee office.", lo=0.0, hi=1e6,
        source="assumption",
    )
    cost_station: float = param(
        1500.0, "yuan/week", "Running cost of a convenience service station (not salaries).",
        lo=0.0, hi=1e6, source="assumption",
    )
    cost_room: float = param(
        150.0, "yuan/week", "Extra running cost of a village convenience room over an office.",
        lo=0.0, hi=1e6, source="assumption",
    )
    cost_duty_team: float = param(
        200.0, "yuan/week", "Running cost of a transition duty team (allowances, office).",
        lo=0.0, hi=1e6, source="assumption",
    )

    # -- training ------------------------------------------------------------------------
    training_person_times: int = param(
        1100, "person-times", "Training sessions for cadres after the reform.", lo=0,
        hi=1_000_000, source="report: 累计培训党员干部1100余人次",
    )
    training_weeks: int = param(
        26, "weeks", "Weeks after the reform over which the training is spread evenly.",
        lo=1, hi=520, source="assumption: the transition period",
    )
    training_gain: float = param(
        0.1, "-", "Share of the gap to competence_cap one session closes.", lo=0.0, hi=1.0,
        source="assumption",
    )
    training_new_priority: float = param(
        3.0, "-", "Relative chance of a cadre appointed at the reform to be trained in a week "
        "(others in post: 1; divided by 1 + sessions already taken).", lo=0.0, hi=100.0,
        source="assumption (value); report: rotation training of the temporary secretaries",
    )

    # -- petition work -------------------------------------------------------------------
    petition_staff_share: float = param(
        0.1, "-", "Share of a township's staff (incl. cadres placed on the spot or in "
        "transitional posts) assigned to petition work.", lo=0.0, hi=1.0,
        source="assumption: a petition office and a comprehensive-governance centre",
    )
    specialist_petition_share: float = param(
        0.5, "-", "Share of village transitional specialists (the grass-roots governance "
        "specialists) assigned to petition work until the election.", lo=0.0, hi=1.0,
        source="assumption",
    )
    petition_stage_weights: list[float] = param(
        [0.15, 0.1, 0.25, 0.3, 0.1, 0.1], "-", "How petition cadres divide over the six stages "
        "(accept, classify, verify, handle, supervise, close; normalised).", lo=0.0, hi=100.0,
        source="assumption; report: 六步闭合机制",
    )

    def check(self) -> tuple[str, str] | None:
        lengths = {
            "age_mean": 4, "age_sd": 4, "edu_shift": 4, "tenure_mean": 4, "edu_cutpoints": 3,
            "origin_township": 6, "origin_village": 6, "origin_group": 6, "origin_recruit": 6,
            "secretary_pool": 6, "group_pool": 6, "cand_age_mean": 6, "cand_age_sd": 6,
            "cand_edu_shift": 6, "cand_competence_shift": 6, "secretary_origin_bonus": 6,
            "group_origin_bonus": 6, "assessment_weights": 3, "recruit_age": 2,
            "petition_stage_weights": 6,
        }
        for name, n in lengths.items():
            v = getattr(self, name)
            if len(v) != n:
                return (name, f"value {v!r} must have {n} numbers")
        for name in ("origin_township", "origin_village", "origin_group", "origin_recruit"):
            if sum(getattr(self, name)) <= 0:
                return (name, "the origin shares must not all be 0")
        if any(b <= a for a, b in zip(self.edu_cutpoints, self.edu_cutpoints[1:], strict=False)):
            return ("edu_cutpoints", f"value {self.edu_cutpoints!r} must be strictly ascending")
        for name in ("assessment_weights", "petition_stage_weights"):
            if sum(getattr(self, name)) <= 0:
                return (name, "the weights must not all be 0")
        return None


# ---------------------------------------------------------------------------------------------
# Grievance, guarantees, communication and the petition loop (issue 4, DOMAIN.md §4)
# ---------------------------------------------------------------------------------------------


@dataclass
class GrievanceParams:
    """Villagers' grievance: reference-dependent hardship, memory, contagion, petition filing.

    Grievance (0–1) is an exponentially smoothed Epstein (2002) grievance ``H × (1 − L)``:
    hardship ``H`` from the access loss against the pre-reform reference (valued with Tversky &
    Kahneman's 1992 value function), lost rights and waiting on a petition; legitimacy ``L`` is
    the villager's trust. See :mod:`mergesim.mechanisms.grievance`.
    """

    memory_weeks: float = param(
        12.0, "weeks", "Memory of grievance: each week it moves 1/memory_weeks of the way to "
        "the current Epstein grievance H × (1 − trust) (so it decays with this time constant "
        "once the hardship is gone).", lo=1.0, hi=520.0,
        source="assumption: grievances over a reform fade over a season",
    )
    loss_aversion: float = param(
        2.25, "-", "λ: a loss weighs this many times an equal gain.", lo=1.0, hi=10.0,
        source="Tversky & Kahneman (1992): λ = 2.25",
    )
    gain_exponent: float = param(
        0.88, "-", "α: curvature of the value function for gains.", lo=0.1, hi=1.0,
        source="Tversky & Kahneman (1992): α = 0.88",
    )
    loss_exponent: float = param(
        0.88, "-", "β: curvature of the value function for losses.", lo=0.1, hi=1.0,
        source="Tversky & Kahneman (1992): β = 0.88",
    )
    access_scale_min: float = param(
        30.0, "min", "Extra round-trip minutes per affair that count as a unit loss (hardship "
        "λ before curvature).", lo=0.1, hi=1000.0,
        source="assumption: half an hour more per trip is a serious loss for a villager",
    )
    kind_weights: list[float] = param(
        [3.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], "-", "Weight of each need kind (admin, "
        "health_routine, health_serious, school, elderly_care, police_legal, banking_telecom) "
        "in the access loss per affair, on top of its rate: administrative affairs are the ones "
        "the merger moves and villagers attribute to it.", lo=0.0, hi=100.0,
        source="assumption",
    )
    adaptation_weeks: float = param(
        0.0, "weeks", "Time constant of adaptation of the reference point to the new access "
        "(0 = the pre-reform reference never moves).", lo=0.0, hi=1040.0,
        source="assumption; reference adaptation after Kahneman & Tversky (1979)",
    )
    wait_hardship: float = param(
        0.2, "-", "Hardship a week of a villager waiting on an open petition (own or a "
        "collective one they joined).", lo=0.0, hi=1.0, source="assumption",
    )
    overdue_hardship: float = param(
        0.4, "-", "Hardship a week instead of wait_hardship once the petition is past its "
        "statutory deadline.", lo=0.0, hi=1.0, source="assumption",
    )
    resolved_relief: float = param(
        0.5, "-", "Share of the filer's grievance removed when a petition is resolved.",
        lo=0.0, hi=1.0, source="assumption",
    )
    unresolved_jump: float = param(
        0.1, "-", "Grievance added when a petition closes unresolved.", lo=0.0, hi=1.0,
        source="assumption",
    )
    trust_gain: float = param(
        0.05, "-", "Share of the gap to full trust closed by a resolved petition.", lo=0.0,
        hi=1.0, source="assumption",
    )
    trust_loss: float = param(
        0.1, "-", "Share of trust lost when a petition closes unresolved.", lo=0.0, hi=1.0,
        source="assumption",
    )
    contagion: float = param(
        0.1, "1/week", "Each week grievance moves this share of the way to the village's "
        "(influence-weighted) mean.", lo=0.0, hi=1.0,
        source="assumption; social influence toward the group mean (DeGroot 1974)",
    )
    key_person_influence: float = param(
        10.0, "-", "Weight of a key person in the village mean that others move toward.",
        lo=1.0, hi=1000.0, source="assumption",
    )
    file_prob: float = param(
        0.3, "1/week", "Weekly probability that a villager whose grievance exceeds their "
        "threshold files a petition (at most one open petition per villager).",
        lo=0.0, hi=1.0, source="assumption",
    )
    cooldown_weeks: int = param(
        26, "weeks", "Weeks a villager does not file again after a petition that closed "
        "unresolved and was neither repeated nor escalated.", lo=0, hi=520,
        source="assumption",
    )
    collective_threshold_mean: float = param(
        0.1, "-", "Mean village threshold: a collective petition needs this share of the "
        "village above their own thresholds (heterogeneous, Beta across villages).",
        lo=0.001, hi=0.999, source="Granovetter (1978) threshold model; value an assumption",
    )
    collective_threshold_sd: float = param(
        0.05, "-", "Standard deviation of the village thresholds.", lo=0.0, hi=0.45,
    )
    collective_min_persons: int = param(
        5, "persons", "Aggrieved persons a collective petition needs (at full scale).",
        lo=1, hi=10_000, source="Regulations on Petition Work: visits by 5 or more persons "
        "are collective (多人走访应推选代表, 不超过5人)",
    )
    collective_file_prob: float = param(
        0.5, "1/week", "Weekly probability that a village over its threshold files a "
        "collective petition (at most one open per village).", lo=0.0, hi=1.0,
        source="assumption",
    )
    background_rate: float = param(
        20.0, "petitions/10,000 villagers/year", "Individual petitions about matters "
        "unrelated to the reform (disputes, land, welfare), filed at random.", lo=0.0,
        hi=10_000.0, source="assumption: tens per 10,000 a year in rural counties",
    )
    background_collective_rate: float = param(
        0.5, "petitions/10,000 villagers/year", "Collective petitions unrelated to the "
        "reform.", lo=0.0, hi=1000.0, source="assumption",
    )

    def check(self) -> tuple[str, str] | None:
        if len(self.kind_weights) != 7:
            return ("kind_weights", f"value {self.kind_weights!r} must have 7 numbers")
        if sum(self.kind_weights) <= 0:
            return ("kind_weights", "the weights must not all be 0")
        m, s = self.collective_threshold_mean, self.collective_threshold_sd
        if s * s >= m * (1 - m):
            return ("collective_threshold_sd", f"value {s:g} is too large for a Beta with mean "
                    f"{m:g}; allowed: sd < {(m * (1 - m)) ** 0.5:.3f}")
        return None


@dataclass
class GuaranteeParams:
    """The "five no's" and "five unchanged" (五个不 / 五个不变): switches and the loss of rights.

    Each guarantee holds by default (as in the seed county). A broken guarantee adds its loss
    (hardship a week, 0–1 scale) to the villagers it concerns, from the reform week on:
    "merged" = villages absorbed or absorbing in a merged village, "absorbed" = villages merged
    away, "abolished township" = villages of townships merged away; key persons stand for the
    cadres and their circles (see :func:`mergesim.mechanisms.grievance.rights_loss`).
    """

    staffing_kept: bool = param(
        True, "-", "五个不: township staffing not taken up.", source="report",
    )
    staffing_loss: float = param(
        0.05, "-", "Loss when broken, to villagers of abolished townships.", lo=0.0, hi=1.0,
    )
    transfers_kept: bool = param(
        True, "-", "五个不: fiscal transfers not reduced.", source="report",
    )
    transfers_loss: float = param(
        0.1, "-", "Loss when broken, to villagers of merged villages.", lo=0.0, hi=1.0,
    )
    infrastructure_kept: bool = param(
        True, "-", "五个不: infrastructure building not weakened.", source="report",
    )
    infrastructure_loss: float = param(
        0.1, "-", "Loss when broken, to villagers of absorbed villages or abolished "
        "townships.", lo=0.0, hi=1.0,
    )
    services_kept: bool = param(
        True, "-", "五个不: basic public services not lowered (the perceived promise; the "
        "service points themselves follow [services]).", source="report",
    )
    services_loss: float = param(
        0.15, "-", "Loss when broken, to villagers of abolished townships.", lo=0.0, hi=1.0,
    )
    cadres_placed: bool = param(
        True, "-", "五个不: no cadre left without a post.", source="report",
    )
    cadres_loss: float = param(
        0.3, "-", "Loss when broken, to key persons of merged villages (displaced cadres' "
        "circles).", lo=0.0, hi=1.0,
    )
    policies_kept: bool = param(
        True, "-", "五个不变: the policies villagers enjoy unchanged.", source="report",
    )
    policies_loss: float = param(
        0.2, "-", "Loss when broken, to villagers of merged villages.", lo=0.0, hi=1.0,
    )
    land_rights_kept: bool = param(
        True, "-", "五个不变: land, forest and resource rights unchanged.", source="report",
    )
    land_rights_loss: float = param(
        0.3, "-", "Loss when broken, to villagers of absorbed villages.", lo=0.0, hi=1.0,
    )
    collective_kept: bool = param(
        True, "-", "五个不变: collective economic interests unchanged.", source="report",
    )
    collective_loss: float = param(
        0.25, "-", "Loss when broken, to villagers of merged villages.", lo=0.0, hi=1.0,
    )
    poverty_support_kept: bool = param(
        True, "-", "五个不变: support for poor villages and households unchanged.",
        source="report",
    )
    poverty_support_loss: float = param(
        0.4, "-", "Loss when broken, to poor households of merged villages.", lo=0.0, hi=1.0,
    )
    poor_share: float = param(
        0.1, "-", "Share of households that are poor (registered for poverty relief).",
        lo=0.0, hi=1.0, source="assumption: a western county before 2020",
    )
    transition_pay_kept: bool = param(
        True, "-", "五个不变: departing cadres' transition pay unchanged.", source="report",
    )
    transition_pay_loss: float = param(
        0.3, "-", "Loss when broken, to key persons of merged villages.", lo=0.0, hi=1.0,
    )


@dataclass
class CommunicationParams:
    """Communication and the risk watch: talks, courtyard meetings, broadcasts (DOMAIN.md §4).

    Effort is full from the reform week for ``campaign_weeks`` and ``routine_share`` of it
    otherwise (before the reform too). Each channel removes a share of the grievance of those it
    reaches. With ``targeting = "risk"`` the risk watch ranks townships, villages and key persons
    by their rise in grievance and meetings and talks go to the watched first.
    """

    enabled: bool = param(
        True, "-", "Communicate at all (false = no talks, meetings or broadcasts).",
        source="report: 加强宣传引导",
    )
    campaign_weeks: int = param(
        26, "weeks", "Weeks of full effort from the reform week.", lo=0, hi=1040,
        source="assumption: the transition period",
    )
    routine_share: float = param(
        0.2, "-", "Effort outside the campaign, as a share of full effort.", lo=0.0, hi=1.0,
        source="assumption",
    )
    broadcast_reach: float = param(
        0.3, "-", "Share of villagers a week's broadcasts and new media reach (full effort).",
        lo=0.0, hi=1.0, source="assumption; report: 广播会、新媒体",
    )
    broadcast_effect: float = param(
        0.03, "-", "Share of grievance a broadcast removes from one reached.", lo=0.0, hi=1.0,
        source="assumption",
    )
    meetings_per_week: float = param(
        40.0, "meetings/week", "Courtyard meetings a week county-wide, one village each (full "
        "effort).", lo=0.0, hi=10_000.0, source="assumption; report: 坝坝会",
    )
    meeting_turnout: float = param(
        0.4, "-", "Share of a village's villagers attending its meeting.", lo=0.0, hi=1.0,
        source="assumption",
    )
    meeting_effect: float = param(
        0.2, "-", "Share of grievance a meeting removes from an attendee.", lo=0.0, hi=1.0,
        source="assumption",
    )
    talks_per_week: float = param(
        100.0, "talks/week", "One-to-one talks with villagers a week county-wide (full "
        "effort, full-scale persons).", lo=0.0, hi=100_000.0,
        source="assumption; report: 一对一谈心谈话, 一把钥匙开一把锁",
    )
    talk_effect: float = param(
        0.5, "-", "Share of grievance a one-to-one talk removes.", lo=0.0, hi=1.0,
        source="assumption",
    )
    targeting: str = param(
        "risk", "-", "Who meetings and talks reach: the risk watch first (risk) or at random "
        "(random).", choices=("risk", "random"), source="report: 紧盯重点镇、重点村、重点人",
    )
    watch_towns: int = param(
        5, "townships", "Key townships on the risk watch.", lo=0, hi=1000,
        source="report: 5 key towns",
    )
    watch_villages: int = param(
        34, "villages", "Key villages on the risk watch.", lo=0, hi=100_000,
        source="report: 34 key villages",
    )
    watch_persons: int = param(
        10, "persons", "Key persons on the risk watch (full scale).", lo=0, hi=100_000,
        source="report: 10 key persons",
    )
    watch_update_weeks: int = param(
        4, "weeks", "Weeks between updates of the watch lists.", lo=1, hi=520,
        source="assumption",
    )


@dataclass
class PetitionParams:
    """The six-step closed loop (六步闭合): stage queues, the statutory clock, outcomes.

    Stages, in order: accept and register, classify and transfer, quick verification, research
    and handle, track and supervise, close and cancel. Each stage of each township (and of the
    county petition bureau) is a first-come-first-served queue with ``c`` servers (cadres) and
    exponential service of mean ``service_days / competence``, followed by an exponential pure
    delay (waiting for replies and site visits, no cadre busy). See
    :mod:`mergesim.mechanisms.petitions`.
    """

    staffing: str = param(
        "cadres", "-", "Where township stage servers come from: the cadres mechanism's "
        "petition staff (cadres) or servers_township (fixed).", choices=("cadres", "fixed"),
        source="issue 4: capacity set by the cadres assigned",
    )
    servers_township: list[int] = param(
        [1, 1, 1, 1, 1, 1], "cadres", "Servers per stage of a township (staffing = fixed).",
        lo=0, hi=1000, source="assumption",
    )
    servers_county: list[int] = param(
        [2, 2, 2, 3, 2, 2], "cadres", "Servers per stage of the county petition bureau (which "
        "handles escalated petitions).", lo=0, hi=1000,
        source="assumption: a county bureau of about 13 petition cadres",
    )
    min_servers: int = param(
        1, "cadres", "Least servers of a township stage (someone always holds it).", lo=0,
        hi=1000, source="assumption",
    )
    service_days: list[float] = param(
        [0.5, 0.5, 2.0, 3.0, 1.0, 0.5], "days", "Mean cadre work per case at each stage "
        "(exponential; divided by the servers' competence).", lo=0.0, hi=365.0,
        source="assumption",
    )
    delay_days: list[float] = param(
        [1.0, 2.0, 5.0, 15.0, 10.0, 3.0], "days", "Mean pure delay after each stage's "
        "service (exponential; replies, site visits, notifications; no cadre busy).",
        lo=0.0, hi=365.0, source="assumption: a typical case concluded within the 60 days",
    )
    county_speed: float = param(
        1.0, "-", "Competence of the county bureau's servers.", lo=0.01, hi=10.0,
        source="assumption",
    )
    accept_days: float = param(
        15.0, "days", "Deadline to decide on acceptance, from filing (end of classify and "
        "transfer).", lo=0.0, hi=365.0,
        source="Regulations on Petition Work (信访工作条例, 2022): 15 days",
    )
    conclude_days: float = param(
        60.0, "days", "Deadline to conclude, from acceptance (end of research and handle).",
        lo=0.0, hi=365.0,
        source="Regulations on Petition Work (2022): 60 days, extendable by 30",
    )
    extension_days: float = param(
        30.0, "days", "Extension of the conclusion deadline for complex cases.", lo=0.0,
        hi=365.0, source="Regulations on Petition Work (2022): 60 days, extendable by 30",
    )
    extension_prob: float = param(
        0.3, "-", "Share of accepted petitions approved as complex (deadline extended).",
        lo=0.0, hi=1.0, source="assumption",
    )
    resolve_base: float = param(
        0.75, "-", "Probability a township resolves a petition when its handlers' competence "
        "is 1.", lo=0.0, hi=1.0, source="assumption",
    )
    resolve_county: float = param(
        0.6, "-", "Probability the county bureau resolves an escalated petition (competence "
        "1).", lo=0.0, hi=1.0, source="assumption",
    )
    resolve_elasticity: float = param(
        1.0, "-", "Elasticity of the resolution probability to the handlers' competence.",
        lo=0.0, hi=10.0, source="assumption",
    )
    collective_resolve_factor: float = param(
        0.8, "-", "Factor on the resolution probability of a collective petition.", lo=0.0,
        hi=2.0, source="assumption",
    )
    repeat_prob: float = param(
        0.4, "-", "Probability an unresolved petition is filed again (same level).", lo=0.0,
        hi=1.0, source="assumption",
    )
    escalate_prob: float = param(
        0.2, "-", "Probability an unresolved petition is escalated (township → county; "
        "county → beyond the county, leaving the model).", lo=0.0, hi=1.0,
        source="assumption",
    )
    refile_days: float = param(
        14.0, "days", "Mean delay before a repeated or escalated petition is filed "
        "(exponential).", lo=0.0, hi=365.0, source="assumption",
    )

    def check(self) -> tuple[str, str] | None:
        for name in ("servers_township", "servers_county", "service_days", "delay_days"):
            v = getattr(self, name)
            if len(v) != 6:
                return (name, f"value {v!r} must have 6 numbers (one per stage)")
        if self.repeat_prob + self.escalate_prob > 1.0:
            return ("escalate_prob", f"repeat_prob + escalate_prob = "
                    f"{self.repeat_prob + self.escalate_prob:g} exceeds 1")
        return None
