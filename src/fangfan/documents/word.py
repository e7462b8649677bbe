"""A thin layer over python-docx for generated documents: headings, numbered paragraphs
and bordered tables in the fonts Chinese government documents use (宋体 body, 黑体
headings), so Word and LibreOffice render them alike."""
from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

BODY_FONT, HEADING_FONT, LATIN_FONT = "宋体", "黑体", "Times New Roman"


def _font(run, east_asian: str, size: float, bold: bool = False) -> None:
    run.font.name = LATIN_FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)


def a4(doc) -> None:
    """A4 paper, which Chinese offices print on (python-docx's template is US Letter), with
    2.5 cm side margins: the 16 cm the tables are laid out for."""
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Cm(2.5)


class Writer:
    """Builds one .docx; every method appends to the end of the document."""

    def __init__(self) -> None:
        self.doc = Document()
        a4(self.doc)
        normal = self.doc.styles["Normal"]
        normal.font.name = LATIN_FONT
        normal.font.size = Pt(12)
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    def title(self, text: str, subtitle: str = "") -> None:
        for line, size in ((text, 22), (subtitle, 16)):
            if line:
                para = self.doc.add_paragraph()
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _font(para.add_run(line), HEADING_FONT, size, bold=size > 20)

    def heading(self, text: str, level: int = 1) -> None:
        para = self.doc.add_paragraph()
        para.paragraph_format.space_before = Pt(12 if level == 1 else 6)
        _font(para.add_run(text), HEADING_FONT, 16 if level == 1 else 14, bold=level > 1)

    def paragraph(self, text: str, indent: bool = True) -> None:
        para = self.doc.add_paragraph()
        if indent:
            para.paragraph_format.first_line_indent = Pt(24)
        _font(para.add_run(text), BODY_FONT, 12)

    def items(self, texts: Iterable[str], numbered: str = "({}) ") -> None:
        for i, text in enumerate(texts, start=1):
            self.paragraph(f"{numbered.format(i)}{text}")

    def table(self, header: Sequence[str], rows: Iterable[Sequence[object]],
              caption: str = "", widths: Sequence[float] | None = None) -> None:
        """A bordered table; `widths` in centimetres (the page holds about 16)."""
        if caption:
            para = self.doc.add_paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(para.add_run(caption), HEADING_FONT, 12, bold=True)
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(str(text)), HEADING_FONT, 11, bold=True)
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = ""
                _font(cell.paragraphs[0].add_run("" if value is None else str(value)),
                      BODY_FONT, 11)
        if widths:
            table.autofit = False
            for column, width in zip(table.columns, widths, strict=True):
                column.width = Cm(width)  # the grid LibreOffice reads
            for row in table.rows:  # the cell widths Word reads
                for cell, width in zip(row.cells, widths, strict=True):
                    cell.width = Cm(width)
        self.doc.add_paragraph()  # keeps the next table or caption apart

    def page_break(self) -> None:
        self.doc.add_page_break()

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()
