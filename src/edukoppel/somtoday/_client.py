"""The HTTP side of a Somtoday Connect read: token, discovery, paged lists, retries.

Everything here is async (httpx.AsyncClient); the blocking ``read_somtoday`` runs it on an
event loop of its own. One read holds one token (per instelling) and a bounded number of
requests in flight across every endpoint and vestiging; pages are fetched ahead while a list
has not ended. A request that still fails after its retries fails the whole read, and so does a list
whose records keep shifting between its pages (see :func:`_read_streams`).
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import random
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from edukoppel._i18n import msg
from edukoppel._optional import import_optional
from edukoppel.exceptions import SomtodayAuthError, SomtodayError

if TYPE_CHECKING:
    import httpx

    from edukoppel.somtoday._settings import SomtodaySettings

__all__ = ["LIST_PATHS", "Page", "Progress", "Stream", "fetch"]

JSON = dict[str, Any]

#: The lists read per vestiging: entity path, the path as the spec writes it (trailing
#: slashes included), and the envelope's array key.
LIST_PATHS: tuple[tuple[str, str, str], ...] = (
    ("leerling", "leerling", "leerlingen"),
    ("medewerker", "medewerker", "medewerkers"),
    ("stamgroep", "stamgroep/", "stamgroepen"),
    ("lesgroep", "lesgroep/", "lesgroepen"),
    ("ouderVerzorger", "ouderVerzorger/", "ouderVerzorgers"),
)
_TRANSIENT = {408, 429}


@attrs.frozen
class Progress:
    """How far a read is, passed to the ``progress`` callback after every page.

    Attributes:
        requests: Requests sent so far (retries included).
        records: Records received so far.
        lists_done: Lists (one endpoint of one vestiging) read to their end.
        lists: Lists to read in all (known once the vestigingen are).
        rereads: Lists read again from the start because records shifted between their pages.
    """

    requests: int
    records: int
    lists_done: int
    lists: int
    rereads: int = 0


#: How many times one list is read again from the start after its records shifted between
#: pages, before the read gives up (see :func:`_read_streams`).
MAX_REREADS = 3


@attrs.define
class Stream:
    """One paged list: an endpoint of a vestiging, its pages, where it ends.

    Pages overlap by one record: the page at ``offset`` starts with the last record of the
    page before it (``offset - step``), so a list that shifted between two requests is seen.
    """

    vestiging: str
    entity: str
    path: str
    key: str
    pages: dict[int, list[JSON]] = attrs.field(factory=dict)
    permissions: JSON | None = None
    next_offset: int = 0
    end: int | None = None  # the offset of the last page, once a short page was seen
    in_flight: int = 0
    full_pages: int = 0
    digested: bool = False  # pages hold what ``digest`` made of them, not raw records
    #: Per page: its first and last record (raw, before digest) and how many it held.
    edges: dict[int, tuple[JSON | None, JSON | None, int]] = attrs.field(factory=dict)
    generation: int = 0  # one more at each re-read: pages of an older one are dropped
    rereads: int = 0
    received: int = 0

    def allowed(self, concurrency: int) -> int:
        """Pages it may have in flight: one, and one more per full page it returned.

        A list of one short page costs one request; a long list is fetched further and
        further ahead, so that at its end only a few requests go past it.
        """
        return min(concurrency, 1 + self.full_pages)

    @property
    def done(self) -> bool:
        return self.end is not None and self.in_flight == 0

    def records(self, page_size: int) -> list[JSON]:
        """The records of the pages up to the end, in order (each overlap once)."""
        assert self.end is not None
        return [
            record
            for offset in range(0, self.end + 1, step(page_size))
            for record in self.pages[offset]
        ]

    def shifted(self, offset: int, page_size: int) -> bool:
        """Whether the page at ``offset`` and a neighbour disagree on the record they share.

        A full page's last record must open the next page: if it does not (or the next page
        is empty), records were inserted or removed before that point between the two
        requests, and the pages no longer fit together. A short page ends the list, so what
        comes after it is not compared.

        Examples:
            >>> stream = Stream("v", "leerling", "leerling", "leerlingen")
            >>> a, b, c = {"uuid": "a"}, {"uuid": "b"}, {"uuid": "c"}
            >>> stream.edges = {0: (a, b, 3), 2: (b, c, 2)}
            >>> stream.shifted(2, 3)
            False
            >>> stream.edges[2] = (c, c, 1)  # "a" was removed before page 2 was asked for
            >>> stream.shifted(2, 3)
            True
        """
        gap = step(page_size)
        for before in (offset - gap, offset):
            after = self.edges.get(before + gap)
            if before < 0 or after is None or before not in self.edges:
                continue
            _, last, count = self.edges[before]
            if count < page_size:
                continue
            first = after[0]
            if first is None or last is None or not _same(last, first):
                return True
        return False

    def take(
        self,
        offset: int,
        edge: tuple[JSON | None, JSON | None, int],
        records: list[Any],
        page_size: int,
    ) -> int:
        """Keep a page; the change in records received (less than 0: the list restarts).

        A page that does not fit the pages beside it (see :meth:`shifted`) sends the list
        back to its first page, or fails the read when it has shifted too often.
        """
        count = edge[2]
        self.edges[offset] = edge
        kept = 0
        if self.end is None or offset <= self.end:
            self.pages[offset] = records
            kept = len(records)
            self.received += kept
        if count < page_size and (self.end is None or offset < self.end):
            self.end = offset
        elif count >= page_size:
            self.full_pages += 1
        if not self.shifted(offset, page_size):
            return kept
        _reread(self, offset)
        dropped = self.received  # this page's records among them
        self.restart()
        return kept - dropped

    def restart(self) -> None:
        """Forget every page: the list is read again from its first page."""
        self.generation += 1
        self.rereads += 1
        self.pages.clear()
        self.edges.clear()
        self.permissions = None
        self.next_offset = 0
        self.end = None
        self.full_pages = 0
        self.received = 0


def step(page_size: int) -> int:
    """The offset from one page to the next: a page less one, as pages overlap by one record.

    Examples:
        >>> [offset for offset in range(0, 600, step(200))]
        [0, 199, 398, 597]
    """
    return page_size - 1


def _same(one: JSON, other: JSON) -> bool:
    """Whether two records are the same one: by uuid, or (without one) by every field."""
    key, other_key = one.get("uuid"), other.get("uuid")
    if isinstance(key, str) and isinstance(other_key, str):
        return key == other_key
    return one == other


@attrs.frozen
class Page:
    """What a read fetched: the instelling, its vestigingen, and every list of each."""

    instelling: JSON | None
    vestigingen: list[JSON]
    streams: list[Stream]
    requests: int


class _Connection:
    """One httpx client, one token, the retry rules and the count of requests."""

    def __init__(self, settings: SomtodaySettings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = client
        self.token: str | None = None
        self.generation = 0
        self.lock = asyncio.Lock()
        self.slots = asyncio.Semaphore(settings.concurrency)
        self.requests = 0

    async def authenticate(self, seen: int = -1) -> None:
        """Get a token, unless another request got a newer one than ``seen`` meanwhile."""
        async with self.lock:
            if self.token is not None and self.generation != seen:
                return
            settings = self.settings
            form = {
                "grant_type": "client_credentials",
                "client_id": settings.client_id,
                "client_secret": settings.client_secret,
            }
            response = await self._send(
                "POST",
                settings.token_url,
                params={"organisation": settings.instelling},
                data=form,
                path="oauth2/token",
            )
            if response.status_code in (400, 401, 403):
                raise SomtodayAuthError(
                    msg("somtoday.auth-refused", status=response.status_code),
                    status=response.status_code,
                    path="oauth2/token",
                )
            body = self._json(response, "oauth2/token")
            token = body.get("access_token") if isinstance(body, dict) else None
            if not isinstance(token, str) or not token:
                raise SomtodayAuthError(
                    msg("somtoday.auth-no-token"), status=response.status_code, path="oauth2/token"
                )
            self.token = token
            self.generation += 1

    async def get(
        self,
        path: str,
        params: Mapping[str, Any],
        *,
        auth: bool = True,
        vestiging: str | None = None,
        offset: int | None = None,
    ) -> Any:
        """GET a path under the API base; a 401 gets one new token, then is an error.

        A 401 for a token that another request has renewed meanwhile is sent again with the
        new one (a few times at most), without counting as this request's renewal.
        """
        url = f"{self.settings.api_url}/{path}"
        renewed, stale = False, 0
        while True:
            seen = self.generation
            headers = {"Authorization": f"Bearer {self.token}"} if auth else {}
            response = await self._send(
                "GET", url, params=params, headers=headers, path=path, vestiging=vestiging,
                offset=offset,
            )  # fmt: skip
            if response.status_code == 401 and auth and stale < self.settings.retries:
                if self.generation != seen:
                    stale += 1  # sent with a token another request has renewed since
                    continue
                if not renewed:
                    renewed = True
                    await self.authenticate(seen)
                    continue
            if response.status_code == 401:
                raise SomtodayAuthError(
                    msg("somtoday.unauthorized", path=path),
                    status=401,
                    path=path,
                    vestiging=vestiging,
                    offset=offset,
                )
            if response.status_code != 200:
                raise SomtodayError(
                    msg("somtoday.status", status=response.status_code, path=path),
                    status=response.status_code,
                    path=path,
                    vestiging=vestiging,
                    offset=offset,
                )
            return self._json(response, path, vestiging=vestiging, offset=offset)

    async def _send(
        self,
        method: str,
        url: str,
        *,
        path: str,
        vestiging: str | None = None,
        offset: int | None = None,
        **request: Any,
    ) -> httpx.Response:
        """Send with retries on 408, 429, 5xx and timeouts; refuse redirects."""
        import httpx

        settings = self.settings
        attempt = 0
        while True:
            attempt += 1
            failure: SomtodayError
            response: httpx.Response | None = None
            async with self.slots:
                self.requests += 1
                try:
                    answer = await self.client.request(method, url, **request)
                    await answer.aread()
                    response = answer
                except httpx.TimeoutException:
                    failure = SomtodayError(
                        msg("somtoday.timeout", path=path, seconds=settings.timeout),
                        path=path, vestiging=vestiging, offset=offset, attempts=attempt,
                    )  # fmt: skip
                except httpx.TransportError as error:
                    failure = SomtodayError(
                        msg("somtoday.transport", path=path, error=type(error).__name__),
                        path=path, vestiging=vestiging, offset=offset, attempts=attempt,
                    )  # fmt: skip
            if response is not None:
                status = response.status_code
                if 300 <= status < 400:
                    raise SomtodayError(
                        msg("somtoday.redirect", status=status, path=path),
                        status=status, path=path, vestiging=vestiging, offset=offset,
                        attempts=attempt,
                    )  # fmt: skip
                if status not in _TRANSIENT and status < 500:
                    return response
                failure = SomtodayError(
                    msg("somtoday.gave-up", status=status, path=path, attempts=attempt),
                    status=status, path=path, vestiging=vestiging, offset=offset,
                    attempts=attempt,
                )  # fmt: skip
            if attempt > settings.retries:
                raise failure
            await asyncio.sleep(self._wait(attempt, response))

    def _wait(self, attempt: int, response: httpx.Response | None) -> float:
        """Seconds before the next attempt: Retry-After if given, else backoff with jitter."""
        settings = self.settings
        given = None if response is None else _retry_after(response.headers.get("Retry-After"))
        if given is not None:
            return min(given, settings.max_backoff)
        delay = min(settings.max_backoff, settings.backoff * 2.0 ** (attempt - 1))
        return delay * random.uniform(0.5, 1.0)

    @staticmethod
    def _json(
        response: httpx.Response,
        path: str,
        *,
        vestiging: str | None = None,
        offset: int | None = None,
    ) -> Any:
        kind = response.headers.get("Content-Type", "").split(";")[0].strip()
        if kind != "application/json" and not kind.endswith("+json"):
            raise SomtodayError(
                msg("somtoday.not-json", path=path, kind=kind or "-"),
                status=response.status_code, path=path, vestiging=vestiging, offset=offset,
            )  # fmt: skip
        try:
            return _decoder()(response.content)
        except ValueError:
            raise SomtodayError(
                msg("somtoday.bad-json", path=path),
                status=response.status_code, path=path, vestiging=vestiging, offset=offset,
            ) from None  # fmt: skip


@functools.cache
def _decoder() -> Callable[[bytes], Any]:
    """The JSON decoder of pages: orjson's when it is installed, else the standard library's.

    orjson decodes Somtoday's pages in half the time (an optional accelerator: ``pip install
    orjson``). Both read the UTF-8 bytes as sent and raise a ``ValueError`` on bad JSON;
    looked up at the first read, so importing the reader imports neither.
    """
    try:
        import orjson
    except ImportError:
        import json

        return json.loads
    loads: Callable[[bytes], Any] = orjson.loads
    return loads


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header: a number of seconds or an HTTP date."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


Digest = Callable[[Stream, list[JSON]], list[Any]]


async def _read_streams(
    connection: _Connection,
    streams: list[Stream],
    progress: Callable[[Progress], None] | None,
    digest: Digest | None = None,
) -> None:
    """Read every list to its end, keeping up to ``concurrency`` pages in flight.

    A list whose end is not known yet gets its next page requested as soon as a slot is free
    (the list with the fewest pages in flight first, up to :meth:`Stream.allowed`), so a long
    list is fetched ahead while the short ones finish. The end is the first page shorter than
    ``amount``; pages asked for beyond it (at most the ones in flight at that moment) come back
    empty and are dropped.

    Pages overlap by one record (offsets 0, 199, 398... for pages of 200). A full page whose
    last record does not open the next page means the server's list shifted between the two
    requests (records inserted or removed before that point): the list is read again from its
    start, at most :data:`MAX_REREADS` times, then the read fails. With every overlap in
    place, each record that was in the list for the whole read is in it exactly once.
    """
    settings = connection.settings
    size = settings.page_size
    gap = step(size)
    changed = asyncio.Condition()
    received = 0

    def pick() -> Stream | None:
        limit = settings.concurrency
        open_ = [s for s in streams if s.end is None and s.in_flight < s.allowed(limit)]
        return min(open_, key=lambda s: s.in_flight) if open_ else None

    async def worker() -> None:
        nonlocal received
        while True:
            async with changed:
                while (stream := pick()) is None:
                    if all(s.done for s in streams):
                        return
                    await changed.wait()
                offset = stream.next_offset
                stream.next_offset += gap
                stream.in_flight += 1
                generation = stream.generation
            try:
                params: dict[str, Any] = {
                    "amount": size,
                    "offset": offset,
                    "peilschooljaar": settings.peilschooljaar,
                }
                if offset == 0:
                    params["veldpermissies"] = "true"
                body = await connection.get(
                    f"connect/vestiging/{stream.vestiging}/{stream.path}",
                    params,
                    vestiging=stream.vestiging,
                    offset=offset,
                )
            finally:
                async with changed:
                    stream.in_flight -= 1
                    changed.notify_all()
            raw = _envelope(body, stream, offset)
            count = len(raw)
            edge = (raw[0], raw[-1], count) if raw else (None, None, 0)
            records = raw[1:] if offset else raw  # the first is the page before's last
            if digest is not None:
                # Here, not at the end: the other pages in flight arrive meanwhile.
                records = digest(stream, records)
            async with changed:
                if stream.generation != generation:
                    continue  # asked for before the list was found shifted and restarted
                if offset == 0 and isinstance(body.get("veldpermissies"), dict):
                    stream.permissions = body["veldpermissies"]
                received += stream.take(offset, edge, records, size)
                changed.notify_all()
            if progress is not None:
                done = sum(s.done for s in streams)
                rereads = sum(s.rereads for s in streams)
                progress(Progress(connection.requests, received, done, len(streams), rereads))

    async with asyncio.TaskGroup() as group:
        for _ in range(min(settings.concurrency, max(1, len(streams)))):
            group.create_task(worker())


def _reread(stream: Stream, offset: int) -> None:
    """Allow a shifted list another read from the start, or fail the read if it keeps shifting."""
    if stream.rereads >= MAX_REREADS:
        path = f"connect/vestiging/{stream.vestiging}/{stream.path}"
        raise SomtodayError(
            msg("somtoday.shifting", path=path, times=stream.rereads + 1),
            path=path,
            vestiging=stream.vestiging,
            offset=offset,
            attempts=stream.rereads + 1,
        )


def _envelope(body: Any, stream: Stream, offset: int) -> list[JSON]:
    """The records of a page's envelope (its one array); anything else fails the read."""
    items = body.get(stream.key) if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise SomtodayError(
            msg("somtoday.no-envelope", path=stream.path, key=stream.key),
            path=stream.path,
            vestiging=stream.vestiging,
            offset=offset,
        )
    return [item for item in items if isinstance(item, dict)]


