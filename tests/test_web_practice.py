"""Practice on the phone, through the app: today's card, start, play, done and how it felt,
the next day rendered ahead, the programme page, the feed's seasons, and a damaged history
that never takes a page down."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import feedparser
import podcastparser
import pytest
from fastapi.testclient import TestClient

from cuecast.practice.daily import start
from cuecast.practice.history import FILE_NAME
from cuecast.web.access import COOKIE
from cuecast.web.app import Config, create_app

from .conftest import ORIGIN, ROUTINES, TOKEN, job_ended
from .snippets import ROUTINE

PROGRAMME = """title: Test Programme
weeks: 2
sessions_per_week: 1
sessions:
  - routine: test-session
progression: {hold: 5}
"""


@pytest.fixture
def phone(tmp_path: Path, cache_dir: Path) -> Iterator[TestClient]:
    mine = tmp_path / "routines"
    mine.mkdir()
    (mine / "test-session.yaml").write_text(
        ROUTINE.replace("title: Test Session",
                        "title: Test Session\ndefaults: {rest: 2, step_pause: 1}"),
        encoding="utf-8")
    app = create_app(Config(routines=mine, output=tmp_path / "output", cache_dir=cache_dir,
                            token=TOKEN, library=ROUTINES, data_dir=tmp_path / "data"))
    with TestClient(app) as c:
        c.cookies.set(COOKIE, TOKEN)
        yield c


def _config(client: TestClient) -> Config:
    config: Config = client.app.state.companion.config  # type: ignore[attr-defined]
    return config


def _start(client: TestClient, tmp_path: Path) -> None:
    programme = tmp_path / "test-programme.yaml"
    programme.write_text(PROGRAMME, encoding="utf-8")
    config = _config(client)
    start(programme=str(programme), data_dir=config.data_dir,
          routines=[ROUTINES, config.routines])


def _idle(client: TestClient) -> None:
    """Until the render queue has nothing running or waiting."""
    jobs = client.app.state.companion.jobs  # type: ignore[attr-defined]
    while jobs.running() is not None or any(
            jobs.position(j) for j in list(jobs._jobs.values())):
        threading.Event().wait(0.05)


def _card(client: TestClient) -> str:
    page = client.get("/").text
    found = re.search(r'<section class="card" id="today".*?</section>', page, flags=re.S)
    assert found is not None
    return html.unescape(found.group(0))


def test_without_a_programme_the_library_offers_them(phone: TestClient) -> None:
    assert "Choose a programme" in _card(phone)
    listed = phone.get("/programmes").text
    for name in ("upper-back-4-weeks", "desk-break-2-weeks", "hamstrings-and-hips-30-days"):
        assert f'value="{name}"' in listed
    refused = phone.post("/programmes/start", data={"name": "../../etc"}, headers=ORIGIN)
    assert refused.status_code == 400 and "Choose one of the programmes" in refused.text


def test_play_to_the_end_feedback_and_the_next_day_appears(phone: TestClient,
                                                           tmp_path: Path) -> None:
    _start(phone, tmp_path)
    card = _card(phone)
    assert "Day 1 of 2: Test Session" in card and "We start gently" in card
    played = phone.post("/today/play", headers=ORIGIN, follow_redirects=False)
    assert played.status_code == 303 and played.headers["location"].startswith("/jobs/")
    state = job_ended(phone, played.headers["location"].rsplit("/", 1)[-1])
    assert state["state"] == "done", state
    assert state["player"] == "/session/test-programme/day-01"
    player = phone.get(str(state["player"])).text
    assert 'id="practice" data-day="1" data-done="no"' in player
    assert (tmp_path / "output" / "test-programme" / "day-01.mp3").is_file()
    # played to the end: done; then how it felt
    done = phone.post("/api/today/done", json={"day": 1, "played_ms": 95_000}, headers=ORIGIN)
    assert done.status_code == 200 and done.json()["day"] == 1
    felt = phone.post("/api/today/done", json={"day": 1, "felt": "easy"}, headers=ORIGIN)
    assert felt.json() == {"day": 1, "felt": "easy", "played_ms": 95_000}
    _idle(phone)  # the next day was rendered ahead
    card = _card(phone)
    assert "Day 2 of 2: Test Session" in card
    assert "Week 2. Holds are" in card  # what changed, as its introduction says
    assert 'href="/session/test-programme/day-02"' in card  # ready: Play is the player
    again = phone.get("/session/test-programme/day-01").text
    assert 'data-done="yes"' in again


def test_the_feed_has_a_season_per_programme_and_podlove_chapters(phone: TestClient,
                                                                  tmp_path: Path) -> None:
    _start(phone, tmp_path)
    job = phone.post("/today/play", headers=ORIGIN, follow_redirects=False)
    job_ended(phone, job.headers["location"].rsplit("/", 1)[-1])
    body = phone.get("/feed.xml").content
    parsed = feedparser.parse(body)
    assert not parsed.bozo
    (entry,) = parsed.entries
    assert entry.itunes_season == "1" and entry.itunes_episode == "1"
    assert 'name="Test Programme"' in body.decode() and "<podcast:season" in body.decode()
    gpodder = podcastparser.parse("http://testserver/feed.xml", __import__("io").BytesIO(body))
    (episode,) = gpodder["episodes"]
    titles = [c["title"] for c in episode["chapters"]]
    assert titles[0] == "Introduction" and titles[-1] == "Finish"
    starts = [c["start"] for c in episode["chapters"]]
    assert starts == sorted(starts) and starts[0] == 0
    head = phone.head("/feed.xml")
    assert head.status_code == 200 and head.content == b""
    assert phone.head("/").status_code == 200


def test_the_programme_page_shows_a_calendar_a_chart_and_its_figures(phone: TestClient,
                                                                     tmp_path: Path) -> None:
    assert phone.get("/programme", follow_redirects=False).headers["location"] == "/programmes"
    _start(phone, tmp_path)
    phone.post("/api/today/done", json={"day": 1, "played_ms": 60_000, "felt": "right"},
               headers=ORIGIN)
    page = phone.get("/programme").text
    assert 'id="calendar"' in page and "done (day 1, felt right)" in page
    assert '<svg class="chart"' in page and 'class="bar-minutes"' in page
    assert re.search(r"<td>1</td><td>1\.0</td><td>\d+(\.\d)? s</td>", page), page
    assert "Day 1: Test Session" in page


@pytest.mark.parametrize(("body", "fragment"), [
    (b"not json", "not JSON"),
    (b'{"day": "one"}', "day: a whole number"),
    (b'{"day": 1, "felt": "great"}', "felt: one of easy, right, hard"),
    (b'{"played_ms": 5}', "day: which day"),
    (b'{"day": 7}', "not the next session"),
])
def test_a_bad_report_is_one_json_line(phone: TestClient, tmp_path: Path, body: bytes,
                                       fragment: str) -> None:
    _start(phone, tmp_path)
    answer = phone.post("/api/today/done", content=body, headers=ORIGIN)
    assert answer.status_code == 400 and fragment in answer.json()["error"]


def test_a_report_from_another_origin_is_refused(phone: TestClient, tmp_path: Path) -> None:
    _start(phone, tmp_path)
    refused = phone.post("/api/today/done", json={"day": 1},
                         headers={"origin": "http://evil.example"})
    assert refused.status_code == 403


def test_a_damaged_history_is_a_line_on_the_card_not_a_500(phone: TestClient) -> None:
    data = _config(phone).data_dir
    assert data is not None
    data.mkdir(parents=True, exist_ok=True)
    (data / FILE_NAME).write_bytes(b"garbage" * 500)
    card = _card(phone)
    assert "damaged" in card and "moved aside" in card
    assert str(data) not in card  # no server path on the phone
    assert list(data.glob(f"{FILE_NAME}.damaged-*"))
    assert "Choose a programme" in _card(phone)  # a new history from then on
