"""Text escaped for HTML, as markupsafe.escape gives it, but as plain text rather than Markup.

markupsafe.escape wraps each result in a Markup object, which costs several times the escaping itself;
where the result is only joined into a larger string, that wrapping is wasted. Over a million values
are escaped at a thousand meetings.
"""

from __future__ import annotations

from markupsafe import Markup, escape

try:  # the C function inside markupsafe.escape, which gives the escaped text without wrapping it in Markup
    from markupsafe._speedups import _escape_inner
except ImportError:  # another markupsafe: its own escape, unwrapped

    def _escape_inner(text: str) -> str:
        return str(escape(text))


def escaped_text(value: object) -> str:
    """What markupsafe.escape gives, as plain text: what the templates' {{ value }} writes out."""
    if type(value) is str:
        return _escape_inner(value)
    if type(value) is Markup:  # a macro's output, or HTML the archive made: already safe
        return value
    if type(value) is int:  # a paragraph's number, a count: digits, and a minus sign, which need no escaping
        return str(value)
    return str(escape(value))  # anything else, as markupsafe gives it
