"""Tables and lists for the terminal that read well from 60 columns up.

An id is what a person types next and a dose is what they do, so neither is ever wrapped
or cut: a column of them is as wide as its longest entry. Long prose (why an exercise is
in the plan, a reason) goes on its own line under its row, across the whole width,
instead of in a column that a narrow terminal squeezes to one word per line. When the
columns do not fit side by side, each row is stacked: its fields one under the other.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.table import Column, Table
from rich.text import Text

GAP = 2  # spaces between columns
INDENT = 2  # the note under a row, and the fields of a stacked row after the first
PROSE_MIN = 20  # the narrowest a column that wraps may get before rows are stacked


def _lines(cell: Text) -> list[Text]:
    return cell.split("\n", allow_blank=True)


def _widest_word(cell: Text) -> int:
    return max((Text(word).cell_len for word in cell.plain.split()), default=0)


class RowTable:
    """Rows of fields that are never broken, each with an optional note under it.

    Every column keeps its entries whole, except the one named by `wrap` (a name, a
    title): it may wrap between words, never inside one, and gets the width the others
    leave, at least PROSE_MIN columns. Cells and notes take Rich markup; a cell may hold
    several lines (a name, then its id).
    """

    def __init__(self, *headers: str, wrap: int | None = None, title: str | None = None):
        self.headers = [Text.from_markup(h, style="bold") for h in headers]
        self.wrap = wrap
        self.title = title
        self.rows: list[tuple[list[Text], Text | None]] = []

    def add_row(self, *cells: str, note: str | None = None) -> None:
        if len(cells) != len(self.headers):
            raise ValueError(f"{len(cells)} cells for {len(self.headers)} columns")
        note_text = Text.from_markup(note, style="dim") if note else None
        self.rows.append(([Text.from_markup(c) for c in cells], note_text))

    def _column(self, i: int) -> list[Text]:
        return [self.headers[i], *(cells[i] for cells, _ in self.rows)]

    def widths(self, width: int) -> list[int] | None:
        """Each column's width side by side in `width` columns, or None if they do not
        fit and the rows must be stacked."""
        natural = [
            max(line.cell_len for cell in self._column(i) for line in _lines(cell))
            for i in range(len(self.headers))
        ]
        room = width - GAP * (len(natural) - 1)
        if sum(natural) <= room:
            return natural
        if self.wrap is None:
            return None
        others = sum(natural) - natural[self.wrap]
        least = max(
            min(PROSE_MIN, natural[self.wrap]), *(_widest_word(c) for c in self._column(self.wrap))
        )
        if others + least > room:
            return None
        return [room - others if i == self.wrap else w for i, w in enumerate(natural)]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        widths = self.widths(options.max_width)
        if self.title:
            yield Text.from_markup(self.title, style="bold")
        if widths is None:
            yield from self._stacked()
            return
        yield self._grid(widths, self.headers)
        yield Text("─" * options.max_width, style="dim")
        spaced = any(note for _, note in self.rows)
        for n, (cells, note) in enumerate(self.rows):
            if spaced and n:
                yield Text()
            yield self._grid(widths, cells)
            if note:
                yield Padding(note, (0, 0, 0, INDENT))

    def _grid(self, widths: list[int], cells: list[Text]) -> Table:
        grid = Table.grid(padding=(0, GAP, 0, 0), collapse_padding=False)
        for i, w in enumerate(widths):
            grid.add_column(width=w, no_wrap=i != self.wrap)
        grid.add_row(*cells)
        return grid

    def _stacked(self) -> Iterable[RenderableType]:
        for n, (cells, note) in enumerate(self.rows):
            if n:
                yield Text()
            yield cells[0]
            for cell in cells[1:]:
                yield Padding(cell, (0, 0, 0, INDENT))
            if note:
                yield Padding(note, (0, 0, 0, INDENT))


def bullets(items: Iterable[str | Text], *, numbered: bool = False) -> Table:
    """A list whose items wrap under their own text, not under the dash or the number."""
    grid = Table.grid(Column(no_wrap=True), Column(), padding=(0, 1, 0, 0), collapse_padding=False)
    for n, item in enumerate(items, 1):
        grid.add_row(f"{n}." if numbered else "-", item)
    return grid


def fields(rows: Iterable[tuple[str, str | Text]]) -> Table:
    """Labels and their values side by side (Dose, Rest, Needs), each value wrapping under
    itself; keep each value short enough to fit 60 columns whole."""
    grid = Table.grid(
        Column(no_wrap=True, style="bold"), Column(), padding=(0, GAP, 0, 0), collapse_padding=False
    )
    for label, value in rows:
        grid.add_row(label, value)
    return grid


def spaced(parts: Iterable[RenderableType]) -> Group:
    """Parts one under the other with a blank line between them."""
    out: list[RenderableType] = []
    for part in parts:
        if out:
            out.append(Text())
        out.append(part)
    return Group(*out)
