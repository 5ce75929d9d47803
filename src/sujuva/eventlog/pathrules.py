"""Path rules: how events from many organisations' exports become cases.

A region keeps one TOML file of path rules (the shipped defaults, ``default_path_rules.toml``,
cover the four paths of the demo region). For each path it says

* ``names``: values of a source's path column that mean this path (e.g. ``"Työnhaku"``);
* ``activities``: the steps that belong to the path when a source does not say which path an
  event is on (a step listed under two paths cannot decide alone; such an event needs a path
  column and is otherwise left on the ``unassigned`` path, named by the linkage report);
* ``starts``: steps that open a new case (a *start* step after any other step of the same
  customer begins a new episode: a second spell of unemployment is a new case);
* ``ends``: steps that close the case, either a list (the outcome is the one recorded on the
  event, else ``completed``) or a table ``step = "outcome"``;
* ``end_on_outcome`` (default true): an event that carries a recorded outcome closes its case,
  optionally only for the values in ``end_outcomes``;
* ``inactivity_days``: a gap longer than this between two events of the customer begins a new
  case, and a case with no event for this long before the data cut is closed as
  ``dropped_out`` at its last event (0 = never).

Cases formed from customer keys are *key × path × episode*. Values in ``[defaults]`` apply to
every path that does not set its own.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Final

import pyarrow as pa

from sujuva.errors import InputError, Problem

UNASSIGNED: Final = "unassigned"
DROPPED_OUT: Final = "dropped_out"
COMPLETED: Final = "completed"
_PATH_KEYS: Final = frozenset(
    {
        "label",
        "names",
        "activities",
        "starts",
        "ends",
        "end_on_outcome",
        "end_outcomes",
        "inactivity_days",
    }
)
_DEFAULT_KEYS: Final = frozenset({"inactivity_days", "end_on_outcome"})
_TOP_KEYS: Final = frozenset({"defaults", "paths"})
_LOCATED: Final = re.compile(r"\(at line (\d+), column (\d+)\)")


@dataclass(frozen=True, kw_only=True)
class PathRule:
    """The rules of one path (see the module docstring)."""

    path: str
    label: str = ""
    names: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    starts: tuple[str, ...] = ()
    ends: dict[str, str] = field(default_factory=dict)
    end_on_outcome: bool = True
    end_outcomes: tuple[str, ...] = ()
    inactivity_days: int = 0


@dataclass(frozen=True)
class PathRules:
    """A region's path rules, with the TOML text they were read from (kept in the store)."""

    paths: tuple[PathRule, ...]
    text: str
    origin: str

    def rule(self, path: str) -> PathRule | None:
        """The rules of ``path``, or None when the path has none."""
        return next((rule for rule in self.paths if rule.path == path), None)

    def path_names(self) -> pa.Table:
        """``name`` → ``path``: each path's own name and its ``names``."""
        names, paths = [], []
        for rule in self.paths:
            for name in dict.fromkeys((rule.path, *rule.names)):
                names.append(name)
                paths.append(rule.path)
        return pa.table({"name": names, "path": paths}, schema=_PAIR_SCHEMA("name"))

    def activity_paths(self) -> pa.Table:
        """``activity`` → ``path`` for the steps listed under exactly one path."""
        owners: dict[str, set[str]] = {}
        for rule in self.paths:
            for activity in rule.activities:
                owners.setdefault(activity, set()).add(rule.path)
        unique = {activity: next(iter(p)) for activity, p in owners.items() if len(p) == 1}
        return pa.table(
            {"activity": list(unique), "path": list(unique.values())},
            schema=_PAIR_SCHEMA("activity"),
        )

    def step_roles(self) -> pa.Table:
        """One row per (path, activity) with a role: ``is_start``, ``is_end``, ``end_label``."""
        rows: dict[tuple[str, str], list[object]] = {}
        for rule in self.paths:
            for activity in rule.starts:
                rows.setdefault((rule.path, activity), [False, False, None])[0] = True
            for activity, label in rule.ends.items():
                entry = rows.setdefault((rule.path, activity), [False, False, None])
                entry[1], entry[2] = True, label or None
        keys = list(rows)
        return pa.table(
            {
                "path": [k[0] for k in keys],
                "activity": [k[1] for k in keys],
                "is_start": [rows[k][0] for k in keys],
                "is_end": [rows[k][1] for k in keys],
                "end_label": [rows[k][2] for k in keys],
            },
            schema=pa.schema(
                [
                    ("path", pa.string()),
                    ("activity", pa.string()),
                    ("is_start", pa.bool_()),
                    ("is_end", pa.bool_()),
                    ("end_label", pa.string()),
                ]
            ),
        )

    def path_settings(self) -> pa.Table:
        """One row per path: ``inactivity_days``, ``end_on_outcome``, ``end_outcomes`` (list)."""
        return pa.table(
            {
                "path": [r.path for r in self.paths],
                "inactivity_days": [r.inactivity_days for r in self.paths],
                "end_on_outcome": [r.end_on_outcome for r in self.paths],
                "end_outcomes": [list(r.end_outcomes) for r in self.paths],
            },
            schema=pa.schema(
                [
                    ("path", pa.string()),
                    ("inactivity_days", pa.int64()),
                    ("end_on_outcome", pa.bool_()),
                    ("end_outcomes", pa.list_(pa.string())),
                ]
            ),
        )


def _PAIR_SCHEMA(first: str) -> pa.Schema:
    return pa.schema([(first, pa.string()), ("path", pa.string())])


def default_rules() -> PathRules:
    """The shipped path rules of the demo region's four paths."""
    text = resources.files("sujuva.eventlog").joinpath("default_path_rules.toml").read_text("utf-8")
    return parse_rules(text, origin="default_path_rules.toml")


