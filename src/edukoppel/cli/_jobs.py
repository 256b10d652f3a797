"""The tenants of ``edukoppel sync-many``: a jobs file (TOML) or a folder, as fleet jobs.

Pure apart from reading the jobs file and listing the folder: no click, no rich, so a worker
process that runs a tenant's read imports only this module.

A jobs file has one table per tenant under ``[tenants]``, an optional ``[defaults]`` table
every tenant takes its options from, and named Somtoday settings under ``[somtoday.NAME]``
(never with a client secret: a worker reads it from its environment)::

    [defaults]
    source-name = "leerlingen-export"

    [tenants.10AA]
    source = "exports/10AA.csv"

    [tenants.11BB]
    source = ["exports/11BB/klassen.csv", "exports/11BB/leerlingen.csv"]
    archive = false

    [tenants.12CC]
    somtoday = "productie"
    instelling = "1349fac3-259a-44fd-a1f1-6fe5f8a2f39e"

    [somtoday.productie]
    environment = "productie"
    client_id = "koppelpartner"
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs

import edukoppel as ek
from edukoppel._i18n import msg
from edukoppel.exceptions import ReaderError, SomtodayConfigError
from edukoppel.fleet import Job
from edukoppel.fleet._job import SECRET_PLACEHOLDER
from edukoppel.readers import ReadResult

__all__ = ["Identity", "TenantRead", "jobs_from_file", "jobs_from_folder", "sync_policy"]

Identity = Literal["key", "username", "email"]

_WORKBOOKS = (".xlsx", ".xlsm", ".xls", ".ods")
_IDENTITY_KINDS = ("student", "staff")
_IDENTITIES = ("key", "username", "email")
#: What a tenant's table may say, besides ``source`` or ``somtoday``: the ``sync`` options.
_POLICY_KEYS = ("add", "update", "archive", "identity", "acknowledge", "description")
_READ_KEYS = ("source-name", "profile", "values", "entity", "map", "brin", "school-year")
_SOURCE_KEYS = ("source", "somtoday", "instelling")
_TENANT_KEYS = (*_SOURCE_KEYS, *_POLICY_KEYS, *_READ_KEYS)
_FILE_ONLY = ("profile", "values", "entity", "map", "brin", "school-year")


def sync_policy(*, add: bool, update: bool, archive: bool, identity: str) -> ek.SyncPolicy:
    """The policy of ``sync``'s switches: ``--add/--no-add``, ``--update``, ``--archive``...

    Examples:
        >>> policy = sync_policy(add=True, update=True, archive=False, identity="username")
        >>> policy.allows("student", "archive"), policy.allows("student", "restore")
        (False, True)
    """
    allowed = {
        action
        for action, on in (("add", add), ("restore", add), ("update", update), ("archive", archive))
        if on
    }
    matching = dict.fromkeys(_IDENTITY_KINDS, identity) if identity != "key" else {}
    return ek.SyncPolicy.model_validate(
        {"identity": matching, "actions": dict.fromkeys(ek.ENTITY_KINDS, sorted(allowed))}
    )


@attrs.frozen(kw_only=True)
class TenantRead:
    """A tenant's files read in the worker, the way ``edukoppel sync FILE...`` reads them.

    A picklable job source: one file is read with :func:`edukoppel.read` (a workbook sheet
    by sheet), several files or a folder's files with :func:`edukoppel.read_many`. A
    required field no column maps to fails the tenant, as ``sync`` refuses it; ``brin`` and
    ``school_year`` are the school and year the vendor confirms (a file naming another is
    refused).
    """

    files: tuple[Path, ...]
    source_name: str | None = None
    profile: Path | None = None
    values: Path | None = None
    entity: str | None = None
    overrides: tuple[tuple[str, str | None], ...] = ()
    brin: str | None = None
    school_year: str | None = None

    @property
    def __name__(self) -> str:  # the run log's source for a read that failed
        return self.source_name or "import"

    def paths(self) -> list[Path]:
        """The files to read: a folder stands for the files in it (hidden ones left out)."""
        found: list[Path] = []
        for path in self.files:
            if path.is_dir():
                found.extend(
                    sorted(item for item in path.iterdir() if _visible(item) and item.is_file())
                )
            else:
                found.append(path)
        return found

    def __call__(self) -> ReadResult:
        options: dict[str, Any] = {}
        if self.overrides:
            options["overrides"] = dict(self.overrides)
        for name in ("profile", "values", "entity", "source_name"):
            if getattr(self, name) is not None:
                options[name] = getattr(self, name)
        files = self.paths()
        if not files:
            raise ReaderError(msg("fleet.cli.no-files"), file=str(self.files[0]))
        if len(files) == 1 and files[0].suffix.lower() in _WORKBOOKS:
            result = ek.read_many(files[0], **options)
        elif len(files) == 1:
            result = ek.read(files[0], **options)
        else:
            result = ek.read_many(files, **options)
        unmapped = result.report.by_code("required-field-unmapped")
        if unmapped:
            fields = sorted({issue.field or "" for issue in unmapped})
            raise ReaderError(
                msg("fleet.cli.unmapped", count=len(fields), fields=", ".join(fields)),
                file=unmapped[0].file,
            )
        return self._confirmed(result)

    def _confirmed(self, result: ReadResult) -> ReadResult:
        if self.brin is None and self.school_year is None:
            return result
        given = ek.School(brin=self.brin, school_year=self.school_year)
        found = result.roster.school or ek.School()
        for field, option in (("brin", "brin"), ("school_year", "school-year")):
            mine, theirs = getattr(given, field), getattr(found, field)
            if mine and theirs and mine != theirs:
                raise ReaderError(
                    msg("fleet.cli.school-disagrees", option=option, given=mine, found=theirs),
                    file=self.files[0].name,
                )
        school = found.evolve(
            brin=given.brin or found.brin, school_year=given.school_year or found.school_year
        )
        return attrs.evolve(result, roster=result.roster.evolve(school=school))


def _visible(path: Path) -> bool:
    return not path.name.startswith((".", "~$"))


def jobs_from_folder(
    folder: Path,
    *,
    policy: ek.SyncPolicy | None = None,
    source_name: str | None = None,
    acknowledge: Sequence[str] = (),
    description: str | None = None,
) -> list[Job]:
    r"""One tenant per file (named by its stem) or subfolder (by its name) of ``folder``.

    Examples:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / "10AA.csv").write_text("Leerlingnummer;Achternaam\\n1;Berg\\n")
        >>> (folder / "11BB").mkdir()
        >>> _ = (folder / ".DS_Store").write_text("")
        >>> [job.tenant for job in jobs_from_folder(folder)]
        ['10AA', '11BB']
    """
    entries = sorted(item for item in folder.iterdir() if _visible(item))
    tenants: dict[str, Path] = {}
    for entry in entries:
        tenant = entry.name if entry.is_dir() else entry.stem
        if tenant in tenants:
            raise ReaderError(
                msg("fleet.cli.same-tenant", tenant=tenant, first=tenants[tenant].name),
                file=entry.name,
            )
        tenants[tenant] = entry
    return [
        Job(
            tenant=tenant,
            source=TenantRead(files=(path,), source_name=source_name),
            policy=policy,
            acknowledge=tuple(acknowledge),
            description=description or f"edukoppel sync-many {folder.name}/{path.name}",
        )
        for tenant, path in tenants.items()
    ]


def jobs_from_file(path: Path) -> list[Job]:
    """The tenants of a jobs file (module docstring), in the file's order.

    Every mistake is refused before anything runs, naming the file, the tenant and the
    option: a vendor's cron job should not sync half the schools of a file with a typo.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ReaderError(msg("fleet.cli.unreadable", error=str(error)), file=str(path)) from None
    where = str(path)
    unknown = sorted(set(data) - {"defaults", "tenants", "somtoday"})
    if unknown:
        raise ReaderError(msg("fleet.cli.unknown-table", names=", ".join(unknown)), file=where)
    defaults = _table(data.get("defaults", {}), where, "[defaults]")
    _known_keys(defaults, where, "[defaults]")
    somtoday = _table(data.get("somtoday", {}), where, "[somtoday]")
    tenants = _table(data.get("tenants", {}), where, "[tenants]")
    if not tenants:
        raise ReaderError(msg("fleet.cli.no-tenants"), file=where)
    base = path.parent
    return [
        _job(
            str(tenant),
            {**defaults, **_table(options, where, f"[tenants.{tenant}]")},
            somtoday,
            base,
            where,
        )
        for tenant, options in tenants.items()
    ]


