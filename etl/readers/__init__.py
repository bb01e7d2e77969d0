"""Readers turn a source file into batches of text columns with their row numbers.

Every reader yields :class:`RawTable`: the header as found in the file, and Arrow record batches
with one string column per header column plus ``_ord`` (0-based data-row ordinal). Rows the
reader cannot split into the header's columns are kept as :class:`Malformed`, never dropped.
Typing, validation and mapping happen later, in SQL, on the whole file at once.
"""

from etl.readers.base import Malformed, RawTable, read_table
from etl.readers.sniff import FileFacts, inspect_file

__all__ = ["FileFacts", "Malformed", "RawTable", "inspect_file", "read_table"]
