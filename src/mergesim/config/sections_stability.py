"""Scenario sections of stability: ``guarantees`` and ``communication`` (``grievance`` and
``conflict``: :mod:`mergesim.config.sections_grievance`; ``petitions`` and ``stability``:
:mod:`mergesim.config.sections_petitions`). Part of the schema (see
:mod:`mergesim.config.schema`)."""

from __future__ import annotations

from dataclasses import dataclass

from mergesim.config.params import Section, param

# ---------------------------------------------------------------------------------------------
# Guarantees and communication (docs/domain.md §4)
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
