"""Small PDF reports (the debrief, the certificate of completion) with fpdf2.

fpdf2's built-in fonts cover Latin-1, which holds French; `latin1()` maps the few typographic
characters outside it (curly quotes, œ, dashes, no-break spaces) to their nearest Latin-1
form, so no font file has to ship with Jalon.
"""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF
from fpdf.enums import XPos, YPos

_REPLACEMENTS = str.maketrans(
    {
        "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
        "\u2014": "-", "\u2026": "...", "\u202f": " ", "\u2009": " ", "\u0153": "oe",
        "\u0152": "OE", "\u2022": "-", "\u2192": "->", "\u2265": ">=", "\u2264": "<=",
    }
)  # fmt: skip


def latin1(text: str) -> str:
    """The text, with characters outside Latin-1 replaced (or dropped if nothing fits)."""
    return text.translate(_REPLACEMENTS).encode("latin-1", "replace").decode("latin-1")


class Report:
    """A plain A4 report: a title, headings, paragraphs and tables."""

    def __init__(self, title: str, *, subtitle: str = "") -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.set_title(latin1(title))
        self.pdf.set_creator("Jalon")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.pdf.add_page()
        self.pdf.set_font("Helvetica", "B", 18)
        self._line(title, 10)
        if subtitle:
            self.pdf.set_font("Helvetica", "", 11)
            self._line(subtitle, 6)
        self.pdf.ln(4)

    def _line(self, text: str, height: float) -> None:
        self.pdf.multi_cell(0, height, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, text: str) -> None:
        self.pdf.ln(3)
        self.pdf.set_font("Helvetica", "B", 13)
        self._line(text, 7)

    def paragraph(self, text: str) -> None:
        self.pdf.set_font("Helvetica", "", 10)
        self._line(text, 5)
        self.pdf.ln(1)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        self.pdf.set_font("Helvetica", "", 9)
        with self.pdf.table(first_row_as_headings=True) as table:
            for values in (headers, *rows):
                row = table.row()
                for value in values:
                    row.cell(latin1(str(value)))
        self.pdf.ln(2)

    def bytes(self) -> bytes:
        return bytes(self.pdf.output())
