"""Fidelity of the in-place jobs on workbooks written by real programs (issue 15).

Run: ``.venv/bin/python benchmarks/fidelity.py DIR [--out results.md] [--keep WORKDIR]``.
For every .xlsx/.xlsm in DIR (the originals are never written), on a copy:

1. a ledger sheet 项目台账 (with known mistakes) is added through the patch engine;
2. ``xladdin validate --mark`` runs on it, twice (the second run must leave the file byte-identical);
3. ``xladdin consolidate --month 6`` (refresh, no forms) runs on the marked file;

and after each step every zip member the step had no reason to change must be byte-identical:
same compression method, same CRC, same raw compressed bytes (not only the same unzipped text).
The marked and the consolidated files must open in LibreOffice (headless conversion succeeds and
the result holds the ledger and 校验结果), and openpyxl and python-calamine must read the marks back
(fills and notes on the offending cells, the findings sheet). Prints a Markdown table; exit code 1
when any file fails. Imports the package, openpyxl, python-calamine and the standard library.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from xladdin.cli import main as cli_main
from xladdin.core.regions import SHEETS
from xladdin.engines.patch import PatchEngine
from xladdin.engines.xlsx.package import rels_part, rels_targets, sheet_entries

LEDGER = SHEETS["ledger"]
# a small ledger with known mistakes: a negative amount (F4), an unknown unit (D5), a missing name (B6)
LEDGER_ROWS: list[list[object]] = [
    ["序号", "项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资"],
    [1, "城区污水管网改造", "F-1", "北下街街道", "区重点", 1200.5, 300],
    [2, "新能源产业园", "F-2", "经济开发区", "市重点", -35000, 5000],
    [3, "智慧物流中心", "F-3", "不存在的街道", "区重点", 8000, 2000],
    [4, None, "F-4", "南关街道", "区重点", 900, 100],
]
MARKED_CELLS = {"F3", "D4", "B5"}  # row numbers shift by the header: data rows are 2..5
WORKBOOK_TRIO = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}
APP_PROPS = "docProps/app.xml"  # its sheet list (TitlesOfParts) gains each sheet a job adds
# what a consolidation writes: its output regions and its findings (校验结果)
OUTPUT_SHEETS = {SHEETS[k] for k in ("summary", "ranking", "history", "programmes", "bulletin", "findings")}


@dataclass
class Result:
    name: str
    members: int = 0
    added_ledger: str = ""
    mark: str = ""
    rerun: str = ""
    consolidate: str = ""
    libreoffice: str = ""
    openpyxl: str = ""
    calamine: str = ""
    beside_notes: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


Raw = tuple[int, int, int, bytes]  # compress_type, CRC, compress_size, raw compressed bytes


def raw_members(path: Path) -> dict[str, Raw]:
    """Every member as stored: method, CRC, size and the compressed bytes themselves."""
    out: dict[str, Raw] = {}
    with zipfile.ZipFile(path) as zf, path.open("rb") as fh:
        for info in zf.infolist():
            fh.seek(info.header_offset)
            head = fh.read(30)
            skip = int.from_bytes(head[26:28], "little") + int.from_bytes(head[28:30], "little")
            fh.seek(info.header_offset + 30 + skip)
            out[info.filename] = (info.compress_type, info.CRC, info.compress_size, fh.read(info.compress_size))
    return out


def sheet_parts(path: Path) -> dict[str, str]:
    """{sheet name: worksheet part}."""
    with zipfile.ZipFile(path) as zf:
        workbook = zf.read("xl/workbook.xml").decode("utf-8")
        targets = rels_targets(zf.read("xl/_rels/workbook.xml.rels").decode("utf-8"), "xl/workbook.xml")
    return {name: targets[rid][1] for name, rid in sheet_entries(workbook) if rid in targets}


def related(path: Path, part: str) -> set[str]:
    """``part``, its rels and the parts its rels point to (comments, VML, drawing …)."""
    out = {part, rels_part(part)}
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        if rels_part(part) in names:
            out |= {t for _, t in rels_targets(zf.read(rels_part(part)).decode("utf-8"), part).values()}
    return out


def unexpected_changes(before: Path, after: Path, allowed: set[str]) -> list[str]:
    """Members of ``before`` that ``after`` changed (raw bytes or CRC) or dropped, outside ``allowed``."""
    old, new = raw_members(before), raw_members(after)
    bad = []
    for name, raw in old.items():
        if name in allowed:
            continue
        if name not in new:
            bad.append(f"{name} dropped")
        elif new[name] != raw:
            bad.append(f"{name} changed")
    return bad


def sheet_list_problems(path: Path) -> list[str]:
    """docProps/app.xml, when it lists worksheets (TitlesOfParts under a worksheet heading), must
    list exactly the workbook's worksheets (but veryHidden ones, as Excel), in workbook order, and
    its counts must add up."""
    import re

    from xladdin.engines.xlsx.app_props import WORKSHEET_HEADINGS
    from xladdin.engines.xlsx.xml_text import unescape

    with zipfile.ZipFile(path) as zf:
        if APP_PROPS not in zf.namelist():
            return []
        app = zf.read(APP_PROPS).decode("utf-8")
        workbook = zf.read("xl/workbook.xml").decode("utf-8")
        targets = rels_targets(zf.read("xl/_rels/workbook.xml.rels").decode("utf-8"), "xl/workbook.xml")
    heads = re.search(r"<HeadingPairs>.*?</HeadingPairs>", app, re.S)
    parts = re.search(r"<TitlesOfParts>.*?</TitlesOfParts>", app, re.S)
    if heads is None or parts is None:
        return []
    labels = [unescape(t) for t in re.findall(r"<vt:lpstr>([^<]*)</vt:lpstr>", heads.group(0))]
    counts = [int(n) for n in re.findall(r"<vt:i4>(\d+)</vt:i4>", heads.group(0))]
    titles = [unescape(t) for t in re.findall(r"<vt:lpstr>([^<]*)</vt:lpstr>", parts.group(0))]
    k = next((i for i, label in enumerate(labels) if label in WORKSHEET_HEADINGS), None)
    if k is None:
        return []
    listed = titles[sum(counts[:k]): sum(counts[:k + 1])]
    very_hidden = {unescape(n) for n in re.findall(r'<(?:\w+:)?sheet\b[^>]*\bname="([^"]*)"[^>]*\bstate="veryHidden"', workbook)}
    worksheets = [name for name, rid in sheet_entries(workbook)  # Excel leaves veryHidden sheets out of the list
                  if targets.get(rid, ("",))[0] == "worksheet" and name not in very_hidden]
    size = re.search(r'size="(\d+)"', parts.group(0))
    if listed != worksheets or len(titles) != sum(counts) or size is None or int(size.group(1)) != len(titles):
        return [f"{APP_PROPS} lists {listed} (of {len(titles)} titles), the workbook's worksheets are {worksheets}"]
    return []


def _styles(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as zf:
        targets = rels_targets(zf.read("xl/_rels/workbook.xml.rels").decode("utf-8"), "xl/workbook.xml")
    return {t for typ, t in targets.values() if typ in ("styles", "calcChain")}


def _cli(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    out = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = cli_main(list(args))
    return code, err.getvalue().strip().splitlines()[-1] if err.getvalue().strip() else ""


def add_ledger(src: Path, dst: Path) -> None:
    shutil.copyfile(src, dst)
    engine = PatchEngine(dst)
    try:
        engine.ensure_sheet(LEDGER)
        engine.write_block(LEDGER, "A1", LEDGER_ROWS)
        engine.save()
    finally:
        engine.close()


def check(src: Path, work: Path) -> tuple[Result, Path | None, Path | None]:
    """Steps 1-3 on a copy of ``src`` in ``work``; returns the result and the marked and consolidated files."""
    res = Result(src.name)
    res.members = len(raw_members(src))
    base = work / f"base-{src.name}"
    try:
        add_ledger(src, base)
    except Exception as exc:
        res.added_ledger = f"FAIL {type(exc).__name__}: {exc}"
        res.problems.append("ledger not added")
        return res, None, None
    bad = unexpected_changes(src, base, WORKBOOK_TRIO | {APP_PROPS}) + sheet_list_problems(base)
    res.added_ledger = "ok" if not bad else "FAIL " + "; ".join(bad)
    res.problems += bad

    marked = work / f"marked-{src.name}"
    shutil.copyfile(base, marked)
    code, err = _cli("validate", str(marked), "--mark")
    if code not in (0, 1):
        res.mark = f"FAIL exit {code}: {err}"
        res.problems.append(res.mark)
        return res, None, None
    ledger_part = sheet_parts(base)[LEDGER]
    allowed = WORKBOOK_TRIO | {APP_PROPS} | related(marked, ledger_part) | related(base, ledger_part) | _styles(base)
    bad = unexpected_changes(base, marked, allowed) + sheet_list_problems(marked)
    changed = sorted(n for n, raw in raw_members(base).items() if raw_members(marked).get(n) != raw)
    res.mark = (f"ok ({len(changed)} changed)" if not bad else "FAIL " + "; ".join(bad))
    res.problems += bad

    again = work / f"again-{src.name}"
    shutil.copyfile(marked, again)
    code, err = _cli("validate", str(again), "--mark")
    same = again.read_bytes() == marked.read_bytes()
    res.rerun = "identical" if code in (0, 1) and same else f"FAIL exit {code} {err}".strip()
    if res.rerun != "identical":
        res.problems.append("re-run changed the file")

    consolidated = work / f"consolidated-{src.name}"
    shutil.copyfile(marked, consolidated)
    code, err = _cli("consolidate", str(consolidated), "--month", "6")
    if code not in (0, 1):
        res.consolidate = f"FAIL exit {code}: {err}"
        res.problems.append(res.consolidate)
        return res, marked, None
    parts = sheet_parts(marked)
    allowed = WORKBOOK_TRIO | {APP_PROPS} | _styles(marked) | related(marked, ledger_part)
    for sheet in OUTPUT_SHEETS & set(parts):
        allowed |= related(marked, parts[sheet])
    bad = unexpected_changes(marked, consolidated, allowed) + sheet_list_problems(consolidated)
    changed = sorted(n for n, raw in raw_members(marked).items() if raw_members(consolidated).get(n) != raw)
    res.consolidate = (f"ok ({len(changed)} changed)" if not bad else "FAIL " + "; ".join(bad))
    res.problems += bad
    return res, marked, consolidated


def notes_beside_staff_notes(res: Result, src: Path, work: Path) -> Path | None:
    """On every sheet that already has notes, add a note and a fill through the patch engine next
    to them: the staff's notes must read back unchanged (threaded comments' parts byte-identical),
    the new note must be there. Returns the written file (None when no sheet has notes)."""
    from xladdin.engines.xlsx.notes import load_notes

    def notes_of(path: Path) -> dict[str, dict[tuple[int, int], str]]:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())

            def read(name: str) -> bytes | None:
                return zf.read(name) if name in names else None

            return {sheet: load_notes(part, read).texts for sheet, part in sheet_parts(path).items()
                    if part in names and part.startswith("xl/worksheets/")}

    before = notes_of(src)
    sheets = [s for s, texts in before.items() if texts]
    if not sheets:
        res.beside_notes = "no notes"
        return None
    out = work / f"notes-{src.name}"
    shutil.copyfile(src, out)
    engine = PatchEngine(out)
    try:
        for sheet in sheets:
            engine.set_note(sheet, "AZ999", "xladdin 校验：测试批注")
            engine.set_fill(sheet, ["AZ999"], "FFC7CE")
        engine.save()
    finally:
        engine.close()
    after = notes_of(out)
    problems = []
    for sheet in sheets:
        if any(after[sheet].get(k) != v for k, v in before[sheet].items()):
            problems.append(f"{sheet}: staff notes changed")
        if after[sheet].get((999, 52)) != "xladdin 校验：测试批注":
            problems.append(f"{sheet}: new note missing")
    threaded = {n for n in raw_members(src) if "threadedComment" in n or n.startswith("xl/persons/")}
    problems += [f"{n} changed" for n in threaded if raw_members(out).get(n) != raw_members(src)[n]]
    n = sum(len(before[s]) for s in sheets)
    res.beside_notes = f"ok ({n} staff notes kept)" if not problems else "FAIL " + "; ".join(problems)
    res.problems += problems
    return out


def read_marks(res: Result, marked: Path) -> None:
    """openpyxl and calamine read the fills, notes and findings back."""
    import warnings

    import openpyxl
    from python_calamine import CalamineWorkbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(marked)
        ws = wb[LEDGER]
        filled = {ref for ref in MARKED_CELLS if str(ws[ref].fill.fgColor.rgb).endswith("FFC7CE")}
        noted = {ref for ref in MARKED_CELLS if ws[ref].comment is not None and "xladdin 校验" in ws[ref].comment.text}
        hidden = wb[SHEETS["marks"]].sheet_state == "hidden"
        wb.close()
        ok = filled == noted == MARKED_CELLS and hidden
        res.openpyxl = "ok" if ok else f"FAIL fills {sorted(filled)} notes {sorted(noted)} hidden {hidden}"
    except Exception as exc:
        res.openpyxl = f"FAIL {type(exc).__name__}: {exc}"
    if not res.openpyxl.startswith("ok"):
        res.problems.append("openpyxl: " + res.openpyxl)
    try:
        cal = CalamineWorkbook.from_path(str(marked))
        rows = cal.get_sheet_by_name(SHEETS["findings"]).to_python()
        cal.close()
        from xladdin.jobs.validate import FINDINGS_HEADER

        at = {name: i for i, name in enumerate(FINDINGS_HEADER)}  # columns by their header, not position
        cells = {str(r[at["单元格"]]) for r in rows if len(r) > at["单元格"]}
        codes = {str(r[at["代码"]]) for r in rows if len(r) > at["代码"]}
        ok = cells >= MARKED_CELLS and {"negative-amount", "unknown-unit", "missing-value"} <= codes
        res.calamine = "ok" if ok else f"FAIL cells {sorted(cells & MARKED_CELLS)}"
    except Exception as exc:
        res.calamine = f"FAIL {type(exc).__name__}: {exc}"
    if not res.calamine.startswith("ok"):
        res.problems.append("calamine: " + res.calamine)


def open_in_libreoffice(pairs: list[tuple[Result, list[Path], Path | None]], work: Path) -> None:
    """Each file converted by LibreOffice headless (one soffice run for all; file by file if that
    run fails); the result must hold the ledger and 校验结果, and our notes."""
    import warnings

    import openpyxl

    from xladdin.engines import libreoffice

    files = [p for _, paths, noted in pairs for p in [*paths, *([noted] if noted else [])]]
    made: dict[Path, Path | str] = {}
    try:
        made = dict(zip(files, libreoffice.convert(files, work / "lo", "xlsx", suffix="-lo"), strict=True))
    except Exception:
        for path in files:
            try:
                made[path] = libreoffice.convert([path], work / "lo", "xlsx", suffix="-lo")[0]
            except Exception as exc:
                made[path] = f"FAIL {type(exc).__name__}: {exc}"
    for res, paths, noted in pairs:
        verdicts = []
        if noted is not None:  # LibreOffice reads the staff's notes and ours side by side
            out = made.get(noted, "FAIL not converted")
            verdicts.append(out if isinstance(out, str) else "ok" if _lo_has_note(out) else "FAIL our note unread")
        for path in paths:
            out = made.get(path, "FAIL not converted")
            if isinstance(out, str):
                verdicts.append(out)
                continue
            with warnings.catch_warnings():  # openpyxl warns about extensions it does not read
                warnings.simplefilter("ignore")
                wb = openpyxl.load_workbook(out)
            names = set(wb.sheetnames)
            noted = {ref for ref in MARKED_CELLS if LEDGER in names and wb[LEDGER][ref].comment is not None
                     and "xladdin 校验" in wb[LEDGER][ref].comment.text}
            wb.close()
            verdicts.append("ok" if {LEDGER, SHEETS["findings"]} <= names and noted == MARKED_CELLS
                            else f"FAIL sheets {sorted(names)}, notes on {sorted(noted)}")
        res.libreoffice = "ok" if verdicts and all(v == "ok" for v in verdicts) else "; ".join(verdicts) or "FAIL"
        if res.libreoffice != "ok":
            res.problems.append("LibreOffice: " + res.libreoffice)


def _lo_has_note(path: Path) -> bool:
    import warnings

    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
    try:
        return any(ws["AZ999"].comment is not None and "测试批注" in ws["AZ999"].comment.text for ws in wb.worksheets)
    finally:
        wb.close()


def run(folder: Path, work: Path) -> list[Result]:
    """Check every workbook in ``folder`` (never written), working in ``work``."""
    work.mkdir(parents=True, exist_ok=True)
    results = []
    pairs = []
    for src in sorted(p for p in folder.iterdir() if p.suffix.lower() in (".xlsx", ".xlsm") and not p.name.startswith("~$")):
        res, marked, consolidated = check(src, work)
        try:
            noted = notes_beside_staff_notes(res, src, work)
        except Exception as exc:
            res.beside_notes, noted = f"FAIL {type(exc).__name__}: {exc}", None
            res.problems.append(res.beside_notes)
        if marked is not None:
            read_marks(res, marked)
            pairs.append((res, [p for p in (marked, consolidated) if p is not None], noted))
        results.append(res)
    open_in_libreoffice(pairs, work)
    return results


def table(results: list[Result], programs: dict[str, str] | None = None) -> str:
    programs = programs or {}
    lines = ["| file | program | members | ledger added | --mark | re-run | consolidate | notes beside staff's "
             "| LibreOffice | openpyxl | calamine |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r.name} | {programs.get(r.name, '')} | {r.members} | {r.added_ledger} | {r.mark} | {r.rerun} "
                     f"| {r.consolidate} | {r.beside_notes} | {r.libreoffice} | {r.openpyxl} | {r.calamine} |")
    passed = sum(r.ok for r in results)
    lines.append("")
    lines.append(f"{passed} of {len(results)} workbooks pass every check.")
    return "\n".join(lines)


def _programs(folder: Path) -> dict[str, str]:
    """File -> writing program, from a manifest.json beside the folder (the staged corpus has one)."""
    import json

    for candidate in (folder / "manifest.json", folder.parent / "manifest.json"):
        if candidate.is_file():
            entries = json.loads(candidate.read_text(encoding="utf-8"))
            return {Path(e["file"]).name: (f"{e.get('application') or e.get('application_inferred', '')}".split("$")[0]
                                           + f" {e.get('app_version') or ''}").strip() for e in entries}
    return {}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--out", type=Path, help="also write the Markdown table here")
    ap.add_argument("--keep", type=Path, help="work in this folder and keep the outputs")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="xladdin-fidelity-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        results = run(args.folder, work)
    text = table(results, _programs(args.folder))
    print(text)
    for r in results:
        for p in r.problems:
            print(f"{r.name}: {p}", file=sys.stderr)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
