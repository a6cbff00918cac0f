"""The companion in a real browser: Debian's headless Chromium at a phone's size, driven by
Selenium, from the QR address to a customised render playing with the lock-screen metadata.
Screenshots of each page are kept in output/screenshots/."""

from __future__ import annotations

import json
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cuecast.cli import app as cli
from cuecast.loader import load_routine
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
    app = create_app(Config(routines=UPPER_BACK.parent, output=output, cache_dir=cache_dir,
                            token=TOKEN))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:  # until uvicorn says it is listening
        threading.Event().wait(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", output
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


def _fits_a_phone(driver: Any) -> None:
    """No horizontal scroll at 390 px, and every control big enough for a thumb."""
    width, scroll = driver.execute_script(
        "return [window.innerWidth, document.documentElement.scrollWidth]")
    assert width == 390 and scroll <= width, (width, scroll)
    small = driver.execute_script("""
        return Array.from(document.querySelectorAll(
            'a.button, button, a.item, select, input:not([type=checkbox]), summary'))
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
    browser.save_screenshot(str(SHOTS / "1-library.png"))

    browser.find_element(By.CSS_SELECTOR, 'a[href="/routine/upper-back-pain"]').click()
    wait.until(ec.presence_of_element_located((By.ID, "total")))
    _fits_a_phone(browser)
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
    assert browser.find_element(By.ID, "preview-error").get_attribute("hidden") is not None
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
    browser.save_screenshot(str(SHOTS / "4-player.png"))

    browser.get(f"{base}/import")
    _fits_a_phone(browser)
    browser.save_screenshot(str(SHOTS / "5-import.png"))
