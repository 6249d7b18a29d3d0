"""Minutes as a Word document, built from the same HTML the web page shows."""

from io import BytesIO

import docx
import lxml.html
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .html import to_html
from .paper import FOOTER

HEADINGS = {"h1": 0, "h2": 1, "h3": 2, "h4": 3, "h5": 4, "h6": 5}
# A row's properties (w:trPr) in the order the schema requires, from w:cantSplit on.
_ROW_PROPERTIES = (
    "w:cantSplit",
    "w:trHeight",
    "w:tblHeader",
    "w:tblCellSpacing",
    "w:jc",
    "w:hidden",
    "w:ins",
    "w:del",
    "w:trPrChange",
)


def to_docx(markdown_text: str, title: str, running: str = "") -> bytes:
    """Return the minutes (Markdown) as the bytes of a .docx file.

    `running` is the header every page carries (see `minutes.paper`); every page's
    footer says "Page N of M" with Word's own page fields.
    """
    document = docx.Document()
    document.core_properties.title = title
    for section in document.sections:
        # A4, as partner agencies print and file it.
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.left_margin = section.right_margin = Cm(2.0)
        if running:
            header = section.header.paragraphs[0]
            header.text = running
            header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        before, _, rest = FOOTER.partition("{page}")
        middle, _, after = rest.partition("{pages}")
        footer.add_run(before)
        _field(footer, "PAGE")
        footer.add_run(middle)
        _field(footer, "NUMPAGES")
        footer.add_run(after)
    document.styles["Normal"].font.size = Pt(10.5)
    root = lxml.html.fragment_fromstring(to_html(markdown_text), create_parent="div")
    _Builder(document).blocks(root)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def _field(paragraph, code: str) -> None:
    """Add a Word field (PAGE, NUMPAGES) that Word fills in on every page."""
    element = OxmlElement("w:fldSimple")
    element.set(qn("w:instr"), code)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    element.append(run)
    paragraph._p.append(element)


class _Builder:
    def __init__(self, document):
        self.document = document

    def blocks(self, parent, style: str | None = None) -> None:
        for node in parent:
            tag = node.tag if isinstance(node.tag, str) else ""
            if tag in HEADINGS:
                heading = self.document.add_heading(level=HEADINGS[tag])
                # A heading is never left alone at the foot of a page.
                heading.paragraph_format.keep_with_next = True
                self.runs(heading, node)
            elif tag == "p":
                paragraph = self.document.add_paragraph(style=style)
                self.runs(paragraph, node)
                # A label ("Rationale:", "Written report from …:") stays with what it labels.
                if paragraph.text.rstrip().endswith(":"):
                    paragraph.paragraph_format.keep_with_next = True
            elif tag in ("ul", "ol"):
                list_style = "List Bullet" if tag == "ul" else "List Number"
                for entry in node.iterfind("li"):
                    self.runs(self.document.add_paragraph(style=list_style), entry)
            elif tag == "blockquote":
                self.blocks(node, style="Quote")
            elif tag == "table":
                self.table(node)
            elif tag == "hr":
                self.document.add_paragraph("―" * 20)
            elif tag == "pre":
                self.document.add_paragraph(node.text_content())
            elif tag:
                self.blocks(node, style)

    def runs(self, paragraph, node, bold=False, italic=False) -> None:
        if node.text:
            self._run(paragraph, node.text, bold, italic)
        for child in node:
            if child.tag == "br":
                paragraph.add_run().add_break(WD_BREAK.LINE)
            elif isinstance(child.tag, str):
                self.runs(
                    paragraph,
                    child,
                    bold or child.tag in ("strong", "b", "th"),
                    italic or child.tag in ("em", "i"),
                )
            if child.tail:
                self._run(paragraph, child.tail, bold, italic)

    @staticmethod
    def _run(paragraph, text: str, bold: bool, italic: bool) -> None:
        run = paragraph.add_run(text.replace("\n", ""))
        run.bold, run.italic = bold or None, italic or None

    def table(self, node) -> None:
        rows = node.xpath(".//tr")
        width = max(len(row.xpath("./th|./td")) for row in rows)
        # What introduces a table ("Opened 10:02:11, revealed 10:09:40.") starts on its page.
        paragraphs = self.document.paragraphs
        if paragraphs:
            paragraphs[-1].paragraph_format.keep_with_next = True
        table = self.document.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        for r, row in enumerate(rows):
            for c, cell in enumerate(row.xpath("./th|./td")):
                paragraph = table.cell(r, c).paragraphs[0]
                self.runs(paragraph, cell, bold=cell.tag == "th")
            # A row is read whole ("Children's social care" never split across two pages),
            # and the header row is repeated at the top of every page a table runs onto.
            _row_property(table.rows[r], "w:cantSplit")
            if r == 0 and row.xpath("./th"):
                _row_property(table.rows[r], "w:tblHeader")
        self.document.add_paragraph()


def _row_property(row, name: str) -> None:
    """Switch on a table row's property (w:cantSplit, w:tblHeader), in the schema's order."""
    properties = row._tr.get_or_add_trPr()
    if properties.find(qn(name)) is None:
        successors = _ROW_PROPERTIES[_ROW_PROPERTIES.index(name) + 1 :]
        properties.insert_element_before(OxmlElement(name), *successors)
