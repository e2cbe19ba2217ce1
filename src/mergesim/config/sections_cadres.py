"""Scenario section ``cadres``, first part: posts, pools and selection (placement, pay,
training, consequences and petition work: :mod:`mergesim.config.sections_cadre_work`, whose
``CadreParams`` is the section). Part of the schema (see :mod:`mergesim.config.schema`)."""

from __future__ import annotations

from dataclasses import dataclass

from mergesim.config.params import Section, param

# ---------------------------------------------------------------------------------------------
# Cadres: posts, pools, selection and redeployment, pay, training
# ---------------------------------------------------------------------------------------------

#: Order of the per-origin lists of ``[cadres]`` (``mergesim.mechanisms.cadres.pool.Origin``).
CADRE_ORIGINS = ("local", "migrant", "veteran", "graduate", "party_reserve", "former_cadre")
#: Order of the per-kind lists of ``[cadres]`` for incumbents.
CADRE_KINDS = ("township_leader", "township_staff", "village_cadre", "group_leader")


@dataclass(frozen=True)
class CadreSelectionParams(Section):
    """The first part of section ``cadres``: posts, incumbents, candidate pools, competence
    and assessment, and the selection preferences; :class:`~mergesim.config.schema.CadreParams`
    (:mod:`mergesim.config.sections_cadre_work`) adds the rest and is the section.
    """

    # -- posts ---------------------------------------------------------------------------
    township_leaders: int = param(
        11,
        "posts/township",
        "Leadership posts (party committee and government team) of a "
        "township before the reform and of a township the reform leaves unmerged.",
        lo=1,
        hi=60,
        source="assumption: a township team of ~11 (secretary, head, deputies, committee members)",
    )
    township_leaders_merged: int = param(
        13,
        "posts/township",
        "Leadership posts of a merged township.",
        lo=1,
        hi=60,
        source="assumption: larger team for a doubled township; report: 班子齐装满员",
    )
    township_staff_base: float = param(
        15.0,
        "posts/township",
        "Staff posts (non-leading civil servants and public-institution "
        "staff) of a township, fixed part.",
        lo=0.0,
        hi=500.0,
        source="assumption",
    )
    township_staff_per_10k: float = param(
        12.0,
        "posts/10,000 persons",
        "Staff posts of a township per 10,000 residents.",
        lo=0.0,
        hi=500.0,
        source="assumption: 30–50 staff for a township of 10,000–20,000",
    )
    staff_retained_share: float = param(
        0.7,
        "-",
        "Share of the merged townships' staff posts kept when guarantees.staffing_kept = "
        "false (the county takes the rest back); with the guarantee kept, every post stays "
        "(report: 乡镇编制不上收).",
        lo=0.0,
        hi=1.0,
        source="assumption: the county takes back about a third",
        plausible=(0.5, 0.9),
    )
    village_others: int = param(
        2,
        "posts/village",
        "Full-time two-committee posts of a village besides secretary and "
        "director (clerk, deputy), before the reform and in unmerged villages.",
        lo=0,
        hi=20,
        source="assumption: 3–4 paid full-time village cadres (村常职干部)",
    )
    village_others_merged: int = param(
        3,
        "posts/village",
        "Other full-time two-committee posts of a merged village.",
        lo=0,
        hi=20,
        source="assumption",
    )
    one_shoulder_before: float = param(
        0.3,
        "-",
        "Share of villages whose secretary already heads the village committee "
        "(一肩挑) before the reform.",
        lo=0.0,
        hi=1.0,
        source="assumption: the national 一肩挑 drive had reached part of the villages by 2019",
    )
    one_shoulder: bool = param(
        True,
        "-",
        "A village secretary chosen at the reform also heads the village committee "
        "(else a separate director is chosen).",
        source="report: 全部实现一肩挑",
    )
    group_merge_factor: float = param(
        1.5,
        "-",
        "Villager groups of a merged village are consolidated: groups after = "
        "round(groups before / factor), at least 1 (1 = groups kept).",
        lo=1.0,
        hi=10.0,
        source="assumption: report says group leaders were reduced (count masked)",
    )
    reselect_unchanged: bool = param(
        False,
        "-",
        "Also re-select the posts of units the plan leaves unmerged (else their "
        "incumbents simply stay).",
        source="report: transitional teams only in merged units",
    )

    # -- incumbents ----------------------------------------------------------------------
    age_mean: tuple[float, ...] = param(
        [43.0, 38.0, 49.0, 53.0],
        "years",
        "Mean age of incumbents per kind.",
        lo=18.0,
        hi=75.0,
        source="assumption: village cadres around 50, group leaders older, township staff younger",
    )
    age_sd: tuple[float, ...] = param(
        [6.0, 9.0, 8.0, 9.0],
        "years",
        "Age standard deviation of incumbents per kind.",
        lo=0.0,
        hi=20.0,
        source="assumption",
    )
    edu_shift: tuple[float, ...] = param(
        [2.3, 1.8, 0.4, 0.0],
        "-",
        "Education of incumbents per kind: shift of the latent "
        "(ordered-probit) education variable.",
        lo=-5.0,
        hi=5.0,
        source="assumption: township leaders ~58 % bachelor+, village cadres ~45 % and group "
        "leaders ~65 % below high school",
    )
    edu_cutpoints: tuple[float, ...] = param(
        [0.0, 1.0, 2.0],
        "-",
        "Cut points of the latent education variable between below high "
        "school | high school | college | bachelor+ (ascending).",
        lo=-10.0,
        hi=10.0,
        source="assumption",
    )
    edu_age_slope: float = param(
        0.3,
        "1/10 years",
        "Latent education gained per 10 years younger than 40 (younger "
        "cohorts are better educated).",
        lo=0.0,
        hi=3.0,
        source="assumption: China's education expansion across cohorts",
    )
    origin_township: tuple[float, ...] = param(
        [0.6, 0.0, 0.15, 0.2, 0.05, 0.0],
        "-",
        "Origin shares of township cadres (per origin).",
        lo=0.0,
        hi=1.0,
        source="assumption: demobilised officers, 选调生 graduates",
    )
    origin_village: tuple[float, ...] = param(
        [0.59, 0.12, 0.008, 0.002, 0.25, 0.03],
        "-",
        "Origin shares of incumbent two-committee village cadres (per origin).",
        lo=0.0,
        hi=1.0,
        source="calibrated: veterans and graduates rare among pre-reform cadres (why the "
        "report singles them out as new blood)",
    )
    origin_group: tuple[float, ...] = param(
        [0.6, 0.08, 0.04, 0.0, 0.28, 0.0],
        "-",
        "Origin shares of incumbent villager-group leaders (per origin).",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    tenure_mean: tuple[float, ...] = param(
        [4.0, 8.0, 7.0, 6.0],
        "years",
        "Mean tenure in the current post per kind (exponential).",
        lo=0.0,
        hi=40.0,
        source="assumption",
    )

    # -- candidate pools -----------------------------------------------------------------
    township_recruits: float = param(
        4.0,
        "candidates/township",
        "Candidates from outside a merged township for its posts "
        "(county cadres sent down, selected graduates; Poisson mean).",
        lo=0.0,
        hi=100.0,
        source="assumption",
    )
    origin_recruit: tuple[float, ...] = param(
        [0.4, 0.0, 0.2, 0.4, 0.0, 0.0],
        "-",
        "Origin shares of township recruits (per origin).",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    recruit_age: tuple[float, ...] = param(
        [35.0, 5.0],
        "years",
        "Mean and sd of township recruits' age.",
        lo=0.0,
        hi=75.0,
        source="assumption",
    )
    secretary_pool: tuple[float, ...] = param(
        [1.0, 1.0, 0.045, 0.045, 1.0, 0.0],
        "candidates/village",
        "New candidates for the "
        "two-committee posts of a merged village, per origin (Poisson means).",
        lo=0.0,
        hi=50.0,
        source="calibrated: veterans + returning graduates 10.2 % of secretaries (report)",
    )
    group_pool: tuple[float, ...] = param(
        [0.11, 0.18, 0.03, 0.02, 0.22, 0.0],
        "candidates/post",
        "New candidates per villager-group "
        "leader post of a merged village, per origin (Poisson means).",
        lo=0.0,
        hi=50.0,
        source="calibrated: group-leader origins 14 % migrants, 34.8 % party members/reserve "
        "(report)",
    )
    cand_age_mean: tuple[float, ...] = param(
        [45.0, 40.0, 34.0, 27.0, 38.0, 56.0],
        "years",
        "Mean age of new candidates per origin.",
        lo=18.0,
        hi=75.0,
        source="assumption",
    )
    cand_age_sd: tuple[float, ...] = param(
        [8.0, 7.0, 6.0, 3.0, 8.0, 6.0],
        "years",
        "Age sd of new candidates per origin.",
        lo=0.0,
        hi=20.0,
        source="assumption",
    )
    cand_edu_shift: tuple[float, ...] = param(
        [0.15, 0.1, 1.5, 2.3, 0.33, 0.48],
        "-",
        "Latent-education shift of new candidates per origin.",
        lo=-5.0,
        hi=5.0,
        source="assumption: returning graduates ~95 % college+, recruited veterans ~95 % high "
        "school+, others ~35–50 % below high school",
    )
    cand_competence_shift: tuple[float, ...] = param(
        [0.0, 0.05, 0.25, 0.25, 0.05, 0.0],
        "-",
        "Competence shift of new candidates per origin "
        "(the 'excellent' migrants, veterans, graduates, party members the county recruits).",
        lo=-1.0,
        hi=1.0,
        source="calibrated: veterans + returning graduates 10.2 % of "
        "secretaries (report: 优秀返乡农民工, 退役军人和返乡大学生)",
    )

    # -- competence and assessment ---------------------------------------------------------
    competence_sd: float = param(
        0.15,
        "-",
        "Standard deviation of competence (relative productivity; 1 = a cadre "
        "between high-school and college education).",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    competence_edu: float = param(
        0.05,
        "-/level",
        "Competence gained per education level.",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    competence_cap: float = param(
        1.8,
        "-",
        "Upper bound of competence (training approaches it).",
        lo=1.0,
        hi=5.0,
        source="assumption",
    )
    assess_noise: float = param(
        0.08,
        "-",
        "Noise sd of the evaluation (研判评议) and appraisal (考核评价) signals around competence.",
        lo=0.0,
        hi=2.0,
        source="assumption",
    )
    track_noise: float = param(
        0.08,
        "-",
        "Noise sd of an incumbent's track record (实绩评比) around competence.",
        lo=0.0,
        hi=2.0,
        source="assumption",
    )
    no_record_noise: float = param(
        0.2,
        "-",
        "Noise sd of a new candidate's track record (no record in office).",
        lo=0.0,
        hi=2.0,
        source="assumption",
    )
    track_tenure: float = param(
        0.01,
        "-/year",
        "Track-record credit per year of tenure (up to 10 years).",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    assessment_weights: tuple[float, ...] = param(
        [1.0, 1.0, 1.0],
        "-",
        "Weights of evaluation, appraisal and track record in the assessment score (normalised).",
        lo=0.0,
        hi=100.0,
        source="report: three coordinates 研判评议、考核评价、实绩评比",
    )
    rate_criminal: float = param(
        0.004,
        "-",
        "Share with a criminal record (hard disqualifier).",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    rate_gang: float = param(
        0.002,
        "-",
        "Share with gang or organised-crime links (hard disqualifier).",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    rate_gambling_drugs: float = param(
        0.006,
        "-",
        "Share involved in gambling, pornography or drugs (hard disqualifier).",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    rate_discipline: float = param(
        0.01,
        "-",
        "Share with a breach of political discipline (hard disqualifier).",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    candidate_dq_factor: float = param(
        1.5,
        "-",
        "Disqualifier rates of new candidates relative to incumbents (not yet vetted).",
        lo=0.0,
        hi=20.0,
        source="assumption",
    )
    screen: bool = param(
        True,
        "-",
        "Screen candidates by the hard disqualifiers (the 'ten unsuitables').",
        source="report: 十不宜 and three joint qualification reviews",
    )

    # -- selection preferences -----------------------------------------------------------
    leader_max_age: float = param(
        53.0,
        "years",
        "Oldest age at which a cadre is appointed to township leadership.",
        lo=18.0,
        hi=70.0,
        source="assumption, tuned with young_leaders, leader_youth_weight and "
        "leader_incumbent_bonus so that township leaders' mean age falls 2.1 years (seeds "
        "20191201, 1–4); practice: township leaders step back in their early fifties. Not a "
        "calibration: the report's −2 years is for all township cadres (see docs/domain.md §3)",
    )
    young_leaders: int = param(
        3,
        "posts/township",
        "Posts of a merged township's team reserved for the best-assessed "
        "candidates under young_age.",
        lo=0,
        hi=60,
        source="assumption, tuned with leader_max_age (see there); practice: township teams "
        "must include young cadres",
    )
    young_age: float = param(
        35.0,
        "years",
        "Age under which a cadre counts as young for the reserved posts.",
        lo=18.0,
        hi=70.0,
        source="assumption: 35, the usual cut-off for young cadres",
    )
    leader_youth_weight: float = param(
        0.004,
        "-/year",
        "Score bonus per year younger for township leadership.",
        lo=0.0,
        hi=1.0,
        source="assumption, tuned with leader_max_age (see there)",
    )
    leader_edu_weight: float = param(
        0.03,
        "-/level",
        "Score bonus per education level for township leadership.",
        lo=0.0,
        hi=1.0,
        source="assumption: report, bachelor share rose",
    )
    leader_incumbent_bonus: float = param(
        0.5,
        "-",
        "Score bonus of an incumbent leader over a promoted staff member or recruit "
        "(rank and experience).",
        lo=0.0,
        hi=2.0,
        source="assumption, tuned with leader_max_age (see there)",
    )
    secretary_min_education: int = param(
        1,
        "level",
        "Education floor of a village secretary chosen at the reform (0 below high "
        "school, 1 high school, 2 college, 3 bachelor+).",
        lo=0,
        hi=3,
        source="report: every temporary secretary has high school or above",
    )
    send_down: bool = param(
        True,
        "-",
        "Where no local candidate meets the secretary's education floor, the township "
        "sends one of its staff down as secretary (选派); else the floor is waived there.",
        source="assumption: common practice (选派第一书记/下派干部) behind the report's 'all'",
    )
    secretary_max_age: float = param(
        60.0,
        "years",
        "Oldest age at which a cadre is appointed secretary.",
        lo=18.0,
        hi=80.0,
        source="assumption",
    )
    secretary_youth_weight: float = param(
        0.005,
        "-/year",
        "Score bonus per year younger for village secretary.",
        lo=0.0,
        hi=1.0,
        source="assumption: report, secretaries' mean age fell",
    )
    secretary_edu_weight: float = param(
        0.03,
        "-/level",
        "Score bonus per education level for village secretary.",
        lo=0.0,
        hi=1.0,
        source="assumption",
    )
    secretary_origin_bonus: tuple[float, ...] = param(
        [0.0, 0.03, 0.25, 0.25, 0.03, 0.0],
        "-",
        "Score bonus per origin for village secretary (policy preference).",
        lo=-2.0,
        hi=2.0,
        source="calibrated: veterans + returning graduates 10.2 % of secretaries (report)",
    )
    village_incumbent_bonus: float = param(
        0.05,
        "-",
        "Score bonus of an incumbent village cadre for two-committee posts.",
        lo=0.0,
        hi=2.0,
        source="assumption",
    )
    member_max_age: float = param(
        60.0,
        "years",
        "Oldest age at which a cadre is appointed to another two-committee post.",
        lo=18.0,
        hi=80.0,
        source="assumption",
    )
    group_max_age: float = param(
        65.0,
        "years",
        "Oldest age at which a villager becomes or stays a group leader.",
        lo=18.0,
        hi=80.0,
        source="assumption",
    )
    group_origin_bonus: tuple[float, ...] = param(
        [0.0, 0.05, 0.0, 0.0, 0.1, 0.14],
        "-",
        "Score bonus per origin for villager-group "
        "leader ('former_cadre' = a displaced two-committee cadre).",
        lo=-2.0,
        hi=2.0,
        source="calibrated: new group leaders 16.5 % former village cadres, 14 % migrants, "
        "34.8 % party members/reserve (report)",
    )
    group_incumbent_bonus: float = param(
        0.0,
        "-",
        "Score bonus of an incumbent group leader.",
        lo=-2.0,
        hi=2.0,
        source="assumption",
    )

    def check(self) -> tuple[str, str] | None:
        lengths = {
            "age_mean": 4,
            "age_sd": 4,
            "edu_shift": 4,
            "tenure_mean": 4,
            "edu_cutpoints": 3,
            "origin_township": 6,
            "origin_village": 6,
            "origin_group": 6,
            "origin_recruit": 6,
            "secretary_pool": 6,
            "group_pool": 6,
            "cand_age_mean": 6,
            "cand_age_sd": 6,
            "cand_edu_shift": 6,
            "cand_competence_shift": 6,
            "secretary_origin_bonus": 6,
            "group_origin_bonus": 6,
            "assessment_weights": 3,
            "recruit_age": 2,
        }
        for name, n in lengths.items():
            v = getattr(self, name)
            if len(v) != n:
                return (name, f"value {list(v)!r} must have {n} numbers")
        for name in ("origin_township", "origin_village", "origin_group", "origin_recruit"):
            if sum(getattr(self, name)) <= 0:
                return (name, "the origin shares must not all be 0")
        if any(b <= a for a, b in zip(self.edu_cutpoints, self.edu_cutpoints[1:], strict=False)):
            return (
                "edu_cutpoints",
                f"value {list(self.edu_cutpoints)!r} must be strictly ascending",
            )
        if sum(self.assessment_weights) <= 0:
            return ("assessment_weights", "the weights must not all be 0")
        return None
