"""The app in a real browser: Debian's headless Chromium driven by Playwright.

The test starts ``mergesim app`` on a free local port (a subprocess, as a user would), waits
for the county map, runs the seed county past the reform week, switches off the agency service
(``services.agency_service``), resets, runs the same weeks again and checks — reading the
values from the page, not from Python — that the outcome the map shows changed.

Screenshots are kept in ``results/test_artifacts/app/`` (or ``$MERGESIM_TEST_ARTIFACTS``),
overwritten by each run. Skipped, with the reason, only when no Chromium binary exists
(``.ci/run`` installs Debian's ``chromium``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = (
    Path(os.environ.get("MERGESIM_TEST_ARTIFACTS", ROOT / "results" / "test_artifacts")) / "app"
)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Weeks run in each case: past the reform week (26) of the seed county, into the transition.
WEEKS = 30
START_TIMEOUT_S = 60  # the issue: the page is served within 60 s of start
NUMBER = re.compile(r"county: (-?[0-9.]+(?:e-?\d+)?)")


def chromium_binary() -> str | None:
    """Debian's Chromium, if installed."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.fixture
def chromium() -> str:
    """Path of the Chromium binary; skips the test when there is none."""
    path = chromium_binary()
    if path is None:
        pytest.skip("no Chromium binary: install Debian's chromium (apt-get install chromium)")
    return path


@pytest.fixture
def app_url(chromium, tmp_path):
    """Start ``mergesim app`` on a free port; yield its address; stop it."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mergesim",
            "app",
            str(ROOT / "scenarios" / "seed_county.toml"),
            "--port",
            "0",
            "--results",
            str(tmp_path),
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    t0 = time.monotonic()
    url = None
    while url is None and time.monotonic() - t0 < START_TIMEOUT_S and proc.poll() is None:
        url = next((m.group(0) for line in lines if (m := re.search(r"http://\S+/", line))), None)
        time.sleep(0.1)
    try:
        if url is None:
            proc.terminate()
            pytest.fail(
                f"mergesim app printed no address within {START_TIMEOUT_S} s; "
                f"stderr: {proc.stderr.read()[-2000:]}"
            )
        yield url, time.monotonic() - t0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _readout(page: Page) -> float:
    """The county value of the map's outcome for run A, as the page shows it."""
    text = page.locator(".mergesim-readout").first.inner_text()
    m = NUMBER.search(text)
    assert m, f"no value in the readout {text!r}"
    return float(m.group(1))


def _map_src(page: Page) -> str:
    """The image data of run A's map (the PNG the page shows)."""
    return page.locator("img.mergesim-map, .mergesim-map img").first.get_attribute("src")


def _run_weeks(page: Page, weeks: int) -> None:
    page.get_by_role("button", name="Step", exact=True).click()
    page.locator(".mergesim-status", has_text=f"week {weeks} of").wait_for(timeout=120_000)


@pytest.mark.slow
def test_switching_off_the_agency_service_changes_the_map(chromium, app_url):
    url, started = app_url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        # A fresh profile per run; launch_persistent_context passes it as --user-data-dir.
        ctx = pw.chromium.launch_persistent_context(
            profile,
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1500, "height": 1100},
        )
        try:
            page = ctx.new_page()
            t0 = time.monotonic()
            page.goto(url)
            page.locator(".mergesim-map").first.wait_for(timeout=START_TIMEOUT_S * 1000)
            print(f"app address after {started:.1f} s, map after {time.monotonic() - t0:.1f} s")
            page.screenshot(path=ARTIFACTS / "01_start.png", full_page=True)
            assert "week 0 of" in page.locator(".mergesim-status").inner_text()
            assert _readout(page) == 0.0  # nothing has changed before the reform

            weeks = page.get_by_label("weeks per step")
            weeks.fill(str(WEEKS))
            weeks.press("Enter")
            _run_weeks(page, WEEKS)
            with_agency = _readout(page)
            map_with = _map_src(page)
            page.screenshot(path=ARTIFACTS / "02_agency_on.png", full_page=True)

            page.locator("label", has_text=re.compile(r"^agency service$")).click()
            assert page.get_by_label("agency service").get_attribute("aria-checked") == "false"
            page.get_by_role("button", name="Reset", exact=True).click()
            page.locator(".mergesim-status", has_text="week 0 of").wait_for(timeout=60_000)
            _run_weeks(page, WEEKS)
            without_agency = _readout(page)
            map_without = _map_src(page)
            page.screenshot(path=ARTIFACTS / "03_agency_off.png", full_page=True)
            frame = page.locator(".mergesim-frame").inner_text()
        finally:
            ctx.close()
    print(
        f"travel change with the agency service {with_agency}, without {without_agency}; "
        f"{frame}; screenshots in {ARTIFACTS}"
    )
    # The reform changes travel (the plan moves service centres) ...
    assert with_agency != 0.0
    # ... and without the agency service villagers carry their own paperwork to a service
    # point: same seed, same weeks, so the only difference is the switch, and expected travel
    # cannot fall when an in-village option is taken away.
    assert without_agency > with_agency
    assert map_without != map_with
