"""Builders of the nasty-input corpus: each writes one bad file into a directory and returns it.

Everything is generated from code, byte for byte the same on every run, so no binary file is
committed. The base warehouse the files are loaded into (``base_*``) holds the city of Aalst
(41002), two deelgemeenten (41002A, 41002B) and two wijken with square polygons:

    41002W01  longitude 4.00-4.05, latitude 50.90-50.95   (in 41002A)
    41002W02  longitude 4.05-4.10, latitude 50.90-50.95   (in 41002B)
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

from core.settings import open_data_dir

#: Columns of the canonical incidents format used by most cases.
INCIDENT_HEADER = "source_id,category,occurred_at,longitude,latitude,location,area_code"
#: The real Belgium-wide 2024 sector file: Windows-1252, ';', mojibake from the source itself.
REAL_STATSEC_2024 = "be-aalst-areas/statsec2024_deelgemeente_belgie_cp1252.csv"

_FIXED_TIME = dt.datetime(2024, 1, 1, 12, 0, 0)
_ZIP_TIME = (2024, 1, 1, 12, 0, 0)


def _text(d: Path, name: str, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path = d / name
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def _incidents(d: Path, name: str, *rows: str, header: str = INCIDENT_HEADER) -> Path:
    return _text(d, name, "\n".join([header, *rows]) + "\n")


# --- the base warehouse -----------------------------------------------------------------------


def base_areas_csv(d: Path) -> Path:
    """Gemeente, deelgemeenten and wijken as a code hierarchy (no geometry)."""
    return _text(
        d,
        "areas.csv",
        "code,name,level,parent_id\n"
        "41002,Aalst,gemeente,\n"
        "41002A,Aalst (Dg.),deelgemeente,41002\n"
        "41002B,Hofstade,deelgemeente,41002\n"
        "41002W01,Centrum,wijk,41002A\n"
        "41002W02,Hofstade-Dorp,wijk,41002B\n",
    )


def _square(lon0: float, lat0: float, size: float = 0.05) -> dict:
    ring = [
        [lon0, lat0], [lon0 + size, lat0], [lon0 + size, lat0 + size], [lon0, lat0 + size],
        [lon0, lat0],
    ]
    return {"type": "Polygon", "coordinates": [[[round(x, 6) for x in p] for p in ring]]}


def base_wijken_geojson(d: Path) -> Path:
    """The polygons of the two wijken (same names and parents as in the CSV)."""
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "naam": name, "parent_id": parent},
            "geometry": _square(lon0, 50.90),
        }
        for code, name, parent, lon0 in [
            ("41002W01", "Centrum", "41002A", 4.00),
            ("41002W02", "Hofstade-Dorp", "41002B", 4.05),
        ]
    ]
    path = d / "wijken.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, indent=1))
    return path


def base_incidents_csv(d: Path) -> Path:
    """A few good incidents, by code and by coordinates."""
    return _incidents(
        d,
        "incidents_base.csv",
        "B1,bicycle_theft,03/01/2024 08:15,,,Stationsplein,41002W01",
        "B2,residential_burglary,04/01/2024 19:40,4.07,50.93,Dorpsstraat 3,",
        "B3,vandalism,05/01/2024 23:05,,,,41002B",
    )


# --- encodings --------------------------------------------------------------------------------


def cp1252_incidents(d: Path) -> Path:
    """A Windows-1252 export with ';' and decimal commas, as Belgian tools write them."""
    return _text(
        d,
        "incidents_cp1252.csv",
        "source_id;category;occurred_at;longitude;latitude;location;area_code\n"
        "E1;bicycle_theft;03/03/2024 14:30;4,0383;50,9312;Café De Zwaan, Graanmarkt;\n"
        "E2;vandalism;04/03/2024 02:10;;;Kerkstraat;41002W02\n",
        encoding="cp1252",
    )


def utf8_profile(d: Path) -> Path:
    """A copy of the canonical incidents mapping that declares ``encoding: utf-8``."""
    return _text(
        d,
        "profile_utf8.yaml",
        "spec: 1\n"
        "name: nasty-utf8\n"
        "encoding: utf-8\n"
        "kinds:\n"
        "  incidents:\n"
        "    source: incidents\n"
        "    area: {code: area_code, longitude: longitude, latitude: latitude}\n",
    )


def mojibake_location(d: Path) -> Path:
    """UTF-8 text that was decoded as Windows-1252 once and saved as UTF-8 again."""
    garbled = "Café De Zwaan".encode().decode("cp1252")  # 'CafÃ© De Zwaan'
    return _incidents(
        d,
        "incidents_mojibake.csv",
        "M1,bicycle_theft,03/03/2024 14:30,,,Stationsplein,41002W01",
        f"M2,bicycle_theft,03/03/2024 15:30,,,{garbled},41002W01",
    )


def bom_crlf(d: Path) -> Path:
    """UTF-8 with a byte-order mark before the first header cell, and Windows line endings."""
    text = "\ufeff" + "\n".join(
        [
            INCIDENT_HEADER,
            "BOM1,bicycle_theft,03/03/2024 14:30,,,Stationsplein,41002W01",
            "BOM2,drugs,03/03/2024 16:00,,,Zonnestraat,41002W02",
        ]
    ) + "\n"
    return _text(d, "incidents_bom_crlf.csv", text, newline="\r\n")


def utf16_export(d: Path) -> Path:
    """Excel's "Unicode text" export: UTF-16 little-endian with a BOM, tabs, CRLF, a .txt name."""
    text = "\r\n".join(
        [
            INCIDENT_HEADER.replace(",", "\t"),
            "UT1\tbicycle_theft\t03/03/2024 14:30\t\t\tCafé De Zwaan\t41002W01",
            "UT2\tdrugs\t03/03/2024 16:00\t\t\tZonnestraat\t41002W02",
        ]
    ) + "\r\n"
    path = d / "incidents_unicode.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    return path


