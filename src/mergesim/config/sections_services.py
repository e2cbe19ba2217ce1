"""Scenario sections of the model's time, villagers and needs: ``timeline``, ``villagers``,
``needs`` (with the affair catalogue ``needs.affairs``, :mod:`mergesim.config.sections_affairs`);
the ``services`` section is :mod:`mergesim.config.sections_points`. Part of the schema (see
:mod:`mergesim.config.schema`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from mergesim.config.params import Section, param
from mergesim.config.sections_affairs import AffairParams

# ---------------------------------------------------------------------------------------------
# The model: timeline, villagers, needs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineParams(Section):
    """The run's weeks: warm-up (pre-reform reference), reform week, transition, horizon."""

    warmup_weeks: int = param(
        26,
        "weeks",
        "Weeks simulated before the reform; they form the pre-reform reference.",
        lo=1,
        hi=520,
    )
    burn_in_weeks: int = param(
        4,
        "weeks",
        "First warm-up weeks left out of the pre-reform window (queues start empty).",
        lo=0,
        hi=519,
    )
    transition_weeks: int = param(
        26,
        "weeks",
        "Transition period after the reform week (hand-over, duty teams).",
        lo=0,
        hi=1040,
        source="assumption: the report's 交接过渡期, about half a year",
    )
    horizon_weeks: int = param(
        156,
        "weeks",
        "Weeks simulated from the reform week on (the reform week included).",
        lo=1,
        hi=1040,
        source="design: the study follows 3 years after the reform",
    )
    post_window_weeks: int = param(
        52,
        "weeks",
        "Length of the post-reform summary window: the last weeks of the horizon "
        "(0 = every week after the transition).",
        lo=0,
        hi=1040,
    )

    def check(self) -> tuple[str, str] | None:
        if self.burn_in_weeks >= self.warmup_weeks:
            return (
                "burn_in_weeks",
                f"value {self.burn_in_weeks} must be < warmup_weeks "
                f"({self.warmup_weeks}) so that the pre-reform window is not empty",
            )
        if self.transition_weeks >= self.horizon_weeks:
            return (
                "transition_weeks",
                f"value {self.transition_weeks} must be < horizon_weeks "
                f"({self.horizon_weeks}) so that some post-transition weeks remain",
            )
        if self.post_window_weeks > self.horizon_weeks - self.transition_weeks:
            return (
                "post_window_weeks",
                f"value {self.post_window_weeks} exceeds the "
                f"{self.horizon_weeks - self.transition_weeks} weeks after the transition",
            )
        return None


