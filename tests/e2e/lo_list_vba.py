"""Run by /usr/bin/python3 (python3-uno): open an Office file in headless LibreOffice, print its VBA modules.

Usage: lo_list_vba.py FILE PROFILE_DIR. Prints one line per module: "<library>/<module>".
"""

import os
import sys

import uno
from lo_uno import desktop, prop


def main() -> None:
    path, profile = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    with desktop(profile, "xladdin", tries=120) as office:
        doc = office.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0, (prop("Hidden", True), prop("FilterName", "Calc MS Excel 2007 VBA XML")))
        libs = doc.BasicLibraries
        for lib in libs.getElementNames():
            libs.loadLibrary(lib)
            for module in libs.getByName(lib).getElementNames():
                print(f"{lib}/{module}")
        doc.close(True)


if __name__ == "__main__":
    main()
