"""Scanned reports, generated: printed to PDF, rasterised at 150 dpi, saved as image-only PDFs, read back
through text recognition. Variants: clean; noisy (a rotation of up to 1 degree either way and JPEG artefacts
at quality 55); stamped (a red seal printed over the request table, then noisy).

    python -m evals.ocr_eval [--reports 5] [--variants clean,noisy,stamped]

Prints per variant: values right, wrong, missing (each missing value has a finding), and seconds per page.
For seconds per page on one core, run it under `taskset -c 0` with OMP_NUM_THREADS=1. Needs `nianbao[ocr]`.
"""

from __future__ import annotations

import argparse
import io
import math
import random
import time

from evals.synth.docs import to_pdf
from evals.synth.text import random_report
from service.pipeline import Source, extract

VARIANTS = ("clean", "noisy", "stamped")


def scan(pdf: bytes, noisy: bool, rng: random.Random, stamped: bool = False) -> bytes:
    import pypdfium2 as pdfium
    from PIL import Image

    doc = pdfium.PdfDocument(pdf)
    image = doc[0].render(scale=150 / 72).to_pil().convert("RGB")
    if stamped:
        _seal(image, rng)
    if noisy:
        image = image.rotate(rng.uniform(-1.0, 1.0), expand=True, fillcolor="white")
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=55)
        image = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    out = io.BytesIO()
    image.save(out, "PDF", resolution=150)
    return out.getvalue()


def _seal(image: object, rng: random.Random) -> None:
    """A red seal (a ring, a star, its organ's name) over the request table's cells, as organs stamp reports:
    stamp ink over toner, so the print shows through (multiplied, not painted over)."""
    from PIL import Image, ImageChops, ImageDraw, ImageFont

    width, height = image.size  # type: ignore[attr-defined]
    layer = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(layer)
    cx, cy, r = int(width * rng.uniform(0.35, 0.75)), int(rng.uniform(900, 1600)), 110
    red = (rng.randint(200, 235), rng.randint(20, 60), rng.randint(20, 60))
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=6)
    star = [
        (
            cx + (40 if k % 2 == 0 else 16) * math.cos(math.pi / 2 + k * math.pi / 5),
            cy - (40 if k % 2 == 0 else 16) * math.sin(math.pi / 2 + k * math.pi / 5),
        )
        for k in range(10)
    ]
    draw.polygon(star, fill=red)
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    try:
        font = ImageFont.truetype("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 22)
    except OSError:
        font = ImageFont.load_default()
    draw.text((cx - 66, cy + 48), "政务公开专用章", fill=red, font=font)
    image.paste(ImageChops.multiply(image, layer))  # type: ignore[attr-defined, arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=5)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args()
    for variant in args.variants.split(","):
        right = wrong = missing = pages = 0
        seconds = 0.0
        for i in range(args.reports):
            rng = random.Random(i)
            report = random_report(rng, "2021" if i % 2 else "2019")
            data = scan(to_pdf(report), variant != "clean", rng, stamped=variant == "stamped")
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
            f"{variant:8s} values {total}  right {right} "
            f"({right / total:.1%})  wrong {wrong}  missing {missing}  {seconds / pages:.1f} s per page"
        )


if __name__ == "__main__":
    main()
