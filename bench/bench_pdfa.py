"""What issuing every PDF as PDF/A-2b costs: render + sign, plain PDF against PDF/A-2b, in the same run.

For a few document kinds (their test sample contexts), renders the HTML once, then times, alternating the two
variants each round so drift hits both alike:

* plain: WeasyPrint without a PDF variant (what issuing did before), then pyHanko's signature;
* pdfa: ``services.documents.render.html_to_pdf`` (PDF/A-2b, what issuing does now), then the signature.

Prints the median and the fastest render, sign and render+sign in ms and the signed file's size per kind and
variant, and the ratio of the medians. The HTML is rendered outside the timing (the same for both). A fresh
temporary data folder holds the generated demo signing certificate. Usage::

    .venv/bin/python bench/bench_pdfa.py [--rounds 15] [--kinds acceptance_notice supervision_agreement]
"""

import argparse
import statistics
import sys
import time

import scratch_environment

KINDS = ["acceptance_notice", "eia_decision", "supervision_agreement"]


def _plain_pdf(html: str) -> bytes:
    """``html_to_pdf`` as it was before PDF/A: the same fetcher and base URL, no PDF variant."""
    import weasyprint

    from services.documents import render

    return weasyprint.HTML(string=html, base_url=render.TEMPLATES_DIR.as_uri() + "/",
                           url_fetcher=render.LocalOnlyFetcher(render.TEMPLATES_DIR)).write_pdf()


def _time(fn, arg):
    t0 = time.perf_counter()
    out = fn(arg)
    return out, (time.perf_counter() - t0) * 1000


def bench_kind(kind: str, rounds: int) -> dict[str, dict]:
    from services.documents import render, signing
    from tests.document_samples import SAMPLES

    html = render.render_html(kind, SAMPLES[kind]())
    variants = {"plain": _plain_pdf, "pdfa": render.html_to_pdf}
    for fn in variants.values():  # warm-up: fonts, the demo certificate, imports
        signing.sign(fn(html))
    figures: dict[str, dict] = {name: {"render": [], "sign": [], "total": [], "bytes": 0} for name in variants}
    for _ in range(rounds):
        for name, fn in variants.items():
            pdf, render_ms = _time(fn, html)
            signed, sign_ms = _time(signing.sign, pdf)
            figures[name]["render"].append(render_ms)
            figures[name]["sign"].append(sign_ms)
            figures[name]["total"].append(render_ms + sign_ms)
            figures[name]["bytes"] = len(signed)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--kinds", nargs="+", default=KINDS)
    args = parser.parse_args()
    scratch_environment.prepare("gc-bench-pdfa-")
    print(f"{args.rounds} rounds per variant; ms as median (fastest)")
    print(f"{'kind':<24}{'variant':<8}{'render':>16}{'sign':>16}{'render+sign':>18}{'bytes':>9}")
    for kind in args.kinds:
        figures = bench_kind(kind, args.rounds)
        for name, f in figures.items():
            cells = [f"{statistics.median(f[k]):9.1f} ({min(f[k]):4.0f})" for k in ("render", "sign", "total")]
            print(f"{kind:<24}{name:<8}{cells[0]:>16}{cells[1]:>16}{cells[2]:>18}{f['bytes']:>9}")
        ratio = statistics.median(figures["pdfa"]["total"]) / statistics.median(figures["plain"]["total"])
        print(f"{kind:<24}pdfa/plain render+sign median: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
