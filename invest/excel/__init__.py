"""Workbooks in and out: safe opening, header and layout detection, rows, import defaults, side sheets, column mapping, the template and the xlsx writer."""
