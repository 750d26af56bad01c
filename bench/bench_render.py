"""What keeping WeasyPrint's font configuration between renders saves: fresh against kept, in the same run.

For a few document kinds (their test sample contexts), renders the HTML once, then times, alternating the two
variants each round so drift hits both alike:

* fresh: a new ``FontConfiguration`` for every document (what rendering did before: WeasyPrint writes the six
  Fandol faces, 34 MB, to a new temporary folder and Fontconfig reads them again);
* kept: ``services.documents.render.html_to_pdf`` (what rendering does now: a configuration kept from an
  earlier render, whose fonts are already written).

Prints the median and the fastest render in ms per kind and variant, the ratio of the medians, and whether the
two variants printed the same bytes (they must: the configuration changes the cost, not the document). Then the
same with ``--threads`` threads rendering at once (the task worker runs tasks in threads), as documents per
second. A fresh temporary data folder is used. Usage::

    .venv/bin/python bench/bench_render.py [--rounds 15] [--threads 4] [--kinds acceptance_notice eia_decision]
"""

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import scratch_environment

KINDS = ["acceptance_notice", "assessment_report", "investment_commitment", "supervision_agreement"]


def _fresh_pdf(html: str) -> bytes:
    """``html_to_pdf`` with a new font configuration for the document, as before."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from services.documents import render

    return weasyprint.HTML(string=html, base_url=render.TEMPLATES_DIR.as_uri() + "/",
                           url_fetcher=render.LocalOnlyFetcher(render.TEMPLATES_DIR)
                           ).write_pdf(pdf_variant=render.PDF_VARIANT, font_config=FontConfiguration())


def _variants():
    from services.documents import render

    return {"fresh": _fresh_pdf, "kept": render.html_to_pdf}


def bench_kind(kind: str, rounds: int) -> tuple[dict[str, list[float]], bool]:
    from services.documents import render
    from tests.document_samples import SAMPLES

    html = render.render_html(kind, SAMPLES[kind]())
    variants = _variants()
    printed = {name: fn(html) for name, fn in variants.items()}  # warm-up: imports, the kept configuration
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, fn in variants.items():
            started = time.perf_counter()
            fn(html)
            times[name].append((time.perf_counter() - started) * 1000)
    return times, printed["fresh"] == printed["kept"]


def bench_threads(threads: int, documents: int) -> dict[str, float]:
    """Documents per second with ``threads`` threads rendering the acceptance notice at once."""
    from services.documents import render
    from tests.document_samples import SAMPLES

    html = render.render_html("acceptance_notice", SAMPLES["acceptance_notice"]())
    rates = {}
    for name, fn in _variants().items():
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(fn, [html] * threads))  # warm-up: one configuration per thread kept
            started = time.perf_counter()
            list(pool.map(fn, [html] * documents))
            rates[name] = documents / (time.perf_counter() - started)
    return rates


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--kinds", nargs="+", default=KINDS)
    args = parser.parse_args()
    scratch_environment.prepare("gc-bench-render-")
    print(f"{args.rounds} rounds per variant; render ms as median (fastest)")
    print(f"{'kind':<24}{'fresh':>16}{'kept':>16}{'kept/fresh':>12}  same bytes")
    for kind in args.kinds:
        times, same = bench_kind(kind, args.rounds)
        cells = [f"{statistics.median(times[n]):9.1f} ({min(times[n]):4.0f})" for n in ("fresh", "kept")]
        ratio = statistics.median(times["kept"]) / statistics.median(times["fresh"])
        print(f"{kind:<24}{cells[0]:>16}{cells[1]:>16}{ratio:>12.2f}  {'yes' if same else 'NO'}")
    rates = bench_threads(args.threads, args.threads * args.rounds)
    print(f"{args.threads} threads, acceptance notices per second: fresh {rates['fresh']:.2f}, "
          f"kept {rates['kept']:.2f} ({rates['kept'] / rates['fresh']:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
