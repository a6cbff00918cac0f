"""The companion under hostile input: each finding of the review (issue 22) that this code
answers, tried on the app as a client would (the key in the address, changes with the query
key, symlinks in output/, missing sidecars, unusual digits, characters XML cannot carry)."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from cuecast.web.access import COOKIE
from cuecast.web.app import Config, create_app
from cuecast.web.feed import feed
from cuecast.web.sessions import Session

from .conftest import ORIGIN, TOKEN


@pytest.fixture
def outside(folders: tuple[Path, Path], tmp_path: Path) -> Iterator[TestClient]:
    """A client of an output folder of its own: one real session, and room to misbehave."""
    routines, output = folders
    mine = tmp_path / "output"
    mine.mkdir()
    for ext in (".mp3", ".cues.json", ".lrc", ".srt", ".vtt"):
        shutil.copy(output / f"test-session{ext}", mine)
    with TestClient(create_app(Config(routines, mine, None, TOKEN))) as c:
        c.cookies.set(COOKIE, TOKEN)
        yield c


def test_the_key_in_a_page_address_becomes_the_cookie_and_leaves_the_address(
        stranger: TestClient) -> None:
    answer = stranger.get(f"/?token={TOKEN}&from=qr", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "http://testserver/?from=qr"
    assert f"{COOKIE}={TOKEN}" in answer.headers["set-cookie"]
    assert stranger.get(answer.headers["location"]).status_code == 200  # by the cookie now
    # what podcast apps fetch keeps the key in the address: they send no cookies
    fresh = TestClient(stranger.app)
    assert fresh.get(f"/feed.xml?token={TOKEN}", follow_redirects=False).status_code == 200


def test_the_query_key_never_opens_a_change(stranger: TestClient) -> None:
    answer = stranger.post(f"/routine/test-session/render?token={TOKEN}", data={"ex0": "30"},
                           headers=ORIGIN, follow_redirects=False)
    assert answer.status_code == 403
    assert "not from the address" in answer.text


@pytest.mark.parametrize("path", ["/", "/routine/test-session", "/import", "/nowhere"])
def test_every_answer_is_hardened(client: TestClient, stranger: TestClient, path: str) -> None:
    for answer in (client.get(path), stranger.get(path)):  # with the key, and without (401)
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    page = client.get(path)
    if page.headers["content-type"].startswith("text/html"):
        assert page.headers["cache-control"] == "no-store"


def test_head_on_a_file(client: TestClient) -> None:
    got = client.get("/files/test-session.mp3")
    head = client.head("/files/test-session.mp3")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"]
    assert head.headers["content-type"] == "audio/mpeg"


def test_symlinks_in_output_are_never_listed_or_served(outside: TestClient,
                                                      tmp_path: Path) -> None:
    secret = tmp_path / "elsewhere"
    secret.mkdir()
    for ext in (".mp3", ".cues.json", ".srt"):
        shutil.copy(tmp_path / "output" / f"test-session{ext}", secret / f"leak{ext}")
    output = tmp_path / "output"
    (output / "leak.mp3").symlink_to(secret / "leak.mp3")
    (output / "leak.cues.json").symlink_to(secret / "leak.cues.json")
    (output / "test-session.srt").unlink()
    (output / "test-session.srt").symlink_to(secret / "leak.srt")
    assert outside.get("/files/leak.mp3").status_code == 404
    assert outside.get("/files/leak.cues.json").status_code == 404
    assert outside.get("/files/test-session.srt").status_code == 404
    assert "leak" not in outside.get("/").text
    assert "leak" not in outside.get("/feed.xml").text
    assert outside.get("/files/test-session.mp3").status_code == 200  # the real one still is


def test_a_missing_sidecar_is_simply_not_there(outside: TestClient, tmp_path: Path) -> None:
    (tmp_path / "output" / "test-session.vtt").unlink()
    answer = outside.get("/files/test-session.vtt")
    assert answer.status_code == 404
    assert str(tmp_path) not in answer.text  # no path on disk in what the user sees
    assert outside.get("/session/test-session").status_code == 200


@pytest.mark.parametrize("reps", ["²", "٣", "1.5", "-2", "1e3"])
def test_an_unusual_number_is_one_readable_line(client: TestClient, reps: str) -> None:
    answer = client.get("/api/preview/test-session", params={"ex3": reps})
    assert answer.status_code == 400
    assert answer.json()["error"] == (f"--reps 'Knee Lifts={reps}': reps must be a whole "
                                      "number from 1 to 500")
    page = client.post("/routine/test-session/render", data={"ex3": reps}, headers=ORIGIN)
    assert page.status_code == 400 and "reps must be a whole number" in page.text


@settings(max_examples=200, deadline=None)
@given(title=st.text(min_size=1, max_size=40))
def test_the_feed_is_well_formed_whatever_the_titles(title: str) -> None:
    session = Session("s", Path("/nonexistent/s.mp3"), title, 60_000, 1000, 0.0)
    body = feed([session], link="http://x/", url=lambda name: f"http://x/files/{name}")
    ET.fromstring(body)  # raises on a document that is not well-formed


def test_a_title_with_a_non_character_leaves_the_feed_well_formed() -> None:
    session = Session("s", Path("/nonexistent/s.mp3"), "Stretch \uffff\x01 out", 60_000, 1, 0.0)
    root = ET.fromstring(feed([session], link="http://x/", url=lambda name: name))
    assert root.findtext("channel/item/title") == "Stretch  out"
