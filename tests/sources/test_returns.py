"""Reading whole returns: files, folders, zips, encodings, years, and the problems found."""

import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from carejourney.sources.returns import read_returns
from tests.returns import EPISODES, HEADER, csv_text, minimal_return, write_table


def codes(result: object) -> list[tuple[str, str]]:
    return [(p.code, p.severity) for p in result.problems]  # type: ignore[attr-defined]


def test_a_clean_return_reads_without_problems(tmp_path: Path) -> None:
    result = read_returns([minimal_return(tmp_path)])
    assert codes(result) == []
    [ret] = result.returns
    assert ret.year == 2022
    assert {name: f.height for name, f in ret.tables.items()} == {"Header": 2, "Episodes": 3}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_any_encoding_reads_the_same(tmp_path: Path, encoding: str) -> None:
    write_table(tmp_path / "header.csv", HEADER, encoding)
    write_table(tmp_path / "episodes.csv", EPISODES, encoding)
    result = read_returns([tmp_path])
    assert codes(result) == []
    assert result.rows == {"Header": 2, "Episodes": 3}


def test_columns_in_any_order_with_extras_reported_and_ignored(tmp_path: Path) -> None:
    write_table(tmp_path / "a.csv", HEADER)
    write_table(
        tmp_path / "b.csv",
        """
        URN      | NOTES | child | decom      | rne | ls | cin | place | place_provider | dec | rec | reason_place_change | home_post | pl_post
        SC000001 | hello | 1     | 01/05/2022 | s   | c1 | n1  | u6    | pr1            |     |     |                     |           |
        """,
    )
    result = read_returns([tmp_path])
    assert codes(result) == [("column-extra", "warning")]
    assert result.problems[0].column == "NOTES"
    assert result.returns[0].tables["Episodes"]["RNE"].to_list() == ["S"]


def test_missing_column_is_an_error(tmp_path: Path) -> None:
    write_table(tmp_path / "header.csv", HEADER)
    write_table(
        tmp_path / "episodes.csv",
        """
        CHILD | DECOM      | RNE | LS | CIN | PLACE | PLACE_PROVIDER | DEC | REC
        1     | 01/05/2022 | S   | C1 | N1  | U6    | PR1            |     |
        """,
    )
    result = read_returns([tmp_path])
    assert ("column-missing", "error") in codes(result)
    assert {p.column for p in result.problems} == {
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    }


def test_missing_required_table_is_an_error(tmp_path: Path) -> None:
    write_table(tmp_path / "episodes.csv", EPISODES)
    result = read_returns([tmp_path])
    assert codes(result) == [("table-missing", "error")]
    assert "Header" in result.problems[0].message


def test_blank_lines_are_skipped_and_rows_keep_their_spreadsheet_numbers(tmp_path: Path) -> None:
    write_table(tmp_path / "header.csv", HEADER)
    lines = csv_text(EPISODES).splitlines()
    bad = lines[3].replace("10/10/2022", "99/99/2022")
    (tmp_path / "episodes.csv").write_text(
        "\n".join([lines[0], "", lines[1], ",,,,", lines[2], "", bad]) + "\n"
    )
    result = read_returns([tmp_path])
    assert [(p.row, p.column, p.code) for p in result.problems] == [(7, "DECOM", "date-not-a-date")]
    assert result.rows["Episodes"] == 3


def test_empty_and_unrecognised_files_are_reported_not_read(tmp_path: Path) -> None:
    minimal_return(tmp_path)
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "notes.csv").write_text("A,B,C\n1,2,3\n")
    result = read_returns([tmp_path])
    assert sorted(codes(result)) == [("file-empty", "warning"), ("file-unrecognised", "warning")]


def test_a_zip_of_several_years_reads_as_several_returns(tmp_path: Path) -> None:
    later = EPISODES.replace("/2022", "/2023").replace("/2023 | X1", "/2023 | X1")
    with zipfile.ZipFile(tmp_path / "returns.zip", "w") as archive:
        archive.writestr("903_2022-23/header.csv", csv_text(HEADER))
        archive.writestr("903_2022-23/episodes.csv", csv_text(EPISODES))
        archive.writestr("903_2023-24/header.csv", csv_text(HEADER))
        archive.writestr("903_2023-24/episodes.csv", csv_text(later))
    result = read_returns([tmp_path / "returns.zip"])
    assert [r.year for r in result.returns] == [2022, 2023]
    assert not [p for p in result.problems if p.severity == "error"]


def test_year_from_file_names_when_files_share_a_folder(tmp_path: Path) -> None:
    # Bare years are read the way the data shows they are meant: here, the starting year.
    write_table(tmp_path / "2022-header.csv", HEADER)
    write_table(tmp_path / "2022-episodes.csv", EPISODES)
    write_table(tmp_path / "2023-header.csv", HEADER)
    write_table(tmp_path / "2023-episodes.csv", EPISODES.replace("/2022", "/2023"))
    result = read_returns([tmp_path])
    assert [r.year for r in result.returns] == [2022, 2023]


def test_stated_year_wins_and_a_header_alone_needs_one(tmp_path: Path) -> None:
    write_table(tmp_path / "header.csv", HEADER)
    alone = read_returns([tmp_path / "header.csv"])
    assert ("year-unknown", "error") in codes(alone)
    stated = read_returns([minimal_return(tmp_path)], year=2023)
    assert [r.year for r in stated.returns] == [2023]


def test_two_files_for_one_table_is_an_error(tmp_path: Path) -> None:
    minimal_return(tmp_path)
    write_table(tmp_path / "episodes-copy.csv", EPISODES)
    assert ("table-repeated", "error") in codes(read_returns([tmp_path]))


