"""The web app's UI layer (Gradio): ``layout.build_app`` builds the page, ``handlers`` wires events to ``interp``."""
