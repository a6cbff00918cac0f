import sys

try:
    from cuecast.cli import main
except KeyboardInterrupt:  # Ctrl-C while still starting up: no traceback either
    print("Interrupted.", file=sys.stderr)
    sys.exit(130)

main()
