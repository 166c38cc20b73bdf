"""Benchmark: marking-code parsing throughput, ffd12 against biip and a bare regex, in one run.

    python bench/marking.py [N]        (default N = 100 000 codes)

Prints codes/s for ``ffd12.marking.parse`` on clean codes and on a mix of clean and damaged ones
(half of them damaged: GS lost or written as text, ]d2 prefixes, CR/LF, Base64, Russian layout),
for ``biip.parse`` on the same clean codes, and for one precompiled regex ``fullmatch`` on them;
then the two ratios. The target (issue 2): ffd12 on clean input ≥ 10× biip.
"""

from __future__ import annotations

import base64
import random
import re
import sys
import time
from collections.abc import Callable, Sequence

import biip

from ffd12.marking import parse

GS = "\x1d"
CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
US = "qwertyuiop[]asdfghjkl;'zxcvbnm,./QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>?`~@#$^&|"
RU = "йцукенгшщзхъфывапролджэячсмитьбю.ЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,ёЁ\"№;:?/"
TO_RU = str.maketrans(US, RU)

BARE = re.compile(r"01([0-9]{14})21([!%-?A-Z_a-z\x22]{1,20})\x1d(?:91(.{4})\x1d92(.{44,88})|93(.{4}))")


def _gtin(rng: random.Random) -> str:
    body = "0460" + "".join(rng.choice("0123456789") for _ in range(9))
    odd = sum(int(c) for c in body[-1::-2])
    even = sum(int(c) for c in body[-2::-2])
    return body + str((10 - (odd * 3 + even) % 10) % 10)


def _x(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(CSET82) for _ in range(n))


def clean_code(rng: random.Random) -> str:
    gtin = _gtin(rng)
    shape = rng.randrange(5)
    if shape == 0:  # milk / beer / water with the 93 short tail
        return f"01{gtin}21{_x(rng, rng.choice((6, 7, 8, 13)))}{GS}93{_x(rng, 4)}"
    if shape == 1:  # common (perfume, tires, light industry …)
        return f"01{gtin}21{_x(rng, 13)}{GS}91{_x(rng, 4)}{GS}92{_x(rng, 44)}"
    if shape == 2:  # camera
        return f"01{gtin}21{_x(rng, 20)}{GS}91{_x(rng, 4)}{GS}92{_x(rng, 44)}"
    if shape == 3:  # 88-character signature
        return f"01{gtin}21{_x(rng, 13)}{GS}91{_x(rng, 4)}{GS}92{_x(rng, 88)}"
    return f"01{gtin}21{_x(rng, 6)}{GS}91{_x(rng, 4)}{GS}92{_x(rng, 44)}"  # seafood


DAMAGE: Sequence[Callable[[str], str]] = (
    lambda c: c.replace(GS, ""),
    lambda c: c.replace(GS, "<GS>"),
    lambda c: c.replace(GS, "\\u001d"),
    lambda c: "]d2" + c + "\r\n",
    lambda c: base64.b64encode(c.encode()).decode(),
    lambda c: c.translate(TO_RU),
    lambda c: GS + c.replace(GS, " "),
)


def _rate(fn: Callable[[str], object], codes: Sequence[str]) -> float:
    start = time.perf_counter()
    for code in codes:
        fn(code)
    return len(codes) / (time.perf_counter() - start)


def _ffd12(code: str) -> object:
    try:
        return parse(code)
    except Exception:  # a mixed batch may hold an ambiguous GS-less code; it still counts as work
        return None


def main(n: int) -> None:
    rng = random.Random(20261123)
    clean = [clean_code(rng) for _ in range(n)]
    mixed = [c if i % 2 == 0 else rng.choice(DAMAGE)(c) for i, c in enumerate(clean)]
    assert all(parse(c).canonical == c for c in clean[:1000]), "clean codes must parse to themselves"
    assert all(BARE.fullmatch(c) for c in clean[:1000]), "the bare regex must match the clean codes"

    ours_clean = _rate(parse, clean)
    ours_mixed = _rate(_ffd12, mixed)
    theirs = _rate(biip.parse, clean)
    bare = _rate(BARE.fullmatch, clean)

    print(f"codes: {n} clean, {n} mixed (half damaged)")
    print(f"ffd12.marking.parse, clean   {ours_clean:12,.0f} codes/s  ({1e6 / ours_clean:6.1f} µs/code)")
    print(f"ffd12.marking.parse, mixed   {ours_mixed:12,.0f} codes/s  ({1e6 / ours_mixed:6.1f} µs/code)")
    print(f"biip.parse, clean            {theirs:12,.0f} codes/s  ({1e6 / theirs:6.1f} µs/code)")
    print(f"bare regex fullmatch, clean  {bare:12,.0f} codes/s  ({1e6 / bare:6.1f} µs/code)")
    print(f"ratio ffd12 clean / biip     {ours_clean / theirs:8.1f}×  (target ≥ 10×)")
    ratio = ours_clean / bare
    print(f"ratio ffd12 clean / regex    {ratio:8.3f}×  (the bare regex is {1 / ratio:.1f}× faster)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