@dataclass(frozen=True)
class VillagerParams(Section):
    """Villager synthesis: how many individuals, their households, age, mobility and state."""

    scale: float = param(
        1.0,
        "-",
        "Share of the registered population simulated as individuals (1 = every "
        "villager); capacities scale with it so that rate metrics stay comparable (queue "
        "metrics need a scale near 1: see docs/metrics.md).",
        lo=0.0001,
        hi=1.0,
    )
    child_share: float = param(
        0.19,
        "-",
        "Share of villagers aged 0–14 (age group 'child').",
        lo=0.0,
        hi=1.0,
        source="China 2020 census, rural population: 0–14 ≈ 19 %",
    )
    elderly_share: float = param(
        0.24,
        "-",
        "Share of villagers aged 60+ (age group 'elderly').",
        lo=0.0,
        hi=1.0,
        source="China 2020 census, rural population: 60+ ≈ 24 %",
    )
    vehicle_share: float = param(
        0.65,
        "-",
        "Share of households owning a car or motorcycle (all members use it).",
        lo=0.0,
        hi=1.0,
        source="assumption from NBS rural surveys (~26 cars, ~60 motorcycles per 100 households)"
        "; plausible range (assumption): rural household car and motorcycle ownership (China "
        "Statistical Yearbook 2021: about 26 cars and over 60 motorcycles per 100 rural households"
        " in 2020, some owning both) spans this",
        plausible=(0.4, 0.9),
    )
    no_vehicle_factor: float = param(
        2.0,
        "-",
        "Travel-time multiplier for villagers without a vehicle (walking, waiting "
        "for a bus or a lift).",
        lo=1.0,
        hi=10.0,
        plausible=(1.5, 3.0),
        source="assumption; plausible range (assumption): bus and walking times over driving times"
        " on county roads, from frequent buses (1.5) to waiting and walking (3)",
    )
    local_kmh: float = param(
        12.0,
        "km/h",
        "Speed of the trip inside the home village to its seat (walk/bike mix); "
        "the distance is half the square root of the village area times the road detour.",
        lo=1.0,
        hi=100.0,
    )
    key_person_share: float = param(
        0.001,
        "-",
        "Share of villagers who are key persons (opinion leaders who can mobilise others).",
        lo=0.0,
        hi=0.1,
        source="assumption; the report watched 10 key persons county-wide",
    )
    trust_mean: float = param(
        0.6,
        "-",
        "Mean initial trust in local government (Beta-distributed, 0–1).",
        lo=0.01,
        hi=0.99,
        plausible=(0.4, 0.8),
        source="assumption; plausible range (assumption): rural surveys put trust in township "
        "government at mid-scale, below trust in the centre (the 'hierarchical trust' of Li"
        " 2004, Modern China); ±0.2 around the default spans a distrustful to a trusting "
        "county",
    )
    trust_sd: float = param(
        0.15,
        "-",
        "Standard deviation of initial trust.",
        lo=0.0,
        hi=0.45,
        plausible=(0.05, 0.25),
        source="assumption; plausible range (assumption): from a nearly uniform county to one "
        "split between trusting and distrustful villagers",
    )
    threshold_mean: float = param(
        0.5,
        "-",
        "Mean petition threshold on the 0–1 grievance scale (Granovetter-style "
        "heterogeneous thresholds, Beta-distributed).",
        lo=0.01,
        hi=0.99,
        source="Granovetter (1978) threshold model; values an assumption"
        "; plausible range (assumption): the middle of the 0–1 grievance scale ±0.2; Granovetter's"
        " thresholds give no numbers for petitioning",
        plausible=(0.3, 0.7),
    )
    threshold_sd: float = param(
        0.15,
        "-",
        "Standard deviation of petition thresholds.",
        lo=0.0,
        hi=0.45,
        plausible=(0.05, 0.25),
        source="assumption; plausible range (assumption): narrow to wide heterogeneity of "
        "thresholds, the quantity Granovetter's model turns on",
    )
    sample_agents: int = param(
        100,
        "villagers",
        "Villagers registered as inspectable Mesa agents at set-up (views "
        "over the arrays; any other row can be viewed on demand).",
        lo=0,
        hi=100_000,
    )

    def check(self) -> tuple[str, str] | None:
        if self.child_share + self.elderly_share > 1.0:
            return (
                "elderly_share",
                f"child_share + elderly_share = "
                f"{self.child_share + self.elderly_share:g} exceeds 1",
            )
        for name in ("trust", "threshold"):
            m, s = getattr(self, f"{name}_mean"), getattr(self, f"{name}_sd")
            if s * s >= m * (1 - m):
                return (
                    f"{name}_sd",
                    f"value {s:g} is too large for a Beta with mean {m:g}; "
                    f"allowed: sd < {(m * (1 - m)) ** 0.5:.3f}",
                )
        return None


