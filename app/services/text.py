"""Plain text in, safe HTML out: what people type is shown as typed, never as markup.

* ``clean(value)`` normalises input before it is stored: line endings become ``\\n``, control
  characters (other than line breaks and tabs) go, trailing spaces on lines and runs of more than
  two blank lines are trimmed, and the whole is stripped.
* ``render(value)`` escapes everything and makes ``http(s)://`` and ``www.`` addresses clickable
  (``rel="nofollow ugc noopener noreferrer"``). Line breaks stay ``\\n``: the templates show plain
  text in an element with ``white-space: pre-wrap`` (class ``plain``), so the browser keeps them and
  the live updates (``app/static/js/process.js``, ``plainText``) render the same way with text nodes.

No HTML is ever accepted: ``<b>`` typed by someone is shown as ``<b>``.
"""

from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup, escape

URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"']+")
_TRAILING = ".,;:!?'\")]}»”’"
_BLANK_LINES = re.compile(r"\n{4,}")
_ALLOWED_CONTROLS = {"\n", "\t"}


def clean(value: str | None) -> str:
    """``value`` as it is stored: normalised line breaks, no control characters, stripped."""
    if not value:
        return ""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text
                   if ch in _ALLOWED_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
                   or ch == "\u200d")  # keep the zero-width joiner: emoji sequences need it
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = _BLANK_LINES.sub("\n\n\n", text)
    return text.strip()


def one_line(value: str | None) -> str:
    """A title or a name: ``clean`` and every run of whitespace (line breaks too) made one space."""
    return " ".join(clean(value).split())


def _split_url(match: str) -> tuple[str, str]:
    """The URL without trailing punctuation, and that punctuation (kept as text)."""
    url, tail = match, ""
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break  # a balanced parenthesis belongs to the URL (Wikipedia links)
        url, tail = url[:-1], url[-1] + tail
    return url, tail


def href_of(url: str) -> str:
    return url if url.lower().startswith(("http://", "https://")) else f"https://{url}"


def render(value: str | None) -> Markup:
    """Escaped text with clickable links; line breaks kept as ``\\n`` (show it with class ``plain``)."""
    if not value:
        return Markup("")
    out: list[str] = []
    position = 0
    for match in URL.finditer(value):
        url, tail = _split_url(match.group(0))
        if len(url) <= len("www.") or url.lower() in ("http://", "https://"):
            continue
        out.append(str(escape(value[position:match.start()])))
        out.append(f'<a href="{escape(href_of(url))}" rel="nofollow ugc noopener noreferrer">{escape(url)}</a>')
        out.append(str(escape(tail)))
        position = match.end()
    out.append(str(escape(value[position:])))
    return Markup("".join(out))


def excerpt(value: str | None, length: int = 160) -> str:
    """The first ``length`` characters on one line, with an ellipsis when cut."""
    text = " ".join((value or "").split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
