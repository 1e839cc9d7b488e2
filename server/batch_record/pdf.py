"""The batch record as the PDF an inspector reads, rendered from the record model alone.

Blocking (CPU): call it through server.concurrency.run_blocking. Every page carries a band
saying whether the batch is released, and a footer with the batch number, "page x of y" and
the SHA-256 of the JSON record, so a printed page can be matched to its JSON.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    Flowable,
    Image,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from server.batch_record.schema import (
    AuditRecord,
    BatchRecordDocument,
    Correction,
    DeviationEntry,
    Limits,
    RecordedValue,
    StepEntry,
)

MARGIN = 15 * mm
WIDTH = A4[0] - 2 * MARGIN
THUMB = 45 * mm
_STYLES = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_STYLES["BodyText"], fontSize=8, leading=10)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=7, leading=8.5)
H1 = ParagraphStyle("h1", parent=_STYLES["Heading1"], fontSize=15, spaceAfter=4)
H2 = ParagraphStyle("h2", parent=_STYLES["Heading2"], fontSize=11, spaceBefore=8, spaceAfter=3)
H3 = ParagraphStyle("h3", parent=_STYLES["Heading3"], fontSize=9, spaceBefore=6, spaceAfter=2)
GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 7.5),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8ecef")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#9aa5ad")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
)
KEY_VALUE = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
        ("FONT", (0, 0), (0, -1), "Helvetica-Bold", 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]
)
CELL_FONT, CELL_SIZE, CELL_PADDING = "Helvetica", 7.5, 6.5


def when(moment: datetime | None) -> str:
    """A time as the record prints it: UTC, to the second."""
    return "" if moment is None else f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def shown(value: Any) -> str:
    """A recorded value as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def limits_text(limits: Limits | None) -> str:
    if limits is None:
        return ""
    hard = _range(limits.min, limits.max)
    alert = _range(limits.alert_min, limits.alert_max)
    return "; ".join([hard] * bool(hard) + [f"alert {alert}"] * bool(alert))


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low:g} to {high:g}"
    if low is not None:
        return f"min {low:g}"
    return "" if high is None else f"max {high:g}"


def _para(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _cell(text: str, width: float) -> str:
    """Text broken into lines that fit a table column. Plain lines, not a Paragraph: a
    record of hundreds of steps has thousands of cells, and parsing each as markup would
    take most of the rendering time."""
    room = width - CELL_PADDING
    lines: list[str] = []
    for line in simpleSplit(text, CELL_FONT, CELL_SIZE, room):
        while stringWidth(line, CELL_FONT, CELL_SIZE) > room and len(line) > 1:
            cut = _longest_fitting(line, room)
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return "\n".join(lines)


def _longest_fitting(text: str, room: float) -> int:
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(text[:middle], CELL_FONT, CELL_SIZE) <= room:
            low = middle
        else:
            high = middle - 1
    return low


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], widths: Sequence[float]) -> Table:
    columns = [w * WIDTH for w in widths]
    data: list[list[Any]] = [list(header)]
    data += [[_cell(text, width) for text, width in zip(row, columns, strict=True)] for row in rows]
    table = Table(data, colWidths=columns, repeatRows=1)
    table.setStyle(GRID)
    return table


def _pairs(rows: Sequence[tuple[str, str]]) -> Table:
    columns = [0.24 * WIDTH, 0.76 * WIDTH]
    table = Table([[label, _cell(value, columns[1])] for label, value in rows], colWidths=columns)
    table.setStyle(KEY_VALUE)
    return table


