"""Receiving uploaded files without holding more than the parser accepts."""

import io

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from .parsing import MAX_UPLOAD_BYTES


class CappedUploadHandler(FileUploadHandler):
    """Keep an uploaded file in memory up to one byte past MAX_UPLOAD_BYTES.

    The rest of an oversized file is counted, not stored, so the returned
    file's `size` is the real size and the message can report how far it is
    over the limit.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        room = MAX_UPLOAD_BYTES + 1 - self.buffer.tell()
        if room > 0:
            self.buffer.write(raw_data[:room])
        self.received += len(raw_data)

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=self.received,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
