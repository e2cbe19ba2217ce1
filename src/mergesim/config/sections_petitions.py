"""Scenario sections ``petitions`` and ``stability``: the closed loop, its clock, what it can
resolve, the county's answers to overload (task forces, enforcement teams), and the stability
index. Part of the schema (see :mod:`mergesim.config.schema`)."""

from __future__ import annotations

from dataclasses import dataclass

from mergesim.config.params import Section, param

REGULATIONS = "Regulations on Petition Work (信访工作条例, 2022)"
#: Order of the per-cause lists (``mergesim.mechanisms.petitions.Cause``).
PETITION_CAUSES = (
    "background",
    "access",
    "rights",
    "assets",
    "representation",
    "seat_loss",
    "cadre",
)
_PER_STAGE = "(accept, classify, verify, handle, supervise, close)"


@dataclass(frozen=True)
class PetitionParams(Section):
    """The six-step closed loop (六步闭合): stage queues, the statutory clock, outcomes.

    Stages, in order: accept and register, classify and transfer, quick verification, research
    and handle, track and supervise, close and cancel. Each stage of each township (and of the
    county petition bureau) is a multi-server queue with ``c`` servers (cadres) and
    exponential service of mean ``service_days / competence``, followed by an exponential pure
    delay (waiting for replies and site visits, no cadre busy); waiting petitions are taken in
    order of their statutory deadline (``priority``). Every concluded petition gets a reply
    (formal closure); whether it is *resolved* depends on its cause, the handlers' competence
    and their caseload. See :mod:`mergesim.mechanisms.petitions`.
    """

    staffing: str = param(
        "cadres",
        "-",
        "Where township stage servers come from: the cadres mechanism's "
        "petition staff (cadres) or servers_township (fixed).",
        choices=("cadres", "fixed"),
        source="design: capacity set by the cadres assigned (docs/domain.md §3)",
    )
    servers_township: tuple[int, ...] = param(
        [1, 1, 1, 1, 1, 1],
        "cadres",
        "Servers per stage of a township (staffing = fixed).",
        lo=0,
        hi=1000,
        source="assumption",
    )
    servers_county: tuple[int, ...] = param(
        [2, 2, 2, 3, 2, 2],
        "cadres",
        "Servers per stage of the county petition bureau (which handles escalated petitions).",
        lo=0,
        hi=1000,
        source="assumption: a county bureau of about 13 petition cadres",
    )
    min_servers: int = param(
        1,
        "cadres",
        "Least servers of a township stage (someone always holds it).",
        lo=0,
        hi=1000,
        source="assumption",
    )
    service_days: tuple[float, ...] = param(
        [0.5, 0.5, 2.0, 3.0, 1.0, 0.5],
        "days",
        "Mean cadre work per case at each stage (exponential; divided by the servers' competence).",
        lo=0.0,
        hi=365.0,
        source="assumption",
    )
    delay_days: tuple[float, ...] = param(
        [1.0, 2.0, 5.0, 15.0, 10.0, 3.0],
        "days",
        "Mean pure delay after each stage's "
        "service (exponential; replies, site visits, notifications; no cadre busy).",
        lo=0.0,
        hi=365.0,
        source="assumption: a typical case concluded within the 60 days",
    )
    county_speed: float = param(
        1.0,
        "-",
        "Competence of the county bureau's servers (and of task-force cadres, drawn from "
        "county departments).",
        lo=0.01,
        hi=10.0,
        source="assumption"
        "; plausible range (assumption): the county bureau's cadres from half to one and a half "
        "times the township competence",
        plausible=(0.5, 1.5),
    )
    accept_days: float = param(
        15.0,
        "days",
        "Deadline to decide on acceptance, from filing (end of classify and transfer).",
        lo=0.0,
        hi=365.0,
        source=f"{REGULATIONS}: 15 days",
    )
    conclude_days: float = param(
        60.0,
        "days",
        "Deadline to conclude, from acceptance (end of research and handle).",
        lo=0.0,
        hi=365.0,
        source=f"{REGULATIONS}: 60 days, extendable by 30",
    )
    extension_days: float = param(
        30.0,
        "days",
        "Extension of the conclusion deadline for complex cases.",
        lo=0.0,
        hi=365.0,
        source=f"{REGULATIONS}: 60 days, extendable by 30",
    )
    extension_prob: float = param(
        0.3,
        "-",
        "Share of accepted petitions approved as complex (deadline extended).",
        lo=0.0,
        hi=1.0,
        source="assumption; plausible range (assumption): share of petitions approved as complex",
        plausible=(0.1, 0.5),
    )
    priority: str = param(
        "deadline",
        "-",
        "Order in which a stage's free cadre takes waiting petitions: the earliest statutory "
        "deadline first (deadline: acceptance deadline until accepted, conclusion deadline "
        "after) or first come, first served (fcfs).",
        choices=("deadline", "fcfs"),
        source=f"{REGULATIONS} (the deadlines the order follows); design: the loop answers to "
        "its clock",
    )

    # -- what a concluded petition resolves ---------------------------------------------------
    resolve_base: float = param(
        0.75,
        "-",
        "Probability a township resolves a background petition when its handlers' competence "
        "is 1 and their caseload at most load_ref (the cause-free probability).",
        lo=0.0,
        hi=1.0,
        source="assumption"
        "; plausible range (assumption): township resolution rates of petitions reported by local "
        "governments are high; a half to nine in ten",
        plausible=(0.5, 0.9),
    )
    resolve_county: float = param(
        0.6,
        "-",
        "Probability the county bureau resolves an escalated petition (competence 1).",
        lo=0.0,
        hi=1.0,
        source="assumption"
        "; plausible range (assumption): the county bureau resolves escalated (harder) petitions "
        "less often than townships",
        plausible=(0.4, 0.8),
    )
    resolve_elasticity: float = param(
        1.0,
        "-",
        "Elasticity of the resolution probability to the handlers' competence.",
        lo=0.0,
        hi=10.0,
        source="assumption",
    )
    resolve_cause_factor: tuple[float, ...] = param(
        [1.0, 1.0, 1.0, 0.6, 0.5, 0.3, 0.7],
        "-",
        "Factor on the resolution probability per cause (background, access, rights, assets, "
        "representation, seat_loss, cadre): what handling can give — an audit of pooled "
        "assets, a seat on the committee, offices at the old seat, a post — is less than a "
        "reply; access and rights are further conditioned on the service gap and the "
        "guarantees.",
        lo=0.0,
        hi=5.0,
        source="assumption: a reply settles a background dispute more often than a merger's "
        "structural loss, which the township cannot undo (the seat least)",
        plausible=(0.2, 1.0),
    )
    access_gap_scale: float = param(
        0.5,
        "hardship units",
        "An access petition is resolved by a service fix, not a reply: its resolution "
        "probability is multiplied by exp(−gap / access_gap_scale), gap = the village's "
        "remaining valued loss per affair in that service domain (grievance.access_gap).",
        lo=1e-6,
        hi=100.0,
        source="assumption: about 5 extra minutes per affair (a gap of ~0.5 at the default "
        "prospect-theory values) halves the chance a reply satisfies",
        plausible=(0.1, 2.0),
    )
    rights_remedy_prob: float = param(
        0.15,
        "-",
        "While a guarantee stays broken (any guarantees.*_kept false, or services not lowered "
        "broken in fact), the resolution probability of a rights petition: an individual "
        "remedy, not the guarantee restored.",
        lo=0.0,
        hi=1.0,
        source="assumption: an individual remedy is rarer than a reply settling a dispute "
        "(a fifth of resolve_base); from a tenth to half of it",
        plausible=(0.05, 0.4),
    )
    load_ref: float = param(
        10.0,
        "petitions/server",
        "Caseload (open township petitions per petition server of the unit, full scale) above "
        "which handlers resolve less: factor (load_ref / caseload)^load_elasticity.",
        lo=0.1,
        hi=10_000.0,
        source="assumption: a petition cadre follows about ten open cases",
        plausible=(5.0, 30.0),
    )
    load_elasticity: float = param(
        0.5,
        "-",
        "Elasticity of the resolution probability to the caseload above load_ref.",
        lo=0.0,
        hi=5.0,
        source="assumption: from no effect (0) to resolution proportional to the time per case (1)",
        plausible=(0.0, 1.0),
    )
    collective_resolve_factor: float = param(
        0.8,
        "-",
        "Factor on the resolution probability of a collective petition.",
        lo=0.0,
        hi=2.0,
        source="assumption",
    )

    # -- after an unresolved reply -----------------------------------------------------------
    repeat_prob: float = param(
        0.4,
        "-",
        "Probability an unresolved petition is filed again (same level).",
        lo=0.0,
        hi=1.0,
        source="assumption"
        "; plausible range (assumption): repeated petitioning (重复信访) is common; a fifth to "
        "over half of unresolved petitions filed again",
        plausible=(0.2, 0.6),
    )
    escalate_prob: float = param(
        0.2,
        "-",
        "Probability an unresolved petition is escalated (township → county; county → city "
        "or province, counted as a petition beyond the county).",
        lo=0.0,
        hi=1.0,
        source="assumption"
        "; plausible range (assumption): escalation (越级) of an unresolved petition from rare to "
        "frequent",
        plausible=(0.05, 0.4),
    )
    skip_level_share: float = param(
        0.1,
        "-",
        "Share of escalations from a township that skip the county and go straight to the "
        "city or province (越级访; counted beyond the county).",
        lo=0.0,
        hi=1.0,
        source="assumption: skip-level visits are discouraged and sent back (属地管理); up "
        "to a third of escalations",
        plausible=(0.0, 0.3),
    )
    refile_days: float = param(
        14.0,
        "days",
        "Mean delay before a repeated or escalated petition is filed (exponential).",
        lo=0.0,
        hi=365.0,
        source="assumption; plausible range (assumption): a week to a month before refiling",
        plausible=(7.0, 30.0),
    )
    incident_prob: float = param(
        0.1,
        "-",
        "Probability that a collective petition becomes a collective incident (群体性事件) "
        "when it closes unresolved, or (drawn once) when it is incident_overdue_days past "
        "its deadline.",
        lo=0.0,
        hi=1.0,
        source="assumption: most unresolved collective petitions do not turn into "
        "incidents; one in fifty to one in three",
        plausible=(0.02, 0.3),
    )
    incident_overdue_days: float = param(
        30.0,
        "days",
        "Days past its statutory deadline at which an open collective petition may turn "
        "into an incident.",
        lo=0.0,
        hi=365.0,
        source="assumption: a month past the deadline",
        plausible=(15.0, 90.0),
    )

    # -- the county's answers to overload -----------------------------------------------------
    taskforce: bool = param(
        True,
        "-",
        "Task forces (专班): the county sends cadres from its departments to a unit whose "
        "caseload exceeds taskforce_trigger, or where a collective incident happened.",
        source="report: 组建信访核查…四个一条线 (the county's petition-verification line)",
    )
    taskforce_trigger: float = param(
        10.0,
        "petitions/server",
        "Caseload (open petitions per petition server of the unit, full scale) that calls a "
        "task force.",
        lo=0.1,
        hi=10_000.0,
        source="assumption: equal to load_ref, where handling starts to suffer",
        plausible=(5.0, 30.0),
    )
    taskforce_delay_weeks: int = param(
        2,
        "weeks",
        "Weeks from the trigger to the task force at work (forming, briefing).",
        lo=0,
        hi=52,
        source="assumption: one to four weeks to name and brief a task force",
        plausible=(1.0, 4.0),
    )
    taskforce_weeks: int = param(
        12,
        "weeks",
        "Weeks a task force works before it is disbanded (it may be called again).",
        lo=1,
        hi=520,
        source="assumption: a quarter",
        plausible=(4.0, 26.0),
    )
    taskforce_size: int = param(
        6,
        "cadres",
        "Cadres of one task force (full scale), drawn from county departments (they stay on "
        "the county's payroll, so the administrative cost does not change).",
        lo=0,
        hi=1000,
        source="assumption: three to fifteen cadres from a few county departments",
        plausible=(3.0, 15.0),
    )
    taskforce_max: int = param(
        5,
        "task forces",
        "Task forces the county can field at once (the units with the highest caseload first).",
        lo=0,
        hi=1000,
        source="assumption: the county departments can spare about 30 cadres",
        plausible=(2.0, 10.0),
    )
    taskforce_stage_weights: tuple[float, ...] = param(
        [0.0, 0.1, 0.4, 0.5, 0.0, 0.0],
        "-",
        f"How a task force's cadres divide over the six stages {_PER_STAGE}; normalised.",
        lo=0.0,
        hi=100.0,
        source="assumption: verification and handling are the work (快速核查, 研究处理)",
        plausible=(0.0, 1.0),
    )
    enforcement_towns: int = param(
        10,
        "townships",
        "Key townships given a comprehensive administrative law-enforcement team (综合行政执法队) "
        "at the reform: the most populous townships after it.",
        lo=0,
        hi=1000,
        source="report: 针对10个重点乡镇派出综合行政执法队 (which ten is masked: the most "
        "populous is an assumption)",
    )
    enforcement_servers: tuple[int, ...] = param(
        [0, 0, 1, 1, 0, 0],
        "cadres",
        f"Petition servers an enforcement team adds per stage {_PER_STAGE} (full scale; a team "
        "of about ten officers, part of their time on verification and handling).",
        lo=0,
        hi=1000,
        source="assumption: a team of about ten spends up to a third of its time on petitions",
        plausible=(0.0, 3.0),
    )
    enforcement_speed: float = param(
        1.5,
        "-",
        "Competence of an enforcement team on petitions (on-site verification with the "
        "powers to act: faster than a desk cadre).",
        lo=0.01,
        hi=10.0,
        source="assumption: between a desk cadre (1) and twice as fast (on-site powers to act)",
        plausible=(1.0, 2.0),
    )
    saturation_weeks: int = param(
        8,
        "weeks",
        "A unit is saturated when, at some stage, the week's arrivals exceed the week's "
        "capacity (servers × competence × 7 / service_days) for more than this many "
        "consecutive weeks; the run then warns, naming the townships.",
        lo=1,
        hi=520,
        source="assumption: two months of overload; one to three months",
        plausible=(4.0, 13.0),
    )

    def check(self) -> tuple[str, str] | None:
        for name in (
            "servers_township",
            "servers_county",
            "service_days",
            "delay_days",
            "taskforce_stage_weights",
            "enforcement_servers",
        ):
            v = getattr(self, name)
            if len(v) != 6:
                return (name, f"value {list(v)!r} must have 6 numbers (one per stage)")
        if len(self.resolve_cause_factor) != len(PETITION_CAUSES):
            return (
                "resolve_cause_factor",
                f"value {list(self.resolve_cause_factor)!r} must have {len(PETITION_CAUSES)} "
                f"numbers ({', '.join(PETITION_CAUSES)})",
            )
        if self.repeat_prob + self.escalate_prob > 1.0:
            return (
                "escalate_prob",
                f"repeat_prob + escalate_prob = "
                f"{self.repeat_prob + self.escalate_prob:g} exceeds 1",
            )
        if self.taskforce and self.taskforce_size > 0 and sum(self.taskforce_stage_weights) <= 0:
            return ("taskforce_stage_weights", "the weights must not all be 0")
        return None


