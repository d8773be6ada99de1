"""Large replaced members are deflated in chunks on every core (issue 7): the stream must stay one
valid deflate stream that zip readers, openpyxl, calamine and LibreOffice accept."""

from __future__ import annotations

import random
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from xladdin.engines.libreoffice import recalc
from xladdin.engines.patch import PatchEngine
from xladdin.engines.xlsx.package import _LEVEL_LARGE, _PARALLEL_MIN, deflate


def _xmlish(size: int, seed: int) -> bytes:
    rng = random.Random(seed)
    out = bytearray()
    r = 1
    while len(out) < size:
        out += b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d" t="inlineStr"><is><t>%s</t></is></c></row>' % (
            r, r, rng.randrange(10**9), r, "项目".encode() * rng.randrange(1, 9))
        r += 1
    return bytes(out[:size])


@pytest.mark.parametrize("size", [0, 1, 1000, _PARALLEL_MIN - 1, _PARALLEL_MIN, _PARALLEL_MIN + 1, 3 * _PARALLEL_MIN + 7])
def test_deflate_round_trips_at_every_size(size: int) -> None:
    data = _xmlish(size, size)
    raw = deflate(data)
    assert zlib.decompress(raw, -15) == data
    if size >= _PARALLEL_MIN:  # chunked (_LEVEL_LARGE), yet within 1 % of one whole stream's size at that level
        whole = zlib.compressobj(_LEVEL_LARGE, zlib.DEFLATED, -15)
        assert len(raw) <= 1.01 * len(whole.compress(data) + whole.flush())


@pytest.fixture(scope="module")
def big_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sheet whose XML is well over the chunking threshold."""
    path = tmp_path_factory.mktemp("big") / "big.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "台账"
    for i in range(1, 30_001):
        ws.append([f"项目{i}", i, i * 0.5, "在建"])
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size > _PARALLEL_MIN + (1 << 20)  # several chunks
    return path


@pytest.mark.libreoffice
@pytest.mark.slow
def test_patched_big_sheet_is_a_valid_zip_read_alike_by_every_reader(big_book: Path, tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    path.write_bytes(big_book.read_bytes())
    engine = PatchEngine(path)
    try:
        engine.write_cells("台账", {"B2": 99, "D30000": "竣工"})
        engine.save()
    finally:
        engine.close()
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None  # every member's CRC checks
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("台账").to_python()
    assert rows[1][:2] == ["项目2", 99] and rows[29999][3] == "竣工" and rows[20000] == ["项目20001", 20001, 10000.5, "在建"]
    ws = openpyxl.load_workbook(path, read_only=True)["台账"]
    assert [c.value for c in next(ws.iter_rows(min_row=30000, max_row=30000))] == ["项目30000", 30000, 15000, "竣工"]
    # LibreOffice opens it and saves what it read (read back with calamine: openpyxl took seconds more)
    again = CalamineWorkbook.from_path(str(recalc(path, tmp_path / "lo"))).get_sheet_by_name("台账").to_python()
    assert again[1] == ["项目2", 99, 1, "在建"] and again[29999][3] == "竣工" and len(again) == 30000


def test_a_member_deflated_early_is_written_only_for_the_bytes_it_was_deflated_from(big_book: Path,
                                                                                  tmp_path: Path) -> None:
    """``prepare`` starts deflating a large sheet part as soon as no later step changes it
    (``pack_early``); ``write_package`` takes that stream only for those very bytes. A part
    replaced again afterwards is deflated from its final bytes, never written stale."""
    from xladdin.engines.xlsx.package import pack_early, write_package

    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(big_book) as zf:
        first = zf.read(part).replace(b"<v>2</v>", b"<v>3</v>", 1)
    second = first.replace("项目1<".encode(), "改过<".encode(), 1)
    assert first != second
    early = pack_early(first)
    assert early is not None and pack_early(first[: _PARALLEL_MIN - 1]) is None  # small parts: no thread
    out_first, out_second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    write_package(big_book, out_first, {part: first}, {}, {part: early})
    write_package(big_book, out_second, {part: second}, {}, {part: early})  # the early stream is of ``first``
    for out, data in ((out_first, first), (out_second, second)):
        with zipfile.ZipFile(out) as zf:
            assert zf.testzip() is None
            assert zf.read(part) == data
    raw, crc = early.result()
    assert zlib.decompress(raw, -15) == first and crc == zlib.crc32(first)