def cp1252_profile(d: Path) -> Path:
    """The canonical incidents mapping declaring ``encoding: cp1252``."""
    return _text(
        d,
        "profile_cp1252.yaml",
        "spec: 1\n"
        "name: nasty-cp1252\n"
        "encoding: cp1252\n"
        "kinds:\n"
        "  incidents:\n"
        "    source: incidents\n"
        "    area: {code: area_code, longitude: longitude, latitude: latitude}\n",
    )


def utf8_incidents(d: Path) -> Path:
    """Plain UTF-8 with accented letters."""
    return _incidents(
        d,
        "incidents_utf8.csv",
        "E8,bicycle_theft,03/03/2024 14:30,,,Stationsplein,41002W01",
        "E9,bicycle_theft,03/03/2024 15:30,,,Café De Zwaan,41002W01",
    )


def statbel_mojibake(d: Path) -> Path:
    """Names garbled the way the real Statbel sector file is ('Witterz+®e' for 'Witterzée'),
    and an upper-case accent double-encoded ('Ã‰' for 'É')."""
    return _incidents(
        d,
        "incidents_statbel_mojibake.csv",
        "SB1,bicycle_theft,03/03/2024 14:30,,,Lillois-Witterz+®e,41002W01",
        "SB2,bicycle_theft,03/03/2024 15:30,,," + "École".encode().decode("cp1252") + ",41002W01",
        "SB3,bicycle_theft,03/03/2024 16:30,,,Rue de l'Église 1+2,41002W01",
    )


def latin1_control_characters(d: Path) -> Path:
    """A byte Windows-1252 leaves undefined (0x81) makes the file Latin-1: its text holds a C1
    control character, which no real text has."""
    path = d / "incidents_latin1.csv"
    path.write_bytes(
        (INCIDENT_HEADER + "\n"
         "L1,bicycle_theft,03/03/2024 14:30,,,caf\xe9 Central,41002W01\n"
         "L2,bicycle_theft,03/03/2024 15:30,,,caf\xe9\x81 Noord,41002W01\n").encode("latin-1")
    )
    return path


# --- delimiters and numbers -------------------------------------------------------------------


def semicolon_delimited(d: Path) -> Path:
    return _incidents(
        d,
        "incidents_semicolon.csv",
        "S1;bicycle_theft;03/03/2024 14:30;;;Stationsplein;41002W01",
        "S2;drugs;03/03/2024 16:00;;;Zonnestraat;41002W02",
        header=INCIDENT_HEADER.replace(",", ";"),
    )


