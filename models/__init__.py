"""The bundled model and its card (installed as digitdesk.models from the top-level models/)."""
