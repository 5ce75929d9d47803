"""From the command line: several organisations' exports sharing a key column form linked
cases with the shipped path rules; the linkage report, the rules and the removal of an import
work as the README says."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import xlsxwriter  # type: ignore[import-untyped]
from typer.testing import CliRunner

from sujuva.cli.main import app
from sujuva.config import Settings

CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def _hetu(day: int, individual: int) -> str:
    born = dt.date(1980, 1, 1) + dt.timedelta(days=day)
    stem = f"{born:%d%m%y}{individual:03d}"
    return f"{born:%d%m%y}-{individual:03d}{CHECK_CHARS[int(stem) % 31]}"


PEOPLE = [_hetu(n * 37, 900 + n) for n in range(3)]


def _exports(folder: Path) -> list[Path]:
    te = folder / "te.csv"
    te.write_text(
        "Asiakkuus;Henkilötunnus;Palvelupolku;Toimenpide;Aika\n"
        + "".join(
            f"TE-{n};{code};Työnhaku;Registration as job seeker;2.1.2017 9.{n:02d}\n"
            f"TE-{n};{code};Työnhaku;Initial interview;9.1.2017 10.{n:02d}\n"
            for n, code in enumerate(PEOPLE)
        )
        + f"TE-0;{PEOPLE[0]};Työnhaku;Job search ended;1.3.2017 12.00\n",
        encoding="cp1252",
    )
    kunta = folder / "kunta.xlsx"
    book = xlsxwriter.Workbook(str(kunta))
    sheet = book.add_worksheet("Tapahtumat")
    when = book.add_format({"num_format": "d.m.yyyy h:mm"})
    for col, name in enumerate(("Asiakasnro", "Henkilötunnus", "Tehtävä", "Pvm")):
        sheet.write(0, col, name)
    for n, code in enumerate(PEOPLE):
        sheet.write(n + 1, 0, f"JNS/{n}")
        sheet.write(n + 1, 1, code)
        sheet.write(n + 1, 2, "Municipal interview")
        sheet.write_datetime(n + 1, 3, dt.datetime(2017, 1, 16, 13, n), when)
    book.close()
    agency = folder / "yrityspalvelut.csv"
    agency.write_text(
        "Contact ID,Henkilötunnus,Activity,Date\n"
        f"CRM-1,{PEOPLE[1]},Business-idea counselling,2017-05-02T10:00:00+03:00\n",
        encoding="utf-8",
    )
    return [te, kunta, agency]


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_import_links_exports_sharing_a_key(tmp_path: Path, settings: Settings) -> None:
    data = str(settings.data_dir)
    files = [str(p) for p in _exports(tmp_path)]
    _run("--data-dir", data, "import", *files, "--key", "Henkilötunnus", "--actor-name", "Org")
    info = json.loads(_run("--data-dir", data, "info", "--json"))
    # three job seekers (one closed by "Job search ended") and one starting entrepreneur
    assert (info["cases"], info["open_cases"], info["events"]) == (4, 3, 11)
    assert set(info["paths"]) == {"job_search", "entrepreneur"}
    assert {r["source"] for r in info["import_history"]} == {"te", "kunta", "yrityspalvelut"}
    report = json.loads(_run("--data-dir", data, "linkage", "--json"))
    assert report["region"]["formed_cases"] == 4
    assert report["region"]["multi_organisation_cases"] == 0  # one --actor-name for all
    shared = {row["source"]: row["shared_share"] for row in report["sources"]}
    assert shared == {"te": 1.0, "kunta": 1.0, "yrityspalvelut": 1.0}
    for code in PEOPLE:
        assert code not in json.dumps(info) and code not in json.dumps(report)
    assert "job_search" in _run("--data-dir", data, "rules", "show")
    out = _run("--data-dir", data, "remove-import", "2")
    assert "removed" in out
    info = json.loads(_run("--data-dir", data, "info", "--json"))
    assert info["events"] == 8 and [r["import_id"] for r in info["import_history"]] == [1, 3]


def test_a_bad_rules_file_is_a_located_error(tmp_path: Path, settings: Settings) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[paths.x]\nstarts = "A"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["rules", "check", str(rules)])
    assert result.exit_code != 0
    assert isinstance(result.exception, Exception)
    assert "line 2" in str(result.exception) and "paths.x.starts" in str(result.exception)