def comma_delimited(d: Path) -> Path:
    return _incidents(
        d,
        "incidents_comma.csv",
        "C1,bicycle_theft,03/03/2024 14:30,,,Stationsplein,41002W01",
        'C2,drugs,03/03/2024 16:00,,,"Zonnestraat 1, bus 2",41002W02',
    )


def tab_delimited(d: Path) -> Path:
    return _incidents(
        d,
        "incidents_tabs.tsv",
        "T1\tbicycle_theft\t03/03/2024 14:30\t\t\tStationsplein\t41002W01",
        "T2\tdrugs\t03/03/2024 16:00\t\t\tZonnestraat\t41002W02",
        header=INCIDENT_HEADER.replace(",", "\t"),
    )


def quoted_newlines(d: Path) -> Path:
    """Quoted fields holding the delimiter, doubled quotes and a line break."""
    return _incidents(
        d,
        "incidents_quoted.csv",
        'Q1,bicycle_theft,03/03/2024 14:30,,,"Café ""De Zwaan"", Graanmarkt',
        'hoek Kerkstraat",41002W01',
        "Q2,drugs,03/03/2024 16:00,,,Zonnestraat,41002W02",
    )


def excel_sep_line(d: Path) -> Path:
    """Excel's ``sep=;`` hint as the first line, above the header."""
    return _text(
        d,
        "incidents_sep_line.csv",
        "sep=;\n"
        + INCIDENT_HEADER.replace(",", ";")
        + "\nSL1;bicycle_theft;03/03/2024 14:30;;;Stationsplein;41002W01"
        + "\nSL2;bicycle_theft;31/02/2024 14:30;;;Stationsplein;41002W01\n",
    )


def old_mac_line_endings(d: Path) -> Path:
    """Lines ended by a bare carriage return."""
    return _text(
        d,
        "incidents_cr.csv",
        INCIDENT_HEADER
        + "\rCR1,bicycle_theft,03/03/2024 14:30,,,Stationsplein,41002W01"
        + "\rCR2,bicycle_theft,31/02/2024 14:30,,,Stationsplein,41002W01\r",
    )


def blank_lines_between_rows(d: Path) -> Path:
    """Blank lines (and a line of bare delimiters) inside the data: dropped, but counted in the
    row numbers, as a spreadsheet shows them."""
    return _text(
        d,
        "incidents_blank_lines.csv",
        "\n".join(
            [
                INCIDENT_HEADER,
                "BL1,bicycle_theft,03/03/2024 14:30,,,Stationsplein,41002W01",
                "",
                ",,,,,,",
                "BL2,bicycle_theft,31/02/2024 14:30,,,Stationsplein,41002W01",
                "BL3,drugs",
                "",
                "BL4,bicycle_theft,30/02/2024 14:30,,,Stationsplein,41002W01",
                "",
                "",
            ]
        ),
    )


def decimal_commas(d: Path) -> Path:
    """Coordinates with decimal commas in a ';' file; one row with a no-break space too."""
    return _incidents(
        d,
        "incidents_decimal_comma.csv",
        "D1;bicycle_theft;03/03/2024 14:30;4,0383;50,9312;Stationsplein;",
        "D2;drugs;03/03/2024 16:00;\u00a04,0712\u00a0;50,92;Dorpsstraat;",
        header=INCIDENT_HEADER.replace(",", ";"),
    )


def thousands_separators(d: Path) -> Path:
    """Population with '.' as thousands separator (Belgian notation), 1.234 meaning 1234."""
    return _text(
        d,
        "population_thousands.csv",
        "area_code;year;inhabitants;households\n"
        "41002W01;2023;1.234;567\n"
        "41002W02;2023;10.250;4.100\n",
    )


def space_thousands(d: Path) -> Path:
    """Population with a (no-break) space as thousands separator, as French-Belgian exports do."""
    return _text(
        d,
        "population_space_thousands.csv",
        "area_code;year;inhabitants;households\n"
        "41002W01;2023;1 234;567\n"
        "41002W02;2023;10\u00a0250;4\u202f100\n",
    )


# --- dates ------------------------------------------------------------------------------------


