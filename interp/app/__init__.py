"""The app's state: sessions, the preview store, the playing preview, per-session folders, the model lock."""
