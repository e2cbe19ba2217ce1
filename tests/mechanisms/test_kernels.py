"""The choice of path for the compiled stretches (``MERGESIM_KERNEL``), and a whole run on both.

Each compiled stretch has its own bit-for-bit test on random arrays (``grievance/
test_grievance_kernel.py``, ``services/test_services_kernel.py``); the whole run below holds
all of them at once to the reference, where a single flipped decision (a threshold crossed, a
point chosen) would change every later week.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from mergesim.config.schema import Scenario
from mergesim.errors import UserError
from mergesim.mechanisms.kernels import ENV, kernel_name, numba_installed
from mergesim.model import MergerModel


def test_kernel_name_reads_the_environment(monkeypatch):
    monkeypatch.setenv(ENV, "numpy")
    assert kernel_name() == "numpy"
    monkeypatch.setenv(ENV, " NumPy ")
    assert kernel_name() == "numpy"
    monkeypatch.delenv(ENV)
    assert kernel_name() == ("numba" if numba_installed() else "numpy")
    monkeypatch.setenv(ENV, "fortran")
    with pytest.raises(UserError, match="MERGESIM_KERNEL: 'fortran' is not a kernel; allowed"):
        kernel_name()


def test_numba_asked_for_without_numba_is_one_clear_error(monkeypatch):
    monkeypatch.setattr("mergesim.mechanisms.kernels.numba_installed", lambda: False)
    monkeypatch.setenv(ENV, "numba")
    with pytest.raises(UserError, match="numba is not installed"):
        kernel_name()


@pytest.mark.slow  # two runs of the whole timeline: about 10 s
@pytest.mark.skipif(not numba_installed(), reason="numba not installed")
def test_paths_give_the_same_weekly_metrics_over_a_whole_run(seed_county, monkeypatch):
    """The seed county at 2 % over the whole timeline (reform, campaign, election): every
    weekly metric, the services' counts, the petitions and the villagers' end state are the
    same on both paths."""
    county, plan = seed_county
    base = Scenario()
    s = dataclasses.replace(base, villagers=dataclasses.replace(base.villagers, scale=0.02))
    runs = {}
    for kernel in ("numpy", "numba"):
        monkeypatch.setenv(ENV, kernel)
        m = MergerModel(s, county=county, plan=plan).run()
        assert m.grievance.kernel == kernel
        assert m.services._chooser.kernel == kernel
        runs[kernel] = m
    ref, fast = runs["numpy"], runs["numba"]
    a = ref.datacollector.get_model_vars_dataframe()
    b = fast.datacollector.get_model_vars_dataframe()
    assert len(a) > 150  # the whole timeline, one row a week
    assert a.equals(b), [c for c in a.columns if not a[c].equals(b[c])][:10]
    assert int(a["aggrieved_share"].gt(0).sum()) > 10  # the run does reach thresholds
    np.testing.assert_array_equal(fast.villagers.grievance, ref.villagers.grievance)
    np.testing.assert_array_equal(fast.villagers.trust, ref.villagers.trust)
    assert fast.petitions.loop.rec.n == ref.petitions.loop.rec.n
    assert fast.services.served == ref.services.served > 0
    np.testing.assert_array_equal(fast.services.points.staff, ref.services.points.staff)
