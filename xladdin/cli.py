"""The command line: parse arguments, call the same jobs the ribbon calls, print results.

Thin: no domain logic here. Exit codes: 0 no errors (warnings allowed), 1 errors found,
2 the file cannot be read or the usage is wrong. Set XLADDIN_DEBUG=1 to see tracebacks.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any, NoReturn

from xladdin.core.periods import Period
from xladdin.errors import UsageError, XladdinError
from xladdin.jobs.collector import collector_paused

__all__ = ["main", "run"]

Command = Callable[[argparse.Namespace], int]

_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
             "十一": 11, "十二": 12, "正": 1, "元": 1}


def month_arg(text: str) -> Period:
    """``--month``: 1-12 (also "６", "6月", "六月"), made into the one ``Period`` every job takes."""
    raw = text.strip().removesuffix("月").strip()
    value: int | None = _NUMERALS.get(raw)
    if value is None:
        try:
            value = int(raw)
        except ValueError:
            value = None
    if value is None or not 1 <= value <= 12:
        raise argparse.ArgumentTypeError(f"月份应为 1 到 12 的整数（1 与 2 同为 1-2月），现为“{text}”")
    return Period.of(value)


_ARGPARSE_ZH: tuple[tuple[str, str], ...] = (
    (r"^the following arguments are required: (.*)$", r"缺少必需的参数：\1"),
    (r"^unrecognized arguments: (.*)$", r"无法识别的参数：\1"),
    (r"^argument (?:命令|command|addin_command): invalid choice: '?([^' ]*)'? \(choose from (.*)\)$",
     r"没有“\1”这个命令，可用的命令：\2"),
    (r"^argument (\S+): invalid choice: '?([^' ]*)'? \(choose from (.*)\)$", r"参数 \1 的值“\2”无效，可选：\3"),
    (r"^argument (\S+): expected one argument$", r"参数 \1 后应给出一个值"),
    (r"^argument (\S+): invalid (\w+) value: '(.*)'$", r"参数 \1 的值“\3”无效"),
    (r"^argument (\S+): ignored explicit argument '(.*)'$", r"参数 \1 不接受值“\2”"),
    (r"^argument (\S+): not allowed with argument (\S+)$", r"参数 \1 不能与 \2 同时使用"),
    (r"^argument (\S+): (.*)$", r"参数 \1：\2"),
)


def zh_usage_error(message: str) -> str:
    """argparse's English error message in Chinese (anything not recognised is prefixed, not lost)."""
    for pattern, repl in _ARGPARSE_ZH:
        if re.match(pattern, message):
            return re.sub(pattern, repl, message).replace("'", "")
    return f"命令用法有误：{message}"


class _HelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse speaking Chinese to staff: usage, headings, help and every usage error (exit code 2)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{zh_usage_error(message)}。用 -h 查看帮助。\n")


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def cmd_validate(args: argparse.Namespace) -> int:
    path = Path(args.workbook)
    early = None
    if args.mark and args.password is None:  # a large ledger parses while the job's modules import
        from xladdin.core.regions import SHEETS
        from xladdin.engines.xlsx.early_read import start_early_read

        early = start_early_read(path, args.sheet or SHEETS["ledger"], cached_values=True)
    from xladdin.engines.files import FileEngine, stderr_progress
    from xladdin.jobs.in_place import mark_in_place
    from xladdin.jobs.validate import validate

    if early is not None:
        early.release()
    progress = None if args.json else stderr_progress
    if args.mark:  # the patch engine, unless the file is encrypted (see run_in_place)
        report, marked = mark_in_place(path, sheet=args.sheet, password=args.password, progress=progress,
                                       early=early)
    else:
        engine = FileEngine(path, password=args.password, progress=progress)
        try:
            report, _ = validate(engine, sheet=args.sheet)
        finally:
            engine.close()
        marked = 0
    if args.csv:
        from xladdin.jobs.csv_export import write_findings_csv

        written = write_findings_csv(report, Path(args.csv))
        if not args.json:
            print(f"已写出：{written}")
    if args.json:
        _print_json(report.to_json())
    else:
        for f in report.findings:
            print(f.line())
        print(f"共 {report.projects} 个项目：错误 {report.errors} 条，警告 {report.warnings} 条。"
              + (f"已在工作簿中标注 {marked} 个单元格，详见“校验结果”表。" if args.mark else ""))
    return int(not report.valid)


