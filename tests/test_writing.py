"""Nothing a person made is ever lost: every routine written through one function, every
replaced file kept, no user routine under a library routine's name, no session's MP3
replaced by another routine's render."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cuecast.errors import RoutineExists
from cuecast.make.writing import backups, import_article, save_customised, write_routine
from cuecast.script.options import Customisation
from cuecast.web.access import COOKIE
from cuecast.web.app import Config, create_app

from .conftest import ORIGIN, ROUTINES, TOKEN, UPPER_BACK

ARTICLE = "My Routine\n\nA routine.\n\nCat-Cow | {n} sec\n1. Breathe.\n"


@pytest.fixture
def phone(tmp_path: Path, cache_dir: Path) -> Iterator[TestClient]:
    mine = tmp_path / "routines"
    mine.mkdir()
    app = create_app(Config(routines=mine, output=tmp_path / "output", cache_dir=cache_dir,
                            token=TOKEN, library=ROUTINES, data_dir=tmp_path / "data"))
    with TestClient(app) as c:
        c.cookies.set(COOKIE, TOKEN)
        yield c


def test_ten_forced_imports_keep_ten_backups_and_the_saved_routine(
        phone: TestClient, tmp_path: Path) -> None:
    """Reproduction 1: a routine saved as "My Routine", then articles of that title imported
    with Replace ticked: every version is still there."""
    mine = tmp_path / "routines"
    saved = phone.post("/routine/upper-back-pain/save", data={"save_as": "My Routine"},
                       headers=ORIGIN, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    first = (mine / "my-routine.yaml").read_text(encoding="utf-8")
    versions = [first]
    for n in range(10, 110, 10):
        article = ARTICLE.format(n=n)
        page = phone.post("/import", data={"text": article, "force": "on"}, headers=ORIGIN)
        assert page.status_code == 200, page.text
        versions.append((mine / "my-routine.yaml").read_text(encoding="utf-8"))
    kept = backups(mine / "my-routine.yaml")
    assert [p.read_text(encoding="utf-8") for p in kept] == versions[:-1]  # all ten, in order
    assert "timing: 100 sec" in versions[-1]
    listed = phone.get("/").text
    assert listed.count("My Routine") == 1  # backups are never listed as routines


def test_a_copy_cannot_take_a_library_routines_name(phone: TestClient, tmp_path: Path) -> None:
    """Reproduction 2: saving a copy as "Desk Hips" hid the library's routine."""
    page = phone.post("/routine/upper-back-pain/save", data={"save_as": "Desk Hips"},
                      headers=ORIGIN)
    assert page.status_code == 400
    assert "name of a routine in the library" in page.text
    assert not (tmp_path / "routines" / "desk-hips.yaml").exists()
    assert "Hip Openers for Desk Workers" in phone.get("/").text


def test_an_article_titled_as_a_library_routine_gets_a_name_of_its_own(tmp_path: Path) -> None:
    article = tmp_path / "lower-back.txt"
    article.write_text("Lower Back\n\nCat-Cow | 30 sec\n1. Breathe.\n", encoding="utf-8")
    result = import_article(path=article, folder=tmp_path / "mine", library=ROUTINES)
    assert result.written.name == "lower-back-2.yaml"
    assert any("lower-back-2" in w for w in result.warnings)


def test_the_phone_is_told_in_its_own_words(phone: TestClient, tmp_path: Path) -> None:
    phone.post("/import", data={"text": ARTICLE.format(n=30)}, headers=ORIGIN)
    clash = phone.post("/import", data={"text": ARTICLE.format(n=40)}, headers=ORIGIN)
    assert clash.status_code == 400
    assert "tick Replace" in clash.text
    assert "--force" not in clash.text and str(tmp_path) not in clash.text


