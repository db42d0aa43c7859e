"""Faces: what people use — the ``bnsearch`` command line (:mod:`.cli`), the
search shell (:mod:`.shell`), and the rendering they share (:mod:`.render`,
:mod:`.progress`). Faces import :mod:`bnsearch.api`, :mod:`bnsearch.model`
and :mod:`bnsearch.errors` only.
"""
