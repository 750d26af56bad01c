"""WeasyPrint font configurations are kept between renders (``services.documents.render._font_config``): a
kept one prints the same bytes as a new one, threads never share one at once, and no more than a few are kept."""

import os
from concurrent.futures import ThreadPoolExecutor

from services.documents import render
from tests.document_samples import sample


def test_a_kept_font_configuration_prints_the_same_bytes_and_keeps_its_written_fonts():
    html = render.render_html("acceptance_notice", sample("acceptance_notice"))
    first = render.html_to_pdf(html)
    kept = render._idle_font_configs[-1]
    folder = kept._folder
    assert folder is not None and len(os.listdir(folder)) >= 6, "the Fandol faces written once, into its folder"
    written = {name: os.stat(folder / name).st_mtime_ns for name in os.listdir(folder)}

    assert render.html_to_pdf(html) == first
    assert render._idle_font_configs[-1] is kept, "the next render took the kept configuration"
    assert {name: os.stat(folder / name).st_mtime_ns for name in os.listdir(folder)} == written, "not rewritten"


def test_threads_rendering_at_once_each_get_their_own_and_at_most_four_are_kept():
    html = render.render_html("acceptance_notice", sample("acceptance_notice"))
    expected = render.html_to_pdf(html)
    with ThreadPoolExecutor(8) as pool:
        printed = list(pool.map(render.html_to_pdf, [html] * 16))
    assert all(pdf == expected for pdf in printed)
    kept = render._idle_font_configs
    assert 1 <= len(kept) <= render.KEPT_FONT_CONFIGS == 4
    assert len({id(config) for config in kept}) == len(kept), "never the same configuration twice"
