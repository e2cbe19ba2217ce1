"""The administrative affair catalogue: ``[needs.affairs.<type>]``. Part of the schema (see
:mod:`mergesim.config.schema`).

The administrative needs (``needs.admin``, per person and week) split into six affair types a
researcher of rural public service would recognise. Each type says who needs it (its share of
each age group's administrative rate), which level of government can finish it (village
committee, township, county department), whether the villager must come in person (identity
check, signature) or an agent may carry the papers, how long the finishing level takes once the
papers are complete, and how often a first visit fails for missing or wrong documents.

Figures are assumptions of the order of magnitude unless a source is named; the levels follow
the division of authority in force in a western province before 2019 (the seed county's reform
ran 2019–2020): e.g. homestead approval moved from the county to the township only with
农经发〔2019〕6号, and subsistence-allowance (低保) confirmation is the county civil-affairs
bureau's unless devolved (民发〔2021〕57号 allows devolving it to townships).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mergesim.config.params import Section, param

#: Affair types, in the order of :class:`AffairParams`'s fields (the code's type index).
AFFAIR_NAMES = (
    "household",
    "social_insurance",
    "medical_insurance",
    "subsidies_relief",
    "land_housing",
    "permits_certificates",
)
#: Levels of government, in the order of ``levels`` and ``process_days``.
LEVEL_NAMES = ("village", "township", "county")

_AGES = "[child, working, elderly]"
_LEVELS = "[village, township, county]"


def _rate_share(default: list[float], source: str) -> list[float]:
    return param(
        default,
        "-",
        f"Share of each age group's administrative rate (needs.admin) that is of this type, "
        f"{_AGES}; over the six types each age group's shares sum to 1.",
        lo=0.0,
        hi=1.0,
        source=source,
    )


def _levels(default: list[float], source: str) -> list[float]:
    return param(
        default,
        "-",
        f"Shares of the type's matters by the lowest level with the authority to finish them, "
        f"{_LEVELS}; they sum to 1.",
        lo=0.0,
        hi=1.0,
        source=source,
    )


def _devolvable(default: float, plausible: tuple[float, float], source: str) -> float:
    return param(
        default,
        "-",
        "Share of the type's county-level matters that the county departments' stations handed "
        "to township management (属地管理, services.devolved_stations) finish at the township.",
        lo=0.0,
        hi=1.0,
        plausible=plausible,
        source=source,
    )


def _in_person(default: bool, source: str) -> bool:
    return param(
        default,
        "-",
        "The villager must come in person (identity check, signature): an agent (代办) cannot "
        "carry the papers.",
        source=source,
    )


def _process_days(default: list[float], source: str) -> list[float]:
    return param(
        default,
        "days",
        f"Days from a complete submission to the affair done at the finishing level, {_LEVELS} "
        "(review, approval, issuance; calendar days).",
        lo=0.0,
        hi=365.0,
        plausible=(0.0, 60.0),
        source=source,
    )


def _docs_fail(default: float, source: str) -> float:
    return param(
        default,
        "-",
        "Probability that a first visit fails for missing or wrong documents (lower on later "
        "tries and after advice: services.docs_retry_factor, services.advice_factor).",
        lo=0.0,
        hi=0.95,
        plausible=(0.05, 0.4),
        source=source,
    )


_DOCS_SOURCE = (
    "assumption; incomplete papers are the commonest reason for repeat trips (Huairou, Beijing, "
    "2019: 所带要件不全、填表或表述不准 … 往返多次; Zhejiang's 最多跑一次 counts a matter only "
    "'when the papers are complete')"
)


@dataclass(frozen=True)
class AffairType(Section):
    """One administrative affair type: who needs it, who can finish it, and how (base class)."""

    rate_share: tuple[float, ...]
    levels: tuple[float, ...]
    devolvable: float
    in_person: bool
    process_days: tuple[float, ...]
    docs_fail: float

    def check(self) -> tuple[str, str] | None:
        for name in ("rate_share", "levels", "process_days"):
            v = getattr(self, name)
            if len(v) != 3:
                what = _AGES if name == "rate_share" else _LEVELS
                return (name, f"value {list(v)!r} must have 3 numbers {what}")
        if abs(sum(self.levels) - 1.0) > 1e-6:
            return ("levels", f"value {list(self.levels)!r} must sum to 1")
        return None


@dataclass(frozen=True)
class HouseholdAffair(AffairType):
    """户籍与民政登记: household registration (births, moves), identity and civil-status papers."""

    rate_share: tuple[float, ...] = _rate_share(
        [0.55, 0.20, 0.05], "assumption: births and school-age registration dominate for children"
    )
    levels: tuple[float, ...] = _levels(
        [0.2, 0.6, 0.2],
        "assumption: village proofs; the township police station's household window; county "
        "bureaus (identity cards, marriage registration)",
    )
    devolvable: float = _devolvable(
        0.2, (0.0, 0.5), "assumption: police and civil-status matters mostly stay with the county"
    )
    in_person: bool = _in_person(True, "identity check and photographs")
    process_days: tuple[float, ...] = _process_days(
        [0.0, 1.0, 15.0], "assumption: on the spot at the window; identity cards about 2–3 weeks"
    )
    docs_fail: float = _docs_fail(0.15, _DOCS_SOURCE)


@dataclass(frozen=True)
class SocialInsuranceAffair(AffairType):
    """社保/养老: rural residents' pension (enrolment, premiums, eligibility checks, claims)."""

    rate_share: tuple[float, ...] = _rate_share(
        [0.0, 0.20, 0.40], "assumption: pensioners' yearly eligibility check and claims"
    )
    levels: tuple[float, ...] = _levels(
        [0.5, 0.45, 0.05],
        "assumption: the village's insurance assistant (协办员) collects premiums and checks "
        "eligibility; the township's labour and social-security office handles the rest",
    )
    devolvable: float = _devolvable(
        0.5, (0.2, 0.8), "assumption: the social-security office is a county station"
    )
    in_person: bool = _in_person(
        False, "an agent may carry them with a written authorisation (Huairou, 2019)"
    )
    process_days: tuple[float, ...] = _process_days(
        [0.0, 3.0, 15.0], "assumption: a few days at the township, two weeks at the county"
    )
    docs_fail: float = _docs_fail(0.10, _DOCS_SOURCE)