def cmd_template(args: argparse.Namespace) -> int:
    from xladdin.demo.district import write_samples

    for path in write_samples(Path(args.dir)):
        print(f"已写出：{path}")
    return 0


def cmd_forms(args: argparse.Namespace) -> int:
    from xladdin.jobs.forms import forms_from_master

    period: Period = args.month
    files, skipped = forms_from_master(Path(args.master), period, Path(args.out), force=args.force)
    print(f"已为 {len(files)} 个单位生成{period.label}月报表，保存在 {args.out}")
    for name in skipped:
        print(f"[警告] 项目“{name}”的责任单位无法识别，未生成月报表。")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from xladdin.demo.district import describe, run_demo

    period: Period = args.month
    result = run_demo(Path(args.dir), period=period, run_jobs=not args.no_jobs)
    print(describe(result, period))
    return 0


def cmd_consolidate(args: argparse.Namespace) -> int:
    from contextlib import nullcontext

    from xladdin.core.regions import SHEETS
    from xladdin.engines.xlsx.early_read import start_early_read
    from xladdin.jobs.form_pool import open_form_pool

    forms = _forms_folder(args.forms) if args.forms else None
    # before anything heavy is imported: the form workers fork (no thread may run yet), then a
    # large master's ledger starts parsing (calamine, another core) while the job's modules import
    pool = open_form_pool(forms) if forms is not None else None
    early = start_early_read(Path(args.master), SHEETS["ledger"])
    from xladdin.engines.files import stderr_progress
    from xladdin.jobs.in_place import consolidate_in_place

    if early is not None:
        early.release()
    output = Path(args.output) if args.output else None
    progress = None if args.json else stderr_progress
    period: Period = args.month
    # the patch engine (only changed parts are rewritten); chosen before the job runs, never rerun
    with pool or nullcontext():
        result = consolidate_in_place(Path(args.master), period, forms, output=output, progress=progress,
                                      early=early, pool=pool)
    if args.json:
        _print_json(result.report.to_json() | {"month": result.month, "period": result.period,
                                               "merged": result.merge.merged, "missing_units": result.merge.missing,
                                               "incomplete_units": result.merge.incomplete,
                                               "reported": bool(result.figures.reported)})
    else:
        for f in result.report.findings:
            print(f.line())
        print(result.summary_text())
    return int(not result.report.valid)


def _forms_folder(text: str) -> Path:
    """``--forms``: an existing folder, else a Chinese usage error naming the path."""
    path = Path(text)
    if not path.exists():
        raise UsageError(f"找不到月报表文件夹“{path}”，请检查路径（收回的月报表应放在一个文件夹中）。")
    if not path.is_dir():
        raise UsageError(f"“{path}”是一个文件，不是文件夹：--forms 应给出收回的月报表所在的文件夹。")
    return path


def cmd_summary(args: argparse.Namespace) -> int:
    from xladdin.engines.files import FileEngine
    from xladdin.jobs.summary import month_summary, summary_json

    engine = FileEngine(Path(args.master))
    try:
        month = month_summary(engine, args.month)
    finally:
        engine.close()
    data = summary_json(month)
    for f in data.get("findings", []):  # said plainly beside the JSON (stdout stays JSON)
        print(f"[{'错误' if f['severity'] == 'error' else '警告'}] {f['sheet']}{'!' + f['cell'] if f['cell'] else ''}  "
              f"{f['message']}", file=sys.stderr)
    if args.csv:
        from xladdin.jobs.csv_export import write_summary_csv

        files = write_summary_csv(month.month, Path(args.csv))
        if not args.json:
            for path in files:
                print(f"已写出：{path}")
            return 0
    _print_json(data)
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    from xladdin.engines.files import FileEngine
    from xladdin.jobs.inspect import inspect, inspect_lines

    engine = FileEngine(Path(args.workbook), password=args.password)
    try:
        result = inspect(engine, sheet=args.sheet, month=None if args.month is None else args.month.month)
    finally:
        engine.close()
    if args.json:
        _print_json(result)
    else:
        print("\n".join(inspect_lines(result)))
    return int(any(f["severity"] == "error" for f in result["findings"]))


