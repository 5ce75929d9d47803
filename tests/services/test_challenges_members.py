"""The challenges board and the members register on a real app-state database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sujuva.config import Settings, override_settings, reset_settings
from sujuva.errors import InputError, PermissionDeniedError, UsageError
from sujuva.services import challenges, members, pilots
from sujuva.services.principal import Principal
from sujuva.store.appdb import dispose_engine, upgrade_database

TE = Principal(user_id=0, username="te", role="analyst", organisation="TE Office")
PRH = Principal(user_id=0, username="prh", role="viewer", organisation="PRH")
COORDINATOR = Principal(user_id=0, username="co", role="coordinator", organisation=None)
ADMIN = Principal(user_id=0, username="ad", role="admin", organisation=None)


@pytest.fixture
def demo(demo_region: Path, tmp_path: Path) -> Iterator[Settings]:
    reset_settings()
    settings = override_settings(
        data_dir=demo_region,
        demo_dir=demo_region.parent / "files",
        database_url=f"sqlite:///{tmp_path / 'app.sqlite'}",
    )
    upgrade_database(settings=settings)
    yield settings
    dispose_engine(settings=settings)
    reset_settings()


def test_post_join_comment_status_history(demo: Settings) -> None:
    challenge_id = challenges.post(
        TE, title="Long queues", body="<script>x()</script>", shared=True, settings=demo
    )
    challenges.join(PRH, challenge_id, settings=demo)
    challenges.join(PRH, challenge_id, settings=demo)  # twice changes nothing
    challenges.comment(PRH, challenge_id, body="We see it too", settings=demo)
    with pytest.raises(PermissionDeniedError):
        challenges.set_status(PRH, challenge_id, status="solved", settings=demo)
    challenges.set_status(TE, challenge_id, status="being_solved", note="pilot", settings=demo)
    challenges.set_status(COORDINATOR, challenge_id, status="solved", settings=demo)
    item = challenges.get(PRH, challenge_id, settings=demo)
    assert item.members == ("PRH", "TE Office")
    assert [h.status for h in item.history] == ["open", "being_solved", "solved"]
    assert item.body == "<script>x()</script>"  # stored as written; pages escape it
    assert item.comments[0].author == "prh (PRH)"


def test_moderation_hides_comments_from_members(demo: Settings) -> None:
    challenge_id = challenges.post(TE, title="T", body="", shared=False, settings=demo)
    challenges.comment(PRH, challenge_id, body="spam", settings=demo)
    comment_id = challenges.get(TE, challenge_id, settings=demo).comments[0].id
    with pytest.raises(PermissionDeniedError):
        challenges.hide_comment(TE, comment_id, settings=demo)
    challenges.hide_comment(COORDINATOR, comment_id, settings=demo)
    assert challenges.get(TE, challenge_id, settings=demo).comments == ()
    assert challenges.get(COORDINATOR, challenge_id, settings=demo).comments[0].hidden


def test_bad_challenges(demo: Settings) -> None:
    with pytest.raises(UsageError):
        challenges.post(TE, title=" ", body="", shared=False, settings=demo)
    with pytest.raises(PermissionDeniedError):
        challenges.post(COORDINATOR, title="x", body="", shared=False, settings=demo)
    with pytest.raises(PermissionDeniedError):
        challenges.list_challenges(ADMIN, settings=demo)
    challenge_id = challenges.post(TE, title="x", body="", shared=False, settings=demo)
    with pytest.raises(UsageError):
        challenges.set_status(TE, challenge_id, status="forgotten", settings=demo)


def test_demo_board_links_the_demo_pilots(demo: Settings) -> None:
    pilots.ensure_demo_pilots(settings=demo)
    assert challenges.ensure_demo_challenges(settings=demo) == 3
    challenges.ensure_demo_challenges(settings=demo)
    board = challenges.list_challenges(COORDINATOR, settings=demo)
    assert len(board) == 3
    assert sum(len(c.pilots) for c in board) == 2


def test_members_from_the_demo_and_csv_round_trip(demo: Settings, tmp_path: Path) -> None:
    assert members.ensure_demo_members(settings=demo) == 14
    found = {m.code: m for m in members.list_members(PRH, settings=demo)}
    assert found["TE Office"].commitment == "core"
    assert found["TE Office"].sector_type == "state"
    assert "job_search" in found["TE Office"].paths_served
    text = members.export_members(COORDINATOR, settings=demo)
    csv = tmp_path / "members.csv"
    csv.write_text(text.replace("core", "active", 1))
    assert members.import_members(COORDINATOR, csv, settings=demo) == 14
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,sector_type,commitment\nX,Xname,spaceship,core\n")
    with pytest.raises(InputError) as error:
        members.import_members(COORDINATOR, bad, settings=demo)
    assert error.value.problems[0].location == "line 2"
    with pytest.raises(PermissionDeniedError):
        members.import_members(TE, csv, settings=demo)
