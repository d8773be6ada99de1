"""The early read of a master's ledger (``engines/xlsx/early_read.py``): the same sheet the patch
engine reads, handed over only for the very bytes the job works on, never for a hostile file."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from tests.hostile_files import entity_attack, plain, zip_bomb
from xladdin.core.periods import Period
from xladdin.engines.patch import PatchEngine
from xladdin.engines.xlsx.early_read import MIN_SIZE, EarlyRead, start_early_read
from xladdin.jobs.in_place import consolidate_in_place

LEDGER = "项目台账"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_it_reads_what_the_patch_engine_reads(demo_master: tuple[Path, Path]) -> None:
    master, _ = demo_master
    early = EarlyRead(master, LEDGER)
    engine = PatchEngine(master)
    try:
        part = engine._parts[LEDGER]
        loaded = early.take(_sha(master), LEDGER, part)
        assert loaded is not None
        sheet, xml = loaded.result()
        own = engine.read(LEDGER)
        assert (sheet.name, sheet.rows, sheet.merges) == (own.name, own.rows, own.merges)
        assert any(isinstance(v, str) and "SUM(" in v for row in sheet.rows for v in row)  # formulas as their text
        with zipfile_of(master) as zf:
            assert xml == zf.read(part)
        # other bytes (a colleague saved meanwhile), another sheet or another part: not handed over
        assert early.take("0" * 64, LEDGER, part) is None
        assert early.take(_sha(master), "单位统计", part) is None
        assert early.take(_sha(master), LEDGER, "xl/worksheets/sheet99.xml") is None
    finally:
        engine.close()


def zipfile_of(path: Path):  # type: ignore[no-untyped-def]
    import zipfile

    return zipfile.ZipFile(path)


def test_the_engine_adopts_it_only_for_its_own_bytes(demo_master: tuple[Path, Path], tmp_path: Path) -> None:
    master, _ = demo_master
    copy = Path(shutil.copy(master, tmp_path / "副本.xlsx"))
    early = EarlyRead(copy, LEDGER)
    adopted = PatchEngine(copy)
    refused = PatchEngine(copy)
    try:
        adopted.adopt(early, _sha(copy))
        refused.adopt(early, "0" * 64)
        handed = early.take(_sha(copy), LEDGER, adopted._parts[LEDGER])
        assert handed is not None
        assert adopted.read(LEDGER) is handed.result()[0]  # the early read itself, not a second parse
        assert refused.read(LEDGER) is not handed.result()[0]
        assert refused.read(LEDGER).rows == adopted.read(LEDGER).rows
    finally:
        adopted.close()
        refused.close()


@pytest.mark.parametrize("make", [entity_attack, zip_bomb], ids=["billion-laughs", "zip-bomb"])
def test_a_hostile_file_is_never_parsed_early(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    path = make(plain(tmp_path / "恶意.xlsx"))
    early = EarlyRead(path, LEDGER)
    assert early.take(_sha(path), LEDGER, "xl/worksheets/sheet1.xml") is None
    with pytest.raises(Exception) as raised:
        early._loaded.result()
    assert type(raised.value).__name__ in ("HostileWorkbook", "WorkbookUnreadable")


def test_small_or_missing_masters_are_read_as_always(demo_master: tuple[Path, Path], tmp_path: Path) -> None:
    master, _ = demo_master
    assert master.stat().st_size < MIN_SIZE
    assert start_early_read(master, LEDGER) is None
    assert start_early_read(tmp_path / "没有.xlsx", LEDGER) is None


def test_a_consolidation_with_it_writes_what_one_without_writes(demo_copy) -> None:  # type: ignore[no-untyped-def]
    with_early, without = demo_copy("early"), demo_copy("plain")
    masters = [next(f.glob("*.xlsx")) for f in (with_early, without)]
    forms = [next(f.glob("*月报表*")) for f in (with_early, without)]
    a = consolidate_in_place(masters[0], Period.of(6), forms[0], early=EarlyRead(masters[0], LEDGER))
    b = consolidate_in_place(masters[1], Period.of(6), forms[1])
    assert a.summary_text() == b.summary_text()
    from python_calamine import CalamineWorkbook

    x, y = (CalamineWorkbook.from_path(str(m)) for m in masters)
    assert x.sheet_names == y.sheet_names
    for name in x.sheet_names:
        assert x.get_sheet_by_name(name).to_python() == y.get_sheet_by_name(name).to_python(), name


def test_a_large_part_read_beside_the_parse_gives_the_same_sheet(demo_master: tuple[Path, Path],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts over ``SCAN_APART`` (4 MB: a province ledger) are inflated and scanned on threads beside
    calamine's parse; the demo's part, read both ways, gives the same cells and XML."""
    from xladdin.engines.xlsx import sheet_load

    master, _ = demo_master
    engine = PatchEngine(master)
    try:
        part = engine._parts[LEDGER]
        size = engine._sizes[part]
    finally:
        engine.close()
    for cached in (False, True):
        alone = sheet_load.load_sheet(master, part, LEDGER, "台账", size=size, worksheet=True, cached_values=cached)
        monkeypatch.setattr(sheet_load, "SCAN_APART", 0)  # the threshold is a tuning choice: cross it
        beside = sheet_load.load_sheet(master.read_bytes(), part, LEDGER, "台账", size=size, worksheet=True,
                                       cached_values=cached)
        monkeypatch.undo()
        assert (beside[0].rows, beside[0].merges, beside[1]) == (alone[0].rows, alone[0].merges, alone[1])


def test_a_large_parts_scan_waits_for_the_jobs_imports(demo_master: tuple[Path, Path]) -> None:
    """The early read parses while the job imports; the part's formula scan (Python) waits for the
    ``gate`` (``EarlyRead.release``, once the job's modules are imported) so the two do not slow
    each other, and reads the same once let go. ``size`` past ``SCAN_APART`` takes the threaded
    path a province ledger takes."""
    import threading
    import zipfile
    from concurrent.futures import wait

    from xladdin.engines.xlsx.calamine_read import in_background, sheet_part
    from xladdin.engines.xlsx.sheet_load import SCAN_APART, load_sheet

    master, _ = demo_master
    with zipfile.ZipFile(master) as zf:
        part = sheet_part(zf, LEDGER)
    assert part is not None
    gate = threading.Event()
    gated = in_background(lambda: load_sheet(master, part, LEDGER, master.name, size=SCAN_APART + 1,
                                             worksheet=True, cached_values=False, gate=gate))
    done, _ = wait([gated], timeout=0.5)
    assert not done  # parsed, but the scan has not started
    gate.set()
    sheet, xml = gated.result(timeout=120)
    own, own_xml = load_sheet(master, part, LEDGER, master.name, size=SCAN_APART + 1, worksheet=True,
                              cached_values=False)
    assert (sheet.rows, sheet.merges, xml) == (own.rows, own.merges, own_xml)
    assert any(isinstance(v, str) and v.startswith("=") and "SUM(" in v for row in sheet.rows for v in row)


def test_taking_the_read_lets_its_scan_go(demo_master: tuple[Path, Path]) -> None:
    """A caller that never said its imports were done still gets the read: taking it releases the gate."""
    master, _ = demo_master
    early = EarlyRead(master, LEDGER)
    engine = PatchEngine(master)
    try:
        loaded = early.take(_sha(master), LEDGER, engine._parts[LEDGER])
        assert loaded is not None and early._imported.is_set()
        assert loaded.result(timeout=120)[0].rows == engine.read(LEDGER).rows
    finally:
        engine.close()
