"""One small error hierarchy, mapped once to HTTP, HTML and CLI exit codes.

Messages are English source strings with `{placeholders}`; the web layer translates them
with gettext before formatting, so the same error reads in French or English.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar


def N_(text: str) -> str:
    """Mark a string for translation where it is defined; it is translated when shown."""
    return text


class Label(str):
    """A value that reads as its code in logs and as its translated label to people.

    For example a lifecycle stage inside an error message: `Label("idea", N_("Idea"))`.
    """

    label: str

    def __new__(cls, code: str, label: str) -> Label:
        obj = super().__new__(cls, code)
        obj.label = label
        return obj


def _param(value: Any, gettext: Callable[[str], str] | None) -> Any:
    if isinstance(value, tuple):
        return ", ".join(str(_param(v, gettext)) for v in value)
    if gettext is not None and isinstance(value, Label):
        return gettext(value.label)
    return value


def fill(template: str, params: dict[str, Any], gettext: Callable[[str], str] | None) -> str:
    """Translate the template (when gettext is given), then put the parameters in."""
    text = gettext(template) if gettext is not None else template
    if not params:
        return text
    return text.format(**{k: _param(v, gettext) for k, v in params.items()})


class Message(str):
    """An English message template with its parameters, formatted now, translatable later."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Message:
        obj = super().__new__(cls, fill(template, params, None))
        obj.template = template
        obj.params = params
        return obj

    def localise(self, gettext: Callable[[str], str]) -> str:
        return fill(self.template, self.params, gettext)


def translate(message: str, gettext: Callable[[str], str]) -> str:
    if isinstance(message, Message):
        return message.localise(gettext)
    return gettext(message)


class JalonError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    exit_code: ClassVar[int] = 1

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        fields: dict[str, str] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(fill(message, params, None))
        self.message = message
        self.params = params
        self.fields: dict[str, str] = dict(fields or {})
        if field is not None:
            self.fields.setdefault(field, Message(message, **params))

    @property
    def refused_form(self) -> bool:
        """Bad input or a conflict: a page shows the form again with the messages,
        where other errors (not found, forbidden) take the error page."""
        return self.status in (409, 422)

    def render(self, gettext: Callable[[str], str] = str) -> str:
        return fill(self.message, self.params, gettext)

    def render_fields(self, gettext: Callable[[str], str] = str) -> dict[str, str]:
        return {name: translate(msg, gettext) for name, msg in self.fields.items()}

    def body(self, gettext: Callable[[str], str] = str) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "message": self.render(gettext),
                "fields": self.render_fields(gettext),
            }
        }


class Invalid(JalonError):
    status = 422
    code = "invalid"
    exit_code = 2


class Unauthenticated(JalonError):
    status = 401
    code = "unauthenticated"
    exit_code = 3


class Forbidden(JalonError):
    status = 403
    code = "forbidden"
    exit_code = 3


class NotFound(JalonError):
    status = 404
    code = "not_found"
    exit_code = 4


class Conflict(JalonError):
    status = 409
    code = "conflict"
    exit_code = 5


class PreconditionFailed(JalonError):
    """The thing changed since the client read it (HTTP 412, with If-Match)."""

    status = 412
    code = "precondition_failed"
    exit_code = 5


class TooManyRequests(JalonError):
    status = 429
    code = "too_many_requests"
    exit_code = 6

    def __init__(self, message: str, *, retry_after: int, **params: Any) -> None:
        super().__init__(message, **params)
        self.retry_after = retry_after


class Unavailable(JalonError):
    status = 503
    code = "unavailable"
    exit_code = 7
