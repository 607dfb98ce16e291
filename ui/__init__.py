"""The web app's UI layer (Gradio): ``layout.build_app`` builds the page from its panels (``panels``), its handlers
(``handlers``, which turn events into calls to ``interp``) and the events between them (``events.wire``)."""
