"""Scenario sections of stability: ``guarantees``, ``communication``, ``petitions``,
``stability`` (``grievance`` and ``conflict``: :mod:`mergesim.config.sections_grievance`). Part
of the schema (see :mod:`mergesim.config.schema`)."""

from __future__ import annotations

from dataclasses import dataclass

from mergesim.config.params import Section, param

# ---------------------------------------------------------------------------------------------
# Guarantees, communication and the petition loop (docs/domain.md §4)
# ---------------------------------------------------------------------------------------------

PERCEIVED = (
    "assumption: a broken public promise costs some trust beyond its material effect "
    "(which the mechanics carry); small against the material channels"
)


@dataclass(frozen=True)
class GuaranteeParams(Section):
    """The "five no's" and "five unchanged" (五个不 / 五个不变): switches and perceived losses.

    Each guarantee holds by default (as in the seed county). A broken guarantee acts through
    the mechanism that owns what it protects (see ``docs/architecture.md``): staffing and
    transfers through the service points' capacity, "services not lowered" through the points
    (and is broken in fact whenever the services mechanism finds it so, whatever the switch),
    cadres' placement and transition pay through the cadre pool and the displaced cadres'
    own grievance, and collective interests, land rights, policies, poverty support and
    infrastructure through the ``[conflict]`` channels. On top, each broken promise adds a
    small **perceived** loss (hardship a week, 0–1 scale) to the villagers it concerns:
    "merged" = villages absorbed or absorbing in a merged village, "absorbed" = villages merged
    away, "abolished township" = villages of townships merged away, "key persons" = opinion
    leaders of merged villages (see
    :func:`mergesim.mechanisms.grievance.hardship.perceived_loss`). With every ``*_loss`` at 0
    only the mechanics act.
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
        "Perceived loss when broken (the broken promise itself, beyond its mechanics), "
        "to villagers of abolished townships.",
        lo=0.0,
        hi=1.0,
        plausible=(0.0, 0.2),
        source=PERCEIVED,
    )
    transfers_kept: bool = param(
        True,
        "-",
        "五个不: fiscal transfers not reduced.",
        source="report",
    )
    transfers_loss: float = param(
        0.05,
        "-",
        "Perceived loss when broken (the broken promise itself, beyond its mechanics), "
        "to villagers of merged villages.",
        lo=0.0,
        hi=1.0,
        plausible=(0.0, 0.2),
        source=PERCEIVED,
    )
    infrastructure_kept: bool = param(
        True,
        "-",
        "五个不: infrastructure building not weakened.",
        source="report",
    )
    infrastructure_loss: float = param(
        0.05,
        "-",
        "Perceived loss when broken (the broken promise itself, beyond its mechanics), "
        "to villagers of absorbed villages or abolished townships.",
        lo=0.0,
        hi=1.0,
        plausible=(0.0, 0.2),
        source=PERCEIVED,
    )
    services_kept: bool = param(
        True,
        "-",
        "五个不: basic public services not lowered (the switch; the guarantee also counts as "
        "broken whenever the services mechanism finds a point closed or a capacity lowered).",
        source="report",
    )
    services_loss: float = param(
        0.05,
        "-",
        "Perceived loss when broken (the broken promise itself, beyond its mechanics), "
        "to villagers of abolished townships.",
        lo=0.0,
        hi=1.0,
        plausible=(0.0, 0.2),
        source=PERCEIVED,
    )
    cadres_placed: bool = param(
        True,
        "-",
        "五个不: no cadre left without a post.",
        source="report",
    )
    cadres_loss: float = param(
        0.05,
        "-",
        "Perceived loss when broken (the broken promise itself, beyond its mechanics), "
        "to key persons of merged villages (displaced cadres' circles).",
        lo=0.0,
        hi=1.0,
        plausible=(0.0, 0.2),
        source=PERCEIVED,
    )
    policies_kept: bool = param(
        True,
        "-",
        "五个不变: the policies villagers enjoy unchanged.",
        source="report",
    )
    policies_loss: float = param(
        0.05,
        "-",
        "Perceived loss when broken (the broken promise itself, beyond its mechanics), "
        "to villagers of merged villages.",
        lo=0.0,
        hi=1.0,
        plausible=(0.0, 0.2),
        source=PERCEIVED,
    )
    land_rights_kept: bool = param(
        True,
        "-",
        "五个不变: land, forest and resource rights unchanged.",
        source="report",
    )
    land_rights_loss: float = param(
        0.05,
        "-",
        "Perceived loss when broken (the broken promise itself, beyond its mechanics), "
        "to villagers of absorbed villages.",
        lo=0.0,
        hi=1.0,
        plausible=(0.0, 0.2),
        source=PERCEIVED,
    )
    collective_kept: bool = param(
        True,
        "-",
        "五个不变: collective economic interests unchanged.",
        source="report",
    )
    collective_loss: float = param(
        0.05,
        "-",
        "Perceived loss when broken (the broken promise itself, beyond its mechanics), "
        "to villagers of merged villages.",
        lo=0.0,
        hi=1.0,
        plausible=(0.0, 0.2),
        source=PERCEIVED,
    )
    poverty_support_kept: bool = param(
        True,
        "-",
        "五个不变: support for poor villages and households unchanged.",
        source="report",
    )
    poverty_support_loss: float = param(
        0.05,
        "-",
        "Perceived loss when broken (the broken promise itself, beyond its mechanics), "
        "to poor households of merged villages.",
        lo=0.0,
        hi=1.0,
        plausible=(0.0, 0.2),
        source=PERCEIVED,
    )
    poor_share: float = param(
        0.1,
        "-",
        "Share of households that are poor (registered for poverty relief), county-wide; "
        "villages differ (conflict.poor_village_sd).",
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
        0.05,
        "-",
        "Perceived loss when broken (the broken promise itself, beyond its mechanics), "
        "to key persons of merged villages.",
        lo=0.0,
        hi=1.0,
        plausible=(0.0, 0.2),
        source=PERCEIVED,
    )


@dataclass(frozen=True)
class CommunicationParams(Section):
    """Communication and the risk watch: talks, courtyard meetings, broadcasts (docs/domain.md §4).

    Effort is full from the reform week for ``campaign_weeks`` and ``routine_share`` of it
    otherwise (before the reform too). Each channel removes a share of the grievance of those it
    reaches. With ``targeting = "risk"`` the risk watch ranks townships and villages by their
    rise in grievance plus ``ex_ante_weight`` × their ex-ante risk (the standing hardship the
    plan gives them at the reform: asymmetric and large mergers, lost voice and seats,
    displaced cadres), and persons with displaced cadres first; with ``"rise"`` by the rise
    alone; meetings and talks go to the watched first.
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
        "Who meetings and talks reach: the risk watch first, ranked by ex-ante risk and the "
        "rise in grievance (risk) or by the rise alone (rise), or at random (random).",
        choices=("risk", "rise", "random"),
        source="report: 紧盯重点镇、重点村、重点人",
    )
    ex_ante_weight: float = param(
        1.0,
        "-",
        "Weight of a unit's ex-ante risk (mean standing hardship × (1 − trust) at the reform, "
        "grievance units) beside its rise in grievance in the risk watch's ranking.",
        lo=0.0,
        hi=100.0,
        plausible=(0.5, 3.0),
        source="assumption: the county knows from the plan which mergers are risky before "
        "complaints rise; equal weight to foresight and to the rise",
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
