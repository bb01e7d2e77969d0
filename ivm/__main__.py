from ivm.cli import main

main()
