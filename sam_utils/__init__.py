"""sam_utils: click-to-segment for interp.

Segment Anything with a per-image embedding cache (``sam_utils.sam``), a weight-free fallback that uses colour and the
motion between two frames (``sam_utils.fallback.segmenter``), one interface over both (``sam_utils.segmenter``) and
pure mask operations (``sam_utils.masks``). Importing the package does no work: models load and devices are chosen
only when a segmenter is made.
"""