@dataclass(frozen=True)
class MedicalInsuranceAffair(AffairType):
    """医保: enrolment, reimbursement of care outside the county, chronic-disease certificates."""

    rate_share: tuple[float, ...] = _rate_share([0.35, 0.20, 0.25], "assumption")
    levels: tuple[float, ...] = _levels(
        [0.3, 0.4, 0.3],
        "assumption: enrolment through the village; reimbursement at the township; certificates "
        "and out-of-county claims at the county medical-insurance bureau",
    )
    devolvable: float = _devolvable(
        0.3, (0.0, 0.6), "assumption: part of the claims go to a township medical-insurance station"
    )
    in_person: bool = _in_person(
        False, "reimbursement papers are carried for villagers (Huairou, 2019: 药费报销代办)"
    )
    process_days: tuple[float, ...] = _process_days(
        [0.0, 10.0, 20.0], "assumption: claims paid within two to four weeks"
    )
    docs_fail: float = _docs_fail(0.20, _DOCS_SOURCE)


@dataclass(frozen=True)
class SubsidiesReliefAffair(AffairType):
    """补贴/救助: subsistence allowance (低保), extreme-poverty support, temporary relief,
    disability and farmland subsidies."""

    rate_share: tuple[float, ...] = _rate_share([0.05, 0.15, 0.20], "assumption")
    levels: tuple[float, ...] = _levels(
        [0.2, 0.3, 0.5],
        "民发〔2021〕57号: township receives and reviews, the county civil-affairs bureau "
        "confirms; farmland subsidies registered through the village",
    )
    devolvable: float = _devolvable(
        0.8,
        (0.5, 1.0),
        "民发〔2021〕57号 allows devolving the confirmation to townships (e.g. Chaohu 2020)",
    )
    in_person: bool = _in_person(False, "applications go up through the village and township")
    process_days: tuple[float, ...] = _process_days(
        [0.0, 20.0, 30.0], "order of magnitude: review, publication and confirmation take a month"
    )
    docs_fail: float = _docs_fail(0.25, _DOCS_SOURCE)


