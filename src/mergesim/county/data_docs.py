"""The data reference (``docs/data.md``), generated from the loaders' own column table.

:data:`~mergesim.county.columns.VILLAGE_COLUMNS` and
:data:`~mergesim.county.columns.EDGE_COLUMNS` are what the loaders read (names, aliases,
limits), so the reference is rendered from them; ``scripts/gen_data_docs.py`` writes the file
(adding the columns of the output tables, which live in the layers above) and
``tests/county/test_data_docs.py`` checks that the committed file is current.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mergesim.county.columns import (
    EDGE_COLUMNS,
    MAX_COUNTY_SPAN_KM,
    MAX_ID,
    MAX_SEAT_DISTANCE_KM,
    MIN_VILLAGE_SPACING_KM,
    VILLAGE_COLUMNS,
    Column,
)
from mergesim.county.export import LAYERS, PLAN_LAYERS
from mergesim.county.townships import __doc__ as TOWNSHIPS_DOC

__all__ = ["REGENERATE", "render_data_reference"]

#: How to regenerate the file; quoted in its header and in the test's failure message.
REGENERATE = "python scripts/gen_data_docs.py"

_INTRO = f"""\
# Data reference: bring your own county

<!-- Generated from src/mergesim/county/columns.py (and the output tables) by
`{REGENERATE}`; do not edit. -->

A real county is one file of villages — a CSV, or a GeoJSON FeatureCollection of Point or
(Multi)Polygon features — and, optionally, a CSV of road edges. A scenario names them:

```toml
[county]
source = "csv"            # or "geojson"
data = "my_villages.csv"  # relative to the scenario file
townships = 16            # only if the file has no township column: townships to make
# edges = "my_roads.csv"  # optional; without it roads join neighbouring territories

[county.columns]          # optional: file columns spelled otherwise than below
# population = "POP_2020"
```

```sh
mergesim validate my_county.toml                 # reads the data, checks every value
mergesim plan my_county.toml --out results/mine  # plan, maps, GeoJSON, plan.csv
mergesim run my_county.toml --scale 0.1 --out results/mine_run
```

Each load prints one line saying which file column it read as which column, what it ignored,
the delimiter and the decimal mark, e.g.
`villages.csv: 100 villages; columns id = 'geonameid', name, lon = 'longitude', lat =
'latitude', population (ignored: admin1code); delimiter ','; decimal point; positions: lon/lat
degrees`. Every mistake is one line naming the file, the column as the file spells it, the row
and what is allowed (`docs/bad_input.md`).

## Reading a file

- **Encoding**: UTF-8 (a byte-order mark is accepted). A NUL byte, another encoding or an
  unreadable file is one error line.
