"""A generated corpus of bills with known fields: several layouts rendered to PDF (WeasyPrint)
and to scanned-looking images (rendered page, grey, rotated, noisy, JPEG). Deterministic."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

VENDORS = [
    ("Acme Office Supplies", "Acme Office Supplies, Inc."),
    ("Northwind Traders", "Northwind Traders LLC"),
    ("Blue Harbor Cleaning", "Blue Harbor Cleaning Co."),
    ("Summit Legal Partners", "Summit Legal Partners LLP"),
    ("Pixel Forge Studio", "Pixel Forge Studio"),
    ("Greenline Couriers", "Greenline Couriers Ltd"),
    ("Cedar & Stone Rentals", "Cedar & Stone Rentals"),
    ("Brightwave Internet", "Brightwave Internet Corp."),
    ("Orchard Catering", "Orchard Catering Company"),
    ("Keystone IT Services", "Keystone IT Services, LLC"),
]
SYMBOL = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "C$"}


@dataclass
class Sample:
    layout: str
    vendor: str  # QBO display name (truth for the vendor match)
    letterhead: str  # how the bill prints it
    number: str
    bill_date: date
    due_date: date
    terms: int | None  # when the bill states terms instead of a due date
    total: Decimal
    currency: str
    html: str = ""


def _fmt_date(d: date, style: int) -> str:
    return [d.isoformat(), d.strftime("%B %d, %Y").replace(" 0", " "), d.strftime("%m/%d/%Y"),
            d.strftime("%d %b %Y").lstrip("0")][style % 4]


def _fmt_money(amount: Decimal, currency: str, style: int) -> str:
    text = f"{amount:,.2f}"
    return [f"{SYMBOL[currency]}{text}", f"{text} {currency}", f"{currency} {text}"][style % 3]


CSS = """@page { size: Letter; margin: 18mm } body { font-family: sans-serif; font-size: 10pt }
.big { font-size: 22pt; font-weight: bold } .title { font-size: 16pt; text-align: right }
table { border-collapse: collapse; width: 100% } td, th { padding: 3pt 6pt; text-align: left }
.lines td { border-bottom: 1px solid #ccc } .right { text-align: right }"""


def _lines(rng: random.Random, total: Decimal) -> list[tuple[str, Decimal]]:
    items = ["Consulting hours", "Printer paper", "Monthly service", "Delivery", "Licence",
             "Cleaning visit", "Hosting", "Catering for event"]
    n = rng.randint(1, 4)
    parts, left = [], total
    for _ in range(n - 1):
        share = (left * Decimal(rng.randint(10, 40)) / 100).quantize(Decimal("0.01"))
        parts.append((rng.choice(items), share))
        left -= share
    parts.append((rng.choice(items), left))
    return parts


def sample_html(s: Sample, rng: random.Random) -> str:
    ds, ms = rng.randint(0, 3), rng.randint(0, 2)
    money = lambda a: _fmt_money(a, s.currency, ms)  # noqa: E731
    rows = "".join(f"<tr class='lines'><td>{d}</td><td class='right'>{money(a)}</td></tr>"
                   for d, a in _lines(rng, s.total))
    sub = money(s.total)
    due = (f"<tr><td>Terms</td><td>Net {s.terms}</td></tr>" if s.terms is not None
           else f"<tr><td>Due Date</td><td>{_fmt_date(s.due_date, ds)}</td></tr>")
    bill_to = "<p><b>Bill To</b><br>Alpha Studio<br>12 Main St<br>Springfield</p>"
    if s.layout == "classic":
        return f"""<html><head><style>{CSS}</style></head><body>
<table><tr><td class='big'>{s.letterhead}</td><td class='title'>INVOICE</td></tr></table>
<p>100 Industrial Way<br>Portland, OR 97201<br>billing@example.com</p>{bill_to}
<table style='width:50%'><tr><td>Invoice No:</td><td>{s.number}</td></tr>
<tr><td>Invoice Date:</td><td>{_fmt_date(s.bill_date, ds)}</td></tr>{due}</table>
<table><tr><th>Description</th><th class='right'>Amount</th></tr>{rows}
<tr><td class='right'>Subtotal</td><td class='right'>{sub}</td></tr>
<tr><td class='right'><b>Total Due</b></td><td class='right'><b>{money(s.total)}</b></td></tr>
</table></body></html>"""
    if s.layout == "stacked":
        terms = (f"<p>Payment terms: Net {s.terms} days</p>" if s.terms is not None
                 else f"<p>Payment due</p><p>{_fmt_date(s.due_date, ds)}</p>")
        return f"""<html><head><style>{CSS}</style></head><body>
<p class='title'>TAX INVOICE</p><p class='big'>{s.letterhead}</p>
<p>Invoice number</p><p>{s.number}</p><p>Date of issue</p><p>{_fmt_date(s.bill_date, ds)}</p>
{terms}{bill_to}<table>{rows}</table><p>Amount due</p><p><b>{money(s.total)}</b></p>
</body></html>"""
    if s.layout == "letter":
        terms = (f"Terms: Net {s.terms}" if s.terms is not None
                 else f"Due by: {_fmt_date(s.due_date, ds)}")
        return f"""<html><head><style>{CSS}</style></head><body>
<p>From: {s.letterhead}</p><p>Bill #: {s.number}</p><p>Dated: {_fmt_date(s.bill_date, ds)}</p>
<p>{terms}</p>{bill_to}<p>For services rendered as detailed below.</p>
<table>{rows}</table><p class='right'>Subtotal {sub}</p>
<p class='right'><b>Balance Due: {money(s.total)}</b></p></body></html>"""
    # "compact": a two-column header box and the total in a table row
    return f"""<html><head><style>{CSS}</style></head><body>
<table><tr><td><span class='big'>{s.letterhead}</span><br>Suite 5, 9 Harbour Rd</td>
<td class='right'>Reference # {s.number}<br>Issue date {_fmt_date(s.bill_date, ds)}<br>
{("Net " + str(s.terms)) if s.terms is not None else "Due date " + _fmt_date(s.due_date, ds)}
</td></tr></table>{bill_to}<table><tr><th>Item</th><th class='right'>Price</th></tr>{rows}
<tr><td>Grand Total</td><td class='right'>{money(s.total)}</td></tr></table></body></html>"""


LAYOUTS = ("classic", "stacked", "letter", "compact")


def corpus(n: int, seed: int = 7) -> list[Sample]:
    rng = random.Random(seed)
    samples = []
    for i in range(n):
        vendor, letterhead = VENDORS[rng.randrange(len(VENDORS))]
        bill_date = date(2026, 1, 1) + timedelta(days=rng.randint(0, 300))
        terms = rng.choice([None, 15, 30, 45]) if i % 2 else None
        due = bill_date + timedelta(days=terms if terms is not None else rng.choice([10, 30]))
        sample = Sample(
            layout=LAYOUTS[i % len(LAYOUTS)], vendor=vendor, letterhead=letterhead,
            number=rng.choice(["INV-", "", "B", "2026-"]) + str(rng.randint(100, 99999)),
            bill_date=bill_date, due_date=due, terms=terms,
            total=Decimal(rng.randint(1500, 2_500_000)) / 100,
            currency=rng.choice(["USD", "USD", "USD", "EUR", "GBP", "CAD"]),
        )
        sample.html = sample_html(sample, rng)
        samples.append(sample)
    return samples


def render_pdf(sample: Sample) -> bytes:
    from weasyprint import HTML

    return HTML(string=sample.html).write_pdf()


def scanned_image(pdf: bytes, seed: int = 0) -> bytes:
    """The PDF's first page as a scan: 150 dpi, greyscale, slight rotation, speckles, JPEG."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    doc = pdfium.PdfDocument(pdf)
    try:
        image = doc[0].render(scale=150 / 72).to_pil().convert("L")
    finally:
        doc.close()
    image = image.rotate(rng.uniform(-1.2, 1.2), expand=True, fillcolor=255)
    pixels = image.load()
    width, height = image.size
    for _ in range(width * height // 400):
        x, y = rng.randrange(width), rng.randrange(height)
        pixels[x, y] = rng.randint(120, 200)
    image = image.filter(ImageFilter.GaussianBlur(0.4))
    buffer = io.BytesIO()
    Image.Image.save(image, buffer, format="JPEG", quality=70)
    return buffer.getvalue()
