"""Reading feedback from e-mail files: one message (`.eml`) or a mailbox (`mbox`).

Each message becomes one feedback: its subject and plain-text body (an HTML-only message is
converted to text; quoted replies and signatures are cut), its sender as the author (and the
customer with that address, if any), its Message-ID as the external key (re-importing the
same mailbox updates instead of duplicating) and its Date as the date received.
"""

from __future__ import annotations

import email
import email.policy
import mailbox
import re
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path

from jalon.errors import N_, Invalid

MAX_BYTES = 200 * 1024 * 1024
# Where a reply's quoted original starts (English and French mail clients).
QUOTE_START = re.compile(
    r"^(On .{4,200} wrote:|Le .{4,200} a écrit\s?:|-{2,} ?(Original Message|Message d'origine)"
    r" ?-{2,}|From: .+|De : .+|_{10,})\s*$",
    re.IGNORECASE,
)
SIGNATURE = "-- "


class _Text(HTMLParser):
    """Text of an HTML part: block elements end lines, scripts and styles are dropped."""

    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head") and self.skip:
            self.skip -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def strip_quoted(text: str) -> str:
    """The new part of a reply: up to the quoted original or the signature."""
    kept: list[str] = []
    for line in text.splitlines():
        if line.startswith(">") or QUOTE_START.match(line.strip()) or line == SIGNATURE:
            break
        kept.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def _part_text(part: Message) -> str:
    try:
        payload = part.get_content() if isinstance(part, EmailMessage) else None
    except (LookupError, UnicodeError):  # an unknown charset: decode what can be
        raw = part.get_payload(decode=True)
        payload = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else None
    return payload if isinstance(payload, str) else ""


def body_text(message: Message) -> str:
    """The plain-text body, or the HTML body as text, without attachments."""
    plain, html = "", ""
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and not plain:
            plain = _part_text(part)
        elif kind == "text/html" and not html:
            html = _part_text(part)
    return strip_quoted(plain if plain.strip() else html_to_text(html))


def _label(source: str, index: int | None) -> str:
    return source if index is None else f"{source}#{index}"


def values_of(message: Message, label: str) -> dict[str, str]:
    """A message as feedback fields (text, author, key, date); Invalid when it is not one."""
    if not message.keys() or not (message.get("From") or message.get("Message-ID")):
        raise Invalid(N_("{label} is not an e-mail message."), field="file", label=label)
    subject = " ".join(str(message.get("Subject", "")).split())
    body = body_text(message)
    text = "\n\n".join(p for p in (subject, body) if p)
    name, address = next(iter(getaddresses([str(message.get("From", ""))])), ("", ""))
    values = {"text": text, "author_name": name, "author_email": address.lower(),
              "external_key": str(message.get("Message-ID", "")).strip()[:300]}  # fmt: skip
    if message.get("Date"):
        try:
            values["received_at"] = parsedate_to_datetime(str(message["Date"])).isoformat()
        except (TypeError, ValueError):
            raise Invalid(
                N_("{label} has a Date that cannot be read."), field="file", label=label
            ) from None
    return values


def is_mbox(path: Path, head: bytes) -> bool:
    return path.suffix.lower() in (".mbox", ".mbx") or head.startswith(b"From ")


def read_messages(path: Path) -> list[tuple[str, dict[str, str]]]:
    """(label, values) for each message of an .eml file or an mbox; Invalid for a file that
    holds no e-mail."""
    try:
        size = path.stat().st_size
        with path.open("rb") as stream:
            head = stream.read(5)
    except OSError as error:
        raise Invalid(N_("Cannot read {path}: {error}."), field="file", path=str(path),
                      error=error.strerror or str(error)) from None  # fmt: skip
    if size == 0 or size > MAX_BYTES:
        raise Invalid(N_("{path} is empty or too large."), field="file", path=path.name)
    if is_mbox(path, head):
        box = mailbox.mbox(path, factory=None, create=False)
        try:
            messages = [
                (
                    _label(path.name, i + 1),
                    email.message_from_bytes(m.as_bytes(), policy=email.policy.default),
                )
                for i, m in enumerate(box)
            ]
        finally:
            box.close()
        if not messages:
            raise Invalid(N_("{path} holds no e-mail."), field="file", path=path.name)
    else:
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        messages = [(path.name, parsed)]
    return [(label, values_of(m, label)) for label, m in messages]
