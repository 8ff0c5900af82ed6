"""The dashboard used the way a person uses it: `siyi dashboard` in headless Chromium (Playwright).

Starts the server on a free loopback port, opens the page in Debian's chromium, checks that the
controls and charts render, changes a lever, steps the model, sees plotted values and pixels
change, opens the comparison view, and saves screenshots to ``results/test_artifacts/``.
The server is always killed, and every wait is bounded.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("solara")
sync_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "results" / "test_artifacts"
CHROMIUM = os.environ.get("SIYI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_S = 60
UI_TIMEOUT_MS = 30_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="module")
def dashboard_url():
    """`siyi dashboard` on a free loopback port; killed whatever happens."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    log = open(ARTIFACTS / "dashboard_server.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "siyi_sim.cli", "dashboard", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"siyi dashboard exited with {proc.returncode}: "
                    f"{(ARTIFACTS / 'dashboard_server.log').read_text()[-2000:]}"
                )
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"siyi dashboard did not answer on {url} within {SERVER_START_S} s")
            time.sleep(0.3)
        yield url
    finally:
        _stop(proc)
        log.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=60_000
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _data(page, chart: str, key: str) -> str:
    return page.locator(f".siyi-chart-{chart}").first.get_attribute(f"data-{key}")


def _wait_day(page, day: int) -> float:
    """Seconds until every chart on the page plots ``day`` (each chart updates on its own)."""
    started = time.perf_counter()
    page.wait_for_function(
        f"(() => {{ const c = [...document.querySelectorAll('.siyi-chart')]; "
        f"return c.length > 0 && c.every(e => e.dataset.day === '{day}'); }})()",
        timeout=UI_TIMEOUT_MS,
    )
    return time.perf_counter() - started


