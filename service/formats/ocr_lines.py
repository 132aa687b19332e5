"""Cropped lines of text through the recogniser, read twice from one pass: freely, and as a number.

A recogniser trained on lines of text is unsure of a lone digit: a table's `0` comes back as `0`, `D`, `O` or
`。` with the probability split between them, so its confidence falls below any safe threshold although
every reading means the same glyph. The number reading sums, at each step of the recogniser's output, the
probability of a digit and of the characters a printed digit is mistaken for (`0` with `O`, `D`, `。`; `8`
with `B`; `1` with `l`, `I`, `|`), and decodes the steps as CTC does (repeats merged, blanks dropped). It
stands only where every emitted step is a digit's class (or `.`, `,`, `-`), and its confidence is its least
sure step, not their mean: a glyph the model splits between `8` and `3` stays unsure and is left null. A line
with any other character (a label, a dash for "none") is the free reading.

RapidOCR's own `text_rec` gives the free reading only; this module runs its session and decoder on the same
batch, so both come from one pass of the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

# each digit class: the digit and what a printed digit is misread as (full-width forms come back NFKC'd later)
_CLASSES: dict[str, str] = {
    "0": "0OoDQ。〇○０",
    "1": "1lI|１",
    "2": "2２",
    "3": "3３",
    "4": "4４",
    "5": "5５",
    "6": "6６",
    "7": "7７",
    "8": "8B８",
    "9": "9９",
    ".": ".．",
    ",": ",，",
    "-": "-—–－一",
}


@dataclass(frozen=True)
class LineReading:
    text: str
    confidence: float
    number: bool = False  # the number reading: its characters are digits, `.`, `,` and `-` only


@dataclass(frozen=True)
class _Decoder:
    """Column indices of the recogniser's alphabet for each class (index 0 is CTC's blank)."""

    classes: tuple[tuple[str, tuple[int, ...]], ...]

    @classmethod
    def of(cls, alphabet: list[str]) -> _Decoder:
        where = {ch: i for i, ch in enumerate(alphabet) if i}
        return cls(tuple((name, tuple(where[c] for c in chars if c in where)) for name, chars in _CLASSES.items()))


def read(crops: list[Any], engine: Any) -> list[LineReading]:
    """Each crop (a BGR image of one line) read: the number reading where it stands, else the free one."""
    import numpy as np

    rec = engine.text_rec
    decoder = _decoder(rec)
    out: list[LineReading] = [LineReading("", 0.0)] * len(crops)
    ratios = [c.shape[1] / max(1, c.shape[0]) for c in crops]
    order = np.argsort(ratios)  # similar widths together, as RapidOCR batches them
    _, height, width = rec.rec_image_shape[:3]
    for begin in range(0, len(crops), rec.rec_batch_num):
        batch = [int(i) for i in order[begin : begin + rec.rec_batch_num]]
        widest = max([width / height, *(ratios[i] for i in batch)])
        norm = np.concatenate([rec.resize_norm_img(crops[i], widest)[np.newaxis, :] for i in batch])
        preds = rec.session(norm.astype(np.float32))[0]
        free = rec.postprocess_op(preds)
        for k, i in enumerate(batch):
            number = _as_number(preds[k], decoder)
            if number is not None:
                out[i] = LineReading(number[0], number[1], number=True)
            else:
                out[i] = LineReading(str(free[k][0]).strip(), float(free[k][1]))
    return out


@cache
def _decoder(rec: Any) -> _Decoder:
    return _Decoder.of(list(rec.postprocess_op.character))


def _as_number(steps: Any, decoder: _Decoder) -> tuple[str, float] | None:
    """The number reading of one line's steps (time x alphabet probabilities), or None where a step's most
    likely class is another character."""
    import numpy as np

    names = ["", *(name for name, _ in decoder.classes), None]  # blank, the classes, anything else
    grouped = np.stack([steps[:, 0], *(steps[:, list(cols)].sum(axis=1) for _, cols in decoder.classes)], axis=1)
    other = 1.0 - grouped.sum(axis=1)
    scores = np.concatenate([grouped, other[:, np.newaxis]], axis=1)
    best = scores.argmax(axis=1)
    text, sure, previous = [], [], -1
    for t, b in enumerate(best):
        name = names[int(b)]
        if name is None:
            return None
        if b != previous and name:
            text.append(name)
            sure.append(float(scores[t, b]))
        elif b == previous and name:  # the same character over several steps: its surest step
            sure[-1] = max(sure[-1], float(scores[t, b]))
        previous = int(b)
    if not text or not any(ch.isdigit() for ch in text):
        return None
    return "".join(text), min(sure)
