"""The companion in a real browser: Debian's headless Chromium at a phone's size, driven by
Selenium, from the QR address to a customised render playing with the lock-screen metadata.
Screenshots of each page are kept in output/screenshots/."""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cuecast.cli import app as cli
from cuecast.script.loader import load_routine
from cuecast.web.app import Config, create_app

from .conftest import ROOT, UPPER_BACK

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="no headless Chromium: install Debian's chromium and chromium-driver "
           "(scripts/test does so when it runs as root)")
SHOTS = ROOT / "output" / "screenshots"
TOKEN = "b" * 32
WAIT_S = 900  # an upper bound for a cold render on a slow machine; waits end on the page's state


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Iterator[tuple[str, Path]]:
    """The companion on a free loopback port, serving the project's routines."""
    import uvicorn

    output = tmp_path_factory.mktemp("browser-output")
    mine = tmp_path_factory.mktemp("browser-routines")  # what the phone saves or composes
    app = create_app(Config(routines=mine, output=output, cache_dir=cache_dir,
                            token=TOKEN, library=UPPER_BACK.parent,
                            data_dir=tmp_path_factory.mktemp("browser-data")))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:  # until uvicorn says it is listening
        threading.Event().wait(0.02)
    # a LAN-like name that stays on loopback (the browser maps it): not a secure context,
    # as a phone on the Wi-Fi sees the companion
    yield f"http://phone.lan:{sock.getsockname()[1]}", output
    server.should_exit = True
    thread.join(30)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--window-size=390,844", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--disable-sync",
                "--disable-component-update", "--disable-dev-shm-usage",
                "--autoplay-policy=no-user-gesture-required",
                "--host-resolver-rules=MAP phone.lan 127.0.0.1",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(arg)
    # a window is at least 500 px wide: the page is laid out as on a 390 x 844 phone screen
    options.add_experimental_option("mobileEmulation", {
        "deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 3.0, "touch": True}})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(DRIVER)))
    driver.set_script_timeout(60)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


AXE = Path(os.environ.get("CUECAST_AXE") or "/nonexistent/axe.min.js")
"""axe-core's script, from npm (scripts/test fetches the pinned version)."""


def _accessible(driver: Any) -> None:
    """axe-core, injected into the page as it is, finds no violation."""
    if not AXE.is_file():
        return  # test_axe_core_is_here says so
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    found = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document).then((r) => done(r.violations.map((v) =>
            [v.id, v.impact, v.nodes.map((n) => n.html.slice(0, 120))])));""")
    assert not found, (driver.current_url, found)


def test_axe_core_is_here() -> None:
    if not AXE.is_file():
        pytest.skip("axe-core not fetched (scripts/test does so with npm): pages not checked")


def _fits_a_phone(driver: Any) -> None:
    """No horizontal scroll at 390 px, and every control big enough for a thumb."""
    width, scroll = driver.execute_script(
        "return [window.innerWidth, document.documentElement.scrollWidth]")
    assert width == 390 and scroll <= width, (width, scroll)
    small = driver.execute_script("""
        return Array.from(document.querySelectorAll(
            'a.button, button, a.item, a.delete, select, input:not([type=checkbox]), ' +
            'summary, label.chip, label.check'))
          .filter(e => e.offsetParent !== null)
          .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])
          .filter(([, h]) => h < 44);""")
    assert not small, small


def test_customise_render_and_play_on_a_phone(site: tuple[str, Path], browser: Any,
                                             runner: CliRunner, cache_dir: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    base, output = site
    wait = WebDriverWait(browser, WAIT_S, poll_frequency=0.1)
    browser.get(f"{base}/?token={TOKEN}")  # the QR code's address
    assert "9 Gentle Stretches to Release Upper Back Pain" in browser.page_source
    _fits_a_phone(browser)
    _accessible(browser)
    browser.save_screenshot(str(SHOTS / "1-library.png"))

    browser.find_element(By.CSS_SELECTOR, 'a[href="/routine/upper-back-pain"]').click()
    wait.until(ec.presence_of_element_located((By.ID, "total")))
    _fits_a_phone(browser)
    _accessible(browser)
    total = browser.find_element(By.ID, "total")
    before = total.text
    cat_cow = browser.find_element(By.ID, "ex0")
    assert cat_cow.get_attribute("value") == "60"
    plus = browser.find_element(By.CSS_SELECTOR, 'button.step[data-for="ex0"][data-step="5"]')
    for _ in range(6):
        plus.click()
    assert cat_cow.get_attribute("value") == "90"
    wait.until(lambda d: total.text != before or d.execute_script(
        "return !document.getElementById('preview-error').hidden"))
    problem = browser.find_element(By.ID, "preview-error")
    assert problem.get_attribute("hidden") is not None, problem.text
    script = runner.invoke(cli, ["script", str(UPPER_BACK), "--json", "--hold", "cat-cow=90",
                                 "--cache-dir", str(cache_dir)])
    expected_ms = json.loads(script.stdout)["duration_ms"]
    assert int(total.get_attribute("data-ms")) == expected_ms  # the compiler's preview
    browser.save_screenshot(str(SHOTS / "2-routine.png"))

    browser.find_element(By.ID, "render").click()
    wait.until(ec.presence_of_element_located((By.ID, "status")))
    browser.save_screenshot(str(SHOTS / "3-rendering.png"))
    # until the player opens, or the page says the render failed (the page's own progress)
    wait.until(lambda d: "/session/" in d.current_url or d.execute_script(
        "const e = document.getElementById('error'); return !!e && !e.hidden"))
    assert "/session/" in browser.current_url, browser.find_element(By.ID, "error").text
    wait.until(ec.presence_of_element_located((By.ID, "chapters")))
    _fits_a_phone(browser)
    stem = browser.current_url.rsplit("/", 1)[-1]
    cues = json.loads((output / f"{stem}.cues.json").read_text(encoding="utf-8"))
    cat = next(h for h in cues["blocks"] if h["exercise"] == "Cat-Cow")
    assert cat["end_ms"] - cat["start_ms"] == 90_000
    rendered = runner.invoke(cli, ["script", str(UPPER_BACK), "--json", "--hold", "cat-cow=90",
                                   "--cache-dir", str(cache_dir)])
    assert json.loads(rendered.stdout)["duration_ms"] == cues["duration_ms"]  # now exact

    third = cues["chapters"][2]
    browser.find_elements(By.CSS_SELECTOR, "button.chapter")[2].click()
    now, shown, title = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const audio = document.getElementById('audio');
        const report = () => { audio.pause(); done([audio.currentTime,
            document.getElementById('instruction').textContent,
            navigator.mediaSession.metadata && navigator.mediaSession.metadata.title]); };
        if (audio.seeking) audio.addEventListener('seeked', report, {once: true});
        else report();""")
    assert abs(now * 1000 - third["start_ms"]) <= 250, (now, third)
    at = round(now * 1000)
    said = [e for e in cues["events"] if e["kind"] == "speech" and e["start_ms"] <= at]
    assert shown == said[-1]["text"]
    assert title == third["title"] == load_routine(UPPER_BACK).exercises[1].name
    _accessible(browser)
    browser.save_screenshot(str(SHOTS / "4-player.png"))

    browser.get(f"{base}/import")
    _fits_a_phone(browser)
    _accessible(browser)
    browser.save_screenshot(str(SHOTS / "5-import.png"))


