"""Scenario sections of stability: ``grievance``, ``guarantees``, ``communication``,
``petitions``, ``stability``. Part of the schema (see :mod:`mergesim.config.schema`)."""

from __future__ import annotations

from dataclasses import dataclass

from mergesim.config.params import Section, param

# ---------------------------------------------------------------------------------------------
# Grievance, guarantees, communication and the petition loop (docs/domain.md §4)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrievanceParams(Section):
    """Villagers' grievance: reference-dependent hardship, memory, contagion, petition filing.

    Grievance (0–1) is an exponentially smoothed Epstein (2002) grievance ``H × (1 − L)``:
    hardship ``H`` from the access loss against the pre-reform reference (valued with Tversky &
    Kahneman's 1992 value function), lost rights and waiting on a petition; legitimacy ``L`` is
    the villager's trust. See :mod:`mergesim.mechanisms.grievance`.
    """

    memory_weeks: float = param(
        12.0,
        "weeks",
        "Memory of grievance: each week it moves 1/memory_weeks of the way to "
        "the current Epstein grievance H × (1 − trust) (so it decays with this time constant "
        "once the hardship is gone).",
        lo=1.0,
        hi=520.0,
        source="assumption: grievances over a reform fade over a season",
    )
    loss_aversion: float = param(
        2.25,
        "-",
        "λ: a loss weighs this many times an equal gain.",
        lo=1.0,
        hi=10.0,
        source="Tversky & Kahneman (1992): λ = 2.25",
    )
    gain_exponent: float = param(
        0.88,
        "-",
        "α: curvature of the value function for gains.",
        lo=0.1,
        hi=1.0,
        source="Tversky & Kahneman (1992): α = 0.88",
    )
    loss_exponent: float = param(
        0.88,
        "-",
        "β: curvature of the value function for losses.",
        lo=0.1,
        hi=1.0,
        source="Tversky & Kahneman (1992): β = 0.88",
    )
    access_scale_min: float = param(
        30.0,
        "min",
        "Extra round-trip minutes per affair that count as a unit loss (hardship "
        "λ before curvature).",
        lo=0.1,
        hi=1000.0,
        source="assumption: half an hour more per trip is a serious loss for a villager",
    )
    kind_weights: tuple[float, ...] = param(
        [3.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        "-",
        "Weight of each need kind (admin, "
        "health_routine, health_serious, school, elderly_care, police_legal, banking_telecom) "
        "in the access loss per affair, on top of its rate: administrative affairs are the ones "
        "the merger moves and villagers attribute to it.",
        lo=0.0,
        hi=100.0,
        source="assumption",
    )
    adaptation_weeks: float = param(
        0.0,
        "weeks",
        "Time constant of adaptation of the reference point to the new access "
        "(0 = the pre-reform reference never moves).",
        lo=0.0,
        hi=1040.0,
        source="assumption; reference adaptation after Kahneman & Tversky (1979)",
    )
    wait_hardship: float = param(
        0.2,
        "-",
        "Hardship a week of a villager waiting on an open petition (own or a "
        "collective one they joined).",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    overdue_hardship: float = param(
        0.4,
        "-",
        "Hardship a week instead of wait_hardship once the petition is past its "
        "statutory deadline.",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    resolved_relief: float = param(
        0.5,
        "-",
        "Share of the filer's grievance removed when a petition is resolved.",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    unresolved_jump: float = param(
        0.1,
        "-",
        "Grievance added when a petition closes unresolved.",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    trust_gain: float = param(
        0.05,
        "-",
        "Share of the gap to full trust closed by a resolved petition.",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    trust_loss: float = param(
        0.1,
        "-",
        "Share of trust lost when a petition closes unresolved.",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    contagion: float = param(
        0.1,
        "1/week",
        "Each week grievance moves this share of the way to the village's "
        "(influence-weighted) mean.",
        lo=0.0,
        hi=1.0,
        source="assumption; social influence toward the group mean (DeGroot 1974)",
    )
    key_person_influence: float = param(
        10.0,
        "-",
        "Weight of a key person in the village mean that others move toward.",
        lo=1.0,
        hi=1000.0,
        source="assumption",
    )
    file_prob: float = param(
        0.3,
        "1/week",
        "Weekly probability that a villager whose grievance exceeds their "
        "threshold files a petition (at most one open petition per villager).",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    cooldown_weeks: int = param(
        26,
        "weeks",
        "Weeks a villager does not file again after a petition that closed "
        "unresolved and was neither repeated nor escalated.",
        lo=0,
        hi=520,
        source="assumption",
    )
    collective_threshold_mean: float = param(
        0.1,
        "-",
        "Mean village threshold: a collective petition needs this share of the "
        "village above their own thresholds (heterogeneous, Beta across villages).",
        lo=0.001,
        hi=0.999,
        source="Granovetter (1978) threshold model; value an assumption",
    )
    collective_threshold_sd: float = param(
        0.05,
        "-",
        "Standard deviation of the village thresholds.",
        lo=0.0,
        hi=0.45,
    )
    collective_min_persons: int = param(
        5,
        "persons",
        "Aggrieved persons a collective petition needs (at full scale).",
        lo=1,
        hi=10_000,
        source="Regulations on Petition Work: visits by 5 or more persons "
        "are collective (多人走访应推选代表, 不超过5人)",
    )
    collective_file_prob: float = param(
        0.5,
        "1/week",
        "Weekly probability that a village over its threshold files a "
        "collective petition (at most one open per village).",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    background_rate: float = param(
        20.0,
        "petitions/10,000 villagers/year",
        "Individual petitions about matters "
        "unrelated to the reform (disputes, land, welfare), filed at random.",
        lo=0.0,
        hi=10_000.0,
        source="assumption: tens per 10,000 a year in rural counties",
    )
    background_collective_rate: float = param(
        0.5,
        "petitions/10,000 villagers/year",
        "Collective petitions unrelated to the reform.",
        lo=0.0,
        hi=1000.0,
        source="assumption",
    )

    def check(self) -> tuple[str, str] | None:
        if len(self.kind_weights) != 7:
            return ("kind_weights", f"value {list(self.kind_weights)!r} must have 7 numbers")
        if sum(self.kind_weights) <= 0:
            return ("kind_weights", "the weights must not all be 0")
        m, s = self.collective_threshold_mean, self.collective_threshold_sd
        if s * s >= m * (1 - m):
            return (
                "collective_threshold_sd",
                f"value {s:g} is too large for a Beta with mean "
                f"{m:g}; allowed: sd < {(m * (1 - m)) ** 0.5:.3f}",
            )
        return None


@dataclass(frozen=True)
class GuaranteeParams(Section):
    """The "five no's" and "five unchanged" (五个不 / 五个不变): switches and the loss of rights.

    Each guarantee holds by default (as in the seed county). A broken guarantee adds its loss
    (hardship a week, 0–1 scale) to the villagers it concerns, from the reform week on:
    "merged" = villages absorbed or absorbing in a merged village, "absorbed" = villages merged
    away, "abolished township" = villages of townships merged away; key persons stand for the
    cadres and their circles (see :func:`mergesim.mechanisms.grievance.hardship.rights_loss`).
    """

    staffing_kept: bool = param(
        True,
        "-",
        "五个不: township staffing not taken up.",
        source="report",
    )
    staffing_loss: float = param(
        0.05,
        "-",
        "Loss when broken, to villagers of abolished townships.",
        lo=0.0,
        hi=1.0,
    )
    transfers_kept: bool = param(
        True,
        "-",
        "五个不: fiscal transfers not reduced.",
        source="report",
    )
    transfers_loss: float = param(
        0.1,
        "-",
        "Loss when broken, to villagers of merged villages.",
        lo=0.0,
        hi=1.0,
    )
    infrastructure_kept: bool = param(
        True,
        "-",
        "五个不: infrastructure building not weakened.",
        source="report",
    )
    infrastructure_loss: float = param(
        0.1,
        "-",
        "Loss when broken, to villagers of absorbed villages or abolished townships.",
        lo=0.0,
        hi=1.0,
    )
    services_kept: bool = param(
        True,
        "-",
        "五个不: basic public services not lowered (the perceived promise; the "
        "service points themselves follow [services]).",
        source="report",
    )
    services_loss: float = param(
        0.15,
        "-",
        "Loss when broken, to villagers of abolished townships.",
        lo=0.0,
        hi=1.0,
    )
    cadres_placed: bool = param(
        True,
        "-",
        "五个不: no cadre left without a post.",
        source="report",
    )
    cadres_loss: float = param(
        0.3,
        "-",
        "Loss when broken, to key persons of merged villages (displaced cadres' circles).",
        lo=0.0,
        hi=1.0,
    )
    policies_kept: bool = param(
        True,
        "-",
        "五个不变: the policies villagers enjoy unchanged.",
        source="report",
    )
    policies_loss: float = param(
        0.2,
        "-",
        "Loss when broken, to villagers of merged villages.",
        lo=0.0,
        hi=1.0,
    )
    land_rights_kept: bool = param(
        True,
        "-",
        "五个不变: land, forest and resource rights unchanged.",
        source="report",
    )
    land_rights_loss: float = param(
        0.3,
        "-",
        "Loss when broken, to villagers of absorbed villages.",
        lo=0.0,
        hi=1.0,
    )
    collective_kept: bool = param(
        True,
        "-",
        "五个不变: collective economic interests unchanged.",
        source="report",
    )
    collective_loss: float = param(
        0.25,
        "-",
        "Loss when broken, to villagers of merged villages.",
        lo=0.0,
        hi=1.0,
    )
    poverty_support_kept: bool = param(
        True,
        "-",
        "五个不变: support for poor villages and households unchanged.",
        source="report",
    )
    poverty_support_loss: float = param(
        0.4,
        "-",
        "Loss when broken, to poor households of merged villages.",
        lo=0.0,
        hi=1.0,
    )
    poor_share: float = param(
        0.1,
        "-",
        "Share of households that are poor (registered for poverty relief).",
        lo=0.0,
        hi=1.0,
        source="assumption: a western county before 2020",
    )
    transition_pay_kept: bool = param(
        True,
        "-",
        "五个不变: departing cadres' transition pay unchanged.",
        source="report",
    )
    transition_pay_loss: float = param(
        0.3,
        "-",
        "Loss when broken, to key persons of merged villages.",
        lo=0.0,
        hi=1.0,
    )


@dataclass(frozen=True)
class CommunicationParams(Section):
    """Communication and the risk watch: talks, courtyard meetings, broadcasts (docs/domain.md §4).

    Effort is full from the reform week for ``campaign_weeks`` and ``routine_share`` of it
    otherwise (before the reform too). Each channel removes a share of the grievance of those it
    reaches. With ``targeting = "risk"`` the risk watch ranks townships, villages and key persons
    by their rise in grievance and meetings and talks go to the watched first.
    """

    enabled: bool = param(
        True,
        "-",
        "Communicate at all (false = no talks, meetings or broadcasts).",
        source="report: 加强宣传引导",
    )
    campaign_weeks: int = param(
        26,
        "weeks",
        "Weeks of full effort from the reform week.",
        lo=0,
        hi=1040,
        source="assumption: the transition period",
    )
    routine_share: float = param(
        0.2,
        "-",
        "Effort outside the campaign, as a share of full effort.",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    broadcast_reach: float = param(
        0.3,
        "-",
        "Share of villagers a week's broadcasts and new media reach (full effort).",
        lo=0.0,
        hi=1.0,
        source="assumption; report: 广播会、新媒体",
    )
    broadcast_effect: float = param(
        0.03,
        "-",
        "Share of grievance a broadcast removes from one reached.",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    meetings_per_week: float = param(
        40.0,
        "meetings/week",
        "Courtyard meetings a week county-wide, one village each (full effort).",
        lo=0.0,
        hi=10_000.0,
        source="assumption; report: 坝坝会",
    )
    meeting_turnout: float = param(
        0.4,
        "-",
        "Share of a village's villagers attending its meeting.",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    meeting_effect: float = param(
        0.2,
        "-",
        "Share of grievance a meeting removes from an attendee.",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    talks_per_week: float = param(
        100.0,
        "talks/week",
        "One-to-one talks with villagers a week county-wide (full effort, full-scale persons).",
        lo=0.0,
        hi=100_000.0,
        source="assumption; report: 一对一谈心谈话, 一把钥匙开一把锁",
    )
    talk_effect: float = param(
        0.5,
        "-",
        "Share of grievance a one-to-one talk removes.",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    targeting: str = param(
        "risk",
        "-",
        "Who meetings and talks reach: the risk watch first (risk) or at random (random).",
        choices=("risk", "random"),
        source="report: 紧盯重点镇、重点村、重点人",
    )
    watch_towns: int = param(
        5,
        "townships",
        "Key townships on the risk watch.",
        lo=0,
        hi=1000,
        source="report: 5 key towns",
    )
    watch_villages: int = param(
        34,
        "villages",
        "Key villages on the risk watch.",
        lo=0,
        hi=100_000,
        source="report: 34 key villages",
    )
    watch_persons: int = param(
        10,
        "persons",
        "Key persons on the risk watch (full scale).",
        lo=0,
        hi=100_000,
        source="report: 10 key persons",
    )
    watch_update_weeks: int = param(
        4,
        "weeks",
        "Weeks between updates of the watch lists.",
        lo=1,
        hi=520,
        source="assumption",
    )


@dataclass(frozen=True)
class PetitionParams(Section):
    """The six-step closed loop (六步闭合): stage queues, the statutory clock, outcomes.

    Stages, in order: accept and register, classify and transfer, quick verification, research
    and handle, track and supervise, close and cancel. Each stage of each township (and of the
    county petition bureau) is a first-come-first-served queue with ``c`` servers (cadres) and
    exponential service of mean ``service_days / competence``, followed by an exponential pure
    delay (waiting for replies and site visits, no cadre busy). See
    :mod:`mergesim.mechanisms.petitions`.
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
        "Competence of the county bureau's servers.",
        lo=0.01,
        hi=10.0,
        source="assumption",
    )
    accept_days: float = param(
        15.0,
        "days",
        "Deadline to decide on acceptance, from filing (end of classify and transfer).",
        lo=0.0,
        hi=365.0,
        source="Regulations on Petition Work (信访工作条例, 2022): 15 days",
    )
    conclude_days: float = param(
        60.0,
        "days",
        "Deadline to conclude, from acceptance (end of research and handle).",
        lo=0.0,
        hi=365.0,
        source="Regulations on Petition Work (2022): 60 days, extendable by 30",
    )
    extension_days: float = param(
        30.0,
        "days",
        "Extension of the conclusion deadline for complex cases.",
        lo=0.0,
        hi=365.0,
        source="Regulations on Petition Work (2022): 60 days, extendable by 30",
    )
    extension_prob: float = param(
        0.3,
        "-",
        "Share of accepted petitions approved as complex (deadline extended).",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    resolve_base: float = param(
        0.75,
        "-",
        "Probability a township resolves a petition when its handlers' competence is 1.",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    resolve_county: float = param(
        0.6,
        "-",
        "Probability the county bureau resolves an escalated petition (competence 1).",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    resolve_elasticity: float = param(
        1.0,
        "-",
        "Elasticity of the resolution probability to the handlers' competence.",
        lo=0.0,
        hi=10.0,
        source="assumption",
    )
    collective_resolve_factor: float = param(
        0.8,
        "-",
        "Factor on the resolution probability of a collective petition.",
        lo=0.0,
        hi=2.0,
        source="assumption",
    )
    repeat_prob: float = param(
        0.4,
        "-",
        "Probability an unresolved petition is filed again (same level).",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    escalate_prob: float = param(
        0.2,
        "-",
        "Probability an unresolved petition is escalated (township → county; "
        "county → beyond the county, leaving the model).",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    refile_days: float = param(
        14.0,
        "days",
        "Mean delay before a repeated or escalated petition is filed (exponential).",
        lo=0.0,
        hi=365.0,
        source="assumption",
    )

    def check(self) -> tuple[str, str] | None:
        for name in ("servers_township", "servers_county", "service_days", "delay_days"):
            v = getattr(self, name)
            if len(v) != 6:
                return (name, f"value {list(v)!r} must have 6 numbers (one per stage)")
        if self.repeat_prob + self.escalate_prob > 1.0:
            return (
                "escalate_prob",
                f"repeat_prob + escalate_prob = "
                f"{self.repeat_prob + self.escalate_prob:g} exceeds 1",
            )
        return None


@dataclass(frozen=True)
class StabilityParams(Section):
    """The composite stability index: weights of its five pressures and their reference levels.

    ``stability_index = 1 − Σ_j w_j x_j / Σ_j w_j`` with pressures ``x_j ∈ [0, 1]``: the petition
    rate and the collective-petition rate over their references (saturating at 1), the share
    of villagers above their threshold over its reference, the share not closed within the
    statutory 60 days, and the share escalated; a term without data (nothing closed in the
    window) is left out. See :func:`mergesim.mechanisms.petitions.metrics.stability_index`.

    The index is a summary for comparing scenarios, not a measured quantity: no source gives
    the weights, so they are assumptions, chosen so that a county at the background petition
    rates (``grievance.background_rate`` 20, ``background_collective_rate`` 0.5 per 10,000 a
    year) that closes promptly and escalates little scores about 0.9; a county with every
    pressure saturated scores 0.
    """

    rate_weight: float = param(
        0.25,
        "-",
        "Weight of the petition rate (all filings per 10,000 villagers a year).",
        lo=0.0,
        hi=100.0,
        source="assumption",
    )
    collective_weight: float = param(
        0.15,
        "-",
        "Weight of the collective-petition rate.",
        lo=0.0,
        hi=100.0,
        source="assumption",
    )
    aggrieved_weight: float = param(
        0.25,
        "-",
        "Weight of the share of villagers above their petition threshold.",
        lo=0.0,
        hi=100.0,
        source="assumption",
    )
    late_weight: float = param(
        0.2,
        "-",
        "Weight of the share of petitions not closed within conclude_days.",
        lo=0.0,
        hi=100.0,
        source="assumption",
    )
    escalation_weight: float = param(
        0.15,
        "-",
        "Weight of the share of closed petitions escalated.",
        lo=0.0,
        hi=100.0,
        source="assumption",
    )
    rate_ref: float = param(
        100.0,
        "petitions/10,000 villagers/year",
        "Petition rate at which its pressure saturates (x = 1).",
        lo=1e-6,
        hi=1e6,
        source="assumption: five times the background rate (grievance.background_rate = 20)",
    )
    collective_ref: float = param(
        5.0,
        "petitions/10,000 villagers/year",
        "Collective-petition rate at which its pressure saturates.",
        lo=1e-6,
        hi=1e6,
        source="assumption: ten times the background collective rate (0.5)",
    )
    aggrieved_ref: float = param(
        0.1,
        "-",
        "Share of villagers above their threshold at which its pressure saturates.",
        lo=1e-6,
        hi=1.0,
        source="assumption",
    )

    def weights(self) -> tuple[float, float, float, float, float]:
        """The five weights in the order of the pressures (rate, collective, aggrieved, late,
        escalation)."""
        return (
            self.rate_weight,
            self.collective_weight,
            self.aggrieved_weight,
            self.late_weight,
            self.escalation_weight,
        )

    def check(self) -> tuple[str, str] | None:
        if sum(self.weights()) <= 0:
            return ("rate_weight", "the five weights must not all be 0")
        return None
