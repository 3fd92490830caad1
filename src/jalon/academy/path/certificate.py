"""The certificate of completion of the Jalon Product Owner path: a one-page landscape PDF.

It names the learner, the path, the date and the modules, and says plainly what it is not: a
Scrum.org certification, or a PSPO certification (PSPO is a trademark of Scrum.org).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from babel.dates import format_date
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from jalon.academy.pdf import latin1
from jalon.errors import N_

TITLE = N_("Certificate of completion")
PATH_NAME = N_("Jalon Product Owner path")
DISCLAIMER = N_(
    "This certificate attests that the learning path of the Jalon software was completed. It "
    "is not a Scrum.org certification and not a Professional Scrum Product Owner (PSPO) "
    "certification. PSPO and Professional Scrum Product Owner are trademarks of Scrum.org; "
    "Jalon is not affiliated with or endorsed by Scrum.org."
)
INK, ACCENT, MUTED = (28, 33, 48), (51, 64, 176), (90, 98, 115)


def _centred(pdf: FPDF, text: str, size: float, *, style: str = "", height: float = 0) -> None:
    pdf.set_font("Helvetica", style, size)
    pdf.multi_cell(
        0, height or size * 0.55, latin1(text), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, pdf.w - 16, pdf.h - 16)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, pdf.w - 22, pdf.h - 22)


def _modules(pdf: FPDF, titles: Sequence[str]) -> None:
    pdf.set_font("Helvetica", "", 10)
    pdf.set_text_color(*INK)
    half = (len(titles) + 1) // 2
    width = (pdf.w - 2 * pdf.l_margin) / 2
    top = pdf.get_y()
    for column, chunk in enumerate((titles[:half], titles[half:])):
        pdf.set_xy(pdf.l_margin + column * width, top)
        for n, title in enumerate(chunk, start=1 + column * half):
            pdf.set_x(pdf.l_margin + column * width + 20)
            pdf.cell(width - 20, 6, latin1(f"{n}. {title}"), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_y(top + 6 * half + 4)


def render(
    *, name: str, completed: date, module_titles: Sequence[str], language: str,
    gettext: Callable[[str], str],
) -> bytes:  # fmt: skip
    """The certificate as PDF bytes; `module_titles` arrive translated."""
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_title(latin1(gettext(TITLE)))
    pdf.set_creator("Jalon")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(25, 22, 25)
    pdf.add_page()
    _frame(pdf)
    pdf.set_y(26)
    pdf.set_text_color(*ACCENT)
    _centred(pdf, gettext(TITLE), 30, style="B")
    pdf.ln(3)
    pdf.set_text_color(*MUTED)
    _centred(pdf, gettext("This is to certify that"), 12)
    pdf.ln(2)
    pdf.set_text_color(*INK)
    _centred(pdf, name, 26, style="B")
    pdf.ln(2)
    pdf.set_text_color(*MUTED)
    when = format_date(completed, "long", locale=language)
    line = gettext("completed the %(path)s on %(date)s, with its nine modules:")
    _centred(pdf, line % {"path": gettext(PATH_NAME), "date": when}, 12)
    pdf.ln(4)
    _modules(pdf, module_titles)
    pdf.set_text_color(*MUTED)
    pdf.set_y(pdf.h - 40)
    _centred(pdf, gettext(DISCLAIMER), 8.5, height=4.5)
    return bytes(pdf.output())
