"""``python -m cuecast`` and the ``cuecast`` command: the stop handler first, then the CLI,
so that a Ctrl-C while the rest is imported is recorded, not raised."""

from cuecast import stopping


def run() -> None:
    stopping.install()
    from cuecast.cli import main

    main()


if __name__ == "__main__":
    run()
