"""`python -m digitdesk`: the same as the `digitdesk` command."""
from digitdesk.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
