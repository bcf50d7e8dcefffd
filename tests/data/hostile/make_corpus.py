"""Hostile input corpus (issue 7): builders for broken, malicious and oversized uploads.

Small hostile files are built in memory by the functions below (the tests call them directly); the big ones
(a 60 MB CSV, a 500k-row XLSX) are written to `generated/` (gitignored) by `generate()`, which the tests call
lazily through a session fixture. Everything is deterministic (fixed seeds) and uses the standard library
only, so it also runs as a script:

    .venv/bin/python tests/data/hostile/make_corpus.py            # everything into generated/
    .venv/bin/python tests/data/hostile/make_corpus.py --small    # only the small files (inspection)

XLSX files are written as raw XML in a zip by rawxlsx.py, streamed row by row.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import struct
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

try:
    from tests.data.hostile.rawxlsx import MAIN_NS, Row, package_parts, write_xlsx, xlsx
except ImportError:  # run as a script: this folder is on sys.path
    from rawxlsx import MAIN_NS, Row, package_parts, write_xlsx, xlsx  # type: ignore[no-redef]

__all__ = ["MAIN_NS", "write_xlsx", "xlsx"]  # the writer, for the tests that build their own workbooks

HERE = Path(__file__).resolve().parent
GENERATED = HERE / "generated"
BIG_CSV_BYTES = 60 * 1024 * 1024
BIG_XLSX_ROWS = 500_000

INSTANCE_HEADER = ("Name", "Serial Number", "PID", "Product Type", "Last Contact", "Status", "Licenses")
_PIDS = ("C9300-48P", "C9300-24T", "C9200L-48P-4G", "C9500-40X", "ISR4431/K9", "C9120AXI-B", "N9K-C93180YC-FX")
_LICENSES = ("DNA Advantage (1); Network Advantage (1)", "DNA Essentials (1)", "Network Essentials (1)", "")
_STATUSES = ("Registered", "Registered", "Registered", "Out of Compliance", "Specific License Reservation")


# --- realistic rows -----------------------------------------------------------------------------------------


def instance_rows(n: int, seed: int = 7) -> Iterator[list[str]]:
    """`n` CSSM Product Instances rows, all text, about 115 bytes each as CSV."""
    rng = random.Random(seed)
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
    for i in range(n):
        serial = "FOC" + "".join(rng.choice(letters) for _ in range(8))
        day = rng.randrange(1, 29)
        month = rng.randrange(1, 13)
        yield [
            f"sw-{i:07d}.corp.example.com",
            serial,
            rng.choice(_PIDS),
            "Catalyst 9300" if rng.random() < 0.6 else "ISR 4400",
            f"2026-{month:02d}-{day:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z",
            rng.choice(_STATUSES),
            rng.choice(_LICENSES),
        ]


def _csv_line(cells: Iterable[str]) -> str:
    out = []
    for c in cells:
        out.append('"' + c.replace('"', '""') + '"' if any(ch in c for ch in ',"\r\n') else c)
    return ",".join(out) + "\r\n"


def big_csv(path: Path, size: int = BIG_CSV_BYTES) -> Path:
    """A CSSM instances CSV of at least `size` bytes (about 520k rows for 60 MB)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp(path)
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        written = fh.write(_csv_line(INSTANCE_HEADER))
        rows = instance_rows(10**9)
        while written < size:
            written += fh.write("".join(_csv_line(next(rows)) for _ in range(10_000)))
    tmp.replace(path)
    return path


def _tmp(path: Path) -> Path:
    """A private temporary name beside `path`: parallel test workers never write the same file."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def licence_list_csv(path: Path, rows: int = 5_000, items: int = 500) -> Path:
    """Instances whose Licenses cell lists `items` licences each (about 25 MB, 2.5M usage rows): a parser that
    copies each row's whole cell into every usage row it yields needs ~10 GB for it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cell = "; ".join(f"Licence {i:03d} (1)" for i in range(items))
    tmp = _tmp(path)
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        fh.write(_csv_line(["Name", "Serial Number", "Product Type", "Licenses"]))
        for i in range(rows):
            fh.write(_csv_line([f"vm-{i:05d}", f"VM{i:08d}", "Virtual", cell]))
    tmp.replace(path)
    return path


