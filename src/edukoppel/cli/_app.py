"""The commands behind ``edukoppel``: click parses the command line, rich prints the answer.

Every command reads its source the way :func:`edukoppel.read` does, talks to a store through
:class:`edukoppel.SqlStore`, and ends with one of the exit codes in :mod:`edukoppel.cli`. A
refusal is a :class:`Failure`: a message a person can act on (and, with ``--json``, the same
as JSON on stdout), never a traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import tomllib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

import edukoppel as ek
from edukoppel._i18n import LANGUAGES, Message, msg, render
from edukoppel.cli import BLOCKED, ERROR, OK, STALE, USAGE
from edukoppel.exceptions import (
    AcknowledgementError,
    BlockedPlanError,
    EdukoppelError,
    StalePlanError,
)

if TYPE_CHECKING:
    from edukoppel.fleet import FleetReport, Job
    from edukoppel.model import EntityKind
    from edukoppel.readers import ReadResult
    from edukoppel.sync import Changeset, SyncRun
    from edukoppel.sync._changeset import ChangeAction

__all__ = ["Failure", "run"]

F = TypeVar("F", bound=Callable[..., Any])
_SAMPLE = 5
_LOG_WIDTH = 120
_WORKBOOKS = (".xlsx", ".xlsm", ".xls", ".ods")


class Failure(Exception):
    """A refusal: the message, what to do about it, and the exit code."""

    def __init__(
        self, message: str | Message, *, code: int = ERROR, details: Sequence[str] = ()
    ) -> None:
        super().__init__(render(message))
        self.message = render(message)
        self.code = code
        self.details = tuple(details)


class _State:
    """What every command shares: whether to answer in JSON, and the two consoles."""

    def __init__(self) -> None:
        self.json = False
        # Piped into a file or a log, rich would wrap at 80 columns; a log reads better wider.
        width = None if sys.stdout.isatty() or "COLUMNS" in os.environ else _LOG_WIDTH
        self.out = Console(highlight=False, width=width)
        self.err = Console(stderr=True, highlight=False, width=width)


_state = _State()


def run(argv: Sequence[str] | None) -> int:
    """Run the command line; every outcome is an exit code, never a traceback."""
    global _state  # noqa: PLW0603 - one state per run, fresh for each call in one process
    _state = _State()
    language = os.environ.get("EDUKOPPEL_LANGUAGE")
    for known in LANGUAGES:
        if language == known:
            ek.set_language(known)
    try:
        result = main.main(
            args=list(argv) if argv is not None else None,
            prog_name="edukoppel",
            standalone_mode=False,
        )
    except click.UsageError as error:
        if _state.json:
            _print_json({"error": {"exit_code": USAGE, "message": error.format_message()}})
        else:
            error.show(file=sys.stderr)
        return USAGE
    except click.ClickException as error:
        _fail(Failure(error.format_message()))
        return ERROR
    except click.Abort:
        return ERROR
    except Failure as failure:
        _fail(failure)
        return failure.code
    except EdukoppelError as error:
        _fail(Failure(str(error)))
        return ERROR
    except OSError as error:
        _fail(Failure(msg("cli.os-error", error=f"{error.strerror or error}", path=error.filename)))
        return ERROR
    return result if isinstance(result, int) else OK


def _fail(failure: Failure) -> None:
    if _state.json:
        payload = {
            "exit_code": failure.code,
            "message": failure.message,
            "details": list(failure.details),
        }
        _print_json({"error": payload})
        return
    _state.err.print(f"[bold red]{escape(msg('cli.error').render())}[/] {escape(failure.message)}")
    for line in failure.details:
        _state.err.print(f"  {escape(line)}")


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _text(message_id: str, **params: Any) -> str:
    return msg(message_id, **params).render()


# -- shared options ------------------------------------------------------------------------


def _json_option(function: F) -> F:
    def remember(_ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
        _state.json = _state.json or value
        return value

    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        is_eager=True,
        expose_value=True,
        callback=remember,
        help="Print the answer as JSON on stdout, for scripts.",
    )(function)


def _source_options(function: F) -> F:
    options = [
        click.argument("files", nargs=-1, type=click.Path(path_type=Path)),
        click.option(
            "--somtoday",
            is_flag=True,
            help="Read from Somtoday Connect instead of a file (credentials from "
            "EDUKOPPEL_SOMTODAY_* or --somtoday-config).",
        ),
        click.option(
            "--somtoday-config",
            type=click.Path(path_type=Path),
            envvar="EDUKOPPEL_SOMTODAY_CONFIG",
            help="A TOML file with the Somtoday settings (keep it readable by you only).",
        ),
        click.option(
            "--profile",
            type=click.Path(path_type=Path),
            help="A saved mapping profile (TOML) to reuse.",
        ),
        click.option(
            "--map",
            "maps",
            multiple=True,
            metavar="COLUMN=FIELD",
            help="Map a column by hand (student.key; empty FIELD: leave it out). Repeatable.",
        ),
        click.option(
            "--values",
            type=click.Path(path_type=Path),
            help="Value maps (koppeltabellen): a TOML or CSV file.",
        ),
        click.option(
            "--entity",
            type=click.Choice(ek.ENTITY_KINDS),
            help="What a row holds, when the header does not say it.",
        ),
        click.option(
            "--source-name",
            help="The sync's stable source name (default 'import', or 'somtoday').",
        ),
        click.option(
            "--school-year",
            metavar="YYYY-YYYY",
            help="The school year the export is of, as you confirm it (refused when the file "
            "says another); a store of another year then blocks the sync.",
        ),
        click.option(
            "--brin",
            metavar="BRIN",
            help="The school (BRIN4) the export is of, as you confirm it (refused when the file "
            "says another); a store of another school then blocks the sync.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _store_options(function: F) -> F:
    function = click.option(
        "--tenant", envvar="EDUKOPPEL_TENANT", help="Whose records (one school per tenant)."
    )(function)
    return click.option(
        "--store",
        "store_url",
        required=True,
        envvar="EDUKOPPEL_STORE",
        metavar="URL",
        help="The database: sqlite:///school.db or postgresql+psycopg://...",
    )(function)


def _policy_options(function: F) -> F:
    options = [
        click.option("--add/--no-add", default=True, help="Add new records (and restore)."),
        click.option("--update/--no-update", default=True, help="Update changed records."),
        click.option("--archive/--no-archive", default=True, help="Archive records that left."),
        click.option(
            "--identity",
            type=click.Choice(["key", "username", "email"]),
            default="key",
            show_default=True,
            help="How pupils and staff are matched with what the store holds.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


# -- reading -------------------------------------------------------------------------------


def _overrides(maps: Sequence[str]) -> dict[str, str | None]:
    overrides: dict[str, str | None] = {}
    for item in maps:
        column, separator, field = item.partition("=")
        if not separator or not column.strip():
            raise click.BadParameter(_text("cli.map-format", given=item), param_hint="--map")
        overrides[column.strip()] = field.strip() or None
    return overrides


def _somtoday_settings(config: Path | None) -> Any:
    from edukoppel.somtoday import SomtodaySettings

    if config is None:
        return SomtodaySettings.from_environment()
    if not config.is_file():
        raise Failure(msg("cli.file-missing", path=str(config)))
    try:
        values = tomllib.loads(config.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise Failure(msg("cli.config-unreadable", path=str(config), error=str(error))) from None
    values = values.get("somtoday", values)
    environment = values.pop("environment", None)
    if environment is not None:
        return SomtodaySettings.for_environment(environment, **values)
    try:
        return SomtodaySettings(**values)
    except TypeError as error:
        raise Failure(msg("cli.config-unreadable", path=str(config), error=str(error))) from None


def _read_somtoday(config: Path | None, source_name: str | None) -> ReadResult:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from edukoppel.somtoday import read_somtoday

    settings = _somtoday_settings(config)
    with Progress(
        TextColumn(_text("cli.progress.somtoday")),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(_text("cli.progress.records") + " {task.fields[records]}"),
        console=_state.err,
        transient=True,
        disable=_state.json or not _state.err.is_terminal,
    ) as bar:
        task = bar.add_task("somtoday", total=None, records=0)

        def step(progress: Any) -> None:
            bar.update(
                task,
                completed=progress.lists_done,
                total=progress.lists or None,
                records=progress.records,
            )

        return read_somtoday(settings, source_name=source_name, progress=step)


@contextmanager
def _working(text: str) -> Iterator[None]:
    if _state.json or not _state.err.is_terminal:
        yield
        return
    with _state.err.status(escape(text)):
        yield


def _read_source(
    files: Sequence[Path],
    *,
    somtoday: bool,
    somtoday_config: Path | None,
    profile: Path | None,
    maps: Sequence[str],
    values: Path | None,
    entity: str | None,
    source_name: str | None,
    school: tuple[str | None, str | None] = (None, None),
) -> ReadResult:
    return _confirmed(
        _read_files(
            files,
            somtoday=somtoday,
            somtoday_config=somtoday_config,
            profile=profile,
            maps=maps,
            values=values,
            entity=entity,
            source_name=source_name,
        ),
        brin=school[0],
        school_year=school[1],
    )


def _confirmed(result: ReadResult, *, brin: str | None, school_year: str | None) -> ReadResult:
    """The school and school year the admin confirms, on the roster (Cito's confirmation).

    A file that names another is refused: the admin and the file disagree about what it is.
    """
    if brin is None and school_year is None:
        return result
    try:
        given = ek.School(brin=brin, school_year=school_year)
    except ek.InvalidValueError as error:
        raise click.BadParameter(str(error)) from None
    found = result.roster.school or ek.School()
    for field, label in (("brin", "--brin"), ("school_year", "--school-year")):
        mine, theirs = getattr(given, field), getattr(found, field)
        if mine and theirs and mine != theirs:
            raise Failure(msg("cli.school-disagrees", option=label, given=mine, found=theirs))
    school = found.evolve(
        brin=given.brin or found.brin, school_year=given.school_year or found.school_year
    )
    return attrs.evolve(result, roster=result.roster.evolve(school=school))


def _read_files(
    files: Sequence[Path],
    *,
    somtoday: bool,
    somtoday_config: Path | None,
    profile: Path | None,
    maps: Sequence[str],
    values: Path | None,
    entity: str | None,
    source_name: str | None,
) -> ReadResult:
    if somtoday and files:
        raise click.UsageError(_text("cli.file-and-somtoday"))
    if somtoday:
        return _read_somtoday(somtoday_config, source_name)
    if not files:
        raise click.UsageError(_text("cli.no-source"))
    for path in [*files, profile, values]:
        if path is not None and not path.is_file():
            what = "cli.file-is-folder" if path.is_dir() else "cli.file-missing"
            raise Failure(msg(what, path=str(path)))
    options: dict[str, Any] = {}
    overrides = _overrides(maps)
    if overrides:
        options["overrides"] = overrides
    if profile is not None:
        options["profile"] = profile
    if values is not None:
        options["values"] = values
    if entity is not None:
        options["entity"] = entity
    if source_name:
        options["source_name"] = source_name
    names = ", ".join(str(path) for path in files)
    with _working(_text("cli.progress.reading", files=names)):
        if len(files) == 1 and files[0].suffix.lower() in _WORKBOOKS:
            return ek.read_many(files[0], **options)  # every sheet: klassen, leerlingen...
        if len(files) == 1:
            return ek.read(files[0], **options)
        return ek.read_many(list(files), **options)


def _refuse_unmapped(result: ReadResult) -> None:
    """A required field no column maps to: say which, the likely columns, and the flag."""
    unmapped = result.report.by_code("required-field-unmapped")
    if unmapped:
        details = [issue.render() for issue in unmapped]
        details.append(_text("cli.unmapped.hint"))
        raise Failure(msg("cli.unmapped", count=len(unmapped)), details=details)


# -- the store -----------------------------------------------------------------------------


def _shown_url(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def _open_store(url: str, tenant: str | None) -> ek.SqlStore:
    try:
        return ek.SqlStore(url, tenant=tenant)
    except EdukoppelError:
        raise
    except Exception as error:  # SQLAlchemy's own: a URL it cannot use, a driver missing
        raise Failure(msg("cli.store-open", url=_shown_url(url), error=str(error))) from None


def _policy(*, add: bool, update: bool, archive: bool, identity: str) -> ek.SyncPolicy:
    from edukoppel.cli._jobs import sync_policy

    return sync_policy(add=add, update=update, archive=archive, identity=identity)


# -- printing ------------------------------------------------------------------------------


def _summary_table(changeset: Changeset) -> RichTable:
    actions: tuple[ChangeAction, ...] = ("add", "update", "restore", "archive")
    table = RichTable(title=_text("cli.plan.title", source=changeset.source))
    table.add_column(_text("cli.column.kind"))
    for action in actions:
        table.add_column(_text(f"cli.action.{action}"), justify="right")
    for kind, counts in changeset.summary().items():
        if any(counts.values()):
            table.add_row(_text("cli.kind", kind=kind), *(str(counts[a]) for a in actions))
    return table


def _describe(change: Any) -> str:
    if change.action == "add":
        name = getattr(change.record, "display_name", None) or getattr(change.record, "name", "")
        return str(name or "")
    if change.action in ("update", "restore"):
        return "; ".join(
            f"{item.field}: {_value(item.old)} → {_value(item.new)}" for item in change.changes
        )
    return ""


def _value(value: Any) -> str:
    if value is None or value in ("", ()):
        return "—"
    if isinstance(value, tuple | list | frozenset | set):
        return ", ".join(sorted(str(item) for item in value))
    return str(value)


def _sample_table(changeset: Changeset) -> RichTable | None:
    if changeset.is_empty:
        return None
    table = RichTable(title=_text("cli.sample.title", count=_SAMPLE))
    table.add_column(_text("cli.column.action"))
    table.add_column(_text("cli.column.kind"))
    table.add_column(_text("cli.column.key"))
    table.add_column(_text("cli.column.what"))
    shown: dict[tuple[str, str], int] = {}
    for change in changeset:
        seen = shown.get((change.entity, change.action), 0)
        shown[(change.entity, change.action)] = seen + 1
        if seen < _SAMPLE:
            table.add_row(
                _text(f"cli.action.{change.action}"),
                _text("cli.kind", kind=change.entity),
                change.key,
                _describe(change),
            )
        elif seen == _SAMPLE:
            more = len(changeset.of(change.entity, change.action)) - _SAMPLE
            table.add_row("", "", "…", _text("cli.sample.more", count=more))
    return table


def _print_plan(changeset: Changeset) -> None:
    out = _state.out
    if changeset.is_empty:
        out.print(_text("cli.plan.nothing", source=changeset.source))
    else:
        out.print(_summary_table(changeset))
        sample = _sample_table(changeset)
        if sample is not None:
            out.print(sample)
    if changeset.blocked:
        out.print(f"[bold red]{escape(_text('cli.plan.blocked'))}[/]")
        for reason in changeset.blocked:
            out.print(f"  - {escape(reason.render())}")
    if changeset.issues:
        out.print(escape(_text("cli.plan.issues", count=len(changeset.issues))))
        for issue in changeset.issues[:20]:
            out.print(f"  - {escape(issue.render())}")


def _print_read(result: ReadResult) -> None:
    roster = result.roster
    counts = ", ".join(
        _text("cli.count", kind=kind, count=len(roster.records(kind)))
        for kind in ek.ENTITY_KINDS
        if len(roster.records(kind))
    )
    _state.out.print(escape(_text("cli.read", format=result.format, counts=counts or "0")))
    for issue in result.report.warnings[:10]:
        _state.out.print(f"  [yellow]![/] {escape(issue.render())}")
    if len(result.report.warnings) > 10:
        _state.out.print("  " + escape(_text("cli.more", count=len(result.report.warnings) - 10)))


def _plan_data(changeset: Changeset) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(changeset.to_json())
    data["summary"] = {
        kind: counts for kind, counts in changeset.summary().items() if any(counts.values())
    }
    data["is_blocked"] = changeset.is_blocked
    return data


def _read_data(result: ReadResult) -> dict[str, Any]:
    return {
        "format": result.format,
        "counts": {
            kind: len(result.roster.records(kind))
            for kind in ek.ENTITY_KINDS
            if len(result.roster.records(kind))
        },
        "issues": result.report.to_dicts(),
    }


# -- the commands --------------------------------------------------------------------------


def _version() -> str:
    return ek.__version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    _version(), "--version", prog_name="edukoppel", message="%(prog)s %(version)s"
)
def main() -> None:
    """Bring a school's people into your application: inspect, plan, sync, template, runs.

    Exit codes: 0 success, 1 error, 2 usage, 3 blocked plan, 4 stale plan.
    """


@main.command()
@_source_options
@_json_option
def inspect(
    *,
    files: tuple[Path, ...],
    somtoday: bool,
    somtoday_config: Path | None,
    profile: Path | None,
    maps: tuple[str, ...],
    values: Path | None,
    entity: str | None,
    source_name: str | None,
    school_year: str | None,
    brin: str | None,
    as_json: bool,
) -> int:
    """What is in FILE: format, encoding, delimiter, header, rows, the proposed mapping."""
    result = _read_source(
        files,
        somtoday=somtoday,
        somtoday_config=somtoday_config,
        profile=profile,
        maps=maps,
        values=values,
        entity=entity,
        source_name=source_name,
        school=(brin, school_year),
    )
    parts = result.parts or (result,)
    if as_json:
        data = _read_data(result)
        data["parts"] = [_inspect_data(part) for part in parts]
        _print_json(data)
        return OK
    for part in parts:
        _print_inspect(part)
    _print_read(result)
    for issue in result.report.errors[:20]:
        _state.out.print(f"  [red]✗[/] {escape(issue.render())}")
    return OK


def _inspect_data(part: ReadResult) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": part.format,
        "detected": dict(part.report.detected),
        "rows": len(part.table) if part.table is not None else None,
        "file": part.table.file if part.table is not None else None,
        "sheet": part.table.sheet if part.table is not None else None,
    }
    if part.mapping is not None:
        data["entity"] = part.mapping.entity
        data["mapping"] = [
            {
                "column": match.column,
                "field": match.target,
                "confidence": round(match.confidence, 2),
                "evidence": list(match.evidence),
                "suggestions": [candidate.target for candidate in match.candidates[:3]],
            }
            for match in part.mapping
        ]
        data["missing"] = list(part.mapping.missing)
    return data


def _print_inspect(part: ReadResult) -> None:
    out = _state.out
    data = _inspect_data(part)
    facts = RichTable(show_header=False, title=str(data["file"] or part.format))
    facts.add_column()
    facts.add_column()
    facts.add_row(_text("cli.inspect.format"), part.format)
    for name, value in part.report.detected.items():
        facts.add_row(_text("cli.inspect.detected", name=name), repr(value))
    if data["rows"] is not None:
        facts.add_row(_text("cli.inspect.rows"), str(data["rows"]))
    out.print(facts)
    if part.mapping is None:
        return
    table = RichTable(title=_text("cli.inspect.mapping", entity=part.mapping.entity))
    for column in ("column", "field", "confidence", "evidence"):
        table.add_column(_text(f"cli.column.{column}"))
    for match in part.mapping:
        if match.target is not None:
            field = match.target
        elif match.candidates:
            field = _text("cli.inspect.unmapped-maybe", fields=data_suggestions(match))
        else:
            field = _text("cli.inspect.unmapped")
        table.add_row(
            match.column,
            field,
            f"{match.confidence:.2f}",
            "; ".join(match.evidence),
        )
    out.print(table)
    for target in part.mapping.missing:
        out.print(f"[red]✗[/] {escape(_text('cli.inspect.missing', field=target))}")


def data_suggestions(match: Any) -> str:
    """The likeliest fields of an unmapped column, for a person to choose from."""
    return ", ".join(candidate.target for candidate in match.candidates[:3])


@main.command()
@_source_options
@_store_options
@_policy_options
@click.option(
    "--save",
    type=click.Path(path_type=Path),
    help="Write the plan as JSON, to apply later with 'sync --plan'.",
)
@_json_option
def plan(
    *,
    files: tuple[Path, ...],
    somtoday: bool,
    somtoday_config: Path | None,
    profile: Path | None,
    maps: tuple[str, ...],
    values: Path | None,
    entity: str | None,
    source_name: str | None,
    school_year: str | None,
    brin: str | None,
    store_url: str,
    tenant: str | None,
    add: bool,
    update: bool,
    archive: bool,
    identity: str,
    save: Path | None,
    as_json: bool,
) -> int:
    """Preview what a sync of FILE would change. Nothing is written (exit 3 when blocked)."""
    result = _read_source(
        files,
        somtoday=somtoday,
        somtoday_config=somtoday_config,
        profile=profile,
        maps=maps,
        values=values,
        entity=entity,
        source_name=source_name,
        school=(brin, school_year),
    )
    _refuse_unmapped(result)
    policy = _policy(add=add, update=update, archive=archive, identity=identity)
    store = _open_store(store_url, tenant)
    try:
        changeset = ek.plan(store.snapshot(), result.roster, policy=policy)
    finally:
        store.close()
    if save is not None:
        save.write_text(changeset.to_json(indent=2), encoding="utf-8")
    if as_json:
        _print_json({"read": _read_data(result), "plan": _plan_data(changeset)})
    else:
        _print_read(result)
        _print_plan(changeset)
        if save is not None:
            _state.out.print(escape(_text("cli.plan.saved", path=str(save))))
    return BLOCKED if changeset.is_blocked else OK


@main.command()
@_source_options
@_store_options
@_policy_options
@click.option(
    "--plan",
    "saved_plan",
    type=click.Path(path_type=Path),
    help="Apply a plan saved by 'plan --save' instead of reading a source.",
)
@click.option(
    "--acknowledge",
    "acknowledged",
    multiple=True,
    metavar="CODE",
    help="Apply although this safeguard blocks the plan (a code the plan names). Repeatable.",
)
@click.option("--acknowledge-all", is_flag=True, help="Apply although safeguards block the plan.")
@click.option("--description", help="What the sync log says about this run (no personal data).")
@_json_option
def sync(
    *,
    files: tuple[Path, ...],
    somtoday: bool,
    somtoday_config: Path | None,
    profile: Path | None,
    maps: tuple[str, ...],
    values: Path | None,
    entity: str | None,
    source_name: str | None,
    school_year: str | None,
    brin: str | None,
    store_url: str,
    tenant: str | None,
    add: bool,
    update: bool,
    archive: bool,
    identity: str,
    saved_plan: Path | None,
    acknowledged: tuple[str, ...],
    acknowledge_all: bool,
    description: str | None,
    as_json: bool,
) -> int:
    """Plan and apply FILE to the store; a blocked plan is refused unless acknowledged."""
    result: ReadResult | None = None
    if saved_plan is not None:
        if files or somtoday:
            raise click.UsageError(_text("cli.plan-and-source"))
        if not saved_plan.is_file():
            raise Failure(msg("cli.file-missing", path=str(saved_plan)))
        try:
            changeset = ek.Changeset.from_json(saved_plan.read_bytes())
        except (EdukoppelError, ValueError, KeyError, TypeError) as error:
            raise Failure(
                msg("cli.plan-unreadable", path=str(saved_plan), error=str(error))
            ) from None
    else:
        result = _read_source(
            files,
            somtoday=somtoday,
            somtoday_config=somtoday_config,
            profile=profile,
            maps=maps,
            values=values,
            entity=entity,
            source_name=source_name,
            school=(brin, school_year),
        )
        _refuse_unmapped(result)
    policy = _policy(add=add, update=update, archive=archive, identity=identity)
    store = _open_store(store_url, tenant)
    try:
        if result is not None:
            changeset = ek.plan(store.snapshot(), result.roster, policy=policy)
        codes = [reason.code for reason in changeset.blocked] if acknowledge_all else acknowledged
        if result is not None and not as_json:
            _print_read(result)
        if not as_json:
            _print_plan(changeset)
        try:
            outcome = ek.apply(
                changeset,
                store,
                acknowledge=codes,
                description=description or _default_description(files, saved_plan),
            )
        except AcknowledgementError as error:
            raise Failure(str(error), code=USAGE) from None
        except BlockedPlanError:
            details = [reason.render() for reason in changeset.blocked]
            flags = " ".join(f"--acknowledge {reason.code}" for reason in changeset.blocked)
            details.append(_text("cli.blocked.hint", flags=flags))
            raise Failure(msg("cli.blocked"), code=BLOCKED, details=details) from None
        except StalePlanError:
            raise Failure(msg("cli.stale"), code=STALE) from None
    finally:
        store.close()
    if as_json:
        _print_json(
            {
                "read": None if result is None else _read_data(result),
                "plan": _plan_data(changeset),
                "run": outcome.run.to_dict(),
            }
        )
    else:
        _state.out.print(f"[green]✓[/] {escape(_text('cli.applied', run=str(outcome.run)))}")
    return OK


def _default_description(files: Sequence[Path], saved_plan: Path | None) -> str:
    if saved_plan is not None:
        return f"edukoppel sync --plan {saved_plan.name}"
    if files:
        return "edukoppel sync " + " ".join(path.name for path in files)
    return "edukoppel sync --somtoday"


@main.command()
@click.argument("entity", type=click.Choice(ek.ENTITY_KINDS))
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["xlsx", "csv"]),
    default="xlsx",
    show_default=True,
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Where to write it.")
@click.option(
    "--language",
    type=click.Choice(["nl", "en"]),
    default="nl",
    show_default=True,
    help="The headers' language.",
)
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
@_json_option
def template(
    *,
    entity: EntityKind,
    file_format: str,
    output: Path | None,
    language: str,
    force: bool,
    as_json: bool,
) -> int:
    """Write an empty import file for ENTITY, with the columns edukoppel maps for sure."""
    path = output or Path(f"{entity}-template.{file_format}")
    if path.exists() and not force:
        raise Failure(msg("cli.template.exists", path=str(path)))
    written = ek.write_template(
        entity,
        path,
        format=file_format,  # type: ignore[arg-type]
        language=language,  # type: ignore[arg-type]
    )
    if as_json:
        _print_json({"path": str(written), "entity": entity, "format": file_format})
    else:
        _state.out.print(escape(_text("cli.template.written", kind=entity, path=str(written))))
    return OK


@main.command()
@_store_options
@click.option("--last", type=click.IntRange(min=1), help="Only the last N runs.")
@_json_option
def runs(*, store_url: str, tenant: str | None, last: int | None, as_json: bool) -> int:
    """The sync log: every run, what it changed and how it ended (no personal data)."""
    store = _open_store(store_url, tenant)
    try:
        log = store.runs()
    finally:
        store.close()
    if last is not None:
        log = log[-last:]
    if as_json:
        _print_json([run.to_dict() for run in log])
        return OK
    if not log:
        _state.out.print(escape(_text("cli.runs.none")))
        return OK
    _state.out.print(_runs_table(log))
    return OK


def _runs_table(log: Sequence[SyncRun]) -> RichTable:
    table = RichTable(title=_text("cli.runs.title"))
    for column in ("number", "started", "source", "outcome", "changes", "blocked", "description"):
        keep_whole = column in ("number", "started", "outcome")
        table.add_column(_text(f"cli.column.{column}"), no_wrap=keep_whole)
    for entry in log:
        changes = "\n".join(
            _text(
                "cli.count.changes",
                kind=kind,
                numbers=", ".join(
                    f"{count} {_text(f'cli.action.{action}')}" for action, count in actions.items()
                ),
            )
            for kind, actions in entry.counts.items()
            if actions
        )
        blocked = ", ".join(entry.blocked)
        if entry.acknowledged:
            blocked += " " + _text("cli.runs.acknowledged", codes=", ".join(entry.acknowledged))
        table.add_row(
            str(entry.number),
            entry.started_at.strftime("%Y-%m-%d %H:%M"),
            entry.source,
            entry.outcome,
            changes or "—",
            blocked.strip() or "—",
            entry.description or "",
        )
    return table


# -- many tenants --------------------------------------------------------------------------


@main.command("sync-many")
@click.argument("tenants", type=click.Path(path_type=Path, exists=True))
@click.option(
    "--store",
    "store_url",
    required=True,
    envvar="EDUKOPPEL_STORE",
    metavar="URL",
    help="The multi-tenant database: sqlite:///vendor.db or postgresql+psycopg://...",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Tenants synced at once (default: one per core).",
)
@click.option(
    "--executor",
    "executor_kind",
    type=click.Choice(["process", "thread"]),
    default="process",
    show_default=True,
    help="Worker processes (files: CPU-bound) or threads (Somtoday: waiting on the network).",
)
@_policy_options
@click.option(
    "--source-name",
    help="With a folder: every tenant's stable source name (default 'import').",
)
@click.option(
    "--acknowledge",
    "acknowledged",
    multiple=True,
    metavar="CODE",
    help="With a folder: apply a tenant's plan although this safeguard blocks it. Repeatable.",
)
@click.option("--description", help="What each tenant's sync log says about the run.")
@click.option(
    "-q", "--quiet", is_flag=True, help="No progress bar; the summary only when a tenant is not OK."
)
@_json_option
def sync_many(
    *,
    tenants: Path,
    store_url: str,
    workers: int | None,
    executor_kind: str,
    add: bool,
    update: bool,
    archive: bool,
    identity: str,
    source_name: str | None,
    acknowledged: tuple[str, ...],
    description: str | None,
    quiet: bool,
    as_json: bool,
) -> int:
    """Sync many tenants into one store: a jobs file (TOML) or a folder, one tenant each.

    TENANTS is a jobs file (one [tenants.NAME] table per school, with its source or Somtoday
    settings and its options) or a folder whose files and subfolders are the tenants, named
    after them. Exit code: 1 when a tenant failed, else 3 when one was blocked, else 4 when
    one was stale, else 0.
    """
    from edukoppel.cli._jobs import jobs_from_file, jobs_from_folder

    if tenants.is_dir():
        policy = _policy(add=add, update=update, archive=archive, identity=identity)
        jobs = jobs_from_folder(
            tenants,
            policy=policy,
            source_name=source_name,
            acknowledge=acknowledged,
            description=description,
        )
        if not jobs:
            raise Failure(msg("fleet.cli.empty-folder", path=str(tenants)))
    else:
        context = click.get_current_context()
        given = [
            f"--{name.replace('_', '-')}"
            for name in ("add", "update", "archive", "identity", "source_name", "acknowledged")
            if context.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE
        ]
        if given:
            raise click.UsageError(_text("fleet.cli.options-in-file", options=", ".join(given)))
        jobs = jobs_from_file(tenants)
        if description:
            jobs = [attrs.evolve(job, description=description) for job in jobs]
    _check_store(store_url)
    report = _run_fleet(jobs, store_url, workers, executor_kind, quiet=quiet or as_json)
    code = _fleet_exit_code(report)
    if as_json:
        _print_json(_fleet_data(report, code))
    elif not quiet or code != OK:
        _state.out.print(escape(str(report)))
    return code


def _check_store(url: str) -> None:
    """A wrong URL is one error, not one per tenant (nothing is created in the database)."""
    try:
        ek.SqlStore.tenants(url)
    except EdukoppelError:
        raise
    except Exception as error:  # SQLAlchemy's own: a URL it cannot use, a driver missing
        raise Failure(msg("cli.store-open", url=_shown_url(url), error=str(error))) from None


def _run_fleet(
    jobs: Sequence[Job], url: str, workers: int | None, executor_kind: str, *, quiet: bool
) -> FleetReport:
    import concurrent.futures as cf

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from edukoppel import fleet

    # A process pool sync_many makes itself: one it owns is made again when a worker dies.
    threads = (
        cf.ThreadPoolExecutor(workers or os.cpu_count() or 1) if executor_kind == "thread" else None
    )
    trouble = 0
    with (
        threads or contextlib.nullcontext(),
        Progress(
            TextColumn(_text("fleet.cli.progress")),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[trouble]}"),
            TimeElapsedColumn(),
            console=_state.err,
            transient=True,
            disable=quiet or not _state.err.is_terminal,
        ) as bar,
    ):
        task = bar.add_task("fleet", total=len(jobs), trouble="")

        def step(done: int, _total: int, result: fleet.JobResult) -> None:
            nonlocal trouble
            trouble += not result.ok
            shown = _text("fleet.cli.progress.trouble", count=trouble) if trouble else ""
            bar.update(task, completed=done, trouble=shown)

        return fleet.FleetReport.collect(
            fleet.sync_many(jobs, url=url, executor=threads, workers=workers, progress=step)
        )


def _fleet_exit_code(report: FleetReport) -> int:
    """The worst outcome's code: a failure, then a block, then a stale plan."""
    counts = report.by_outcome
    if counts["failed"]:
        return ERROR
    if counts["refused-blocked"]:
        return BLOCKED
    if counts["refused-stale"]:
        return STALE
    return OK


def _fleet_data(report: FleetReport, code: int) -> dict[str, Any]:
    return {
        "exit_code": code,
        "summary": {
            "tenants": len(report.results),
            "seconds": report.seconds,
            "outcomes": report.by_outcome,
            "p50_seconds": report.percentile(0.5),
            "p99_seconds": report.percentile(0.99),
            "changes": sum(r.changes for r in report.results if r.outcome == "applied"),
        },
        "results": [
            result.to_dict() for result in sorted(report.results, key=lambda item: item.tenant)
        ],
    }
