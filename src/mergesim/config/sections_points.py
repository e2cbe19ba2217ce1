"""The ``services`` section: service points, the reform's service measures and how a visit
goes. Part of the schema (see :mod:`mergesim.config.schema`).

Switches first (docs/domain.md: what the county did with the merger and alongside it), then the
points' staffing, hours and capacity, the odds of a visit (official absent, documents missing,
referral), forwarding (agency, rooms, duty teams, township desks), the choice among points, the
staff rebalancing after closures, and the hooks of the guarantees.

Which measures belong to the merger and which accompany it: the convenience stations at the
abolished seats, the rooms of the merged villages, the duty teams of the merged-away villages,
the kept points and the staff transfers exist *because* units merge (they replace what the
merger removes); village agency service (全面推行村级民事代办制度), the "1 + 4 + N" health
network, the devolved county stations (属地管理) and the training programme are county-wide
companion measures that a county could adopt without merging
(``scenarios/seed_county_merger_only.toml`` switches them off).
"""

from __future__ import annotations

from dataclasses import dataclass

from mergesim.config.params import Section, param


@dataclass(frozen=True)
class ServiceParams(Section):
    """Service points: the reform's service measures (switches), staffing, hours, visits, choice.

    Defaults are the seed county's choices ("public services not lowered", docs/domain.md).
    """

    # -- the measures (switches) ---------------------------------------------------------------
    keep_abolished_points: bool = param(
        True,
        "-",
        "Keep the health, school, elderly-care, police, bank and telecom points of "
        "abolished townships (else they close and their staff move to the merged seat).",
        source="report: 点位不变、数量不少、能力不减",
    )
    seat_stations: bool = param(
        True,
        "-",
        "Convert an abolished township's service centre into a convenience service "
        "station (else it closes).",
        source="report: 30 stations kept",
    )
    village_rooms: bool = param(
        True,
        "-",
        "A convenience service room at the seat of each merged village (else the merged "
        "village keeps an ordinary village office): longer hours, more staff, forwards and "
        "advises.",
        source="report: 383 rooms headed by the temporary party secretary",
    )
    agency_service: bool = param(
        True,
        "-",
        "Village agency service (村级民事代办) from the reform on: an agent collects the papers "
        "of affairs that need no personal appearance and carries them to the township.",
        source="report: 全面推行村级民事代办制度 (a companion measure)",
    )
    transition_duty: bool = param(
        True,
        "-",
        "A duty team in each merged-away village for duty_weeks after the reform: receives, "
        "handles village matters, forwards and advises.",
        source="report: duty in all 549 merged-away villages",
    )
    duty_weeks: int = param(
        26,
        "weeks",
        "Weeks the transition duty teams stay, from the reform week.",
        lo=0,
        hi=1040,
        source="assumption: the transition period",
    )
    devolved_stations: bool = param(
        True,
        "-",
        "From the reform on, the county departments' stations in the townships are under "
        "township management (属地管理): the devolvable share of county-level matters "
        "(needs.affairs.<type>.devolvable) is finished at the township.",
        source="report: 67 county departments' stations handed to the townships (a companion "
        "measure)",
    )
    health_network: bool = param(
        True,
        "-",
        "Reorganise health as '1 + 4 + N' from the reform on: upgrade township health centres "
        "to regional medical centres for serious care (a companion measure).",
        source="report",
    )
    regional_centres: int = param(
        4,
        "centres",
        "Regional medical centres of the '1 + 4 + N' network.",
        lo=0,
        hi=100,
        source="report: 1 + 4 + N",
    )
    transfer_staff: bool = param(
        True,
        "-",
        "Staff of a closed or converted point move to the merged unit's point of the "
        "same kind (else the county takes the posts back); guarantees.staffing_kept = false "
        "has the same effect.",
        source="report: 乡镇编制不上收 (township staffing not taken up)",
    )
    rebalance_staff: bool = param(
        True,
        "-",
        "After the reform, staff of county-run points (health, schools, elderly care, police, "
        "courts, banks, telecom) and of each township's service centre and stations move "
        "toward the demand each point meets, at rebalance_rate (false: staff stay put).",
        source="assumption: county bureaus reassign staff when a point is overloaded",
    )
    rebalance_rate: float = param(
        0.1,
        "1/week",
        "Share of each point's staffing gap (target − staff, target = headroom × observed "
        "demand / throughput) closed a week by moving staff within the county system.",
        lo=0.0,
        hi=1.0,
        plausible=(0.03, 0.3),
        source="assumption: three quarters of a gap closed in a quarter (1 − 0.25^(1/13) ≈ 0.10)",
    )
    # -- scope ---------------------------------------------------------------------------------
    station_share: float = param(
        0.8,
        "-",
        "Share of township-level matters a convenience station finishes itself (most of the "
        "old centre's windows stay); it forwards the rest to the centre, or refers the "
        "villager there when the matter needs a personal appearance.",
        lo=0.0,
        hi=1.0,
        plausible=(0.5, 1.0),
        source="assumption (value and plausible range: judgement, no source found)",
    )
    # -- staffing and capacity -----------------------------------------------------------------
    headroom: float = param(
        1.25,
        "-",
        "Capacity of pre-reform points over their expected weekly demand (points are "
        "staffed for the old units), and the target of the staff rebalancing.",
        lo=0.1,
        hi=10.0,
        plausible=(1.0, 1.6),
        source="assumption; plausible range (assumption): points from just enough capacity for the"
        " expected demand to 60 % spare",
    )
    admin_per_staff_week: float = param(
        40.0,
        "affairs/staff/week",
        "Administrative affairs one staff member handles in a five-day week.",
        lo=0.1,
        hi=1000.0,
        plausible=(20.0, 80.0),
        source="assumption: about 8 a working day (range: judgement)",
    )
    agency_per_agent_week: float = param(
        20.0,
        "affairs/agent/week",
        "Affairs one agency cadre (代办员) collects and carries a week.",
        lo=0.1,
        hi=1000.0,
        plausible=(8.0, 40.0),
        source="assumption; a Sichuan village agent handled 200 matters in half a year "
        "(Sichuan Daily, 2021-08-03), about 8 a week, as a side job",
    )
    health_per_staff_week: float = param(
        25.0,
        "visits/staff/week",
        "Patients one health worker sees a week (trips needing a "
        "township health centre or higher).",
        lo=0.1,
        hi=1000.0,
        source="assumption"
        "; plausible range (assumption): outpatient visits per township health worker a week "
        "(China Health Statistics Yearbook: a township health centre doctor sees on the order of "
        "10 visits a day; nurses and other staff share the load)",
        plausible=(15.0, 40.0),
    )
    other_per_staff_week: float = param(
        40.0,
        "affairs/staff/week",
        "Affairs one staff member of any other point handles a week.",
        lo=0.1,
        hi=1000.0,
        source="assumption",
    )
    station_staff: float = param(
        3.0,
        "staff",
        "Staff kept at a convenience station (the rest of the old centre's move).",
        lo=0.0,
        hi=100.0,
        source="assumption",
    )
    room_staff: float = param(
        2.0,
        "staff",
        "Staff of a village convenience room.",
        lo=0.0,
        hi=100.0,
        source="report: the temporary party secretary heads it; assumption: one helper",
    )
    office_staff: float = param(
        1.0,
        "staff",
        "Staff of an ordinary village office.",
        lo=0.0,
        hi=100.0,
    )
    agency_staff: float = param(
        1.0,
        "staff",
        "Agency cadres per merged village.",
        lo=0.0,
        hi=100.0,
        source="assumption; the report's counties name one agent (代办员) per village",
    )
    duty_staff: float = param(
        1.0,
        "staff",
        "Duty team members on duty at a time in a merged-away village.",
        lo=0.0,
        hi=100.0,
        source="report: 专干轮流值班 (rotating duty)",
    )
    # -- hours ---------------------------------------------------------------------------------
    office_days: float = param(
        2.0,
        "days/week",
        "Days a week an ordinary village office receives villagers (part-time cadres); its "
        "capacity and the wait for an open day follow.",
        lo=0.5,
        hi=7.0,
        plausible=(1.0, 5.0),
        source="assumption: fixed office days of part-time village cadres",
    )
    room_days: float = param(
        5.0,
        "days/week",
        "Days a week a convenience room receives villagers.",
        lo=0.5,
        hi=7.0,
        plausible=(3.0, 6.0),
        source="assumption: staffed every working day (坐班)",
    )
    duty_days: float = param(
        3.0,
        "days/week",
        "Days a week a transition duty team is on duty in a merged-away village.",
        lo=0.5,
        hi=7.0,
        plausible=(1.0, 5.0),
        source="assumption: rotating duty (轮流值班); range: judgement",
    )
    # -- the odds of a visit -------------------------------------------------------------------
    absent_office: float = param(
        0.2,
        "-",
        "Probability that the cadre of an ordinary village office is away on an office day, "
        "at its usual staffing (fewer staff: higher, see absent_centre).",
        lo=0.0,
        hi=0.95,
        plausible=(0.05, 0.4),
        source="assumption: part-time cadres (farming, migrant work)",
    )
    absent_room: float = param(
        0.1,
        "-",
        "Probability that nobody who can handle the matter is at a convenience room, at its "
        "usual staffing.",
        lo=0.0,
        hi=0.95,
        plausible=(0.02, 0.3),
        source="assumption (value and plausible range: judgement, no source found)",
    )
    absent_duty: float = param(
        0.1,
        "-",
        "Probability that the duty team member is away on a duty day, at its usual staffing.",
        lo=0.0,
        hi=0.95,
        plausible=(0.02, 0.3),
        source="assumption (value and plausible range: judgement, no source found)",
    )
    absent_agency: float = param(
        0.05,
        "-",
        "Probability that the agency cadre cannot be found when a villager hands papers over.",
        lo=0.0,
        hi=0.95,
        plausible=(0.0, 0.2),
        source="assumption: the agent comes to the villager's group",
    )
    absent_station: float = param(
        0.1,
        "-",
        "Probability that the desk official a matter needs is away at a convenience station, "
        "at its usual staffing.",
        lo=0.0,
        hi=0.95,
        plausible=(0.02, 0.3),
        source="assumption (value and plausible range: judgement, no source found)",
    )
    absent_centre: float = param(
        0.08,
        "-",
        "Probability that the desk official a matter needs is away at a township service centre "
        "at its usual staffing q; with s staff against the usual s0 a point's probability is "
        "q^(s/s0) (every kind of point), so a point that lost staff is more often unattended.",
        lo=0.0,
        hi=0.95,
        plausible=(0.02, 0.3),
        source="assumption; unannounced visits to township halls found windows unattended "
        "(Dahe Daily, Henan, 2016-12)",
    )
    absent_county: float = param(
        0.05,
        "-",
        "Probability that the responsible official is away at the county department.",
        lo=0.0,
        hi=0.95,
        plausible=(0.0, 0.2),
        source="assumption (value and plausible range: judgement, no source found)",
    )
    know_level: float = param(
        0.7,
        "-",
        "Share of villagers who know at first which level can finish their matter; the others "
        "pick among the points near them and may be referred up (a failed trip).",
        lo=0.0,
        hi=1.0,
        plausible=(0.4, 0.9),
        source="assumption; 'the first time I went to the township I did not know which office "
        "to ask' (Dahe Daily, Henan, 2016-12)",
    )
    docs_retry_factor: float = param(
        0.3,
        "-",
        "Multiplier of the missing-documents probability on each later try (the villager was "
        "told what is missing).",
        lo=0.0,
        hi=1.0,
        plausible=(0.1, 0.6),
        source="assumption (value and plausible range: judgement, no source found)",
    )
    advice_factor: float = param(
        0.5,
        "-",
        "Multiplier of the missing-documents probability after advice at a room, duty team or "
        "township desk, and for papers checked by the agent or room that carries them.",
        lo=0.0,
        hi=1.0,
        plausible=(0.2, 0.8),
        source="assumption (value and plausible range: judgement, no source found)",
    )
    # -- forwarding ----------------------------------------------------------------------------
    carry_interval_days: float = param(
        3.5,
        "days",
        "Days between an agent's (or room's, duty team's) trips to the township: papers wait "
        "for the next trip there and the result for the next trip back (mean turnaround = one "
        "interval plus the processing).",
        lo=0.5,
        hi=30.0,
        plausible=(2.0, 7.0),
        source="village service-room rules: applications taken to the township within three "
        "working days, never more than a week (便民服务站工作制度)",
    )
    forward_days: float = param(
        5.0,
        "days",
        "Days a township desk adds when it forwards a matter (to the county, or a station to "
        "its centre) instead of finishing it.",
        lo=0.0,
        hi=60.0,
        plausible=(2.0, 15.0),
        source="assumption (value and plausible range: judgement, no source found)",
    )
    # -- choosing a point ----------------------------------------------------------------------
    choice_beta_minutes: float = param(
        0.1,
        "1/min",
        "Weight of one-way travel minutes (own mode) in the multinomial-logit choice among the "
        "points able to take the affair: U = −β_min × minutes − β_days × expected days.",
        lo=0.0,
        hi=10.0,
        plausible=(0.03, 0.3),
        source="assumption; travel time weighs heavily in rural Chinese facility choice "
        "(discrete-choice experiment, Liu et al., Erasmus Univ. repository 117986, 2019)",
    )
    choice_beta_days: float = param(
        0.3,
        "1/day",
        "Weight of the expected days to done (queue, hours, turnaround, processing) in the "
        "choice; β_days / β_min is the minutes a villager would travel to save a day.",
        lo=0.0,
        hi=10.0,
        plausible=(0.05, 1.0),
        source="assumption: a day saved is worth about 3 one-way minutes",
    )
    choice_candidates: int = param(
        3,
        "points",
        "Nearest open points of the right kind a villager chooses among for a non-"
        "administrative need (administrative affairs: the points of their own units).",
        lo=1,
        hi=10,
        plausible=(2.0, 5.0),
        source="assumption (value and plausible range: judgement, no source found)",
    )
    # -- guarantees, where they act on services ------------------------------------------------
    transfers_cut_share: float = param(
        0.3,
        "-",
        "Share of capacity the village-level points (rooms, offices, agency, duty teams) lose "
        "when fiscal transfers are cut (guarantees.transfers_kept = false): village funds pay "
        "them.",
        lo=0.0,
        hi=1.0,
        plausible=(0.1, 0.6),
        source="assumption (value and plausible range: judgement, no source found)",
    )
    not_lowered_tolerance: float = param(
        0.05,
        "-",
        "Relative fall of a kind's county-wide capacity tolerated before 'public services not "
        "lowered' counts as broken in fact.",
        lo=0.0,
        hi=0.5,
        plausible=(0.0, 0.1),
        source="assumption (value and plausible range: judgement, no source found)",
    )