@dataclass(frozen=True)
class LandHousingAffair(AffairType):
    """确权/宅基地: land-contract and forest-rights certificates, homestead and house building,
    property registration."""

    rate_share: tuple[float, ...] = _rate_share([0.0, 0.15, 0.05], "assumption")
    levels: tuple[float, ...] = _levels(
        [0.1, 0.4, 0.5],
        "农经发〔2019〕6号 (homestead approval by the township); property and forest-rights "
        "registration at the county",
    )
    devolvable: float = _devolvable(
        0.4, (0.2, 0.7), "assumption: land and forestry stations are county stations"
    )
    in_person: bool = _in_person(True, "signatures and identity at registration")
    process_days: tuple[float, ...] = _process_days(
        [0.0, 28.0, 15.0],
        "assumption: homestead approval (township, 农经发〔2019〕6号) with site checks about four "
        "weeks; property registration cut to 10 then 5 working days in 2019–2020 "
        "(国办发〔2019〕8号)",
    )
    docs_fail: float = _docs_fail(0.25, _DOCS_SOURCE)


@dataclass(frozen=True)
class PermitsCertificatesAffair(AffairType):
    """证明/许可: proofs, licences of small businesses, felling and building permits."""

    rate_share: tuple[float, ...] = _rate_share([0.05, 0.10, 0.05], "assumption")
    levels: tuple[float, ...] = _levels(
        [0.5, 0.3, 0.2], "assumption: most proofs from the village committee"
    )
    devolvable: float = _devolvable(
        0.6, (0.3, 0.9), "assumption: market-supervision and forestry stations"
    )
    in_person: bool = _in_person(False, "assumption: carried with a written authorisation")
    process_days: tuple[float, ...] = _process_days(
        [0.0, 3.0, 10.0], "assumption: small-business licences within about three working days"
    )
    docs_fail: float = _docs_fail(0.20, _DOCS_SOURCE)


@dataclass(frozen=True)
class AffairParams(Section):
    """The administrative affair catalogue: the six types of ``needs.admin``."""

    household: HouseholdAffair = field(default_factory=HouseholdAffair)
    social_insurance: SocialInsuranceAffair = field(default_factory=SocialInsuranceAffair)
    medical_insurance: MedicalInsuranceAffair = field(default_factory=MedicalInsuranceAffair)
    subsidies_relief: SubsidiesReliefAffair = field(default_factory=SubsidiesReliefAffair)
    land_housing: LandHousingAffair = field(default_factory=LandHousingAffair)
    permits_certificates: PermitsCertificatesAffair = field(
        default_factory=PermitsCertificatesAffair
    )

    def types(self) -> tuple[AffairType, ...]:
        """The six types, in the order of :data:`AFFAIR_NAMES`."""
        return tuple(getattr(self, name) for name in AFFAIR_NAMES)

    def check(self) -> tuple[str, str] | None:
        for age, label in enumerate(("child", "working", "elderly")):
            total = sum(t.rate_share[age] for t in self.types())
            if abs(total - 1.0) > 1e-6:
                return (
                    f"{AFFAIR_NAMES[0]}.rate_share",
                    f"the {label} shares of the six types sum to {total:g}; they must sum to 1",
                )
        return None
