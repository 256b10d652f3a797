"""How to reach one instelling in Somtoday Connect: URLs, credentials, year, tuning."""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import attrs

from edukoppel._i18n import Message, msg
from edukoppel.exceptions import SomtodayConfigError

if TYPE_CHECKING:
    from edukoppel.readers import ReadResult

__all__ = ["ENVIRONMENTS", "SchoolYear", "SomtodaySettings"]

SchoolYear = Literal["current", "next"]

#: The Somtoday environments: the API base (up to and including ``/rest/v1``) and the token
#: endpoint (without its query) of each.
ENVIRONMENTS: dict[str, tuple[str, str]] = {
    "productie": ("https://api.somtoday.nl/rest/v1", "https://inloggen.somtoday.nl/oauth2/token"),
    "test": (
        "https://api.test.somtoday.nl/rest/v1",
        "https://inloggen.test.somtoday.nl/oauth2/token",
    ),
    "acceptatie": (
        "https://api.acceptatie.somtoday.nl/rest/v1",
        "https://inloggen.acceptatie.somtoday.nl/oauth2/token",
    ),
}

_ENV_FIELDS = {
    "API_URL": "api_url",
    "TOKEN_URL": "token_url",
    "INSTELLING": "instelling",
    "CLIENT_ID": "client_id",
    "CLIENT_SECRET": "client_secret",
    "SCHOOL_YEAR": "school_year",
    "VESTIGINGEN": "vestigingen",
    "CONCURRENCY": "concurrency",
    "RETRIES": "retries",
    "TIMEOUT": "timeout",
}


def _refuse(field: str, expected: str | Message) -> SomtodayConfigError:
    return SomtodayConfigError(msg("somtoday.config", field=field, expected=expected))


def _url(field: str) -> Any:
    def check(_instance: object, _attribute: object, value: str) -> None:
        parts = urllib.parse.urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise _refuse(field, msg("somtoday.config.url"))
        if parts.query:
            raise _refuse(field, msg("somtoday.config.no-query"))

    return attrs.field(validator=check, converter=lambda value: value.rstrip("/"))


def _text(field: str, *, shown: bool = True) -> Any:
    def check(_instance: object, _attribute: object, value: object) -> None:
        if not isinstance(value, str) or not value.strip():
            raise _refuse(field, msg("somtoday.config.text"))

    return attrs.field(validator=check, repr=shown)


