"""Distances on the map: great-circle kilometres and a k-d tree over points for radius and nearest queries.

Points are placed on the unit sphere (x, y, z), where straight-line (chord) distance grows with
great-circle distance, so a ``scipy.spatial.cKDTree`` answers radius queries exactly at any
latitude and across the antimeridian.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from engine.matching.candidates import EARTH_RADIUS_KM, haversine_km

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]

__all__ = ["EARTH_RADIUS_KM", "PointIndex", "distance_km", "haversine_km"]


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in kilometres between two (lat, lon) points in degrees."""
    lat1, lon1, lat2, lon2 = (np.array([x], dtype=np.float64) for x in (*a, *b))
    return float(haversine_km(lat1, lon1, lat2, lon2)[0])


def _unit_xyz(lat: Floats, lon: Floats) -> Floats:
    p, lam = np.radians(lat), np.radians(lon)
    return np.column_stack((np.cos(p) * np.cos(lam), np.cos(p) * np.sin(lam), np.sin(p)))


def _chord(km: float) -> float:
    return 2.0 * math.sin(min(km / EARTH_RADIUS_KM, math.pi) / 2.0)


def _arc_km(chord: Floats) -> Floats:
    """Great-circle kilometres of chord lengths on the unit sphere."""
    return np.asarray(2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0)), dtype=np.float64)


class PointIndex:
    """Points (lat, lon) in a k-d tree; answers use the positions in the input sequence."""

    def __init__(self, points: Sequence[tuple[float, float]]) -> None:
        self.lat = np.fromiter((p[0] for p in points), dtype=np.float64, count=len(points))
        self.lon = np.fromiter((p[1] for p in points), dtype=np.float64, count=len(points))
        self._tree = cKDTree(_unit_xyz(self.lat, self.lon)) if len(points) else None

    def __len__(self) -> int:
        return int(self.lat.shape[0])

    def within(self, lat: float, lon: float, km: float) -> tuple[Ints, Floats]:
        """Positions of the points within ``km`` of (lat, lon) and their distances, nearest first."""
        if self._tree is None:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        centre = _unit_xyz(np.array([lat]), np.array([lon]))[0]
        idx = np.asarray(self._tree.query_ball_point(centre, _chord(km) * (1 + 1e-9)), dtype=np.int64)
        dist = haversine_km(
            np.full(idx.shape[0], lat), np.full(idx.shape[0], lon), self.lat[idx], self.lon[idx]
        )
        keep = dist <= km
        idx, dist = idx[keep], dist[keep]
        order = np.lexsort((idx, dist))
        return idx[order], dist[order]

    def nearest(self, lat: float, lon: float, k: int = 1) -> tuple[Ints, Floats]:
        """Positions of the ``k`` nearest points to (lat, lon) and their distances, nearest first."""
        if self._tree is None or k <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        k = min(k, len(self))
        centre = _unit_xyz(np.array([lat]), np.array([lon]))[0]
        _, found = self._tree.query(centre, k=k)
        idx = np.atleast_1d(np.asarray(found, dtype=np.int64))
        dist = haversine_km(
            np.full(idx.shape[0], lat), np.full(idx.shape[0], lon), self.lat[idx], self.lon[idx]
        )
        order = np.lexsort((idx, dist))
        return idx[order], dist[order]

    def nearest_many(self, lat: Floats, lon: Floats) -> tuple[Ints, Floats]:
        """For each query point, the position of the nearest point and its distance (-1, inf if empty)."""
        n = int(np.asarray(lat).shape[0])
        if self._tree is None or n == 0:
            return np.full(n, -1, dtype=np.int64), np.full(n, math.inf)
        chord, idx = self._tree.query(_unit_xyz(np.asarray(lat), np.asarray(lon)), k=1)
        return np.asarray(idx, dtype=np.int64), _arc_km(np.asarray(chord, dtype=np.float64))

    def pairs_within(self, lat: Floats, lon: Floats, km: float) -> tuple[Ints, Ints, Floats]:
        """Every (query position, point position, distance) with the point within ``km`` of the query."""
        n = int(np.asarray(lat).shape[0])
        empty = np.empty(0, dtype=np.int64)
        if self._tree is None or n == 0:
            return empty, empty, np.empty(0, dtype=np.float64)
        queries = cKDTree(_unit_xyz(np.asarray(lat), np.asarray(lon)))
        found = queries.sparse_distance_matrix(self._tree, _chord(km) * (1 + 1e-9), output_type="ndarray")
        dist = _arc_km(np.asarray(found["v"], dtype=np.float64))
        keep = dist <= km
        q = np.asarray(found["i"], dtype=np.int64)[keep]
        p = np.asarray(found["j"], dtype=np.int64)[keep]
        return q, p, dist[keep]
