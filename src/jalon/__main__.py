from jalon.cli import main

main()
