"""The council pack as a printable PDF (A4, built with ReportLab): a cover, a contents page, a
summary, what changed since the previous meeting, the completeness of the owners' updates, one
section per objective (its status in symbol and words, its figures, its owner's update and its
actions) and a note on the method; every page numbered "Pagina 3 van 12".

It shows the same figures as the pack's workbook (the same :class:`Figures`, so the public
audience's suppressed figures are an ``x`` here too), in Belgian formats (``12,5``,
``15/12/2026``). Every text from data or from people is escaped before ReportLab reads it, so
HTML or a formula in an owner's update is printed as the characters written. The document is
built with ReportLab's invariant mode: the same content gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    LongTable,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from core.errors import IvmError
from core.vocabulary import (
    FIELDS,
    MISSING,
    PACK,
    PHASES,
    STATUS_SYMBOLS,
    STEERING,
    approver,
    date,
    percent,
    period,
    pick,
    status_text,
    value_text,
)
from dashboard.export.council_text import T
from dashboard.export.figures import Figures
from dashboard.export.pack_rows import (
    ACTION_COLUMNS,
    PART_COLUMNS,
    UPDATE_COLUMNS,
    action_rows,
    change_rows,
    column_words,
    update_row,
)
from dashboard.export.release import ObjectiveFigures
from dashboard.export.suppress import MARK

if TYPE_CHECKING:
    from dashboard.export.pack import PackContent

#: Where the DejaVu Sans font is looked for (Debian's fonts-dejavu-core, and other systems'
#: usual places): it has every status and action symbol (✔ ▲ ◆ ✖ ○ ◐ ● ◷ ⊘).
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu",
             "/usr/share/fonts/TTF", "/usr/local/share/fonts", "/Library/Fonts",
             "C:/Windows/Fonts")
FONT, BOLD = "IvmSans", "IvmSans-Bold"


def _fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for folder in FONT_DIRS:
        regular, bold = Path(folder) / "DejaVuSans.ttf", Path(folder) / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont(FONT, str(regular)))
            pdfmetrics.registerFont(TTFont(BOLD, str(bold)))
            pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT,
                                          boldItalic=BOLD)
            return
    raise IvmError("no_pdf_font", "the PDF needs the DejaVu Sans font (DejaVuSans.ttf), found "
                   "in none of " + ", ".join(FONT_DIRS),
                   hint="install it (Debian: apt-get install fonts-dejavu-core)")


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=9.8),
        "head": ParagraphStyle("head", parent=base, fontName=BOLD, fontSize=8, leading=9.8),
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=22, leading=27,
                                spaceAfter=12),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=13, leading=17,
                                   spaceAfter=6),
        "H1": ParagraphStyle("H1", parent=base, fontName=BOLD, fontSize=15, leading=19,
                             spaceBefore=6, spaceAfter=8),
        "H2": ParagraphStyle("H2", parent=base, fontName=BOLD, fontSize=11.5, leading=14.5,
                             spaceBefore=10, spaceAfter=4),
        "H3": ParagraphStyle("H3", parent=base, fontName=BOLD, fontSize=9.5, leading=12.5,
                             spaceBefore=6, spaceAfter=2),
        "status": ParagraphStyle("status", parent=base, fontName=BOLD, fontSize=10.5,
                                 leading=14, spaceAfter=4),
        "toc0": ParagraphStyle("toc0", parent=base, fontName=BOLD, fontSize=10, leading=14),
        "toc1": ParagraphStyle("toc1", parent=base, fontSize=8.5, leading=11, leftIndent=14),
    }


def text(value: Any) -> str:
    """Any text as ReportLab markup that prints exactly these characters (``<b>`` stays
    ``<b>``), line breaks kept."""
    return escape("" if value is None else str(value)).replace("\n", "<br/>")


class _Pack(BaseDocTemplate):
    """A4, one frame, headings in the contents page and the PDF outline."""

    def __init__(self, out: IO[bytes], title: str, subject: str, lang: str, footer: str):
        super().__init__(out, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm,
                         topMargin=1.8 * cm, bottomMargin=2 * cm, title=title,
                         author="ivmonitor", creator="ivmonitor", subject=subject,
                         lang="nl-BE" if lang == "nl" else "en", invariant=1)
        self.footer, self.lang = footer, lang
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate("page", [frame])])
        self._headings = 0

    def afterFlowable(self, flowable: Flowable) -> None:
        if not isinstance(flowable, Paragraph) or flowable.style.name not in ("H1", "H2"):
            return
        level = 0 if flowable.style.name == "H1" else 1
        self._headings += 1
        key = f"h{self._headings}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(flowable.getPlainText(), key, level, closed=level > 0)
        self.notify("TOCEntry", (level, flowable.getPlainText(), self.page, key))

    def handle_documentBegin(self) -> None:
        self._headings = 0
        super().handle_documentBegin()


def _numbered(footer: str, lang: str) -> type[Canvas]:
    """A canvas that writes "Pagina n van m" and the pack's line under every page but the
    cover (m is known once every page is laid out)."""

    class Numbered(Canvas):
        def __init__(self, *args: Any, **kw: Any) -> None:
            super().__init__(*args, **kw)
            self._pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                if self._pageNumber > 1:
                    self.setFont(FONT, 7.5)
                    self.setFillColor(colors.HexColor("#444444"))
                    self.drawString(2 * cm, 1.1 * cm, footer)
                    self.drawRightString(A4[0] - 2 * cm, 1.1 * cm, pick(PACK, "page", lang)
                                         .format(n=self._pageNumber, m=total))
                super().showPage()
            super().save()

    return Numbered


def _table(rows: list[list[Any]], widths: list[float], s: dict[str, ParagraphStyle],
           header: list[str] | None = None) -> LongTable:
    body = [[Paragraph(text(v), s["cell"]) if not isinstance(v, Flowable) else v for v in r]
            for r in rows]
    if header:
        body.insert(0, [Paragraph(text(h), s["head"]) for h in header])
    t = LongTable(body, colWidths=widths, repeatRows=1 if header else 0)
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#BBBBBB")),
             ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E7E6E6")),
                  ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black)]
    t.setStyle(TableStyle(style))
    return t


def _value(f: Figures, o: ObjectiveFigures, value: float | None, cell: Any,
           hidden: bool | None = None, lang: str = "nl") -> str:
    """A figure as the workbook shows it: ``x`` when the audience does not see it."""
    if value is None:
        return MISSING
    if hidden if hidden is not None else f.is_hidden(cell):
        return MARK
    return value_text(value, o.indicator.style, lang) if o.indicator else str(value)


def _in(text_: Any, lang: str) -> str:
    if isinstance(text_, dict):
        return text_.get(lang) or text_.get("nl") or ""
    return getattr(text_, lang, None) or getattr(text_, "nl", "") or ""


def pack_pdf(out: IO[bytes], f: Figures, c: PackContent, frozen: str) -> None:
    """Write the pack's PDF for the audience of ``f`` to a binary buffer."""
    _fonts()
    lang = c.lang
    s = _styles()
    t = T[lang]
    plan = f.plan or {}
    meeting = pick(PACK, "for_meeting", lang).format(d=date(c.meeting))
    title = f"{pick(PACK, 'title', lang)}: {meeting}"
    audience_note = t["public"] if f.audience == "public" else t["internal"]
    footer = f"{pick(PACK, 'title', lang)} · {meeting} · {frozen.split(';')[-1].strip()}"
    doc = _Pack(out, title, str(plan.get("title") or ""), lang, footer)
    width = doc.width
    story: list[Flowable] = []

    # the cover
    story += [Spacer(1, 3 * cm), Paragraph(text(pick(PACK, "title", lang)), s["title"]),
              Paragraph(text(meeting), s["subtitle"]),
              Paragraph(text(plan.get("title") or t["doc_title"]), s["subtitle"])]
    if plan.get("version"):
        line = (t["version"].format(v=plan.get("version"),
                                    by=approver(plan.get("approved_by"), lang) or "?",
                                    on=date(plan["approved_on"]))
                if plan.get("approved_on") else t["not_approved"].format(v=plan["version"]))
        story.append(Paragraph(text(line), s["body"]))
    if c.period is not None:
        story.append(Paragraph(text(f"{pick(STEERING, 'reporting_period', lang)}: "
                                    f"{_period(c.period.key, lang)}"), s["body"]))
    story += [Paragraph(text(t["as_of"].format(d=date(f.as_of))), s["body"]),
              Spacer(1, 0.4 * cm), Paragraph(text(audience_note), s["status"]),
              Paragraph(text(frozen), s["small"]), PageBreak()]

    # the contents page
    toc = TableOfContents(dotsMinLevel=0)
    toc.levelStyles = [s["toc0"], s["toc1"]]
    story += [Paragraph(text(pick(PACK, "contents", lang)), s["title"]), toc, PageBreak()]

    story += _summary(f, c, s, width)
    story += _changes(c, s, width)
    story += _board(c, s, width)
    for phase in PHASES:
        objs = [o for o in f.objectives if o.record["phase"] == phase]
        if not objs:
            continue
        story += [PageBreak(), Paragraph(text(pick(PACK, "objectives_of", lang).format(
            p=pick(PHASES, phase, lang))), s["H1"])]
        ids = list(dict.fromkeys(o.record["id"] for o in objs))
        for oid in ids:
            story += _objective(f, c, [o for o in objs if o.record["id"] == oid], s, width)
    story += [PageBreak(), Paragraph(text(pick(PACK, "method", lang)), s["H1"]),
              Paragraph(text(pick(PACK, "method_text", lang)), s["body"]),
              Spacer(1, 0.3 * cm), Paragraph(text(audience_note), s["body"])]
    doc.multiBuild(story, canvasmaker=_numbered(footer, lang))


