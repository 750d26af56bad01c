"""What the 公文 faces cost: rendering with the Fandol faces (``@font-face``, what issuing does now) against the
same documents in the former single font (WenQuanYi Micro Hei from fontconfig), in the same run.

For a few document kinds (their test sample contexts), renders the HTML once, then times PDF/A-2b rendering
(``services.documents.render.html_to_pdf``), alternating the two variants each round so drift hits both alike:

* wqy: the HTML with its font rules replaced by one rule naming WenQuanYi Micro Hei for every element and
  margin box (the layout is otherwise the new one, so only the faces differ);
* fandol: the HTML as ``render_html`` returns it.

Prints the median and fastest render in ms, the PDF size per kind and variant, and the ratios of the medians
and sizes. Usage::

    .venv/bin/python bench/bench_gongwen_fonts.py [--rounds 10] [--kinds acceptance_notice eia_decision]
"""

import argparse
import statistics
import sys
import time

import scratch_environment

KINDS = ["acceptance_notice", "eia_decision", "supervision_agreement"]
_FACE = 'font-family: "WenQuanYi Micro Hei" !important;'
WQY = (f"<style>* {{ {_FACE} }} @page {{ {_FACE} @bottom-left {{ {_FACE} }} @bottom-right {{ {_FACE} }} "
       f"@top-right {{ {_FACE} }} }}</style></head>")


def _wqy_html(html: str) -> str:
    """The same document with the @font-face rules dropped and every element in WenQuanYi Micro Hei."""
    start, end = html.index("<style>"), html.index("</style>") + len("</style>")
    return (html[:start] + html[end:]).replace("</head>", WQY, 1)


def bench_kind(kind: str, rounds: int) -> dict[str, dict]:
    from services.documents import render
    from tests.document_samples import SAMPLES

    fandol = render.render_html(kind, SAMPLES[kind]())
    variants = {"wqy": _wqy_html(fandol), "fandol": fandol}
    for html in variants.values():  # warm-up: fonts, imports
        render.html_to_pdf(html)
    figures: dict[str, dict] = {name: {"ms": [], "bytes": 0} for name in variants}
    for _ in range(rounds):
        for name, html in variants.items():
            t0 = time.perf_counter()
            pdf = render.html_to_pdf(html)
            figures[name]["ms"].append((time.perf_counter() - t0) * 1000)
            figures[name]["bytes"] = len(pdf)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--kinds", nargs="+", default=KINDS)
    args = parser.parse_args()
    scratch_environment.prepare("gc-bench-fonts-")
    print(f"{args.rounds} rounds per variant; render ms as median (fastest); PDF bytes")
    print(f"{'kind':<24}{'variant':<8}{'render':>16}{'bytes':>10}")
    for kind in args.kinds:
        figures = bench_kind(kind, args.rounds)
        for name, f in figures.items():
            print(f"{kind:<24}{name:<8}{statistics.median(f['ms']):>8.0f} ({min(f['ms']):>4.0f}){f['bytes']:>10}")
        ratio = statistics.median(figures["fandol"]["ms"]) / statistics.median(figures["wqy"]["ms"])
        size = figures["fandol"]["bytes"] / figures["wqy"]["bytes"]
        print(f"{kind:<24}{'ratio':<8}{ratio:>15.2f}×{size:>9.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