LOCK_SCREEN = """
(() => {
  if (!('mediaSession' in navigator)) return;
  const session = navigator.mediaSession;
  window.lockScreen = {handlers: {}, positions: []};
  const handle = session.setActionHandler.bind(session);
  session.setActionHandler = (action, handler) => {
    window.lockScreen.handlers[action] = handler;
    handle(action, handler);
  };
  const place = session.setPositionState.bind(session);
  session.setPositionState = (state) => { window.lockScreen.positions.push(state); place(state); };
})();
"""
"""Records what the page hands the lock screen (Media Session), before the page runs."""


def _clock_s(text: str) -> int:
    """``1:05`` -> 65; ``1:02:03`` -> 3723."""
    seconds = 0
    for part in text.strip().split(":"):
        seconds = seconds * 60 + int(part)
    return seconds


def _at(browser: Any, ms: int, play_s: float = 1.0) -> tuple[float, str, str, str]:
    """Seek to ``ms``, play a moment, pause: (the audio's clock in s, #block-left, #next,
    #exercise) as the page shows them then."""
    return tuple(browser.execute_async_script("""
        const [ms, playS, done] = arguments;
        const audio = document.getElementById('audio');
        const read = () => done([audio.currentTime,
            ...['block-left', 'next', 'exercise'].map((id) =>
                document.getElementById(id).textContent)]);
        audio.addEventListener('seeked', () => {
          audio.play().then(() => setTimeout(() => {
            audio.addEventListener('pause', read, {once: true});
            audio.pause();
          }, playS * 1000)).catch((e) => done([-1, String(e), '', '']));
        }, {once: true});
        audio.currentTime = ms / 1000;""", ms, play_s))  # type: ignore[return-value]