@dataclass(frozen=True)
class NeedParams(Section):
    """Weekly service needs per villager by age group [child, working, elderly].

    Rates are Poisson rates per person per week. Sources are stated per rate; where no figure
    exists the rate is an assumption of the order of magnitude of rural service use.
    """

    admin: tuple[float, ...] = param(
        [0.002, 0.012, 0.010],
        "needs/person/week",
        "Administrative affairs (certificates, "
        "social insurance, subsidies, household registration, land); split into types by "
        "needs.affairs.",
        lo=0.0,
        hi=1.0,
        source="assumption: about 0.6 affairs per adult per year",
    )
    health_routine: tuple[float, ...] = param(
        [0.035, 0.025, 0.060],
        "needs/person/week",
        "Outpatient visits needing a township "
        "health centre or higher (village clinics' basic care is not a trip here).",
        lo=0.0,
        hi=1.0,
        source="order of magnitude: China Health Statistics Yearbook 2020, "
        "~2 township-health-centre visits per rural resident per year",
    )
    health_serious: tuple[float, ...] = param(
        [0.002, 0.003, 0.008],
        "needs/person/week",
        "Serious care needing a regional medical centre or the county hospital.",
        lo=0.0,
        hi=1.0,
        source="order of magnitude: rural inpatient admission rate ~15–20 % per year",
    )
    school: tuple[float, ...] = param(
        [0.04, 0.0, 0.0],
        "needs/person/week",
        "School affairs of a child (enrolment, parents' meetings), carried by the household.",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    elderly_care: tuple[float, ...] = param(
        [0.0, 0.0, 0.01],
        "needs/person/week",
        "Visits to an elderly-care home (day care, assessments).",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    police_legal: tuple[float, ...] = param(
        [0.0, 0.002, 0.001],
        "needs/person/week",
        "Police station or people's court affairs (identity cards, disputes).",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    banking_telecom: tuple[float, ...] = param(
        [0.0, 0.03, 0.02],
        "needs/person/week",
        "Errands at a bank or telecom outlet.",
        lo=0.0,
        hi=1.0,
        source="assumption: about monthly for adults",
    )
    court_share: float = param(
        0.15,
        "-",
        "Share of police and legal affairs that are court matters (disputes, mediation "
        "confirmation): handled by a people's court, the rest by a police station.",
        lo=0.0,
        hi=1.0,
        plausible=(0.05, 0.3),
        source="assumption (value and plausible range: judgement, no source found)",
    )
    telecom_share: float = param(
        0.3,
        "-",
        "Share of banking and telecom errands that are telecom (phone, broadband, SIM cards): "
        "handled by a telecom outlet, the rest by a bank.",
        lo=0.0,
        hi=1.0,
        plausible=(0.15, 0.5),
        source="assumption (value and plausible range: judgement, no source found)",
    )
    long_trip_minutes: float = param(
        60.0,
        "min",
        "One-way trip length beyond which a villager may put a non-urgent trip off.",
        lo=0.0,
        hi=1000.0,
        plausible=(30.0, 120.0),
        source="assumption; plausible range (assumption): half an hour to two hours one way, the "
        "span of 'far' in rural access studies",
    )
    defer_vehicle: float = param(
        0.0,
        "-",
        "Weekly probability that a villager with a vehicle puts a long trip off.",
        lo=0.0,
        hi=0.95,
    )
    defer_no_vehicle: float = param(
        0.3,
        "-",
        "Weekly probability that a villager without a vehicle puts a long trip off "
        "(mobility sets willingness).",
        lo=0.0,
        hi=0.95,
        plausible=(0.1, 0.5),
        source="assumption; plausible range (assumption): weekly put-off probability from rare to "
        "every other week",
    )
    max_trips: int = param(
        6,
        "trips",
        "Trips after which a villager whose trips all failed (turned away at a full point, "
        "official absent, documents missing, referred) gives up the affair.",
        lo=1,
        hi=100,
        plausible=(3, 10),
        source="assumption; plausible range (assumption): villagers give up after a few to many "
        "failed trips",
    )
    affairs: AffairParams = field(default_factory=AffairParams)

    def check(self) -> tuple[str, str] | None:
        for name in (
            "admin",
            "health_routine",
            "health_serious",
            "school",
            "elderly_care",
            "police_legal",
            "banking_telecom",
        ):
            v = getattr(self, name)
            if len(v) != 3:
                return (name, f"value {list(v)!r} must have 3 numbers (child, working, elderly)")
        return None
