"""The segmenter used when no SAM checkpoint is present: GrabCut seeded by clicks, boxes and motion."""
