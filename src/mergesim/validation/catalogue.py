"""The catalogue of the report's measures and figures (data of :mod:`.figures`).

Each :class:`Figure` names a measure or a figure of the seed county's report, the model element
that implements it, its scenario keys and its role (see :mod:`mergesim.validation.figures`).
"""

from __future__ import annotations

from dataclasses import dataclass

INPUT, CALIBRATION, VALIDATION, OUTPUT, NOT_MODELLED = (
    "input",
    "calibration",
    "validation",
    "output",
    "not modelled",
)
ROLES = (INPUT, CALIBRATION, VALIDATION, OUTPUT, NOT_MODELLED)

#: Section titles of docs/domain.md (the numbering the code's docstrings cite).
SECTIONS = {
    1: "Three levels and the headline (镇村组三级联动, 双倍增)",
    2: "Where to merge and where not to (聚集中心)",
    3: "Cadres: selection and redeployment (聚拢人才)",
    4: "Stability: guarantees, communication, petitions (聚力稳控)",
    5: "Services (聚合人心)",
}


@dataclass(frozen=True)
class Figure:
    """A measure or figure of the report.

    Attributes:
        id: Short key (cited by the suite's rows).
        section: Section of docs/domain.md (1–5).
        text: What the report says (English, with the Chinese term).
        value: The report's figure ("—" for a measure; "masked" where the report hides it).
        role: One of :data:`ROLES`.
        element: Where it lives in the model (module or class, relative to ``src/mergesim``).
        keys: Scenario keys: the input, the fitted knobs (calibration) or the drivers.
        note: A caveat, or why it is not modelled.
    """

    id: str
    section: int
    text: str
    value: str
    role: str
    element: str
    keys: tuple[str, ...] = ()
    note: str = ""


_CADRE_AGE_KNOBS = (
    "cadres.leader_max_age",
    "cadres.young_leaders",
    "cadres.leader_youth_weight",
    "cadres.leader_incumbent_bonus",
)