def _vestigingen(value: Iterable[str] | str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(dict.fromkeys(item.strip() for item in items if item.strip()))


def _number(field: str, value: Any, *, whole: bool, least: float) -> float:
    try:
        number = int(value) if whole else float(value)
    except (TypeError, ValueError):
        raise _refuse(field, msg("somtoday.config.number", least=least)) from None
    if number < least:
        raise _refuse(field, msg("somtoday.config.number", least=least))
    return number


def _concurrency(value: Any) -> int:
    return int(_number("concurrency", value, whole=True, least=1))


def _retries(value: Any) -> int:
    return int(_number("retries", value, whole=True, least=0))


def _page_size(value: Any) -> int:
    # Pages overlap by one record (to see a list shift between them): one record is too few.
    return int(_number("page_size", value, whole=True, least=2))


def _backoff(value: Any) -> float:
    return _number("backoff", value, whole=False, least=0)


def _max_backoff(value: Any) -> float:
    return _number("max_backoff", value, whole=False, least=0)


def _timeout(value: Any) -> float:
    return _number("timeout", value, whole=False, least=0.001)


def _school_year(value: object) -> SchoolYear:
    if value not in ("current", "next"):
        raise _refuse("school_year", msg("somtoday.config.school-year"))
    return "next" if value == "next" else "current"


@attrs.frozen(kw_only=True)
class SomtodaySettings:
    """Everything needed to read one instelling from Somtoday Connect, in one place.

    The client secret is kept out of the repr (and out of every message and log).

    Attributes:
        api_url: The API base, up to and including ``/rest/v1``.
        token_url: The token endpoint without its query (``?organisation=`` is added).
        instelling: The instelling's (organisation's) uuid, pinned per customer: never
            taken from what an end user types.
        client_id, client_secret: The koppelpartner's credentials.
        school_year: ``"current"`` or ``"next"`` (peilschooljaar ``HUIDIG`` / ``VOLGEND``).
        vestigingen: Only these vestigingen (uuid, BRIN6, afkorting or name); ``None``: every
            vestiging the school activated for this client.
        concurrency: Requests in flight at most (1: strictly one after the other).
        retries: Retries of a request after a 408, 429, 5xx or a timeout.
        backoff: The first wait between attempts, in seconds; doubled each time, with jitter.
        max_backoff: The longest wait between attempts, ``Retry-After`` included.
        timeout: Seconds to wait for a connection and for each answer.
        page_size: Records per page (``amount``): 2 to 200, Somtoday's maximum. Pages
            overlap by one record, so a list that shifts between pages is seen.
        source_name: The roster's ``source`` (records a sync adds belong to it).

    Examples:
        >>> settings = SomtodaySettings.for_environment(
        ...     "acceptatie", instelling="1349fac3-259a-44fd-a1f1-6fe5f8a2f39e",
        ...     client_id="partner", client_secret="s3cr3t")
        >>> settings.api_url
        'https://api.acceptatie.somtoday.nl/rest/v1'
        >>> "s3cr3t" in repr(settings)
        False
    """

    api_url: str = _url("api_url")
    token_url: str = _url("token_url")
    instelling: str = _text("instelling")
    client_id: str = _text("client_id")
    client_secret: str = _text("client_secret", shown=False)
    school_year: SchoolYear = attrs.field(default="current", converter=_school_year)
    vestigingen: tuple[str, ...] | None = attrs.field(default=None, converter=_vestigingen)
    concurrency: int = attrs.field(default=8, converter=_concurrency)
    retries: int = attrs.field(default=4, converter=_retries)
    backoff: float = attrs.field(default=0.5, converter=_backoff)
    max_backoff: float = attrs.field(default=30.0, converter=_max_backoff)
    timeout: float = attrs.field(default=30.0, converter=_timeout)
    page_size: int = attrs.field(default=200, converter=_page_size)
    source_name: str = "somtoday"

    def __attrs_post_init__(self) -> None:
        if self.page_size > 200:
            raise _refuse("page_size", msg("somtoday.config.page-size"))

    def __edukoppel_read__(self, *, source_name: str | None = None, **options: Any) -> ReadResult:
        """What ``ek.read(settings)`` does: :func:`~edukoppel.somtoday.read_somtoday`."""
        from edukoppel.somtoday import read_somtoday

        return read_somtoday(self, source_name=source_name, **options)

    @property
    def peilschooljaar(self) -> str:
        """The ``peilschooljaar`` parameter: ``HUIDIG`` or ``VOLGEND``."""
        return "VOLGEND" if self.school_year == "next" else "HUIDIG"

    @classmethod
    def for_environment(
        cls, environment: Literal["productie", "test", "acceptatie"], **options: Any
    ) -> SomtodaySettings:
        """Settings for one of Somtoday's environments (``productie``, ``test``...)."""
        if environment not in ENVIRONMENTS:
            raise _refuse("environment", msg("somtoday.config.environment", names=ENVIRONMENTS))
        api_url, token_url = ENVIRONMENTS[environment]
        return cls(api_url=api_url, token_url=token_url, **options)

    @classmethod
    def from_environment(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        prefix: str = "EDUKOPPEL_SOMTODAY_",
        **options: Any,
    ) -> SomtodaySettings:
        """Settings from environment variables (``EDUKOPPEL_SOMTODAY_CLIENT_SECRET``...).

        ``{prefix}ENVIRONMENT`` (``productie``, ``test``, ``acceptatie``) or ``{prefix}API_URL``
        and ``{prefix}TOKEN_URL``; then ``INSTELLING``, ``CLIENT_ID``, ``CLIENT_SECRET``, and
        optionally ``SCHOOL_YEAR``, ``VESTIGINGEN`` (comma-separated), ``CONCURRENCY``,
        ``RETRIES``, ``TIMEOUT``. Keyword options win over the variables.

        Examples:
            >>> SomtodaySettings.from_environment({
            ...     "EDUKOPPEL_SOMTODAY_ENVIRONMENT": "test",
            ...     "EDUKOPPEL_SOMTODAY_INSTELLING": "1349fac3-259a-44fd-a1f1-6fe5f8a2f39e",
            ...     "EDUKOPPEL_SOMTODAY_CLIENT_ID": "partner",
            ...     "EDUKOPPEL_SOMTODAY_CLIENT_SECRET": "s3cr3t",
            ...     "EDUKOPPEL_SOMTODAY_VESTIGINGEN": "99ZZ00, 99ZZ01",
            ... }).vestigingen
            ('99ZZ00', '99ZZ01')
        """
        source = os.environ if environ is None else environ
        values: dict[str, Any] = {
            field: source[prefix + name]
            for name, field in _ENV_FIELDS.items()
            if prefix + name in source
        }
        environment = source.get(prefix + "ENVIRONMENT")
        values.update(options)
        missing = [
            prefix + name
            for name, field in _ENV_FIELDS.items()
            if field in ("instelling", "client_id", "client_secret") and field not in values
        ]
        if environment is None and not {"api_url", "token_url"} <= set(values):
            missing.append(prefix + "ENVIRONMENT")
        if missing:
            raise SomtodayConfigError(msg("somtoday.config.missing", names=missing))
        if environment is not None:
            values.setdefault("api_url", ENVIRONMENTS.get(environment, ("", ""))[0])
            values.setdefault("token_url", ENVIRONMENTS.get(environment, ("", ""))[1])
            if environment not in ENVIRONMENTS:
                raise _refuse(
                    prefix + "ENVIRONMENT", msg("somtoday.config.environment", names=ENVIRONMENTS)
                )
        return cls(**values)
