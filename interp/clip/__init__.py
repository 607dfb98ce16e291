"""Clips: frames read from a video or a folder, and objects followed through them (masks on every frame).

This layer sits beside the project layer, above the engine: it reads clips with ``interp.io``, segments the object
given by clicks with ``sam_utils`` and is used by the CLI (``interp track``) and, later, by clip projects.
"""
