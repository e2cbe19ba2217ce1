"""The services' weekly choice of a point compiled with Numba (the optional ``fast`` extra).

Two loops over the needs that choose a point this week, doing what :mod:`~.choice` does with a
sequence of NumPy passes over ``(needs × options)`` arrays:

* :func:`admin_choose`: an administrative matter's options (the tiers of its villager's
  units), the role each point would play, which of them the villager considers, the expected
  days, the logit and the draw (:func:`~.choice.admin_options`, :meth:`~.choice.Options.choose`);
* :func:`class_choose`: a non-administrative need's class, and its pick from its row of the
  shared probability table (:func:`~.routing.service_class`, :func:`~.choice.draw_rows`).

They give the NumPy path's numbers bit for bit, so that no choice flips between the two paths:
every operation is done in the NumPy path's precision (float64) and order — the logit's
denominator and the cumulative probabilities are running sums from the first option, as NumPy
sums a six-column row — and with the same uniforms, drawn by the caller. No ``fastmath``: it
would reorder the sums. ``tests/mechanisms/services/test_services_kernel.py`` holds both paths
to the same choices and to the same weekly metrics over a whole run.

Compiled by :func:`mergesim.mechanisms.jit.compile_cached` (Numba, imported there); without
Numba the functions below are plain (slow) Python, never called by the model.
"""

from __future__ import annotations

import numpy as np

from mergesim.mechanisms.jit import compile_cached as _compile
from mergesim.mechanisms.services.catalogue import Level, Role
from mergesim.mechanisms.services.points import PointKind

# Plain ints (compile-time constants in the loops).
_NONE, _FINISH, _CARRY = int(Role.NONE), int(Role.FINISH), int(Role.CARRY)
_DESK, _REFER = int(Role.DESK), int(Role.REFER)
_COUNTY = int(Level.COUNTY)
_COUNTY_CENTRE = int(PointKind.COUNTY_CENTRE)


