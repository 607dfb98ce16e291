"""The engine: a pair network driven by a per-pixel map, the manipulator, sequences and video."""
