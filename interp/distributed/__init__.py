"""Scaling out on Ray: long videos, many files and whole datasets across the machines of a Ray cluster.

Nothing here is imported unless a command is given ``--ray``; the single-process path does not need Ray. Every unit of
work is computed by the same functions as the local path (``interp.engine.video``, ``interp.research.indexer``,
``interp.research.evaluate``); this package only splits the work, ships it to Ray actors and joins the results.
"""
