"""Product-group templates of «Честный знак» codes, as a data table, compiled once.

A template is the exact shape of one product group's DataMatrix content: the serial length,
which AIs follow and how long each is. Knowing the shape lets a GS-less scan be split right —
where a generic GS1 parser would let AI 21 swallow the tail (spec/user-needs.md §5.1).

Sources of the shapes: the Artix masks in seed 002 (milk with 17/7003 and 3103, water, beer with
335x, seafood, shoes with 240, camera, common 91+92(44)), spec/ffd12-tlv.md §4.1 (88-character
signatures, the 93 short tail) and spec/user-needs.md §5.1 (tobacco block with 8005, the 29-char
tobacco pack without AIs). Groups whose codes have the same shape cannot be told apart by the code
alone; seed 002 files perfume, tires, light industry, dietary supplements, antiseptics, bicycles
and wheelchairs under one "Common" mask, and so does this table (``also`` lists them).

Each template compiles to two regular expressions: ``strict`` accepts only the canonical form
(GS exactly where GS1 requires one), ``lenient`` accepts a GS or nothing between any two fields.
Which AIs need a GS after them comes from biip's GS1 table (``separator_required``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from biip.gs1_application_identifiers import GS1ApplicationIdentifier

from ffd12.marking.model import GS

__all__ = ["DISPATCH", "PACK", "TEMPLATES", "Field", "PackTemplate", "Template", "separator_required"]

CSET82 = r"[!%-?A-Z_a-z\x22]"
"""GS1 character set 82 (the characters allowed in X fields), as a regex class."""

_DIGIT = "[0-9]"


def separator_required(ai: str) -> bool:
    """Whether GS1 requires a GS after this AI's value when another field follows (biip's table).

    A family written with ``n`` (``335n``) is looked up by its first member.
    """
    return bool(GS1ApplicationIdentifier.extract(ai.replace("n", "0")).separator_required)


@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    """One AI of a template: the AI (or an AI regex for families like 335n), value shape."""

    ai: str
    lengths: tuple[int, ...] = ()
    span: tuple[int, int] | None = None
    numeric: bool = False
    optional: bool = False
    ai_pattern: str = ""

    @property
    def value_regex(self) -> str:
        cls = _DIGIT if self.numeric else CSET82
        if self.span is not None:
            return f"({cls}{{{self.span[0]},{self.span[1]}}})"
        alts = "|".join(f"{cls}{{{n}}}" for n in sorted(self.lengths, reverse=True))
        return f"({alts})"

    @property
    def ai_regex(self) -> str:
        return f"({self.ai_pattern or re.escape(self.ai)})"


@dataclass(frozen=True, slots=True, kw_only=True)
class Template:
    """The shape of one product group's code; ``name`` is unique, ``group`` may repeat."""

    name: str
    group: str
    fields: tuple[Field, ...]
    also: tuple[str, ...] = ()
    strict: re.Pattern[str] = field(init=False, compare=False)
    lenient: re.Pattern[str] = field(init=False, compare=False)
    needs_gs: tuple[bool, ...] = field(init=False, compare=False)
    index: dict[str, int] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        needs = tuple(separator_required(f.ai) for f in self.fields)
        strict = [r"01([0-9]{14})"]
        lenient = [r"01([0-9]{14})"]
        prev_var = False
        for f, var in zip(self.fields, needs, strict=True):
            body = f.ai_regex + f.value_regex
            s_part = (GS if prev_var else "") + body
            l_part = GS + "?" + body
            if f.optional:
                s_part, l_part = f"(?:{s_part})?", f"(?:{l_part})?"
            strict.append(s_part)
            lenient.append(l_part)
            prev_var = var
        object.__setattr__(self, "needs_gs", needs)
        # AI → regex group of its value (group 1 is the GTIN, then AI and value per field)
        object.__setattr__(self, "index", {f.ai: 3 + 2 * i for i, f in enumerate(self.fields)})
        object.__setattr__(self, "strict", re.compile("".join(strict)))
        object.__setattr__(self, "lenient", re.compile("".join(lenient)))


@dataclass(frozen=True, slots=True, kw_only=True)
class PackTemplate:
    """The 29-character tobacco pack code: GTIN(14) serial(7) MRP(4) check code(4), no AIs."""

    name: str
    group: str
    pattern: re.Pattern[str]


