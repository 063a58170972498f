"""Draws a table with fpdf2's ``table()``, or as one line per row when a grid would not be readable.

HTML tables from an editor are ragged (short rows, spans past the end), and
fpdf2 refuses those or a row taller than a page; so the grid is evened out
first, columns get widths from their content, and a table too wide (more than
six columns) or too tall for a page is printed row by row as "heading: value"
lines instead. A failure inside fpdf2 also falls back to those lines: a table
never stops the article from printing.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass

from fpdf import FPDF, FontFace
from fpdf.errors import FPDFException

from newsroom_pdf.blocks import Cell, Run, Table
from newsroom_pdf.layout import BODY_PT, FAMILY, INDENT_MM, LINE_HEIGHT, MAX_DEPTH, MM_PER_PT, write_text

LOGGER = logging.getLogger(__name__)
# font size by column count; a table with more columns than listed is printed row by row
FONT_SIZES = {1: 10.0, 2: 10.0, 3: 10.0, 4: 9.5, 5: 9.0, 6: 8.5}
PADDING_MM = 1.5
MIN_COLUMN_MM = 10.0
HEADINGS = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
ROW_HEADING = FontFace(emphasis="BOLD")
BORDER_COLOR = (120, 120, 120)
NUMBER = re.compile(r"[-+−]?\d[\d.,\s]*%?")  # 12.500 · 7,8 · 15% : figures line up on the right


@dataclass(frozen=True)
class Grid:
    """The rows padded to one width; ``placed`` gives each written cell its first column."""

    rows: tuple[tuple[Cell, ...], ...]
    placed: tuple[tuple[tuple[int, Cell], ...], ...]
    columns: int
    head: int


def even_grid(rows: tuple[tuple[Cell, ...], ...], head_rows: int = 0) -> Grid:
    """Pad short rows and cut spans at the table's end, the way a browser lays the same table out.

    A heading cell's rowspan also stops at the last heading row: fpdf2 refuses one reaching into the body.
    """
    head = max(0, min(head_rows, len(rows) - 1))
    held: dict[int, int] = {}  # column -> rows it is still covered by a rowspan from above
    placed_rows: list[tuple[tuple[int, Cell], ...]] = []
    widths: list[tuple[int, int]] = []  # (columns reached, columns used by this row's own cells + held)
    clipped_rows: list[tuple[Cell, ...]] = []
    for index, row in enumerate(rows):
        covered = {column for column, remaining in held.items() if remaining > 0}
        column, placed, cells, new_held = 0, [], [], {}
        for written in row:
            while column in covered:
                column += 1
            rowspan = min(written.rowspan, (head if index < head else len(rows)) - index)
            cell = Cell(written.text, written.header, written.colspan, rowspan)
            placed.append((column, cell))
            cells.append(cell)
            if rowspan > 1:
                new_held.update(dict.fromkeys(range(column, column + cell.colspan), rowspan - 1))
            column += cell.colspan
        reached = max([column, *(held_column + 1 for held_column in covered)])
        widths.append((reached, sum(cell.colspan for cell in cells) + len(covered)))
        placed_rows.append(tuple(placed))
        clipped_rows.append(tuple(cells))
        held = {key: value - 1 for key, value in held.items() if value > 1} | new_held
    columns = max((reached for reached, _ in widths), default=0)
    padded = tuple(
        cells + tuple(Cell("") for _ in range(columns - used))
        for cells, (_, used) in zip(clipped_rows, widths, strict=True)
    )
    return Grid(padded, tuple(placed_rows), columns, head)


def draw_table(pdf: FPDF, table: Table) -> None:
    grid = even_grid(table.rows, table.head_rows)
    if not grid.columns:
        return
    depth = min(table.depth, MAX_DEPTH)
    width = pdf.epw - depth * INDENT_MM
    size = FONT_SIZES.get(grid.columns, 0.0)
    if size:
        pdf.set_font(FAMILY, "", size)
        widths = column_widths(pdf, grid, width)
        if not _too_tall(pdf, grid, widths, size):
            left, x, y, page = pdf.l_margin, pdf.x, pdf.y, pdf.page
            try:
                _draw_grid(pdf, table, grid, widths, size, depth)
            except (FPDFException, ValueError) as error:
                LOGGER.warning("table printed row by row: fpdf2 could not draw it as a grid: %s", error)
                pdf.l_margin = left
                if (pdf.page, pdf.y) == (page, y):
                    pdf.set_xy(x, y)
                _draw_lines(pdf, table, grid)
            pdf.set_font(FAMILY, "", BODY_PT)
            return
    _draw_lines(pdf, table, grid)


def column_widths(pdf: FPDF, grid: Grid, width: float) -> tuple[float, ...]:
    """Widths (mm) in proportion to content, as a browser's auto layout: no word split if it can be helped."""
    natural = [MIN_COLUMN_MM] * grid.columns
    shortest = [MIN_COLUMN_MM] * grid.columns
    for row in grid.placed:
        for column, cell in row:
            if cell.colspan != 1 or not cell.text:
                continue
            pdf.set_font(FAMILY, "B" if cell.header else "", pdf.font_size_pt)
            lines = cell.text.split("\n")
            words = [word for line in lines for word in line.split()]
            natural[column] = max(natural[column], max(map(pdf.get_string_width, lines)) + 2 * PADDING_MM)
            longest = max(map(pdf.get_string_width, words), default=0.0) + 2 * PADDING_MM
            shortest[column] = max(shortest[column], longest)
    pdf.set_font(FAMILY, "", pdf.font_size_pt)
    if sum(natural) <= width:
        return tuple(value * width / sum(natural) for value in natural)
    if sum(shortest) >= width:  # words will be split: still leave every column room for a few letters
        scaled = [max(MIN_COLUMN_MM, value * width / sum(shortest)) for value in shortest]
        return tuple(value * width / sum(scaled) for value in scaled)
    spare = width - sum(shortest)
    stretch = [high - low for high, low in zip(natural, shortest, strict=True)]
    return tuple(low + spare * extra / sum(stretch) for low, extra in zip(shortest, stretch, strict=True))


