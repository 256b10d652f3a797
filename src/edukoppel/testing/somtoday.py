"""A Somtoday Connect server on 127.0.0.1, for tests and notebooks: no credentials needed.

:class:`SomtodayEmulator` is a real HTTP server in a background thread that answers the way
Somtoday Connect does (the token endpoint, ``instelling``, ``vestiging`` and the
vestiging-scoped lists of leerlingen, medewerkers, lesgroepen, stamgroepen and
ouders/verzorgers): OAuth2 client_credentials per instelling, ``offset``/``amount`` paging with
no total, fields left out when they are null or not released, ``veldpermissies`` on request,
``peilschooljaar`` filtering, XML when the ``Accept`` header does not ask for JSON. Faults are
switched on per test (:meth:`SomtodayEmulator.inject`, :meth:`SomtodayEmulator.expire_tokens`,
:meth:`SomtodayEmulator.shift` for records inserted or removed between two pages of a list),
latency is added per request, and every request is logged (never a secret).

Fixtures are plain JSON objects, as Somtoday sends them, in :class:`Instelling` and
:class:`Vestiging`; :func:`example_instellingen` is a small hand-written school group with the
awkward cases, :func:`generated_instelling` makes thousands of pupils.

Examples:
    >>> from edukoppel.somtoday import read_somtoday
    >>> with SomtodayEmulator() as server:
    ...     result = read_somtoday(**server.credentials())
    >>> result.roster
    <Roster source='somtoday': 2 locations, 5 groups, 3 students, 3 staff, 2 guardians>

The server needs only the standard library and attrs; importing it goes through
``edukoppel.testing``, which needs hypothesis (``pip install 'edukoppel[testing]'``).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import secrets
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Self
from xml.sax.saxutils import escape

import attrs

if TYPE_CHECKING:
    from edukoppel.somtoday import SomtodaySettings

__all__ = [
    "ENTITY_PATHS",
    "Fault",
    "Instelling",
    "LoggedRequest",
    "Shift",
    "SomtodayEmulator",
    "Vestiging",
    "example_instellingen",
    "generated_instelling",
]

JSONObject = dict[str, Any]

#: The vestiging-scoped list endpoints, and the array key of each one's envelope.
ENTITY_PATHS: dict[str, str] = {
    "leerling": "leerlingen",
    "medewerker": "medewerkers",
    "lesgroep": "lesgroepen",
    "stamgroep": "stamgroepen",
    "ouderVerzorger": "ouderVerzorgers",
    "plaatsing": "plaatsingen",
}
#: Fields whose permission key is spelled otherwise than the field (as in the real spec).
_PERMISSION_KEYS: dict[str, dict[str, str]] = {
    "medewerker": {
        "datum_in_dienst": "datumInDienst",
        "datum_uit_dienst": "datumUitDienst",
        "reden_uit_dienst": "redenUitDienst",
    },
    "ouderVerzorger": {"relatie_tot_leerlingen": "relatie_tot_leerlingen_permissies"},
}
#: The fields of each entity the emulator knows (its permission objects list these).
_FIELDS: dict[str, tuple[str, ...]] = {
    "leerling": (
        "uuid", "eckid", "leerlingnummer", "roepnaam", "voornamen", "voorletters",
        "voorvoegsel", "achternaam", "geslacht", "geboortedatum", "emailadres",
        "mobielnummer", "telefoonnummer", "adres", "verzorgers", "vestiging", "plaatsingen",
        "lesgroepen", "vakkeuzes", "gebruikersnaam", "BSN", "isActief",
    ),
    "medewerker": (
        "uuid", "eckid", "bsn", "roepnaam", "voorletters", "voorvoegsel", "achternaam",
        "geslacht", "emailadres", "medewerkernummer", "afkorting", "lesgroepen", "vestiging",
        "hoofdvestiging", "is_docent", "functie", "gebruikersnaam", "datum_in_dienst",
        "datum_uit_dienst", "reden_uit_dienst",
    ),
    "lesgroep": (
        "uuid", "naam", "leerlingen", "docenten", "vak", "vaknaam", "vakuuid", "leerjaar",
        "schooljaar", "onderwijssoort", "vestiging",
    ),
    "stamgroep": (
        "uuid", "naam", "omschrijving", "leerjaar", "onderwijssoort", "leerlingen", "mentoren",
    ),
    "ouderVerzorger": (
        "uuid", "geslacht", "voorletters", "voorvoegsel", "achternaam", "gebruikersnaam",
        "emailadres", "adres", "telefoonnummer", "leerlingen_van_vestiging",
        "relatie_tot_leerlingen", "wenstContactViaEMail",
    ),
    "plaatsing": (
        "uuid", "schooljaar", "startdatum", "einddatum", "leerjaar", "opleiding", "stamgroep",
        "mentoren",
    ),
}  # fmt: skip
_YEARS = ("HUIDIG", "VOLGEND")


@attrs.define(kw_only=True)
class Vestiging:
    """One vestiging of an instelling, with its records as Somtoday sends them.

    Attributes:
        uuid: Its Somtoday uuid.
        naam: Its name.
        afkorting: Its short name.
        brins: Its BRIN6 codes.
        activated: Whether the school activated the koppeling here (else it is invisible).
        restricted: Per entity path (``"leerling"``...), the fields the school did not release:
            they are left out of every record and are ``false`` in ``veldpermissies``.
        records: Per entity path, the JSON objects. A record's ``"_peil"`` (a list of
            ``"HUIDIG"``/``"VOLGEND"``) says in which peilschooljaar it is visible (default
            both; no peilschooljaar is ``HUIDIG``); the same key on the items of a list in a
            record (plaatsingen) filters them. Keys starting with ``_`` are never sent; a
            ``None`` value is left out, as Somtoday leaves out null fields.
    """

    uuid: str
    naam: str
    afkorting: str = ""
    brins: list[str] = attrs.field(factory=list)
    activated: bool = True
    restricted: dict[str, set[str]] = attrs.field(factory=dict)
    records: dict[str, list[JSONObject]] = attrs.field(factory=dict)

    def as_json(self) -> JSONObject:
        """The vestiging as the ``vestiging`` endpoint sends it."""
        return {
            "uuid": self.uuid,
            "naam": self.naam,
            "afkorting": self.afkorting,
            "brins": list(self.brins),
            "externalidentifiers": [{"brinnr": brin} for brin in self.brins],
        }

    def reference(self) -> JSONObject:
        """The ``{uuid, naam}`` object that records embed."""
        return {"uuid": self.uuid, "naam": self.naam}


@attrs.define(kw_only=True)
class Instelling:
    """An instelling (school board level) and its vestigingen."""

    uuid: str
    naam: str
    afkorting: str = ""
    brins: list[str] = attrs.field(factory=list)
    vestigingen: list[Vestiging] = attrs.field(factory=list)

    def as_json(self) -> JSONObject:
        """The instelling as the ``instelling`` endpoint sends it."""
        return {
            "uuid": self.uuid,
            "naam": self.naam,
            "afkorting": self.afkorting,
            "brins": list(self.brins),
        }


@attrs.define(kw_only=True)
class Fault:
    """A fault the emulator answers some requests with (see :meth:`SomtodayEmulator.inject`).

    Attributes:
        status: The status to answer (``None``: answer normally, after ``delay``).
        path: Only requests whose path contains this text.
        offset: Only requests for this page (``offset`` query parameter).
        skip: Let this many matching requests through first (fail "the Nth call").
        times: How many requests to fail; ``None`` for every one (a permanent failure).
        retry_after: The ``Retry-After`` header to send, if any.
        delay: Seconds to wait before answering (a slow response).
        location: The ``Location`` of a redirect.
        xml: Answer in XML, as Somtoday does when a client does not ask for JSON.
        hits: How many requests it has answered so far.
        seen: How many matching requests it has seen (``skip`` counts these).
    """

    status: int | None = None
    path: str = ""
    offset: int | None = None
    skip: int = 0
    times: int | None = 1
    retry_after: str | None = None
    delay: float = 0.0
    location: str | None = None
    xml: bool = False
    hits: int = 0
    seen: int = 0

    def claims(self, path: str, offset: int | None) -> bool:
        """Whether this fault answers a request (counting it when it does)."""
        if self.path not in path or (self.offset is not None and self.offset != offset):
            return False
        if self.times is not None and self.hits >= self.times:
            return False
        self.seen += 1
        if self.seen <= self.skip:
            return False
        self.hits += 1
        return True


@attrs.define(kw_only=True)
class Shift:
    """Records inserted into or removed from a list between two of its pages.

    See :meth:`SomtodayEmulator.shift`. After ``after`` page requests of a list whose path
    contains ``path``, and before the next one is answered, the list changes: ``insert``
    records come in at its start (their uuids sort before every other) and ``remove`` records
    leave it from position ``at`` of its sorted order. Every record from there on moves, so a
    reader that simply adds ``amount`` to ``offset`` sees a record twice (insert) or never
    (remove).

    Attributes:
        path: Only lists whose request path contains this text.
        after: Page requests of such a list answered before the change.
        insert: Records to insert, each a copy of the list's first with a new uuid (and
            ``leerlingnummer``, ``afkorting``, ``gebruikersnaam``, ``eckid`` and
            ``emailadres`` left out, so no two records share them).
        remove: Records to remove.
        at: Where in the sorted list the removed records are (0: the first ones).
        times: How many times to change the list (again after every later page request);
            ``None``: after every page request, for good (a list that keeps shifting).
        hits: How many times it changed the list so far.
        seen: How many matching page requests it has seen.
        inserted: The uuids of the records it inserted, in order.
        removed: The uuids of the records it removed, in order.
    """

    path: str = ""
    after: int = 1
    insert: int = 0
    remove: int = 0
    at: int = 0
    times: int | None = 1
    hits: int = 0
    seen: int = 0
    inserted: list[str] = attrs.field(factory=list)
    removed: list[str] = attrs.field(factory=list)

    def due(self, path: str) -> bool:
        """Whether the list changes before this page request is answered (counting it)."""
        if self.path not in path:
            return False
        self.seen += 1
        if self.seen <= self.after or (self.times is not None and self.hits >= self.times):
            return False
        self.hits += 1
        return True


#: Fields an inserted copy leaves out: no two records may share them.
_UNIQUE_FIELDS = ("leerlingnummer", "afkorting", "gebruikersnaam", "eckid", "emailadres")


@attrs.frozen
class LoggedRequest:
    """One request the emulator answered. The token request's body is never kept.

    Attributes:
        method: ``GET`` or ``POST``.
        path: The path, without the query.
        query: The query parameters, each with its values in order.
        status: The status answered.
        accept: The ``Accept`` header (``None`` when absent).
        authorized: Whether it carried a valid bearer token.
    """

    method: str
    path: str
    query: Mapping[str, Sequence[str]]
    status: int
    accept: str | None
    authorized: bool


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a timeout on its side) is no error of the server."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class SomtodayEmulator:
    """A Somtoday Connect server on 127.0.0.1 in a background thread.

    Args:
        instellingen: The data (default: :func:`example_instellingen`).
        client_id, client_secret: The koppelpartner's credentials it accepts (one pair for
            every instelling, as Somtoday issues them; default secret: random).
        latency: Seconds added to every request (the benchmark uses 0.02).
        token_lifetime: Requests a token serves before it expires (``None``: never).
        port: The port to listen on (default: any free one).

    Use it as a context manager (``with SomtodayEmulator() as server:``), or call
    :meth:`start` and :meth:`stop` (a notebook cell each). :meth:`credentials` gives the
    keyword arguments of :func:`edukoppel.somtoday.read_somtoday` for its first instelling.
    """

    def __init__(
        self,
        instellingen: Iterable[Instelling] | None = None,
        *,
        client_id: str = "edukoppel-emulator",
        client_secret: str | None = None,
        latency: float = 0.0,
        token_lifetime: int | None = None,
        port: int = 0,
    ) -> None:
        self.instellingen: list[Instelling] = (
            list(instellingen) if instellingen is not None else example_instellingen()
        )
        self.client_id = client_id
        self.client_secret = client_secret or secrets.token_urlsafe(24)
        self.latency = latency
        self.token_lifetime = token_lifetime
        self._port = port
        self._lock = threading.Lock()
        self._tokens: dict[str, list[Any]] = {}  # token -> [instelling uuid, uses left]
        self._faults: list[Fault] = []
        self._shifts: list[Shift] = []
        self._inserted = 0
        self._log: list[LoggedRequest] = []
        self._in_flight = 0
        self.max_in_flight = 0
        self._cache: dict[tuple[int, str, str], tuple[tuple[Any, ...], Prepared]] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        state = self.base_url if self._server is not None else "stopped"
        return f"<SomtodayEmulator {state}>"

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> Self:
        """Start serving in a daemon thread; returns the emulator."""
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", self._port), _handler_for(self))
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- where it is --------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        if self._server is None:
            raise RuntimeError("the emulator is not running: call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        """The API base, up to and including ``/rest/v1``."""
        return f"{self.base_url}/rest/v1"

    @property
    def token_url(self) -> str:
        """The token endpoint, without its query."""
        return f"{self.base_url}/oauth2/token"

    def credentials(self, instelling: int | str = 0) -> dict[str, str]:
        """The keyword arguments of ``read_somtoday`` for an instelling (index or uuid)."""
        chosen = (
            self.instellingen[instelling]
            if isinstance(instelling, int)
            else next(item for item in self.instellingen if item.uuid == instelling)
        )
        return {
            "api_url": self.api_url,
            "token_url": self.token_url,
            "instelling": chosen.uuid,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }

    def settings(self, instelling: int | str = 0, **options: Any) -> SomtodaySettings:
        """A :class:`~edukoppel.somtoday.SomtodaySettings` for an instelling, with options."""
        from edukoppel.somtoday import SomtodaySettings

        return SomtodaySettings(**self.credentials(instelling), **options)

    # -- switches -----------------------------------------------------------------------------

    def inject(
        self,
        status: int | None = None,
        *,
        path: str = "",
        offset: int | None = None,
        skip: int = 0,
        times: int | None = 1,
        retry_after: str | float | None = None,
        delay: float = 0.0,
        location: str | None = None,
        xml: bool = False,
    ) -> Fault:
        """Answer matching requests with a fault (see :class:`Fault` for the arguments).

        ``inject(503, path="/leerling", times=2)`` fails the next two leerling pages;
        ``inject(500, path="/ouderVerzorger/", offset=200, times=None)`` fails that page
        for good; ``inject(delay=1.0)`` makes the next request slow; ``inject(302,
        location="https://elsewhere.example/")`` redirects.
        """
        fault = Fault(
            status=status,
            path=path,
            offset=offset,
            skip=skip,
            times=times,
            retry_after=None if retry_after is None else str(retry_after),
            delay=delay,
            location=location,
            xml=xml,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def shift(
        self,
        path: str,
        *,
        after: int = 1,
        insert: int = 0,
        remove: int = 0,
        at: int = 0,
        times: int | None = 1,
    ) -> Shift:
        """Insert or remove records of a list between two of its pages (see :class:`Shift`).

        ``shift(f"{vestiging}/leerling", after=1, insert=1)`` adds a pupil at the start of the
        sorted list after its first page went out; ``remove=1`` takes the first pupil out
        instead; ``times=None`` changes the list again before every later page (it never holds
        still). The change is to the vestiging's ``records``, so it stays after the read.
        Cleared by :meth:`clear_faults`.

        Examples:
            >>> from edukoppel.somtoday import read_somtoday
            >>> with SomtodayEmulator([generated_instelling(students=500)]) as server:
            ...     shift = server.shift("/leerling", after=1, insert=1)
            ...     result = read_somtoday(**server.credentials(), concurrency=1)
            >>> len(result.roster.students), shift.inserted[0] in result.roster.students.keys()
            (501, True)
        """
        if insert < 0 or remove < 0 or not insert + remove:
            raise ValueError("shift: give insert or remove, a number of records of at least 1")
        change = Shift(path=path, after=after, insert=insert, remove=remove, at=at, times=times)
        with self._lock:
            self._shifts.append(change)
        return change

    def clear_faults(self) -> None:
        """Remove every injected fault and shift."""
        with self._lock:
            self._faults.clear()
            self._shifts.clear()

    def refresh(self) -> None:
        """Forget the encoded records: call it after changing a record in place while running.

        The emulator encodes each list once and answers from that; adding or removing records,
        replacing a list or changing ``restricted`` is noticed without it.
        """
        with self._lock:
            self._cache.clear()

    def expire_tokens(self) -> None:
        """Make every token issued so far invalid (the next request with one gets 401)."""
        with self._lock:
            self._tokens.clear()

    # -- what happened ------------------------------------------------------------------------

    @property
    def requests(self) -> list[LoggedRequest]:
        """Every request answered so far, in order."""
        with self._lock:
            return list(self._log)

    def request_count(self, path: str = "") -> int:
        """How many requests were answered (whose path contains ``path``)."""
        with self._lock:
            return sum(path in item.path for item in self._log)

    def reset_log(self) -> None:
        """Forget the logged requests and the highest concurrency seen."""
        with self._lock:
            self._log.clear()
            self.max_in_flight = 0

    # -- serving (called from the server's threads) -------------------------------------------

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _record(self, item: LoggedRequest) -> None:
        with self._lock:
            self._log.append(item)

    def _fault_for(self, path: str, offset: int | None) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.claims(path, offset):
                    return fault
        return None

    def _shift_list(self, path: str, vestiging: Vestiging, entity: str) -> None:
        """Apply the shifts due before this page request of a list."""
        with self._lock:
            due = [change for change in self._shifts if change.due(path)]
            if not due:
                return
            records = vestiging.records.setdefault(entity, [])
            for change in due:
                ordered = sorted(records, key=lambda record: str(record["uuid"]))
                for record in ordered[change.at : change.at + change.remove]:
                    records.remove(record)
                    change.removed.append(str(record["uuid"]))
                for _ in range(change.insert):
                    self._inserted += 1
                    uuid = f"00000000-0000-0000-{0xE:04x}-{self._inserted:012x}"
                    template = ordered[0] if ordered else {}
                    copy_ = {k: v for k, v in template.items() if k not in _UNIQUE_FIELDS}
                    records.append({**copy.deepcopy(copy_), "uuid": uuid})
                    change.inserted.append(uuid)
            # A remove and an insert leave the length as it was: forget the encoded list.
            for key in [key for key in self._cache if key[:2] == (id(vestiging), entity)]:
                del self._cache[key]

    def _prepared(self, vestiging: Vestiging, entity: str, peil: str) -> Prepared:
        records = vestiging.records.get(entity, [])
        restricted = vestiging.restricted.get(entity, set())
        signature = (id(records), len(records), tuple(sorted(restricted)))
        key = (id(vestiging), entity, peil)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached[0] == signature:
                return cached[1]
        prepared = _prepare(vestiging, entity, peil)
        with self._lock:
            self._cache[key] = (signature, prepared)
        return prepared

    def _issue_token(self, organisation: str) -> str:
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._tokens[token] = [organisation, self.token_lifetime]
        return token

    def _organisation_of(self, authorization: str | None) -> str | None:
        if not authorization or not authorization.startswith("Bearer "):
            return None
        token = authorization.removeprefix("Bearer ").strip()
        with self._lock:
            entry = self._tokens.get(token)
            if entry is None:
                return None
            if entry[1] is not None:
                if entry[1] <= 0:
                    del self._tokens[token]
                    return None
                entry[1] -= 1
            organisation: str = entry[0]
            return organisation

    def _instelling(self, uuid: str | None) -> Instelling | None:
        return next((item for item in self.instellingen if item.uuid == uuid), None)


# ---------------------------------------------------------------------------------------------
# The request handler
# ---------------------------------------------------------------------------------------------

Answer = tuple[int, Any, dict[str, str]]


def _handler_for(emulator: SomtodayEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        pass

    Handler.emulator = emulator
    return Handler


class _Handler(BaseHTTPRequestHandler):
    emulator: SomtodayEmulator
    protocol_version = "HTTP/1.1"  # keep-alive: clients reuse their connections

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm and the
        # client's delayed ACK hold every answer back for tens of milliseconds.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence: the emulator keeps its own log."""

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        emulator = self.emulator
        emulator._enter()
        try:
            parsed = urllib.parse.urlsplit(self.path)
            path = parsed.path
            query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if emulator.latency:
                time.sleep(emulator.latency)
            organisation = emulator._organisation_of(self.headers.get("Authorization"))
            status, payload, headers = self._answer(method, path, query, body, organisation)
            accept = self.headers.get("Accept")
            xml = headers.pop("X-Emulator-XML", None) is not None
            # Logged before the answer goes out: a test reads the log as soon as it has it.
            emulator._record(
                LoggedRequest(
                    method=method,
                    path=path,
                    query={name: tuple(values) for name, values in query.items()},
                    status=status,
                    accept=accept,
                    authorized=organisation is not None,
                )
            )
            self._send(
                status, payload, headers, xml=xml or "application/json" not in (accept or "")
            )
        finally:
            emulator._leave()

    def _answer(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: bytes,
        organisation: str | None,
    ) -> Answer:
        offset = _integer(query.get("offset", [None])[0])
        fault = self.emulator._fault_for(path, offset if isinstance(offset, int) else None)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.status is not None:
                headers = {}
                if fault.retry_after is not None:
                    headers["Retry-After"] = fault.retry_after
                if fault.location is not None:
                    headers["Location"] = fault.location
                return fault.status, {"errors": [{"code": fault.status}]}, headers
        answer = self._route(method, path, query, body, organisation)
        if fault is not None and fault.xml:
            answer[2]["X-Emulator-XML"] = "1"
        return answer

    def _route(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: bytes,
        organisation: str | None,
    ) -> Answer:
        if path.rstrip("/") == "/oauth2/token":
            if method != "POST":
                return 405, {"error": "invalid_request"}, {}
            return self._token(query, body)
        if method != "GET":
            return 405, {"errors": [{"code": 405, "problem": "method not allowed"}]}, {}
        parts = [part for part in path.split("/") if part]
        if parts[:3] != ["rest", "v1", "connect"] or len(parts) < 4:
            return 404, {"errors": [{"code": 404, "problem": "not found"}]}, {}
        rest = parts[3:]
        if rest == ["instelling"]:
            return 200, {"instellingen": self._instellingen(query)}, {}
        if organisation is None:
            return 401, {"errors": [{"code": 401, "problem": "unauthorized"}]}, {}
        instelling = self.emulator._instelling(organisation)
        assert instelling is not None
        visible = {item.uuid: item for item in instelling.vestigingen if item.activated}
        if rest == ["vestiging"]:
            wanted = set(query.get("uuid", []))
            return (
                200,
                {
                    "vestigingen": [
                        item.as_json()
                        for item in visible.values()
                        if not wanted or item.uuid in wanted
                    ]
                },
                {},
            )
        if rest[0] != "vestiging" or len(rest) not in (3, 4):
            return 404, {"errors": [{"code": 404, "problem": "not found"}]}, {}
        vestiging = visible.get(rest[1])
        if vestiging is None:
            return 401, {"errors": [{"code": 401, "problem": "no access to vestiging"}]}, {}
        entity = rest[2]
        if entity not in ENTITY_PATHS:
            return 404, {"errors": [{"code": 404, "problem": "not found"}]}, {}
        single = rest[3] if len(rest) == 4 else None
        return _list(self.emulator, vestiging, entity, query, single, path=path)

    def _token(self, query: dict[str, list[str]], body: bytes) -> Answer:
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        if self.headers.get("Content-Type", "").split(";")[0] != (
            "application/x-www-form-urlencoded"
        ):
            return 400, {"error": "invalid_request"}, {}
        if form.get("grant_type") != ["client_credentials"]:
            return 400, {"error": "unsupported_grant_type"}, {}
        organisation = query.get("organisation", [""])[0]
        emulator = self.emulator
        if (
            emulator._instelling(organisation) is None
            or form.get("client_id") != [emulator.client_id]
            or form.get("client_secret") != [emulator.client_secret]
        ):
            return 401, {"error": "invalid_client"}, {}
        token = emulator._issue_token(organisation)
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600}, {}

    def _instellingen(self, query: dict[str, list[str]]) -> list[JSONObject]:
        naam = query.get("naam", [""])[0].casefold()
        brin = query.get("brin", [""])[0].upper()
        found = []
        for item in self.emulator.instellingen:
            names = [item.naam, *(vestiging.naam for vestiging in item.vestigingen)]
            brins = [*item.brins, *(b for vestiging in item.vestigingen for b in vestiging.brins)]
            if naam and not any(naam in name.casefold() for name in names):
                continue
            if brin and brin not in brins:
                continue
            found.append(item.as_json())
        return found

    def _send(self, status: int, payload: Any, headers: dict[str, str], *, xml: bool) -> None:
        if isinstance(payload, _Listing):
            if not xml:
                self._write(status, payload.encode(), "application/json", headers)
                return
            payload = payload.as_json()
        if xml:
            body = _to_xml(payload).encode()
            content_type = "application/xml"
        else:
            body = json.dumps(payload, ensure_ascii=False).encode()
            content_type = "application/json"
        self._write(status, body, content_type, headers)

    def _write(self, status: int, body: bytes, content_type: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def _integer(text: str | None) -> int | str | None:
    """The number in a query parameter; ``None`` when absent, ``"bad"`` when not a number."""
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        return "bad"


@attrs.frozen
class _Listing:
    """A list answer whose records are encoded already (the emulator's cache)."""

    key: str
    items: list[bytes]
    extra: JSONObject

    def encode(self) -> bytes:
        parts = [b'{"', self.key.encode(), b'":[', b",".join(self.items), b"]"]
        for name, value in self.extra.items():
            parts += [b',"', name.encode(), b'":', json.dumps(value).encode()]
        return b"".join([*parts, b"}"])

    def as_json(self) -> JSONObject:
        result: JSONObject = json.loads(self.encode())
        return result


Prepared = list[tuple[JSONObject, bytes]]


def _list(
    emulator: SomtodayEmulator,
    vestiging: Vestiging,
    entity: str,
    query: dict[str, list[str]],
    single: str | None,
    *,
    path: str,
) -> Answer:
    key = ENTITY_PATHS[entity]
    peil = query.get("peilschooljaar", ["HUIDIG"])[0]
    if peil not in _YEARS:
        return 400, {"errors": [{"code": 400, "problem": "peilschooljaar"}]}, {}
    if single is None and "amount" in query:
        emulator._shift_list(path, vestiging, entity)
    visible = emulator._prepared(vestiging, entity, peil)
    if single is not None:
        visible = [item for item in visible if item[0]["uuid"] == single]
        if not visible:
            return 404, {"errors": [{"code": 404, "problem": "not found"}]}, {}
    else:
        subject = query.get("subject", [None])[0]
        amount = _integer(query.get("amount", [None])[0])
        offset = _integer(query.get("offset", ["0"])[0])
        if subject is None and (not isinstance(amount, int) or not 1 <= amount <= 200):
            return 400, {"errors": [{"code": 400, "problem": "amount: 1 to 200"}]}, {}
        if not isinstance(offset, int) or offset < 0:
            return 400, {"errors": [{"code": 400, "problem": "offset"}]}, {}
        wanted = set(query.get("uuid", []))
        if wanted:
            visible = [item for item in visible if item[0]["uuid"] in wanted]
        if subject is not None:
            visible = [item for item in visible if item[0].get("_subject") == subject]
        linked = query.get("stamgroep", [None])[0]
        if entity == "lesgroep" and linked in ("true", "false"):
            visible = [i for i in visible if bool(i[0].get("_stamgroep")) == (linked == "true")]
        if isinstance(amount, int):
            visible = visible[offset : offset + amount]
    extra: JSONObject = {}
    if query.get("veldpermissies", ["false"])[0] == "true":
        restricted = vestiging.restricted.get(entity, set())
        names = _PERMISSION_KEYS.get(entity, {})
        extra["veldpermissies"] = {
            names.get(field, field): field not in restricted for field in _FIELDS[entity]
        }
    return 200, _Listing(key, [encoded for _, encoded in visible], extra), {}


def _prepare(vestiging: Vestiging, entity: str, peil: str) -> Prepared:
    """The records visible in a peilschooljaar, sorted by uuid, each with its JSON as sent."""
    restricted = vestiging.restricted.get(entity, set())
    records = sorted(vestiging.records.get(entity, []), key=lambda record: str(record["uuid"]))
    return [
        (record, json.dumps(_public(record, restricted, peil), ensure_ascii=False).encode())
        for record in records
        if peil in record.get("_peil", _YEARS)
    ]


def _public(record: JSONObject, restricted: set[str], peil: str) -> JSONObject:
    """A record as sent: no private keys, no nulls, nothing restricted, lists of the year."""
    out: JSONObject = {}
    for name, value in record.items():
        if name.startswith("_") or name in restricted or value is None:
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            out[name] = [
                {k: v for k, v in item.items() if not k.startswith("_")}
                for item in value
                if peil in item.get("_peil", _YEARS)
            ]
        else:
            out[name] = value
    return out


def _to_xml(payload: Any, tag: str = "response") -> str:
    """A rough XML rendering: what a server sends a client that did not ask for JSON."""
    if isinstance(payload, dict):
        inner = "".join(_to_xml(value, str(name)) for name, value in payload.items())
    elif isinstance(payload, list):
        inner = "".join(_to_xml(item, "item") for item in payload)
    else:
        inner = escape(str(payload))
    return f"<{tag}>{inner}</{tag}>"


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


def _school_year(ahead: int = 0) -> str:
    """This school year (from 1 August), or one ``ahead``, as Somtoday writes it: ``2025/2026``."""
    today = dt.date.today()
    start = (today.year if today.month >= 8 else today.year - 1) + ahead
    return f"{start}/{start + 1}"


def _uuid(prefix: int, number: int) -> str:
    return f"00000000-0000-4000-{prefix:04x}-{number:012x}"


def example_instellingen() -> list[Instelling]:
    """Two instellingen with the cases a client must handle (a fresh copy each call).

    The first, *Voorbeeld Scholengroep* (BRIN 99ZZ), has three vestigingen: *Noord* (99ZZ00)
    and *Zuid* (99ZZ01) are activated, *Oost* is not (the client never sees it). In *Zuid* the
    school did not release the pupils' ``emailadres`` and ``eckid`` nor the staff's
    ``datum_uit_dienst``. Sanne de Vries has a voorvoegsel; Daan de Vries has no
    ``emailadres``; both have the same guardian, who is the mother of one and the father's
    partner (``Voogd``) of the other. Noor Yilmaz appears only with ``peilschooljaar=VOLGEND``.
    Teacher Jansen works in Noord and in Zuid (the same uuid in both). Lesgroep ``h2a.ne``
    names a docent the client may not see.

    The second, *Tweede Stichting* (BRIN 88YY), has two vestigingen with a pupil each.

    Examples:
        >>> [item.naam for item in example_instellingen()]
        ['Voorbeeld Scholengroep', 'Tweede Stichting']
    """
    current, following = _school_year(), _school_year(1)
    noord = Vestiging(uuid=_uuid(0xA, 1), naam="Voorbeeld College Noord", afkorting="VCN",
                      brins=["99ZZ00"])  # fmt: skip
    zuid = Vestiging(uuid=_uuid(0xA, 2), naam="Voorbeeld College Zuid", afkorting="VCZ",
                     brins=["99ZZ01"],
                     restricted={"leerling": {"emailadres", "eckid"},
                                 "medewerker": {"datum_uit_dienst"}})  # fmt: skip
    oost = Vestiging(uuid=_uuid(0xA, 3), naam="Voorbeeld College Oost", brins=["99ZZ02"],
                     activated=False)  # fmt: skip
    jansen, bakker, invisible = _uuid(7, 1), _uuid(7, 2), _uuid(7, 99)
    h2a, z1b, ne, wi = _uuid(6, 1), _uuid(6, 2), _uuid(8, 1), _uuid(8, 2)
    sanne, daan, noor, ilse = _uuid(1, 1), _uuid(1, 2), _uuid(1, 3), _uuid(1, 4)
    ouder, ouder2 = _uuid(3, 1), _uuid(3, 2)

    def plaatsing(number: int, stamgroep: str, naam: str, leerjaar: int, *, volgend: bool = False,
                  mentor: str | None = None) -> JSONObject:  # fmt: skip
        year = following if volgend else current
        start, end = year[:4] + "-08-01", year[5:] + "-07-31"
        return {
            "uuid": _uuid(4, number), "schooljaar": year, "startdatum": start,
            "einddatum": end, "leerjaar": leerjaar,
            "opleiding": {"uuid": _uuid(5, leerjaar), "afkorting": f"H{leerjaar}",
                          "naam": f"HAVO {leerjaar}", "code": "0300"},
            "stamgroep": {"uuid": stamgroep, "naam": naam, "leerjaar": leerjaar},
            "mentoren": [] if mentor is None else
                [{"medewerker_uuid": mentor, "toewijzing": "Plaatsing"}],
            "_peil": ["VOLGEND"] if volgend else ["HUIDIG"],
        }  # fmt: skip

    def leerling(uuid: str, nummer: int, roepnaam: str, achternaam: str, vestiging: Vestiging,  # noqa: PLR0917
                 plaatsingen: list[JSONObject], **fields: Any) -> JSONObject:  # fmt: skip
        return {
            "uuid": uuid, "leerlingnummer": nummer, "roepnaam": roepnaam,
            "voorletters": roepnaam[0], "achternaam": achternaam, "geslacht": "ONBEKEND",
            "emailadres": f"{nummer}@leerling.example.nl", "gebruikersnaam": str(nummer),
            "eckid": f"https://ketenid.nl/201703/{nummer}", "vestiging": vestiging.reference(),
            "plaatsingen": plaatsingen, "isActief": True, "vakkeuzes": [], **fields,
        }  # fmt: skip

    noord.records = {
        "leerling": [
            leerling(sanne, 100001, "Sanne", "Vries", noord,
                     [plaatsing(1, h2a, "H2A", 2, mentor=bakker),
                      plaatsing(11, h2a, "H3A", 3, volgend=True)],
                     voornamen="Sanne Maria", voorvoegsel="de", geslacht="VROUW",
                     geboortedatum="2011-05-17",
                     verzorgers=[{"uuid": ouder, "volgnummer": 1}],
                     lesgroepen=[{"uuid": ne, "naam": "h2a.ne"}]),
            leerling(daan, 100002, "Daan", "Vries", noord, [plaatsing(2, h2a, "H2A", 2)],
                     voorvoegsel="de", geslacht="MAN", emailadres=None,
                     verzorgers=[{"uuid": ouder, "volgnummer": 1}]),
            leerling(noor, 100003, "Noor", "Yilmaz", noord,
                     [plaatsing(3, h2a, "H1A", 1, volgend=True)], _peil=["VOLGEND"]),
        ],
        "stamgroep": [
            {"uuid": h2a, "naam": "H2A", "omschrijving": "Havo 2 A", "leerjaar": 2,
             "onderwijssoort": "HAVO", "leerlingen": [{"uuid": sanne}, {"uuid": daan}],
             "mentoren": [{"medewerker_uuid": jansen, "toewijzing": "EersteMentorStamgroep"}]},
        ],
        "lesgroep": [
            {"uuid": ne, "naam": "h2a.ne", "leerlingen": [{"uuid": sanne}, {"uuid": daan}],
             "docenten": [jansen, invisible], "vak": "ne", "vaknaam": "Nederlands",
             "leerjaar": 2, "schooljaar": current, "vestiging": noord.reference()},
            {"uuid": wi, "naam": "h2a.wi", "leerlingen": [{"uuid": sanne}],
             "docenten": [bakker], "vak": "wi", "vaknaam": "Wiskunde", "leerjaar": 2,
             "schooljaar": current, "vestiging": noord.reference()},
        ],
        "medewerker": [
            {"uuid": jansen, "roepnaam": "Eva", "voorletters": "E", "achternaam": "Jansen",
             "afkorting": "JNS", "emailadres": "e.jansen@example.nl", "is_docent": True,
             "functie": "Docent", "datum_in_dienst": "2015-08-01", "geslacht": "VROUW",
             "vestiging": noord.reference()},
            {"uuid": bakker, "roepnaam": "Piet", "voorletters": "P", "voorvoegsel": "van",
             "achternaam": "Bakker", "afkorting": "BAK", "is_docent": True,
             "datum_in_dienst": "2010-08-01", "datum_uit_dienst": "2026-07-31",
             "vestiging": noord.reference()},
        ],
        "ouderVerzorger": [
            {"uuid": ouder, "geslacht": "VROUW", "voorletters": "M", "voorvoegsel": "de",
             "achternaam": "Vries", "emailadres": "ouder@example.nl",
             "telefoonnummer": "0612345678", "leerlingen_van_vestiging": [sanne, daan],
             "relatie_tot_leerlingen": [
                 {"uuid": sanne, "relatiesoort": "Moeder", "ouderlijk_gezag": True,
                  "mag_post_ontvangen": True},
                 {"uuid": daan, "relatiesoort": "Voogd", "ouderlijk_gezag": True,
                  "mag_post_ontvangen": False}],
             "wenstContactViaEMail": True},
        ],
    }  # fmt: skip
    zuid.records = {
        "leerling": [
            leerling(ilse, 200001, "Ilse", "Bakker", zuid, [plaatsing(4, z1b, "Z1B", 1)],
                     verzorgers=[{"uuid": ouder2, "volgnummer": 1}],
                     lesgroepen=[]),
        ],
        "stamgroep": [
            {"uuid": z1b, "naam": "Z1B", "leerjaar": 1, "leerlingen": [{"uuid": ilse}],
             "mentoren": [{"medewerker_uuid": jansen, "toewijzing": "EersteMentorStamgroep"}]},
        ],
        "lesgroep": [
            {"uuid": _uuid(8, 3), "naam": "z1b.en", "leerlingen": [{"uuid": ilse}],
             "docenten": [jansen], "vak": "en", "vaknaam": "Engels", "leerjaar": 1,
             "schooljaar": current, "vestiging": zuid.reference()},
        ],
        "medewerker": [
            {"uuid": jansen, "roepnaam": "Eva", "voorletters": "E", "achternaam": "Jansen",
             "afkorting": "JNS", "emailadres": "e.jansen@example.nl", "is_docent": True,
             "functie": "Docent", "datum_in_dienst": "2015-08-01", "geslacht": "VROUW",
             "vestiging": zuid.reference()},
            {"uuid": _uuid(7, 3), "roepnaam": "Kees", "voorletters": "K", "achternaam": "Smit",
             "afkorting": "SMI", "functie": "Conciërge", "is_docent": False,
             "vestiging": zuid.reference()},
        ],
        "ouderVerzorger": [
            {"uuid": ouder2, "geslacht": "MAN", "voorletters": "J", "achternaam": "Bakker",
             "leerlingen_van_vestiging": [ilse],
             "relatie_tot_leerlingen": [{"uuid": ilse, "relatiesoort": "Vader",
                                         "ouderlijk_gezag": True, "mag_post_ontvangen": True}]},
        ],
    }  # fmt: skip
    first = Instelling(uuid=_uuid(0, 1), naam="Voorbeeld Scholengroep", afkorting="VSG",
                       brins=["99ZZ"], vestigingen=[noord, zuid, oost])  # fmt: skip
    west = Vestiging(uuid=_uuid(0xB, 1), naam="Tweede Lyceum", brins=["88YY00"])
    dorp = Vestiging(uuid=_uuid(0xB, 2), naam="Tweede Mavo", brins=["88YY01"])
    for number, vestiging in enumerate((west, dorp), 1):
        vestiging.records = {
            "leerling": [leerling(_uuid(2, number), 300000 + number, "Lotte", "Smit", vestiging,
                                  [plaatsing(20 + number, _uuid(6, 20 + number), "T1", 1)])],
        }  # fmt: skip
    second = Instelling(uuid=_uuid(0, 2), naam="Tweede Stichting", brins=["88YY"],
                        vestigingen=[west, dorp])  # fmt: skip
    return copy.deepcopy([first, second])


_ROEPNAMEN = ("Sanne", "Daan", "Emma", "Noah", "Zoë", "Liam", "Fenna", "Sem", "Yara", "Mees")
_ACHTERNAMEN = (("de", "Vries"), (None, "Jansen"), ("van der", "Berg"), (None, "Çelik"),
                ("van", "Dijk"), (None, "Bakker"), ("de", "Boer"), (None, "Yilmaz"))  # fmt: skip


def generated_instelling(
    *,
    students: int = 200,
    groups: int = 20,
    staff: int = 30,
    guardians: int = 300,
    vestigingen: int = 2,
    seed: int = 0,
) -> Instelling:
    """An instelling with this many records, spread evenly over its vestigingen.

    A quarter of the groups are stamgroepen (every pupil is placed in one of its vestiging),
    the rest lesgroepen (three per pupil, where there are that many); each group has a docent
    or mentor of its vestiging; each guardian has one or two children. The same seed gives
    the same data.

    Examples:
        >>> instelling = generated_instelling(students=10, vestigingen=2)
        >>> [len(v.records["leerling"]) for v in instelling.vestigingen]
        [5, 5]
    """
    rng = random.Random(seed)
    year = _school_year()
    result = Instelling(uuid=_uuid(0, 0xF00), naam="Gegenereerde Scholengroep", brins=["77XX"])
    for index in range(vestigingen):
        vestiging = Vestiging(
            uuid=_uuid(0xC, index), naam=f"Vestiging {index + 1}", brins=[f"77XX{index:02d}"]
        )
        result.vestigingen.append(vestiging)

        def share(total: int, index: int = index) -> range:
            return range(index, total, vestigingen)

        reference = vestiging.reference()
        staff_ids = [_uuid(0x17, n) for n in share(staff)] or [_uuid(0x17, 0xFFFFFF)]
        group_ids = list(share(groups))
        homerooms = [n for n in group_ids if n % 4 == 0] or [0]
        teaching = [n for n in group_ids if n % 4 != 0]
        pupils = list(share(students))
        members: dict[int, list[int]] = {}
        leerlingen = []
        for n in pupils:
            infix, last = rng.choice(_ACHTERNAMEN)
            home = homerooms[n % len(homerooms)]
            chosen = rng.sample(teaching, min(3, len(teaching)))
            for group in (home, *chosen):
                members.setdefault(group, []).append(n)
            leerlingen.append(
                {
                    "uuid": _uuid(0x11, n), "leerlingnummer": 100000 + n,
                    "roepnaam": rng.choice(_ROEPNAMEN), "voorvoegsel": infix,
                    "achternaam": last, "geslacht": rng.choice(("MAN", "VROUW")),
                    "geboortedatum": f"{2008 + n % 6}-{1 + n % 12:02d}-{1 + n % 28:02d}",
                    "emailadres": f"{100000 + n}@leerling.example.nl",
                    "gebruikersnaam": str(100000 + n), "vestiging": reference,
                    "plaatsingen": [{
                        "uuid": _uuid(0x14, n), "schooljaar": year,
                        "startdatum": f"{year[:4]}-08-01", "einddatum": f"{year[5:]}-07-31",
                        "leerjaar": 1 + home % 6,
                        "opleiding": {"uuid": _uuid(0x15, 1 + home % 6),
                                      "naam": f"HAVO {1 + home % 6}"},
                        "stamgroep": {"uuid": _uuid(0x16, home), "naam": f"K{home}"},
                        "mentoren": [],
                    }],
                    "lesgroepen": [{"uuid": _uuid(0x18, g), "naam": f"L{g}"} for g in chosen],
                }
            )  # fmt: skip
        vestiging.records["leerling"] = leerlingen
        vestiging.records["stamgroep"] = [
            {
                "uuid": _uuid(0x16, n), "naam": f"K{n}", "leerjaar": 1 + n % 6,
                "leerlingen": [{"uuid": _uuid(0x11, p)} for p in members.get(n, [])],
                "mentoren": [{"medewerker_uuid": staff_ids[n % len(staff_ids)],
                              "toewijzing": "EersteMentorStamgroep"}],
            }
            for n in homerooms
        ]  # fmt: skip
        vestiging.records["lesgroep"] = [
            {
                "uuid": _uuid(0x18, n), "naam": f"L{n}", "vak": "ne", "vaknaam": "Nederlands",
                "leerjaar": 1 + n % 6, "schooljaar": year, "vestiging": reference,
                "leerlingen": [{"uuid": _uuid(0x11, p)} for p in members.get(n, [])],
                "docenten": [staff_ids[n % len(staff_ids)]],
            }
            for n in teaching
        ]  # fmt: skip
        vestiging.records["medewerker"] = [
            {
                "uuid": _uuid(0x17, n), "roepnaam": rng.choice(_ROEPNAMEN),
                "achternaam": rng.choice(_ACHTERNAMEN)[1], "afkorting": f"M{n:04d}",
                "emailadres": f"m{n}@example.nl", "is_docent": True,
                "datum_in_dienst": "2015-08-01", "vestiging": reference,
            }
            for n in share(staff)
        ]  # fmt: skip
        ouders = []
        for n in share(guardians):
            children = [pupils[n % len(pupils)]] if pupils else []
            if pupils and n % 3 == 0:
                children.append(pupils[(n * 7 + 1) % len(pupils)])
            infix, last = rng.choice(_ACHTERNAMEN)
            ouders.append(
                {
                    "uuid": _uuid(0x13, n), "voorletters": "A", "voorvoegsel": infix,
                    "achternaam": last, "emailadres": f"ouder{n}@example.nl",
                    "leerlingen_van_vestiging": [_uuid(0x11, c) for c in children],
                    "relatie_tot_leerlingen": [
                        {"uuid": _uuid(0x11, c), "relatiesoort": "Ouder",
                         "ouderlijk_gezag": True, "mag_post_ontvangen": True}
                        for c in dict.fromkeys(children)
                    ],
                }
            )  # fmt: skip
        vestiging.records["ouderVerzorger"] = ouders
    return result
