"""A saved web page as the lines a person reads: the article's own text, headings marked,
list items numbered, the page's chrome left out. The importer's HTML reader, apart from its
rules for articles (:mod:`cuecast.make.importer`)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Final


@dataclass(frozen=True)
class Line:
    """One line of an article as read, with where it is in the source."""

    number: int
    """Its line number in the source (1-based): where the importer's notes point."""
    text: str
    heading: bool = False
    """Marked as a heading by the source (Markdown ``#``, HTML ``<h1>``-``<h6>``)."""
    title: bool = False
    """Marked as the page's title (Markdown ``# ``, HTML ``<h1>``)."""


class _Flatten(HTMLParser):
    """HTML as a person reads it -> lines: the article's own text, headings marked, ordered
    list items numbered; page chrome (navigation, header and footer, sidebars, figures and
    their captions, share bars, bylines, related links, comments, forms) left out. The page's
    ``<h1>`` is kept aside as its title even where it sits inside a header."""

    SKIP: Final = frozenset({"script", "style", "nav", "footer", "header", "aside", "button",
                             "figure", "figcaption", "form", "noscript", "iframe", "svg",
                             "template", "select", "head"})
    CHROME: Final = re.compile(
        r"share|social|byline|author|comment|related|breadcrumb|newsletter|subscribe|cookie|"
        r"sidebar|menu|promo|advert|banner|widget|post-meta|entry-meta|tags|footer|masthead",
        re.I)
    BLOCK: Final = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6",
                              "section", "article", "tr", "title", "blockquote"})
    VOID: Final = frozenset({"br", "img", "hr", "meta", "link", "input", "source", "wbr",
                             "area", "base", "col", "embed", "track", "param"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[Line] = []
        self.buf: list[str] = []
        self.open: list[tuple[str, bool]] = []
        """Open elements, each with whether it starts a left-out part of the page."""
        self.heading = False
        self.counters: list[int] = []
        self.page_title: list[str] = []
        self.h1: list[str] | None = None
        self.h1s: list[tuple[int, str]] = []

    @property
    def skipping(self) -> bool:
        return any(left_out for _, left_out in self.open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h1":
            self.h1 = []
        if tag in self.VOID:
            if tag == "br":
                self.flush()
            return
        names = " ".join(v or "" for k, v in attrs if k in ("class", "id", "role"))
        left_out = tag in self.SKIP or bool(names and self.CHROME.search(names))
        if tag in self.BLOCK and not self.skipping:
            self.flush()
        self.open.append((tag, left_out))
        if tag in ("ol", "ul"):
            self.counters.append(0 if tag == "ol" else -1)
        elif tag == "li" and self.counters and not self.skipping:
            if self.counters[-1] < 0:
                self.buf.append("• ")
            else:
                self.counters[-1] += 1
                self.buf.append(f"{self.counters[-1]}. ")
        elif tag in ("h2", "h3", "h4", "h5", "h6", "h1"):
            self.heading = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1" and self.h1 is not None:
            text = " ".join("".join(self.h1).split())
            if text:
                self.h1s.append((self.getpos()[0], html.unescape(text)))
            self.h1 = None
        if not any(t == tag for t, _ in self.open):
            return  # a stray end tag
        if tag in self.BLOCK and not self.skipping:
            self.flush()
        while self.open:
            opened, _ = self.open.pop()
            if opened in ("ol", "ul") and self.counters:
                self.counters.pop()
            if opened == tag:
                break
        if self.skipping:
            self.buf, self.heading = [], False

    def handle_data(self, data: str) -> None:
        if self.h1 is not None:
            self.h1.append(data)
        if self.open and self.open[-1][0] == "title":
            self.page_title.append(data)
        elif not self.skipping:
            self.buf.append(data)

    def flush(self) -> None:
        text = " ".join("".join(self.buf).split())
        if text and not re.fullmatch(r"\d+\.|•", text):
            self.lines.append(Line(self.getpos()[0], html.unescape(text), self.heading))
        self.buf, self.heading = [], False


def html_lines(text: str) -> list[Line]:
    """The page's lines, its title first: the first ``<h1>``, else the ``<title>`` without
    the site's name after it ("... | Move Better Blog")."""
    parser = _Flatten()
    parser.feed(text)
    parser.close()
    parser.flush()
    if parser.h1s:
        number, title = parser.h1s[0]
    else:
        whole = " ".join("".join(parser.page_title).split())
        number, title = 1, re.split(r"\s+[|–—·]\s+|\s+-\s+", whole)[0] if whole else ""
    body = [ln for ln in parser.lines if ln.text != title]
    return [Line(number, title, True, True), *body] if title else body
