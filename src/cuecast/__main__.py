from cuecast.cli import main

main()