def _period(key: str, lang: str) -> str:
    from core.vocabulary import reporting_period

    return reporting_period(key, lang)


def _summary(f: Figures, c: PackContent, s: dict, width: float) -> list[Flowable]:
    lang = c.lang
    rows = []
    for o in f.objectives:
        r = o.record
        rows.append([r["id"], r["title"][lang], r["area"]["name"],
                     status_text(r["status"], lang),
                     _value(f, o, r["current"]["value"], o.current_cell, lang=lang)])
    header = [pick(FIELDS, k, lang) for k in ("id", "objective", "area", "status", "current")]
    return [Paragraph(text(pick(PACK, "summary", lang)), s["H1"]),
            Paragraph(text("   ".join(status_text(k, lang) for k in STATUS_SYMBOLS)),
                      s["small"]), Spacer(1, 0.2 * cm),
            _table(rows, [2.1 * cm, width - 11 * cm, 3.4 * cm, 3.2 * cm, 2.3 * cm], s,
                   header)]


def _changes(c: PackContent, s: dict, width: float) -> list[Flowable]:
    lang = c.lang
    out: list[Flowable] = [PageBreak(), Paragraph(text(pick(PACK, "changes", lang)), s["H1"]),
                           Paragraph(text(
                               pick(PACK, "changes_since", lang).format(
                                   d=date(c.previous_meeting)) if c.previous_meeting
                               else pick(PACK, "first_meeting", lang)), s["body"])]
    widths = [2.3 * cm, width - 11.5 * cm, 3.4 * cm, 2.9 * cm, 2.9 * cm]
    for part, rows in change_rows(c, lang).items():
        out.append(Paragraph(text(pick(PACK, part, lang)), s["H3"]))
        if rows:
            out.append(_table([r[1:] for r in rows], widths, s,
                              column_words(PART_COLUMNS[part], lang)))
        else:
            out.append(Paragraph(text(pick(PACK, "none", lang)), s["body"]))
    return out