class _Renderer:
    """Turns one record into flowables, section by section."""

    def __init__(self, record: BatchRecordDocument, thumbnails: Mapping[str, bytes]) -> None:
        self.record = record
        self.thumbnails = thumbnails
        self.attachments = {a.id: a for a in record.attachments}

    def story(self) -> list[Flowable]:
        story: list[Flowable] = []
        story += self.header()
        story += self.redlines()
        story.append(Paragraph("Steps", H2))
        for step in self.record.steps:
            story += self.step(step)
        story += self.deviations()
        story += self.holds()
        story += self.attachments_section()
        story += self.all_signatures()
        story += self.review()
        story += self.audit_trail()
        return story

    def header(self) -> list[Flowable]:
        header = self.record.header
        parameters = ", ".join(
            f"{p.label}: {shown(p.value)}{' ' + p.unit if p.unit else ''}"
            for p in header.parameters
        )
        rows = [
            ("Product", header.product or header.procedure_title),
            ("Batch number", header.batch_number),
            ("Procedure", f"{header.procedure_key} — {header.procedure_title}"),
            ("Version", str(header.version)),
            ("Content hash", header.content_hash),
            ("Batch size / parameters", parameters),
            ("Status", header.status),
            ("Released", "yes" if header.released else "NO"),
            ("Created", f"{when(header.created_at)} by {header.created_by.full_name}"),
            ("Started", when(header.started_at)),
            ("Completed", when(header.completed_at)),
            ("Decided", when(header.decided_at)),
        ]
        title = f"Electronic batch record {escape(header.batch_number)}"
        return [Paragraph(title, H1), _pairs(rows)]

    def step(self, step: StepEntry) -> list[Flowable]:
        result = f", result {step.result}" if step.result else ""
        parts: list[Flowable] = [
            Paragraph(
                escape(
                    f"{step.position + 1}. {step.title} ({step.step_id}) — {step.state}{result}"
                ),
                H3,
            )
        ]
        if step.instruction:
            parts.append(_para(step.instruction, SMALL))
        if step.values:
            parts.append(
                _table(
                    ("Value", "Recorded", "Unit", "Limits", "Result", "Source", "Entered"),
                    (self.value_row(v) for v in step.values),
                    (0.19, 0.15, 0.06, 0.19, 0.07, 0.12, 0.22),
                )
            )
        if step.corrections:
            parts.append(_para("Changed after first entry (EU GMP Annex 11 §8.2):", SMALL))
            parts.append(self.corrections(step.corrections))
        if step.material_uses:
            parts.append(
                _table(
                    ("Material", "Lot", "Container", "Quantity", "Use", "By, at"),
                    (
                        (
                            f"{u.material_code} {u.material_name}",
                            u.lot_number,
                            u.container_number or "",
                            f"{u.quantity or ''} {u.unit or ''}".strip(),
                            u.kind,
                            f"{u.by.full_name}, {when(u.at)}",
                        )
                        for u in step.material_uses
                    ),
                    (0.26, 0.13, 0.12, 0.1, 0.1, 0.29),
                )
            )
        if step.containers:
            parts.append(
                _table(
                    ("Container", "Lot", "Quantity", "Weighed", "Balance", "By, at"),
                    (
                        (
                            c.number,
                            c.lot_number,
                            f"{c.quantity} {c.unit}",
                            "MANUAL weight" if c.manual else c.source,
                            c.balance or "",
                            f"{c.by.full_name}, {when(c.at)}",
                        )
                        for c in step.containers
                    ),
                    (0.14, 0.14, 0.12, 0.14, 0.14, 0.32),
                )
            )
        notes = [f"Comment: {step.comment}"] * bool(step.comment)
        if step.completed_by:
            notes.append(f"Completed by {step.completed_by.full_name} at {when(step.completed_at)}")
        notes += [f"Signed: {s.manifestation}" for s in step.signatures]
        notes += [f"Deviations: {', '.join(step.deviations)}"] * bool(step.deviations)
        if notes:
            parts.append(Paragraph("<br/>".join(escape(note) for note in notes), BODY))
        parts += self.thumbnail_row(step.attachments)
        return parts

    def value_row(self, value: RecordedValue) -> tuple[str, ...]:
        latest = value.revisions[-1] if value.revisions else None
        source = "MANUAL weight" if value.manual else value.source
        entered = f"{latest.entered_by.full_name}, {when(latest.entered_at)}" if latest else ""
        if len(value.revisions) > 1:
            entered += f" (revision {len(value.revisions)})"
        return (
            value.label,
            shown(value.value),
            value.unit or "",
            limits_text(value.limits),
            "ALERT" if value.alert else ("ok" if value.limits else ""),
            source,
            entered,
        )

    def corrections(self, corrections: Sequence[Correction]) -> Table:
        return _table(
            ("Value", "Old", "New", "By", "When", "Why"),
            (
                (c.name, shown(c.old), shown(c.new), c.by.full_name, when(c.at), c.reason or "")
                for c in corrections
            ),
            (0.16, 0.1, 0.1, 0.14, 0.17, 0.33),
        )

    def thumbnail_row(self, attachment_ids: Sequence[str]) -> list[Flowable]:
        cells: list[Any] = []
        for attachment_id in attachment_ids:
            attachment = self.attachments[attachment_id]
            image = self.thumbnails.get(attachment_id)
            caption = f"{attachment.kind} {attachment.sha256[:12]}… {attachment.caption or ''}"
            if image is None:
                cells.append(_para(f"{caption} ({attachment.media_type})", SMALL))
                continue
            picture = Image(io.BytesIO(image), kind="bound", width=THUMB, height=THUMB)
            cells.append([picture, _para(caption, SMALL)])
        rows = [cells[i : i + 3] for i in range(0, len(cells), 3)]
        if not rows:
            return []
        rows[-1] += [""] * (3 - len(rows[-1]))
        table = Table(rows, colWidths=[WIDTH / 3] * 3)
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return [Spacer(1, 2), table]

    def deviations(self) -> list[Flowable]:
        parts: list[Flowable] = [Paragraph("Deviations", H2)]
        if not self.record.deviations:
            parts.append(_para("None."))
        for deviation in self.record.deviations:
            parts += self.deviation(deviation)
        return parts

    def deviation(self, d: DeviationEntry) -> list[Flowable]:
        rows = [
            ("Kind, severity", f"{d.kind}, {d.severity}{', blocking' if d.blocking else ''}"),
            ("Status", d.status),
            ("Step, field", f"{d.step_id or ''} {d.field or ''}".strip()),
            ("Value, limits", f"{shown(d.value)} {shown(d.limits)}".strip()),
            ("Description", d.detail),
            ("Comment", d.comment or ""),
            ("Impact", d.impact or ""),
            ("Root cause", d.root_cause or ""),
            ("CAPA", ", ".join(d.capa)),
            ("Conclusion", d.conclusion or ""),
            ("Opened", f"{d.opened_by.full_name}, {when(d.opened_at)}"),
        ]
        if d.closed_at:
            closer = d.closed_by.full_name if d.closed_by else ""
            rows.append(("Closed", f"{closer}, {when(d.closed_at)}"))
        if d.cancel_reason:
            rows.append(("Cancelled because", d.cancel_reason))
        parts: list[Flowable] = [Paragraph(escape(f"{d.number} — {d.title}"), H3), _pairs(rows)]
        if d.history:
            parts.append(_para("History:", SMALL))
            parts.append(self.trail_table(d.history))
        return parts

    def redlines(self) -> list[Flowable]:
        """Changes to the master for this batch come first: every step below follows them."""
        if not self.record.redlines:
            return []
        parts: list[Flowable] = [Paragraph("Changes to the master procedure (redlines)", H2)]
        for redline in self.record.redlines:
            rows = [
                ("Status", redline.status),
                ("Reason", redline.reason),
                ("Proposed", f"{redline.proposed_by.full_name}, {when(redline.proposed_at)}"),
            ]
            if redline.signature:
                rows.append(("Approved", redline.signature.manifestation))
            elif redline.decided_by:
                comment = f": {redline.decision_comment}" if redline.decision_comment else ""
                rows.append(
                    (
                        "Rejected",
                        f"{redline.decided_by.full_name}, {when(redline.decided_at)}{comment}",
                    )
                )
            rows.append(("Deviation", redline.deviation_number or "-"))
            rows.append(("Definition hash", redline.content_hash))
            title = f"Redline {redline.number}"
            parts += [Paragraph(escape(title), H3), _pairs(rows)]
            parts += [_para(f"• {line}", SMALL) for line in redline.changes]
        return parts

    def holds(self) -> list[Flowable]:
        if not self.record.holds:
            return []
        parts: list[Flowable] = [Paragraph("Holds and continuation approvals", H2)]
        for hold in self.record.holds:
            lifted = f", lifted {when(hold.lifted_at)}" if hold.lifted_at else ", not lifted"
            parts.append(
                _para(
                    f"Hold at step {hold.step_id or '-'} ({hold.deviation_number or '-'}): "
                    f"{hold.reason}. Raised by {hold.raised_by.full_name}, "
                    f"{when(hold.raised_at)}; {hold.approvals_required} approval(s) required"
                    f"{lifted}.",
                    SMALL,
                )
            )
            for approval in hold.approvals:
                signed = approval.signature.manifestation if approval.signature else ""
                comment = f" Comment: {approval.comment}" if approval.comment else ""
                parts.append(_para(f"Approved: {signed}.{comment}", SMALL))
        return parts

    def attachments_section(self) -> list[Flowable]:
        if not self.record.attachments:
            return []
        return [
            Paragraph("Photos, snapshots and recordings", H2),
            _table(
                ("Step", "Kind", "SHA-256", "Attached"),
                (
                    (
                        a.step_id or "",
                        f"{a.kind} {a.media_type}",
                        a.sha256,
                        f"{a.attached_by}, {when(a.attached_at)}",
                    )
                    for a in self.record.attachments
                ),
                (0.11, 0.14, 0.53, 0.22),
            ),
        ]

    def all_signatures(self) -> list[Flowable]:
        return [
            Paragraph("Electronic signatures", H2),
            _table(
                ("Signature (printed name — UTC time — meaning)", "Signed content SHA-256"),
                ((s.manifestation, s.content_hash) for s in self.record.signatures),
                (0.44, 0.56),
            ),
        ]

    def review(self) -> list[Flowable]:
        parts: list[Flowable] = [Paragraph("Review and release", H2)]
        for mark in self.record.review:
            signed = mark.signature.manifestation if mark.signature else mark.by.full_name
            comment = f" Comment: {mark.comment}" if mark.comment else ""
            item = self.item_label(mark.item_id)
            parts.append(_para(f"Reviewed {item}: {signed}.{comment}", SMALL))
        decision = self.record.decision
        if decision is None:
            parts.append(_para(f"No release decision: the batch is {self.record.header.status}."))
            return parts
        signed = decision.signature.manifestation if decision.signature else decision.by.full_name
        parts.append(_para(f"Decision: {decision.decision.upper()} — {signed}"))
        if decision.comment:
            parts.append(_para(f"Comment: {decision.comment}"))
        return parts

    def item_label(self, item_id: str) -> str:
        """A review item as a reader knows it: a deviation by its number, a hold by its step."""
        kind, _, key = item_id.partition(":")
        deviation = next((d for d in self.record.deviations if d.id == key), None)
        if kind == "deviation" and deviation is not None:
            return f"deviation {deviation.number}"
        hold = next((h for h in self.record.holds if h.id == key), None)
        if kind == "hold" and hold is not None:
            return f"hold at step {hold.step_id or '-'}"
        return item_id

    def audit_trail(self) -> list[Flowable]:
        return [
            Paragraph("Appendix: audit trail of the batch", H2),
            self.trail_table(self.record.audit_trail),
        ]

    def trail_table(self, entries: Sequence[AuditRecord]) -> Table:
        return _table(
            ("#", "When", "Who", "What", "Change, reason"),
            (
                (str(e.seq), when(e.at), e.actor, f"{e.action} {e.entity}", _change(e))
                for e in entries
            ),
            (0.05, 0.19, 0.17, 0.2, 0.39),
        )


