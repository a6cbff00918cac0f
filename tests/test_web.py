"""The phone companion's routes, through FastAPI's test client: the token on every request,
files only from the listings, ranges, the feed, the same messages as the CLI, the queue."""

from __future__ import annotations

import html
import json
import re
import stat
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cuecast.cli import app as cli
from cuecast.script.loader import load_routine
from cuecast.script.options import settable
from cuecast.web.access import COOKIE, feed_key, load_token
from cuecast.web.app import MAX_UPLOAD, Config, create_app
from cuecast.web.jobs import QueueFull, RenderQueue

from .conftest import ORIGIN, ROUTINES, TOKEN, job_ended
from .snippets import ROUTINE

SAMPLES = {"name": "test-session", "stem": "test-session", "job_id": "x"}
"""A value for each path parameter of the app's routes."""


def _routes() -> list[tuple[str, str]]:
    """Every route of the app, with a sample address: derived from the app itself, so a new
    route is held to the key without a list to keep."""
    from fastapi.routing import APIRoute

    app = create_app(Config(Path("r"), Path("o"), None, TOKEN))
    routes = list(app.routes)
    found = []
    for route in routes:
        # FastAPI includes a router as itself (its routes resolved on first use)
        routes += getattr(getattr(route, "original_router", None), "routes", [])
        if isinstance(route, APIRoute):
            path = route.path_format
            for key, value in SAMPLES.items():
                path = path.replace(f"{{{key}}}", value)
            if path.startswith("/files/"):
                path += ".mp3"
            found += [(method, path) for method in sorted(route.methods)]
    found += [("GET", "/static/app.css"), ("GET", "/static/player.js"),
              ("GET", "/static/icon-192.png")]
    return found


ROUTES = _routes()


@pytest.mark.parametrize(("method", "url"), ROUTES)
def test_every_route_needs_the_token(stranger: TestClient, method: str, url: str) -> None:
    assert stranger.request(method, url, headers=ORIGIN).status_code == 401
    wrong = stranger.request(method, url + "?token=" + "x" * 32, headers=ORIGIN)
    assert wrong.status_code == 403
    stranger.cookies.set(COOKIE, "y" * 32)
    assert stranger.request(method, url, headers=ORIGIN).status_code == 403


def test_token_in_the_address_becomes_an_httponly_samesite_cookie(stranger: TestClient) -> None:
    first = stranger.get(f"/?token={TOKEN}", follow_redirects=False)
    assert first.status_code == 303  # and the address loses the key (tests/test_hostile.py)
    cookie = first.headers["set-cookie"]
    assert f"{COOKIE}={TOKEN}" in cookie and "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert stranger.get("/routine/test-session").status_code == 200  # the cookie is enough


def test_posts_from_another_origin_are_refused(client: TestClient) -> None:
    for headers in ({}, {"origin": "http://evil.example"},
                    {"referer": "http://evil.example/page"}):
        r = client.post("/routine/test-session/render", data={"rest": "2"}, headers=headers)
        assert r.status_code == 403, headers


def test_token_is_kept_private_and_survives_restarts(tmp_path: Path) -> None:
    path = tmp_path / "config" / "serve-token"
    token = load_token(path)
    assert len(token) >= 22 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_token(path) == token
    assert load_token(path, new=True) != token


def test_library_lists_routines_and_sessions(client: TestClient) -> None:
    page = client.get("/").text
    assert "Test Session" in page and "4 exercises" in page
    assert "9 Gentle Stretches" in page and "/session/test-session" in page
    assert ".part" not in page


def test_routine_page_has_a_stepper_per_exercise_and_every_option(client: TestClient) -> None:
    page = client.get("/routine/test-session").text
    for field in ("ex0", "ex1", "ex2", "ex3"):
        assert f'name="{field}"' in page
    assert "s per side" in page and "reps" in page
    for name in settable():
        if name not in ("hold", "reps", "skip"):  # per exercise: steppers and boxes
            assert f'name="{name}"' in page, name
    for field in ("in0", "in1", "in2", "in3"):  # an Include box per exercise
        assert f'name="{field}"' in page
    assert 'name="cues"' not in page  # the cue phrases belong in routine files
    assert 'name="bed"' in page and 'name="speed"' in page


