"""CSV exports that spreadsheets open safely."""
import csv
import io

# OWASP CSV injection and ASVS 5.0 V1.2.10 (which adds NUL, skipped by some spreadsheets).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")


def safe_cell(value) -> str:
    """Text a spreadsheet will not run as a formula: risky leading characters get a quote."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)  # a number is never a formula, and -0.3 must stay a number
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_text(header: list[str], rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()