def test_a_path_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    assert codes(read_returns([tmp_path / "nowhere"])) == [("file-not-found", "error")]


def test_a_corrupt_zip_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "returns.zip").write_bytes(b"PK\x03\x04 not really a zip")
    assert codes(read_returns([tmp_path / "returns.zip"])) == [("file-unreadable", "error")]


XML = """<?xml version="1.0" encoding="utf-8"?>
<EXPSSDA903>
  <CHILD>
    <HEADER>
      <CHILDID>1</CHILDID><UPN>A123456789012</UPN><SEX>1</SEX><DOB>01/06/2019</DOB>
      <ETHNIC>WBRI</ETHNIC><UASC /><MOTHER /><MC_DOB />
      <DATE_INT>01/07/2022</DATE_INT><DATE_MATCH>01/08/2022</DATE_MATCH>
      <FOSTER_CARE>0</FOSTER_CARE><NB_ADOPTR>2</NB_ADOPTR><SEX_ADOPTR>MF</SEX_ADOPTR>
      <LS_ADOPTR>L11</LS_ADOPTR>
      <AREVIEW><REVIEW>20/05/2022</REVIEW><REVIEW_CODE>PN0</REVIEW_CODE></AREVIEW>
    </HEADER>
    <EPISODE>
      <DECOM>01/05/2022</DECOM><RNE>S</RNE><LS>C1</LS><CIN>N1</CIN><PL>U6</PL>
      <PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC>01/09/2022</DEC><REC>X1</REC>
      <REASON_PLACE_CHANGE>CARPL</REASON_PLACE_CHANGE><HOME_POST /><PL_POST /><URN>SC1</URN>
    </EPISODE>
    <EPISODE>
      <DECOM>01/09/2022</DECOM><RNE>T</RNE><LS>E1</LS><CIN>N1</CIN><PL>A6</PL>
      <PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC /><REC /><REASON_PLACE_CHANGE />
      <HOME_POST /><PL_POST /><URN>SC1</URN>
    </EPISODE>
  </CHILD>
</EXPSSDA903>
"""


def test_the_dfe_xml_reads_into_the_same_tables(tmp_path: Path) -> None:
    (tmp_path / "return.xml").write_text(XML)
    result = read_returns([tmp_path / "return.xml"])
    assert codes(result) == []
    ret = result.returns[0]
    assert ret.tables["Episodes"]["PLACE"].to_list() == ["U6", "A6"]
    assert ret.tables["AD1"]["SEX_ADOPTR"].to_list() == ["MF"]
    assert ret.tables["Reviews"]["REVIEW_CODE"].to_list() == ["PN0"]
    assert ret.tables["Episodes"]["_row"].to_list() == [12, 17]  # the EPISODE element's line


def test_broken_xml_is_an_error_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "return.xml").write_text(XML.replace("</CHILDID>", "</CHILD>", 1))
    result = read_returns([tmp_path / "return.xml"])
    [problem] = result.problems
    assert (problem.code, problem.row) == ("file-unreadable", 5)


def test_what_excel_does_to_a_return_is_undone(tmp_path: Path) -> None:
    """UTF-16 with Windows line ends, serial dates, 123.0 IDs, lower-case codes with
    spaces and a blank line; beside it a Windows-1252 file with a long name."""
    header = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\r\n123.0, 1 ,43620,wbri,A1,,\r\n\r\n124,2,2019-06-01, BAFR ,A2,,\r\n"
    (tmp_path / "Header.csv").write_bytes(header.encode("utf-16"))
    episodes = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n123,01/05/2022,s,c1,n1,u6,pr1,,,,,,\n124.0,44835,S,V2,N2,U4,PR2,31/12/2022,E4A,,,,Café\n"
    (tmp_path / "Episodes export (final).csv").write_bytes(episodes.encode("cp1252"))
    result = read_returns([tmp_path])
    assert codes(result) == []
    ret = result.returns[0]
    assert ret.tables["Header"].select("CHILD", "SEX", "ETHNIC").rows() == [
        ("123", "1", "WBRI"),
        ("124", "2", "BAFR"),
    ]
    assert ret.tables["Header"]["_row"].to_list() == [2, 4]
    assert ret.tables["Episodes"].select("CHILD", "RNE", "URN").rows() == [
        ("123", "S", None),
        ("124", "S", "Café"),
    ]
    assert str(ret.tables["Episodes"]["DECOM"][1]) == "2022-10-01"


def test_a_workbook_without_annex_a_lists_is_explained_not_read(tmp_path: Path) -> None:
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04")
    assert codes(read_returns([tmp_path / "broken.xlsx"])) == [("file-unreadable", "error")]
    book = xlsxwriter.Workbook(tmp_path / "notes.xlsx")
    book.add_worksheet("Notes").write_row(0, 0, ["Anything", "else"])
    book.close()
    assert codes(read_returns([tmp_path / "notes.xlsx"])) == [
        ("nothing-read", "error"),
        ("file-spreadsheet", "warning"),
    ]
    minimal_return(tmp_path / "returns")
    (tmp_path / "returns" / "notes.xlsx").write_bytes((tmp_path / "notes.xlsx").read_bytes())
    assert codes(read_returns([tmp_path / "returns"])) == [("file-spreadsheet", "warning")]


def test_a_table_with_headings_but_no_rows_is_an_empty_table(tmp_path: Path) -> None:
    minimal_return(tmp_path)
    write_table(tmp_path / "missing.csv", "CHILD | DOB | MISSING | MIS_START | MIS_END")
    result = read_returns([tmp_path])
    assert codes(result) == []
    assert result.rows == {"Header": 2, "Episodes": 3, "Missing": 0}