def three_date_formats(d: Path) -> Path:
    return _incidents(
        d,
        "incidents_dates.csv",
        "F1,bicycle_theft,03/03/2024 14:30,,,,41002W01",
        "F2,bicycle_theft,2024-03-04,,,,41002W01",
        "F3,bicycle_theft,05-03-2024,,,,41002W01",
    )


def two_digit_year(d: Path) -> Path:
    """'03/03/24' must not become the year 24."""
    return _incidents(
        d,
        "incidents_two_digit_year.csv",
        "TY1,bicycle_theft,03/03/2024 14:30,,,,41002W01",
        "TY2,bicycle_theft,03/03/24 14:30,,,,41002W01",
    )


def impossible_date(d: Path) -> Path:
    return _incidents(
        d,
        "incidents_31_february.csv",
        "X1,bicycle_theft,28/02/2024 10:00,,,,41002W01",
        "X2,bicycle_theft,31/02/2024 10:00,,,,41002W01",
    )


def future_date(d: Path) -> Path:
    return _incidents(
        d,
        "incidents_future.csv",
        "Y1,bicycle_theft,28/02/2024 10:00,,,,41002W01",
        "Y2,bicycle_theft,01/01/2099 10:00,,,,41002W01",
    )


# --- the shape of the table -------------------------------------------------------------------


def empty_file(d: Path) -> Path:
    return _text(d, "incidents_empty.csv", "")


def blank_lines_only(d: Path) -> Path:
    return _text(d, "incidents_blank.csv", "\n  \n\t\n")


def header_only(d: Path) -> Path:
    return _text(d, "incidents_header_only.csv", INCIDENT_HEADER + "\n")


def duplicated_header(d: Path) -> Path:
    return _incidents(
        d,
        "incidents_dup_header.csv",
        "H1,bicycle_theft,03/03/2024 14:30,,,Stationsplein,41002W01,Stationsplein 2",
        header=INCIDENT_HEADER + ",Location",
    )


def repeated_header_line(d: Path) -> Path:
    """Two exports pasted together: the header appears again inside the data."""
    return _incidents(
        d,
        "incidents_repeated_header.csv",
        "R1,bicycle_theft,03/03/2024 14:30,,,Stationsplein,41002W01",
        INCIDENT_HEADER,
        "R2,drugs,03/03/2024 16:00,,,Zonnestraat,41002W02",
    )


def duplicate_ids(d: Path) -> Path:
    return _incidents(
        d,
        "incidents_dup_ids.csv",
        "I7,bicycle_theft,03/03/2024 14:30,,,Stationsplein,41002W01",
        "I8,drugs,03/03/2024 16:00,,,Zonnestraat,41002W02",
        "I7,vandalism,03/03/2024 18:00,,,Kerkstraat,41002W02",
    )


def missing_column(d: Path) -> Path:
    return _incidents(
        d,
        "incidents_no_category.csv",
        "N1,03/03/2024 14:30,,,Stationsplein,41002W01",
        header=INCIDENT_HEADER.replace("category,", ""),
    )


def missing_value(d: Path) -> Path:
    return _incidents(
        d,
        "incidents_no_date.csv",
        "V1,bicycle_theft,03/03/2024 14:30,,,Stationsplein,41002W01",
        "V2,bicycle_theft,,,,Stationsplein,41002W01",
    )


def extra_columns(d: Path) -> Path:
    return _incidents(
        d,
        "incidents_extra_columns.csv",
        "Z1,bicycle_theft,03/03/2024 14:30,,,Stationsplein,41002W01,PV 123,inspecteur 7",
        header=INCIDENT_HEADER + ",pv_number,officer",
    )


def hostile_column_names(d: Path) -> Path:
    """Extra columns whose names are quotes and SQL."""
    return _incidents(
        d,
        "incidents_hostile_columns.csv",
        "HC1,bicycle_theft,03/03/2024 14:30,,,Stationsplein,41002W01,1,2,3",
        header=INCIDENT_HEADER + ',"x\'); DROP TABLE incident; --","say ""hi""",c0',
    )