#: The pressures of the stability index, in order (names of their weights: ``<name>_weight``).
STABILITY_PRESSURES = (
    "rate",
    "collective",
    "aggrieved",
    "late",
    "escalation",
    "beyond",
    "incident",
)
_WEIGHT_SOURCE = (
    "assumption: ordered after the indicators petition-work assessments track (on-time "
    "acceptance and conclusion, repeat and skip-level petitions, mass incidents; "
    f"{REGULATIONS}; 信访工作责任制实施办法 2016); no table gives numbers"
)


@dataclass(frozen=True)
class StabilityParams(Section):
    """The composite stability index: the weights of its seven pressures and their scales.

    The index is a summary for comparing scenarios, not a measured quantity; the components
    (petition rates, escalation beyond the county, collective incidents, days to close, the
    aggrieved share) are the headline metrics. ``stability_index = 1 − Σ_j w_j x_j / Σ_j w_j``
    with pressures ``x_j ∈ [0, 1)``: each rate ``r`` enters as ``r / (r + half)`` — smooth,
    increasing, half-way at ``half`` and never flat below a few times ``half``, so 338 and
    1,928 petitions per 10,000 a year differ and 5,000 does not yet saturate — and the shares
    (not closed within the statutory days, escalated) enter as they are. A term without data
    (nothing closed in the window) is left out. See
    :func:`mergesim.mechanisms.petitions.metrics.stability_index`.
    """

    rate_weight: float = param(
        0.2,
        "-",
        "Weight of the petition rate (all filings per 10,000 villagers a year).",
        lo=0.0,
        hi=100.0,
        source=_WEIGHT_SOURCE,
    )
    collective_weight: float = param(
        0.15,
        "-",
        "Weight of the collective-petition rate.",
        lo=0.0,
        hi=100.0,
        source=_WEIGHT_SOURCE,
    )
    aggrieved_weight: float = param(
        0.2,
        "-",
        "Weight of the share of villagers above their petition threshold.",
        lo=0.0,
        hi=100.0,
        source=_WEIGHT_SOURCE,
    )
    late_weight: float = param(
        0.15,
        "-",
        "Weight of the share of petitions not closed within conclude_days.",
        lo=0.0,
        hi=100.0,
        source=_WEIGHT_SOURCE,
    )
    escalation_weight: float = param(
        0.1,
        "-",
        "Weight of the share of closed petitions escalated.",
        lo=0.0,
        hi=100.0,
        source=_WEIGHT_SOURCE,
    )
    beyond_weight: float = param(
        0.1,
        "-",
        "Weight of the rate of petitions taken beyond the county (越级访 to city or province).",
        lo=0.0,
        hi=100.0,
        source=_WEIGHT_SOURCE,
        plausible=(0.0, 0.3),
    )
    incident_weight: float = param(
        0.1,
        "-",
        "Weight of the rate of collective incidents (群体性事件).",
        lo=0.0,
        hi=100.0,
        source=_WEIGHT_SOURCE,
        plausible=(0.0, 0.3),
    )
    rate_half: float = param(
        500.0,
        "petitions/10,000 villagers/year",
        "Petition rate at which its pressure is one half (r / (r + half): 0.04 at the "
        "background 20, 0.91 at 5,000).",
        lo=1e-6,
        hi=1e6,
        source="assumption: 5 % of villagers filing a year is half-way to unrest",
        plausible=(200.0, 1000.0),
    )
    collective_half: float = param(
        25.0,
        "petitions/10,000 villagers/year",
        "Collective-petition rate at which its pressure is one half.",
        lo=1e-6,
        hi=1e6,
        source="assumption: 50 times the background collective rate (0.5)",
        plausible=(10.0, 50.0),
    )
    aggrieved_half: float = param(
        0.05,
        "-",
        "Share of villagers above their threshold at which its pressure is one half.",
        lo=1e-6,
        hi=1.0,
        source="assumption: half-way between 2 and 10 % of villagers ready to petition",
        plausible=(0.02, 0.1),
    )
    beyond_half: float = param(
        5.0,
        "petitions/10,000 villagers/year",
        "Rate of petitions beyond the county at which its pressure is one half.",
        lo=1e-6,
        hi=1e6,
        source="assumption: about 400 a year in a county of 800,000",
        plausible=(1.0, 20.0),
    )
    incident_half: float = param(
        0.25,
        "incidents/10,000 villagers/year",
        "Rate of collective incidents at which its pressure is one half.",
        lo=1e-6,
        hi=1e6,
        source="assumption: about 20 a year in a county of 800,000",
        plausible=(0.05, 1.0),
    )

    def weights(self) -> tuple[float, ...]:
        """The seven weights in the order of :data:`STABILITY_PRESSURES`."""
        return tuple(getattr(self, f"{name}_weight") for name in STABILITY_PRESSURES)

    def check(self) -> tuple[str, str] | None:
        if sum(self.weights()) <= 0:
            return ("rate_weight", "the seven weights must not all be 0")
        return None
