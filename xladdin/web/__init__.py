"""The local web page (``xladdin serve``): the monthly cycle for offices whose spreadsheet program is
WPS or LibreOffice, where the xlwings ribbon cannot reach. An entry point on the same jobs as the
CLI and the ribbon (rank 5, beside ``excel/`` and ``demo/``); needs the ``xladdin[web]`` extra."""