def _chosen(vestigingen: list[JSON], wanted: tuple[str, ...] | None) -> list[JSON]:
    """The vestigingen asked for (by uuid, BRIN6, afkorting or name), in the server's order."""
    if wanted is None:
        return vestigingen
    chosen, unknown = [], []
    for item in wanted:
        folded = item.casefold()
        match = [
            v
            for v in vestigingen
            if folded
            in {
                str(v.get("uuid", "")).casefold(),
                str(v.get("afkorting", "")).casefold(),
                str(v.get("naam", "")).casefold(),
                *(str(brin).casefold() for brin in v.get("brins") or ()),
            }
        ]
        if match:
            chosen += [v for v in match if v not in chosen]
        else:
            unknown.append(item)
    if unknown:
        names = [str(v.get("afkorting") or v.get("naam") or v.get("uuid")) for v in vestigingen]
        raise SomtodayError(msg("somtoday.unknown-vestiging", wanted=unknown, names=names or "-"))
    return [v for v in vestigingen if v in chosen]


async def fetch(
    settings: SomtodaySettings,
    *,
    progress: Callable[[Progress], None] | None = None,
    digest: Digest | None = None,
    transport: Any = None,
) -> Page:
    """Everything a roster needs from Somtoday, or an exception: never part of it.

    ``digest(stream, records)`` turns each page into what the roster is built from, as it
    arrives (the pages then hold its result).
    """
    httpx = import_optional("httpx", extra="somtoday", purpose="reading Somtoday Connect")
    limits = httpx.Limits(
        max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency
    )
    async with httpx.AsyncClient(
        timeout=settings.timeout,
        follow_redirects=False,
        headers={"Accept": "application/json"},
        limits=limits,
        transport=transport,
        trust_env=False,
    ) as client:
        connection = _Connection(settings, client)
        await connection.authenticate()
        listed = await connection.get("connect/vestiging", {})
        if not isinstance(listed, dict) or not isinstance(listed.get("vestigingen"), list):
            raise SomtodayError(
                msg("somtoday.no-envelope", path="vestiging", key="vestigingen"),
                path="connect/vestiging",
            )
        vestigingen = [v for v in listed["vestigingen"] if isinstance(v, dict) and v.get("uuid")]
        chosen = _chosen(vestigingen, settings.vestigingen)
        if not chosen:
            raise SomtodayError(msg("somtoday.no-vestigingen"), path="connect/vestiging")
        streams = [
            Stream(
                vestiging=str(v["uuid"]),
                entity=entity,
                path=path,
                key=key,
                digested=digest is not None,
            )
            for v in chosen
            for entity, path, key in LIST_PATHS
        ]
        instellingen = await connection.get("connect/instelling", {}, auth=False)
        found = instellingen.get("instellingen") if isinstance(instellingen, dict) else None
        instelling = next(
            (
                item
                for item in found or ()
                if isinstance(item, dict) and item.get("uuid") == settings.instelling
            ),
            None,
        )
        try:
            await _read_streams(connection, streams, progress, digest)
        except BaseExceptionGroup as group:
            raise _first(group) from None
        return Page(instelling, chosen, streams, connection.requests)


def _first(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The first edukoppel error in a group (the others were cancelled or came after)."""
    for error in group.exceptions:
        if isinstance(error, BaseExceptionGroup):
            return _first(error)
        if isinstance(error, SomtodayError):
            return error
    return group.exceptions[0]