def cmd_bundle(args: argparse.Namespace) -> int:
    from xladdin.excel.bundle import build_bundle

    def progress(text: str) -> None:
        print(text, file=sys.stderr)

    bundle = build_bundle(Path(args.out), args.platform, args.python, progress=progress)
    print(bundle.folder)
    print(bundle.zip)
    return 0


def cmd_backups(args: argparse.Namespace) -> int:
    from xladdin.jobs.backups import backup_lines, list_backups

    entries = list_backups(Path(args.master))
    if args.json:
        _print_json([e.__dict__ for e in entries])
        return 0
    if not entries:
        print(f"“{Path(args.master).name}”还没有备份（只有修改了台账的任务才会备份）。")
        return 0
    print(f"“{Path(args.master).name}”的备份（保存在“备份”文件夹，按时间排列；“…前”为备份后运行的任务）：")
    for line in backup_lines(entries):
        print(line)
    print("恢复：xladdin restore 台账文件 序号或文件名（恢复前会先备份当前文件）")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from xladdin.engines.files import stderr_progress
    from xladdin.jobs.backups import restore_backup

    done = restore_backup(Path(args.master), args.backup, progress=stderr_progress)
    if done.changed:
        print(f"已将“{done.master.name}”恢复为备份“{done.source.name}”；恢复前的文件已备份到“备份”文件夹。")
    else:
        print(f"“{done.master.name}”与备份“{done.source.name}”内容相同，未做修改。")
    return 0


def cmd_bulletin(args: argparse.Namespace) -> int:
    from xladdin.engines.files import FileEngine
    from xladdin.jobs.bulletin_export import export_bulletin

    engine = FileEngine(Path(args.master))
    try:
        out = export_bulletin(engine, args.month, Path(args.out))
    finally:
        engine.close()
    print(f"已导出通报：{out}")
    return 0


