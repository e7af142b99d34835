"""DigitDesk: reads handwritten digits from drawings, image files and a webcam.

``recognize(image)`` is the Python API; it is imported lazily so that
``import digitdesk`` stays cheap (the model loads on first use; the LiteRT
runner never imports TensorFlow).
"""
__version__ = "0.1.0"

__all__ = ["__version__", "recognize"]


def __getattr__(name):
    if name == "recognize":
        from digitdesk.engine.recognizer import recognize
        return recognize
    raise AttributeError(name)