def test_the_voices_offered_say_which_download_on_first_use(client: TestClient) -> None:
    """heart is inside the package; the others are not in this test session's user cache."""
    page = client.get("/routine/test-session").text
    assert '<option value="heart" selected>heart (American female)</option>' in page
    for voice, what in (("fenrir", "American male"), ("emma", "British female")):
        assert (f'<option value="{voice}">{voice} ({what}, downloads on first use)'
                "</option>") in page
    bad = client.post("/routine/test-session/render", data={"voice": "alloy"}, headers=ORIGIN)
    assert bad.status_code == 400
    assert ("Voice must be one of heart, emma, fenrir, fable, kore, not &#39;alloy&#39;"
            in bad.text)


def test_preview_is_the_compilers(client: TestClient, runner: CliRunner,
                                  folders: tuple[Path, Path], cache_dir: Path) -> None:
    routines, _ = folders
    got = client.get("/api/preview/test-session", params={"ex0": "30", "rest": "5"}).json()
    result = runner.invoke(cli, ["script", str(routines / "test-session.yaml"), "--json",
                                 "--hold", "Reach Up=30", "--rest", "5",
                                 "--cache-dir", str(cache_dir)])
    assert got["total_ms"] == json.loads(result.stdout)["duration_ms"]
    plain = client.get("/api/preview/test-session").json()
    assert plain["total_ms"] != got["total_ms"]


@pytest.mark.parametrize(("form", "args"), [
    ({"rest": "-1"}, ["--rest", "-1"]),
    ({"scale": "0"}, ["--scale", "0"]),
    ({"breath": "fast"}, ["--breath", "fast"]),
    ({"verbosity": "loud"}, ["--verbosity", "loud"]),
    ({"ex0": "-5"}, ["--hold", "Reach Up=-5"]),
    ({"ex3": "2.5"}, ["--reps", "Knee Lifts=2.5"]),
])
def test_a_bad_option_gets_the_clis_message(client: TestClient, runner: CliRunner,
                                            folders: tuple[Path, Path], form: dict[str, str],
                                            args: list[str]) -> None:
    routines, output = folders
    before = sorted(p.name for p in output.iterdir())
    result = runner.invoke(cli, ["script", str(routines / "test-session.yaml"), *args])
    message = result.stderr.strip().removeprefix("error: ")
    assert result.exit_code == 2 and message
    page = client.post("/routine/test-session/render", data=form, headers=ORIGIN)
    assert page.status_code == 400
    shown = re.search(r'id="error">(.*?)</p>', page.text)
    # the same words, the field named as the page names it (no command-line flag)
    assert shown and "--" not in html.unescape(shown.group(1))
    said = re.sub(r"^--\S+( '[^']*')?:? ", "", message)
    assert html.unescape(shown.group(1)).endswith(said)
    preview = client.get("/api/preview/test-session", params=form).json()
    assert preview["error"] == message  # the API: the command line's own words
    assert preview["shown"] == html.unescape(shown.group(1))
    assert sorted(p.name for p in output.iterdir()) == before  # nothing written


def test_range_requests_get_206_with_the_right_headers(client: TestClient,
                                                       folders: tuple[Path, Path]) -> None:
    _, output = folders
    whole = (output / "test-session.mp3").read_bytes()
    full = client.get("/files/test-session.mp3")
    assert full.status_code == 200 and full.content == whole
    assert full.headers["content-type"] == "audio/mpeg"
    assert full.headers["accept-ranges"] == "bytes"
    assert "no-cache" in full.headers["cache-control"] and full.headers["etag"]
    part = client.get("/files/test-session.mp3", headers={"range": "bytes=100-1099"})
    assert part.status_code == 206 and part.content == whole[100:1100]
    assert part.headers["content-range"] == f"bytes 100-1099/{len(whole)}"
    tail = client.get("/files/test-session.mp3", headers={"range": "bytes=-500"})
    assert tail.status_code == 206 and tail.content == whole[-500:]
    assert client.get("/files/test-session.mp3",
                      headers={"range": f"bytes={len(whole) + 10}-"}).status_code == 416
    for ext, kind in ((".vtt", "text/vtt"), (".srt", "application/x-subrip"),
                      (".cues.json", "application/json"), (".lrc", "text/plain")):
        r = client.get(f"/files/test-session{ext}")
        assert r.status_code == 200 and r.headers["content-type"].startswith(kind), ext


