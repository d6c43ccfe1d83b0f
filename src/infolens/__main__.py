"""``python -m infolens``: the ``infolens`` command line."""

from infolens.cli import main

if __name__ == "__main__":
    main()
