import codecs

import pytest

from carejourney.sources.text import decode

TEXT = "CHILD,SEX\nCafé,1\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "UTF-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "UTF-8 with BOM"),
        (TEXT.encode("utf-16"), "UTF-16"),  # with a byte-order mark
        (TEXT.encode("utf-16-le"), "UTF-16"),  # without one
        (TEXT.encode("utf-16-be"), "UTF-16"),
        (TEXT.encode("cp1252"), "Windows-1252"),
    ],
)
def test_every_encoding_excel_writes_is_read(data: bytes, encoding: str) -> None:
    assert decode(data) == (TEXT, encoding)