@pytest.mark.parametrize("url", [
    "/files/..%2F..%2Fetc%2Fpasswd", "/files/%2Fetc%2Fpasswd", "/files/../routines/x.yaml",
    "/files/..%2Froutines%2Ftest-session.yaml", "/files/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/files/test-session.mp3%00.txt", "/files/.test-session-123-abc.part",
    "/files/test-session.yaml", "/files/C:%5Cwindows%5Cwin.ini", "/session/..%2Froutines",
    "/routine/..%2F..%2Fetc%2Fpasswd", "/routine/%2Fetc%2Fpasswd", "/static/..%2Fapp.py",
    "/static/../app.py",
])
def test_traversal_attempts_are_refused(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 404, (url, r.status_code)
    assert "root:" not in r.text and "Traceback" not in r.text


def test_feed_has_every_session_with_enclosure_chapters_and_transcripts(
        client: TestClient, folders: tuple[Path, Path]) -> None:
    _, output = folders
    body = client.get("/feed.xml").content
    parsed = feedparser.parse(body)
    assert not parsed.bozo and parsed.feed.title == "cuecast sessions"
    (entry,) = parsed.entries
    cues = json.loads((output / "test-session.cues.json").read_text(encoding="utf-8"))
    assert entry.title == cues["title"]
    (enclosure,) = entry.enclosures
    assert enclosure.type == "audio/mpeg"
    assert int(enclosure.length) == (output / "test-session.mp3").stat().st_size
    assert int(entry.itunes_duration) == round(cues["duration_ms"] / 1000)
    assert entry.podcast_chapters["type"] == "application/json+chapters"
    transcripts = ET.fromstring(body).findall(
        ".//{https://podcastindex.org/namespace/1.0}transcript")
    assert sorted(t.get("type") or "" for t in transcripts) == ["application/x-subrip",
                                                                "text/vtt"]
    # every link works with the token the feed carries, and no cookie (podcast apps send none)
    client.cookies.clear()
    for url in [enclosure.href, entry.podcast_chapters["url"],
                *(t.get("url") or "" for t in transcripts)]:
        assert f"token={feed_key(TOKEN)}" in url  # the feed's own key, not the full one
        assert client.get(url.replace("http://testserver", "")).status_code == 200, url


def test_json_chapters_equal_cues_json(client: TestClient, folders: tuple[Path, Path]) -> None:
    _, output = folders
    chapters = client.get("/files/test-session.chapters.json")
    assert chapters.headers["content-type"].startswith("application/json+chapters")
    doc = chapters.json()
    cues = json.loads((output / "test-session.cues.json").read_text(encoding="utf-8"))
    assert doc["version"] == "1.2.0"
    assert [(round(c["startTime"] * 1000), c["title"]) for c in doc["chapters"]] == [
        (c["start_ms"], c["title"]) for c in cues["chapters"]]


def test_player_page_carries_chapters_and_lines(client: TestClient,
                                                folders: tuple[Path, Path]) -> None:
    _, output = folders
    page = client.get("/session/test-session").text
    cues = json.loads((output / "test-session.cues.json").read_text(encoding="utf-8"))
    assert page.count('class="item chapter"') == len(cues["chapters"])
    assert 'src="/files/test-session.mp3"' in page and "download" in page
    assert client.get("/session/nothing-here").status_code == 404


def test_import_by_paste_shows_warnings_and_opens_as_a_routine(
        client: TestClient, folders: tuple[Path, Path]) -> None:
    routines, _ = folders
    article = ("Morning Neck Routine\n\nThree gentle moves.\n\nChin Tucks | 10 reps\n"
               "1. Sit tall.\n2. Draw your chin back.\n\nShoulder Rolls\n"
               "1. Roll your shoulders back.\n")
    page = client.post("/import", data={"text": article}, headers=ORIGIN)
    assert page.status_code == 200, page.text
    assert "pasted text:" in page.text and "/routine/morning-neck-routine" in page.text
    assert load_routine(routines / "morning-neck-routine.yaml").title == "Morning Neck Routine"
    assert client.get("/routine/morning-neck-routine").status_code == 200
    same = client.post("/import", data={"text": article}, headers=ORIGIN)
    assert same.status_code == 200  # the same routine again: nothing replaced
    other = client.post("/import", data={"text": article.replace("10 reps", "12 reps")},
                        headers=ORIGIN)
    assert other.status_code == 400 and "tick Replace" in other.text
    assert str(routines) not in other.text and "--force" not in other.text


def test_uploads_are_limited_in_size_and_type(client: TestClient) -> None:
    big = client.post("/import", files={"file": ("a.txt", b"x" * (MAX_UPLOAD + 1),
                                                 "text/plain")}, headers=ORIGIN)
    assert big.status_code in (400, 413) and "2 MB" in big.text
    exe = client.post("/import", files={"file": ("a.exe", b"MZ", "application/octet-stream")},
                      headers=ORIGIN)
    assert exe.status_code == 400 and "upload a .txt, .md or .html file" in exe.text
    html = ("<html><head><title>Hips | Blog</title></head><body><h1>Hip Openers</h1>"
            "<p>Two moves.</p><h2>Butterfly – 30 seconds</h2><ol><li>Sit.</li>"
            "<li>Press your knees down.</li></ol></body></html>")
    ok = client.post("/import", files={"file": ("hips.html", html.encode(), "text/html")},
                     headers=ORIGIN)
    assert ok.status_code == 200 and "/routine/" in ok.text


def test_a_customised_version_is_saved_for_the_cli_too(client: TestClient, runner: CliRunner,
                                                       folders: tuple[Path, Path]) -> None:
    routines, _ = folders
    form = {"ex0": "30", "ex3": "5", "rest": "4", "countdown": "off",
            "save_as": "Test Session Long Reach"}
    r = client.post("/routine/test-session/save", data=form, headers=ORIGIN)
    assert r.status_code == 200 and "Test Session Long Reach" in r.text
    saved = routines / "test-session-long-reach.yaml"
    result = runner.invoke(cli, ["script", str(saved), "--json"])
    assert result.exit_code == 0, result.output
    original = runner.invoke(cli, ["script", str(routines / "test-session.yaml"), "--json",
                                   "--hold", "reach up=30", "--reps", "knee lifts=5",
                                   "--rest", "4", "--no-countdown"])
    got, want = json.loads(result.stdout), json.loads(original.stdout)
    spans = [[h["end_ms"] - h["start_ms"], h["reps"]] for h in got["blocks"]]
    assert spans == [[h["end_ms"] - h["start_ms"], h["reps"]] for h in want["blocks"]]
    # the same session but for its title, which is said in the intro
    said = [e["text"] for e in got["events"] if e["cue"] != "intro"]
    assert said == [e["text"] for e in want["events"] if e["cue"] != "intro"]
    again = client.post("/routine/test-session/save", data=form, headers=ORIGIN)
    assert again.status_code == 400 and "already: choose another name" in again.text


def test_render_from_the_page_names_versions_apart(client: TestClient,
                                                   folders: tuple[Path, Path]) -> None:
    _, output = folders
    stems = []
    for form in ({"rest": "2", "step_pause": "1"}, {"rest": "2", "step_pause": "1", "ex0": "14"}):
        r = client.post("/routine/test-session/render", data=form, headers=ORIGIN,
                        follow_redirects=False)
        assert r.status_code == 303
        job = r.headers["location"].rsplit("/", 1)[-1]
        assert client.get(f"/jobs/{job}").status_code == 200
        state = job_ended(client, job)
        assert state["state"] == "done", state
        stems.append(state["player"].rsplit("/", 1)[-1])
    assert stems[0] != stems[1] and all(stem.startswith("test-session-custom-")
                                        for stem in stems)
    for stem in stems:
        assert (output / f"{stem}.mp3").is_file() and (output / f"{stem}.cues.json").is_file()
    assert client.get(f"/session/{stems[1]}").status_code == 200


def test_the_defaults_render_keeps_the_plain_name(tmp_path: Path, cache_dir: Path) -> None:
    routines, output = tmp_path / "r", tmp_path / "o"
    routines.mkdir()
    (routines / "test-session.yaml").write_text(
        ROUTINE.replace("title: Test Session",
                        "title: Test Session\ndefaults: {rest: 2, step_pause: 1}"))
    with TestClient(create_app(Config(routines, output, cache_dir, TOKEN))) as c:
        c.cookies.set(COOKIE, TOKEN)
        page = c.get("/routine/test-session").text
        assert 'name="rest" value="2"' in page  # the form starts from the routine's defaults
        r = c.post("/routine/test-session/render", headers=ORIGIN, follow_redirects=False,
                   data={"rest": "2", "step_pause": "1", "ex0": "12", "speed": "1",
                         "bed": "none"})
        state = job_ended(c, r.headers["location"].rsplit("/", 1)[-1])
    assert state["player"] == "/session/test-session"
    assert sorted(p.name for p in output.glob("*.mp3")) == ["test-session.mp3"]


def test_renders_queue_one_at_a_time_and_the_queue_is_bounded() -> None:
    queue = RenderQueue(max_waiting=2)
    release = threading.Event()
    running = threading.Event()
    order: list[str] = []

    def job(name: str) -> object:
        def run(progress: object) -> str:
            order.append(name)
            running.set()
            release.wait(30)
            return name
        return run

    first = queue.submit("a", job("a"))  # type: ignore[arg-type]
    running.wait(30)
    second = queue.submit("b", job("b"))  # type: ignore[arg-type]
    third = queue.submit("c", job("c"))  # type: ignore[arg-type]
    assert (first.state, second.state, third.state) == ("running", "queued", "queued")
    assert (queue.position(second), queue.position(third)) == (1, 2)
    with pytest.raises(QueueFull, match="already waiting"):
        queue.submit("d", job("d"))  # type: ignore[arg-type]
    assert order == ["a"]  # one at a time
    release.set()
    for j in (first, second, third):
        while j.state != "done":
            threading.Event().wait(0.01)
    assert order == ["a", "b", "c"]


def test_a_failed_render_shows_one_line_and_leaves_no_file(tmp_path: Path,
                                                           folders: tuple[Path, Path],
                                                           cache_dir: Path) -> None:
    routines, _ = folders
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with TestClient(create_app(Config(routines, blocker / "out", cache_dir, TOKEN))) as c:
        c.cookies.set(COOKIE, TOKEN)
        r = c.post("/routine/test-session/render", headers=ORIGIN, follow_redirects=False,
                   data={"rest": "2", "step_pause": "1"})
        job = r.headers["location"].rsplit("/", 1)[-1]
        state = job_ended(c, job)
        page = c.get(f"/jobs/{job}").text
    assert state["state"] == "failed"
    assert str(state["error"]).startswith("cannot write") and "\n" not in str(state["error"])
    assert "Traceback" not in page
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_library_offers_the_feed_address_with_its_key(client: TestClient) -> None:
    page = client.get("/").text
    found = re.search(r'id="feed" class="wide" value="([^"]+)"', page)
    assert found and html.unescape(found.group(1)) == \
        f"http://testserver/feed.xml?token={feed_key(TOKEN)}"
    client.cookies.clear()
    assert client.get(html.unescape(found.group(1))).status_code == 200


@contextmanager
def _companion(mine: Path, tmp_path: Path, cache_dir: Path) -> Iterator[TestClient]:
    """The companion over the library cuecast comes with, ``mine`` beside it, key given."""
    app = create_app(Config(routines=mine, output=tmp_path / "output", cache_dir=cache_dir,
                            token=TOKEN, library=ROUTINES))
    with TestClient(app) as c:
        c.cookies.set(COOKIE, TOKEN)
        yield c


def test_the_library_is_listed_beside_your_routines_and_copies_are_saved_in_yours(
        tmp_path: Path, cache_dir: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "my-own.yaml").write_text(ROUTINE, encoding="utf-8")
    before = sorted(p.name for p in ROUTINES.iterdir())
    with _companion(mine, tmp_path, cache_dir) as c:
        listed = c.get("/").text
        assert "Hamstrings, Quads and Calves" in listed and "/routine/my-own" in listed
        r = c.post("/routine/upper-back-pain/save", data={"save_as": "My Upper Back"},
                   headers=ORIGIN)
        assert r.status_code == 200, r.text
        assert (mine / "my-upper-back.yaml").is_file()
        assert c.get("/routine/my-upper-back").status_code == 200
    assert sorted(p.name for p in ROUTINES.iterdir()) == before  # the library is read only


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_the_home_screen_manifest_and_its_icons(client: TestClient) -> None:
    page = client.get("/").text
    assert '<link rel="manifest" href="/manifest.webmanifest" crossorigin="use-credentials">' \
        in page  # the key travels with the manifest's request
    r = client.get("/manifest.webmanifest")
    assert r.headers["content-type"].startswith("application/manifest+json")
    manifest = r.json()
    assert manifest["name"] and manifest["short_name"] and manifest["start_url"] == "/"
    assert manifest["display"] == "standalone" and manifest["theme_color"].startswith("#")
    found = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= found
    for icon in manifest["icons"]:
        side = int(icon["sizes"].split("x")[0])
        assert _png_size(client.get(icon["src"]).content) == (side, side)
    touch = re.search(r'<link rel="apple-touch-icon" href="([^"]+)">', page)
    assert touch is not None and _png_size(client.get(touch.group(1)).content) == (180, 180)


def test_sessions_are_listed_with_their_size_and_what_was_customised(
        client: TestClient, folders: tuple[Path, Path]) -> None:
    _, output = folders
    page = client.get("/").text
    # the fixture's render: rest 2 s and step pause 1 s over the routine as written
    assert "rest 2 s, step pause 1 s" in page
    size = sum(p.stat().st_size for p in output.glob("test-session.*"))
    assert f"{size / 1e6:.1f} MB" in page and 'href="/session/test-session/delete"' in page


def test_a_session_is_deleted_after_a_confirm_with_everything_beside_it(
        folders: tuple[Path, Path], cache_dir: Path, tmp_path: Path) -> None:
    import shutil

    routines, source = folders
    output = tmp_path / "output"
    output.mkdir()
    for path in source.glob("test-session.*"):
        shutil.copy(path, output)
    (output / "keep.txt").write_text("not a session")
    app = create_app(Config(routines=routines, output=output, cache_dir=cache_dir,
                            token=TOKEN))
    with TestClient(app) as c:
        c.cookies.set(COOKIE, TOKEN)
        confirm = c.get("/session/test-session/delete")
        assert confirm.status_code == 200 and 'id="confirm-delete"' in confirm.text
        assert list(output.glob("test-session.*"))  # asking is not deleting
        assert c.post("/session/test-session/delete",
                      headers={"origin": "http://evil.example"}).status_code == 403
        done = c.post("/session/test-session/delete", headers=ORIGIN, follow_redirects=False)
        assert done.status_code == 303
        assert not list(output.glob("test-session*")) and (output / "keep.txt").exists()
        assert "/session/test-session" not in c.get("/").text
        assert "test-session.mp3" not in c.get("/feed.xml").text
        assert c.post("/session/test-session/delete", headers=ORIGIN).status_code == 404
        assert c.post("/session/..%2Fkeep/delete", headers=ORIGIN).status_code == 404


def test_the_compose_page_writes_into_your_folder_and_opens_the_routine(
        tmp_path: Path, cache_dir: Path) -> None:
    mine = tmp_path / "mine"
    with _companion(mine, tmp_path, cache_dir) as c:
        page = c.get("/compose").text
        assert 'value="upper-back"' in page and 'value="all-fours"' in page
        made = c.post("/compose", data={"focus": ["neck", "upper-back"], "minutes": "12"},
                      headers=ORIGIN, follow_redirects=False)
        assert made.status_code == 303
        assert made.headers["location"] == "/routine/neck-and-upper-back-12-minutes"
        assert (mine / "neck-and-upper-back-12-minutes.yaml").is_file()
        shown = c.get(made.headers["location"])
        assert shown.status_code == 200 and "Neck and upper back, 12 minutes" in shown.text
        again = c.post("/compose", data={"focus": ["neck", "upper-back"], "minutes": "12"},
                       headers=ORIGIN, follow_redirects=False)
        assert again.status_code == 303  # the same wish again: the same routine
        for form, message in (({"focus": ["neck"], "minutes": "ten"}, "Minutes: a whole"),
                              ({"minutes": "10"}, "Areas: name at least one"),
                              ({"focus": ["glutes"], "minutes": "90"}, "fill at most")):
            refused = c.post("/compose", data=form, headers=ORIGIN)
            assert refused.status_code == 400 and message in html.unescape(refused.text)
    assert sorted(p.name for p in mine.iterdir()) == ["neck-and-upper-back-12-minutes.yaml"]


def test_a_saved_copy_keeps_what_was_left_out_and_the_length(
        tmp_path: Path, cache_dir: Path, runner: CliRunner) -> None:
    mine = tmp_path / "mine"
    routine = load_routine(ROUTINES / "upper-back-pain.yaml")
    form = {"includes": "1", "length": "20:00", "save_as": "Upper back, twenty",
            **{f"in{i}": "on" for i, ex in enumerate(routine.exercises)
               if ex.name != "Knee Rolls"}}
    with _companion(mine, tmp_path, cache_dir) as c:
        saved = c.post("/routine/upper-back-pain/save", data=form, headers=ORIGIN)
        assert saved.status_code == 200, saved.text
    path = mine / "upper-back-twenty.yaml"
    copy = load_routine(path)
    assert "Knee Rolls" not in {ex.name for ex in copy.exercises}
    assert len(copy.exercises) == len(routine.exercises) - 1
    assert copy.defaults is not None and copy.defaults.length == 1200
    script = runner.invoke(cli, ["script", str(path), "--json", "--cache-dir",
                                 str(tmp_path / "cache")])
    assert abs(json.loads(script.stdout)["duration_ms"] - 1_200_000) <= 1000
