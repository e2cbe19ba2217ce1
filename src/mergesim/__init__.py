"""mergesim: an agent-based simulator of township and village mergers.

Public API (explicit re-exports; importing mergesim has no side effects):

- :func:`mergesim.config.load_scenario` — a validated :class:`~mergesim.config.schema.Scenario`.
- :func:`mergesim.county.build_county` — the county a scenario describes.
- :func:`mergesim.plans.make_plan`, :func:`mergesim.plans.summarize` — its merger plan.
- :func:`mergesim.api.plan_scenario` — all of the above plus files, as ``mergesim plan`` does.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mergesim")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

__all__ = ["__version__"]
