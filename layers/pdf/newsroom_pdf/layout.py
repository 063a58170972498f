"""Draws blocks on the page: styled paragraphs, pictures from bytes with their captions, rules.

Every paragraph goes through fpdf2's text regions, which wrap mixed styles,
hang list bullets and carry links per fragment; this module only chooses
sizes, indents and page breaks. Pictures come from the bytes the caller
fetched and nothing else: a picture that is absent or does not decode leaves
its caption (or alt text) in italics, so the reader still knows it was there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from fpdf import FPDF
from fpdf.enums import Align, CharVPos

from newsroom_pdf.blocks import Figure, Kind, Rule, Run, Text, plain
from newsroom_pdf.pictures import PICTURE_DPI, decode_picture, for_print

FAMILY = "DejaVuSerif"
LINE_HEIGHT = 1.5  # × font size: room above capitals for Vietnamese stacked marks (Ấ, Ễ, Ỗ)
BODY_PT = 11.0
CAPTION_PT = 9.5
INDENT_MM = 7.0
MAX_DEPTH = 6
MAX_PICTURE_SHARE = 0.7  # of the page's text height, leaving room for the caption
TEXT_COLOR = (20, 20, 20)
LINK_COLOR = (0, 70, 160)
NOTE_COLOR = (90, 90, 90)
RULE_COLOR = (170, 170, 170)
SIZES: dict[Kind, tuple[float, str]] = {
    "p": (BODY_PT, ""),
    "h2": (16.0, "B"),
    "h3": (14.0, "B"),
    "h4": (12.5, "B"),
    "h5": (11.5, "B"),
    "h6": (11.0, "BI"),
    "pre": (9.5, ""),
}
OUTLINE_LEVELS: dict[Kind, int] = {"h2": 1, "h3": 2, "h4": 3, "h5": 3, "h6": 3}
_POSITIONS = {"": CharVPos.LINE, "SUB": CharVPos.SUB, "SUP": CharVPos.SUP}
MM_PER_PT = 25.4 / 72
JUSTIFY_MAX_WORD = 24


def write_text(
    pdf: FPDF,
    runs: Iterable[Run],
    *,
    size: float = BODY_PT,
    style: str = "",
    align: str = "J",
    depth: int = 0,
    bullet: str = "",
    top: float = 0.0,
    bottom: float = 0.0,
    color: tuple[int, int, int] = TEXT_COLOR,
    pre: bool = False,
) -> None:
    """One paragraph of mixed runs, at ``depth`` indents, with a hanging ``bullet`` if any."""
    left = pdf.l_margin + min(depth, MAX_DEPTH) * INDENT_MM
    pdf.set_font(FAMILY, style, size)
    pdf.set_text_color(*color)
    with (
        pdf.text_columns(
            text_align=Align.coerce(align),
            line_height=LINE_HEIGHT,
            l_margin=left,
            r_margin=pdf.r_margin,
            skip_leading_spaces=not pre,
        ) as columns,
        columns.paragraph(bullet_string=bullet, top_margin=top, bottom_margin=bottom) as paragraph,
    ):
        for run in runs:
            _apply(pdf, run, size, style, color)
            paragraph.write(run.text, link=run.link or None)
    pdf.char_vpos = CharVPos.LINE
    pdf.set_font(FAMILY, "", BODY_PT)
    pdf.set_text_color(*TEXT_COLOR)
    pdf.set_x(pdf.l_margin)


def _apply(pdf: FPDF, run: Run, size: float, base: str, color: tuple[int, int, int]) -> None:
    style = set(base)
    style |= {"B"} if run.bold else set()
    style |= {"I"} if run.italic else set()
    style |= {"U"} if run.underline or (run.link and not run.note) else set()
    style |= {"S"} if run.strike else set()
    order = "".join(letter for letter in "BIUS" if letter in style)
    pdf.set_font(FAMILY, order, size * 0.85 if run.note else size)
    pdf.set_text_color(*(NOTE_COLOR if run.note else LINK_COLOR if run.link else color))
    pdf.char_vpos = _POSITIONS[run.position]


class Layout:
    """Draws body blocks other than tables on ``pdf``, with pictures looked up in ``pictures`` by src."""

    def __init__(self, pdf: FPDF, pictures: Mapping[str, bytes]) -> None:
        self._pdf = pdf
        self._pictures = pictures

    def draw(self, block: Text | Figure | Rule) -> None:
        if isinstance(block, Text):
            self._text(block)
        elif isinstance(block, Figure):
            self._figure(block)
        else:
            self._rule(block)

    def _text(self, block: Text) -> None:
        pdf = self._pdf
        size, style = SIZES[block.kind]
        line = size * MM_PER_PT * LINE_HEIGHT
        if block.kind in OUTLINE_LEVELS:
            # keep a heading with the two lines after it, and list it in the outline
            if pdf.y + 2 * line + 2 * BODY_PT * MM_PER_PT * LINE_HEIGHT > pdf.page_break_trigger:
                pdf.add_page()
            pdf.start_section(
                plain(block.runs).replace("\n", " ")[:200], OUTLINE_LEVELS[block.kind], strict=False
            )
            top, bottom = line * 0.6, line * 0.2
            write_text(
                pdf, block.runs, size=size, style=style, align="L", depth=block.depth, top=top, bottom=bottom
            )
            return
        if block.quoted:
            style += "I"
        # a long unbreakable word (an address) would stretch the spaces of a justified line before it
        longest = max(map(len, plain(block.runs).split()), default=0)
        bottom = line * (0.15 if block.bullet else 0.4)
        page, top = pdf.page, pdf.y + (line * 0.2 if block.quoted else 0.0)
        write_text(
            pdf,
            block.runs,
            size=size,
            style=style,
            align="L" if block.kind == "pre" or longest > JUSTIFY_MAX_WORD else "J",
            depth=block.depth,
            bullet=block.bullet,
            top=top - pdf.y,
            bottom=bottom,
            color=NOTE_COLOR if block.quoted else TEXT_COLOR,
            pre=block.kind == "pre",
        )
        if block.quoted and not block.bullet:
            self._quote_bar(block.depth, top if pdf.page == page else pdf.t_margin, pdf.y - bottom)

    def _quote_bar(self, depth: int, top: float, bottom: float) -> None:
        """A grey bar left of a quote, as on the site, so it is not read as part of a list above it."""
        pdf = self._pdf
        x = pdf.l_margin + min(depth, MAX_DEPTH) * INDENT_MM - INDENT_MM / 2
        pdf.set_draw_color(*RULE_COLOR)
        pdf.set_line_width(0.8)
        pdf.line(x, top + 1.0, x, max(top + 1.0, bottom - 1.0))
        pdf.set_line_width(0.2)

    def _figure(self, figure: Figure) -> None:
        pdf = self._pdf
        picture = decode_picture(self._pictures.get(figure.src)) if figure.src else None
        caption = tuple(replace(run, italic=True) for run in figure.caption)
        if picture is None:
            self._missing(figure, caption)
            return
        width_px, height_px = picture.size
        available = pdf.epw - min(figure.depth, MAX_DEPTH) * INDENT_MM
        width = min(available, width_px * 25.4 / PICTURE_DPI)  # never larger than its pixels at 150 dpi
        height = width * height_px / width_px
        tallest = (pdf.h - pdf.t_margin - pdf.b_margin) * MAX_PICTURE_SHARE
        if height > tallest:
            width, height = width * tallest / height, tallest
        try:
            embedded = for_print(picture, width)
        except Exception:  # a picture Pillow read but cannot convert prints as its caption
            self._missing(figure, caption)
            return
        caption_room = CAPTION_PT * MM_PER_PT * LINE_HEIGHT * 2 if caption else 0.0
        if pdf.y + height + caption_room > pdf.page_break_trigger:
            pdf.add_page()
        x = pdf.l_margin + min(figure.depth, MAX_DEPTH) * INDENT_MM + (available - width) / 2
        top = pdf.y + 1.5
        pdf.image(embedded, x=x, y=top, w=width, h=height, alt_text=figure.alt or plain(caption) or None)
        pdf.set_y(top + height + 1.5)
        if caption:
            write_text(pdf, caption, size=CAPTION_PT, align="C", depth=figure.depth, bottom=2.5)
        else:
            pdf.set_y(pdf.y + 2.0)

    def _missing(self, figure: Figure, caption: tuple[Run, ...]) -> None:
        """The caption, or the alt text, in italics where the picture would have been."""
        fallback = caption or ((Run(figure.alt, italic=True),) if figure.alt else ())
        if fallback:
            write_text(self._pdf, fallback, size=CAPTION_PT, align="C", depth=figure.depth, bottom=2.0)

    def _rule(self, rule: Rule) -> None:
        pdf = self._pdf
        if pdf.y + 6 > pdf.page_break_trigger:
            pdf.add_page()
            return
        left = pdf.l_margin + min(rule.depth, MAX_DEPTH) * INDENT_MM
        pdf.set_draw_color(*RULE_COLOR)
        pdf.set_line_width(0.3)
        pdf.line(left, pdf.y + 2.5, pdf.w - pdf.r_margin, pdf.y + 2.5)
        pdf.set_y(pdf.y + 5.5)
