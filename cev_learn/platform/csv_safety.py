"""CSV exports that spreadsheets open safely."""
import csv
import io

# OWASP CSV injection and ASVS 5.0 V1.2.10 (which adds NUL, skipped by some spreadsheets).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")


def safe_cell(value) -> str | int | float:
    """Text a spreadsheet will not run as a formula: risky leading characters get a quote."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value  # a number is never a formula, and -0.3 must stay a number
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_text(header: list[str], rows) -> str:
    """Every text cell in quotes, numbers bare: where a spreadsheet splits lines at semicolons
    (many European locales), a quoted "Ann;=1+1" stays one cell instead of starting a formula."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(header)  # our own column names
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()