def _f(ai: str, *lengths: int, numeric: bool = False, optional: bool = False, pattern: str = "") -> Field:
    return Field(ai=ai, lengths=lengths, numeric=numeric, optional=optional, ai_pattern=pattern)


_KEY = _f("91", 4)
_SIG = _f("92", 44, 88)
_SIG44 = _f("92", 44)
_CHECK = _f("93", 4)
_WEIGHT = _f("3103", 6, numeric=True, optional=True)

TEMPLATES: tuple[Template, ...] = (
    # seed 002 [MarkedGoods.Milk]: 21(6|8) or 21(13)+17/7003, then 93(4), optional 3103 weight
    Template(name="milk-6", group="milk", fields=(_f("21", 6), _CHECK, _WEIGHT)),
    Template(name="milk-8", group="milk", fields=(_f("21", 8), _CHECK, _WEIGHT)),
    Template(
        name="milk-13-17", group="milk", fields=(_f("21", 13), _f("17", 6, numeric=True), _CHECK, _WEIGHT)
    ),
    Template(
        name="milk-13-7003",
        group="milk",
        fields=(_f("21", 13), _f("7003", 10, numeric=True), _CHECK, _WEIGHT),
    ),
    # seed 002 [MarkedGoods.Water]: water, juices, soft drinks
    Template(name="water", group="water", fields=(_f("21", 13), _CHECK), also=("softdrinks", "juice")),
    # seed 002 [MarkedGoods.PackagedBeer]: 21(7) 93(4), optional 335n volume
    Template(
        name="beer",
        group="beer",
        fields=(_f("21", 7), _CHECK, _f("335n", 6, numeric=True, optional=True, pattern="335[0-6]")),
    ),
    # spec/user-needs.md §5.1: tobacco block 21(7) 8005(6) MRP 93(4)
    Template(
        name="tobacco-block", group="tobacco_block", fields=(_f("21", 7), _f("8005", 6, numeric=True), _CHECK)
    ),
    # seed 002 [MarkedGoods.Seafood]
    Template(name="seafood", group="seafood", fields=(_f("21", 6), _KEY, _SIG44)),
    # seed 002 [MarkedGoods.Camera]
    Template(name="camera", group="camera", fields=(_f("21", 20), _KEY, _SIG44)),
    # seed 002 [MarkedGoods.Shoes]: 240 (4 alphanumerics) between serial and key
    Template(name="shoes", group="shoes", fields=(_f("21", 13), _f("240", 4), _KEY, _SIG)),
    # medicines (МДЛП) with expiry (17) and batch (10) before the crypto tail; without them a medicine
    # code has the common shape. This layout is not in the seeds or the spec: unverified
    Template(
        name="medicines",
        group="medicines",
        fields=(_f("21", 13), _f("17", 6, numeric=True), Field(ai="10", span=(1, 20)), _KEY, _SIG44),
    ),
    # seed 002 [MarkedGoods.Common], also the 88-character signature of spec §4.1
    Template(
        name="common",
        group="common",
        fields=(_f("21", 13), _KEY, _SIG),
        also=("perfume", "tires", "light_industry", "bio", "antiseptic", "bicycles", "wheelchairs", "shoes"),
    ),
)

PACK = PackTemplate(
    name="tobacco-pack",
    group="tobacco_pack",
    pattern=re.compile(rf"([0-9]{{14}})({CSET82}{{7}})({CSET82}{{4}})({CSET82}{{4}})"),
)


def _dispatch() -> dict[tuple[int, str], tuple[Template, ...]]:
    """(serial length, first two characters after the first GS) → templates, for canonical codes.

    In a canonical code the serial (AI 21) is always followed by a GS, so these two facts narrow
    the strict match to one or two templates.
    """
    table: dict[tuple[int, str], list[Template]] = {}
    for t in TEMPLATES:
        serial, nxt = t.fields[0], t.fields[1]
        follow = [nxt.ai[:2]]
        if nxt.optional and len(t.fields) > 2:
            follow.append(t.fields[2].ai[:2])
        for n in serial.lengths:
            for ai in follow:
                table.setdefault((n, ai), []).append(t)
    return {k: tuple(v) for k, v in table.items()}


DISPATCH = _dispatch()
