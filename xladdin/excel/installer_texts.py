"""The texts of an offline bundle: ``安装.cmd``, ``卸载.cmd`` and ``安装说明.txt``.

May import the standard library only. Encoding decision for the ``.cmd`` files: **GBK (code page
936), CRLF, no BOM, no ``chcp``**. cmd.exe reads a batch file line by line in the console's OEM
code page, which is 936 on Simplified-Chinese Windows, so Chinese ``echo`` lines show correctly
with nothing to switch. The alternative, UTF-8 with ``chcp 65001`` on the first line, depends on
cmd re-decoding the following lines after the switch (older Windows versions garble or abort on
multi-byte lines) and changes the code page of the window for whatever runs next. Only the
``echo`` texts are Chinese; every command line is ASCII, so a non-Chinese Windows still runs the
script (its messages would be garbled). ``安装说明.txt`` is UTF-8 with a BOM, which Notepad on every
Windows version opens correctly.
"""

from __future__ import annotations

__all__ = ["CMD_ENCODING", "install_cmd", "readme_text", "uninstall_cmd"]

CMD_ENCODING = "gbk"


def _crlf(lines: list[str]) -> str:
    return "\r\n".join(lines) + "\r\n"


def install_cmd(version: str, python: str) -> str:
    major, minor = python.split(".")[:2]
    return _crlf([
        "@echo off",
        "setlocal EnableExtensions",
        'cd /d "%~dp0"',
        f"echo 正在安装 xladdin {version}（重点项目台账工具），不需要联网，也不需要管理员权限。",
        "echo.",
        'tasklist /FI "IMAGENAME eq EXCEL.EXE" 2>nul | find /I "EXCEL.EXE" >nul',
        "if not errorlevel 1 (",
        "  echo 请先关闭所有 Excel 窗口（包括后台的 Excel），再运行本程序。",
        "  goto :failed",
        ")",
        'set "PYEXE="',
        f"for /f \"delims=\" %%P in ('py -{major}.{minor} -c \"import sys; print(sys.executable)\" 2^>nul') "
        'do set "PYEXE=%%P"',
        "if not defined PYEXE for /f \"delims=\" %%P in ('python -c \"import sys; "
        f"sys.version_info[:2] == ({major},{minor}) and print(sys.executable)\" 2^>nul') do set \"PYEXE=%%P\"",
        "if not defined PYEXE (",
        f"  echo 没有找到 Python {major}.{minor}。请先安装 Python {major}.{minor}（64 位；安装时选“仅为当前用户安装”，"
        "不需要管理员权限），再运行本程序。",
        "  goto :failed",
        ")",
        "echo 使用的 Python：%PYEXE%",
        'set "VENV=%LOCALAPPDATA%\\xladdin\\venv"',
        'if exist "%VENV%" rmdir /s /q "%VENV%"',
        'if exist "%VENV%" (',
        "  echo 无法删除旧的安装目录 %VENV%，请重启电脑后再运行本程序。",
        "  goto :failed",
        ")",
        "echo 正在创建 Python 环境 %VENV% ……",
        '"%PYEXE%" -m venv "%VENV%" || goto :failed',
        "echo 正在从本安装包安装 xladdin 及其依赖（离线）……",
        '"%VENV%\\Scripts\\python.exe" -m pip install --no-index --disable-pip-version-check --no-warn-script-location '
        f'--find-links "%~dp0wheels" "xladdin[web]=={version}" || goto :failed',
        '"%VENV%\\Scripts\\python.exe" -m xladdin.excel.install install --xlam "%~dp0xladdin.xlam" || goto :failed',
        "echo.",
        "echo 安装完成。打开 Excel，功能区会出现“投资项目”选项卡；公式以 TZ_ 开头。",
        "echo 命令行工具：%VENV%\\Scripts\\xladdin.exe",
        "pause",
        "exit /b 0",
        ":failed",
        "echo.",
        "echo 安装没有完成。请把本窗口中的文字拍照发给技术人员。",
        "pause",
        "exit /b 1",
    ])


def uninstall_cmd() -> str:
    return _crlf([
        "@echo off",
        "setlocal EnableExtensions",
        'tasklist /FI "IMAGENAME eq EXCEL.EXE" 2>nul | find /I "EXCEL.EXE" >nul',
        "if not errorlevel 1 (",
        "  echo 请先关闭所有 Excel 窗口，再运行本程序。",
        "  pause",
        "  exit /b 1",
        ")",
        'set "VENV=%LOCALAPPDATA%\\xladdin\\venv"',
        'if exist "%VENV%\\Scripts\\python.exe" "%VENV%\\Scripts\\python.exe" -m xladdin.excel.install uninstall',
        'if exist "%LOCALAPPDATA%\\xladdin" rmdir /s /q "%LOCALAPPDATA%\\xladdin"',
        "echo 已卸载 xladdin：加载项、注册表项、受信任位置和 Python 环境均已删除（台账文件不受影响）。",
        "pause",
        "exit /b 0",
    ])


