"""The scenario schema: every parameter of mergesim, its default, unit, range and source.

The schema is the single place where defaults live: :class:`Scenario` here, its sections in
``sections_county.py`` (county, plan), ``sections_services.py`` (timeline, villagers, needs),
``sections_affairs.py`` (the administrative affair catalogue), ``sections_points.py`` (services),
``sections_cadres.py`` and ``sections_cadre_work.py`` (cadres), ``sections_grievance.py``
(grievance, conflict), ``sections_stability.py`` (guarantees, communication) and
``sections_petitions.py`` (petitions, stability), all re-exported from this module. A scenario
file (TOML) overrides any of them; :mod:`mergesim.config.load` reads the file, resolves
``extends`` and ``--set`` and builds a :class:`Scenario` through
:func:`~mergesim.config.params.build_section`, which rejects unknown keys, wrong types and
out-of-range values with one line. Every section is a frozen
:class:`~mergesim.config.params.Section`: list parameters are tuples, and changing a value
means building a new, validated object.

Sources: "report" marks a figure from the seed county's report (see ``docs/domain.md``);
"assumption" marks a modelling choice documented here; other sources are cited inline.

The defaults describe the *seed county*: a hilly county of about 800,000 people with 60
townships and about 1,050 administrative villages (report: 8 border townships and 72 border
villages kept, about 30 townships abolished, 549 villages merged into 383).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mergesim.config.params import Section, param
from mergesim.config.sections_affairs import AFFAIR_NAMES, LEVEL_NAMES, AffairParams, AffairType
from mergesim.config.sections_cadre_work import CadreParams
from mergesim.config.sections_cadres import CADRE_KINDS, CADRE_ORIGINS
from mergesim.config.sections_county import (
    BorderParams,
    ColumnMap,
    CountyParams,
    HeritageParams,
    PlanParams,
    RoadParams,
    TerrainParams,
)
from mergesim.config.sections_grievance import ConflictParams, GrievanceParams
from mergesim.config.sections_petitions import (
    PETITION_CAUSES,
    STABILITY_PRESSURES,
    PetitionParams,
    StabilityParams,
)
from mergesim.config.sections_points import ServiceParams
from mergesim.config.sections_services import (
    NeedParams,
    TimelineParams,
    VillagerParams,
)
from mergesim.config.sections_stability import (
    CommunicationParams,
    GuaranteeParams,
)

__all__ = [
    "AFFAIR_NAMES",
    "CADRE_KINDS",
    "CADRE_ORIGINS",
    "LEVEL_NAMES",
    "AffairParams",
    "AffairType",
    "PETITION_CAUSES",
    "STABILITY_PRESSURES",
    "BorderParams",
    "CadreParams",
    "ColumnMap",
    "CommunicationParams",
    "ConflictParams",
    "CountyParams",
    "GrievanceParams",
    "GuaranteeParams",
    "HeritageParams",
    "NeedParams",
    "PetitionParams",
    "PlanParams",
    "RoadParams",
    "Scenario",
    "ServiceParams",
    "StabilityParams",
    "TerrainParams",
    "TimelineParams",
    "VillagerParams",
]

# ---------------------------------------------------------------------------------------------
# The scenario
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario(Section):
    """A complete, validated scenario: every section with every default filled in.

    Frozen, like its sections: a scenario is never changed once validated. A variant is a new
    object — :func:`~mergesim.config.load.apply_overrides` for dotted keys, or
    ``dataclasses.replace`` (which validates the fields it sets, as every constructor does).
    """

    name: str = param("", "-", "Scenario name (defaults to the file's stem).")
    description: str = param("", "-", "What this scenario represents.")
    seed: int = param(20191201, "-", "Root seed of the run's SeedSequence.", lo=0, hi=2**63 - 1)
    county: CountyParams = field(default_factory=CountyParams)
    terrain: TerrainParams = field(default_factory=TerrainParams)
    border: BorderParams = field(default_factory=BorderParams)
    heritage: HeritageParams = field(default_factory=HeritageParams)
    roads: RoadParams = field(default_factory=RoadParams)
    plan: PlanParams = field(default_factory=PlanParams)
    timeline: TimelineParams = field(default_factory=TimelineParams)
    villagers: VillagerParams = field(default_factory=VillagerParams)
    needs: NeedParams = field(default_factory=NeedParams)
    services: ServiceParams = field(default_factory=ServiceParams)
    cadres: CadreParams = field(default_factory=CadreParams)
    grievance: GrievanceParams = field(default_factory=GrievanceParams)
    guarantees: GuaranteeParams = field(default_factory=GuaranteeParams)
    conflict: ConflictParams = field(default_factory=ConflictParams)
    communication: CommunicationParams = field(default_factory=CommunicationParams)
    petitions: PetitionParams = field(default_factory=PetitionParams)
    stability: StabilityParams = field(default_factory=StabilityParams)

    #: Directory of the scenario file; relative data paths resolve against it. Not a parameter.
    base_dir: str = field(default=".", repr=False, compare=False, metadata={"internal": True})