@pytest.mark.timeout(150)
def test_dashboard_renders_steers_steps_and_compares_in_chromium(dashboard_url, browser):
    page = browser.new_page(viewport={"width": 1600, "height": 1840})
    page.set_default_timeout(UI_TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        page.goto(dashboard_url, timeout=UI_TIMEOUT_MS)

        # the controls and the four live charts render
        for chart in ("network", "issues", "closeness", "clear-close"):
            page.locator(f".siyi-chart-{chart} canvas").first.wait_for(state="visible")
        for text in (
            "Scenario",
            "Placement length (days)",
            "Matching",
            "Follow-up after return",
            "Integrity safeguards",
            "Policy-matching desk",
            "Promotion rate (1/year)",
        ):
            assert page.get_by_text(text, exact=False).first.is_visible(), text
        for button in ("Step", "Play", "Reset"):
            assert page.get_by_role("button", name=button).first.is_visible(), button
        assert page.locator(".siyi-table").first.get_by_text("Cadres placed").is_visible()
        assert _data(page, "issues", "day") == "0"

        # change a lever: the run is rebuilt with it (still day 0) and labelled as changed
        page.get_by_text("Integrity safeguards").first.click()
        page.get_by_text("1 lever(s) differ").first.wait_for()
        page.locator(".siyi-table th", has_text="levers changed").first.wait_for()
        assert _data(page, "issues", "day") == "0"

        # step 30 days: plotted values and the chart's pixels change
        before_pixels = page.locator(".siyi-chart-issues").first.screenshot()
        page.locator(".siyi-days-per-step").first.get_by_role("button", name="30").click()
        page.locator(".siyi-step").first.click()
        first_step_s = _wait_day(page, 30)
        assert int(_data(page, "issues", "ordinary")) > 0
        page.wait_for_timeout(300)  # let ECharts paint
        assert page.locator(".siyi-chart-issues").first.screenshot() != before_pixels

        # on to day 150: the 2020 campaign has started, the program resolves issues, ties appear
        step_seconds = []
        for day in (60, 90, 120, 150):
            page.locator(".siyi-step").first.click()
            step_seconds.append(_wait_day(page, day))
        assert int(_data(page, "issues", "program")) > 0
        assert int(_data(page, "network", "ties")) > 0
        page.locator(".siyi-days-per-step").first.get_by_role("button", name="1", exact=True).click()
        page.locator(".siyi-step").first.click()
        one_day_s = _wait_day(page, 151)
        kpi = page.locator(".siyi-kpi.program .kpi-value").first.inner_text()
        assert kpi.replace(",", "") == _data(page, "issues", "program")
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

        # play runs on by itself; pause stops it
        page.locator(".siyi-play").first.click()
        page.wait_for_function(
            "Number(document.querySelector('.siyi-chart-issues').dataset.day) >= 153", timeout=UI_TIMEOUT_MS
        )
        page.locator(".siyi-play").first.click()
        page.get_by_role("button", name="Play").first.wait_for()
        page.wait_for_timeout(800)
        paused_at = _data(page, "issues", "day")
        page.wait_for_timeout(1500)
        assert _data(page, "issues", "day") == paused_at
        (ARTIFACTS / "dashboard_step_seconds.txt").write_text(
            f"first 30-day step {first_step_s:.3f}\n"
            + "".join(f"30-day step {s:.3f}\n" for s in step_seconds)
            + f"1-day step {one_day_s:.3f}\n"
        )
        assert max([*step_seconds, one_day_s]) < 10, step_seconds  # generous: CI machines are shared

        # comparison view: two scenarios, one seed, side by side
        page.get_by_role("tab", name="Compare two scenarios").click()
        for chart in ("network-a", "network-b", "issues", "clear-close"):
            page.locator(f".siyi-chart-{chart} canvas").first.wait_for(state="visible")
        page.locator(".siyi-days-per-step").first.get_by_role("button", name="90").click()
        for day in (90, 180):
            page.locator(".siyi-step").first.click()
            _wait_day(page, day)
        assert _data(page, "network-b", "day") == "180"
        assert int(_data(page, "network-a", "ties")) > 0 and int(_data(page, "network-b", "ties")) > 0
        assert page.locator(".siyi-table th", has_text="B − A").first.is_visible()
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "dashboard_compare.png"), full_page=True)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "dashboard_failure.png"), full_page=True)
        raise
    finally:
        page.close()
    assert not [e for e in errors if "module.exports" not in e], errors
    assert "Traceback" not in (ARTIFACTS / "dashboard_server.log").read_text()


def _wait_chart_day(page, chart: str, day: int) -> None:
    page.wait_for_function(
        f"(() => {{ const e = document.querySelector('.siyi-chart-{chart}'); "
        f"return e && e.dataset.day === '{day}'; }})()",
        timeout=UI_TIMEOUT_MS,
    )


