# _bz2 for every Covet interpreter (Bz2.java is the Java half, over Commons Compress): GraalPy
# implements it in native code, which the sandbox cannot load and which fails when GraalPy is
# embedded. The API and errors are CPython's. covet_stdlib's finder serves this as `_bz2`, with
# `_java` (the Java half) already in the module's namespace.

import operator

_java = globals().pop('_java')


def _buffer(data):
    """data as a bytes object, or CPython's TypeError for what is not a bytes-like object."""
    if type(data) is bytes:
        return data
    try:
        return bytes(memoryview(data))
    except TypeError:
        raise TypeError(f"a bytes-like object is required, not '{type(data).__name__}'") from None


class BZ2Compressor:
    """Create a compressor object for compressing data incrementally.

      compresslevel
        Compression level, as a number between 1 and 9.

    For one-shot compression, use the compress() function instead."""

    def __init__(self, compresslevel=9, /):
        compresslevel = operator.index(compresslevel)
        if not 1 <= compresslevel <= 9:
            raise ValueError('compresslevel must be between 1 and 9')
        self._compressor = _java.compressor(compresslevel)
        self._flushed = False

    def compress(self, data, /):
        """Provide data to the compressor object.

        Returns a chunk of compressed data if possible, or b'' otherwise.

        When you have finished providing data to the compressor, call the
        flush() method to finish the compression process."""
        data = _buffer(data)
        if self._flushed:
            raise ValueError('Compressor has been flushed')
        return self._compressor.compress(data).encode('latin-1')

    def flush(self):
        """Finish the compression process.

        Returns the compressed data left in internal buffers.

        The compressor object may not be used after this method is called."""
        if self._flushed:
            raise ValueError('Repeated call to flush()')
        self._flushed = True
        return self._compressor.flush().encode('latin-1')

    def __reduce__(self):
        raise TypeError(f"cannot pickle '{type(self).__module__}.{type(self).__qualname__}' object")


class BZ2Decompressor:
    """Create a decompressor object for decompressing data incrementally.

    For one-shot decompression, use the decompress() function instead."""

    def __init__(self, /):
        self._decompressor = _java.decompressor()

    def decompress(self, data, max_length=-1):
        """Decompress *data*, returning uncompressed data as bytes.

        If *max_length* is nonnegative, returns at most *max_length* bytes of
        decompressed data. If this limit is reached and further output can be
        produced, *self.needs_input* will be set to ``False``. In this case, the next
        call to *decompress()* may provide *data* as b'' to obtain more of the output.

        If all of the input data was decompressed and returned (either because this
        was less than *max_length* bytes, or because *max_length* was negative),
        *self.needs_input* will be set to True.

        Attempting to decompress data after the end of stream is reached raises an
        EOFError.  Any data found after the end of the stream is ignored and saved in
        the unused_data attribute."""
        data = _buffer(data)
        max_length = operator.index(max_length)
        if self._decompressor.eof():
            raise EOFError('End of stream already reached')
        out = self._decompressor.decompress(data, max_length)
        if out is None:
            raise OSError('Invalid data stream')
        return out.encode('latin-1')

    @property
    def eof(self):
        """True if the end-of-stream marker has been reached."""
        return self._decompressor.eof()

    @property
    def unused_data(self):
        """Data found after the end of the compressed stream."""
        return self._decompressor.unused_data().encode('latin-1')

    @property
    def needs_input(self):
        """True if more input is needed before more decompressed data can be produced."""
        return self._decompressor.needs_input()

    def __reduce__(self):
        raise TypeError(f"cannot pickle '{type(self).__module__}.{type(self).__qualname__}' object")


BZ2Compressor.__module__ = BZ2Decompressor.__module__ = '_bz2'
