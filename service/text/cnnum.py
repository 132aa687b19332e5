"""Numbers as narrative prose writes them: 6, 1,234, 六, 一千二百, 1.2万."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
NUMBER = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?(?:\s*万)?|[{CN_DIGITS}]+"
_ARABIC = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


def parse_number(text: str) -> int | float | None:
    """The value of a number written in Arabic digits, Chinese numerals or a mix (1.2万); None if it is not one."""
    s = re.sub(r"\s+", "", text).replace(",", "")
    if not s:
        return None
    if _ARABIC.fullmatch(s):
        d = Decimal(s)
        return int(d) if d == d.to_integral_value() else float(d)
    import cn2an  # slow to import (its regex tables): only when a Chinese numeral is to be read

    try:
        d = Decimal(str(cn2an.cn2an(s, "smart")))
    except (ValueError, InvalidOperation, KeyError, IndexError, TypeError):
        return None
    return int(d) if d == d.to_integral_value() else float(d)