def load_rules(path: Path) -> PathRules:
    """Read and validate a path rules file; every problem is located by file, line and key."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(
            f"{path}: path rules file not found", [Problem(path.name, "", "", "file not found")]
        ) from exc
    except UnicodeDecodeError as exc:
        raise _error(path.name, "", "", "the file is not UTF-8 text") from exc
    return parse_rules(text, origin=path.name)


def parse_rules(text: str, *, origin: str) -> PathRules:
    """Validate path rules given as TOML text (``origin`` names it in error messages)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _LOCATED.search(str(exc))
        where = f"line {found.group(1)}, column {found.group(2)}" if found else ""
        reason = _LOCATED.sub("", str(exc)).strip()
        raise _error(origin, where, "", f"not valid TOML: {reason}") from exc
    problems: list[Problem] = []
    for key in data:
        if key not in _TOP_KEYS:
            problems.append(_problem(origin, text, key, None, "unknown section"))
    defaults = _table(data.get("defaults", {}), origin, text, "defaults", problems)
    for key in defaults:
        if key not in _DEFAULT_KEYS:
            problems.append(_problem(origin, text, "defaults", key, "unknown setting"))
    paths = _table(data.get("paths", {}), origin, text, "paths", problems)
    rules = []
    for name, table in paths.items():
        section = _table(table, origin, text, f"paths.{name}", problems)
        rule = _path_rule(name, {**defaults, **section}, origin, text, problems)
        if rule is not None:
            rules.append(rule)
    _check_overlaps(rules, origin, text, problems)
    if problems:
        raise InputError(
            f"{origin}: the path rules are not valid ({len(problems)} problem(s)): {problems[0]}",
            problems,
        )
    return PathRules(tuple(rules), text, origin)


def _path_rule(
    name: str, table: dict[str, object], origin: str, text: str, problems: list[Problem]
) -> PathRule | None:
    section = f"paths.{name}"
    before = len(problems)
    for key in table:
        if key not in _PATH_KEYS:
            problems.append(_problem(origin, text, section, key, "unknown setting"))

    def strings(key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            problems.append(_problem(origin, text, section, key, "must be a list of step names"))
            return ()
        return tuple(value)

    ends_value = table.get("ends", [])
    ends: dict[str, str] = {}
    if isinstance(ends_value, list) and all(isinstance(v, str) and v for v in ends_value):
        ends = {str(v): "" for v in ends_value}
    elif isinstance(ends_value, dict) and all(isinstance(v, str) for v in ends_value.values()):
        ends = {str(k): str(v) for k, v in ends_value.items()}
    else:
        problems.append(
            _problem(origin, text, section, "ends", 'must be a list of steps or step = "outcome"')
        )
    days = table.get("inactivity_days", 0)
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 36_500:
        problems.append(
            _problem(origin, text, section, "inactivity_days", "must be a whole number 0–36500")
        )
        days = 0
    on_outcome = table.get("end_on_outcome", True)
    if not isinstance(on_outcome, bool):
        problems.append(_problem(origin, text, section, "end_on_outcome", "must be true or false"))
        on_outcome = True
    label = table.get("label", "")
    if not isinstance(label, str):
        problems.append(_problem(origin, text, section, "label", "must be text"))
        label = ""
    rule = PathRule(
        path=name,
        label=label,
        names=strings("names"),
        activities=strings("activities"),
        starts=strings("starts"),
        ends=ends,
        end_on_outcome=on_outcome,
        end_outcomes=strings("end_outcomes"),
        inactivity_days=days,
    )
    return rule if len(problems) == before else None


def _check_overlaps(rules: list[PathRule], origin: str, text: str, problems: list[Problem]) -> None:
    """A path-column value may name one path only."""
    owner: dict[str, str] = {}
    for rule in rules:
        for name in (rule.path, *rule.names):
            if owner.setdefault(name, rule.path) != rule.path:
                problems.append(
                    _problem(
                        origin,
                        text,
                        f"paths.{rule.path}",
                        "names",
                        f"{name!r} already names path {owner[name]!r}",
                    )
                )


def _table(
    value: object, origin: str, text: str, section: str, problems: list[Problem]
) -> dict[str, object]:
    if isinstance(value, dict):
        return value
    problems.append(_problem(origin, text, section, None, "must be a table"))
    return {}


def _problem(origin: str, text: str, section: str, key: str | None, reason: str) -> Problem:
    """A problem located at the line of ``key`` in ``[section]`` (or of the section header)."""
    line = _line_of(text, section, key)
    column = f"{section}.{key}" if key else section
    return Problem(origin, f"line {line}" if line else "", column, reason)


def _line_of(text: str, section: str, key: str | None) -> int | None:
    """The 1-based line of ``key =`` inside ``[section]``, or of the header, found by a scan."""
    header = re.compile(
        r"^\s*\[+\s*" + re.escape(section).replace(r"\.", r'\s*\.\s*"?') + r'"?\s*\]'
    )
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if header.match(line)), None)
    if key is None or start is None:
        return None if start is None else start + 1
    pattern = re.compile(r'^\s*"?' + re.escape(key) + r'"?\s*=')
    for offset, line in enumerate(lines[start + 1 :], start=start + 2):
        if line.lstrip().startswith("["):
            break
        if pattern.match(line):
            return offset
    return start + 1


def _error(origin: str, where: str, column: str, reason: str) -> InputError:
    problem = Problem(origin, where, column, reason)
    return InputError(f"{origin}: the path rules are not valid: {problem}", [problem])
