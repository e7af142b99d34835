"""Rows read straight from a damaged SQLite file's pages, for when SQLite itself cannot reach them.

A damaged root page of a table leaves every row of it unreachable through SQLite, though the leaf
pages holding the rows are intact. This reads the table leaf pages one by one and decodes their
records (https://www.sqlite.org/fileformat.html, sections 1.6 and 2.1). Pages on the free list are
left out, so rows deleted before (a "Forget all") do not come back; without a readable file header the
free list is unknown, and nothing is read. Qt-free, numpy-free; every failure means "no row here".
"""
from __future__ import annotations

import struct
from pathlib import Path

MAGIC = b"SQLite format 3\x00"
TABLE_LEAF = 0x0D
MAX_BYTES = 1 << 30   # a samples file is a few MB; a larger "damaged file" is not read whole into memory


def varint(data: bytes, at: int) -> tuple[int, int]:
    """SQLite's variable-length integer at `at`: (value, where the next field starts)."""
    value = 0
    for k in range(9):
        byte = data[at + k]
        if k == 8:
            return (value << 8) | byte, at + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + k + 1
    raise ValueError("unterminated varint")


def _record(payload: bytes) -> list:
    """The values of one record: NULL, integers, a float, text or a blob each."""
    header_size, at = varint(payload, 0)
    types = []
    while at < header_size:
        serial, at = varint(payload, at)
        types.append(serial)
    values, at = [], header_size
    for serial in types:
        if serial == 0:
            values.append(None)
        elif 1 <= serial <= 6:
            size = (1, 2, 3, 4, 6, 8)[serial - 1]
            values.append(int.from_bytes(payload[at:at + size], "big", signed=True))
            at += size
        elif serial == 7:
            values.append(struct.unpack(">d", payload[at:at + 8])[0])
            at += 8
        elif serial in (8, 9):
            values.append(serial - 8)
        elif serial >= 12:
            size = (serial - 12) // 2
            chunk = payload[at:at + size]
            if len(chunk) != size:
                raise ValueError("record cut short")
            values.append(chunk.decode("utf-8") if serial % 2 else bytes(chunk))
            at += size
        else:
            raise ValueError("reserved serial type")
    return values


def _free_pages(data: bytes, page_size: int) -> set[int]:
    """Page numbers (1-based) on the free list: trunk pages and the leaves they list."""
    free, trunk = set(), int.from_bytes(data[32:36], "big")
    while trunk and trunk not in free and trunk * page_size <= len(data):
        free.add(trunk)
        base = (trunk - 1) * page_size
        following = int.from_bytes(data[base:base + 4], "big")
        count = int.from_bytes(data[base + 4:base + 8], "big")
        for k in range(min(count, page_size // 4 - 2)):
            free.add(int.from_bytes(data[base + 8 + 4 * k:base + 12 + 4 * k], "big"))
        trunk = following
    return free


def table_rows(path: str | Path) -> list[tuple[int, list]]:
    """(rowid, the record's values) of every row on the file's table leaf pages not on its free list, of
    every table (each table numbers its rows from 1: the caller tells them apart by their values; a rowid
    alias column reads as None); [] if the file header cannot be read."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            return []
        data = path.read_bytes()
    except OSError:
        return []
    if not data.startswith(MAGIC):
        return []
    page_size = int.from_bytes(data[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return []
    usable = page_size - data[20]
    free = _free_pages(data, page_size)
    rows: list[tuple[int, list]] = []
    for number in range(1, len(data) // page_size + 1):
        if number in free:
            continue
        base = (number - 1) * page_size
        header = base + (100 if number == 1 else 0)
        if data[header] != TABLE_LEAF:
            continue
        for cell in range(int.from_bytes(data[header + 3:header + 5], "big")):
            try:
                at = base + int.from_bytes(data[header + 8 + 2 * cell:header + 10 + 2 * cell], "big")
                size, at = varint(data, at)
                rowid, at = varint(data, at)
                if size > usable - 35:   # spilled onto overflow pages: not a sample's size; passed over
                    continue
                rows.append((rowid, _record(data[at:at + size])))
            except (IndexError, ValueError, UnicodeDecodeError, struct.error):
                continue
    return rows