def truncated_file(d: Path) -> Path:
    """The transfer stopped mid-row: the last line ends in the middle of a date, no newline."""
    text = "\n".join(
        [
            INCIDENT_HEADER,
            "K1,bicycle_theft,03/03/2024 14:30,,,Stationsplein,41002W01",
            "K2,drugs,03/03/2024 16:00,,,Zonnestraat,41002W02",
            "K3,vandalism,05/03/20",
        ]
    )
    return _text(d, "incidents_truncated.csv", text)


def too_many_fields(d: Path) -> Path:
    """An unquoted comma inside an address splits one row into one field too many."""
    return _incidents(
        d,
        "incidents_unquoted_comma.csv",
        "W1,bicycle_theft,03/03/2024 14:30,,,Zonnestraat 1, bus 2,41002W01",
        "W2,drugs,03/03/2024 16:00,,,Zonnestraat,41002W02",
    )


def huge_field(d: Path) -> Path:
    return _incidents(
        d,
        "incidents_huge_field.csv",
        "G1,bicycle_theft,03/03/2024 14:30,,,Stationsplein,41002W01",
        "G2,bicycle_theft,03/03/2024 15:30,,," + "Lorem ipsum " * 1000 + ",41002W01",
    )


def huge_field_and_truncated_row(d: Path) -> Path:
    """A 200,000-character field (beyond the csv module's default limit) before a cut-off row."""
    return _incidents(
        d,
        "incidents_huge_and_truncated.csv",
        "GT1,bicycle_theft,03/03/2024 14:30,,,Stationsplein,41002W01",
        'GT2,bicycle_theft,03/03/2024 15:30,,,"' + "x" * 200_000 + '",41002W01',
        "GT3,bicycle_theft,03/0",
    )


def line_longer_than_a_stream_block(d: Path) -> Path:
    """A Windows-1252 file of 30,000 rows whose row 20,002 holds a 2 MiB field: longer than the
    blocks a file is streamed in, shorter than a line may be (IVM_MAX_LINE_MB), so the read
    goes on in larger blocks; then a cut-off row and an impossible date."""
    rows = [
        f"L{i},bicycle_theft,03/03/2024 14:30,,,Café {i},41002W01" for i in range(1, 30_001)
    ]
    rows[20_000] = 'L20001,bicycle_theft,03/03/2024 15:30,,,"' + "x" * 2_000_000 + '",41002W01'
    rows[25_000:25_000] = ["L25001,bicycle_theft,03/0"]
    rows[26_001] = "L26001,bicycle_theft,31/02/2024 14:30,,,Kerkstraat,41002W01"
    return _text(
        d, "incidents_long_line.csv", "\n".join([INCIDENT_HEADER, *rows]) + "\n",
        encoding="cp1252",
    )


# --- not a table at all -----------------------------------------------------------------------


def binary_as_csv(d: Path) -> Path:
    """A PNG image renamed to .csv."""
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
    path = d / "incidents_picture.csv"
    path.write_bytes(data)
    return path


def unknown_extension(d: Path) -> Path:
    return _text(d, "incidents.pdf", "%PDF-1.7\n")


def old_xls_as_xlsx(d: Path) -> Path:
    """An Excel 97-2003 (OLE) file saved with an .xlsx name."""
    path = d / "incidents_old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    return path


def zip_bomb_xlsx(d: Path) -> Path:
    """A zip archive named .xlsx whose sheet unpacks to 4 MiB of zeros (packs to a few KiB)."""
    path = d / "incidents_bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in [
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<workbook/>"),
            ("xl/worksheets/sheet1.xml", b"\x00" * (4 << 20)),
        ]:
            z.writestr(zipfile.ZipInfo(name, _ZIP_TIME), data)
    return path


# --- XLSX -------------------------------------------------------------------------------------


def _save(wb, path: Path) -> Path:  # noqa: ANN001 (openpyxl Workbook)
    """Save a workbook byte for byte the same every time: fixed document times, and every zip
    entry stamped with a fixed time (openpyxl stamps them with the clock, and sets the
    document's modification time to the clock as it saves: that is written back too)."""
    wb.properties.created = _FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    fixed = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + fixed + rb"\g<2>", data)
            dst.writestr(zipfile.ZipInfo(info.filename, _ZIP_TIME), data,
                         compress_type=zipfile.ZIP_DEFLATED)
    path.write_bytes(out.getvalue())
    return path


