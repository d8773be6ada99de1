"""The command line: parse arguments, call the same jobs the ribbon calls, print results.

Thin: no domain logic here. Exit codes: 0 no errors (warnings allowed), 1 errors found,
2 the file cannot be read or the usage is wrong. Set XLADDIN_DEBUG=1 to see tracebacks.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from xladdin.errors import XladdinError

__all__ = ["main"]

Command = Callable[[argparse.Namespace], int]


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def cmd_validate(args: argparse.Namespace) -> int:
    from xladdin.engines.files import FileEngine, stderr_progress
    from xladdin.jobs.session import run_in_place
    from xladdin.jobs.validate import MARK_NEEDS, validate, validate_and_mark

    path = Path(args.workbook)
    progress = None if args.json else stderr_progress
    if args.mark:  # the patch engine, unless the file is encrypted (see run_in_place)
        report, marked = run_in_place(path, lambda engine: validate_and_mark(engine, sheet=args.sheet),
                                      needs=MARK_NEEDS, password=args.password, progress=progress,
                                      cached_values=True)  # the same findings as without --mark
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

    files, skipped = forms_from_master(Path(args.master), args.month, Path(args.out))
    print(f"已为 {len(files)} 个单位生成 {args.month} 月月报表，保存在 {args.out}")
    for name in skipped:
        print(f"[警告] 项目“{name}”的责任单位无法识别，未生成月报表。")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from xladdin.demo.district import describe, run_demo

    result = run_demo(Path(args.dir), month=args.month, run_jobs=not args.no_jobs)
    print(describe(result, args.month))
    return 0


def cmd_consolidate(args: argparse.Namespace) -> int:
    from xladdin.engines.files import stderr_progress
    from xladdin.jobs.consolidate import NEEDS, consolidate
    from xladdin.jobs.session import run_in_place

    output = Path(args.output) if args.output else None
    progress = None if args.json else stderr_progress
    forms = Path(args.forms) if args.forms else None
    # the patch engine (only changed parts are rewritten); chosen before the job runs, never rerun
    result = run_in_place(Path(args.master), lambda engine: consolidate(engine, args.month, forms),
                          needs=NEEDS, output=output, progress=progress)
    if args.json:
        _print_json(result.report.to_json() | {"month": result.month, "period": result.period,
                                               "merged": result.merge.merged, "missing_units": result.merge.missing})
    else:
        for f in result.report.findings:
            print(f.line())
        print(result.summary_text())
    return int(not result.report.valid)


def cmd_summary(args: argparse.Namespace) -> int:
    from xladdin.engines.files import FileEngine
    from xladdin.jobs.summary import summary

    engine = FileEngine(Path(args.master))
    try:
        data = summary(engine, args.month)
    finally:
        engine.close()
    for f in data.get("findings", []):  # stderr: stdout stays the JSON
        print(f"[{'错误' if f['severity'] == 'error' else '警告'}] {f['sheet']}!{f['cell']}  {f['message']}", file=sys.stderr)
    if args.csv:
        from xladdin.jobs.csv_export import write_summary_csv

        files = write_summary_csv(data, Path(args.csv))
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
        result = inspect(engine, sheet=args.sheet, month=args.month)
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


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="xladdin", description="重点项目台账工具：校验、汇总、排名、通报。")
    sub = p.add_subparsers(dest="command", required=True)

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
    i.add_argument("--month", type=int, help="同时检查该月份（1-12）是否有本期完成投资数")
    i.add_argument("--json", action="store_true", help="以 JSON 输出")
    i.add_argument("--password", help="工作簿打开密码")
    i.set_defaults(func=cmd_inspect)

    a = sub.add_parser("addin", help="Excel 加载项（xladdin.xlam）").add_subparsers(dest="addin_command", required=True)
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
    f.add_argument("--month", type=int, required=True, help="报告月份 1-12")
    f.add_argument("--out", required=True, help="月报表输出目录")
    f.set_defaults(func=cmd_forms)

    d = sub.add_parser("demo", help="生成演示区县：主台账、收回的月报表，并运行本月任务")
    d.add_argument("dir", nargs="?", default="demo-out", help="输出目录（默认 demo-out）")
    d.add_argument("--month", type=int, default=6, help="演示月份（默认 6，即 1-6月）")
    d.add_argument("--no-jobs", action="store_true", help="只生成工作簿，不运行校验和汇总")
    d.set_defaults(func=cmd_demo)

    c = sub.add_parser("consolidate", help="月度汇总：汇入月报表，计算进度、排名、专项并生成通报（就地修改，先备份）")
    c.add_argument("master", help="主台账工作簿")
    c.add_argument("--month", type=int, required=True, help="汇总月份 1-12（1 与 2 同为 1-2月）")
    c.add_argument("--forms", help="收回的月报表所在文件夹")
    c.add_argument("--output", help="写入新文件而不修改原台账")
    c.add_argument("--json", action="store_true", help="以 JSON 输出检查结果")
    c.set_defaults(func=cmd_consolidate)

    s = sub.add_parser("summary", help="输出某月汇总数字（JSON，不修改工作簿）")
    s.add_argument("master", help="主台账工作簿")
    s.add_argument("--month", type=int, required=True, help="月份 1-12")
    s.add_argument("--json", action="store_true", help="以 JSON 输出（默认即为 JSON）")
    s.add_argument("--csv", metavar="DIR", help="将各汇总表写成 CSV 文件到该文件夹（给出 --json 时同时输出 JSON）")
    s.set_defaults(func=cmd_summary)

    b = sub.add_parser("bulletin", help="导出某月通报为 Word 文档（.docx）或 PDF（不修改工作簿）")
    b.add_argument("master", help="主台账工作簿")
    b.add_argument("--month", type=int, required=True, help="月份 1-12")
    b.add_argument("--out", required=True, help="输出文件：.docx 或 .pdf")
    b.set_defaults(func=cmd_bulletin)

    return p


def main(argv: Sequence[str] | None = None) -> int:
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
    except Exception as exc:
        if os.environ.get("XLADDIN_DEBUG"):
            raise
        print(f"内部错误（{type(exc).__name__}: {exc}）。原文件未修改。设置 XLADDIN_DEBUG=1 可查看详细信息。",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