def _change(entry: AuditRecord) -> str:
    parts = []
    if entry.old is not None:
        parts.append(f"old: {_clip(shown(entry.old))}")
    if entry.new is not None:
        parts.append(f"new: {_clip(shown(entry.new))}")
    if entry.reason:
        parts.append(f"reason: {entry.reason}")
    return "\n".join(parts)


def _clip(text: str, most: int = 400) -> str:
    return text if len(text) <= most else text[:most] + " …"


def _band(record: BatchRecordDocument) -> tuple[str, colors.Color]:
    header = record.header
    if header.released:
        return "RELEASED", colors.HexColor("#1b6e3a")
    return f"NOT RELEASED — status {header.status}", colors.HexColor("#b00020")


def _page_canvas(record: BatchRecordDocument, sha256: str) -> type[canvas.Canvas]:
    """A canvas that draws the band and footer on every page once the page count is known."""
    band, band_colour = _band(record)
    number = record.header.batch_number

    class PagedCanvas(canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for index, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._decorate(index, total)
                super().showPage()
            super().save()

        def _decorate(self, page: int, total: int) -> None:
            width, height = A4
            self.setFillColor(band_colour)
            self.rect(0, height - 9 * mm, width, 9 * mm, stroke=0, fill=1)
            self.setFillColor(colors.white)
            self.setFont("Helvetica-Bold", 9)
            self.drawString(MARGIN, height - 6 * mm, f"{band}   Batch {number}")
            self.setFillColor(colors.black)
            self.setFont("Helvetica", 7)
            self.drawString(MARGIN, 9 * mm, f"Batch {number} — page {page} of {total}")
            self.drawString(MARGIN, 5.5 * mm, f"SHA-256 of the JSON record: {sha256}")

    return PagedCanvas


def render_pdf(record: BatchRecordDocument, sha256: str, thumbnails: Mapping[str, bytes]) -> bytes:
    """The record as PDF bytes; `thumbnails` holds small images by attachment id."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=14 * mm,
        bottomMargin=15 * mm,
        title=f"Batch record {record.header.batch_number}",
        author="Stepwise",
        subject=f"SHA-256 {sha256}",
    )
    document.build(_Renderer(record, thumbnails).story(), canvasmaker=_page_canvas(record, sha256))
    return buffer.getvalue()