def _board(c: PackContent, s: dict, width: float) -> list[Flowable]:
    lang = c.lang
    if c.period is None:
        return []
    rows = [[c.partner(r.partner) or MISSING, f"{len(r.written)} / {len(r.objectives)}",
             ", ".join(r.missing) or "–"] for r in c.board]
    header = [pick(STEERING, "partner", lang), pick(STEERING, "written", lang),
              pick(STEERING, "missing", lang)]
    due = f" ({pick(STEERING, 'update_due', lang)} {date(c.period.due)})" if c.period.due \
        else ""
    return [Paragraph(text(pick(PACK, "board", lang)), s["H1"]),
            Paragraph(text(f"{_period(c.period.key, lang)}{due}"), s["body"]),
            Spacer(1, 0.2 * cm),
            _table(rows, [6 * cm, 2.5 * cm, width - 8.5 * cm], s, header)]


def _objective(f: Figures, c: PackContent, areas: list[ObjectiveFigures], s: dict,
               width: float) -> list[Flowable]:
    lang = c.lang
    first = areas[0].record
    worst = c.state.computed_status(first["id"]) or first["status"]
    head = [Paragraph(text(f"{first['id']} {first['title'][lang]}"), s["H2"]),
            Paragraph(text(f"{pick(FIELDS, 'status', lang)}: {status_text(worst, lang)}"),
                      s["status"])]
    out: list[Flowable] = []
    for o in areas:
        r = o.record
        hidden_reason = f.reason_hidden(o)
        base_hidden = f.is_hidden(o.base_cell)
        facts = [
            [pick(FIELDS, "area", lang), r["area"]["name"]],
            [pick(FIELDS, "status", lang), status_text(r["status"], lang)],
            [pick(FIELDS, "owner", lang), c.partner(r["owner"])],
            [pick(FIELDS, "partners", lang), ", ".join(c.partner(p) for p in r["partners"])],
            [pick(FIELDS, "indicator", lang),
             _in(o.indicator.title, lang) if o.indicator else r["indicator"]],
            [pick(FIELDS, "baseline", lang),
             f"{_value(f, o, r['baseline']['value'], o.base_cell, lang=lang)} "
             f"({period(r['baseline']['period'], lang)})"],
            [pick(FIELDS, "target", lang),
             f"{_value(f, o, r['target']['value'], None, base_hidden and o.relative_target, lang)}"
             f" ({pick(FIELDS, 'deadline', lang).lower()} {date(r['target']['deadline'])})"],
            [pick(FIELDS, "current", lang),
             f"{_value(f, o, r['current']['value'], o.current_cell, lang=lang)} "
             f"({period(r['current']['period'], lang)})"],
            [pick(FIELDS, "chance", lang),
             MARK if hidden_reason else percent(r.get("probability"), 0, lang)],
            [pick(FIELDS, "reason", lang),
             t_hidden(lang) if hidden_reason else r["reason"][lang]],
        ]
        block: list[Flowable] = [_table(facts, [4.2 * cm, width - 4.2 * cm], s)]
        if o.rows:
            values = [[period(d.period, lang), _value(f, o, d.value, d.cell, lang=lang),
                       _value(f, o, d.ci_low, d.cell, lang=lang),
                       _value(f, o, d.ci_high, d.cell, lang=lang)] for d in o.rows]
            block += [Paragraph(text(pick(PACK, "values", lang)), s["H3"]),
                      _table(values, [4.2 * cm, 3 * cm, 3 * cm, 3 * cm], s,
                             [pick(FIELDS, k, lang)
                              for k in ("period", "value", "ci_low", "ci_high")])]
        out += [KeepTogether(head + block[:1]) if not out else block[0], *block[1:]]
    u = update_row(c, first["id"], lang)
    labels = column_words(UPDATE_COLUMNS, lang)
    update_facts = [[labels[i], u[i]] for i in (3, 4, 5, 6, 7, 8, 9, 10) if u[i]]
    out += [Paragraph(text(pick(STEERING, "update", lang)), s["H3"]),
            _table(update_facts, [4.2 * cm, width - 4.2 * cm], s)]
    actions = action_rows(c, lang, first["id"])
    out.append(Paragraph(text(pick(STEERING, "actions", lang)), s["H3"]))
    if actions:
        header = column_words(ACTION_COLUMNS, lang)
        keep = (2, 3, 4, 5, 6)
        out.append(_table([[a[i] for i in keep] for a in actions],
                          [width - 12.4 * cm, 3.4 * cm, 2.1 * cm, 2.1 * cm, 4.8 * cm], s,
                          [header[i] for i in keep]))
    else:
        out.append(Paragraph(text(pick(PACK, "none", lang)), s["body"]))
    return out


def t_hidden(lang: str) -> str:
    """The words that stand for a reason the audience does not see."""
    return T[lang]["reason_hidden"]


__all__ = ["FONT_DIRS", "pack_pdf", "text"]
