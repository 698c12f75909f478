"""Markdown to safe HTML, with links between modules and to assets rewritten to app URLs.

Pure: the caller says what a relative link points to through `resolve_link`.
"""
from collections.abc import Callable
from dataclasses import dataclass

import markdown
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

from cev_learn.content.loader import is_relative_link
from cev_learn.platform.sanitize import ID_PREFIX, plain_text, sanitize_html

LinkResolver = Callable[[str], str | None]


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str
    toc_html: str
    text: str
    heading_count: int


def render_markdown(body: str, resolve_link: LinkResolver) -> RenderedMarkdown:
    """Render module markdown: tables, fenced code, admonitions, table of contents."""
    md = markdown.Markdown(
        extensions=["tables", "fenced_code", "admonition", "sane_lists", "toc",
                    _LinkRewriter(resolve_link)],
        extension_configs={
            "tables": {"use_align_attribute": True},
            "toc": {"slugify": _prefixed_slug, "toc_depth": "2-3", "permalink": False},
        },
        output_format="html",
    )
    html = sanitize_html(md.convert(body))
    tokens = getattr(md, "toc_tokens", [])
    toc_html = sanitize_html(md.toc) if tokens else ""
    return RenderedMarkdown(html=html, toc_html=toc_html, text=plain_text(html),
                            heading_count=_count(tokens))


def _prefixed_slug(value: str, separator: str) -> str:
    return ID_PREFIX + slugify_unicode(value, separator)


def _count(tokens) -> int:
    return sum(1 + _count(t.get("children", [])) for t in tokens)


class _LinkRewriter(Extension):
    def __init__(self, resolve_link: LinkResolver):
        super().__init__()
        self.resolve_link = resolve_link

    def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's name
        md.treeprocessors.register(_RewriteLinks(md, self.resolve_link), "cev_links", 1)
        md.treeprocessors.register(_TaskBoxes(md), "cev_task_boxes", 2)


class _TaskBoxes(Treeprocessor):
    """Show `- [ ] item` and `- [x] item` checklist lines as boxes."""

    BOXES = {"[ ] ": "☐ ", "[x] ": "☑ ", "[X] ": "☑ "}

    def run(self, root):
        for item in root.iter("li"):
            target = item[0] if len(item) and item[0].tag == "p" and not (item.text or "").strip() \
                else item
            text = target.text or ""
            if text[:4] in self.BOXES:
                target.text = self.BOXES[text[:4]] + text[4:]


class _RewriteLinks(Treeprocessor):
    def __init__(self, md, resolve_link: LinkResolver):
        super().__init__(md)
        self.resolve_link = resolve_link

    def run(self, root):
        for element in root.iter():
            attribute = {"a": "href", "img": "src"}.get(element.tag)
            if attribute is None:
                continue
            target = element.get(attribute, "")
            if target.startswith("#") and not target.startswith("#" + ID_PREFIX):
                element.set(attribute, "#" + ID_PREFIX + target[1:])
            elif target and is_relative_link(target):
                resolved = self.resolve_link(target)
                if resolved is None:
                    element.attrib.pop(attribute, None)
                else:
                    element.set(attribute, resolved)
