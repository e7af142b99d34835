"""The Qt user interface: window, canvas, panels and the inference worker."""
