"""The columns a county data file may hold: one table, in code, for the loaders and the docs.

:data:`VILLAGE_COLUMNS` lists the village columns (CSV header names, or GeoJSON feature
``properties``), :data:`EDGE_COLUMNS` those of the optional road edges CSV. Names are
canonical and matched case-insensitively; unknown columns are ignored and an empty cell takes
the default given in ``meaning``. The loaders derive their required columns from these tables,
so the reference (and a generated ``docs/data.md``) cannot drift from what they read.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "EDGE_COLUMNS",
    "POSITION_PAIRS",
    "REQUIRED_EDGE",
    "REQUIRED_VILLAGE",
    "VILLAGE_COLUMNS",
    "Column",
]


@dataclass(frozen=True)
class Column:
    """One column of a county data file.

    Attributes:
        name: Canonical (lower-case) column name.
        type: What a cell holds ("integer", "number", "text", "yes/no", or the choices).
        required: "yes", "no", or "one pair" (a position: ``x``/``y`` or ``lon``/``lat``).
        unit: Unit of a number ("-" if none).
        meaning: What the column means, and the default of an empty cell.
    """

    name: str
    type: str
    required: str
    unit: str
    meaning: str


#: Columns of a villages file, one row (CSV line or GeoJSON feature) per administrative village.
VILLAGE_COLUMNS: tuple[Column, ...] = (
    Column(
        "id",
        "integer",
        "yes",
        "-",
        "Village id, unique; edges, plan files and outputs refer to it (GeoJSON: also the "
        "feature's own id member).",
    ),
    Column("name", "text", "yes", "-", "Village name (empty: the id)."),
    Column(
        "township",
        "text",
        "yes",
        "-",
        "Name of the village's township (non-empty). Township order is the order of first "
        "appearance in the file.",
    ),
    Column("x", "number", "one pair", "km", "Seat easting. Used with y if both are present."),
    Column("y", "number", "one pair", "km", "Seat northing."),
    Column(
        "lon",
        "number",
        "one pair",
        "degrees",
        "Seat longitude (WGS84), −180 to 180; with lat, projected to km by a local "
        "equirectangular projection about the mean point: x = R·cos(lat0)·Δlon, y = R·Δlat, "
        "R = 6371 km. GeoJSON always takes the position from the geometry.",
    ),
    Column("lat", "number", "one pair", "degrees", "Seat latitude (WGS84), −90 to 90."),
    Column(
        "population",
        "number",
        "yes",
        "persons",
        "Registered residents (>= 0; rounded to a whole person).",
    ),
    Column(
        "households",
        "number",
        "no",
        "households",
        "Households (>= 0). Default round(population / county.household_size).",
    ),
    Column(
        "groups",
        "number",
        "no",
        "groups",
        "Villager groups (>= 1). Default max(1, round(households / county.group_households)).",
    ),
    Column(
        "area_km2",
        "number",
        "no",
        "km²",
        "Territory area (> 0). Default: the area of the village's territory (Voronoi cell "
        "of the seat, or the GeoJSON polygon).",
    ),
    Column("terrain", "plain, hill or mountain", "no", "-", "Terrain class. Default hill."),
    Column(
        "border", "yes/no", "no", "-", "Border ('三边') village: 0/1/true/false/yes/no. Default no."
    ),
    Column("heritage", "yes/no", "no", "-", "Heritage village. Default no."),
    Column("corridor", "yes/no", "no", "-", "On a trunk corridor. Default no."),
    Column(
        "township_seat",
        "yes/no",
        "no",
        "-",
        "Marks the seat village of its township (at most one per township). Default: the "
        "township's most populous village (the first in the file on a tie).",
    ),
    Column(
        "township_class",
        "county_seat, central, ordinary, border or heritage",
        "no",
        "-",
        "Class of the village's township; rows of one township must agree. Default "
        "ordinary, except: the township holding the most populous village is county_seat "
        "(when no township is classed so); else a township with a border village is "
        "border; else a township whose seat is a heritage village is heritage.",
    ),
)

#: Columns of the optional road edges CSV (undirected; a pair listed twice keeps its fastest
#: entry; the edges must connect every village).
EDGE_COLUMNS: tuple[Column, ...] = (
    Column("a", "integer", "yes", "-", "Village id of one end."),
    Column("b", "integer", "yes", "-", "Village id of the other end."),
    Column(
        "minutes",
        "number",
        "no",
        "min",
        "Travel time (> 0). Default: the straight-line length × roads.detour at the speed "
        "of the road class (mergesim.county.county.road_minutes).",
    ),
    Column(
        "trunk",
        "yes/no",
        "no",
        "-",
        "On a trunk corridor. Default: both ends are corridor villages.",
    ),
)

#: Village columns every file must have.
REQUIRED_VILLAGE: tuple[str, ...] = tuple(c.name for c in VILLAGE_COLUMNS if c.required == "yes")
#: Edge columns every edges file must have.
REQUIRED_EDGE: tuple[str, ...] = tuple(c.name for c in EDGE_COLUMNS if c.required == "yes")
#: The position columns: a CSV needs one of these pairs (x, y preferred).
POSITION_PAIRS: tuple[tuple[str, str], ...] = (("x", "y"), ("lon", "lat"))
