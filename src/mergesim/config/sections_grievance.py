"""Scenario sections ``grievance`` (villagers' grievance and petition filing) and ``conflict``
(the merger's own conflict channels, what a broken guarantee moves, displaced cadres). Part of
the schema (see :mod:`mergesim.config.schema`); the switches of the guarantees and their
perceived losses are in :mod:`mergesim.config.sections_stability`."""

from __future__ import annotations

from dataclasses import dataclass

from mergesim.config.params import Section, param


@dataclass(frozen=True)
class GrievanceParams(Section):
    """Villagers' grievance: segregated, reference-dependent hardship, memory, contagion, filing.

    Grievance (0–1) is an exponentially smoothed Epstein (2002) grievance ``H × (1 − L)``;
    legitimacy ``L`` is the villager's trust. Hardship ``H`` sums the merger's sources (see
    :mod:`mergesim.mechanisms.grievance`): the **access accounts** — per service domain (a
    mental account, Thaler 1985/1999), the prospect value (Tversky & Kahneman 1992) of the
    experienced cost of the village's affairs (travel, failed trips, days to done) against an
    adapting reference — and the standing losses of the ``[conflict]`` channels and
    ``[guarantees]``, plus waiting on an open petition.
    """

    memory_weeks: float = param(
        12.0,
        "weeks",
        "Memory of grievance: each week it moves 1/memory_weeks of the way to "
        "the current Epstein grievance H × (1 − trust) (so it decays with this time constant "
        "once the hardship is gone).",
        lo=1.0,
        hi=520.0,
        source="assumption: grievances over a reform fade over a season"
        "; plausible range (assumption): a month to half a year of memory of a grievance",
        plausible=(4.0, 26.0),
    )
    loss_aversion: float = param(
        2.25,
        "-",
        "λ: a loss weighs this many times an equal gain.",
        lo=1.0,
        hi=10.0,
        source="Tversky & Kahneman (1992): λ = 2.25"
        "; plausible range: Tversky & Kahneman (1992) estimate 2.25; the meta-analysis of Brown, "
        "Imai, Vieider & Camerer (2024, J. Econ. Lit.) finds a mean near 2 with wide spread "
        "between studies; 1.5–3 covers the values in common use",
        plausible=(1.5, 3.0),
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
        "Extra experienced cost per affair (minutes of travel) that counts as a unit loss in "
        "an access account (value λ before curvature).",
        lo=0.1,
        hi=1000.0,
        source="assumption: half an hour more per trip is a serious loss for a villager"
        "; plausible range (assumption): the extra minutes per affair that count as a full "
        "grievance, from a short detour to a lost half-day",
        plausible=(10.0, 90.0),
    )
    kind_weights: tuple[float, ...] = param(
        [3.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        "-",
        "Weight of each need kind (admin, "
        "health_routine, health_serious, school, elderly_care, police_legal, banking_telecom) "
        "on top of its rate in the weight of its service domain (mental account) in the "
        "access hardship: administrative affairs are the ones the merger moves and villagers "
        "attribute to it.",
        lo=0.0,
        hi=100.0,
        source="assumption",
    )
    adaptation_weeks: float = param(
        104.0,
        "weeks",
        "Time constant of the adaptation of each access account's reference point to the "
        "experienced cost after the reform: each week the reference moves 1/adaptation_weeks "
        "of the way (0 = it never moves).",
        lo=0.0,
        hi=1040.0,
        plausible=(26.0, 520.0),
        source="assumption informed by hedonic adaptation (Frederick & Loewenstein 1999, in "
        "Well-Being, Russell Sage) and its known exception for travel: commuters do not adapt "
        "to longer commutes (Stutzer & Frey 2008, Scand. J. Econ. 110(2): 339–366) — so "
        "slow: about two years; plausible from half a year to a decade",
    )
    experience_weeks: float = param(
        13.0,
        "weeks",
        "Memory of a village's shared experience of its affairs: each week the experienced "
        "cost of earlier affairs weighs exp(−1/experience_weeks) less (word of mouth).",
        lo=1.0,
        hi=520.0,
        plausible=(4.0, 52.0),
        source="assumption: what neighbours say about the township office is a season old; "
        "from a month to a year",
    )
    anticipation_weeks: float = param(
        4.0,
        "weeks",
        "Weight of the anticipated excess cost (as before the reform) in an access account "
        "at the reform, in weeks of the account's expected affairs; realised experience "
        "replaces it as it accumulates (0 = none: the county's excess until affairs come).",
        lo=0.0,
        hi=104.0,
        plausible=(1.0, 13.0),
        source="assumption: villagers expect the new office to work as the old one did "
        "until they learn otherwise; a prior worth a few weeks of experience",
    )
    failed_trip_min: float = param(
        60.0,
        "min",
        "Cost of a trip that ends without the affair done (queueing, being sent away), on top "
        "of its travel, in minutes of travel.",
        lo=0.0,
        hi=1000.0,
        plausible=(0.0, 240.0),
        source="assumption: an hour lost at the office; up to half a day",
    )
    delay_min_per_day: float = param(
        5.0,
        "min/day",
        "Cost of each day from the need to the affair done, in minutes of travel.",
        lo=0.0,
        hi=1440.0,
        plausible=(0.0, 30.0),
        source="assumption: a week's delay weighs about half an hour's extra travel",
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
        source="assumption"
        "; plausible range (assumption): a resolved petition removes from a fifth to most of the "
        "filer's grievance",
        plausible=(0.2, 0.8),
    )
    unresolved_jump: float = param(
        0.1,
        "-",
        "Grievance added when a petition closes unresolved.",
        lo=0.0,
        hi=1.0,
        source="assumption"
        "; plausible range (assumption): from no added grievance to nearly a third of the scale "
        "when a petition closes unresolved",
        plausible=(0.0, 0.3),
    )
    trust_gain: float = param(
        0.05,
        "-",
        "Share of the gap to full trust closed by a resolved petition.",
        lo=0.0,
        hi=1.0,
        source="assumption"
        "; plausible range (assumption): a resolved petition restores little trust (losses of "
        "trust weigh more than gains: Slovic 1993)",
        plausible=(0.0, 0.15),
    )
    trust_loss: float = param(
        0.1,
        "-",
        "Share of trust lost when a petition closes unresolved.",
        lo=0.0,
        hi=1.0,
        source="assumption"
        "; plausible range (assumption): trust lost to an unresolved petition, larger than "
        "trust_gain (Slovic 1993's asymmetry)",
        plausible=(0.02, 0.3),
    )
    contagion: float = param(
        0.1,
        "1/week",
        "Each week grievance moves this share of the way to the village's "
        "(influence-weighted) mean.",
        lo=0.0,
        hi=1.0,
        source="assumption; social influence toward the group mean (DeGroot 1974)"
        "; plausible range (assumption): from no social influence to a third of the gap to the "
        "village mean closed each week",
        plausible=(0.0, 0.3),
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
        source="assumption"
        "; plausible range (assumption): weekly filing probability of an aggrieved villager over "
        "the threshold, from reluctant to prompt",
        plausible=(0.1, 0.6),
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
        source="Granovetter (1978) threshold model; value an assumption"
        "; plausible range (assumption): the share of a village's villagers that must be "
        "aggrieved, ±half to double the default",
        plausible=(0.05, 0.2),
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
        source="assumption"
        "; plausible range (assumption): weekly probability a village over its threshold organises"
        " a collective petition",
        plausible=(0.2, 0.8),
    )
    background_rate: float = param(
        20.0,
        "petitions/10,000 villagers/year",
        "Individual petitions about matters "
        "unrelated to the reform (disputes, land, welfare), filed at random.",
        lo=0.0,
        hi=10_000.0,
        source="assumption: tens per 10,000 a year in rural counties"
        "; plausible range (assumption): a quarter to twice the default ten per 10,000 villagers a"
        " half-year; reported county petition rates vary by this much",
        plausible=(5.0, 40.0),
    )
    background_collective_rate: float = param(
        0.5,
        "petitions/10,000 villagers/year",
        "Collective petitions unrelated to the reform.",
        lo=0.0,
        hi=1000.0,
        source="assumption"
        "; plausible range (assumption): collective petitions are rare; a fifth to four times the "
        "default",
        plausible=(0.1, 2.0),
    )

    leader_threshold_cut: float = param(
        0.5,
        "-",
        "Share by which an aggrieved displaced cadre living in a village cuts the village's "
        "collective-action threshold (a leader who has already decided to act).",
        lo=0.0,
        hi=1.0,
        plausible=(0.2, 0.8),
        source="Granovetter (1978): an instigator with threshold 0 starts the cascade that "
        "others' thresholds need; the size of the cut is an assumption",
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
class ConflictParams(Section):
    """The merger's own conflict channels, and the quantities a broken guarantee moves.

    Each channel acts on identifiable villagers from the reform week on (see
    :mod:`mergesim.mechanisms.grievance.channels`): collective assets and debts of the member
    villages pooled (always partly, fully when ``guarantees.collective_kept`` is broken);
    resource rights pooled (``land_rights_kept``); policy benefits re-allocated by the merged
    committee (``policies_kept``); village-level poverty support lost with the poor-village
    status (``poverty_support_kept``); infrastructure investment concentrated at the new seat
    (``infrastructure_kept``); each old village's voice in the merged committee; the loss of
    the township seat; trust falling with the unit's size; and displaced cadres' own losses.
    Money is valued against ``income_scale_yuan`` with the prospect-theory value function of
    ``[grievance]``.
    """

    income_scale_yuan: float = param(
        16_021.0,
        "yuan/person",
        "Loss per person (a year of income, or a stock) that counts as a unit loss (value λ "
        "before curvature) in the money channels.",
        lo=100.0,
        hi=1_000_000.0,
        plausible=(8_000.0, 50_000.0),
        source="NBS: rural per-capita disposable income 2019, 16,021 yuan; plausible from "
        "half of it to a household's income",
    )
    asset_median_yuan: float = param(
        500.0,
        "yuan/person",
        "Median collective operating assets per person of a village (lognormal across villages).",
        lo=0.0,
        hi=1_000_000.0,
        plausible=(100.0, 5_000.0),
        source="assumption of the order of the 2019 national inventory of rural collective "
        "assets (清产核资), which found most assets in eastern villages and many western "
        "villages with little operating assets",
    )
    asset_sigma: float = param(
        1.2,
        "-",
        "Log-sd of collective assets per person across villages.",
        lo=0.0,
        hi=5.0,
        plausible=(0.5, 2.0),
        source="assumption: asset holdings are right-skewed (lognormal)",
    )
    debt_share: float = param(
        0.4,
        "-",
        "Share of villages carrying collective debt.",
        lo=0.0,
        hi=1.0,
        plausible=(0.2, 0.7),
        source="assumption: village debts from public projects are common in western China",
    )
    debt_median_yuan: float = param(
        400.0,
        "yuan/person",
        "Median collective debt per person of an indebted village (lognormal).",
        lo=0.0,
        hi=1_000_000.0,
        plausible=(100.0, 3_000.0),
        source="assumption: hundreds of yuan a person, of the order of a village's unpaid "
        "project bills; from a hundred to a few thousand",
    )
    debt_sigma: float = param(
        1.0,
        "-",
        "Log-sd of collective debt per person across indebted villages.",
        lo=0.0,
        hi=5.0,
        plausible=(0.5, 2.0),
        source="assumption: debts are right-skewed like assets (lognormal)",
    )
    pooled_share_kept: float = param(
        0.1,
        "-",
        "Share of the member villages' net collective assets pooled in the merged village "
        "while collective interests are guaranteed (fully pooled when broken).",
        lo=0.0,
        hi=1.0,
        plausible=(0.0, 0.3),
        source="assumption: separate books (村账分设) still leave the merged committee's running "
        "costs and new projects to shared funds",
    )
    land_pooled_share: float = param(
        0.3,
        "-",
        "Share of resource rights (collective forest, water, un-contracted land, requisition "
        "compensation) pooled across a merged village when land rights are not guaranteed.",
        lo=0.0,
        hi=1.0,
        plausible=(0.1, 0.6),
        source="assumption: household contract land stays protected by the Rural Land "
        "Contract Law (2002, rev. 2018); the collective's other resources are pooled",
    )
    land_scale: float = param(
        1.0,
        "-",
        "Relative loss of a person's share of resources (per-person territory, pooled) that "
        "counts as a unit loss.",
        lo=0.01,
        hi=100.0,
        plausible=(0.5, 2.0),
        source="assumption: losing one's whole resource share is a unit loss",
    )
    benefit_share: float = param(
        0.06,
        "-",
        "Share of households receiving a village-allocated policy benefit (minimum living "
        "guarantee, 低保, and similar quotas).",
        lo=0.0,
        hi=1.0,
        plausible=(0.03, 0.1),
        source="order of magnitude: Ministry of Civil Affairs 2019, about 34.6 million rural "
        "低保 recipients among about 550 million rural residents",
    )
    benefit_yuan: float = param(
        5_335.0,
        "yuan/person/year",
        "Value of the benefit per recipient a year.",
        lo=0.0,
        hi=1_000_000.0,
        plausible=(3_000.0, 8_000.0),
        source="order of magnitude: Ministry of Civil Affairs, mean rural 低保 standard 2019",
    )
    poor_village_sd: float = param(
        0.08,
        "-",
        "Standard deviation across villages of the share of poor households (Beta around "
        "guarantees.poor_share).",
        lo=0.0,
        hi=0.45,
        plausible=(0.02, 0.15),
        source="assumption: poverty clusters by village, so registered poor villages exist at "
        "twice the county rate; a spread of 2 to 15 points",
    )
    poor_village_ratio: float = param(
        2.0,
        "-",
        "A village is a registered poor village when its poor share is at least this many "
        "times the county's.",
        lo=1.0,
        hi=10.0,
        plausible=(1.5, 3.0),
        source="State Council Leading Group Office of Poverty Alleviation (2014) criterion: "
        "poverty incidence at least twice the provincial rate",
    )
    poverty_support_yuan: float = param(
        2_000.0,
        "yuan/person/year",
        "Village-level poverty support (work team, project funds) per poor person of a poor "
        "village a year, lost when the merged village is no longer a poor village and the "
        "support is not guaranteed.",
        lo=0.0,
        hi=1_000_000.0,
        plausible=(500.0, 5_000.0),
        source="assumption: work-team projects and industry funds of a poor village, per poor "
        "person, of the order of a tenth of rural income",
    )
    infrastructure_yuan: float = param(
        300.0,
        "yuan/person/year",
        "Village infrastructure investment per person a year before the reform.",
        lo=0.0,
        hi=1_000_000.0,
        plausible=(100.0, 1_000.0),
        source="assumption: 一事一议 awards and village road and water programmes",
    )
    infrastructure_to_seat: float = param(
        0.5,
        "-",
        "Share of an absorbed village's investment moved to the merged village's seat when "
        "infrastructure is not guaranteed.",
        lo=0.0,
        hi=1.0,
        plausible=(0.2, 1.0),
        source="assumption: the merged committee builds at its seat first",
    )
    voice_weight: float = param(
        0.2,
        "-",
        "Hardship of a full loss of voice (an old village with no seat in the merged "
        "committee) before loss aversion; under-representation counts in proportion.",
        lo=0.0,
        hi=1.0,
        plausible=(0.05, 0.5),
        source="assumption: a village with no say in its committee loses less than a year's "
        "income (λ × weight < 1); from a minor to a serious loss",
    )
    committee_size: int = param(
        5,
        "posts",
        "Merged committee's posts when the cadre pool gives none (seats then by largest "
        "remainder of population).",
        lo=1,
        hi=50,
        plausible=(3.0, 7.0),
        source="Organic Law of the Villagers' Committees: 3 to 7 members",
    )
    seat_loss: float = param(
        0.2,
        "-",
        "Hardship of villagers of an abolished township's seat village: the government, its "
        "offices and its market-town standing move away.",
        lo=0.0,
        hi=1.0,
        plausible=(0.05, 0.4),
        source="assumption: the offices, jobs and market-town standing of a seat; less than a "
        "lost voice plus services, which count separately",
    )
    efficacy_per_doubling: float = param(
        0.03,
        "-",
        "Fall of trust (0–1) per doubling of the population of the villager's village (the "
        "elected unit) at the merger.",
        lo=0.0,
        hi=0.5,
        plausible=(0.01, 0.08),
        source="Lassen & Serritzlew (2011, APSR 105(2): 238–258): larger municipalities "
        "causally lowered internal political efficacy (Denmark 2007); size of the effect and "
        "its mapping onto trust here are assumptions",
    )
    cadre_post_loss: float = param(
        0.3,
        "-",
        "Hardship of a displaced cadre who holds no post (office and standing lost; not for "
        "normal retirement).",
        lo=0.0,
        hi=1.0,
        plausible=(0.1, 0.6),
        source="assumption: office and standing in the village, beyond the pay (counted "
        "separately); from a minor to a serious loss",
    )
    cadre_unplaced_loss: float = param(
        0.2,
        "-",
        "Further hardship of a displaced cadre left without any placement (the cadres "
        "mechanism marks them when guarantees.cadres_placed is broken).",
        lo=0.0,
        hi=1.0,
        plausible=(0.05, 0.4),
        source="assumption: being left out of every placement channel, beyond the lost post "
        "and pay",
    )
