"""A certificate as a PDF: its page's HTML printed by WeasyPrint (no browser, no network)."""


def certificate_pdf(html: str) -> bytes:
    """The PDF of this HTML; it may load nothing from anywhere (its styles are inline)."""
    from weasyprint import HTML  # loads pango at first use, not when the app starts

    return HTML(string=html, url_fetcher=_no_fetching).write_pdf()


def _no_fetching(url: str, *args, **kwargs):
    raise ValueError(f"a certificate loads nothing: {url[:80]}")
