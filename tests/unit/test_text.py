"""Plain text: what people type is shown as typed — escaped, line breaks kept, links clickable."""

from __future__ import annotations

import pytest

from app.services.text import clean, excerpt, one_line, render


def test_html_is_shown_as_text_never_as_markup():
    assert render('<script>alert("x")</script> & <b>fed</b>') == (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;fed&lt;/b&gt;")


def test_line_breaks_are_kept_for_pre_wrap():
    assert render("Første linje\nAnden linje") == "Første linje\nAnden linje"


@pytest.mark.parametrize(("typed", "html"), [
    ("Se https://www.kk.dk/plan.", 'Se <a href="https://www.kk.dk/plan" rel="nofollow ugc noopener noreferrer">'
                                   "https://www.kk.dk/plan</a>."),
    ("(www.kk.dk)", '(<a href="https://www.kk.dk" rel="nofollow ugc noopener noreferrer">www.kk.dk</a>)'),
    ("https://da.wikipedia.org/wiki/Nørrebro_(bydel)", '<a href="https://da.wikipedia.org/wiki/Nørrebro_(bydel)" '
     'rel="nofollow ugc noopener noreferrer">https://da.wikipedia.org/wiki/Nørrebro_(bydel)</a>'),
    ('https://x.dk/?a=1&b="2"', '<a href="https://x.dk/?a=1&amp;b=" rel="nofollow ugc noopener noreferrer">'
                                'https://x.dk/?a=1&amp;b=</a>&#34;2&#34;'),
])
def test_addresses_become_links_without_their_trailing_punctuation(typed, html):
    assert render(typed) == html


@pytest.mark.parametrize("typed", ["javascript:alert(1)", "data:text/html,<b>x</b>", "https://", "www."])
def test_nothing_but_web_addresses_become_links(typed):
    assert "<a " not in render(typed)


def test_clean_normalises_what_is_stored():
    assert clean("  Hej\r\nmed\x00 dig \u202e\t\n\n\n\n\n\nSlut  ") == "Hej\nmed dig\n\n\nSlut"
    assert clean("👩‍👩‍👧 familie") == "👩‍👩‍👧 familie"
    assert one_line("  Bænke\n ved   søen ") == "Bænke ved søen"
    assert clean(None) == "" and render(None) == ""


def test_excerpt_cuts_on_one_line():
    assert excerpt("a\nb") == "a b"
    assert excerpt("x" * 200, 10) == "x" * 9 + "…"