def readme_text(version: str, python: str, platform: str, wheels: list[str]) -> str:
    lines = [
        f"xladdin {version} 离线安装包（{platform}，Python {python}）",
        "=" * 40,
        "",
        "用途：在区发展改革委及各单位的电脑上安装“重点项目台账”Excel 加载项（功能区“投资项目”选项卡、",
        "TZ_ 开头的公式）和命令行工具 xladdin。安装不需要联网，也不需要管理员权限。",
        "",
        "一、安装前",
        f"1. 电脑上需有 Python {python}（64 位）。没有的，请技术人员用 python.org 的 Windows 安装程序安装，",
        "   选择“仅为当前用户安装”（不需要管理员权限）；建议装在只含英文字母的文件夹，例如 C:\\Python311。",
        "2. 需要桌面版 Excel 2010 及以上（2016、2019、2021、Microsoft 365 均可）。WPS 不能运行本加载项，见第五条。",
        "3. 关闭所有 Excel 窗口。",
        "",
        "二、安装",
        "1. 把本文件夹（或解压后的压缩包）放在本机任意位置。",
        "2. 双击“安装.cmd”。它会：",
        "   - 在 %LOCALAPPDATA%\\xladdin\\venv 建立独立的 Python 环境，只从本文件夹的 wheels 安装 xladdin",
        "     及其依赖（版本与加载项配套，不会联网下载）；",
        "   - 把 xladdin.xlam 复制到 %APPDATA%\\Microsoft\\AddIns，并设为 Excel 启动时自动加载；",
        "   - 把该文件夹加入当前用户的 Excel“受信任位置”（宏可以运行，无需“启用所有宏”）；",
        "   - 在 %USERPROFILE%\\.xladdin\\xladdin.conf 写入 Python 的位置和公式模块。",
        "3. 看到“安装完成”后按任意键关闭窗口，打开 Excel，功能区出现“投资项目”选项卡。",
        "",
        "三、升级与卸载",
        "- 升级：关闭 Excel，运行新安装包中的“安装.cmd”即可（旧环境会被替换）。加载项和 Python 端必须来自",
        "  同一个安装包；版本不一致时，点按钮会提示重新运行“安装.cmd”。",
        "- 卸载：关闭 Excel，双击“卸载.cmd”。台账文件不受影响。",
        "",
        "四、常见提示",
        "- “请先关闭所有 Excel 窗口”：任务管理器中还有 EXCEL.EXE，结束它或重启电脑后再运行。",
        f"- “没有找到 Python {python}”：按第一条先安装 Python。",
        "- 打开 Excel 后没有“投资项目”选项卡：文件 → 选项 → 加载项 → 管理“Excel 加载项” → 转到，勾选 xladdin；",
        "  若单位的信息化策略禁止用户自建受信任位置，请信息化管理员把 %APPDATA%\\Microsoft\\AddIns 加入受信任位置。",
        "- 工作簿处于“受保护的视图”时按钮不工作：先点黄色提示条上的“启用编辑”。",
        "",
        "五、Excel 2016/2019 与 WPS",
        "- Excel 2016/2019 没有“动态数组”：TZ_BYUNIT 等表格公式只显示一个单元格。请用数组公式：先选中足够大的",
        "  区域，输入公式，按 Ctrl+Shift+Enter。各“汇总”表由“月度汇总”“刷新排名与通报”按钮直接填好，不需要公式。",
        "- WPS 表格不能运行本加载项（xlwings 不支持 WPS）。主台账、月报表和汇总结果都是普通的 .xlsx，在 WPS 中",
        "  可以打开、查看、打印；汇总和校验请在装有 Excel 的电脑上用按钮完成，或用命令行工具",
        "  %LOCALAPPDATA%\\xladdin\\venv\\Scripts\\xladdin.exe（例如 xladdin consolidate 主台账.xlsx --month 6 --forms 月报表）。",
        "",
        "本安装包的内容：",
        "- 安装.cmd、卸载.cmd、安装说明.txt（本文件）",
        "- xladdin.xlam（Excel 加载项）",
        f"- wheels\\（{len(wheels)} 个安装文件）：",
        *[f"    {w}" for w in wheels],
        "",
    ]
    return "\r\n".join(lines)