@pytest.fixture(scope="module")
def journey() -> dict[str, Any]:
    """What one step of the coach's journey hands the next (a step whose predecessor
    failed is skipped, not failed again)."""
    return {}


def _after(journey: dict[str, Any], *keys: str) -> list[Any]:
    missing = [k for k in keys if k not in journey]
    if missing:
        pytest.skip(f"an earlier step did not get as far as {missing}")
    return [journey[k] for k in keys]


def _waiting(browser: Any) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, WAIT_S, poll_frequency=0.1)


def test_coach_1_compose_leave_one_out_and_ask_for_twenty_minutes(
        site: tuple[str, Path], browser: Any, journey: dict[str, Any]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    base, _ = site
    wait = _waiting(browser)
    # the lock screen's buttons and position, as the page hands them to the browser
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": LOCK_SCREEN})
    browser.get(f"{base}/?token={TOKEN}")
    browser.find_element(By.CSS_SELECTOR, 'a[href="/compose"]').click()
    wait.until(ec.presence_of_element_located((By.ID, "compose")))
    _fits_a_phone(browser)
    _accessible(browser)
    for area in ("neck", "upper-back"):
        browser.find_element(By.CSS_SELECTOR, f'input[name="focus"][value="{area}"]').click()
    minutes = browser.find_element(By.ID, "minutes")
    minutes.clear()
    minutes.send_keys("15")
    browser.save_screenshot(str(SHOTS / "6-compose.png"))
    browser.find_element(By.ID, "make").click()
    wait.until(ec.presence_of_element_located((By.ID, "total")))
    assert "/routine/neck-and-upper-back-15-minutes" in browser.current_url
    _fits_a_phone(browser)
    _accessible(browser)
    # leave out the first timed exercise, and ask for twenty minutes
    names = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".exercise label.name")]
    units = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".exercise .unit")]
    left_out = names[next(i for i, u in enumerate(units) if u.startswith("s"))]
    browser.find_element(By.ID, f"in{names.index(left_out)}").click()
    length = browser.find_element(By.NAME, "length")
    length.clear()
    length.send_keys("20:00")
    total = browser.find_element(By.ID, "total")
    wait.until(lambda d: total.text == "20:00" or d.execute_script(
        "return !document.getElementById('preview-error').hidden"))
    assert total.text == "20:00", browser.find_element(By.ID, "preview-error").text
    browser.save_screenshot(str(SHOTS / "7-routine-20-minutes.png"))
    journey["left_out"] = left_out