def _table(value: object, where: str, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ReaderError(msg("fleet.cli.not-a-table", table=name), file=where)
    return value


def _known_keys(options: Mapping[str, Any], where: str, table: str) -> None:
    for key in options:
        if key in ("client_secret", "client-secret"):
            raise ReaderError(msg("fleet.cli.secret-in-file", table=table), file=where)
        if key not in _TENANT_KEYS:
            raise ReaderError(
                msg(
                    "fleet.cli.unknown-option",
                    table=table,
                    option=key,
                    known=", ".join(_TENANT_KEYS),
                ),
                file=where,
            )


def _job(
    tenant: str, options: dict[str, Any], somtoday: Mapping[str, Any], base: Path, where: str
) -> Job:
    table = f"[tenants.{tenant}]"
    _known_keys(options, where, table)

    def text(key: str) -> str | None:
        value = options.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ReaderError(msg("fleet.cli.expected-text", table=table, option=key), file=where)
        return value

    def flag(key: str) -> bool:
        value = options.get(key, True)
        if not isinstance(value, bool):
            raise ReaderError(msg("fleet.cli.expected-bool", table=table, option=key), file=where)
        return value

    def texts(key: str) -> list[str]:
        value = options.get(key, [])
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ReaderError(msg("fleet.cli.expected-texts", table=table, option=key), file=where)
        return value

    identity = options.get("identity", "key")
    if identity not in _IDENTITIES:
        raise ReaderError(
            msg("fleet.cli.bad-identity", table=table, known=", ".join(_IDENTITIES)), file=where
        )
    policy = sync_policy(
        add=flag("add"), update=flag("update"), archive=flag("archive"), identity=identity
    )
    common: dict[str, Any] = {
        "tenant": tenant,
        "policy": policy,
        "acknowledge": tuple(texts("acknowledge")),
        "description": text("description") or f"edukoppel sync-many {Path(where).name}",
    }
    has_files, settings_name = "source" in options, text("somtoday")
    if has_files == (settings_name is not None):
        raise ReaderError(msg("fleet.cli.one-source", table=table), file=where)
    if settings_name is not None:
        given = [key for key in _FILE_ONLY if key in options]
        if given:
            raise ReaderError(
                msg("fleet.cli.file-only", table=table, options=", ".join(given)), file=where
            )
        settings = _somtoday(
            somtoday,
            name=settings_name,
            instelling=text("instelling"),
            source_name=text("source-name"),
            table=table,
            where=where,
        )
        return Job(source=settings, **common)
    if "instelling" in options:
        raise ReaderError(msg("fleet.cli.instelling-without-somtoday", table=table), file=where)
    maps = _table(options.get("map", {}), where, f"{table} map")
    if not all(isinstance(field, str) for field in maps.values()):
        raise ReaderError(msg("fleet.cli.expected-text", table=table, option="map"), file=where)
    entity = text("entity")
    if entity is not None and entity not in ek.ENTITY_KINDS:
        raise ReaderError(
            msg("fleet.cli.bad-entity", table=table, known=", ".join(ek.ENTITY_KINDS)), file=where
        )
    brin, school_year = text("brin"), text("school-year")
    try:
        ek.School(brin=brin, school_year=school_year)
    except ek.InvalidValueError as error:
        raise ReaderError(
            msg("fleet.cli.bad-school", table=table, error=str(error)), file=where
        ) from None
    profile, values = text("profile"), text("values")
    read = TenantRead(
        files=tuple(base / item for item in texts("source")),
        source_name=text("source-name"),
        profile=None if profile is None else base / profile,
        values=None if values is None else base / values,
        entity=entity,
        overrides=tuple((column, field.strip() or None) for column, field in maps.items()),
        brin=brin,
        school_year=school_year,
    )
    if not read.files:
        raise ReaderError(msg("fleet.cli.expected-texts", table=table, option="source"), file=where)
    return Job(source=read, **common)


def _somtoday(
    named: Mapping[str, Any],
    *,
    name: str,
    instelling: str | None,
    source_name: str | None,
    table: str,
    where: str,
) -> ek.somtoday.SomtodaySettings:
    from edukoppel.somtoday import SomtodaySettings

    if name not in named:
        raise ReaderError(
            msg("fleet.cli.no-settings", table=table, name=name, known=", ".join(named) or "-"),
            file=where,
        )
    values = dict(_table(named[name], where, f"[somtoday.{name}]"))
    if "client_secret" in values or "client-secret" in values:
        raise ReaderError(msg("fleet.cli.secret-in-file", table=f"[somtoday.{name}]"), file=where)
    values = {key.replace("-", "_"): value for key, value in values.items()}
    if instelling is not None:
        values["instelling"] = instelling
    if source_name is not None:
        values["source_name"] = source_name
    values["client_secret"] = SECRET_PLACEHOLDER  # the worker asks its environment
    environment = values.pop("environment", None)
    try:
        if environment is not None:
            return SomtodaySettings.for_environment(environment, **values)
        return SomtodaySettings(**values)
    except (SomtodayConfigError, TypeError) as error:
        raise ReaderError(
            msg(
                "fleet.cli.bad-settings", table=f"[somtoday.{name}]", tenant=table, error=str(error)
            ),
            file=where,
        ) from None
