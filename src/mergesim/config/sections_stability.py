"""Scenario sections of stability: ``grievance``, ``guarantees``, ``communication`` (the
petition loop and the stability index: :mod:`mergesim.config.sections_petitions`). Part of the
schema (see :mod:`mergesim.config.schema`)."""

from __future__ import annotations

from dataclasses import dataclass

from mergesim.config.params import Section, param

# ---------------------------------------------------------------------------------------------
# Grievance, guarantees, communication and the petition loop (DOMAIN.md §4)
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
    """Communication and the risk watch: talks, courtyard meetings, broadcasts (DOMAIN.md §4).

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
