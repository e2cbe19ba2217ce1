"""The cadres mechanism: the people who hold the township, village and group posts.

It owns the cadre pool (``model.cadres.pool``, a struct of arrays, one row per incumbent or
candidate) and the pool before the reform (``pool_before``); it writes the administrative
service points' competence multiplier (``services.points.efficiency``) and assigns the cadres
who work the petition stages (``pool.stage``), which the petitions mechanism reads.

* :mod:`~mergesim.mechanisms.cadres.pool` — codes (posts, origins, outcomes), the pool, posts
  per unit, group-wise ranking;
* :mod:`~mergesim.mechanisms.cadres.synthesis` — incumbents and candidate pools;
* :mod:`~mergesim.mechanisms.cadres.selection` — screening, ranking, filling the new posts and
  the five/four placement channels;
* :mod:`~mergesim.mechanisms.cadres.staffing` — petition-stage work and capacity hooks;
* :mod:`~mergesim.mechanisms.cadres.metrics` — the report's cadre figures and costs;
* :mod:`~mergesim.mechanisms.cadres.mechanism` — :class:`CadreMechanism`: the reform week,
  training, the election.
"""

from __future__ import annotations

from mergesim.mechanisms.cadres.mechanism import (
    CadreMechanism,
    end_transition,
    sessions_in_week,
    train,
)
from mergesim.mechanisms.cadres.pool import (
    COMMITTEE_POSTS,
    EDUCATION_NAMES,
    IN_POST,
    ORIGIN_NAMES,
    OUTCOME_NAMES,
    POST_NAMES,
    SECRETARY_POSTS,
    TOWNSHIP_CHANNELS,
    TOWNSHIP_POSTS,
    VILLAGE_CHANNELS,
    CadrePool,
    Disqualifier,
    Kind,
    Origin,
    Outcome,
    Post,
    Source,
    rank_in_group,
)
from mergesim.mechanisms.cadres.selection import assessment, check_placement, select_and_place
from mergesim.mechanisms.cadres.staffing import (
    assign_stages,
    cadres_by_village,
    capacity_factor,
    count_and_mean,
    point_efficiency,
    service_staff_by_township,
    staff_by_township,
)
from mergesim.mechanisms.cadres.synthesis import synthesize_pool, systematic_counts

__all__ = [
    "COMMITTEE_POSTS",
    "EDUCATION_NAMES",
    "IN_POST",
    "ORIGIN_NAMES",
    "OUTCOME_NAMES",
    "POST_NAMES",
    "SECRETARY_POSTS",
    "TOWNSHIP_CHANNELS",
    "TOWNSHIP_POSTS",
    "VILLAGE_CHANNELS",
    "CadreMechanism",
    "CadrePool",
    "Disqualifier",
    "Kind",
    "Origin",
    "Outcome",
    "Post",
    "Source",
    "assessment",
    "assign_stages",
    "cadres_by_village",
    "capacity_factor",
    "check_placement",
    "count_and_mean",
    "end_transition",
    "point_efficiency",
    "rank_in_group",
    "select_and_place",
    "service_staff_by_township",
    "sessions_in_week",
    "staff_by_township",
    "synthesize_pool",
    "systematic_counts",
    "train",
]
