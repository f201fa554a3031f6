"""Verification codes of certificates (pure: no app, no database).

:func:`new_verification_code` gives 16 symbols of Crockford's base 32 in four groups,
``XXXX-XXXX-XXXX-XXXX``: 80 bits from :mod:`secrets`. :func:`normalize_code` turns what a person
types back into that canonical form, or returns ``""``.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

#: Crockford's base 32: digits and capital letters without I, L, O (read as 1, 1, 0 when typed)
#: and U. Within the printed codes nothing can be confused: a round glyph is always the digit 0,
#: a stroke always the digit 1.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16
CODE_GROUP = 4
#: 16 symbols x log2(32) = 80 bits: guessing one valid code among a million issued
#: certificates takes ~2**60 tries on average.
CODE_ENTROPY_BITS = 80

# What people type for symbols that are not in the alphabet: letter O for zero, I or L for one.
_TYPO_MAP = str.maketrans({"O": "0", "I": "1", "L": "1"})
# Separators people put (or that word processors turn hyphens into): spaces, dots, underscores,
# slashes and every kind of dash.
_SEPARATORS = re.compile(r"[\s._/\u2010-\u2015\u2212\-]+")


def new_verification_code() -> str:
    """A fresh verification code such as ``"7K3M-QX9D-2WPE-H4TB"``.

    16 symbols drawn uniformly with :func:`secrets.choice` from :data:`CODE_ALPHABET`
    (32 symbols, Crockford's base 32), i.e. 80 bits of entropy: unguessable, and short
    enough to read aloud or type from paper. Grouped by four with hyphens.
    """
    symbols = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(symbols[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))


def normalize_code(text: str) -> str:
    """Turn what a person typed into the canonical code, or ``""`` if it cannot be one.

    Accepts lower case, surrounding or inner spaces, missing or extra hyphens (and dots,
    underscores, slashes, en/em dashes), full-width characters, and the letters O, I, L typed
    for the digits 0, 1, 1. Never raises: garbage (wrong length, other characters, including
    U and Vietnamese letters) gives ``""``, which a view can treat as "not found".
    """
    if not isinstance(text, str):
        return ""
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()
    compact = compact.translate(_TYPO_MAP)
    if len(compact) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in compact):
        return ""
    return "-".join(compact[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))
