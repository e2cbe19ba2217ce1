"""Scenario section ``cadres``: :class:`CadreParams`, the posts, pools and selection of
:class:`~mergesim.config.sections_cadres.CadreSelectionParams` plus what follows selection —
the placement channels, pay and running costs, training, what competence and span of control
change, and petition work. Part of the schema (see :mod:`mergesim.config.schema`).
"""

from __future__ import annotations

from dataclasses import dataclass

from mergesim.config.params import param
from mergesim.config.sections_cadres import CadreSelectionParams


@dataclass(frozen=True)
class CadreParams(CadreSelectionParams):
    """Cadres: posts per unit, incumbent and candidate pools, selection, placement, pay, training.

    Lists "per kind" follow (township leader, township staff, village two-committee cadre,
    villager-group leader); lists "per origin" follow (local, returning migrant worker, veteran,
    returning graduate, party member / reserve cadre, former village cadre). Scores are on the
    competence scale (relative productivity, about 1 for a pre-reform cadre; sd about 0.15).
    "calibrated" marks a default fitted (seeds 20191201, 1–4) so that the seed county reproduces
    a report figure, named in the source (checked by ``mergesim validate --model``, calibration
    part; ``scripts/cadre_bands.py`` tries other values); the fitted values are assumptions, not
    data. The report's township cadres' age target (−2 years) is not reached: see
    docs/domain.md §3.

    Pay of departing cadres until the election follows ``guarantees.transition_pay_kept``;
    the consequences of competence, span of control and misconduct act on the administrative
    service points (``points.competence``) and the petition stages (speed and resolution);
    see :mod:`mergesim.mechanisms.cadres.consequences`.
    """

    # -- placement channels --------------------------------------------------------------
    township_retire_age: float = param(
        57.0,
        "years",
        "A displaced township cadre this old retires (early or in-post "
        "retirement before the statutory 60).",
        lo=18.0,
        hi=70.0,
        source="assumption",
    )
    up_county_per_abolished: float = param(
        3.0,
        "posts/township",
        "County posts for displaced township leaders, per abolished "
        "township (moved up; best assessed first).",
        lo=0.0,
        hi=100.0,
        source="assumption; report: 向上分流 (count masked)",
    )
    rank_on_spot_per_township: float = param(
        4.0,
        "posts/township",
        "Non-leading rank posts in a merged township for its displaced leaders (就地职级安置).",
        lo=0.0,
        hi=100.0,
        source="assumption; report: 就地职级安置 (count masked)",
    )
    transfer_per_abolished: float = param(
        4.0,
        "posts/township",
        "Posts in other units (county departments, other townships) per "
        "abolished township for displaced township cadres.",
        lo=0.0,
        hi=100.0,
        source="assumption",
    )
    village_retire_age: float = param(
        60.0,
        "years",
        "A displaced village cadre this old leaves office (retires).",
        lo=18.0,
        hi=80.0,
        source="assumption",
    )
    group_leader_willing: float = param(
        0.58,
        "-",
        "Share of displaced village cadres who stand for villager-group leader.",
        lo=0.0,
        hi=1.0,
        source="calibrated: 16.5 % of new group leaders (report); "
        "report: 鼓励支持离任村干部转任村民小组长",
    )
    business_propensity: float = param(
        0.15,
        "-",
        "Share of displaced village cadres (not yet placed, not over "
        "business_max_age) who leave to start a business with preferential policy.",
        lo=0.0,
        hi=1.0,
        source="assumption; report: 离岗创业 (count masked)",
    )
    business_max_age: float = param(
        50.0,
        "years",
        "Oldest age at which a displaced village cadre starts a business.",
        lo=18.0,
        hi=80.0,
        source="assumption",
    )
    specialists_per_village: float = param(
        2.0,
        "posts/village",
        "Transitional specialist posts (poverty-alleviation, grass-roots "
        "governance) per merged village for displaced cadres; the rest leave office.",
        lo=0.0,
        hi=50.0,
        source="assumption; report: 脱贫攻坚专干、基层治理专干",
    )
    election_weeks: int = param(
        60,
        "weeks",
        "Weeks from the reform to the next village two-committee election: "
        "transitional posts and kept pay end then.",
        lo=0,
        hi=520,
        source="assumption: reform late 2019, election early 2021; report: 待遇保留至村两委换届",
    )

    # -- pay and running costs (yuan per week) --------------------------------------------
    pay_township_leader: float = param(
        2000.0,
        "yuan/week",
        "Salary and allowances of a township leader.",
        lo=0.0,
        hi=1e5,
        source="assumption: ~105,000 yuan/year in a western county",
    )
    pay_township_staff: float = param(
        1500.0,
        "yuan/week",
        "Salary of township staff (also kept by cadres placed on the spot "
        "or in transitional posts).",
        lo=0.0,
        hi=1e5,
        source="assumption: ~78,000 yuan/year",
    )
    pay_secretary: float = param(
        600.0,
        "yuan/week",
        "Pay of a village secretary (or director).",
        lo=0.0,
        hi=1e5,
        source="assumption: ~2,600 yuan/month for full-time village cadres in Sichuan",
    )
    pay_one_shoulder: float = param(
        750.0,
        "yuan/week",
        "Pay of a secretary who also heads the committee (一肩挑).",
        lo=0.0,
        hi=1e5,
        source="assumption",
    )
    pay_member: float = param(
        450.0,
        "yuan/week",
        "Pay of another full-time two-committee cadre.",
        lo=0.0,
        hi=1e5,
        source="assumption: ~2,000 yuan/month",
    )
    pay_group_leader: float = param(
        100.0,
        "yuan/week",
        "Allowance of a villager-group leader.",
        lo=0.0,
        hi=1e5,
        source="assumption: ~400 yuan/month",
    )
    pay_specialist: float = param(
        450.0,
        "yuan/week",
        "Pay of a village transitional specialist.",
        lo=0.0,
        hi=1e5,
        source="assumption",
    )
    cost_township_office: float = param(
        8000.0,
        "yuan/week",
        "Running cost of a township government (office, vehicles, utilities; not salaries).",
        lo=0.0,
        hi=1e7,
        source="assumption: ~420,000 yuan/year",
    )
    cost_village_office: float = param(
        300.0,
        "yuan/week",
        "Running cost of a village committee office.",
        lo=0.0,
        hi=1e6,
        source="assumption",
    )
    cost_station: float = param(
        1500.0,
        "yuan/week",
        "Running cost of a convenience service station (not salaries).",
        lo=0.0,
        hi=1e6,
        source="assumption",
    )
    cost_room: float = param(
        150.0,
        "yuan/week",
        "Extra running cost of a village convenience room over an office.",
        lo=0.0,
        hi=1e6,
        source="assumption",
    )
    cost_duty_team: float = param(
        200.0,
        "yuan/week",
        "Running cost of a transition duty team (allowances, office).",
        lo=0.0,
        hi=1e6,
        source="assumption",
    )

    # -- training ------------------------------------------------------------------------
    training_person_times: int = param(
        1100,
        "person-times",
        "Training sessions for cadres after the reform.",
        lo=0,
        hi=1_000_000,
        source="report: 累计培训党员干部1100余人次",
    )
    training_weeks: int = param(
        26,
        "weeks",
        "Weeks after the reform over which the training is spread evenly.",
        lo=1,
        hi=520,
        source="assumption: the transition period",
    )
    training_gain: float = param(
        0.1,
        "-",
        "Share of the gap to competence_cap one session closes.",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    training_new_priority: float = param(
        3.0,
        "-",
        "Relative chance of a cadre appointed at the reform to be trained in a week "
        "(others in post: 1; divided by 1 + sessions already taken).",
        lo=0.0,
        hi=100.0,
        source="assumption (value); report: rotation training of the temporary secretaries",
    )

    # -- cadres at work ------------------------------------------------------------------
    staff_points: bool = param(
        True,
        "-",
        "Administrative service points (township centres and stations, village "
        "offices, rooms, agency, duty teams) serve at the competence of the cadres who staff "
        "them now, relative to before the reform (false: competence has no effect on them).",
        source="design: cadres staff the service points (docs/domain.md §3)",
    )

    # -- consequences: who the cadres are changes what they get done ---------------------------
    competence_odds_elasticity: float = param(
        1.0,
        "-",
        "Elasticity of the odds that a visit to an administrative point completes the affair "
        "to the mean working competence of its cadres, relative to before the reform "
        "(written to the points' competence multiplier).",
        lo=0.0,
        hi=5.0,
        source="assumption: odds proportional to competence (1); half to one and a half",
        plausible=(0.5, 1.5),
    )
    span_elasticity: float = param(
        0.3,
        "-",
        "Elasticity of those odds to the span of control (villagers per cadre of the point's "
        "township or village, relative to its units before the reform): odds × "
        "(span / span_before)^−span_elasticity.",
        lo=0.0,
        hi=3.0,
        source="Meier & Bohte (2000), Administration & Society 32(2): wider spans of control "
        "lower performance; value an assumption",
        plausible=(0.1, 0.6),
    )
    misconduct_factor: float = param(
        0.5,
        "-",
        "Working competence of a cadre with a hard disqualifier (criminal record, gang links, "
        "gambling or drugs, breach of discipline) relative to the same cadre without one: "
        "favouritism and neglect in affairs and petitions (what screening keeps out).",
        lo=0.0,
        hi=1.0,
        source="assumption; report: 十不宜 (the ten unsuitables)",
        plausible=(0.3, 0.8),
    )
    unplaced_share: float = param(
        0.3,
        "-",
        "When guarantees.cadres_placed = false: share of the displaced cadres bound for a "
        "rank post on the spot, a transfer, a transitional or a specialist post who are left "
        "without one (township civil servants keep their salary, idle; village cadres leave).",
        lo=0.0,
        hi=1.0,
        source="assumption: a tenth to a half of the placements fail when the guarantee is broken",
        plausible=(0.1, 0.5),
    )

    # -- petition work -------------------------------------------------------------------
    petition_staff_share: float = param(
        0.1,
        "-",
        "Share of a township's staff (incl. cadres placed on the spot or in "
        "transitional posts) assigned to petition work.",
        lo=0.0,
        hi=1.0,
        source="assumption: a petition office and a comprehensive-governance centre",
    )
    specialist_petition_share: float = param(
        0.5,
        "-",
        "Share of village transitional specialists (the grass-roots governance "
        "specialists) assigned to petition work until the election.",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    petition_stage_weights: tuple[float, ...] = param(
        [0.15, 0.1, 0.25, 0.3, 0.1, 0.1],
        "-",
        "How petition cadres divide over the six stages "
        "(accept, classify, verify, handle, supervise, close; normalised).",
        lo=0.0,
        hi=100.0,
        source="assumption; report: 六步闭合机制",
    )

    def check(self) -> tuple[str, str] | None:
        problem = super().check()
        if problem:
            return problem
        if len(self.petition_stage_weights) != 6:
            return (
                "petition_stage_weights",
                f"value {list(self.petition_stage_weights)!r} must have 6 numbers",
            )
        if sum(self.petition_stage_weights) <= 0:
            return ("petition_stage_weights", "the weights must not all be 0")
        return None