- **Columns** are matched case-insensitively: first a `[county.columns]` entry (canonical name
  = the file's column), then the canonical name, then the aliases listed below, in order.
  Unknown columns are ignored (and listed in the load's line).
- **Delimiter** (CSV): the one of `,` `;` tab `|` that splits the header into the most
  columns.
- **Decimal mark**: a cell like `106,3` can only be a decimal comma and `106.3` only a
  decimal point; a file mixing both is refused. When every fractional cell is ambiguous
  (`1.234`), a `;`-separated file is read with decimal commas, any other with points.
- **Thousands separators** are read explicitly, never guessed into decimals: with decimal
  points, `1,234` (quoted), `1 234` and `1'234` are 1234; with decimal commas, `1.234` is 1234
  persons, not one. The load's line says which columns had them and shows one.
- **Numbers** must be finite and within each column's limits below; ids must be whole numbers
  (`12.0` is 12, `12.5` is refused, never truncated) of at most 2^53.
- **Text** (names) may not hold control characters (NUL, line breaks inside a name …).
"""

_POSITIONS = f"""\
## Positions

- `lon`/`lat` (WGS84 degrees) are projected to km by a local equirectangular projection
  about the mean point; the county keeps that centre, and its GeoJSON goes out in WGS84
  longitude/latitude again. GeoJSON takes positions from the geometry (RFC 7946 lon/lat).
- `x`/`y` are km east/north, used when the file has no `lon`/`lat`; outputs stay in local
  km (the GeoJSON says so). A GIS export's `X`, `Y` in degrees is recognised: if, read as
  km, the villages would be on median less than {MIN_VILLAGE_SPACING_KM * 1000:g} m apart
  and every value lies within longitude/latitude ranges, they are read as degrees (and the
  load's line says so). Name `x`/`y` in `[county.columns]` to force km, or map
  `lon = "x"`, `lat = "y"` to force degrees.
- Without polygons, each village's territory is the Voronoi cell of its seat inside the
  seats' convex hull pushed out by half the median village spacing; roads (without an edges
  file) join neighbouring territories.
"""

#: The plausibility limits of a whole county: (limit, value, why).
_LIMITS = (
    (
        "a village's distance from its township's seat",
        f"at most {MAX_SEAT_DISTANCE_KM:g} km",
        "assumption: wider than townships are; catches a misplaced village or a wrong "
        "township name (the error names both villages)",
    ),
    (
        "the county's extent (east–west, north–south)",
        f"at most {MAX_COUNTY_SPAN_KM:,.0f} km",
        "assumption: even the largest county-level units span several hundred km; more is a "
        "unit mistake (metres read as km) or a village far out of place",
    ),
    (
        "ids",
        f"whole numbers, at most 2^53 = {MAX_ID:,}",
        "the largest integer every JSON reader holds exactly (RFC 8259 §6)",
    ),
    (
        "polygons (GeoJSON)",
        "valid (no self-intersection, e.g. a bow-tie) and of positive area",
        'shapely `is_valid`; repair in a GIS (QGIS "Fix geometries")',
    ),
    (
        "edges",
        "must connect every village; a named edges file must exist",
        "a missing file is an error, never a silent fallback to derived roads",
    ),
    (
        "villages",
        "at least 2; seats at least 1 m apart",
        "a plan needs something to merge; Voronoi cells need distinct seats",
    ),
)


def _limits() -> str:
    rows = ["## Plausibility limits of a county", "", "| limit | value | why |", "|---|---|---|"]
    rows += [f"| {a} | {b} | {c} |" for a, b, c in _LIMITS]
    return "\n".join(rows) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(columns: Sequence[Column]) -> str:
    lines = [
        "| column | also read as | type | required | unit | allowed | meaning |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in columns:
        aliases = ", ".join(f"`{a}`" for a in c.aliases)
        allowed = c.allowed()
        if allowed and c.why:
            allowed = f"{allowed} ({c.why})"
        lines.append(
            "| "
            + " | ".join(
                _cell(x)
                for x in (
                    f"`{c.name}`",
                    aliases,
                    c.type,
                    c.required,
                    c.unit,
                    allowed,
                    c.meaning,
                )
            )
            + " |"
        )
    return "\n".join(lines) + "\n"


def _townships() -> str:
    """The township maker's method, from its module docstring."""
    paragraphs = (TOWNSHIPS_DOC or "").strip().split("\n\n")
    body = "\n\n".join(p for p in paragraphs[1:])
    return (
        "## Townships when the file has none\n\n"
        "A file without a `township` column gets `county.townships` townships (scenario "
        "key; at most half the villages), made by `mergesim.county.townships`. The load's "
        "line says how many villages they hold and how balanced they are. A county of one "
        "township, or a plan that leaves the township level unchanged, prints a warning: "
        "half of the study would do nothing.\n\n"
        + body.replace("``", "`").replace(":func:", "").replace(":mod:", "")
        + "\n"
    )


def _outputs(outputs: Mapping[str, Sequence[str]]) -> str:
    layers = ", ".join(f"`{x}`" for x in (*LAYERS, *PLAN_LAYERS, "service_points"))
    lines = [
        "## Join keys of the outputs",
        "",
        "Every plan and run folder holds `plan.csv` / `villages.csv` and `geometry/*.geojson` "
        f"({layers}). They share one convention, so any GIS joins them:",
        "",
        "- `<unit>_index` — mergesim's 0-based index of a unit: old village `i` is row `i` "
        "(`village_index`), old townships `township_index`, the plan's units "
        "`new_village_index` and `new_township_index`. It is also each GeoJSON feature's `id` "
        "and `index` in its own layer.",
        "- `village_id` — the id from the data file.",
        "- `<unit>_name` — a display name; names repeat, never join on them.",
        "",
        "GeoJSON coordinates are WGS84 longitude/latitude for data given in degrees, local km "
        "for synthetic counties and `x`/`y` data; each collection says which in "
        '`"mergesim:units"` and `"mergesim:crs"`. A plan file (`plan.method = "file"`) may be '
        "a `plan.csv` as written, or any CSV with `village_id`, `new_village` and "
        "`new_township` labels.",
        "",
    ]
    for name, cols in outputs.items():
        lines += [f"`{name}` columns: " + ", ".join(f"`{c}`" for c in cols) + ".", ""]
    return "\n".join(lines)


def render_data_reference(outputs: Mapping[str, Sequence[str]] | None = None) -> str:
    """The Markdown data reference.

    Args:
        outputs: Output table name → its columns (``plan.csv``, ``villages.csv``), listed in
            the join-key section.
    """
    return "\n".join(
        [
            _INTRO,
            "## Village columns\n",
            "One row (CSV line or GeoJSON feature) per administrative village. Required: "
            + ", ".join(f"`{c.name}`" for c in VILLAGE_COLUMNS if c.required == "yes")
            + ", and a position pair (`lon`/`lat` or `x`/`y`; GeoJSON: the geometry).\n",
            _table(VILLAGE_COLUMNS),
            "## Road edges columns (optional file)\n",
            "Undirected; a pair listed twice keeps its fastest entry; the edges must connect "
            "every village.\n",
            _table(EDGE_COLUMNS),
            _POSITIONS,
            _limits(),
            _townships(),
            _outputs(outputs or {}),
        ]
    )