@_compile
def admin_choose(  # pragma: no cover - compiled
    village,
    affair,
    level,
    carry,
    covered,
    known,
    factor,
    uniform,
    tier_point,
    tier_minutes,
    point_kind,
    role_table,
    open_wait,
    process_days,
    qdays,
    forward_days,
    carry_interval_days,
    beta_minutes,
    beta_days,
    out_point,
    out_minutes,
    out_role,
):
    """Point, one-way minutes in the villager's mode and role of each administrative matter
    (written to ``out_*``; -1 / inf / NONE where no option is valid).

    Args:
        village, affair, level, carry, covered, known: Per matter: home village, type,
            effective level, carryable, within a station's windows, level known.
        factor: Travel-time multiplier of the villager's mode; uniform: one per matter.
        tier_point, tier_minutes: The routing's tier tables, shape (N_TIERS, n_villages).
        point_kind: Current kind of every point; role_table: ``catalogue.ROLE``.
        open_wait: Mean wait for an open day per point kind; process_days: per type and level.
        qdays: Queue days per point.
        forward_days, carry_interval_days, beta_minutes, beta_days: ``services`` keys.
    """
    n = village.shape[0]
    tiers = tier_point.shape[0]
    kind = np.empty(tiers, np.int64)
    role = np.empty(tiers, np.int64)
    util = np.empty(tiers)
    valid = np.empty(tiers, np.bool_)
    prob = np.empty(tiers)
    for i in range(n):
        v, a, lvl = village[i], affair[i], level[i]
        c = 1 if carry[i] else 0
        cv = 1 if covered[i] else 0
        any_guess = False
        for t in range(tiers):
            pt = tier_point[t, v]
            k = np.int64(point_kind[pt]) if pt >= 0 else -1
            r = np.int64(role_table[k, lvl, c, cv]) if k >= 0 else _NONE
            kind[t] = k
            role[t] = r
            if r != _NONE and k != _COUNTY_CENTRE:
                any_guess = True
        as_known = known[i] or not any_guess
        proc = process_days[a, lvl]
        up = forward_days if lvl == _COUNTY else 0.0
        top = -np.inf
        for t in range(tiers):
            r, k = role[t], kind[t]
            if as_known:
                ok = r != _NONE and r != _REFER
            else:
                ok = r != _NONE and k != _COUNTY_CENTRE
            valid[t] = ok
            believed = r if (known[i] or r != _REFER) else _FINISH
            wait = open_wait[k if k > 0 else 0]
            if believed == _CARRY:
                days = carry_interval_days + up + proc
            elif believed == _DESK:
                days = wait + forward_days + proc
            else:
                days = wait + proc
            pt = tier_point[t, v]
            q = qdays[pt if pt > 0 else 0]
            u = -beta_minutes * tier_minutes[t, v] * factor[i] - beta_days * (days + q)
            util[t] = u
            if ok and u > top:
                top = u
        if not np.isfinite(top):
            top = 0.0
        total = 0.0
        for t in range(tiers):
            e = np.exp(util[t] - top) if valid[t] else 0.0
            prob[t] = e
            total = e if t == 0 else total + e
        last = tiers - 1
        for t in range(tiers):
            prob[t] = prob[t] / total if total > 0 else 0.0
        for t in range(tiers - 1, -1, -1):
            if prob[t] > 0:
                last = t
                break
        cum = 0.0
        for t in range(tiers):
            cum = prob[t] if t == 0 else cum + prob[t]
        cums_total = cum  # the last cumulative probability, as draw() takes it
        threshold = uniform[i] * cums_total
        j = 0
        cum = 0.0
        for t in range(tiers):
            cum = prob[t] if t == 0 else cum + prob[t]
            if cum <= threshold:
                j += 1
        if cums_total > 0:
            jj = min(j, last)
            out_point[i] = tier_point[jj, v]
            out_minutes[i] = tier_minutes[jj, v] * factor[i]
            out_role[i] = role[jj]
        else:
            out_point[i] = -1
            out_minutes[i] = np.inf
            out_role[i] = _NONE


@_compile
def class_choose(  # pragma: no cover - compiled
    kind,
    utype,
    village,
    mode,
    uniform,
    main,
    sub,
    share,
    cum,
    total,
    last,
    cand_point,
    cand_minutes,
    factors,
    out_point,
    out_minutes,
    out_role,
):
    """Point, one-way minutes in the villager's mode and role of each non-administrative need
    (written to ``out_*``; -1 / inf / NONE where its row has no option).

    Args:
        kind, utype, village, mode, uniform: Per need: kind, place within its kind, home
            village, travel mode (0: vehicle), one uniform.
        main, sub, share: :func:`~.routing.class_tables`.
        cum, total, last: The cumulative probabilities of the shared table
            (:func:`~.choice.class_table` reshaped to rows (class, mode, village)), their last
            column, and the last positive column of each row.
        cand_point, cand_minutes: The routing's candidates, shape (N_CLASSES, K, n_villages).
        factors: Travel-time multiplier per mode.
    """
    nv = cand_point.shape[2]
    modes = factors.shape[0]
    cols = cum.shape[1]
    for i in range(kind.shape[0]):
        k = kind[i]
        c = np.int64(sub[k]) if utype[i] < share[k] else np.int64(main[k])
        v, md = village[i], mode[i]
        r = (c * modes + md) * nv + v
        tr = total[r]
        x = uniform[i] * tr
        j = 0
        for col in range(cols):
            if cum[r, col] <= x:
                j += 1
        if tr > 0:
            jj = min(j, last[r])
            out_point[i] = cand_point[c, jj, v]
            out_minutes[i] = cand_minutes[c, jj, v] * factors[md]
            out_role[i] = _FINISH
        else:
            out_point[i] = -1
            out_minutes[i] = np.inf
            out_role[i] = _NONE