def _too_tall(pdf: FPDF, grid: Grid, widths: tuple[float, ...], size: float) -> bool:
    """Whether a row, or rows bound by a rowspan, would not fit on one page: fpdf2 refuses to draw them."""
    line = size * MM_PER_PT * LINE_HEIGHT
    limit = (pdf.h - pdf.t_margin - pdf.b_margin) * 0.75  # room for the repeated headings, and for error
    heights = [line + 2 * PADDING_MM] * len(grid.placed)
    spans: list[tuple[int, int, float]] = []
    for index, row in enumerate(grid.placed):
        for column, cell in row:
            room = max(1.0, sum(widths[column : column + cell.colspan]) - 2 * PADDING_MM)
            lines = sum(
                max(1, math.ceil(pdf.get_string_width(text) * 1.15 / room)) for text in cell.text.split("\n")
            )
            needed = lines * line + 2 * PADDING_MM
            if cell.rowspan == 1:
                heights[index] = max(heights[index], needed)
            else:
                spans.append((index, cell.rowspan, needed))
    together = (max(needed, sum(heights[index : index + span])) for index, span, needed in spans)
    return max(heights, default=0.0) > limit or any(height > limit for height in together)


def _draw_grid(
    pdf: FPDF, table: Table, grid: Grid, widths: tuple[float, ...], size: float, depth: int
) -> None:
    head = grid.head
    pdf.set_font(FAMILY, "", size)
    pdf.set_draw_color(*BORDER_COLOR)
    pdf.set_line_width(0.2)
    pdf.set_y(pdf.y + 1.5)
    pdf.set_x(pdf.l_margin + depth * INDENT_MM)
    with pdf.table(
        width=pdf.epw - depth * INDENT_MM,  # not sum(widths): rounding may put that past the page width
        col_widths=widths,
        align="LEFT",
        line_height=size * MM_PER_PT * LINE_HEIGHT,
        text_align="LEFT",
        v_align="TOP",
        padding=PADDING_MM,
        first_row_as_headings=head > 0,
        num_heading_rows=head,
        headings_style=HEADINGS,
        repeat_headings=1,
    ) as drawn:
        for index, cells in enumerate(grid.rows):
            row = drawn.row()
            for cell in cells:
                style = ROW_HEADING if cell.header and index >= head else None
                align = "RIGHT" if index >= head and NUMBER.fullmatch(cell.text) else None
                row.cell(cell.text, align=align, colspan=cell.colspan, rowspan=cell.rowspan, style=style)
    pdf.set_y(pdf.y + 3.0)


def _draw_lines(pdf: FPDF, table: Table, grid: Grid) -> None:
    """Each row as one bulleted line, cells labelled by their column's heading when there is one."""
    labels: dict[int, str] = {}
    head = grid.head
    for row in grid.placed[:head]:
        for column, cell in row:
            text = cell.text.replace("\n", " ")
            for covered in range(column, column + cell.colspan) if text else ():
                labels[covered] = f"{labels[covered]} / {text}" if covered in labels else text
    for row in grid.placed[head:]:
        runs: list[Run] = []
        for column, cell in row:
            if not cell.text:
                continue
            if runs:
                runs.append(Run("; "))
            label = labels.get(column, "")
            if label:
                runs.append(Run(f"{label}: ", bold=True))
            runs.append(Run(cell.text.replace("\n", " "), bold=cell.header and not label))
        if runs:
            write_text(pdf, runs, size=10.0, align="L", depth=table.depth + 1, bullet="–", bottom=1.0)
    pdf.set_y(pdf.y + 2.0)