@pytest.mark.timeout(300)
def test_compare_answers_the_five_year_question_in_both_languages_and_exports(dashboard_url, browser, tmp_path):
    """Baseline against normalized_promotion to day 1,825; the language switch; an export."""
    page = browser.new_page(viewport={"width": 1600, "height": 1840}, accept_downloads=True)
    page.set_default_timeout(UI_TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    try:
        page.goto(dashboard_url, timeout=UI_TIMEOUT_MS)
        # the first tab's charts must have started before it is left: ECharts loads asynchronously, and
        # a chart unmounted before it loaded reports "Initialize failed: invalid dom"
        for chart in ("network", "issues", "closeness", "clear-close"):
            page.locator(f".siyi-chart-{chart} canvas").first.wait_for(state="visible")
        page.get_by_role("tab", name="Compare two scenarios").click()
        page.locator(".siyi-chart-network-b canvas").first.wait_for(state="visible")
        for select, name in ((".siyi-scenario-a", "baseline"), (".siyi-scenario-b", "normalized_promotion")):
            page.locator(select).first.click()
            open_menu = page.locator(".menuable__content__active")  # Vuetify keeps closed menus in the page
            open_menu.get_by_role("option", name=name, exact=True).click()
            open_menu.wait_for(state="detached")
        page.locator(".siyi-heading-b", has_text="B · normalized_promotion").wait_for()
        page.locator(".siyi-heading-a", has_text="A · baseline").wait_for()
        _wait_chart_day(page, "network-b", 0)

        page.locator(".siyi-days-per-step").first.get_by_role("button", name="90").click()
        for day in [*range(90, 1825, 90), 1825]:
            page.locator(".siyi-step").first.click()
            _wait_chart_day(page, "network-b", day)
        for chart in ("issues", "closeness", "clear-close"):
            _wait_chart_day(page, chart, 1825)  # the shared charts run to the longer horizon
        assert _data(page, "network-a", "day") == "365"  # the baseline ended at its own horizon
        assert page.locator(".siyi-kpi-b .siyi-kpi.day .kpi-value").inner_text() == "1825 / 1825"
        assert page.locator(".siyi-heading-a", has_text="ended at its horizon").is_visible()
        assert page.get_by_role("button", name="Step").first.is_disabled()
        page.wait_for_timeout(1500)  # let ECharts paint
        page.screenshot(path=str(ARTIFACTS / "dashboard_compare_1825.png"), full_page=True)
        issues_pixels = page.locator(".siyi-chart-issues").first.screenshot()

        # export: normalized_promotion's summary as it stands on day 1,825
        page.locator(".siyi-export-b .siyi-export-prepare").click()
        with page.expect_download() as download:
            page.locator(".siyi-export-b a.siyi-export-summary-json").click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        exported = json.loads(saved.read_text())
        assert (exported["scenario"], exported["day"], exported["seed"]) == ("normalized_promotion", 1825, 0)
        assert exported["summary"]["issues_resolved_total"] > 0
        with page.expect_download() as download:
            page.locator(".siyi-export-b a.siyi-export-trust_graph-graphml").click()
        assert download.value.suggested_filename.endswith("trust_graph.graphml")
        assert b"<graphml" in Path(download.value.path()).read_bytes()

        # the language switch: labels from the indicator registry, the numbers unchanged
        ordinary = page.locator(".siyi-kpi-b .siyi-kpi.ordinary .kpi-value").inner_text()
        page.wait_for_timeout(1500)  # ECharts' drawing animation
        assert page.locator(".siyi-chart-issues").first.screenshot() == issues_pixels  # still day 1,825's lines
        page.locator(".siyi-lang").get_by_role("button", name="zh").click()
        page.get_by_role("tab", name="比较两个情景").wait_for()
        page.locator(".siyi-chart-network-b canvas").first.wait_for(state="visible")
        page.locator(".siyi-kpi-b .kpi-label", has_text="清廉指数").first.wait_for()
        page.locator(".siyi-table th", has_text="指标").first.wait_for()
        assert page.locator(".siyi-kpi-b .siyi-kpi.ordinary .kpi-value").inner_text() == ordinary
        assert _data(page, "network-b", "day") == "1825"  # switching language keeps the run
        page.wait_for_timeout(1500)  # let ECharts paint
        assert page.locator(".siyi-chart-issues").first.screenshot() != issues_pixels  # the charts speak Chinese
        page.screenshot(path=str(ARTIFACTS / "dashboard_compare_1825_zh.png"), full_page=True)
        page.locator(".siyi-lang").get_by_role("button", name="en").click()
        page.get_by_role("tab", name="Compare two scenarios").wait_for()
        for chart in ("network-a", "network-b", "issues", "closeness", "clear-close"):
            page.locator(f".siyi-chart-{chart} canvas").first.wait_for(state="visible")
        page.wait_for_timeout(1500)
        assert page.locator(".siyi-chart-issues").first.screenshot() == issues_pixels  # day 1,825 again, in English
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "dashboard_failure.png"), full_page=True)
        raise
    finally:
        page.close()
    assert not [e for e in errors if "module.exports" not in e], errors
    assert "Traceback" not in (ARTIFACTS / "dashboard_server.log").read_text()