def test_compose_on_the_phone_never_replaces_nor_fails_on_a_name(phone: TestClient,
                                                                 tmp_path: Path) -> None:
    mine = tmp_path / "routines"
    (mine / "hips-10-minutes.yaml").write_text((ROUTINES / "desk-hips.yaml").read_text(
        encoding="utf-8").replace("Hip Openers for Desk Workers", "My Hips"),
        encoding="utf-8")
    made = phone.post("/compose", data={"focus": "hips", "minutes": "10"}, headers=ORIGIN,
                      follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"] == "/routine/hips-10-minutes-2"
    assert "My Hips" in (mine / "hips-10-minutes.yaml").read_text(encoding="utf-8")


def test_every_area_composes_a_title_that_fits(phone: TestClient) -> None:
    from cuecast.script.options import AREAS

    made = phone.post("/compose", data={"focus": list(AREAS), "minutes": "30"},
                      headers=ORIGIN, follow_redirects=False)
    assert made.status_code == 303, made.text


def test_write_routine_keeps_what_it_replaces(tmp_path: Path) -> None:
    body = UPPER_BACK.read_text(encoding="utf-8")
    target = tmp_path / "mine.yaml"
    assert write_routine(body=body, target=target) == target
    assert write_routine(body=body, target=target) == target  # the same: nothing written
    other = body.replace("60 sec", "45 sec", 1)
    with pytest.raises(RoutineExists, match="--force"):
        write_routine(body=other, target=target)
    write_routine(body=other, target=target, replace=True)
    assert [p.read_text(encoding="utf-8") for p in backups(target)] == [body]
    renamed = write_routine(body=body.replace("60 sec", "50 sec", 1), target=target,
                            rename=True)
    assert renamed.name == "mine-2.yaml"


def test_a_saved_copy_never_replaces_a_routine(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    save_customised(path=UPPER_BACK, options=Customisation(rest=5), name="Copy",
                    folder=folder, library=ROUTINES)
    with pytest.raises(RoutineExists, match="choose another name"):
        save_customised(path=UPPER_BACK, options=Customisation(rest=6), name="Copy",
                        folder=folder, library=ROUTINES)


HUGE = "9" * 309


@pytest.mark.parametrize(("method", "url", "data"), [
    ("GET", f"/api/preview/upper-back-pain?length={HUGE}", None),
    ("POST", "/routine/upper-back-pain/render", {"length": HUGE}),
    ("POST", "/routine/upper-back-pain/save", {"length": HUGE, "save_as": "Big"}),
    ("POST", "/compose", {"focus": "neck", "minutes": HUGE}),
])
def test_huge_numbers_are_one_line_not_a_500(phone: TestClient, method: str, url: str,
                                             data: dict[str, str] | None) -> None:
    """Reproduction 4: a Length or Minutes of 309 digits overflowed a float."""
    answer = phone.request(method, url, data=data, headers=ORIGIN)
    assert answer.status_code == 400, answer.text
    if url.startswith("/api/"):
        assert "out of range" in answer.json()["error"]  # the CLI's words, as JSON
    else:
        assert "out of range" in answer.text or "a whole number from 1" in answer.text


def test_a_damaged_cues_json_is_listed_as_damaged(phone: TestClient, tmp_path: Path,
                                                  cache_dir: Path) -> None:
    """Reproduction 4: a lone surrogate in a hand-edited cues.json broke the library."""
    from cuecast.make.render import render

    from .snippets import ROUTINE

    routine = tmp_path / "routines" / "short.yaml"
    routine.write_text(ROUTINE, encoding="utf-8")
    done = render(path=routine, output=tmp_path / "output" / "short.mp3", cache_dir=cache_dir)
    text = done.cues.read_text(encoding="utf-8")
    done.cues.write_text(text.replace('"title": "Test Session"', '"title": "\\ud800"', 1),
                         encoding="utf-8")
    page = phone.get("/")
    assert page.status_code == 200
    assert "short.mp3" in page.text and "Damaged" in page.text
    assert phone.get("/feed.xml").status_code == 200
