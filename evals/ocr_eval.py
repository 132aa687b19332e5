"""Scanned reports, generated: printed to PDF, rasterised at 150 dpi (and a noisier variant: a slight rotation
and JPEG artefacts), saved as image-only PDFs, read back through text recognition.

    python -m evals.ocr_eval [--reports 5]

Prints per variant: values right, wrong, missing, and seconds per page. Needs `nianbao[ocr]`.
"""

from __future__ import annotations

import argparse
import io
import random
import time

from evals.synth.docs import to_pdf
from evals.synth.text import random_report
from service.pipeline import Source, extract


def scan(pdf: bytes, noisy: bool, rng: random.Random) -> bytes:
    import pypdfium2 as pdfium
    from PIL import Image

    doc = pdfium.PdfDocument(pdf)
    image = doc[0].render(scale=150 / 72).to_pil().convert("RGB")
    if noisy:
        image = image.rotate(rng.uniform(-1.0, 1.0), expand=True, fillcolor="white")
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=55)
        image = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    out = io.BytesIO()
    image.save(out, "PDF", resolution=150)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=5)
    args = parser.parse_args()
    for noisy in (False, True):
        right = wrong = missing = pages = 0
        seconds = 0.0
        for i in range(args.reports):
            rng = random.Random(i)
            report = random_report(rng, "2021" if i % 2 else "2019")
            data = scan(to_pdf(report), noisy, rng)
            t0 = time.perf_counter()
            got = extract(Source(data, "scan.pdf")).flat()
            seconds += time.perf_counter() - t0
            pages += 1
            for key, value in report.flat().items():
                if key not in got:
                    missing += 1
                elif got[key] == value:
                    right += 1
                else:
                    wrong += 1
        total = right + wrong + missing
        print(
            f"{'noisy (rotated, JPEG)' if noisy else 'clean 150 dpi':22s} values {total}  right {right} "
            f"({right / total:.1%})  wrong {wrong}  missing {missing}  {seconds / pages:.1f} s per page"
        )


if __name__ == "__main__":
    main()