def big_xlsx(path: Path, rows: int = BIG_XLSX_ROWS) -> Path:
    """A CSSM instances workbook with `rows` data rows under the header (about 25 MB zipped)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp(path)
    write_xlsx(tmp, {"Product Instances": _with_header(INSTANCE_HEADER, instance_rows(rows))})  # type: ignore[arg-type]
    tmp.replace(path)
    return path


def _with_header(header: Row, rows: Iterable[Row]) -> Iterator[Row]:
    yield header
    yield from rows


# --- not a table at all -------------------------------------------------------------------------------------


def random_bytes(n: int = 64 * 1024, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(n)


def executable() -> bytes:
    """The first bytes of a Windows PE executable: MZ header, DOS stub, PE signature, padding."""
    stub = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8" + b"\x00" * 43 + struct.pack("<I", 0x80)
    dos = b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21This program cannot be run in DOS mode.\r\r\n$"
    body = (stub + dos).ljust(0x80, b"\x00") + b"PE\x00\x00\x64\x86\x06\x00" + random_bytes(8 * 1024, seed=2)
    return body


def pdf() -> bytes:
    return (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def small_instances_xlsx() -> bytes:
    return xlsx([INSTANCE_HEADER, *instance_rows(50)])


def truncated_xlsx() -> bytes:
    content = small_instances_xlsx()
    return content[: len(content) * 2 // 3]


def xlsx_without_sheets() -> bytes:
    """A zip with a content-types part and nothing else a workbook needs."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
    return buf.getvalue()


# --- XML entities -------------------------------------------------------------------------------------------

_LAUGHS = "".join(
    ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]  # lol9 = 10^9 "lol"
)
_SST = f'<sst xmlns="{MAIN_NS}" count="3" uniqueCount="3">'
_USERS_SHEET = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'