def cmd_addin_build(args: argparse.Namespace) -> int:
    from xladdin.excel.addin import build_addin

    out = build_addin(Path(args.out))
    print(f"已生成加载项：{out}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from xladdin.web.server import serve
    except ImportError as exc:
        raise XladdinError(f"网页功能需要安装附加组件（缺少 {exc.name}）：pip install 'xladdin[web]'") from exc
    serve(Path(args.folder), port=args.port, open_browser=not args.no_open)
    return 0


def _parser() -> argparse.ArgumentParser:
    p = ChineseArgumentParser(prog="xladdin", description="重点项目台账工具：校验、汇总、排名、通报。")
    sub = p.add_subparsers(dest="command", required=True, title="命令", metavar="命令")

    v = sub.add_parser("validate", help="校验项目台账，可在工作簿中标注问题单元格")
    v.add_argument("workbook", help="台账工作簿 .xlsx/.xlsm")
    v.add_argument("--sheet", help="台账所在工作表（默认自动识别）")
    v.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    v.add_argument("--mark", action="store_true", help="写入“校验结果”表并标注问题单元格（就地修改，先备份）")
    v.add_argument("--password", help="工作簿打开密码")
    v.add_argument("--csv", metavar="PATH", help="另将校验结果写成 CSV 文件（UTF-8，Excel 可直接打开）")
    v.set_defaults(func=cmd_validate)

    i = sub.add_parser("inspect", help="查看台账各列的识别结果（表头原文 → 字段，或“未识别”及参数表别名写法）")
    i.add_argument("workbook", help="台账工作簿 .xlsx/.xlsm")
    i.add_argument("--sheet", help="台账所在工作表（默认自动识别）")
    i.add_argument("--month", type=month_arg, metavar="M", help="同时检查该月份（1-12）是否有本期完成投资数")
    i.add_argument("--json", action="store_true", help="以 JSON 输出")
    i.add_argument("--password", help="工作簿打开密码")
    i.set_defaults(func=cmd_inspect)

    a = sub.add_parser("addin", help="Excel 加载项（xladdin.xlam）").add_subparsers(dest="addin_command", required=True,
                                                                              title="命令", metavar="命令")
    ab = a.add_parser("build", help="由 macros/ 生成 xladdin.xlam")
    ab.add_argument("--out", default="dist/xladdin.xlam", help="输出文件或文件夹（默认 dist/xladdin.xlam）")
    ab.set_defaults(func=cmd_addin_build)

    b = sub.add_parser("bundle", help="生成离线安装包（wheel、加载项、安装.cmd），在无网络、无管理员权限的电脑上安装")
    b.add_argument("--out", required=True, help="输出文件夹（其中生成安装包文件夹和同名 .zip）")
    b.add_argument("--platform", default="win_amd64",
                   help="目标平台（默认 win_amd64；current 表示本机，用于测试）")
    b.add_argument("--python", default="3.11", help="目标 Python 版本（默认 3.11）")
    b.set_defaults(func=cmd_bundle)

    t = sub.add_parser("template", help="写出空白主台账模板（主台账模板.xlsx）和月报表样表")
    t.add_argument("dir", help="输出目录")
    t.set_defaults(func=cmd_template)

    f = sub.add_parser("forms", help="按单位生成某月的月报表")
    f.add_argument("master", help="主台账工作簿")
    f.add_argument("--month", type=month_arg, required=True, metavar="M", help="报告月份 1-12（1 与 2 同为 1-2月）")
    f.add_argument("--out", required=True, help="月报表输出目录")
    f.add_argument("--force", action="store_true", help="覆盖输出目录中已填了数字的同名月报表（默认拒绝覆盖）")
    f.set_defaults(func=cmd_forms)

    d = sub.add_parser("demo", help="生成演示区县：主台账、收回的月报表，并运行本月任务")
    d.add_argument("dir", nargs="?", default="demo-out", help="输出目录（默认 demo-out）")
    d.add_argument("--month", type=month_arg, default=Period(6), metavar="M", help="演示月份 3-12（默认 6，即 1-6月）")
    d.add_argument("--no-jobs", action="store_true", help="只生成工作簿，不运行校验和汇总")
    d.set_defaults(func=cmd_demo)

    c = sub.add_parser("consolidate", help="月度汇总：汇入月报表，计算进度、排名、专项并生成通报（就地修改，先备份）")
    c.add_argument("master", help="主台账工作簿")
    c.add_argument("--month", type=month_arg, required=True, metavar="M", help="汇总月份 1-12（1 与 2 同为 1-2月）")
    c.add_argument("--forms", help="收回的月报表所在文件夹")
    c.add_argument("--output", help="写入新文件而不修改原台账")
    c.add_argument("--json", action="store_true", help="以 JSON 输出检查结果")
    c.set_defaults(func=cmd_consolidate)

    s = sub.add_parser("summary", help="输出某月汇总数字（JSON，不修改工作簿）")
    s.add_argument("master", help="主台账工作簿")
    s.add_argument("--month", type=month_arg, required=True, metavar="M", help="月份 1-12（1 与 2 同为 1-2月）")
    s.add_argument("--json", action="store_true", help="以 JSON 输出（默认即为 JSON）")
    s.add_argument("--csv", metavar="DIR", help="将各汇总表写成 CSV 文件到该文件夹（给出 --json 时同时输出 JSON）")
    s.set_defaults(func=cmd_summary)

    w = sub.add_parser("serve", help="在本机浏览器中打开操作页面（适用于 WPS、信创桌面）")
    w.add_argument("--folder", default=".", help="工作文件夹：主台账所在的文件夹（默认当前文件夹）")
    w.add_argument("--port", type=int, default=0, help="端口（默认随机选择空闲端口）")
    w.add_argument("--no-open", action="store_true", help="不自动打开浏览器，只显示地址")
    w.set_defaults(func=cmd_serve)


    bk = sub.add_parser("backups", help="列出主台账的备份（时间、任务、月份、改动）")
    bk.add_argument("master", help="主台账工作簿")
    bk.add_argument("--json", action="store_true", help="以 JSON 输出")
    bk.set_defaults(func=cmd_backups)

    r = sub.add_parser("restore", help="用备份恢复主台账（恢复前先备份当前文件）")
    r.add_argument("master", help="主台账工作簿")
    r.add_argument("backup", help="备份序号（见 xladdin backups）、文件名或路径")
    r.set_defaults(func=cmd_restore)

    b = sub.add_parser("bulletin", help="导出某月通报为 Word 文档（.docx）或 PDF（不修改工作簿）")
    b.add_argument("master", help="主台账工作簿")
    b.add_argument("--month", type=month_arg, required=True, metavar="M", help="月份 1-12（1 与 2 同为 1-2月）")
    b.add_argument("--out", required=True, help="输出文件：.docx 或 .pdf")
    b.set_defaults(func=cmd_bulletin)

    return p


def main(argv: Sequence[str] | None = None) -> int:
    with collector_paused():  # a job's millions of objects: see jobs/collector.py
        return _main(argv)


def run() -> NoReturn:
    """The ``xladdin`` command (console script and ``python -m xladdin.cli``): ``main``, then exit
    without tearing the interpreter down. A province job leaves a few million objects (caches,
    imported modules) that a normal exit frees one by one and walks with the cycle collector:
    0.15–0.25 s after the work is done and saved (province --mark and consolidate). Everything the command does is finished
    by then: files closed and moved, locks and snapshots released by their ``with`` blocks, form
    workers joined; only the output streams are flushed here. Under coverage (the suite measures
    the CLI's subprocesses) the exit is a normal one, so coverage's own exit handler saves its data."""
    code = main()
    if "coverage" in sys.modules:
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a closed pipe: nothing more can be said
            stream.flush()
    os._exit(code)


def _main(argv: Sequence[str] | None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: usage errors exit 2, --help exits 0
        return int(exc.code or 0)
    func: Command = args.func
    try:
        return func(args)
    except XladdinError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断，原文件未修改。", file=sys.stderr)
        return 130
    except OSError as exc:
        if os.environ.get("XLADDIN_DEBUG"):
            raise
        print(f"错误：{os_error_text(exc)}原文件未修改。", file=sys.stderr)
        return 2
    except Exception as exc:
        if os.environ.get("XLADDIN_DEBUG"):
            raise
        print(f"内部错误（{type(exc).__name__}: {exc}）。原文件未修改。设置 XLADDIN_DEBUG=1 可查看详细信息。",
              file=sys.stderr)
        return 2


_OS_ERRORS: tuple[tuple[type[OSError], str], ...] = (
    (FileNotFoundError, "找不到“{path}”，请检查路径。"),
    (NotADirectoryError, "“{path}”不是文件夹（路径中有一段是文件），请给出文件夹。"),
    (IsADirectoryError, "“{path}”是文件夹，这里应给出文件。"),
    (FileExistsError, "“{path}”已存在，且不是文件夹。"),
    (PermissionError, "没有权限读写“{path}”（文件可能正被 Excel 或 WPS 打开，或文件夹只读），请关闭后重试。"),
)


def os_error_text(exc: OSError) -> str:
    """An operating-system error as a Chinese sentence naming the path."""
    if exc.errno == errno.ENOSPC:  # a full disk outside the guarded writes
        return "磁盘空间不足，无法写入。请清理磁盘（或换到空间充足的位置）后重新运行。"
    path = exc.filename if exc.filename is not None else ""
    if exc.filename2 is not None:
        path = f"{path}”或“{exc.filename2}"
    for kind, text in _OS_ERRORS:
        if isinstance(exc, kind):
            return text.format(path=path)
    where = f"“{path}”" if path else "文件"
    return f"读写{where}时出错（系统错误 {exc.errno if exc.errno is not None else '未知'}）。"


if __name__ == "__main__":
    run()
