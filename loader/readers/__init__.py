"""One reader per file format. Each takes the file's bytes and returns a :class:`~loader.model.Source`
whose ``text`` every offset indexes into (``sha256`` and ``document_id`` are filled in by
:mod:`loader.read`)."""
