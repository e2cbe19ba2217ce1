"""The services mechanism: where villagers take each need, and how often they are turned away.

It owns the service points (``model.services.points``: kind, status, village, staff and the
competence multiplier the cadres mechanism sets), the routing tables of each service
configuration, the weekly backlog of needs and the record of affairs served. It writes the
villagers' weekly travel and trip arrays and their expected access (``access_ref``,
``access_now``).

* :mod:`~mergesim.mechanisms.services.points` — point kinds, the pre-reform layout and how the
  reform re-configures it (the ``services`` switches);
* :mod:`~mergesim.mechanisms.services.routing` — routing tables per configuration (csgraph);
* :mod:`~mergesim.mechanisms.services.mechanism` — :class:`Services`: routing, willingness,
  capacity (token bucket), trips and the served-affair record (:class:`Done`).
"""

from __future__ import annotations

from mergesim.mechanisms.services.mechanism import SIZED_KINDS, Done, Services, allocate
from mergesim.mechanisms.services.points import (
    ADMIN_KINDS,
    HEALTH_KINDS,
    KIND_NAMES,
    STATUS_NAMES,
    TOWNSHIP_POINTS,
    VILLAGE_LEVEL,
    PointKind,
    ServicePoints,
    Status,
    admin_share,
    configure,
    is_open,
    layout,
    throughput,
)
from mergesim.mechanisms.services.routing import (
    HANDLERS,
    N_TIERS,
    PointIndex,
    Routing,
    build_routing,
    local_minutes,
)

__all__ = [
    "ADMIN_KINDS",
    "HANDLERS",
    "HEALTH_KINDS",
    "KIND_NAMES",
    "N_TIERS",
    "SIZED_KINDS",
    "STATUS_NAMES",
    "TOWNSHIP_POINTS",
    "VILLAGE_LEVEL",
    "Done",
    "PointIndex",
    "PointKind",
    "Routing",
    "ServicePoints",
    "Services",
    "Status",
    "admin_share",
    "allocate",
    "build_routing",
    "configure",
    "is_open",
    "layout",
    "local_minutes",
    "throughput",
]