def test_coach_2_render_lasts_twenty_minutes(site: tuple[str, Path], browser: Any,
                                             journey: dict[str, Any]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    from .audio_measure import decode

    (left_out,) = _after(journey, "left_out")
    _, output = site
    wait = _waiting(browser)
    browser.find_element(By.ID, "render").click()
    wait.until(lambda d: "/session/" in d.current_url or d.execute_script(
        "const e = document.getElementById('error'); return !!e && !e.hidden"))
    assert "/session/" in browser.current_url, browser.find_element(By.ID, "error").text
    wait.until(ec.presence_of_element_located((By.ID, "block-left")))
    stem = browser.current_url.rsplit("/", 1)[-1]
    cues = json.loads((output / f"{stem}.cues.json").read_text(encoding="utf-8"))
    assert abs(cues["duration_ms"] - 20 * 60_000) <= 1000
    assert abs(len(decode(output / f"{stem}.mp3")) * 1000 / 44_100 - 20 * 60_000) <= 1050
    assert left_out not in {b["exercise"] for b in cues["blocks"]}
    _fits_a_phone(browser)
    _accessible(browser)
    size = browser.execute_script(
        "return parseFloat(getComputedStyle(document.getElementById('block-left')).fontSize)")
    assert size >= 64
    journey.update(stem=stem, cues=cues)


def test_coach_3_a_hold_counted_down_and_reps_counted_up(browser: Any,
                                                        journey: dict[str, Any]) -> None:
    (cues,) = _after(journey, "cues")
    hold = next(b for b in cues["blocks"] if b["reps"] is None)
    shown = []
    for into_ms in (3000, 9000):  # on the audio's own clock
        now, left, coming, doing = _at(browser, hold["start_ms"] + into_ms)
        assert now > 0, left
        remaining = hold["end_ms"] / 1000 - now
        assert abs(_clock_s(left) - remaining) <= 1, (left, remaining)
        assert doing.startswith(hold["exercise"])
        assert coming.startswith("Next: ") and len(coming) > len("Next: ")
        shown.append(_clock_s(left))
    assert shown[1] < shown[0]  # counting down
    browser.save_screenshot(str(SHOTS / "8-player-hold.png"))
    reps = next(b for b in cues["blocks"] if b["reps"])  # a rep block: "N of M"
    tempo = (reps["end_ms"] - reps["start_ms"]) / reps["reps"]
    now, counted, coming, _ = _at(browser, round(reps["start_ms"] + 2.3 * tempo), 0.3)
    rep = int((now * 1000 - reps["start_ms"]) // tempo) + 1
    assert counted == f"{rep} of {reps['reps']}", (counted, rep)
    assert coming.startswith("Next: ")
    browser.save_screenshot(str(SHOTS / "9-player-reps.png"))
    last = cues["blocks"][-1]  # the last block says the finish comes next
    assert _at(browser, last["start_ms"] + 1000, 0.3)[2] == "Next: the finish"


def test_coach_4_the_lock_screen(browser: Any, journey: dict[str, Any]) -> None:
    """10 s seeks, chapters back and forth, its position and artwork."""
    (cues,) = _after(journey, "cues")
    start = cues["chapters"][2]["start_ms"] + 20_000
    _at(browser, start, 0.2)
    lock = browser.execute_script("""
        const audio = document.getElementById('audio'), press = window.lockScreen.handlers;
        const at = () => Math.round(audio.currentTime * 1000);
        const from = at();
        press.seekforward({}); const forward = at();
        press.seekbackward({}); press.seekbackward({}); const back = at();
        press.nexttrack({}); const next = at();
        press.previoustrack({}); const previous = at();
        audio.pause();
        const states = window.lockScreen.positions, art = navigator.mediaSession.metadata;
        return [from, forward, back, next, previous, states[states.length - 1],
                audio.duration, art.artwork.map((a) => a.src)];""")
    at, forward, back, following, previous, position, seconds, artwork = lock
    assert abs(forward - at - 10_000) <= 50 and abs(back - (at - 10_000)) <= 50
    assert abs(following - cues["chapters"][3]["start_ms"]) <= 50
    assert abs(previous - cues["chapters"][2]["start_ms"]) <= 50
    assert abs(position["duration"] - seconds) < 0.01 and position["playbackRate"] == 1
    assert any(src.endswith("/static/icon-512.png") for src in artwork)


def test_coach_5_the_home_screen_manifest_and_icons(browser: Any,
                                                    journey: dict[str, Any]) -> None:
    _after(journey, "cues")
    manifest, icons = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const link = document.querySelector('link[rel=manifest]');
        fetch(link.href, {credentials: 'include'}).then((r) => r.json()).then((m) =>
          Promise.all(m.icons.map((i) => new Promise((ok) => {
            const img = new Image();
            img.onload = () => ok([i.sizes, i.purpose, img.naturalWidth, img.naturalHeight]);
            img.onerror = () => ok([i.sizes, i.purpose, 0, 0]);
            img.src = i.src;
          }))).then((icons) => done([m, icons])));""")
    assert manifest["name"] and manifest["short_name"] and manifest["display"] == "standalone"
    assert ["192x192", "any", 192, 192] in icons and ["512x512", "any", 512, 512] in icons
    assert ["512x512", "maskable", 512, 512] in icons
    touch = browser.execute_script(
        "const l = document.querySelector('link[rel=apple-touch-icon]'); return l && l.href")
    assert touch and browser.execute_script(f"""
        const img = new Image(); img.src = {json.dumps(touch)};
        return img.decode().then(() => img.naturalWidth);""") == 180


def test_coach_6_delete_after_a_confirm(site: tuple[str, Path], browser: Any,
                                        journey: dict[str, Any]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    stem, left_out = _after(journey, "stem", "left_out")
    base, output = site
    wait = _waiting(browser)
    browser.get(f"{base}/")
    entry = browser.find_element(By.CSS_SELECTOR, f'a.delete[href="/session/{stem}/delete"]')
    assert "20:00" in browser.find_element(By.ID, "sessions").text  # what was customised
    assert f"without {left_out}" in browser.find_element(By.ID, "sessions").text
    entry.click()
    wait.until(ec.presence_of_element_located((By.ID, "confirm-delete")))
    _fits_a_phone(browser)
    _accessible(browser)
    browser.save_screenshot(str(SHOTS / "10-delete.png"))
    browser.find_element(By.ID, "confirm-delete").click()
    wait.until(ec.presence_of_element_located((By.ID, "sessions")))
    assert not list(output.glob(f"{stem}.*"))
    assert f"/session/{stem}" not in browser.page_source


def test_practice_1_start_a_programme(site: tuple[str, Path], browser: Any,
                                      journey: dict[str, Any]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    base, _ = site
    wait = _waiting(browser)
    browser.get(f"{base}/?token={TOKEN}")
    card = browser.find_element(By.ID, "today")
    assert "Choose a programme" in card.text
    card.find_element(By.CSS_SELECTOR, 'a[href="/programmes"]').click()
    wait.until(ec.presence_of_element_located((By.ID, "programmes")))
    _fits_a_phone(browser)
    _accessible(browser)
    browser.save_screenshot(str(SHOTS / "11-programmes.png"))
    browser.find_element(By.CSS_SELECTOR, 'button[aria-label="Start Desk Break, 2 Weeks"]').click()
    wait.until(ec.presence_of_element_located((By.ID, "today-heading")))
    heading = browser.find_element(By.ID, "today-heading").text
    assert heading.startswith("Day 1 of 14: Hip Openers for Desk Workers"), heading
    assert "We start gently" in browser.find_element(By.ID, "today").text
    _fits_a_phone(browser)
    _accessible(browser)
    browser.save_screenshot(str(SHOTS / "12-today.png"))
    journey["programme"] = "desk-break-2-weeks"


def test_practice_2_play_to_the_end_and_say_how_it_felt(site: tuple[str, Path], browser: Any,
                                                        journey: dict[str, Any]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    from .audio_measure import decode

    (name,) = _after(journey, "programme")
    _, output = site
    wait = _waiting(browser)
    browser.find_element(By.ID, "play-today").click()  # renders it, or it is ready already
    wait.until(lambda d: "/session/" in d.current_url or d.execute_script(
        "const e = document.getElementById('error'); return !!e && !e.hidden"))
    assert browser.current_url.endswith(f"/session/{name}/day-01")
    wait.until(ec.presence_of_element_located((By.ID, "practice")))
    mp3 = output / name / "day-01.mp3"
    assert abs(len(decode(mp3)) * 1000 / 44_100 - 10 * 60_000) <= 1050  # fitted to 10:00
    _fits_a_phone(browser)
    _accessible(browser)
    # played to the end: the page records it done and asks how it felt
    ended = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const audio = document.getElementById('audio');
        const go = () => {
          audio.addEventListener('ended', () => done(true), {once: true});
          audio.currentTime = Math.max(0, audio.duration - 1.5);
          audio.play().catch((e) => done(String(e)));
        };
        if (Number.isFinite(audio.duration)) go();
        else audio.addEventListener('loadedmetadata', go, {once: true});""")
    assert ended is True, ended
    wait.until(lambda d: d.find_element(By.ID, "feedback").is_displayed())
    wait.until(lambda d: "Recorded" in d.find_element(By.ID, "practice-status").text)
    _accessible(browser)
    browser.save_screenshot(str(SHOTS / "13-how-did-it-feel.png"))
    browser.find_element(By.CSS_SELECTOR, 'button.feeling[data-felt="right"]').click()
    wait.until(lambda d: "felt right" in d.find_element(By.ID, "practice-status").text)
    journey["done"] = True


def test_practice_3_the_next_day_and_the_programme_page(site: tuple[str, Path], browser: Any,
                                                        journey: dict[str, Any]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    _after(journey, "done")
    del site  # the companion it is served from
    wait = _waiting(browser)
    browser.find_element(By.CSS_SELECTOR, "#practice-next a").click()
    wait.until(ec.presence_of_element_located((By.ID, "today-heading")))
    heading = browser.find_element(By.ID, "today-heading").text
    assert heading.startswith("Day 2 of 14: Neck and Shoulder Release"), heading
    browser.find_element(By.CSS_SELECTOR, 'a[href="/programme"]').click()
    wait.until(ec.presence_of_element_located((By.ID, "calendar")))
    done_days = browser.find_elements(By.CSS_SELECTOR, "#calendar td.done")
    assert len(done_days) == 1
    assert "felt right" in done_days[0].find_element(By.TAG_NAME, "span").get_attribute(
        "aria-label")
    assert browser.find_elements(By.CSS_SELECTOR, "#chart rect.bar-minutes")
    rows = browser.find_elements(By.CSS_SELECTOR, "#figures tbody tr")
    assert len(rows) == 2 and rows[0].text.startswith("1 10")  # ten minutes in week 1
    _fits_a_phone(browser)
    _accessible(browser)
    browser.save_screenshot(str(SHOTS / "14-programme.png"))
