"""Zip files as some archivers write them, for the import and export tests."""
import io
import zipfile

import numpy as np
from PIL import Image


def zip_with_undecodable_name(path):
    """A zip of one sample whose entry name is flagged UTF-8 but holds a Latin-1 byte ('3/\\xe9.png'):
    Python's zipfile cannot even open it (UnicodeDecodeError)."""
    picture = io.BytesIO()
    Image.fromarray(np.zeros((28, 28), np.uint8)).save(picture, "PNG")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("3/x.png", picture.getvalue())
    data = bytearray(path.read_bytes())
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):   # local header, central directory
        start = data.find(signature)
        flags = int.from_bytes(data[start + flags_at:start + flags_at + 2], "little") | 0x800
        data[start + flags_at:start + flags_at + 2] = flags.to_bytes(2, "little")
        data[data.find(b"3/x.png", start) + 2] = 0xE9
    path.write_bytes(bytes(data))
    return path