FIGURES: tuple[Figure, ...] = (
    # -- §1 -----------------------------------------------------------------------------------
    Figure(
        "three_levels",
        1,
        "Township (乡镇) – administrative village (建制村) – villager group (村民小组) reformed "
        "together; leaders re-appointed at all three levels (镇村组三级联动)",
        "—",
        INPUT,
        "`County` (`township`, `groups`); `mechanisms/cadres/selection.py`",
        (
            "county.townships",
            "county.villages",
            "county.group_households",
            "cadres.group_merge_factor",
        ),
        "unit counts before the reform are masked in the report: 60 townships and 1,050 villages "
        "are assumptions consistent with its figures (549 + 383 + ~118 kept)",
    ),
    Figure(
        "double_doubling",
        1,
        "Mean population and mean area of townships and villages doubled (双倍增)",
        "×2",
        INPUT,
        "`plans/policy.py`, `PlanParams.target_factor`",
        ("plan.target_factor",),
        "totals are conserved, so the plan merges down to round(units ÷ 2); the ratios are "
        "2 by construction (checked under verification)",
    ),
    Figure(
        "townships_abolished",
        1,
        "Townships abolished (减少乡镇*个); 30 convenience stations kept at abolished seats "
        "imply 30",
        "≈ 30",
        VALIDATION,
        "`plans/policy.py`",
        ("county.townships", "plan.target_factor"),
        "fixed by the inputs: 60 ÷ 2",
    ),
    Figure(
        "villages_merged_away",
        1,
        "Villages merged away (被撤并的村)",
        "549",
        VALIDATION,
        "`plans/policy.py`, `plans/checks.py` (`summarize`)",
        ("county.villages", "plan.target_factor"),
        "fixed by the inputs: 1,050 − round(1,050 ÷ 2); a check that the inputs agree with "
        "the report, not a test of a mechanism",
    ),
    Figure(
        "merged_villages",
        1,
        "Merged villages formed (合并后的村)",
        "383",
        CALIBRATION,
        "`plans/policy.py` (merge cost)",
        ("plan.size_exponent", "plan.gradient_strength"),
        "how the merging spreads over villages (band 345–420)",
    ),
    # -- §2 -----------------------------------------------------------------------------------
    Figure(
        "low_density",
        2,
        "Low density (few, large units) around the county seat, trunk corridors, plains and "
        "market towns; grow the county town, central towns and villages (低密度布局)",
        "—",
        INPUT,
        "`plans/policy.py` (merge propensity × size cost), `checks.check_plan` (gradient)",
        ("plan.seat_pull", "plan.corridor_pull", "plan.terrain_pull", "county.corridors"),
    ),
    Figure(
        "hierarchy",
        2,
        "Post-reform hierarchy: urban, sub-centre, central, key and characteristic towns; "
        "central, key and characteristic villages (counts masked)",
        "masked",
        NOT_MODELLED,
        "`county/county.py` (`TownshipClass`)",
        ("county.central_townships",),
        "the model has county-seat, central, ordinary, border and heritage townships, not the "
        "report's post-reform labels",
    ),
    Figure(
        "border_townships",
        2,
        "Border townships kept whole (成建制保留沿边乡镇)",
        "8",
        INPUT,
        "`county/synthetic.py` (`_classify`), `plans/policy.py`",
        ("border.townships", "border.center_deg", "plan.keep_border_townships"),
    ),
    Figure(
        "border_villages",
        2,
        "Border villages kept (三边村: on the county, city and province edge)",
        "72",
        INPUT,
        "`county/synthetic.py` (`_classify`), `plans/policy.py`",
        ("border.villages", "plan.keep_border_villages"),
    ),
    Figure(
        "heritage",
        2,
        "Towns and villages of special history or culture kept (*江镇, *乡, 南池村, 云台村 …)",
        "2 + 2 named",
        INPUT,
        "`county/synthetic.py` (`_classify`), `plans/policy.py`",
        ("heritage.townships", "heritage.villages", "plan.keep_heritage"),
        "the seed county keeps 2 townships and 4 villages (the named ones and 等一批)",
    ),
    Figure(
        "naming",
        2,
        "A merged unit takes the name of one of its members (no new names)",
        "—",
        INPUT,
        "`plans/plan.py` (`village_seats`, `township_seats`)",
        (),
        "the name of the seat",
    ),
    # -- §3 -----------------------------------------------------------------------------------
    Figure(
        "assessment",
        3,
        "Leaders ranked by three coordinates: evaluation, appraisal, track record "
        "(研判评议、考核评价、实绩评比)",
        "—",
        INPUT,
        "`mechanisms/cadres/selection.py` (`assessment`, `select_and_place`)",
        ("cadres.assessment_weights", "cadres.assess_noise", "cadres.track_noise"),
    ),
    Figure(
        "ten_unsuitables",
        3,
        "Hard disqualifiers (十不宜: discipline, criminal record, gang links, gambling/drugs …); "
        "three joint qualification reviews",
        "—",
        INPUT,
        "`mechanisms/cadres/selection.py` (screening), `mechanisms/cadres/synthesis.py`",
        ("cadres.screen", "cadres.rate_criminal", "cadres.rate_gang", "cadres.rate_discipline"),
    ),
    Figure(
        "township_cadre_age",
        3,
        "Township cadres' (乡镇干部: leaders and staff) mean age fell",
        "−2 years",
        CALIBRATION,
        "`mechanisms/cadres/selection.py`; `validation/cadre_bands.py`",
        _CADRE_AGE_KNOBS,
        "not reached: township staff are kept as they were (incumbents first), so no value "
        "of the leader knobs brings all township cadres to −2 years",
    ),
    Figure(
        "bachelor_share",
        3,
        "Share of township cadres with a bachelor's degree rose (本科学历占比提升至*%)",
        "rose (value masked)",
        VALIDATION,
        "`mechanisms/cadres/metrics.py` (`education_shares`)",
        ("cadres.leader_edu_weight", "cadres.cand_edu_shift", "cadres.edu_age_slope"),
        "direction only",
    ),
    Figure(
        "teams_full",
        3,
        "Township leadership teams fully staffed (乡镇班子齐装满员)",
        "all posts filled",
        VALIDATION,
        "`mechanisms/cadres/selection.py`",
        ("cadres.township_leaders_merged", "cadres.township_recruits", "cadres.leader_max_age"),
    ),
    Figure(
        "secretary_age",
        3,
        "Temporary village party secretaries' mean age fell (临时党组织书记平均年龄下降*岁)",
        "fell (value masked)",
        VALIDATION,
        "`mechanisms/cadres/selection.py`",
        ("cadres.secretary_youth_weight", "cadres.secretary_max_age", "cadres.cand_age_mean"),
        "direction only",
    ),
    Figure(
        "secretary_education",
        3,
        "Every temporary secretary has high school or more (学历在高中及以上)",
        "100 %",
        INPUT,
        "`mechanisms/cadres/selection.py` (education floor, send-down)",
        ("cadres.secretary_min_education", "cadres.send_down"),
        "a rule; the verification row shows where the floor had to be waived",
    ),
    Figure(
        "one_shoulder",
        3,
        "Every temporary secretary also heads the village committee (全部实现一肩挑)",
        "100 %",
        INPUT,
        "`mechanisms/cadres/selection.py`",
        ("cadres.one_shoulder",),
    ),
    Figure(
        "secretary_veteran_graduate",
        3,
        "Returned veterans and returning graduates among temporary secretaries "
        "(退役军人和返乡大学生39人)",
        "39, 10.2 %",
        CALIBRATION,
        "`mechanisms/cadres/synthesis.py`, `selection.py`",
        (
            "cadres.secretary_pool",
            "cadres.cand_competence_shift",
            "cadres.secretary_origin_bonus",
            "cadres.origin_village",
        ),
        "39 ÷ 10.2 % ≈ 382 temporary secretaries, one per merged village (383)",
    ),
    Figure(
        "secretary_other_origins",
        3,
        "Returning migrant workers (返乡优秀农民工) and rich-village leaders (致富带头人) among "
        "temporary secretaries",
        "masked",
        OUTPUT,
        "`mechanisms/cadres/metrics.py` (`secretary_origin_share`)",
        ("cadres.secretary_pool",),
        "the model has no 'rich-village leader' origin",
    ),
    Figure(
        "group_former_cadre",
        3,
        "New villager-group leaders who are former village cadres (正常离任的村常职干部)",
        "16.5 %",
        CALIBRATION,
        "`mechanisms/cadres/selection.py` (group leaders)",
        ("cadres.group_leader_willing", "cadres.group_origin_bonus"),
    ),
    Figure(
        "group_migrant",
        3,
        "New villager-group leaders who are returning migrant workers (优秀返乡农民工)",
        "14 %",
        CALIBRATION,
        "`mechanisms/cadres/selection.py` (group leaders)",
        ("cadres.group_pool", "cadres.group_origin_bonus"),
    ),
    Figure(
        "group_party_reserve",
        3,
        "New villager-group leaders who are party members or reserve cadres "
        "(优秀党员和村级后备干部)",
        "34.8 %",
        CALIBRATION,
        "`mechanisms/cadres/selection.py` (group leaders)",
        ("cadres.group_pool", "cadres.group_origin_bonus"),
    ),
    Figure(
        "five_batches",
        3,
        "Displaced township cadres placed in five ways (五个一批): moved up, rank on the spot, "
        "transfer, transitional post, retirement",
        "counts masked",
        OUTPUT,
        "`mechanisms/cadres/selection.py`, `mechanisms/cadres/metrics.py` (channels)",
        (
            "cadres.up_county_per_abolished",
            "cadres.rank_on_spot_per_township",
            "cadres.transfer_per_abolished",
            "cadres.township_retire_age",
        ),
    ),
    Figure(
        "four_batches",
        3,
        "Displaced village cadres placed in four ways (四个一批): group leader, transitional "
        "specialist, business start-up, departure",
        "counts masked",
        OUTPUT,
        "`mechanisms/cadres/selection.py`, `mechanisms/cadres/metrics.py` (channels)",
        (
            "cadres.group_leader_willing",
            "cadres.specialists_per_village",
            "cadres.business_propensity",
        ),
    ),
    Figure(
        "pay_kept",
        3,
        "Departing group leaders and village cadres keep their pay until the next election "
        "(待遇保留至村两委换届)",
        "—",
        INPUT,
        "`mechanisms/cadres/mechanism.py` (`end_transition`)",
        ("cadres.election_weeks", "guarantees.transition_pay_kept"),
    ),
    Figure(
        "training",
        3,
        "Training of cadres after the reform (培训党员干部1100余人次)",
        "1,100 person-times",
        INPUT,
        "`mechanisms/cadres/mechanism.py` (`train`)",
        ("cadres.training_person_times", "cadres.training_weeks"),
    ),
    # -- §4 -----------------------------------------------------------------------------------
    Figure(
        "five_nos",
        4,
        "Five no's (五个不): staffing not taken up, transfers not cut, infrastructure not "
        "weakened, public services not lowered, no cadre without a post",
        "—",
        INPUT,
        "`GuaranteeParams` → `mechanisms/grievance/hardship.py` (`rights_loss`)",
        (
            "guarantees.staffing_kept",
            "guarantees.transfers_kept",
            "guarantees.infrastructure_kept",
            "guarantees.services_kept",
            "guarantees.cadres_placed",
        ),
    ),
    Figure(
        "five_unchanged",
        4,
        "Five unchanged (五个不变): villagers' policies, land and forest rights, collective "
        "interests, poverty support, departing cadres' transition pay",
        "—",
        INPUT,
        "`GuaranteeParams` → `mechanisms/grievance/hardship.py` (`rights_loss`)",
        (
            "guarantees.policies_kept",
            "guarantees.land_rights_kept",
            "guarantees.collective_kept",
            "guarantees.poverty_support_kept",
            "guarantees.transition_pay_kept",
        ),
    ),
    Figure(
        "communication",
        4,
        "One-to-one talks with township leaders; broadcasts, courtyard meetings (坝坝会) and new "
        "media for villagers",
        "—",
        INPUT,
        "`mechanisms/grievance/communication.py`",
        (
            "communication.talks_per_week",
            "communication.meetings_per_week",
            "communication.broadcast_reach",
        ),
    ),
    Figure(
        "risk_watch",
        4,
        "Key towns, villages and persons watched closely (重点镇、重点村、重点人)",
        "5, 34, 10",
        INPUT,
        "`mechanisms/grievance/communication.py` (`risk_watch`)",
        (
            "communication.watch_towns",
            "communication.watch_villages",
            "communication.watch_persons",
        ),
        "the model's hot spots (summary `petitions.hot_*`) are outputs set beside them",
    ),
    Figure(
        "four_lines",
        4,
        "Four lines (四个一条线): petition verification, negative list, opinion control, "
        "supervision",
        "—",
        NOT_MODELLED,
        "—",
        (),
        "only petition verification is modelled, as a stage of the closed loop",
    ),
    Figure(
        "six_step_loop",
        4,
        "Six-step closed loop for petitions "
        "(受理登记、分类转办、快速核查、研究处理、跟踪督办、办结销号)",
        "—",
        INPUT,
        "`mechanisms/petitions/loop.py` (`PetitionLoop`)",
        ("petitions.service_days", "petitions.delay_days", "petitions.conclude_days"),
        "the 15/60/30-day clock is the national Regulations on Petition Work (2022), not the "
        "report",
    ),
    # -- §5 -----------------------------------------------------------------------------------
    Figure(
        "services_kept",
        5,
        "Health, elderly care and schools of abolished townships kept; courts, police and "
        "prosecutors unchanged; bank and telecom outlets kept (点位不变、数量不少、能力不减)",
        "—",
        INPUT,
        "`mechanisms/services/points.py` (`configure`)",
        ("services.keep_abolished_points",),
    ),
    Figure(
        "health_network",
        5,
        "Health reorganised as '1 + 4 + N': one county hospital, four regional medical centres, "
        "N township and village clinics",
        "1 + 4 + N",
        INPUT,
        "`mechanisms/services/points.py` (`configure`)",
        ("services.health_network", "services.regional_centres"),
    ),
    Figure(
        "stations",
        5,
        "Convenience service stations kept at abolished township seats (便民服务站)",
        "30",
        INPUT,
        "`mechanisms/services/points.py` (`PointKind.CONVENIENCE_STATION`)",
        ("services.seat_stations", "services.station_staff"),
        "one per abolished seat (a rule; verification counts them)",
    ),
    Figure(
        "rooms",
        5,
        "A convenience service room in each merged village, headed by the temporary "
        "secretary (便民服务室)",
        "383",
        INPUT,
        "`mechanisms/services/points.py` (`PointKind.VILLAGE_ROOM`)",
        ("services.village_rooms", "services.room_staff"),
        "one per merged village (a rule; verification counts them)",
    ),
    Figure(
        "duty_teams",
        5,
        "Transition duty teams in every merged-away village (过渡班子成员带班、专干轮流值班)",
        "549",
        INPUT,
        "`mechanisms/services/points.py` (`PointKind.DUTY_TEAM`)",
        ("services.transition_duty", "services.duty_weeks", "services.duty_staff"),
        "one per merged-away village (a rule; verification counts them)",
    ),
    Figure(
        "agency",
        5,
        "Village agency service (村级民事代办): a cadre carries the villager's paperwork",
        "—",
        INPUT,
        "`mechanisms/services/points.py` (`PointKind.AGENCY`), `services/mechanism.py`",
        ("services.agency_service", "services.agency_staff"),
    ),
    Figure(
        "one_trip",
        5,
        "Goals: 'one trip at most' (跑一次) and 'without leaving the village' (不出村)",
        "no figure",
        OUTPUT,
        "`metrics/registry.py` (`admin_one_trip_share`, `admin_in_village_share`)",
        (),
    ),
    Figure(
        "county_centres",
        5,
        "County-wide migrant-worker and agricultural service centres; education, post, "
        "culture and elderly-care points re-planned",
        "—",
        NOT_MODELLED,
        "—",
        (),
        "no affair of the model goes to them",
    ),
    Figure(
        "hand_over",
        5,
        "67 county departments' stations put under township management; law-enforcement teams "
        "for 10 key townships",
        "67, 10",
        NOT_MODELLED,
        "—",
        (),
        "the model has no county-department stations or law enforcement",
    ),
    Figure(
        "transition_notice",
        5,
        "Hand-over notice: who answers for services, town management and petitions during "
        "the transition",
        "—",
        INPUT,
        "`mechanisms/timeline.py` (the transition phase)",
        ("timeline.transition_weeks",),
    ),
)
