"""Torch-free geometry and image maths: curves, distance maps, forward warping, layered rendering."""
