"""Turn a file's bytes into text, whatever encoding the exporting system chose."""

from __future__ import annotations

import codecs


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name).

    Byte-order marks decide first (UTF-8, UTF-16); UTF-16 without a mark is recognised
    by its zero bytes; then UTF-8; then Windows-1252, which can decode any byte string
    and is what Excel on Windows writes for "CSV".
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "UTF-8 with BOM"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "UTF-16"
    sample = data[:4000]
    if sample and sample.count(0) > len(sample) // 4:
        even_zeros = sample[0::2].count(0)
        odd_zeros = sample[1::2].count(0)
        encoding = "utf-16-be" if even_zeros > odd_zeros else "utf-16-le"
        return data.decode(encoding, errors="replace"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "Windows-1252"
