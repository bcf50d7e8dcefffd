"""Bytes in, raw text table out: encodings, delimiters, banners, totals, XLSX quirks and refusals."""

from __future__ import annotations

import codecs
import io
import struct
import zipfile

import openpyxl
import pytest

from core.model import InputError, Reason, Skip
from core.readers import RawTable, read_table

USERS = "Username,Email,Role\r\n"


def reason_of(content: bytes, **kw: object) -> tuple[Reason, str]:
    with pytest.raises(InputError) as info:
        read_table("upload.csv", content, **kw)  # type: ignore[arg-type]
    (problem,) = info.value.problems
    assert problem.file == "upload.csv" and problem.row == 0
    return problem.reason, problem.detail


def rows(table: RawTable) -> list[list[str]]:
    return table.data.values.tolist()


def xlsx(build) -> bytes:  # type: ignore[no-untyped-def]
    wb = openpyxl.Workbook()
    build(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- CSV encodings and delimiters ---------------------------------------------------------------


def test_a_utf8_file_with_a_bom_reads_without_the_bom_in_the_first_header() -> None:
    table = read_table("u.csv", codecs.BOM_UTF8 + "Username,Email,Role\nzoë,z@x.com,Admin\n".encode())
    assert table.headers == ["Username", "Email", "Role"]
    assert rows(table) == [["zoë", "z@x.com", "Admin"]]
    assert table.encoding == "utf-8-sig"


def test_a_utf16_le_file_with_a_bom_is_decoded() -> None:
    content = codecs.BOM_UTF16_LE + (USERS + "jürgen,j@x.com,Admin\r\n").encode("utf-16-le")
    table = read_table("u.csv", content)
    assert table.headers == ["Username", "Email", "Role"]
    assert rows(table) == [["jürgen", "j@x.com", "Admin"]]


def test_a_utf16_file_without_a_bom_is_recognised_by_its_nul_bytes() -> None:
    le = read_table("u.csv", (USERS + "ann,a@x.com,Admin\r\n").encode("utf-16-le"))
    be = read_table("u.csv", (USERS + "ann,a@x.com,Admin\r\n").encode("utf-16-be"))
    assert rows(le) == rows(be) == [["ann", "a@x.com", "Admin"]]
    assert (le.encoding, be.encoding) == ("utf-16-le", "utf-16-be")


def test_a_windows_1252_file_keeps_its_accented_letters() -> None:
    table = read_table("u.csv", (USERS + "rené,r@x.com,Admin\nmüller,m@x.com,User\n").encode("cp1252"))
    assert [r[0] for r in rows(table)] == ["rené", "müller"]
    assert table.encoding == "cp1252"


def test_a_byte_undefined_in_windows_1252_falls_back_to_latin1() -> None:
    table = read_table("u.csv", USERS.encode() + b"a\x81b,a@x.com,Admin\n")
    assert rows(table) == [["a\x81b", "a@x.com", "Admin"]]
    assert table.encoding == "latin-1"


def test_a_semicolon_file_is_split_on_semicolons() -> None:
    content = b"License;Purchased;In Use\nDNA Advantage;1,000;950\n"
    table = read_table("l.csv", content)
    assert table.delimiter == ";"
    assert table.headers == ["License", "Purchased", "In Use"]
    assert rows(table) == [["DNA Advantage", "1,000", "950"]]


def test_a_tab_file_is_split_on_tabs() -> None:
    table = read_table("l.txt", b"License\tPurchased\tIn Use\nDNA, Advantage\t10\t5\n")
    assert table.delimiter == "\t"
    assert rows(table) == [["DNA, Advantage", "10", "5"]]


def test_quoted_cells_keep_their_commas_quotes_and_line_breaks() -> None:
    content = (
        b'Name,Licenses,Status\n"sw1, core","DNA Advantage (1); ""Network"" Advantage",OK\n"sw2","a\nb",OK\nsw3,,OK\n'
    )
    table = read_table("i.csv", content)
    assert rows(table) == [
        ["sw1, core", 'DNA Advantage (1); "Network" Advantage', "OK"],
        ["sw2", "a\nb", "OK"],
        ["sw3", "", "OK"],
    ]
    assert table.source_row.tolist() == [2, 3, 4]  # records, as a spreadsheet numbers them


def test_cells_stay_text_exactly_as_written() -> None:
    table = read_table("u.csv", USERS.encode() + b"00123,NA,  None  \n")
    assert rows(table) == [["00123", "NA", "  None  "]]
    assert all(isinstance(v, str) for v in table.data.iloc[0])


# --- row accounting -------------------------------------------------------------------------------


def test_banner_rows_blank_rows_and_a_total_row_are_skipped_and_counted() -> None:
    content = (
        b"Smart Account: Example Corp\n"  # 1
        b"Virtual Account: Campus\n"  # 2
        b"Name,Product Type,Last Contact\n"  # 3 header
        b"sw1,Catalyst 9300,2026-01-01\n"  # 4
        b"\n"  # 5
        b"sw2,ISR 4331,2026-02-01\n"  # 6
        b" , ,\n"  # 7
        b"TOTAL:,2,\n"  # 8
    )
    table = read_table("i.csv", content)
    assert table.headers == ["Name", "Product Type", "Last Contact"]
    assert table.header_row == 3
    assert rows(table) == [["sw1", "Catalyst 9300", "2026-01-01"], ["sw2", "ISR 4331", "2026-02-01"]]
    assert table.source_row.tolist() == [4, 6]
    assert table.skipped == {Skip.BANNER: 2, Skip.BLANK: 2, Skip.TOTAL: 1}
    assert table.rows_read == 7
    assert table.balanced


@pytest.mark.parametrize("cell", ["Total", "TOTAL:", "Grand Total", "Subtotal", "total 12 licences", " Totals "])
def test_a_row_starting_with_total_is_a_total_row(cell: str) -> None:
    table = read_table("l.csv", f"License,Purchased,In Use\nDNA,10,5\n{cell},10,5\n".encode())
    assert table.skipped[Skip.TOTAL] == 1
    assert len(table.data) == 1


def test_a_hostname_that_merely_starts_with_total_is_data() -> None:
    table = read_table("i.csv", b"Name,Product Type\ntotal-sw-01,C9300\ntotalizer,C9300\n")
    assert table.skipped[Skip.TOTAL] == 0
    assert len(table.data) == 2


def test_a_total_in_a_later_cell_after_an_empty_first_cell_is_still_a_total_row() -> None:
    table = read_table("l.csv", b"License,Purchased,In Use\nDNA,10,5\n,Total,5\n")
    assert table.skipped[Skip.TOTAL] == 1


def test_a_header_only_file_reads_as_zero_rows() -> None:
    table = read_table("u.csv", USERS.encode())
    assert table.rows_read == 0
    assert table.data.shape == (0, 3)
    assert table.source_row.tolist() == []
    assert table.balanced


def test_short_rows_are_padded_and_extra_cells_are_warned_about() -> None:
    content = USERS.encode() + b"ann,a@x.com\nbob,b@x.com,Admin,surprise,more\ncat,c@x.com,User\n"
    table = read_table("u.csv", content)
    assert rows(table) == [["ann", "a@x.com", ""], ["bob", "b@x.com", "Admin"], ["cat", "c@x.com", "User"]]
    assert table.source_row.tolist() == [2, 3, 4]
    assert len(table.warnings) == 1 and "row 3" in table.warnings[0]


def test_a_wider_first_data_row_is_not_turned_into_an_index() -> None:
    table = read_table("u.csv", USERS.encode() + b"ann,a@x.com,Admin,x\nbob,b@x.com,User\n")
    assert rows(table) == [["ann", "a@x.com", "Admin"], ["bob", "b@x.com", "User"]]
    assert "row 2" in table.warnings[0]


def test_trailing_delimiters_on_every_row_add_no_columns_and_no_warning() -> None:
    table = read_table("u.csv", b"Username,Email,Role,\nann,a@x.com,Admin,\nbob,b@x.com,User,,\n")
    assert table.headers == ["Username", "Email", "Role"]
    assert rows(table) == [["ann", "a@x.com", "Admin"], ["bob", "b@x.com", "User"]]
    assert table.warnings == []


def test_old_mac_line_endings_are_rows() -> None:
    table = read_table("u.csv", b"Username,Email,Role\rann,a@x.com,Admin\rbob,b@x.com,User\r")
    assert len(table.data) == 2


# --- refusals -------------------------------------------------------------------------------------


def test_an_empty_file_is_refused() -> None:
    assert reason_of(b"")[0] is Reason.NOT_READABLE


def test_a_file_of_blank_lines_is_refused() -> None:
    assert reason_of(b"\r\n  \n\n")[0] is Reason.NOT_READABLE


def test_random_bytes_are_not_a_csv_or_xlsx_file() -> None:
    reason, detail = reason_of(bytes((i * 37 + 11) % 256 for i in range(4096)))
    assert reason is Reason.NOT_READABLE
    assert "not a valid CSV or XLSX file" in detail


def test_a_pdf_renamed_to_csv_is_refused() -> None:
    reason, detail = reason_of(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >>\nendobj\n")
    assert reason is Reason.NOT_READABLE
    assert "not a valid CSV or XLSX file" in detail


def test_an_exe_renamed_to_csv_is_refused() -> None:
    content = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" * 64
    assert reason_of(content)[0] is Reason.NOT_READABLE


def test_an_old_binary_xls_is_refused_with_advice_to_save_as_xlsx() -> None:
    reason, detail = reason_of(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    assert reason is Reason.NOT_READABLE
    assert ".xlsx or CSV" in detail


def test_a_file_over_the_size_limit_is_refused() -> None:
    assert reason_of(USERS.encode() * 100, max_bytes=1000)[0] is Reason.TOO_LARGE


def test_a_table_without_a_recognisable_header_is_refused_saying_what_was_expected() -> None:
    reason, detail = reason_of(b"foo,bar,baz\n1,2,3\n")
    assert reason is Reason.NO_HEADER
    assert "Serial Number" in detail and "License" in detail


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("notes.txt", "hello")
    assert reason_of(buf.getvalue())[0] is Reason.NOT_READABLE


def test_a_truncated_workbook_is_refused() -> None:
    content = xlsx(lambda wb: wb.active.append(["Username", "Email", "Role"]))
    reason, detail = reason_of(content[: len(content) // 2])
    assert reason is Reason.NOT_READABLE
    assert "not a valid CSV or XLSX file" in detail


def test_a_zip_declaring_a_huge_uncompressed_size_is_refused_before_inflating() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    content = bytearray(buf.getvalue())
    central = content.rfind(b"PK\x01\x02")  # the last central directory entry: sheet1.xml
    content[central + 24 : central + 28] = struct.pack("<I", 0x7FFF_FFFF)  # declared uncompressed size
    assert reason_of(bytes(content))[0] is Reason.TOO_LARGE


def test_a_highly_compressed_zip_is_refused_as_a_bomb() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\x00" * (20 * 1024 * 1024))
    reason, detail = reason_of(buf.getvalue())
    assert reason is Reason.TOO_LARGE
    assert "zip bomb" in detail


def test_only_the_head_of_a_large_utf8_file_is_decoded_and_it_is_the_files_own_head() -> None:
    from core.decode import SAMPLE_CHARS, decode

    body = "".join(f"sw{i},\U0001f600é{i}\n" for i in range(120_000))  # 4-byte characters across the cut
    for bom, encoding in ((b"", "utf-8"), (codecs.BOM_UTF8, "utf-8-sig")):
        content = bom + ("Name,Serial Number\n" + body).encode()
        text, used = decode("big.csv", content)
        assert used == encoding and text == content.decode(encoding)[: SAMPLE_CHARS + 1]
        table = read_table("big.csv", content)
        assert len(table.data) == 120_000 and rows(table)[-1] == ["sw119999", "\U0001f600é119999"]


def test_nul_characters_in_a_utf8_file_are_removed_with_a_warning() -> None:
    table = read_table("u.csv", "Username,Email,Role\nzo\x00ë,z@x.com,Admin\n".encode())
    assert rows(table) == [["zoë", "z@x.com", "Admin"]]
    assert table.encoding == "utf-8" and table.warnings == ["1 NUL characters removed"]
