"""A linkchecker plugin: a link's anchor is read as a browser reads it, without the text fragment directive."""

from urllib.parse import unquote

from linkcheck.plugins import _ContentPlugin

# Chromium strips the fragment directive (":~:text=…") from the anchor, then scrolls to the id before it, if any.
# linkchecker 10.6 knows no directives: its AnchorCheck would look for an id spelled with the quote in it.
DIRECTIVE = ":~:"


class TextFragmentDirective(_ContentPlugin):
    """Strip the directive so that AnchorCheck, which runs after this plugin, checks the paragraph id alone."""

    def applies_to(self, url_data):
        return url_data.is_html() and url_data.anchor and DIRECTIVE in unquote(url_data.anchor)

    def check(self, url_data):
        url_data.anchor = unquote(url_data.anchor).split(DIRECTIVE)[0]
