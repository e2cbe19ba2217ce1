"""The services mechanism: where villagers take each need, how each trip ends, how long it takes.

It owns the service points (``model.services.points``: kind, status, village, staff, and the
efficiency and competence multipliers the cadres mechanism sets), the routing tables of each
service configuration, the needs waiting and the record of affairs done. It writes the
villagers' weekly travel and trip arrays and their expected access (``access_ref``,
``access_now``).

* :mod:`~mergesim.mechanisms.services.points` — point kinds, hours, absence, the pre-reform
  layout and how the reform re-configures it (the ``services`` switches);
* :mod:`~mergesim.mechanisms.services.catalogue` — the affair catalogue as arrays and what each
  kind of administrative point does with a matter (finish, carry, forward, refer);
* :mod:`~mergesim.mechanisms.services.routing` — the points each village can use, per
  configuration (csgraph);
* :mod:`~mergesim.mechanisms.services.choice` — the multinomial-logit choice among them;
* :mod:`~mergesim.mechanisms.services.visits` — how a visit ends, days from need to done;
* :mod:`~mergesim.mechanisms.services.expect` — expected load and travel of a configuration;
* :mod:`~mergesim.mechanisms.services.staffing` — staff rebalancing after the reform and the
  "not lowered" check;
* :mod:`~mergesim.mechanisms.services.records` — the served-affair record (:class:`Done`), the
  waiting needs' fields and the capacity allocation;
* :mod:`~mergesim.mechanisms.services.mechanism` — :class:`Services`, the weekly step.
"""

from __future__ import annotations

from mergesim.mechanisms.services.catalogue import (
    ADVISERS,
    ROLE,
    Catalogue,
    Level,
    Role,
    roles,
)
from mergesim.mechanisms.services.mechanism import SIZED_KINDS, Services
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
    absence,
    configure,
    is_open,
    layout,
    open_days,
    throughput,
)
from mergesim.mechanisms.services.records import Done, Stage, allocate
from mergesim.mechanisms.services.routing import (
    CLASS_HANDLERS,
    HANDLERS,
    N_CLASSES,
    N_TIERS,
    PointIndex,
    Routing,
    ServiceClass,
    Tier,
    build_routing,
    local_minutes,
    service_class,
)
from mergesim.mechanisms.services.staffing import OVERLOAD_RATIO

__all__ = [
    "ADMIN_KINDS",
    "ADVISERS",
    "CLASS_HANDLERS",
    "HANDLERS",
    "HEALTH_KINDS",
    "KIND_NAMES",
    "N_CLASSES",
    "N_TIERS",
    "OVERLOAD_RATIO",
    "ROLE",
    "SIZED_KINDS",
    "STATUS_NAMES",
    "TOWNSHIP_POINTS",
    "VILLAGE_LEVEL",
    "Catalogue",
    "Done",
    "Level",
    "PointIndex",
    "PointKind",
    "Role",
    "Routing",
    "ServiceClass",
    "ServicePoints",
    "Services",
    "Stage",
    "Status",
    "Tier",
    "absence",
    "allocate",
    "build_routing",
    "configure",
    "is_open",
    "layout",
    "local_minutes",
    "open_days",
    "roles",
    "service_class",
    "throughput",
]
