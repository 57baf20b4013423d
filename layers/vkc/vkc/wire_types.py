"""Field types whose JSON Schema says exactly what the validator accepts.

The OpenAPI document is generated from the models, so a rule that lives only in a validator is a
rule clients (and schemathesis) can't see. These types carry their rule in both places.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator


def _json_integer(value: Any) -> Any:
    """What JSON Schema calls an integer: a number without a fraction (2.0 too), never true or "2"."""
    if isinstance(value, bool | str | bytes):
        raise ValueError("expected an integer")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


#: An integer in a JSON body as the spec means it (pydantic's lax int also takes `false` and "5";
#: StrictInt refuses 5.0, which JSON Schema counts as an integer). Bounds go before it in the same
#: Annotated (`Annotated[int, Field(ge=1), JSON_INT]`), or pydantic can't write them into the spec.
JSON_INT = BeforeValidator(_json_integer)

#: The largest integer a JSON number carries exactly in every client (2**53 - 1): ids above it
#: can't round-trip through JavaScript, and the spec can state it exactly (2**63 - 1 can't).
MAX_SAFE_INTEGER = 2**53 - 1


def _refuse_null(value: Any) -> Any:
    if value is None:
        raise ValueError("may be left out, but not null")
    return value


#: For a PATCH field that may be left out (unchanged) but not sent as null, annotated
#: `Annotated[T | SkipJsonSchema[None], NOT_NULL] = None`: the spec offers no null, and an explicit
#: null is a 422 (defaults are not validated, so only a null the client sent reaches the check).
NOT_NULL = AfterValidator(_refuse_null)

# ISO 8601 as RFC 3339 writes it (what `format: date-time` means): a date, then `T`, a time and a
# zone; the API also reads a bare date (midnight) and a time without a zone (UTC), as it always has.
_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$",
)


def _iso_date_time(value: Any) -> Any:
    """pydantic also reads numbers as Unix times (`since=0.5`); the spec promises ISO 8601 text only."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE_TIME.match(value):
        raise ValueError("expected an ISO 8601 date-time such as 2026-01-31T12:00:00Z")
    return value


#: A date-time query parameter: ISO 8601 text only, never a number of seconds.
IsoDatetime = Annotated[datetime, BeforeValidator(_iso_date_time)]
#: The same with a zone required (RFC 3339, what `format: date-time` says).
IsoAwareDatetime = Annotated[AwareDatetime, BeforeValidator(_iso_date_time)]

#: Text without U+0000, which PostgreSQL text can't hold. The API refuses a request carrying one
#: (api_routes.middleware.refuse_nul) and the spec generator gives every free string this pattern.
NO_NUL_PATTERN = r"^[^\x00]*$"
