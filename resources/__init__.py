"""Icons, styles and sample digits (installed as digitdesk.resources from the top-level resources/)."""
