"""Rendering: what the result formats share (the View, the renderer protocol, the replace_*
transforms). Each format's renderer lives with its dialect (``runner.dialects``)."""