def xlsx_numbers_as_text(d: Path) -> Path:
    """Population where every number is stored as text (the green triangles in Excel), some
    with stray spaces, one with Belgian thousands dots ('10.250')."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["area_code", "year", "inhabitants", "households"])
    ws.append(["41002W01", "2023", " 1234 ", "567"])
    ws.append(["41002W02", "2023", "10.250", "4100"])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.number_format = "@"
    return _save(wb, d / "population_text_numbers.xlsx")


def decimal_comma_profile(d: Path) -> Path:
    """The canonical population mapping declaring ``decimal: ','`` (Belgian notation)."""
    return _text(
        d,
        "profile_decimal_comma.yaml",
        "spec: 1\n"
        "name: nasty-decimal-comma\n"
        "decimal: ','\n"
        "kinds:\n"
        "  population:\n"
        "    source: population\n"
        "    area: {code: area_code}\n",
    )


def xlsx_merged_and_blank_header(d: Path) -> Path:
    """A merged title row above the header, a header cell merged across two columns and a
    blank header cell above a column of notes."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Incidenten maart 2024 (export)"])
    ws.merge_cells("A1:H1")
    ws.append([])
    ws.append(["source_id", "category", "occurred_at", "area_code", "location", None, None,
               "remarks"])
    ws.merge_cells("E3:F3")
    ws.append(["XM1", "bicycle_theft", "03/03/2024 14:30", "41002W01", "Stationsplein", "nr 4",
               "note", "-"])
    ws.append(["XM2", "drugs", "03/03/2024 16:00", "41002W02", "Zonnestraat", None, None, None])
    return _save(wb, d / "incidents_merged_header.xlsx")


def xlsx_formulas(d: Path) -> Path:
    """Formula cells written by a tool that never computed them (no cached value)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["source_id", "category", "occurred_at", "area_code", "location"])
    ws.append(["XF1", "bicycle_theft", "03/03/2024 14:30", "41002W01", "Stationsplein"])
    ws.append(["XF2", "bicycle_theft", "=TEXT(DATE(2024,3,4),\"dd/mm/yyyy\")", "41002W01",
               "Stationsplein"])
    ws.append(["XF3", "drugs", "03/03/2024 16:00", '=CONCAT("41002","W02")', "Zonnestraat"])
    return _save(wb, d / "incidents_formulas.xlsx")


# --- areas --------------------------------------------------------------------------------------


def swapped_coordinates(d: Path) -> Path:
    return _incidents(
        d,
        "incidents_swapped.csv",
        "P1,bicycle_theft,03/03/2024 14:30,4.0212,50.9256,Stationsplein,",
        "P2,bicycle_theft,03/03/2024 15:30,50.9256,4.0212,Stationsplein,",
    )


def outside_areas(d: Path) -> Path:
    return _incidents(
        d,
        "incidents_outside.csv",
        "O1,bicycle_theft,03/03/2024 14:30,4.0212,50.9256,Stationsplein,",
        "O2,bicycle_theft,03/03/2024 15:30,5.5712,50.6311,Luik,",
    )


def impossible_coordinates(d: Path) -> Path:
    return _incidents(
        d,
        "incidents_impossible_coordinates.csv",
        "J1,bicycle_theft,03/03/2024 14:30,4.0212,50.9256,Stationsplein,",
        "J2,bicycle_theft,03/03/2024 15:30,4.0212,95.5,Stationsplein,",
    )


def unknown_area(d: Path) -> Path:
    return _incidents(
        d,
        "incidents_unknown_area.csv",
        "U1,bicycle_theft,03/03/2024 14:30,,,Stationsplein,41002W01",
        "U2,bicycle_theft,03/03/2024 15:30,,,Grote Markt,44021W01",
    )


def unknown_category(d: Path) -> Path:
    return _incidents(
        d,
        "incidents_unknown_category.csv",
        "A1,bicycle_theft,03/03/2024 14:30,,,Stationsplein,41002W01",
        "A2,fietsdiefstal,03/03/2024 15:30,,,Stationsplein,41002W01",
    )


def real_statsec_2024(d: Path) -> Path:
    """The real file, read in place (never copied)."""
    return open_data_dir() / REAL_STATSEC_2024
