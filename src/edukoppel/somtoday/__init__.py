"""Read a school's people from Somtoday Connect, completely or not at all.

:func:`read_somtoday` asks Somtoday Connect for a token for one instelling (OAuth2
client_credentials), lists the vestigingen the school activated for you, reads every
leerling, medewerker, stamgroep, lesgroep and ouder/verzorger of each, and returns the same
:class:`~edukoppel.ReadResult` as :func:`edukoppel.read`. If any page of any list still fails
after its retries, it raises :class:`~edukoppel.exceptions.SomtodayError` and returns nothing,
so no sync can archive pupils that were simply not fetched.

Needs httpx: ``pip install 'edukoppel[somtoday]'``. To test without Somtoday credentials, run
:class:`edukoppel.testing.somtoday.SomtodayEmulator`.

Examples:
    >>> from edukoppel.testing.somtoday import SomtodayEmulator
    >>> with SomtodayEmulator() as server:
    ...     result = read_somtoday(**server.credentials(), vestigingen=["99ZZ00"])
    >>> sorted(student.display_name for student in result.roster.students)
    ['Daan de Vries', 'Sanne de Vries']
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from edukoppel.exceptions import SomtodayAuthError, SomtodayConfigError, SomtodayError
from edukoppel.somtoday._client import Progress
from edukoppel.somtoday._settings import ENVIRONMENTS, SchoolYear, SomtodaySettings

if TYPE_CHECKING:
    from edukoppel.readers._registry import ReadResult

__all__ = [
    "ENVIRONMENTS",
    "Progress",
    "SchoolYear",
    "SomtodayAuthError",
    "SomtodayConfigError",
    "SomtodayError",
    "SomtodaySettings",
    "read_somtoday",
    "read_somtoday_async",
]


def _settings(settings: SomtodaySettings | None, options: dict[str, Any]) -> SomtodaySettings:
    given = {name: value for name, value in options.items() if value is not None}
    if settings is None:
        missing = [
            name
            for name in ("api_url", "token_url", "instelling", "client_id", "client_secret")
            if name not in given
        ]
        if missing:
            from edukoppel._i18n import msg

            raise SomtodayConfigError(msg("somtoday.config.missing", names=missing))
        return SomtodaySettings(**given)
    if not given:
        return settings
    import attrs

    return attrs.evolve(settings, **given)


async def read_somtoday_async(
    settings: SomtodaySettings | None = None,
    *,
    api_url: str | None = None,
    token_url: str | None = None,
    instelling: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    school_year: SchoolYear | None = None,
    vestigingen: Iterable[str] | None = None,
    concurrency: int | None = None,
    retries: int | None = None,
    backoff: float | None = None,
    max_backoff: float | None = None,
    timeout: float | None = None,
    page_size: int | None = None,
    source_name: str | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> ReadResult:
    """:func:`read_somtoday` for a host that runs an event loop: ``await`` it.

    Examples:
        >>> import asyncio
        >>> from edukoppel.testing.somtoday import SomtodayEmulator
        >>> with SomtodayEmulator() as server:
        ...     result = asyncio.run(read_somtoday_async(server.settings()))
        >>> result.format, len(result.roster.students)
        ('somtoday', 3)
    """
    from edukoppel.model._records import paused_gc
    from edukoppel.readers._registry import ReadResult
    from edukoppel.somtoday._client import fetch
    from edukoppel.somtoday._mapping import digest, to_roster
    from edukoppel.somtoday._mapping import school_year as year_of

    chosen = _settings(
        settings,
        {
            "api_url": api_url,
            "token_url": token_url,
            "instelling": instelling,
            "client_id": client_id,
            "client_secret": client_secret,
            "school_year": school_year,
            "vestigingen": None if vestigingen is None else tuple(vestigingen),
            "concurrency": concurrency,
            "retries": retries,
            "backoff": backoff,
            "max_backoff": max_backoff,
            "timeout": timeout,
            "page_size": page_size,
            "source_name": source_name,
        },
    )
    year = year_of(1 if chosen.school_year == "next" else 0)
    # Decoded pages and the records built from them are hundreds of thousands of objects in
    # no cycle; with the collector on, its full passes over the growing heap cost a third of
    # the read's CPU. It runs again as before once the roster is built.
    with paused_gc():
        page = await fetch(
            chosen,
            progress=progress,
            digest=lambda stream, records: digest(stream.entity, stream.vestiging, records, year),
        )
        roster, report = to_roster(page, chosen)
    return ReadResult(roster=roster, report=report, mapping=None, table=None, format="somtoday")


def read_somtoday(
    settings: SomtodaySettings | None = None,
    *,
    api_url: str | None = None,
    token_url: str | None = None,
    instelling: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    school_year: SchoolYear | None = None,
    vestigingen: Iterable[str] | None = None,
    concurrency: int | None = None,
    retries: int | None = None,
    backoff: float | None = None,
    max_backoff: float | None = None,
    timeout: float | None = None,
    page_size: int | None = None,
    source_name: str | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> ReadResult:
    """Read one instelling from Somtoday Connect into a roster, or raise: never half of it.

    Pass a :class:`SomtodaySettings`, or its values as keywords (keywords also override the
    settings' values). Works in a script and in a notebook whose event loop is running.

    Args:
        settings: The connection settings, in one object.
        api_url: The API base up to and including ``/rest/v1``.
        token_url: The token endpoint without its query (``?organisation=`` is added).
        instelling: The instelling's uuid.
        client_id: The koppelpartner's client id.
        client_secret: Its secret (never shown in a repr, a message or a log).
        school_year: ``"current"`` (peilschooljaar ``HUIDIG``, the default) or ``"next"``
            (``VOLGEND``: next year's pupils and groups).
        vestigingen: Only these vestigingen (uuid, BRIN6, afkorting or name); default all
            that the school activated.
        concurrency: Requests in flight at most (1: strictly one after the other).
        retries: Retries of a request after a 408, 429, 5xx or a timeout.
        backoff: The first wait between attempts in seconds (doubled each time, jittered).
        max_backoff: The longest wait between attempts, ``Retry-After`` included.
        timeout: Seconds to wait for a connection and for each answer.
        page_size: Records per page (``amount``, at most 200).
        source_name: The roster's ``source``.
        progress: Called with a :class:`Progress` after every page.

    Returns:
        A :class:`~edukoppel.ReadResult` with ``format="somtoday"``: the roster (scope: the
        vestigingen read and the school year) and a report (fields not released, references
        that could not be resolved, values the model refused).

    Raises:
        SomtodayAuthError: The credentials or the instelling were refused.
        SomtodayError: A request failed after its retries, was redirected or was not JSON;
            nothing is returned.
        SomtodayConfigError: Settings that cannot work.

    Examples:
        >>> from edukoppel.testing.somtoday import SomtodayEmulator
        >>> with SomtodayEmulator() as server:
        ...     result = read_somtoday(**server.credentials(), school_year="next")
        >>> sorted(student.first_name for student in result.roster.students)
        ['Daan', 'Ilse', 'Noor', 'Sanne']
    """
    coroutine = read_somtoday_async(
        settings,
        api_url=api_url,
        token_url=token_url,
        instelling=instelling,
        client_id=client_id,
        client_secret=client_secret,
        school_year=school_year,
        vestigingen=vestigingen,
        concurrency=concurrency,
        retries=retries,
        backoff=backoff,
        max_backoff=max_backoff,
        timeout=timeout,
        page_size=page_size,
        source_name=source_name,
        progress=progress,
    )
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    # An event loop runs in this thread (a notebook): run the read on a loop of its own.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