def shared_strings_xlsx(sst: str) -> bytes:
    """A workbook whose header row is shared strings 0-2 of the raw `sst` part, and one row using string 0."""
    buf = io.BytesIO()
    write_xlsx(buf, {"Sheet1": []}, shared_strings=sst)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    header = "".join(f'<c r="{c}1" t="s"><v>{i}</v></c>' for i, c in enumerate("ABC"))
    sheet = (
        f'{_USERS_SHEET}<row r="1">{header}</row><row r="2"><c r="A2" t="s"><v>0</v></c></row></sheetData></worksheet>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, sheet if info.filename.endswith("sheet1.xml") else src.read(info.filename))
    return out.getvalue()


def billion_laughs_xlsx() -> bytes:
    """sharedStrings.xml whose first string expands to 3 GB of "lol" through nested entities."""
    sst = f'<?xml version="1.0"?><!DOCTYPE sst [{_LAUGHS}]>{_SST}<si><t>&lol9;</t></si><si><t>Email</t></si><si><t>Role</t></si></sst>'
    return shared_strings_xlsx(sst)


def external_entity_xlsx() -> bytes:
    """sharedStrings.xml pulling /etc/passwd into a cell (XXE)."""
    sst = (
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f"{_SST}<si><t>Username</t></si><si><t>Email &xxe;</t></si><si><t>Role</t></si></sst>"
    )
    return shared_strings_xlsx(sst)


def sheet_entity_bomb_xlsx() -> bytes:
    """The worksheet itself declares the nested entities (read by openpyxl's streaming reader)."""
    rows = [["Username", "Email", "Role"], ["ann", "ann@example.com", "Admin"]]
    return xlsx(rows, prolog=f"<!DOCTYPE worksheet [{_LAUGHS}]>")


# --- zip bombs ----------------------------------------------------------------------------------------------


def _patch_central_sizes(content: bytes, suffix: bytes, size: int) -> bytes:
    """Rewrite the declared uncompressed size of central-directory entries whose name ends with `suffix`."""
    data = bytearray(content)
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        name_len, extra_len, comment_len = struct.unpack("<HHH", data[pos + 28 : pos + 34])
        if bytes(data[pos + 46 : pos + 46 + name_len]).endswith(suffix):
            data[pos + 24 : pos + 28] = struct.pack("<I", size)
        pos = data.find(b"PK\x01\x02", pos + 46 + name_len + extra_len + comment_len)
    return bytes(data)


def declared_size_bomb_xlsx() -> bytes:
    """A small workbook whose sheet declares 4 GB uncompressed: refused by the declared size alone."""
    return _patch_central_sizes(small_instances_xlsx(), b"sheet1.xml", 0xFFFF_FFF0)


def ratio_bomb_xlsx(inflated: int = 64 * 1024 * 1024) -> bytes:
    """A well-formed sheet padded with `inflated` bytes of whitespace: about 1000:1, a classic zip bomb."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, text in package_parts(["Sheet1"], ["visible"], False).items():
            zf.writestr(name, text)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}"><sheetData>'.encode())
            block = b" " * (1 << 20)
            for _ in range(inflated >> 20):
                fh.write(block)
            fh.write(b"</sheetData></worksheet>")
    return buf.getvalue()


def lying_size_xlsx(inflated: int = 64 * 1024 * 1024) -> bytes:
    """A ratio bomb whose central directory claims the sheet is 1 kB: zipfile stops at the claimed size."""
    return _patch_central_sizes(ratio_bomb_xlsx(inflated), b"sheet1.xml", 1024)


def many_entries_xlsx(entries: int = 10_050) -> bytes:
    """A valid small workbook plus thousands of tiny parts (each costs parsing and memory)."""
    buf = io.BytesIO()
    write_xlsx(buf, {"Sheet1": [["Username", "Email", "Role"]]})
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_STORED) as zf:
        for i in range(entries):
            zf.writestr(f"customXml/item{i}.xml", "<a/>")
    return buf.getvalue()


# --- the corpus on disk -------------------------------------------------------------------------------------

SMALL = {
    "random.csv": random_bytes,
    "random.xlsx": lambda: b"PK\x03\x04" + random_bytes(),
    "program.exe.csv": executable,
    "program.exe.xlsx": executable,
    "report.pdf.csv": pdf,
    "report.pdf.xlsx": pdf,
    "empty.csv": lambda: b"",
    "truncated.xlsx": truncated_xlsx,
    "no_sheets.xlsx": xlsx_without_sheets,
    "billion_laughs.xlsx": billion_laughs_xlsx,
    "external_entity.xlsx": external_entity_xlsx,
    "sheet_entity_bomb.xlsx": sheet_entity_bomb_xlsx,
    "declared_size_bomb.xlsx": declared_size_bomb_xlsx,
    "ratio_bomb.xlsx": ratio_bomb_xlsx,
    "lying_size.xlsx": lying_size_xlsx,
    "many_entries.xlsx": many_entries_xlsx,
}
BIG = {"big_instances.csv": big_csv, "big_instances.xlsx": big_xlsx, "licence_lists.csv": licence_list_csv}


def generate(out: Path = GENERATED, *, small: bool = True, big: bool = True) -> dict[str, Path]:
    """Write the corpus into `out`. Files already there are kept (generation is deterministic): delete
    generated/ after changing a builder."""
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    if small:
        for name, build in SMALL.items():
            path = out / name
            if not path.exists():
                path.write_bytes(build())
            paths[name] = path
    if big:
        for name, write in BIG.items():
            path = out / name
            if not path.exists():
                write(path)
            paths[name] = path
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=GENERATED)
    parser.add_argument("--small", action="store_true", help="only the small files")
    args = parser.parse_args()
    for name, path in generate(args.out, big=not args.small).items():
        print(f"{path.stat().st_size:>12,}  {name}")


if __name__ == "__main__":
    main()
